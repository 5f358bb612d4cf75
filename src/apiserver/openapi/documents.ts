/**
 * @module apiserver/openapi/documents
 * The OpenAPI v3 documents kube-apiserver serves under `/openapi/v3`, generated from the
 * resource table (`src/api/resources.ts`) and the component schemas (`./schemas.ts`).
 *
 *   GET /openapi/v3                        -> openapiV3Index()
 *   GET /openapi/v3/apis/apps/v1?hash=H    -> openapiV3Document('apis/apps/v1')
 *
 * Each group-version document lists, for every resource of that group-version, the
 * collection, item, subresource and watch paths with their operations. Every operation
 * carries `x-kubernetes-group-version-kind` and `x-kubernetes-action`; writes carry the
 * operation-level query parameters `dryRun`, `fieldManager`, `fieldValidation` (and
 * `force` on patch). kubectl 1.29+ apply looks for `fieldValidation` on the PATCH
 * operation of the object's GVK and then leaves validation to the server;
 * `kubectl explain` finds the kind through the operations' GVK and renders the schema
 * from `components.schemas` carrying the same GVK.
 *
 * Documents are built once per process and cached; the body is byte-stable, so the hash
 * (upper-case hex SHA-512 of the body, as upstream) is a content hash. OpenAPI v2 is not
 * built here (the server answers it with an empty protobuf body). No I/O.
 */
import { createHash } from 'node:crypto';
import { RESOURCES, groupVersions, type ResourceInfo, type SubresourceInfo } from '../../api/resources.js';
import { SCHEMAS, SCHEMA_REF_PREFIX, schemaClosure, schemaNameForGVK } from './schemas.js';

/** `info.version` of every document: the Kubernetes version kwire reports. */
export const OPENAPI_INFO_VERSION = 'v1.31.0';

/** The `/openapi/v3` index: one entry per served group-version. */
export interface OpenAPIV3Index {
  readonly paths: { readonly [path: string]: { readonly serverRelativeURL: string } };
}

/** A rendered group-version document. */
export interface OpenAPIV3Document {
  /** Compact JSON text, byte-stable across calls and processes. */
  readonly body: string;
  /** Upper-case hex SHA-512 of `body` (the `?hash=` value and the ETag). */
  readonly hash: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

/** "api/v1" for core, "apis/<group>/<version>" otherwise (no leading slash). */
export function openapiV3Path(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

// ---------------------------------------------------------------------------
// Parameters (inlined at operation level; kubectl ignores `$ref` parameters).
// ---------------------------------------------------------------------------

const str: JsonObject = { type: 'string', uniqueItems: true };
const bool: JsonObject = { type: 'boolean', uniqueItems: true };
const int: JsonObject = { type: 'integer', uniqueItems: true };

function query(name: string, schema: JsonObject, description: string): JsonObject {
  return { description, in: 'query', name, schema };
}
function pathParam(name: string, description: string): JsonObject {
  return { description, in: 'path', name, required: true, schema: str };
}

const P = {
  pretty: query('pretty', str, "If 'true', then the output is pretty printed."),
  dryRun: query(
    'dryRun',
    str,
    'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed',
  ),
  fieldManager: query(
    'fieldManager',
    str,
    'fieldManager is a name associated with the actor or entity that is making these changes. Required for apply requests (application/apply-patch), optional otherwise.',
  ),
  fieldValidation: query(
    'fieldValidation',
    str,
    'fieldValidation tells the server how to treat unknown or duplicate fields in the request object (POST/PUT/PATCH). Valid values are: - Ignore: drop them silently. - Warn: drop them and return a warning header for each one. - Strict: reject the request with BadRequest listing every unknown and duplicate field.',
  ),
  force: query('force', bool, 'Force re-acquires fields owned by other managers on an apply request. Must be unset for other patch types.'),
  allowWatchBookmarks: query('allowWatchBookmarks', bool, 'Requests watch events of type BOOKMARK. Servers may ignore it.'),
  continue: query('continue', str, 'The continue token returned by a previous, limited list call.'),
  fieldSelector: query('fieldSelector', str, 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: query('labelSelector', str, 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: query('limit', int, 'Maximum number of objects to return in one list call; a continue token is returned when more exist.'),
  resourceVersion: query('resourceVersion', str, 'Constrains which resource versions the request may be served from.'),
  resourceVersionMatch: query('resourceVersionMatch', str, 'Determines how resourceVersion is applied to list calls.'),
  sendInitialEvents: query('sendInitialEvents', bool, 'With watch=true, starts the stream with synthetic ADDED events for the current state.'),
  timeoutSeconds: query('timeoutSeconds', int, 'Timeout for the list/watch call.'),
  watch: query('watch', bool, 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.'),
  gracePeriodSeconds: query('gracePeriodSeconds', int, 'The duration in seconds before the object should be deleted. Zero means delete immediately.'),
  orphanDependents: query('orphanDependents', bool, 'Deprecated: use propagationPolicy. Whether dependent objects should be orphaned.'),
  propagationPolicy: query('propagationPolicy', str, "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
} as const;

const LIST_PARAMS: Json[] = [
  P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit,
  P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch,
];
const WRITE_PARAMS: Json[] = [P.dryRun, P.fieldManager, P.fieldValidation];
const PATCH_PARAMS: Json[] = [P.dryRun, P.fieldManager, P.fieldValidation, P.force];
const DELETE_PARAMS: Json[] = [P.dryRun, P.gracePeriodSeconds, P.orphanDependents, P.propagationPolicy];
const DELETE_COLLECTION_PARAMS: Json[] = [
  P.continue, P.dryRun, P.fieldSelector, P.gracePeriodSeconds, P.labelSelector, P.limit, P.orphanDependents,
  P.propagationPolicy, P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds,
];

// ---------------------------------------------------------------------------
// Operations.
// ---------------------------------------------------------------------------

const OBJECT_MEDIA = ['application/json', 'application/vnd.kubernetes.protobuf', 'application/yaml'];
const WATCH_MEDIA = [
  'application/json', 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf',
  'application/vnd.kubernetes.protobuf;stream=watch', 'application/yaml',
];
const PATCH_MEDIA = [
  'application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

function content(schemaName: string | undefined, media: ReadonlyArray<string>): JsonObject | undefined {
  if (schemaName === undefined || !SCHEMAS.has(schemaName)) return undefined;
  const c: JsonObject = {};
  for (const m of media) c[m] = { schema: { $ref: SCHEMA_REF_PREFIX + schemaName } };
  return c;
}

function response(description: string, schemaName: string | undefined, media = OBJECT_MEDIA): JsonObject {
  const c = content(schemaName, media);
  return c ? { content: c, description } : { description };
}

interface GVK {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

type Action = 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'watch' | 'watchlist' | 'connect';

interface OpSpec {
  readonly action: Action;
  readonly id: string;
  readonly description: string;
  readonly gvk: GVK;
  readonly tag: string;
  /** Schema of the request body (create/replace); patch and delete bodies are implied. */
  readonly bodySchema?: string;
  /** Schema of the 200 answer. */
  readonly resultSchema?: string;
  readonly params?: ReadonlyArray<Json>;
}

function operation(o: OpSpec): JsonObject {
  const op: JsonObject = { description: o.description, operationId: o.id };
  if (o.params && o.params.length > 0) op.parameters = [...o.params];
  switch (o.action) {
    case 'post':
    case 'put': {
      const body = content(o.bodySchema, ['*/*']);
      if (body) op.requestBody = { content: body, required: true };
      const responses: JsonObject = {
        '200': response('OK', o.resultSchema),
        '201': response('Created', o.resultSchema),
      };
      if (o.action === 'post') responses['202'] = response('Accepted', o.resultSchema);
      responses['401'] = { description: 'Unauthorized' };
      op.responses = responses;
      break;
    }
    case 'patch': {
      const body = content(`${META}.Patch`, PATCH_MEDIA);
      if (body) op.requestBody = { content: body, required: true };
      op.responses = {
        '200': response('OK', o.resultSchema),
        '201': response('Created', o.resultSchema),
        '401': { description: 'Unauthorized' },
      };
      break;
    }
    case 'delete':
    case 'deletecollection': {
      const body = content(`${META}.DeleteOptions`, ['*/*']);
      if (body) op.requestBody = { content: body };
      op.responses = {
        '200': response('OK', o.resultSchema),
        ...(o.action === 'delete' ? { '202': response('Accepted', o.resultSchema) } : {}),
        '401': { description: 'Unauthorized' },
      };
      break;
    }
    case 'watch':
    case 'watchlist':
      op.responses = { '200': response('OK', `${META}.WatchEvent`, WATCH_MEDIA), '401': { description: 'Unauthorized' } };
      break;
    case 'list':
      op.responses = { '200': response('OK', o.resultSchema, WATCH_MEDIA), '401': { description: 'Unauthorized' } };
      break;
    case 'get':
      op.responses = { '200': response('OK', o.resultSchema), '401': { description: 'Unauthorized' } };
      break;
    case 'connect':
      op.responses = { '200': { content: { '*/*': { schema: { type: 'string' } } }, description: 'OK' }, '401': { description: 'Unauthorized' } };
      break;
    default: {
      const never: never = o.action;
      throw new Error(`unknown action ${String(never)}`);
    }
  }
  op.tags = [o.tag];
  op['x-kubernetes-action'] = o.action;
  op['x-kubernetes-group-version-kind'] = { group: o.gvk.group, kind: o.gvk.kind, version: o.gvk.version };
  return op;
}

/** "" -> "Core", "networking.k8s.io" -> "Networking", "rbac.authorization.k8s.io" -> "RbacAuthorization". */
function groupCamel(group: string): string {
  if (group === '') return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split('.')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Adds every path of one resource to `paths`. */
function addResource(paths: Record<string, JsonObject>, r: ResourceInfo): void {
  const prefix = `/${openapiV3Path(r.group, r.version)}`;
  const gv = `${groupCamel(r.group)}${cap(r.version)}`;
  const tag = `${r.group === '' ? 'core' : r.group.replace(/\.k8s\.io$/, '').split('.').join('_')}_${r.version}`;
  const gvk: GVK = { group: r.group, version: r.version, kind: r.kind };
  const kindSchema = schemaNameForGVK(r.group, r.version, r.kind);
  const listSchema = schemaNameForGVK(r.group, r.version, r.listKind);
  const status = `${META}.Status`;
  const ns = r.namespaced ? 'Namespaced' : '';
  const verbs = new Set(r.verbs);
  const nsParam = pathParam('namespace', 'object name and auth scope, such as for teams and projects');
  const nameParam = pathParam('name', `name of the ${r.kind}`);
  const base = `${prefix}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}`;
  const scopeParams: Json[] = r.namespaced ? [nsParam] : [];
  const op = (o: Omit<OpSpec, 'gvk' | 'tag'>): JsonObject => operation({ ...o, gvk, tag });

  // Collection.
  const coll: JsonObject = {};
  if (verbs.has('deletecollection')) {
    coll.delete = op({
      action: 'deletecollection', id: `delete${gv}Collection${ns}${r.kind}`,
      description: `delete collection of ${r.kind}`, resultSchema: status, params: DELETE_COLLECTION_PARAMS,
    });
  }
  if (verbs.has('list')) {
    coll.get = op({
      action: 'list', id: `list${gv}${ns}${r.kind}`, description: `list or watch objects of kind ${r.kind}`,
      resultSchema: listSchema, params: LIST_PARAMS,
    });
  }
  if (verbs.has('create')) {
    coll.post = op({
      action: 'post', id: `create${gv}${ns}${r.kind}`, description: `create a ${r.kind}`,
      bodySchema: kindSchema, resultSchema: kindSchema, params: WRITE_PARAMS,
    });
  }
  if (Object.keys(coll).length > 0) paths[base] = { ...coll, parameters: [...scopeParams, P.pretty] };

  // Item.
  const itemPath = `${base}/{name}`;
  const item: JsonObject = {};
  if (verbs.has('delete')) {
    item.delete = op({
      action: 'delete', id: `delete${gv}${ns}${r.kind}`, description: `delete a ${r.kind}`,
      resultSchema: status, params: DELETE_PARAMS,
    });
  }
  if (verbs.has('get')) {
    item.get = op({ action: 'get', id: `read${gv}${ns}${r.kind}`, description: `read the specified ${r.kind}`, resultSchema: kindSchema });
  }
  if (verbs.has('patch')) {
    item.patch = op({
      action: 'patch', id: `patch${gv}${ns}${r.kind}`, description: `partially update the specified ${r.kind}`,
      resultSchema: kindSchema, params: PATCH_PARAMS,
    });
  }
  if (verbs.has('update')) {
    item.put = op({
      action: 'put', id: `replace${gv}${ns}${r.kind}`, description: `replace the specified ${r.kind}`,
      bodySchema: kindSchema, resultSchema: kindSchema, params: WRITE_PARAMS,
    });
  }
  if (Object.keys(item).length > 0) paths[itemPath] = { ...item, parameters: [nameParam, ...scopeParams, P.pretty] };

  // Subresources.
  for (const sub of r.subresources) addSubresource(paths, r, sub, { itemPath, gv, ns, tag, scopeParams, nameParam });

  // Cluster-wide list of a namespaced resource.
  if (r.namespaced && verbs.has('list')) {
    paths[`${prefix}/${r.plural}`] = {
      get: op({
        action: 'list', id: `list${gv}${r.kind}ForAllNamespaces`, description: `list or watch objects of kind ${r.kind}`,
        resultSchema: listSchema,
      }),
      parameters: [...LIST_PARAMS, P.pretty],
    };
  }

  // Deprecated watch paths.
  if (verbs.has('watch')) {
    const wbase = `${prefix}/watch${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}`;
    const listQuery = [...LIST_PARAMS, P.pretty];
    paths[wbase] = {
      get: op({
        action: 'watchlist', id: `watch${gv}${ns}${r.kind}List`,
        description: `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
      }),
      parameters: [...scopeParams, ...listQuery],
    };
    paths[`${wbase}/{name}`] = {
      get: op({
        action: 'watch', id: `watch${gv}${ns}${r.kind}`,
        description: `watch changes to an object of kind ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`,
      }),
      parameters: [nameParam, ...scopeParams, ...listQuery],
    };
    if (r.namespaced) {
      paths[`${prefix}/watch/${r.plural}`] = {
        get: op({
          action: 'watchlist', id: `watch${gv}${r.kind}ListForAllNamespaces`,
          description: `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`,
        }),
        parameters: listQuery,
      };
    }
  }
}

function addSubresource(
  paths: Record<string, JsonObject>,
  r: ResourceInfo,
  sub: SubresourceInfo,
  c: { itemPath: string; gv: string; ns: string; tag: string; scopeParams: Json[]; nameParam: Json },
): void {
  const gvk: GVK = { group: sub.group ?? r.group, version: sub.version ?? r.version, kind: sub.kind };
  const schema = schemaNameForGVK(gvk.group, gvk.version, gvk.kind);
  const verbs = new Set(sub.verbs);
  const Sub = cap(sub.name);
  const path = `${c.itemPath}/${sub.name}`;
  const entry: JsonObject = {};
  const op = (o: Omit<OpSpec, 'gvk' | 'tag'>): JsonObject => operation({ ...o, gvk, tag: c.tag });
  const connect = sub.kind.endsWith('Options');
  if (connect) {
    // exec, attach, portforward, proxy: streaming "connect" actions.
    const methods: ReadonlyArray<[string, string]> = [['get', 'get'], ['create', 'post'], ['update', 'put'], ['patch', 'patch'], ['delete', 'delete']];
    for (const [verb, method] of methods) {
      if (!verbs.has(verb)) continue;
      entry[method] = op({
        action: 'connect', id: `connect${c.gv}${cap(method)}${c.ns}${r.kind}${Sub}`,
        description: `connect ${method.toUpperCase()} requests to ${sub.name} of ${r.kind}`,
      });
    }
    paths[path] = { ...entry, parameters: [c.nameParam, ...c.scopeParams] };
    return;
  }
  const what = `${sub.name} of`;
  if (verbs.has('get')) {
    entry.get = op({ action: 'get', id: `read${c.gv}${c.ns}${r.kind}${Sub}`, description: `read ${what} the specified ${r.kind}`, resultSchema: schema });
  }
  if (verbs.has('patch')) {
    entry.patch = op({
      action: 'patch', id: `patch${c.gv}${c.ns}${r.kind}${Sub}`, description: `partially update ${what} the specified ${r.kind}`,
      resultSchema: schema, params: PATCH_PARAMS,
    });
  }
  if (verbs.has('update')) {
    entry.put = op({
      action: 'put', id: `replace${c.gv}${c.ns}${r.kind}${Sub}`, description: `replace ${what} the specified ${r.kind}`,
      bodySchema: schema, resultSchema: schema, params: WRITE_PARAMS,
    });
  }
  if (verbs.has('create')) {
    entry.post = op({
      action: 'post', id: `create${c.gv}${c.ns}${r.kind}${Sub}`, description: `create ${what} a ${r.kind}`,
      bodySchema: schema, resultSchema: schema, params: WRITE_PARAMS,
    });
  }
  if (Object.keys(entry).length > 0) {
    paths[path] = { ...entry, parameters: [c.nameParam, ...c.scopeParams, P.pretty] };
  }
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const o: JsonObject = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
    return o;
  }
  return v;
}

/**
 * Builds the document of one group-version from scratch (uncached; `openapiV3Document`
 * caches). Two builds give byte-identical bodies.
 */
export function buildOpenAPIV3Document(group: string, version: string): OpenAPIV3Document {
  const paths: Record<string, JsonObject> = {};
  for (const r of RESOURCES) if (r.group === group && r.version === version) addResource(paths, r);
  const names = schemaClosure([], paths);
  const schemas: JsonObject = {};
  for (const n of names) schemas[n] = SCHEMAS.get(n) as Json; // schemas are plain JSON by construction
  const doc: JsonObject = {
    components: { schemas },
    info: { title: 'Kubernetes', version: OPENAPI_INFO_VERSION },
    openapi: '3.0.0',
    paths,
  };
  const body = JSON.stringify(sortKeys(doc));
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
  return { body, hash };
}

const cache = new Map<string, OpenAPIV3Document>();

function documentFor(group: string, version: string): OpenAPIV3Document {
  const key = openapiV3Path(group, version);
  let d = cache.get(key);
  if (!d) {
    d = buildOpenAPIV3Document(group, version);
    cache.set(key, d);
  }
  return d;
}

/**
 * The document of one group-version, addressed as in the index: "api/v1",
 * "apis/apps/v1" (a leading "/" or "/openapi/v3/" prefix and a query string are
 * tolerated). Undefined for anything kwire does not serve.
 */
export function openapiV3Document(path: string): OpenAPIV3Document | undefined {
  const clean = path.split('?')[0].replace(/^\/+/, '').replace(/^openapi\/v3\//, '').replace(/\/+$/, '');
  for (const gv of groupVersions()) {
    if (openapiV3Path(gv.group, gv.version) === clean) return documentFor(gv.group, gv.version);
  }
  return undefined;
}

/** The `/openapi/v3` index: `{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=..."},...}}`. */
export function openapiV3Index(): OpenAPIV3Index {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions()) {
    const p = openapiV3Path(gv.group, gv.version);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${documentFor(gv.group, gv.version).hash}` };
  }
  return { paths };
}

/** An HTTP answer for a GET under `/openapi/v3`, ready to write. */
export interface OpenAPIV3Response {
  readonly status: 200 | 301 | 404;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Answers `GET /openapi/v3[/<gv path>][?hash=H]` the way kube-openapi's handler does:
 * the index with `Cache-Control: no-cache, private`; a document with `ETag: "<hash>"`;
 * with a matching `hash` also `Cache-Control: public, immutable` and a one-year
 * `Expires`; with a stale `hash` a 301 to the current URL; unknown paths 404.
 * `now` is injectable for tests.
 */
export function openapiV3Response(urlPath: string, now: Date = new Date()): OpenAPIV3Response {
  const [pathname, search = ''] = urlPath.split('?', 2);
  const rest = pathname.replace(/^\/openapi\/v3\/?/, '').replace(/\/+$/, '');
  const json = { 'Content-Type': 'application/json' };
  if (rest === '') {
    return { status: 200, headers: { ...json, 'Cache-Control': 'no-cache, private' }, body: JSON.stringify(openapiV3Index()) };
  }
  const doc = openapiV3Document(rest);
  if (!doc) {
    return { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: '404 page not found\n' };
  }
  const hash = new URLSearchParams(search).get('hash');
  const etag = `"${doc.hash}"`;
  if (hash === null || hash === '') {
    return { status: 200, headers: { ...json, ETag: etag, 'Cache-Control': 'no-cache, private' }, body: doc.body };
  }
  if (hash !== doc.hash) {
    const location = `/openapi/v3/${rest}?hash=${doc.hash}`;
    return { status: 301, headers: { Location: location, 'Content-Type': 'text/html; charset=utf-8' }, body: `<a href="${location}">Moved Permanently</a>.\n` };
  }
  const expires = new Date(now.getTime());
  expires.setUTCFullYear(expires.getUTCFullYear() + 1);
  return {
    status: 200,
    headers: { ...json, ETag: etag, 'Cache-Control': 'public, immutable', Expires: expires.toUTCString(), Vary: 'Accept' },
    body: doc.body,
  };
}
