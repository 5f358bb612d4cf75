/**
 * @module scripts/gen-openapi
 * Dev-time generator for `src/apiserver/openapi/schemas.generated.json`: reads the
 * `kubernetes-types` .d.ts files with the TypeScript compiler API and turns every kind
 * in `src/api/resources.ts` (plus its list kind, the subresource kinds Scale, Eviction
 * and Binding, and the meta kinds Status, DeleteOptions, WatchEvent and Patch) and
 * everything they reference into OpenAPI v3 component schemas named as upstream
 * (`io.k8s.api.core.v1.Service`, `io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`, ...).
 *
 * What the .d.ts files do not carry is filled in from small tables below: int64 formats,
 * patch strategies / merge keys, list and map types. Enums are not generated.
 *
 * Run: `npx tsx scripts/gen-openapi.ts` (add `--check` to fail when the committed file is stale).
 * The runtime never imports this script nor `kubernetes-types`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { RESOURCES, groupVersions } from '../src/api/resources.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Schema = { [k: string]: Json };

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const OUT = join(repo, 'src/apiserver/openapi/schemas.generated.json');
const require = createRequire(import.meta.url);
const TYPES_ROOT = dirname(require.resolve('kubernetes-types/package.json'));
const TYPES_VERSION = (JSON.parse(readFileSync(join(TYPES_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const REF = '#/components/schemas/';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

// ---------------------------------------------------------------------------
// Facts the .d.ts files lack (Go struct tags upstream). Keyed "<schema>.<field>".
// ---------------------------------------------------------------------------

/** Integer fields that are int64 upstream; every other `number` is an int32. */
const INT64 = new Set<string>([
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta.generation',
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta.deletionGracePeriodSeconds',
  'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta.remainingItemCount',
  'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions.gracePeriodSeconds',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Condition.observedGeneration',
  'io.k8s.api.core.v1.PodSpec.activeDeadlineSeconds',
  'io.k8s.api.core.v1.PodSpec.terminationGracePeriodSeconds',
  'io.k8s.api.core.v1.Probe.terminationGracePeriodSeconds',
  'io.k8s.api.core.v1.PodSecurityContext.runAsUser',
  'io.k8s.api.core.v1.PodSecurityContext.runAsGroup',
  'io.k8s.api.core.v1.PodSecurityContext.fsGroup',
  'io.k8s.api.core.v1.PodSecurityContext.supplementalGroups',
  'io.k8s.api.core.v1.SecurityContext.runAsUser',
  'io.k8s.api.core.v1.SecurityContext.runAsGroup',
  'io.k8s.api.core.v1.Toleration.tolerationSeconds',
  'io.k8s.api.core.v1.ServiceAccountTokenProjection.expirationSeconds',
  'io.k8s.api.core.v1.SleepAction.seconds',
  'io.k8s.api.core.v1.PodCondition.observedGeneration',
  'io.k8s.api.core.v1.NodeConfigStatus.observedGeneration',
  'io.k8s.api.apps.v1.ControllerRevision.revision',
]);
const INT64_ANY_TYPE = new Set<string>(['observedGeneration']);

interface ListMeta {
  readonly strategy?: string; // x-kubernetes-patch-strategy
  readonly mergeKey?: string; // x-kubernetes-patch-merge-key
  readonly listType?: 'atomic' | 'set' | 'map';
  readonly mapKeys?: ReadonlyArray<string>;
}
const core = (t: string): string => `io.k8s.api.core.v1.${t}`;
const meta = (t: string): string => `io.k8s.apimachinery.pkg.apis.meta.v1.${t}`;
/** Strategic-merge metadata and list types of the fields kwire's kinds use. */
const PATCH_META: Record<string, ListMeta> = {
  [`${core('PodSpec')}.volumes`]: { strategy: 'merge,retainKeys', mergeKey: 'name' },
  [`${core('PodSpec')}.initContainers`]: { strategy: 'merge', mergeKey: 'name' },
  [`${core('PodSpec')}.containers`]: { strategy: 'merge', mergeKey: 'name' },
  [`${core('PodSpec')}.ephemeralContainers`]: { strategy: 'merge', mergeKey: 'name' },
  [`${core('PodSpec')}.imagePullSecrets`]: { strategy: 'merge', mergeKey: 'name' },
  [`${core('PodSpec')}.hostAliases`]: { strategy: 'merge', mergeKey: 'ip' },
  [`${core('PodSpec')}.topologySpreadConstraints`]: {
    strategy: 'merge', mergeKey: 'topologyKey', listType: 'map', mapKeys: ['topologyKey', 'whenUnsatisfiable'],
  },
  [`${core('PodSpec')}.schedulingGates`]: { strategy: 'merge', mergeKey: 'name', listType: 'map', mapKeys: ['name'] },
  [`${core('PodSpec')}.resourceClaims`]: { strategy: 'merge,retainKeys', mergeKey: 'name', listType: 'map', mapKeys: ['name'] },
  [`${core('Container')}.ports`]: { strategy: 'merge', mergeKey: 'containerPort', listType: 'map', mapKeys: ['containerPort', 'protocol'] },
  [`${core('Container')}.env`]: { strategy: 'merge', mergeKey: 'name' },
  [`${core('Container')}.volumeMounts`]: { strategy: 'merge', mergeKey: 'mountPath' },
  [`${core('Container')}.volumeDevices`]: { strategy: 'merge', mergeKey: 'devicePath' },
  [`${core('Container')}.resizePolicy`]: { listType: 'atomic' },
  [`${core('EphemeralContainer')}.ports`]: { listType: 'map', mapKeys: ['containerPort', 'protocol'] },
  [`${core('EphemeralContainer')}.env`]: { strategy: 'merge', mergeKey: 'name' },
  [`${core('EphemeralContainer')}.volumeMounts`]: { strategy: 'merge', mergeKey: 'mountPath' },
  [`${core('EphemeralContainer')}.volumeDevices`]: { strategy: 'merge', mergeKey: 'devicePath' },
  [`${core('PodStatus')}.conditions`]: { strategy: 'merge', mergeKey: 'type' },
  [`${core('PodStatus')}.podIPs`]: { strategy: 'merge', mergeKey: 'ip' },
  [`${core('PodStatus')}.hostIPs`]: { strategy: 'merge', mergeKey: 'ip' },
  [`${core('PodStatus')}.resourceClaimStatuses`]: { strategy: 'merge,retainKeys', mergeKey: 'name', listType: 'map', mapKeys: ['name'] },
  [`${core('ServiceSpec')}.ports`]: { strategy: 'merge', mergeKey: 'port', listType: 'map', mapKeys: ['port', 'protocol'] },
  [`${core('ServiceStatus')}.conditions`]: { strategy: 'merge', mergeKey: 'type', listType: 'map', mapKeys: ['type'] },
  [`${core('NodeStatus')}.conditions`]: { strategy: 'merge', mergeKey: 'type' },
  [`${core('NodeStatus')}.addresses`]: { strategy: 'merge', mergeKey: 'type' },
  [`${core('NodeSpec')}.podCIDRs`]: { strategy: 'merge' },
  [`${core('NamespaceStatus')}.conditions`]: { strategy: 'merge', mergeKey: 'type' },
  [`${meta('ObjectMeta')}.finalizers`]: { strategy: 'merge', listType: 'set' },
  [`${meta('ObjectMeta')}.ownerReferences`]: { strategy: 'merge', mergeKey: 'uid', listType: 'map', mapKeys: ['uid'] },
  [`${meta('LabelSelector')}.matchExpressions`]: { listType: 'atomic' },
  ['io.k8s.api.apps.v1.DeploymentSpec.strategy']: { strategy: 'retainKeys' },
  ['io.k8s.api.apps.v1.DeploymentStatus.conditions']: { strategy: 'merge', mergeKey: 'type' },
  ['io.k8s.api.apps.v1.ReplicaSetStatus.conditions']: { strategy: 'merge', mergeKey: 'type' },
  ['io.k8s.api.discovery.v1.EndpointSlice.endpoints']: { listType: 'atomic' },
  ['io.k8s.api.discovery.v1.EndpointSlice.ports']: { listType: 'atomic' },
};
/** Structs that are replaced as a whole by server-side apply (`+structType=atomic`). */
const ATOMIC_STRUCTS = new Set<string>([
  meta('LabelSelector'),
  core('LocalObjectReference'),
  core('ObjectReference'),
  core('SecretKeySelector'),
  core('ConfigMapKeySelector'),
  core('ObjectFieldSelector'),
  core('ResourceFieldSelector'),
  core('NodeSelector'),
  core('NodeSelectorTerm'),
  core('TopologySelectorTerm'),
]);

// ---------------------------------------------------------------------------
// Reading the .d.ts files.
// ---------------------------------------------------------------------------

/** "core/v1" -> "io.k8s.api.core.v1" etc. `mod` is the path inside kubernetes-types, no extension. */
function packageOf(mod: string): string {
  switch (mod) {
    case 'meta/v1': return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'api/resource': return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime': return 'io.k8s.apimachinery.pkg.runtime';
    case 'version': return 'io.k8s.apimachinery.pkg.version';
    case 'apiextensions/v1': return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
    default: return `io.k8s.api.${mod.replace('/', '.')}`;
  }
}

/** The kubernetes-types module of an API group-version: ("networking.k8s.io","v1") -> "networking/v1". */
function moduleOf(group: string, version: string): string {
  return `${group === '' ? 'core' : group.split('.')[0]}/${version}`;
}

interface ModuleInfo {
  readonly text: string;
  readonly decls: Map<string, ts.InterfaceDeclaration | ts.TypeAliasDeclaration>;
  readonly imports: Map<string, string>; // local name -> module
}
const modules = new Map<string, ModuleInfo>();

function loadModule(mod: string): ModuleInfo {
  const cached = modules.get(mod);
  if (cached) return cached;
  const file = join(TYPES_ROOT, `${mod}.d.ts`);
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const decls = new Map<string, ts.InterfaceDeclaration | ts.TypeAliasDeclaration>();
  const imports = new Map<string, string>();
  for (const st of sf.statements) {
    if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) decls.set(st.name.text, st);
    else if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const target = relative(TYPES_ROOT, resolve(dirname(file), st.moduleSpecifier.text)).split('\\').join('/');
      const named = st.importClause?.namedBindings;
      if (named && ts.isNamedImports(named)) for (const el of named.elements) imports.set(el.name.text, target);
    }
  }
  const info: ModuleInfo = { text, decls, imports };
  modules.set(mod, info);
  return info;
}

/** The JSDoc text right before `node`, exactly as written (no tag parsing), or undefined. */
function docOf(node: ts.Node, text: string): string | undefined {
  const ranges = ts.getLeadingCommentRanges(text, node.getFullStart()) ?? [];
  const last = [...ranges].reverse().find((r) => text.startsWith('/**', r.pos));
  if (!last) return undefined;
  const body = text.slice(last.pos + 3, last.end - 2);
  const lines = body.split('\n').map((l) => l.replace(/^\s*\* ?/, '').replace(/\s+$/, ''));
  while (lines.length && lines[0].trim() === '') lines.shift();
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  const out = lines.join('\n').trim();
  return out === '' ? undefined : out;
}

// ---------------------------------------------------------------------------
// Conversion.
// ---------------------------------------------------------------------------

const schemas = new Map<string, Schema>();
const pending: Array<{ mod: string; name: string }> = [];
const queued = new Set<string>();

function refTo(mod: string, name: string): string {
  const full = `${packageOf(mod)}.${name}`;
  if (!queued.has(full)) {
    queued.add(full);
    pending.push({ mod, name });
  }
  return full;
}

/** True when the named schema is (or will be) an object schema, i.e. upstream puts `default: {}` on it. */
function isStructRef(mod: string, name: string): boolean {
  const d = loadModule(mod).decls.get(name);
  return d !== undefined && ts.isInterfaceDeclaration(d);
}

function resolveName(mod: string, name: string): { mod: string; name: string } {
  const m = loadModule(mod);
  if (m.decls.has(name)) return { mod, name };
  const from = m.imports.get(name);
  if (from === undefined) throw new Error(`${mod}: cannot resolve type ${name}`);
  return { mod: from, name };
}

interface Ctx {
  readonly mod: string;
  readonly owner: string; // full schema name of the enclosing interface
  readonly field: string;
}

/** Converts a type node to a schema (without description; see property() and item()). */
function convert(node: ts.TypeNode, ctx: Ctx): Schema {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: 'string' };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.NumberKeyword: {
      const int64 = INT64.has(`${ctx.owner}.${ctx.field}`) || INT64_ANY_TYPE.has(ctx.field);
      return { type: 'integer', format: int64 ? 'int64' : 'int32' };
    }
    default:
      break;
  }
  if (ts.isParenthesizedTypeNode(node)) return convert(node.type, ctx);
  if (ts.isLiteralTypeNode(node)) {
    if (ts.isStringLiteral(node.literal)) return { type: 'string' };
    throw new Error(`${ctx.owner}.${ctx.field}: unsupported literal type`);
  }
  if (ts.isUnionTypeNode(node)) {
    const kinds = node.types.map((t) => t.kind).sort();
    if (kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword)) {
      ensureIntOrString();
      return { $ref: REF + INT_OR_STRING };
    }
    throw new Error(`${ctx.owner}.${ctx.field}: unsupported union ${node.getText()}`);
  }
  if (ts.isArrayTypeNode(node)) return { type: 'array', items: item(convert(node.elementType, ctx)) };
  if (ts.isTypeLiteralNode(node)) {
    const sig = node.members.find(ts.isIndexSignatureDeclaration);
    if (sig && node.members.length === 1) return { type: 'object', additionalProperties: item(convert(sig.type, ctx)) };
    throw new Error(`${ctx.owner}.${ctx.field}: unsupported inline object type`);
  }
  if (ts.isTypeReferenceNode(node)) {
    const name = node.typeName.getText();
    if (name === 'Array' && node.typeArguments?.length === 1) {
      return { type: 'array', items: item(convert(node.typeArguments[0], ctx)) };
    }
    const target = resolveName(ctx.mod, name);
    const full = refTo(target.mod, target.name);
    const ref: Schema = { $ref: REF + full };
    if (isStructRef(target.mod, target.name)) ref['x-kwire-struct'] = true; // stripped in item()/property()
    return ref;
  }
  throw new Error(`${ctx.owner}.${ctx.field}: unsupported type node ${ts.SyntaxKind[node.kind]}`);
}

/** Array items / map values: a struct reference becomes `{allOf:[{$ref}], default:{}}` as upstream. */
function item(s: Schema): Schema {
  if (s['x-kwire-struct'] === true) return { allOf: [{ $ref: s.$ref }], default: {} };
  if (typeof s.$ref === 'string') return { $ref: s.$ref };
  return s;
}

/** A property: references get wrapped in allOf so that the description can sit next to them. */
function property(s: Schema, description: string | undefined): Schema {
  const out: Schema = {};
  if (typeof s.$ref === 'string') out.allOf = [{ $ref: s.$ref }];
  else Object.assign(out, s);
  if (description !== undefined) out.description = description;
  return out;
}

function ensureIntOrString(): void {
  if (schemas.has(INT_OR_STRING)) return;
  schemas.set(INT_OR_STRING, {
    description:
      'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
    'x-kubernetes-int-or-string': true,
  });
}

function gvkOf(group: string, version: string, kind: string): Schema {
  return { group, kind, version };
}

/** Extra GVKs for meta kinds that every group-version registers. */
const EXTRA_GVKS: Record<string, Schema[]> = (() => {
  const gvs = [...groupVersions(), { group: 'autoscaling', version: 'v1' }, { group: 'policy', version: 'v1' }];
  const per = (kind: string): Schema[] => gvs.map((gv) => gvkOf(gv.group, gv.version, kind));
  return {
    [meta('DeleteOptions')]: per('DeleteOptions'),
    [meta('WatchEvent')]: per('WatchEvent'),
    [meta('Status')]: [gvkOf('', 'v1', 'Status')],
  };
})();

function literalOf(member: ts.PropertySignature | undefined): string | undefined {
  const t = member?.type;
  if (t && ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)) return t.literal.text;
  return undefined;
}

function convertDecl(mod: string, name: string): Schema {
  const m = loadModule(mod);
  const decl = m.decls.get(name);
  if (!decl) throw new Error(`${mod}: no declaration ${name}`);
  const full = `${packageOf(mod)}.${name}`;
  const description = docOf(decl, m.text);
  if (ts.isTypeAliasDeclaration(decl)) {
    if (decl.type.kind !== ts.SyntaxKind.StringKeyword) throw new Error(`${full}: unsupported alias`);
    const s: Schema = {};
    if (description !== undefined) s.description = description;
    if (name === 'Quantity') s.oneOf = [{ type: 'string' }, { type: 'number' }];
    else {
      s.type = 'string';
      if (name === 'Time' || name === 'MicroTime') s.format = 'date-time';
    }
    return s;
  }
  const props: Record<string, Schema> = {};
  const required: string[] = [];
  const members = decl.members.filter(ts.isPropertySignature);
  for (const member of members) {
    const field = member.name.getText().replace(/^"|"$/g, '');
    if (!member.type) throw new Error(`${full}.${field}: no type`);
    const s = property(convert(member.type, { mod, owner: full, field }), docOf(member, m.text));
    const pm = PATCH_META[`${full}.${field}`];
    if (pm) {
      if (pm.listType === 'map' && pm.mapKeys) s['x-kubernetes-list-map-keys'] = [...pm.mapKeys];
      if (pm.listType) s['x-kubernetes-list-type'] = pm.listType;
      if (pm.mergeKey) s['x-kubernetes-patch-merge-key'] = pm.mergeKey;
      if (pm.strategy) s['x-kubernetes-patch-strategy'] = pm.strategy;
    }
    props[field] = s;
    if (!member.questionToken) required.push(field);
  }
  const s: Schema = {};
  if (description !== undefined) s.description = description;
  if (members.length === 0) {
    // Free-form (RawExtension, FieldsV1, Patch): any JSON is accepted.
    s.type = 'object';
    if (name === 'RawExtension') s['x-kubernetes-preserve-unknown-fields'] = true;
    return s;
  }
  s.properties = Object.fromEntries(Object.keys(props).sort().map((k) => [k, props[k]]));
  if (required.length) s.required = required.sort();
  s.type = 'object';
  const apiVersion = literalOf(members.find((x) => x.name.getText() === 'apiVersion'));
  const kind = literalOf(members.find((x) => x.name.getText() === 'kind'));
  if (apiVersion !== undefined && kind !== undefined) {
    const slash = apiVersion.indexOf('/');
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    s['x-kubernetes-group-version-kind'] = [gvkOf(group, version, kind)];
  } else if (EXTRA_GVKS[full]) {
    s['x-kubernetes-group-version-kind'] = EXTRA_GVKS[full];
  }
  if (ATOMIC_STRUCTS.has(full)) s['x-kubernetes-map-type'] = 'atomic';
  return s;
}

/** Removes the internal x-kwire-struct markers everywhere. */
function strip(v: Json): Json {
  if (Array.isArray(v)) return v.map(strip);
  if (v !== null && typeof v === 'object') {
    const o: { [k: string]: Json } = {};
    for (const k of Object.keys(v)) if (k !== 'x-kwire-struct') o[k] = strip(v[k]);
    return o;
  }
  return v;
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const o: { [k: string]: Json } = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
    return o;
  }
  return v;
}

function main(): void {
  // Roots: every served kind and its list, the subresource kinds, the meta kinds.
  for (const r of RESOURCES) {
    const mod = moduleOf(r.group, r.version);
    refTo(mod, r.kind);
    // Create-only kinds (SelfSubjectReview) have no list kind.
    if (loadModule(mod).decls.has(r.listKind)) refTo(mod, r.listKind);
    for (const sub of r.subresources) {
      const smod = moduleOf(sub.group ?? r.group, sub.version ?? r.version);
      if (loadModule(smod).decls.has(sub.kind)) refTo(smod, sub.kind);
    }
  }
  for (const k of ['Status', 'DeleteOptions', 'WatchEvent', 'Patch']) refTo('meta/v1', k);

  while (pending.length) {
    const next = pending.shift();
    if (!next) break;
    schemas.set(`${packageOf(next.mod)}.${next.name}`, convertDecl(next.mod, next.name));
  }
  const all: { [k: string]: Json } = {};
  for (const k of [...schemas.keys()].sort()) all[k] = schemas.get(k) as Json;
  const doc = sortKeys(strip({ source: `kubernetes-types@${TYPES_VERSION}`, schemas: all }));
  const text = JSON.stringify(doc) + '\n';
  if (process.argv.includes('--check')) {
    const current = readFileSync(OUT, 'utf8');
    if (current !== text) {
      console.error(`${relative(repo, OUT)} is stale: run npx tsx scripts/gen-openapi.ts`);
      process.exit(1);
    }
    console.log(`${relative(repo, OUT)} is up to date (${schemas.size} schemas)`);
    return;
  }
  writeFileSync(OUT, text);
  console.log(`wrote ${relative(repo, OUT)}: ${schemas.size} schemas, ${text.length} bytes`);
}

main();
