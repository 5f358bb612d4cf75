/**
 * @module api/patch/schema
 * The merge-key table: for every kind kwire serves, the fields whose patch
 * behaviour is not the default. Strategic merge patch reads `patchStrategy` /
 * `patchMergeKey` (the Go struct tags of k8s.io/api); server-side apply reads
 * `listType` / `listMapKeys` (the `+listType` markers, which the OpenAPI
 * publishes as x-kubernetes-list-type / -list-map-keys) and `structType`
 * (+structType=atomic / +mapType=atomic: owned and replaced whole).
 *
 * Defaults for a field not in the table: maps merge key by key, lists are
 * replaced whole (SMP) and atomic (SSA). A list node's `fields` describe the
 * fields of its items; list items are transparent in paths, so the path of
 * container ports is ['spec','containers','ports'].
 *
 * Sources: k8s.io/api core/v1, apps/v1, networking/v1, discovery/v1 types.go
 * (patchStrategy/patchMergeKey tags and +listType/+listMapKey/+structType markers).
 */

/** The value of a `patchStrategy` struct tag (x-kubernetes-patch-strategy). */
export type PatchStrategy = 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';

export interface FieldSchema {
  readonly patchStrategy?: PatchStrategy;
  readonly patchMergeKey?: string;
  /** Explicit +listType; when absent it follows from the patch strategy (merge+key: map, merge: set, else atomic). */
  readonly listType?: 'atomic' | 'set' | 'map';
  /** Explicit +listMapKey markers; default [patchMergeKey]. */
  readonly listMapKeys?: ReadonlyArray<string>;
  /** Defaults of key fields an item may omit (`protocol: TCP`), as the OpenAPI publishes them. */
  readonly keyDefaults?: Readonly<Record<string, string | number>>;
  /** +structType=atomic / +mapType=atomic on the field's type (for a list: on its item type). */
  readonly structType?: 'atomic';
  /** Known sub-fields (of the struct, or of each list item). */
  readonly fields?: Readonly<Record<string, FieldSchema>>;
}

/** How server-side apply treats a list. */
export type ListKind =
  | { readonly type: 'atomic' }
  | { readonly type: 'set' }
  | { readonly type: 'map'; readonly keys: ReadonlyArray<string>; readonly defaults: Readonly<Record<string, string | number>> };

// ---- builders -------------------------------------------------------------

const struct = (fields: Record<string, FieldSchema>): FieldSchema => ({ fields });
const atomicStruct: FieldSchema = { structType: 'atomic' };
const byKey = (key: string, fields?: Record<string, FieldSchema>, extra: Partial<FieldSchema> = {}): FieldSchema => ({
  patchStrategy: 'merge',
  patchMergeKey: key,
  ...(fields ? { fields } : {}),
  ...extra,
});
const primitiveSet: FieldSchema = { patchStrategy: 'merge', listType: 'set' };
const conditions = byKey('type');

// ---- shared types ---------------------------------------------------------

const objectMeta = struct({
  finalizers: primitiveSet,
  ownerReferences: byKey('uid', undefined, { structType: 'atomic' }),
});

const container = struct({
  ports: byKey('containerPort', undefined, { listType: 'map', listMapKeys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } }),
  env: byKey('name'),
  volumeMounts: byKey('mountPath'),
  volumeDevices: byKey('devicePath'),
});

const podSpec = struct({
  volumes: byKey('name', undefined, { patchStrategy: 'merge,retainKeys' }),
  initContainers: byKey('name', container.fields),
  containers: byKey('name', container.fields),
  ephemeralContainers: byKey('name', container.fields),
  imagePullSecrets: byKey('name', undefined, { structType: 'atomic' }),
  hostAliases: byKey('ip'),
  topologySpreadConstraints: byKey('topologyKey', undefined, { listType: 'map', listMapKeys: ['topologyKey', 'whenUnsatisfiable'] }),
  schedulingGates: byKey('name'),
  resourceClaims: byKey('name', undefined, { patchStrategy: 'merge,retainKeys' }),
  nodeSelector: atomicStruct,
});

const podStatus = struct({
  conditions,
  podIPs: byKey('ip'),
  hostIPs: byKey('ip', undefined, { listType: 'atomic' }),
  resourceClaimStatuses: byKey('name', undefined, { patchStrategy: 'merge,retainKeys' }),
});

const podTemplateSpec = struct({ metadata: objectMeta, spec: podSpec });

const withMeta = (fields: Record<string, FieldSchema> = {}): FieldSchema => struct({ metadata: objectMeta, ...fields });

// ---- the table --------------------------------------------------------------

/** Schema of each kind, keyed by "group/Kind" ("/Pod", "apps/Deployment"). */
export const KIND_SCHEMAS: Readonly<Record<string, FieldSchema>> = {
  '/Pod': withMeta({ spec: podSpec, status: podStatus }),
  '/PodTemplate': withMeta({ template: podTemplateSpec }),
  '/ReplicationController': withMeta({ spec: struct({ template: podTemplateSpec }), status: struct({ conditions }) }),
  'apps/Deployment': withMeta({
    spec: struct({ selector: atomicStruct, strategy: { patchStrategy: 'retainKeys' }, template: podTemplateSpec }),
    status: struct({ conditions }),
  }),
  'apps/ReplicaSet': withMeta({ spec: struct({ selector: atomicStruct, template: podTemplateSpec }), status: struct({ conditions }) }),
  'apps/DaemonSet': withMeta({ spec: struct({ selector: atomicStruct, template: podTemplateSpec }), status: struct({ conditions }) }),
  'apps/StatefulSet': withMeta({ spec: struct({ selector: atomicStruct, template: podTemplateSpec }), status: struct({ conditions }) }),
  'apps/ControllerRevision': withMeta(),
  'batch/Job': withMeta({ spec: struct({ selector: atomicStruct, template: podTemplateSpec }), status: struct({ conditions }) }),
  '/Service': withMeta({
    spec: struct({
      ports: byKey('port', undefined, { listType: 'map', listMapKeys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } }),
      selector: atomicStruct,
    }),
    status: struct({ conditions }),
  }),
  '/Endpoints': withMeta(),
  'discovery.k8s.io/EndpointSlice': withMeta(),
  '/Namespace': withMeta({ status: struct({ conditions }) }),
  '/Node': withMeta({
    spec: struct({ podCIDRs: primitiveSet }),
    status: struct({ conditions, addresses: byKey('type') }),
  }),
  '/ConfigMap': withMeta(),
  '/Secret': withMeta(),
  '/ServiceAccount': withMeta({ secrets: byKey('name', undefined, { structType: 'atomic' }) }),
  '/Event': withMeta({ involvedObject: atomicStruct, related: atomicStruct }),
  'events.k8s.io/Event': withMeta({ regarding: atomicStruct, related: atomicStruct }),
  'networking.k8s.io/Ingress': withMeta(),
  'networking.k8s.io/IngressClass': withMeta(),
  'networking.k8s.io/NetworkPolicy': withMeta({ spec: struct({ podSelector: atomicStruct }) }),
};

/** Kinds whose `status` is reset on writes to the main resource (they have a status subresource). */
export const KINDS_WITH_STATUS: ReadonlySet<string> = new Set([
  '/Pod',
  '/Service',
  '/Node',
  '/Namespace',
  '/ReplicationController',
  'apps/Deployment',
  'apps/ReplicaSet',
  'apps/DaemonSet',
  'apps/StatefulSet',
  'batch/Job',
  'networking.k8s.io/Ingress',
]);

/** The root schema of a kind; an empty schema (all defaults) for kinds not in the table. */
export function kindSchema(groupKind: string): FieldSchema {
  return KIND_SCHEMAS[groupKind] ?? {};
}

/** The schema of a named child field (of a struct, or of each item of a list). */
export function childSchema(s: FieldSchema | undefined, field: string): FieldSchema | undefined {
  return s?.fields?.[field];
}

/** The schema at a field path (list items are transparent), or undefined when nothing is declared there. */
export function schemaAt(groupKind: string, path: ReadonlyArray<string>): FieldSchema | undefined {
  let s: FieldSchema | undefined = kindSchema(groupKind);
  for (const f of path) {
    s = childSchema(s, f);
    if (!s) return undefined;
  }
  return s;
}

/** True when the patch strategy asks for merging (lists merge by key or as sets). */
export function mergesLists(s: FieldSchema | undefined): boolean {
  return s?.patchStrategy === 'merge' || s?.patchStrategy === 'merge,retainKeys';
}

/**
 * The strategic-merge-patch metadata at a path, as OpenAPI publishes it
 * (x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key); undefined for
 * fields without a patchStrategy tag.
 */
export function patchStrategyFor(
  groupKind: string,
  path: ReadonlyArray<string>,
): { readonly strategy: PatchStrategy; readonly mergeKey?: string } | undefined {
  const s = schemaAt(groupKind, path);
  if (!s?.patchStrategy) return undefined;
  return s.patchMergeKey ? { strategy: s.patchStrategy, mergeKey: s.patchMergeKey } : { strategy: s.patchStrategy };
}

/** How server-side apply treats the list described by `s`. */
export function listKind(s: FieldSchema | undefined): ListKind {
  const declared = s?.listType;
  if (declared === 'atomic') return { type: 'atomic' };
  if (declared === 'set') return { type: 'set' };
  if (declared === 'map' || (mergesLists(s) && s?.patchMergeKey)) {
    const keys = s?.listMapKeys ?? (s?.patchMergeKey ? [s.patchMergeKey] : []);
    return { type: 'map', keys, defaults: s?.keyDefaults ?? {} };
  }
  if (mergesLists(s)) return { type: 'set' };
  return { type: 'atomic' };
}

/**
 * The list metadata at a path, as OpenAPI publishes it (x-kubernetes-list-type,
 * x-kubernetes-list-map-keys); undefined where the table declares nothing.
 */
export function listTypeFor(
  groupKind: string,
  path: ReadonlyArray<string>,
): { readonly listType: 'atomic' | 'set' | 'map'; readonly listMapKeys?: ReadonlyArray<string> } | undefined {
  const s = schemaAt(groupKind, path);
  if (!s || (!s.listType && !s.patchStrategy?.startsWith('merge'))) return undefined;
  const k = listKind(s);
  return k.type === 'map' ? { listType: 'map', listMapKeys: k.keys } : { listType: k.type };
}

/** True when the map at this schema is atomic (+structType=atomic): replaced and owned whole. */
export function isAtomicStruct(s: FieldSchema | undefined): boolean {
  return s?.structType === 'atomic';
}
