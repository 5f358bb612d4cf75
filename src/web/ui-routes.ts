/**
 * @module web/ui-routes
 * The web UI's side of the `/kwire/` hook, behind the API server's
 * authentication like the rest of it (chained after `createKwireRoutes`):
 *
 *   GET  /kwire/ui/                 the page (web/index.html) and its modules, web/**
 *   GET  /kwire/ui/vendor/NAME      cytoscape, elkjs, cytoscape-elk from node_modules (no CDN)
 *   GET  /kwire/v1/watch[?kinds=pods,services,...]
 *        one stream of JSON lines for every kind the map shows (a browser keeps
 *        only six connections per host, so the page cannot hold one watch per
 *        kind): `{"type":"ADDED|MODIFIED|DELETED","kind":"Pod","object":{…}}`
 *        (the current objects first, then `{"type":"SYNCED"}`, then changes),
 *        and `{"type":"LISTENERS","listeners":[…]}` whenever the host listeners change
 *   GET  /kwire/v1/flowexplain?id=N  a held flow record explained against the
 *        current policies; a pod that has since gone is explained with its last labels
 *   POST /kwire/v1/whatif[?namespace=NS][&namespaces=a,b][&ports=80,udp/53][&since=10m][&tables=false][&action=delete]
 *        body: NetworkPolicy YAML/JSON (several documents or a List); each is
 *        checked as a server-side dry run would (validation, admission), then
 *        judged by whatif.ts -> WhatIf. With action=delete the policies named
 *        go instead (each must exist, as for `kubectl delete -f`)
 *   GET  /kwire/v1/ui               where the UI listens (`kwire ui` asks this)
 *
 * Every object passes through the Registry's own reads and dry runs: the UI
 * writes nothing itself (applying a policy is a server-side apply PATCH on
 * the ordinary API, made by the page). Errors are Kubernetes `Status` objects.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import YAML from 'yaml';
import type { ResourceInfo } from '../api/resources.js';
import { readBody, sendJson, sendStatus } from '../apiserver/http-util.js';
import type { KwireRoutes } from '../apiserver/kwire-api.js';
import { parseSince, type FlowSource } from '../apiserver/kwire-flows.js';
import { explainEndpoints, parsePort, parseProtocol, splitList, type ExplainResult } from '../apiserver/kwire-query.js';
import { registryCatalog } from '../apiserver/kwire-services.js';
import type { Registry } from '../apiserver/registry.js';
import { R } from '../controllers/informer.js';
import { networkPolicyOf, podInfoOf } from '../controllers/policy-sync.js';
import type { FlowRecord } from '../dataplane/flow-log.js';
import type { Peer } from '../dataplane/types.js';
import { ApiError, errors } from '../errors.js';
import type { PodInfo, PolicyEngine, PolicyRef } from '../policy/index.js';
import type { KObject, StoreEvent } from '../store/store.js';
import { copyEngine, whatIf, type PortRef, type WhatIfResult } from './whatif.js';

/** A host listener as `RunningCluster.listeners()` reports it. */
export interface UiListener {
  readonly what: string;
  readonly address: string;
  readonly error?: string;
}

export interface UiRoutesDeps {
  readonly engine: PolicyEngine;
  readonly registry: Registry;
  /** The pod network's flows; absent: flow endpoints answer 503. */
  readonly net?: FlowSource;
  /** The host listeners (NodePorts, LoadBalancer IPs, ingress ports). */
  readonly listeners?: () => ReadonlyArray<UiListener>;
  readonly onListenersChanged?: (f: () => void) => () => void;
  /** The UI's base URL (without credentials), once it listens. */
  readonly uiUrl?: () => string | undefined;
  /** The folder holding index.html (default: `web/` of the kwire package). */
  readonly webRoot?: string;
  /** The folder holding the vendor packages (default: `node_modules/` of the kwire package). */
  readonly nodeModules?: string;
  readonly now?: () => number;
}

export interface UiRoutes {
  readonly routes: KwireRoutes;
  /** Stops the deleted-pod memory's watch. */
  stop(): void;
}

/** Calls each hook in turn until one answers for the path. */
export function chainRoutes(...routes: ReadonlyArray<KwireRoutes>): KwireRoutes {
  return async (req, res, url) => {
    for (const r of routes) if (await r(req, res, url)) return true;
    return false;
  };
}

/** The kwire package root: dist/src/web -> ../../.. when compiled, src/web -> ../.. under tsx. */
export function packageRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return join(here, here.includes(`${sep}dist${sep}`) ? '../../..' : '../..');
}

/** The vendor bundles the page loads, by the name it asks for. */
export const VENDOR_FILES: Readonly<Record<string, string>> = {
  'cytoscape.min.js': 'cytoscape/dist/cytoscape.min.js',
  'elk.bundled.js': 'elkjs/lib/elk.bundled.js',
  'cytoscape-elk.js': 'cytoscape-elk/dist/cytoscape-elk.js',
};

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** What every page and asset is sent with: nothing from elsewhere, never framed, no referrer (the URL may hold the token). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache, private',
};

const ASSET_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

function sendFile(res: ServerResponse, file: string, method: string): void {
  const type = MIME[extname(file)];
  if (!type || !existsSync(file) || !statSync(file).isFile()) throw errors.pageNotFound();
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': statSync(file).size, ...SECURITY_HEADERS });
  if (method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}

/** The kinds the watch stream carries, by the plural the page asks for. */
export const WATCH_KINDS: Readonly<Record<string, ResourceInfo>> = {
  namespaces: R.namespaces,
  nodes: R.nodes,
  pods: R.pods,
  services: R.services,
  endpointslices: R.endpointslices,
  deployments: R.deployments,
  replicasets: R.replicasets,
  ingresses: R.ingresses,
  networkpolicies: R.networkpolicies,
};

/** An object as the page needs it: managedFields and last-applied annotations left out. */
export function slim(o: Readonly<KObject>): KObject {
  const { managedFields: _m, ...metadata } = o.metadata as KObject['metadata'] & { managedFields?: unknown };
  const ann = metadata.annotations;
  if (ann && 'kubectl.kubernetes.io/last-applied-configuration' in ann) {
    const { 'kubectl.kubernetes.io/last-applied-configuration': _l, ...rest } = ann;
    metadata.annotations = rest;
  }
  return { ...o, metadata };
}

function watchStream(deps: UiRoutesDeps, q: URLSearchParams, res: ServerResponse): void {
  const asked = splitList(q.getAll('kinds'));
  const kinds = asked.length > 0 ? asked : Object.keys(WATCH_KINDS);
  for (const k of kinds) if (!(k in WATCH_KINDS)) throw errors.badRequest(`unknown kind "${k}": use ${Object.keys(WATCH_KINDS).join(', ')}`);
  const pending: string[] = [];
  let live = false;
  let closed = false;
  const write = (line: string): void => {
    if (closed) return;
    if (live) res.write(line);
    else pending.push(line);
  };
  const line = (type: string, kind: string, o: Readonly<KObject>): string => JSON.stringify({ type, kind, object: slim(o) }) + '\n';
  const stops: Array<() => void> = [];
  for (const k of kinds) {
    const r = WATCH_KINDS[k]!;
    stops.push(deps.registry.watch(r, {}, (e: StoreEvent) => write(line(e.type, r.kind, e.object))));
  }
  const listeners = (): string => JSON.stringify({ type: 'LISTENERS', listeners: deps.listeners?.() ?? [] }) + '\n';
  if (deps.onListenersChanged) stops.push(deps.onListenersChanged(() => write(listeners())));
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'X-Content-Type-Options': 'nosniff' });
  res.flushHeaders();
  const first: string[] = [];
  for (const k of kinds) {
    const r = WATCH_KINDS[k]!;
    for (const o of deps.registry.list(r).items) first.push(line('ADDED', r.kind, o));
  }
  first.push(listeners(), JSON.stringify({ type: 'SYNCED' }) + '\n');
  res.write(first.join('') + pending.join(''));
  live = true;
  res.on('close', () => {
    closed = true;
    for (const s of stops.splice(0)) s();
  });
}

// ------------------------------------------------------------------ deleted pods

/** Remembers the last state of recently deleted pods, so their old flows can still be explained. */
class DeletedPods {
  private readonly pods = new Map<string, PodInfo>();
  private readonly stopWatch: () => void;

  constructor(
    registry: Registry,
    private readonly cap = 500,
  ) {
    this.stopWatch = registry.watch(R.pods, {}, (e) => {
      if (e.type !== 'DELETED') return;
      const info = runningView(e.object);
      if (!info) return;
      const k = `${info.namespace}/${info.name}`;
      this.pods.delete(k);
      this.pods.set(k, info);
      if (this.pods.size > this.cap) this.pods.delete(this.pods.keys().next().value as string);
    });
  }

  get(namespace: string, name: string): PodInfo | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }

  stop(): void {
    this.stopWatch();
  }
}

/** The engine's view of a pod whatever its phase (a finished pod is explained as it was). */
function runningView(o: Readonly<KObject>): PodInfo | undefined {
  const pod = o as unknown as Pod;
  return podInfoOf({ ...pod, status: { ...(pod.status ?? {}), phase: 'Running' } });
}

// ------------------------------------------------------------------ flow explain

export interface FlowExplanation {
  readonly apiVersion: 'kwire.dev/v1';
  readonly kind: 'FlowExplanation';
  readonly flow: FlowRecord;
  /** The explanation against the current policies; absent with `error`. */
  readonly explanation?: ExplainResult;
  /** Why there is no explanation (the Service has no endpoints now...). */
  readonly error?: string;
  /** Pods that have gone since, explained with their last labels. */
  readonly gone: ReadonlyArray<string>;
}

function flowExplain(deps: UiRoutesDeps, deleted: DeletedPods, q: URLSearchParams): FlowExplanation {
  const net = deps.net;
  if (!net) throw new ApiError(503, 'ServiceUnavailable', 'the pod network is not running: no flows to explain');
  const idText = q.get('id') ?? '';
  if (!/^\d+$/.test(idText)) throw errors.badRequest('query parameter "id" must be a flow id');
  const id = Number(idText);
  const rec = net.recent({ afterId: id - 1 }).find((r) => r.id === id);
  if (!rec) throw new ApiError(404, 'NotFound', `flow ${id} is no longer held (the flow log keeps the newest records only)`);
  const gone: string[] = [];
  const extraPods: PodInfo[] = [];
  const pod = (p: Peer | undefined): { namespace: string; name: string } | undefined => (p?.owner?.kind === 'pod' ? p.owner : undefined);
  for (const p of [pod(rec.src), pod(rec.endpoint)]) {
    if (!p || deps.engine.getPod(p)) continue;
    const stored = deps.registry.tryGet(R.pods, p.namespace, p.name);
    const info = stored ? runningView(stored) : deleted.get(p.namespace, p.name);
    if (info) {
      extraPods.push(info);
      gone.push(`${p.namespace}/${p.name}`);
    }
  }
  const engine = extraPods.length > 0 ? copyEngine(deps.engine, { extraPods }) : deps.engine;
  const src = pod(rec.src);
  const from = src ? `${src.namespace}/${src.name}` : `ip:${rec.src.ip}`;
  const ep = pod(rec.endpoint);
  const catalog = registryCatalog(deps.registry);
  let to: string;
  let port: number;
  const svc = rec.service ? catalog.service(rec.service.namespace, rec.service.name) : undefined;
  if (rec.service && svc && svc.clusterIP === rec.dst.ip) {
    to = `svc/${rec.service.namespace}/${rec.service.name}`;
    port = rec.dst.port;
  } else if (rec.endpoint) {
    to = ep ? `${ep.namespace}/${ep.name}` : `ip:${rec.endpoint.ip}`;
    port = rec.endpoint.port;
  } else {
    to = `ip:${rec.dst.ip}`;
    port = rec.dst.port;
  }
  const base = { apiVersion: 'kwire.dev/v1' as const, kind: 'FlowExplanation' as const, flow: rec, gone };
  try {
    const explanation = explainEndpoints(engine, catalog, { from, to, port, protocol: rec.protocol });
    return { ...base, explanation };
  } catch (e) {
    return { ...base, error: e instanceof Error ? e.message : String(e) };
  }
}

// ------------------------------------------------------------------ what if

/** `80`, `tcp/80`, `udp/53`, `53/udp`. */
export function parsePortRef(text: string): PortRef {
  const t = text.trim();
  const m = /^(?:([A-Za-z]+)\/)?(\d+)(?:\/([A-Za-z]+))?$/.exec(t);
  if (!m || (m[1] && m[3])) throw errors.badRequest(`invalid port "${text}": use 80, tcp/80 or udp/53`);
  return { protocol: parseProtocol(m[1] ?? m[3] ?? 'TCP'), port: parsePort(m[2]!) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The objects in a YAML or JSON body: documents, and the items of Lists. */
export function parseObjects(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const push = (v: unknown): void => {
    if (v === null || v === undefined) return;
    if (!isRecord(v)) throw errors.badRequest('each document must be an object');
    if (typeof v['kind'] === 'string' && v['kind'].endsWith('List') && Array.isArray(v['items'])) {
      for (const i of v['items'] as unknown[]) push(i);
      return;
    }
    out.push(v);
  };
  for (const doc of YAML.parseAllDocuments(text, { uniqueKeys: true })) {
    if (doc.errors.length > 0) throw errors.badRequest(`error converting YAML to JSON: ${doc.errors[0]!.message.split('\n')[0]}`);
    push(doc.toJSON());
  }
  return out;
}

/**
 * Checks each candidate as the API would on apply (a dry-run create, or update
 * of the existing policy): validation with field paths, namespace admission.
 * Returns the defaulted policies. Throws the API's own error.
 */
export function validateCandidates(registry: Registry, objects: ReadonlyArray<Record<string, unknown>>, namespace: string): { policies: NetworkPolicy[]; objects: KObject[] } {
  if (objects.length === 0) throw errors.badRequest('no NetworkPolicy in the request body');
  const sent: KObject[] = [];
  const policies = objects.map((o) => {
    if (o['apiVersion'] !== 'networking.k8s.io/v1' || o['kind'] !== 'NetworkPolicy') {
      throw errors.badRequest(`what-if takes networking.k8s.io/v1 NetworkPolicy objects, not ${String(o['apiVersion'] ?? '?')} ${String(o['kind'] ?? '?')}`);
    }
    const body = structuredClone(o) as unknown as KObject;
    body.metadata = isRecord(body.metadata) ? body.metadata : {};
    const ns = body.metadata.namespace ?? namespace;
    body.metadata.namespace = ns;
    delete body.metadata.resourceVersion;
    const name = body.metadata.name;
    const existing = typeof name === 'string' && name !== '' ? registry.tryGet(R.networkpolicies, ns, name) : undefined;
    sent.push(structuredClone(body));
    // Over an existing policy, as apply does: the manifest's spec, the stored object's identity.
    if (existing) body.metadata = { ...structuredClone(existing.metadata), ...body.metadata, resourceVersion: existing.metadata.resourceVersion };
    const checked = existing ? registry.update(R.networkpolicies, ns, name!, body, { dryRun: true }) : registry.create(R.networkpolicies, ns, body, { dryRun: true });
    return networkPolicyOf(checked);
  });
  return { policies, objects: sent };
}

/**
 * The policies a delete would remove, named by the objects (only apiVersion,
 * kind and metadata count, as for `kubectl delete -f`). Each must exist:
 * otherwise the API's NotFound.
 */
export function removalRefs(registry: Registry, objects: ReadonlyArray<Record<string, unknown>>, namespace: string): { refs: PolicyRef[]; objects: KObject[] } {
  if (objects.length === 0) throw errors.badRequest('no NetworkPolicy in the request body');
  const refs: PolicyRef[] = [];
  const sent: KObject[] = [];
  for (const o of objects) {
    if (o['apiVersion'] !== 'networking.k8s.io/v1' || o['kind'] !== 'NetworkPolicy') {
      throw errors.badRequest(`what-if takes networking.k8s.io/v1 NetworkPolicy objects, not ${String(o['apiVersion'] ?? '?')} ${String(o['kind'] ?? '?')}`);
    }
    const meta = isRecord(o['metadata']) ? o['metadata'] : {};
    const name = meta['name'];
    if (typeof name !== 'string' || name === '') throw errors.badRequest('resource name may not be empty');
    const ns = typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : namespace;
    const existing = registry.tryGet(R.networkpolicies, ns, name);
    if (!existing) throw errors.notFound('networking.k8s.io', 'networkpolicies', name);
    refs.push({ namespace: ns, name });
    sent.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ns } } as KObject);
  }
  return { refs, objects: sent };
}

/** The what-if answer of the HTTP endpoint: the comparison, and the objects as sent (namespace filled in) for the page to apply. */
export type WhatIfResponse = WhatIfResult & { readonly objects: ReadonlyArray<KObject> };

async function whatIfRoute(deps: UiRoutesDeps, req: IncomingMessage, q: URLSearchParams, now: number): Promise<WhatIfResponse> {
  const text = (await readBody(req)).toString('utf8');
  const namespace = q.get('namespace') || 'default';
  const action = q.get('action') ?? 'apply';
  if (action !== 'apply' && action !== 'delete') throw errors.badRequest(`invalid action "${action}": use apply or delete`);
  const parsed = parseObjects(text);
  const { policies: candidates, objects } = action === 'apply' ? validateCandidates(deps.registry, parsed, namespace) : { policies: [], objects: [] };
  const removals = action === 'delete' ? removalRefs(deps.registry, parsed, namespace) : { refs: [], objects: [] };
  const ports = splitList(q.getAll('ports')).map(parsePortRef);
  const namespaces = splitList(q.getAll('namespaces'));
  const sinceText = q.get('since');
  const since = sinceText ? parseSince(sinceText, now) : undefined;
  const flows = deps.net ? deps.net.recent(since !== undefined ? { since } : {}) : [];
  return { ...whatIf(deps.engine, candidates, flows, { namespaces, ports, omitTables: q.get('tables') === 'false' }, removals.refs), objects: [...objects, ...removals.objects] };
}

// ------------------------------------------------------------------ the hook

export function createUiRoutes(deps: UiRoutesDeps): UiRoutes {
  const root = packageRoot();
  const webRoot = deps.webRoot ?? join(root, 'web');
  const nodeModules = deps.nodeModules ?? join(root, 'node_modules');
  const now = deps.now ?? Date.now;
  const deleted = new DeletedPods(deps.registry);
  const routes: KwireRoutes = async (req, res, url) => {
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const isUi = path === '/kwire/ui' || path.startsWith('/kwire/ui/');
    const api = ['/kwire/v1/watch', '/kwire/v1/flowexplain', '/kwire/v1/whatif', '/kwire/v1/ui'].includes(path);
    if (!isUi && !api) return false;
    try {
      if (isUi) {
        if (method !== 'GET' && method !== 'HEAD') throw errors.methodNotAllowed();
        if (path === '/kwire/ui') {
          res.writeHead(301, { Location: '/kwire/ui/', ...SECURITY_HEADERS });
          res.end();
          return true;
        }
        const rest = path.slice('/kwire/ui/'.length);
        if (rest === '') {
          sendFile(res, join(webRoot, 'index.html'), method);
          return true;
        }
        if (rest.startsWith('vendor/')) {
          const v = VENDOR_FILES[rest.slice('vendor/'.length)];
          if (!v) throw errors.pageNotFound();
          sendFile(res, join(nodeModules, v), method);
          return true;
        }
        if (!ASSET_RE.test(rest) || rest.split('/').some((s) => s.startsWith('.'))) throw errors.pageNotFound();
        const file = normalize(join(webRoot, rest));
        if (!file.startsWith(normalize(webRoot) + sep)) throw errors.pageNotFound();
        sendFile(res, file, method);
        return true;
      }
      switch (path) {
        case '/kwire/v1/watch':
          if (method !== 'GET') throw errors.methodNotAllowed();
          watchStream(deps, url.searchParams, res);
          return true;
        case '/kwire/v1/flowexplain':
          if (method !== 'GET') throw errors.methodNotAllowed();
          sendJson(res, 200, flowExplain(deps, deleted, url.searchParams));
          return true;
        case '/kwire/v1/whatif':
          if (method !== 'POST') {
            req.resume();
            throw errors.methodNotAllowed();
          }
          sendJson(res, 200, await whatIfRoute(deps, req, url.searchParams, now()));
          return true;
        case '/kwire/v1/ui': {
          if (method !== 'GET') throw errors.methodNotAllowed();
          const u = deps.uiUrl?.();
          if (!u) throw new ApiError(503, 'ServiceUnavailable', 'the web UI is not listening');
          sendJson(res, 200, { apiVersion: 'kwire.dev/v1', kind: 'WebUI', url: u });
          return true;
        }
        default:
          return false;
      }
    } catch (e) {
      sendStatus(res, e);
      return true;
    }
  };
  return { routes, stop: () => deleted.stop() };
}
