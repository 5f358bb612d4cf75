/**
 * @module api/resources
 * The table of every resource kwire serves: group, version, kind, plural, scope,
 * short names, verbs and subresources. Discovery, OpenAPI, the REST router and
 * the printers are all generated from this one table. No I/O.
 */

export interface SubresourceInfo {
  readonly name: string; // e.g. "status", "scale", "log"
  readonly kind: string; // response kind
  readonly group?: string; // response group when it differs (scale -> autoscaling)
  readonly version?: string;
  readonly verbs: ReadonlyArray<string>;
}

export interface ResourceInfo {
  readonly group: string; // "" for core
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: ReadonlyArray<string>;
  readonly categories: ReadonlyArray<string>;
  readonly verbs: ReadonlyArray<string>;
  readonly subresources: ReadonlyArray<SubresourceInfo>;
}

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
const STATUS = (kind: string): SubresourceInfo => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });
const SCALE: SubresourceInfo = { name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] };

function r(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  opts: { shortNames?: string[]; categories?: string[]; subresources?: SubresourceInfo[]; verbs?: string[] } = {},
): ResourceInfo {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames: opts.shortNames ?? [],
    categories: opts.categories ?? [],
    verbs: opts.verbs ?? [...CRUD],
    subresources: opts.subresources ?? [],
  };
}

/** Every resource kwire serves, in discovery order. */
export const RESOURCES: ReadonlyArray<ResourceInfo> = [
  r('', 'v1', 'Namespace', 'namespaces', false, {
    shortNames: ['ns'],
    subresources: [STATUS('Namespace'), { name: 'finalize', kind: 'Namespace', verbs: ['update'] }],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  r('', 'v1', 'Node', 'nodes', false, { shortNames: ['no'], subresources: [STATUS('Node')] }),
  r('', 'v1', 'Pod', 'pods', true, {
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      STATUS('Pod'),
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
      { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
      { name: 'portforward', kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
      { name: 'binding', kind: 'Binding', verbs: ['create'] },
      { name: 'eviction', kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
    ],
  }),
  r('', 'v1', 'Service', 'services', true, {
    shortNames: ['svc'],
    categories: ['all'],
    subresources: [STATUS('Service'), { name: 'proxy', kind: 'ServiceProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] }],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  r('', 'v1', 'Endpoints', 'endpoints', true, { shortNames: ['ep'] }),
  r('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  r('', 'v1', 'Secret', 'secrets', true),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', true, {
    shortNames: ['sa'],
    subresources: [{ name: 'token', kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] }],
  }),
  r('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  r('apps', 'v1', 'Deployment', 'deployments', true, {
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [STATUS('Deployment'), SCALE],
  }),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', true, {
    shortNames: ['rs'],
    categories: ['all'],
    subresources: [STATUS('ReplicaSet'), SCALE],
  }),
  r('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true),
  r('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
  r('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, { shortNames: ['ing'], subresources: [STATUS('Ingress')] }),
  r('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false),
  r('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, { shortNames: ['netpol'] }),
  r('events.k8s.io', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  // Create-only, never stored: answered by the API server from the request's user.
  // v1 (GA in 1.28) first, so it is the group's preferred version; v1beta1 is what kubectl 1.27 asks for.
  r('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews', false, { verbs: ['create'] }),
  r('authentication.k8s.io', 'v1beta1', 'SelfSubjectReview', 'selfsubjectreviews', false, { verbs: ['create'] }),
];

/** "apps/v1", or "v1" for the core group. */
export function groupVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** Finds a resource by group and plural name (the REST path form). */
export function findResource(group: string, version: string, plural: string): ResourceInfo | undefined {
  return RESOURCES.find((x) => x.group === group && x.version === version && x.plural === plural);
}

/** Finds a resource by apiVersion ("apps/v1", "v1") and kind. */
export function findResourceByKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return RESOURCES.find((x) => groupVersion(x.group, x.version) === apiVersion && x.kind === kind);
}

/** Every group-version served, core first: [{group:"",version:"v1"}, {group:"apps",...}, ...]. */
export function groupVersions(): ReadonlyArray<{ group: string; version: string }> {
  const seen = new Map<string, { group: string; version: string }>();
  for (const x of RESOURCES) seen.set(groupVersion(x.group, x.version), { group: x.group, version: x.version });
  return [...seen.values()];
}

/** The key strategies and printers are registered under: "/Service", "apps/Deployment". */
export function groupKind(group: string, kind: string): string {
  return `${group}/${kind}`;
}
