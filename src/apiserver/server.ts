/**
 * @module apiserver/server
 * The kubectl wire: one generic handler for every kind, driven by the resource
 * table and the registry. It authenticates, negotiates content (JSON, YAML,
 * Kubernetes protobuf in; JSON or a meta.k8s.io Table out), serves discovery and
 * OpenAPI, list/watch (chunked JSON events), the patch types, and hands
 * log/exec/attach/port-forward to stream handlers registered by the workloads layer.
 *
 *   request -> auth -> route -> decode body -> registry (strategy, admission, store)
 *           -> encode (JSON | Table) -> response        (errors -> Status)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import YAML from 'yaml';
import { ApiError, errors } from '../errors.js';
import { groupKind, groupVersion, type ResourceInfo } from '../api/resources.js';
import type { KObject, StoreEvent } from '../store/store.js';
import type { Registry, RequestOptions, DeleteOptions } from './registry.js';
import { parseRoute, type Route } from './route.js';
import { aggregatedDiscovery, apiResourceList, legacyApiGroup, legacyApiGroupList, legacyApiVersions, wantsAggregated } from './discovery.js';
import { boolParam, prettyPrintFor, readBody, sendJson, sendStatus, warningHeaders } from './http-util.js';
import { issuedBy } from './pki.js';
import { selfSubjectReview, userFromCertificate, type CertificateSubject } from './authentication.js';

export interface VersionInfo {
  readonly major: string;
  readonly minor: string;
  readonly gitVersion: string;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface TableOptions {
  readonly now: Date;
  readonly resourceVersion: string;
  readonly includeObject?: 'None' | 'Object' | 'Metadata';
  /** Leave out columnDefinitions (watch events after the first). */
  readonly noHeaders?: boolean;
}

/** Everything the shell delegates; each piece is owned by its own module. */
export interface ApiServerDeps {
  readonly registry: Registry;
  readonly version: VersionInfo;
  /**
   * Absent: no authentication (in-process tests only). Otherwise a request needs the
   * cluster's bearer token, a client certificate issued by the CA, or a bearer token
   * `verifyToken` accepts (service-account tokens); anything else is 401 (anonymous
   * requests are off, as kwire runs kube-apiserver with --anonymous-auth=false).
   */
  readonly auth?: {
    readonly token: string;
    readonly caPem: string;
    /** The user a bearer token other than `token` authenticates, or undefined (401). */
    readonly verifyToken?: (token: string) => AuthenticatedUser | undefined;
  };
  readonly decodeProtobuf?: (body: Uint8Array) => { apiVersion: string; kind: string; object: Record<string, unknown> };
  readonly buildTable?: (gk: string, objects: ReadonlyArray<Readonly<KObject>>, opts: TableOptions) => unknown;
  readonly openapi?: {
    index(): unknown;
    document(path: string): { body: string; hash: string } | undefined;
  };
  readonly unknownFields?: (apiVersion: string, kind: string, obj: unknown) => string[];
  /** Applies a patch of the given type to `original` (undefined for a server-side-apply create). */
  readonly patch?: (type: PatchType, res: ResourceInfo, original: Readonly<KObject> | undefined, patch: unknown, ctx: { manager: string; force: boolean }) => KObject;
  /** Records managedFields for ordinary writes (optional). */
  readonly recordManagedFields?: (manager: string, operation: 'Update', res: ResourceInfo, before: Readonly<KObject> | undefined, after: KObject) => void;
  readonly streams?: StreamHandlers;
  /**
   * The TokenRequest subresource (`POST .../serviceaccounts/NAME/token`): the answer to a
   * decoded authentication.k8s.io/v1 TokenRequest. Absent: 404, as before it existed.
   */
  readonly tokenRequest?: (namespace: string, name: string, body: KObject) => KObject;
  /**
   * kwire's own endpoints under `/kwire/` (explain, matrix, flows, the web UI),
   * behind the same authentication. Returns false when the path is not theirs.
   */
  readonly kwireRoutes?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;
}

/**
 * Who made a request (kube's user.Info). kwire has no authorization (no RBAC):
 * every authenticated user may do everything, as on a cluster run with
 * --authorization-mode=AlwaysAllow. The user is kept for the request (see userOf).
 */
export interface AuthenticatedUser {
  readonly username: string;
  readonly uid?: string;
  readonly groups: ReadonlyArray<string>;
  readonly extra?: Readonly<Record<string, ReadonlyArray<string>>>;
}

/** The user of kwire's cluster token (the client certificate authenticates as its subject). */
export const ADMIN_USER: AuthenticatedUser = { username: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:masters', 'system:authenticated'] };

export interface StreamHandlers {
  /** GET pods/{name}/log */
  log?(pod: Readonly<KObject>, query: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** exec/attach/portforward (WebSocket GET upgrades, SPDY POST upgrades) */
  upgrade?(kind: 'exec' | 'attach' | 'portforward', pod: Readonly<KObject>, query: URLSearchParams, req: IncomingMessage, socket: Duplex, head: Buffer): void;
}

const TABLE_RE = /as=Table/;

function acceptsTable(accept: string | undefined): boolean {
  return !!accept && TABLE_RE.test(accept) && accept.includes('g=meta.k8s.io');
}

function listKindOf(res: ResourceInfo): string {
  return res.listKind;
}

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+json': 'apply',
};

export class ApiServer {
  /** TLS connections whose client certificate was verified once, and its user (kept-alive requests skip the check). */
  private readonly verifiedSockets = new WeakMap<object, AuthenticatedUser>();
  /** The user of each authenticated request. */
  private readonly users = new WeakMap<IncomingMessage, AuthenticatedUser>();

  constructor(private readonly deps: ApiServerDeps) {}

  /** The user a request was authenticated as (undefined before authentication or without it). */
  userOf(req: IncomingMessage): AuthenticatedUser | undefined {
    return this.users.get(req);
  }

  /**
   * Authenticates as kube-apiserver's union of authenticators, in its order: the client
   * certificate issued by the cluster CA (as its subject: CN, O), then the cluster's bearer
   * token, then a bearer token `verifyToken` accepts. So with a client certificate in the
   * kubeconfig, a `--token` is not looked at, as on a real cluster. Undefined: 401.
   */
  private authenticate(req: IncomingMessage): AuthenticatedUser | undefined {
    const auth = this.deps.auth;
    if (!auth) return ADMIN_USER;
    const sock = req.socket as TLSSocket;
    const known = this.verifiedSockets.get(sock);
    if (known) return known;
    if (typeof sock.getPeerCertificate === 'function') {
      const cert = sock.getPeerCertificate();
      if (cert && cert.raw && issuedBy(cert.raw, auth.caPem)) {
        const user = userFromCertificate(cert.subject as unknown as CertificateSubject);
        if (user) {
          this.verifiedSockets.set(sock, user);
          return user;
        }
      }
    }
    const h = req.headers.authorization;
    const bearer = h && /^bearer /i.test(h) ? h.slice(7).trim() : undefined;
    if (bearer !== undefined && bearer === auth.token) return ADMIN_USER;
    if (bearer !== undefined && bearer !== '' && auth.verifyToken) return auth.verifyToken(bearer);
    return undefined;
  }

  private authenticated(req: IncomingMessage): boolean {
    const user = this.authenticate(req);
    if (user) this.users.set(req, user);
    return user !== undefined;
  }

  /** The node:http request handler. */
  handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    // kwire's own endpoints (the web UI's) keep their compact JSON.
    if (!url.pathname.startsWith('/kwire/')) prettyPrintFor(req, res, url.searchParams);
    this.dispatch(req, res).catch((e: unknown) => sendStatus(res, e));
  };

  /** The node:http 'upgrade' handler (exec/attach/port-forward). */
  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    try {
      if (!this.authenticated(req)) throw errors.unauthorized();
      const url = new URL(req.url ?? '/', 'https://localhost');
      const route = parseRoute(url.pathname);
      if (route.t !== 'resource' || route.res.kind !== 'Pod' || !route.name || !['exec', 'attach', 'portforward'].includes(route.subresource ?? '')) {
        throw errors.pageNotFound();
      }
      const pod = this.deps.registry.get(route.res, route.namespace, route.name);
      const h = this.deps.streams?.upgrade;
      if (!h) throw errors.badRequest(`${route.subresource} is not available for pods in this build of kwire`);
      h(route.subresource as 'exec' | 'attach' | 'portforward', pod, url.searchParams, req, socket, head);
    } catch (e) {
      const st = e instanceof ApiError ? e.toStatus() : errors.internal(String(e)).toStatus();
      const body = JSON.stringify(st);
      socket.end(`HTTP/1.1 ${st.code} ${st.reason ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
  };

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.authenticated(req)) {
      req.resume();
      throw errors.unauthorized();
    }
    const url = new URL(req.url ?? '/', 'https://localhost');
    if (url.pathname.startsWith('/kwire/') && this.deps.kwireRoutes && (await this.deps.kwireRoutes(req, res, url))) return;
    const route = parseRoute(url.pathname);
    const method = req.method ?? 'GET';
    switch (route.t) {
      case 'version':
        return sendJson(res, 200, {
          ...this.deps.version,
          gitCommit: '0000000000000000000000000000000000000000',
          gitTreeState: 'clean',
          buildDate: '2026-01-01T00:00:00Z',
          goVersion: 'go1.22.0',
          compiler: 'gc',
          platform: 'linux/amd64',
        });
      case 'healthz':
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('ok');
        return;
      case 'api':
      case 'apis': {
        const agg = wantsAggregated(req.headers.accept);
        const core = route.t === 'api';
        if (agg) {
          return sendJson(res, 200, aggregatedDiscovery(core, agg), `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`);
        }
        const local = req.socket.localAddress && req.socket.localPort ? `${req.socket.localAddress.replace(/^::ffff:/, '')}:${req.socket.localPort}` : undefined;
        return sendJson(res, 200, core ? legacyApiVersions(local) : legacyApiGroupList());
      }
      case 'group': {
        const g = legacyApiGroup(route.group);
        if (!g) throw errors.pageNotFound();
        return sendJson(res, 200, g);
      }
      case 'resource-list': {
        const l = apiResourceList(route.group, route.version);
        if (!l) throw errors.pageNotFound();
        return sendJson(res, 200, l);
      }
      case 'openapi-v2':
        // An empty protobuf document: kubectl then finds no schema and leaves validation to the server.
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': 0 });
        res.end();
        return;
      case 'openapi-v3-index': {
        if (!this.deps.openapi) throw errors.pageNotFound();
        return sendJson(res, 200, this.deps.openapi.index());
      }
      case 'openapi-v3': {
        const doc = this.deps.openapi?.document(route.path);
        if (!doc) throw errors.pageNotFound();
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(doc.body), ETag: `"${doc.hash}"`, 'Cache-Control': 'public, immutable' });
        res.end(doc.body);
        return;
      }
      case 'unknown-resource':
      case 'not-found':
        req.resume();
        throw errors.pageNotFound();
      case 'resource':
        return this.resource(route, method, url.searchParams, req, res);
    }
  }

  private requestOptions(q: URLSearchParams, warnings: string[]): RequestOptions {
    const dryRun = q.getAll('dryRun');
    for (const d of dryRun) if (d !== 'All') throw errors.badRequest(`Invalid dry run value: ${d}`);
    return { dryRun: dryRun.includes('All'), fieldManager: q.get('fieldManager') ?? undefined, fieldValidation: q.get('fieldValidation') ?? undefined, warnings };
  }

  private async decodeBody(req: IncomingMessage, res: ResourceInfo | undefined, opts: RequestOptions): Promise<unknown> {
    const buf = await readBody(req);
    const ct = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
    let obj: unknown;
    if (ct === 'application/vnd.kubernetes.protobuf') {
      if (!this.deps.decodeProtobuf) throw errors.unsupportedMediaType(ct);
      try {
        const d = this.deps.decodeProtobuf(buf);
        obj = { ...d.object, apiVersion: d.apiVersion, kind: d.kind };
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        if ((e as { status?: number }).status === 415) throw errors.unsupportedMediaType(ct);
        throw errors.badRequest(`unable to decode protobuf body: ${msg}`);
      }
    } else if (ct === 'application/yaml' || ct === 'application/apply-patch+yaml') {
      try {
        obj = YAML.parse(buf.toString('utf8'), { uniqueKeys: true });
      } catch (e) {
        throw errors.badRequest(`error converting YAML to JSON: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      }
    } else if (ct === 'application/json' || ct in PATCH_TYPES || ct === '' || ct === 'application/json-patch+json') {
      try {
        obj = buf.length === 0 ? undefined : JSON.parse(buf.toString('utf8'));
      } catch (e) {
        throw errors.badRequest(`the server rejected our request due to an error in our request: ${e instanceof Error ? e.message : String(e)}`);
      }
    } else {
      throw errors.unsupportedMediaType(ct);
    }
    if (res && obj && typeof obj === 'object' && !Array.isArray(obj) && this.deps.unknownFields && ct !== 'application/json-patch+json') {
      const mode = opts.fieldValidation ?? 'Ignore';
      if (mode === 'Strict' || mode === 'Warn') {
        const o = obj as { apiVersion?: string; kind?: string };
        const unknown = this.deps.unknownFields(o.apiVersion ?? groupVersion(res.group, res.version), o.kind ?? res.kind, obj);
        if (unknown.length > 0) {
          if (mode === 'Strict') {
            const k = o.kind ?? res.kind;
            throw errors.badRequest(`${k} in version "${res.version}" cannot be handled as a ${k}: strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
          }
          for (const f of unknown) opts.warnings?.push(`unknown field "${f}"`);
        }
      }
    }
    return obj;
  }

  private checkTypeMeta(res: ResourceInfo, body: unknown): KObject {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the body of the request was empty or not an object');
    const o = body as KObject;
    const gv = groupVersion(res.group, res.version);
    if (o.apiVersion !== undefined && o.apiVersion !== gv) {
      throw errors.badRequest(`the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${gv})`);
    }
    if (o.kind !== undefined && o.kind !== res.kind) {
      throw errors.badRequest(`the kind in the data (${String(o.kind)}) does not match the expected kind (${res.kind})`);
    }
    if (o.metadata !== undefined && (typeof o.metadata !== 'object' || o.metadata === null || Array.isArray(o.metadata))) {
      throw errors.badRequest('metadata must be an object');
    }
    if (o.metadata === undefined) o.metadata = {};
    return o;
  }

  private async respondObject(res: ServerResponse, req: IncomingMessage, r: ResourceInfo, code: number, obj: Readonly<KObject>, opts: RequestOptions): Promise<void> {
    // A write is acknowledged only once it is durable (group commit in the store).
    if (req.method !== 'GET') await this.deps.registry.store.whenDurable();
    const headers = warningHeaders(opts.warnings ?? []);
    if (acceptsTable(req.headers.accept) && this.deps.buildTable) {
      const t = this.deps.buildTable(groupKind(r.group, r.kind), [obj], { now: new Date(), resourceVersion: obj.metadata.resourceVersion ?? '' });
      return sendJson(res, code, t, 'application/json', headers);
    }
    sendJson(res, code, obj, 'application/json', headers);
  }

  private async resource(route: Extract<Route, { t: 'resource' }>, method: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reg = this.deps.registry;
    const r = route.res;
    const warnings: string[] = [];
    const ns = r.namespaced ? route.namespace : undefined;
    const sub = route.subresource;
    if (sub && !r.subresources.some((s) => s.name === sub)) {
      req.resume();
      throw errors.pageNotFound();
    }
    if (r.namespaced && route.name && !route.namespace && method !== 'GET') {
      req.resume();
      throw errors.pageNotFound();
    }
    if (sub === 'log') return this.podLog(route, q, req, res);
    if (sub === 'exec' || sub === 'attach' || sub === 'portforward') {
      req.resume();
      throw errors.badRequest(`Upgrade request required`);
    }
    if (sub === 'scale') return this.scale(route, method, q, req, res);
    if (sub === 'token' && r.group === '' && r.kind === 'ServiceAccount') return this.serviceAccountToken(route, method, q, req, res);
    if (sub === 'eviction' && r.group === '' && r.kind === 'Pod') return this.podEviction(route, method, q, req, res);
    if (r.group === 'authentication.k8s.io' && r.kind === 'SelfSubjectReview') return this.selfSubjectReview(route, method, q, req, res);
    const opts = this.requestOptions(q, warnings);
    if (!route.name) {
      // Collection
      switch (method) {
        case 'GET':
          if (boolParam(q, 'watch')) return this.watch(r, ns, q, req, res);
          return this.list(r, ns, q, req, res);
        case 'POST': {
          if (r.namespaced && !route.namespace) throw errors.methodNotAllowed();
          const body = this.checkTypeMeta(r, await this.decodeBody(req, r, opts));
          this.deps.recordManagedFields?.(opts.fieldManager ?? managerFromAgent(req), 'Update', r, undefined, body);
          const created = reg.create(r, ns, body, opts);
          return this.respondObject(res, req, r, 201, created, opts);
        }
        case 'DELETE': {
          const raw = await this.decodeBody(req, undefined, opts);
          const out = reg.deleteCollection(r, ns, q.get('labelSelector') ?? undefined, q.get('fieldSelector') ?? undefined, deleteOptions(raw, q), opts);
          await reg.store.whenDurable();
          return sendJson(res, 200, { kind: listKindOf(r), apiVersion: groupVersion(r.group, r.version), metadata: { resourceVersion: out.resourceVersion }, items: out.items });
        }
        default:
          req.resume();
          throw errors.methodNotAllowed();
      }
    }
    const name = route.name;
    switch (method) {
      case 'GET': {
        const o = reg.get(r, ns, name);
        return this.respondObject(res, req, r, 200, o, opts);
      }
      case 'PUT': {
        const body = this.checkTypeMeta(r, await this.decodeBody(req, r, opts));
        const old = reg.get(r, ns, name);
        this.deps.recordManagedFields?.(opts.fieldManager ?? managerFromAgent(req), 'Update', r, old, body);
        const out = reg.update(r, ns, name, body, opts, sub);
        return this.respondObject(res, req, r, 200, out, opts);
      }
      case 'PATCH': {
        const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
        const type = PATCH_TYPES[ct];
        if (!type) {
          req.resume();
          throw errors.unsupportedMediaType(ct);
        }
        const patchBody = await this.decodeBody(req, type === 'apply' || type === 'json' ? r : undefined, opts);
        if (!this.deps.patch) throw errors.unsupportedMediaType(ct);
        const old = reg.tryGet(r, ns, name);
        if (type === 'apply') {
          const manager = q.get('fieldManager');
          if (!manager) throw errors.badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
          const applied = this.checkTypeMeta(r, patchBody);
          if (applied.metadata.name && applied.metadata.name !== name) throw errors.badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
          const merged = this.deps.patch('apply', r, old, applied, { manager, force: boolParam(q, 'force') });
          merged.metadata.name = name;
          if (!old) {
            const created = reg.create(r, ns, merged, opts);
            return this.respondObject(res, req, r, 201, created, opts);
          }
          const out = reg.commitUpdate(r, old, merged, opts, sub);
          return this.respondObject(res, req, r, 200, out, opts);
        }
        if (!old) throw errors.notFound(r.group, r.plural, name);
        const patched = this.deps.patch(type, r, old, patchBody, { manager: opts.fieldManager ?? managerFromAgent(req), force: false });
        const check = this.checkTypeMeta(r, patched);
        if (check.metadata.resourceVersion && check.metadata.resourceVersion !== old.metadata.resourceVersion) {
          throw errors.staleResourceVersion(r.group, r.plural, name);
        }
        if (check.metadata.name && check.metadata.name !== name) throw errors.badRequest(`the name of the object (${check.metadata.name}) does not match the name on the URL (${name})`);
        this.deps.recordManagedFields?.(opts.fieldManager ?? managerFromAgent(req), 'Update', r, old, check);
        const out = reg.commitUpdate(r, old, check, opts, sub);
        return this.respondObject(res, req, r, 200, out, opts);
      }
      case 'DELETE': {
        const raw = await this.decodeBody(req, undefined, opts);
        const out = reg.delete(r, ns, name, deleteOptions(raw, q), opts);
        return this.respondObject(res, req, r, 200, out.object, opts);
      }
      default:
        req.resume();
        throw errors.methodNotAllowed();
    }
  }

  private list(r: ResourceInfo, ns: string | undefined, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    const out = this.deps.registry.list(r, ns, q.get('labelSelector') ?? undefined, q.get('fieldSelector') ?? undefined);
    if (acceptsTable(req.headers.accept) && this.deps.buildTable) {
      const inc = q.get('includeObject');
      const t = this.deps.buildTable(groupKind(r.group, r.kind), out.items, {
        now: new Date(),
        resourceVersion: out.resourceVersion,
        includeObject: inc === 'None' || inc === 'Object' ? inc : 'Metadata',
      });
      return sendJson(res, 200, t);
    }
    sendJson(res, 200, { kind: listKindOf(r), apiVersion: groupVersion(r.group, r.version), metadata: { resourceVersion: out.resourceVersion }, items: out.items });
  }

  private watch(r: ResourceInfo, ns: string | undefined, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): void {
    const reg = this.deps.registry;
    const rvParam = q.get('resourceVersion');
    const fromRv = rvParam && rvParam !== '0' ? Number(rvParam) : undefined;
    if (rvParam && rvParam !== '0' && !Number.isInteger(fromRv)) throw errors.badRequest(`Invalid value for resourceVersion: ${rvParam}`);
    const table = acceptsTable(req.headers.accept) && this.deps.buildTable ? this.deps.buildTable : undefined;
    const gk = groupKind(r.group, r.kind);
    const timeout = Math.min(Number(q.get('timeoutSeconds') ?? '1800') || 1800, 3600);
    const bookmarks = boolParam(q, 'allowWatchBookmarks');
    const labelSelector = q.get('labelSelector') ?? undefined;
    const fieldSelector = q.get('fieldSelector') ?? undefined;
    let headersSent = false;
    const frame = (type: string, obj: Readonly<KObject>): string => {
      // As kube-apiserver: column definitions with the first Table event only.
      const o = table ? table(gk, [obj], { now: new Date(), resourceVersion: obj.metadata.resourceVersion ?? '', noHeaders: headersSent }) : obj;
      headersSent = true;
      return JSON.stringify({ type, object: o }) + '\n';
    };
    // Validate selectors and the start point before committing to a 200.
    const pending: string[] = [];
    let live = false;
    const onEvent = (e: StoreEvent) => {
      const line = frame(e.type, e.object);
      if (live) res.write(line);
      else pending.push(line);
    };
    const stop = reg.watch(r, { namespace: ns, resourceVersion: fromRv, labelSelector, fieldSelector }, onEvent);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    if (fromRv === undefined) {
      // No start point: the current state as ADDED events first.
      for (const o of reg.list(r, ns, labelSelector, fieldSelector).items) res.write(frame('ADDED', o));
    }
    for (const l of pending) res.write(l);
    live = true;
    let bookmarkTimer: NodeJS.Timeout | undefined;
    if (bookmarks) {
      bookmarkTimer = setInterval(() => {
        res.write(JSON.stringify({ type: 'BOOKMARK', object: { kind: r.kind, apiVersion: groupVersion(r.group, r.version), metadata: { resourceVersion: String(reg.store.resourceVersion) } } }) + '\n');
      }, 60_000);
      bookmarkTimer.unref();
    }
    const end = setTimeout(() => res.end(), timeout * 1000);
    end.unref();
    res.on('close', () => {
      stop();
      clearTimeout(end);
      if (bookmarkTimer) clearInterval(bookmarkTimer);
    });
  }

  private async podLog(route: Extract<Route, { t: 'resource' }>, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    const pod = this.deps.registry.get(route.res, route.namespace, route.name!);
    if (!this.deps.streams?.log) throw errors.badRequest('logs are not available in this build of kwire');
    await this.deps.streams.log(pod, q, req, res);
  }

  /**
   * POST pods/NAME/eviction (`kubectl drain`): kube's EvictionREST without disruption
   * budgets (kwire has none): the pod is deleted with the Eviction's deleteOptions and
   * the answer is a Success Status with code 201.
   */
  private async podEviction(route: Extract<Route, { t: 'resource' }>, method: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (method !== 'POST' || !route.namespace) {
      req.resume();
      throw errors.methodNotAllowed();
    }
    const opts = this.requestOptions(q, []);
    const evictionRes: ResourceInfo = { ...route.res, group: 'policy', version: 'v1', kind: 'Eviction', listKind: 'EvictionList', subresources: [] };
    const body = (await this.decodeBody(req, evictionRes, opts)) as { kind?: unknown; metadata?: { name?: unknown }; deleteOptions?: unknown } | null;
    if (!body || typeof body !== 'object' || body.kind !== 'Eviction') throw errors.badRequest(`the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
    const name = route.name!;
    if (body.metadata?.name !== name) throw errors.badRequest('name in URL does not match name in Eviction object');
    const reg = this.deps.registry;
    reg.get(route.res, route.namespace, name);
    reg.delete(route.res, route.namespace, name, deleteOptions(body.deleteOptions, new URLSearchParams()), opts);
    await reg.store.whenDurable();
    sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }

  /** POST serviceaccounts/NAME/token: kube's TokenREST (see deps.tokenRequest). */
  private async serviceAccountToken(route: Extract<Route, { t: 'resource' }>, method: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const issue = this.deps.tokenRequest;
    if (!issue || !route.namespace) {
      req.resume();
      throw errors.pageNotFound();
    }
    if (method !== 'POST') {
      req.resume();
      throw errors.methodNotAllowed();
    }
    const opts = this.requestOptions(q, []);
    const tokenRes: ResourceInfo = { ...route.res, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', listKind: 'TokenRequestList', subresources: [] };
    const body = this.checkTypeMeta(tokenRes, await this.decodeBody(req, tokenRes, opts));
    const out = issue(route.namespace, route.name!, body);
    sendJson(res, 201, out, 'application/json', warningHeaders(opts.warnings ?? []));
  }

  /** POST selfsubjectreviews: the request's own user (`kubectl auth whoami`). */
  private async selfSubjectReview(route: Extract<Route, { t: 'resource' }>, method: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (route.name || route.subresource) {
      req.resume();
      throw errors.pageNotFound();
    }
    if (method !== 'POST') {
      req.resume();
      throw errors.methodNotAllowed();
    }
    const r = route.res;
    const opts = this.requestOptions(q, []);
    this.checkTypeMeta(r, await this.decodeBody(req, r, opts));
    const user = this.userOf(req) ?? ADMIN_USER;
    sendJson(res, 201, selfSubjectReview(user, groupVersion(r.group, r.version), new Date()), 'application/json', warningHeaders(opts.warnings ?? []));
  }

  private async scale(route: Extract<Route, { t: 'resource' }>, method: string, q: URLSearchParams, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reg = this.deps.registry;
    const r = route.res;
    const opts = this.requestOptions(q, []);
    const obj = reg.get(r, route.namespace, route.name!);
    const toScale = (o: Readonly<KObject>) => {
      const spec = (o['spec'] ?? {}) as { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
      const status = (o['status'] ?? {}) as { replicas?: number };
      const sel = Object.entries(spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
      return {
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
        spec: { replicas: spec.replicas ?? 0 },
        status: { replicas: status.replicas ?? 0, selector: sel },
      };
    };
    if (method === 'GET') return sendJson(res, 200, toScale(obj));
    let desired: number | undefined;
    if (method === 'PUT') {
      const body = (await this.decodeBody(req, undefined, opts)) as { spec?: { replicas?: number }; metadata?: { resourceVersion?: string } } | undefined;
      if (body?.metadata?.resourceVersion && body.metadata.resourceVersion !== obj.metadata.resourceVersion) throw errors.staleResourceVersion(r.group, r.plural, route.name!);
      desired = body?.spec?.replicas;
    } else if (method === 'PATCH') {
      const ct = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const type = PATCH_TYPES[ct];
      if (!type || !this.deps.patch) throw errors.unsupportedMediaType(ct);
      const patchBody = await this.decodeBody(req, undefined, opts);
      const scaleRes: ResourceInfo = { ...r, group: 'autoscaling', version: 'v1', kind: 'Scale' };
      const patched = this.deps.patch(type, scaleRes, toScale(obj) as unknown as KObject, patchBody, { manager: opts.fieldManager ?? 'kubectl', force: false }) as { spec?: { replicas?: number } };
      desired = patched.spec?.replicas;
    } else throw errors.methodNotAllowed();
    if (typeof desired !== 'number' || !Number.isInteger(desired) || desired < 0) {
      throw errors.invalid('autoscaling', 'Scale', route.name!, `Scale.autoscaling "${route.name}" is invalid: spec.replicas: Invalid value: ${String(desired)}: must be greater than or equal to 0`, [
        { reason: 'FieldValueInvalid', message: `Invalid value: ${String(desired)}: must be greater than or equal to 0`, field: 'spec.replicas' },
      ]);
    }
    const next = structuredClone(obj) as KObject;
    (next['spec'] as { replicas?: number }).replicas = desired;
    const out = reg.commitUpdate(r, obj, next, opts);
    await reg.store.whenDurable();
    return sendJson(res, 200, toScale(out));
  }
}

function managerFromAgent(req: IncomingMessage): string {
  // kube-apiserver defaults the manager to the user agent's program name.
  const ua = req.headers['user-agent'] ?? 'unknown';
  return ua.split('/')[0]!.trim() || 'unknown';
}

function deleteOptions(raw: unknown, q: URLSearchParams): DeleteOptions {
  const o = (raw && typeof raw === 'object' ? raw : {}) as { propagationPolicy?: string; gracePeriodSeconds?: number; orphanDependents?: boolean; preconditions?: { uid?: string; resourceVersion?: string } };
  let policy = q.get('propagationPolicy') ?? o.propagationPolicy;
  if (policy === undefined && o.orphanDependents === true) policy = 'Orphan';
  if (policy !== undefined && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
    throw errors.badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
  }
  const g = q.get('gracePeriodSeconds');
  return {
    propagationPolicy: policy as DeleteOptions['propagationPolicy'],
    gracePeriodSeconds: g !== null ? Number(g) : o.gracePeriodSeconds,
    preconditions: o.preconditions,
  };
}
