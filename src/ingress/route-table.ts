/**
 * @module ingress/route-table
 * Compiles Ingresses, IngressClasses, Services and TLS Secrets into the route
 * table the proxy consults per request, the way ingress-nginx builds its
 * nginx.conf (`createUpstreams`, `createServers`, `getBackendServers`,
 * `updateServerLocations`, the template's `buildLocation`/`buildProxyPass`):
 *
 * ```
 *  served Ingresses (class rules, oldest first)
 *    -> upstreams  ns-svc-port, resolved against the Service (missing => 503)
 *    -> servers    one per host, plus "_" (rules without host, the catch-all);
 *                  each starts with a root "/" location on the default backend
 *                  (or the Ingress's spec.defaultBackend)
 *    -> locations  first Ingress wins a (path, pathType); canaries become
 *                  alternative backends of the primary upstream
 *    -> matchers   per server, either
 *                    exact map + prefix trie           (plain servers), or
 *                    ordered case-insensitive regexes  (any location with
 *                                                       use-regex / rewrite-target)
 *  host lookup: exact name map, then one-label wildcard map, then "_"
 * ```
 *
 * Path semantics: Exact is exact; Prefix is element-wise (ingress-nginx's
 * `location /p/` plus `location = /p`; a trailing slash on the Ingress path is
 * ignored, as the Ingress specification says, where nginx would answer 301);
 * ImplementationSpecific is nginx's plain string prefix. In a regex server every
 * location is `~* "^path"`, ordered longest path first, first match wins.
 * No I/O: the result is plain data plus compiled matchers.
 */
import { parseAnnotations, unsupportedAnnotations, type CanaryConfig, type IngressAnnotations, DEFAULT_ANNOTATIONS } from './annotations.js';
import { classify, indexClasses, DEFAULT_CLASS_CONFIG, type ClassConfig } from './ingress-class.js';
import { compileNginxRegex } from './pcre.js';
import { PrefixTrie } from './prefix-trie.js';
import { coversHost, readTlsSecret, type TlsCert } from './tls-secret.js';
import type { Ingress, IngressClass, IngressRef, Secret, Service, ServiceTarget } from './types.js';

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

/** A backend Service port as ingress-nginx names it: `<ns>-<svc>-<port>`. */
export interface Upstream {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  /** The port as the Ingress gives it (number or name). */
  readonly port: number | string;
  /** The resolved Service port, or why there is none (the route answers 503). */
  readonly target: ServiceTarget | undefined;
  readonly missingReason?: string;
  /** The canary (alternative backend) traffic may be shifted to; only the first counts, as in ingress-nginx. */
  readonly canary?: CanaryRoute;
}

export interface CanaryRoute {
  readonly upstream: Upstream;
  readonly policy: CanaryConfig;
  readonly headerPattern?: RegExp;
}

export interface Location {
  /** The nginx location path (after normalization). */
  readonly path: string;
  readonly pathType: PathType;
  /** undefined: the default backend (ingress-nginx's 404). */
  readonly upstream: Upstream | undefined;
  readonly isDefBackend: boolean;
  readonly ingress?: IngressRef;
  readonly config: IngressAnnotations;
  /** Set in regex servers: `^path`, case-insensitive. */
  readonly regex?: RegExp;
  /** `rewrite "(?i)path" target break;` when the location rewrites. */
  readonly rewrite?: { readonly regex: RegExp; readonly target: string };
}

export interface Server {
  readonly hostname: string;
  readonly regexMode: boolean;
  /** Locations in nginx order (regex servers: evaluation order). */
  readonly locations: ReadonlyArray<Location>;
  readonly exact: ReadonlyMap<string, Location>;
  readonly prefix: PrefixTrie<Location>;
  /** `if ($uri = /) { return 302 ...app-root }`, from the first location that sets it. */
  readonly appRoot?: string;
  /** TLS for this host: a Secret's certificate, or the fake one. undefined: no TLS configured. */
  readonly tls?: { readonly kind: 'secret'; readonly cert: TlsCert } | { readonly kind: 'fake' };
}

/** A warning the controller turns into an Event on the Ingress. */
export interface IngressProblem {
  readonly ingress: IngressRef & { readonly uid?: string };
  readonly reason: 'UnsupportedAnnotation' | 'InvalidAnnotation' | 'BadTLSSecret' | 'InvalidPath';
  readonly message: string;
}

export interface RouteTable {
  readonly servers: ReadonlyMap<string, Server>;
  /** Servers for `*.suffix`, keyed by `suffix`. */
  readonly wildcards: ReadonlyMap<string, Server>;
  readonly defaultServer: Server;
  /** Served Ingresses, in the order ingress-nginx processes them. */
  readonly served: ReadonlyArray<IngressRef & { readonly uid?: string }>;
  readonly problems: ReadonlyArray<IngressProblem>;
  /** Number of locations over all servers (for status and tests). */
  readonly locationCount: number;
}

export interface CompileInput {
  readonly ingresses: ReadonlyArray<Ingress>;
  readonly ingressClasses: ReadonlyArray<IngressClass>;
  readonly services: ReadonlyArray<Service>;
  readonly secrets: ReadonlyArray<Secret>;
  readonly classConfig?: ClassConfig;
}

const DEF_SERVER = '_';

/** Converts a UTF-16 string to one char per UTF-8 byte, as request paths are read. */
function bytes(s: string): string {
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
}

interface MutUpstream {
  key: string;
  namespace: string;
  name: string;
  port: number | string;
  target: ServiceTarget | undefined;
  missingReason?: string;
  noServer: boolean;
  canaryPolicy?: CanaryConfig;
  alternatives: MutUpstream[];
}

interface MutLocation {
  path: string;
  pathType: PathType;
  upstream: MutUpstream | undefined;
  isDefBackend: boolean;
  ingress?: IngressRef;
  config: IngressAnnotations;
}

interface MutServer {
  hostname: string;
  locations: MutLocation[];
  tls?: Server['tls'];
}

interface ServedIngress {
  readonly ing: Ingress;
  readonly ref: IngressRef & { readonly uid?: string };
  readonly config: IngressAnnotations;
}

function ingressOrder(a: Ingress, b: Ingress): number {
  const ta = a.metadata?.creationTimestamp ?? '';
  const tb = b.metadata?.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`;
  const kb = `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function portOf(b: { port?: { number?: number; name?: string } } | undefined): number | string | undefined {
  if (b?.port?.number !== undefined) return b.port.number;
  if (b?.port?.name !== undefined && b.port.name !== '') return b.port.name;
  return undefined;
}

/** Builds the route table. Pure: the same input gives the same table. */
export function compileRouteTable(input: CompileInput): RouteTable {
  const cfg = input.classConfig ?? DEFAULT_CLASS_CONFIG;
  const problems: IngressProblem[] = [];
  const classIdx = indexClasses(input.ingressClasses, cfg);
  const services = new Map<string, Service>();
  for (const s of input.services) services.set(`${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`, s);
  const secrets = new Map<string, Secret>();
  for (const s of input.secrets) secrets.set(`${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`, s);

  // 1. served Ingresses, oldest first
  const served: ServedIngress[] = [];
  for (const ing of [...input.ingresses].sort(ingressOrder)) {
    if (ing.metadata?.deletionTimestamp !== undefined) continue;
    if (!classify(ing, classIdx, cfg).served) continue;
    const ref = {
      namespace: ing.metadata?.namespace ?? 'default',
      name: ing.metadata?.name ?? '',
      ...(ing.metadata?.uid !== undefined ? { uid: ing.metadata.uid } : {}),
    };
    const parsed = parseAnnotations(ing.metadata?.annotations);
    for (const a of unsupportedAnnotations(ing.metadata?.annotations)) {
      problems.push({ ingress: ref, reason: 'UnsupportedAnnotation', message: `annotation ${a} is not supported by kwire; it is ignored` });
    }
    for (const p of parsed.problems) problems.push({ ingress: ref, reason: 'InvalidAnnotation', message: `annotation ${p.annotation}: ${p.message}` });
    served.push({ ing, ref, config: parsed.config });
  }

  // 2. upstreams
  const upstreams = new Map<string, MutUpstream>();
  const upstreamFor = (s: ServedIngress, svc: { name: string; port?: { number?: number; name?: string } }): MutUpstream => {
    const port = portOf(svc) ?? 0;
    const key = `${s.ref.namespace}-${svc.name}-${port}`;
    const existing = upstreams.get(key);
    if (existing !== undefined) return existing;
    const service = services.get(`${s.ref.namespace}/${svc.name}`);
    let target: ServiceTarget | undefined;
    let missingReason: string | undefined;
    if (service === undefined) missingReason = `service "${s.ref.namespace}/${svc.name}" not found`;
    else {
      const ports = service.spec?.ports ?? [];
      const sp = typeof port === 'number' ? ports.find((p) => p.port === port) : ports.find((p) => p.name === port);
      if (service.spec?.type === 'ExternalName') {
        if (typeof port === 'number') target = { namespace: s.ref.namespace, name: svc.name, port };
        else missingReason = `service "${s.ref.namespace}/${svc.name}" is ExternalName and port "${port}" has no number`;
      } else if (sp === undefined) missingReason = `service "${s.ref.namespace}/${svc.name}" does not have port ${port}`;
      else target = { namespace: s.ref.namespace, name: svc.name, port: sp.port };
    }
    const u: MutUpstream = {
      key,
      namespace: s.ref.namespace,
      name: svc.name,
      port,
      target,
      ...(missingReason !== undefined ? { missingReason } : {}),
      noServer: false,
      alternatives: [],
    };
    if (s.config.canary.enabled) {
      u.noServer = true;
      u.canaryPolicy = s.config.canary;
    }
    upstreams.set(key, u);
    return u;
  };
  for (const s of served) {
    const db = s.ing.spec?.defaultBackend?.service;
    if (db !== undefined) upstreamFor(s, db);
    for (const rule of s.ing.spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) if (p.backend.service !== undefined) upstreamFor(s, p.backend.service);
    }
  }

  // 3. servers
  const servers = new Map<string, MutServer>();
  const defLoc: MutLocation = { path: '/', pathType: 'Prefix', upstream: undefined, isDefBackend: true, config: DEFAULT_ANNOTATIONS };
  servers.set(DEF_SERVER, { hostname: DEF_SERVER, locations: [defLoc], tls: { kind: 'fake' } });
  for (const s of served) {
    if (s.config.canary.enabled) continue;
    let un: MutUpstream | undefined;
    const db = s.ing.spec?.defaultBackend?.service;
    if (db !== undefined) {
      un = upstreamFor(s, db);
      defLoc.upstream = un;
      defLoc.ingress = { namespace: s.ref.namespace, name: s.ref.name };
      if (defLoc.isDefBackend && (s.ing.spec?.rules ?? []).length === 0) {
        defLoc.isDefBackend = false;
        // redirect and rewrite are not applied to the catch-all, as in ingress-nginx
        const { redirect: _redirect, ...rest } = s.config;
        defLoc.config = { ...rest, rewriteTarget: '', useRegex: false, appRoot: '' };
      }
    }
    for (const rule of s.ing.spec?.rules ?? []) {
      const host = rule.host !== undefined && rule.host !== '' ? rule.host.toLowerCase() : DEF_SERVER;
      if (servers.has(host)) continue;
      servers.set(host, {
        hostname: host,
        locations: [{ path: '/', pathType: 'Prefix', upstream: un, isDefBackend: true, ingress: { namespace: s.ref.namespace, name: s.ref.name }, config: s.config }],
      });
    }
  }

  // TLS per server (the first Ingress with a TLS section for the host decides)
  const tlsCache = new Map<string, ReturnType<typeof readTlsSecret>>();
  const readSecret = (ns: string, name: string): ReturnType<typeof readTlsSecret> => {
    const k = `${ns}/${name}`;
    let r = tlsCache.get(k);
    if (r === undefined) {
      const sec = secrets.get(k);
      r = sec === undefined ? { ok: false, error: `secret "${k}" not found` } : readTlsSecret(sec);
      tlsCache.set(k, r);
    }
    return r;
  };
  const reportedSecrets = new Set<string>();
  for (const s of served) {
    if (s.config.canary.enabled) continue;
    const tls = s.ing.spec?.tls ?? [];
    for (const rule of s.ing.spec?.rules ?? []) {
      const host = rule.host !== undefined && rule.host !== '' ? rule.host.toLowerCase() : DEF_SERVER;
      const server = servers.get(host)!;
      if (server.tls !== undefined || tls.length === 0) continue;
      let secretName = '';
      for (const t of tls) if ((t.hosts ?? []).some((h) => h.toLowerCase() === host)) {
        secretName = t.secretName ?? '';
        break;
      }
      if (secretName === '') {
        for (const t of tls) {
          if (t.secretName === undefined || t.secretName === '') continue;
          const r = readSecret(s.ref.namespace, t.secretName);
          if (r.ok && coversHost(r.cert, host)) {
            secretName = t.secretName;
            break;
          }
        }
      }
      if (secretName === '') {
        server.tls = { kind: 'fake' };
        continue;
      }
      const r = readSecret(s.ref.namespace, secretName);
      const rk = `${s.ref.namespace}/${s.ref.name}/${secretName}/${host}`;
      if (!r.ok) {
        if (!reportedSecrets.has(rk)) {
          reportedSecrets.add(rk);
          problems.push({ ingress: s.ref, reason: 'BadTLSSecret', message: `TLS secret "${s.ref.namespace}/${secretName}" for host "${host}": ${r.error}; using the default fake certificate` });
        }
        server.tls = { kind: 'fake' };
        continue;
      }
      if (!coversHost(r.cert, host)) {
        if (!reportedSecrets.has(rk)) {
          reportedSecrets.add(rk);
          problems.push({ ingress: s.ref, reason: 'BadTLSSecret', message: `TLS secret "${s.ref.namespace}/${secretName}" does not contain a Common Name or Subject Alternative Name for host "${host}"; using the default fake certificate` });
        }
        server.tls = { kind: 'fake' };
        continue;
      }
      server.tls = { kind: 'secret', cert: r.cert };
    }
  }

  // 4. locations
  for (const s of served) {
    if (s.config.canary.enabled) continue;
    for (const rule of s.ing.spec?.rules ?? []) {
      if (rule.http === undefined) continue;
      const host = rule.host !== undefined && rule.host !== '' ? rule.host.toLowerCase() : DEF_SERVER;
      const server = servers.get(host)!;
      for (const p of rule.http.paths ?? []) {
        if (p.backend.service === undefined) continue;
        const ups = upstreamFor(s, p.backend.service);
        if (ups.noServer) continue;
        const path = bytes(p.path !== undefined && p.path !== '' ? p.path : '/');
        const pathType = (p.pathType === 'Exact' || p.pathType === 'Prefix' ? p.pathType : 'ImplementationSpecific') as PathType;
        let add = true;
        for (const loc of server.locations) {
          if (loc.path !== path) continue;
          if (loc.pathType !== pathType && !(path === '/' && loc.isDefBackend)) break;
          add = false;
          if (loc.isDefBackend) {
            loc.upstream = ups;
            loc.isDefBackend = false;
            loc.pathType = pathType;
            loc.ingress = { namespace: s.ref.namespace, name: s.ref.name };
            loc.config = s.config;
          }
          break;
        }
        if (add) server.locations.push({ path, pathType, upstream: ups, isDefBackend: false, ingress: { namespace: s.ref.namespace, name: s.ref.name }, config: s.config });
      }
    }
  }

  // 5. canaries become alternative backends of the primary upstream
  const canMerge = (pri: MutUpstream | undefined, alt: MutUpstream): pri is MutUpstream => pri !== undefined && pri.key !== alt.key && !pri.noServer;
  const attach = (pri: MutUpstream, alt: MutUpstream): void => {
    if (!pri.alternatives.includes(alt)) pri.alternatives.push(alt);
  };
  for (const s of served) {
    if (!s.config.canary.enabled) continue;
    const db = s.ing.spec?.defaultBackend?.service;
    if (db !== undefined) {
      const alt = upstreamFor(s, db);
      for (const loc of servers.get(DEF_SERVER)!.locations) if (canMerge(loc.upstream, alt)) attach(loc.upstream, alt);
    }
    for (const rule of s.ing.spec?.rules ?? []) {
      const host = rule.host !== undefined && rule.host !== '' ? rule.host.toLowerCase() : DEF_SERVER;
      const server = servers.get(host);
      if (server === undefined) continue;
      for (const p of rule.http?.paths ?? []) {
        if (p.backend.service === undefined) continue;
        const alt = upstreamFor(s, p.backend.service);
        const path = bytes(p.path !== undefined && p.path !== '' ? p.path : '/');
        const pathType = p.pathType === 'Exact' || p.pathType === 'Prefix' ? p.pathType : 'ImplementationSpecific';
        for (const loc of server.locations) {
          if (loc.path === path && loc.pathType === pathType && canMerge(loc.upstream, alt)) attach(loc.upstream, alt);
        }
      }
    }
  }

  // freeze upstreams (canary links resolved once)
  const frozen = new Map<MutUpstream, Upstream>();
  const freeze = (u: MutUpstream): Upstream => {
    const f = frozen.get(u);
    if (f !== undefined) return f;
    let canary: CanaryRoute | undefined;
    const alt = u.alternatives[0];
    if (alt !== undefined && alt.canaryPolicy !== undefined) {
      const altFrozen = freeze(alt);
      let headerPattern: RegExp | undefined;
      if (alt.canaryPolicy.headerPattern !== undefined) {
        const c = compileNginxRegex(alt.canaryPolicy.headerPattern, { anchored: false, caseInsensitive: false });
        if (c.ok) headerPattern = c.re;
      }
      canary = { upstream: altFrozen, policy: alt.canaryPolicy, ...(headerPattern !== undefined ? { headerPattern } : {}) };
    }
    const out: Upstream = {
      key: u.key,
      namespace: u.namespace,
      name: u.name,
      port: u.port,
      target: u.target,
      ...(u.missingReason !== undefined ? { missingReason: u.missingReason } : {}),
      ...(canary !== undefined ? { canary } : {}),
    };
    frozen.set(u, out);
    return out;
  };

  // 6. per-server ordering, prefix expansion and matchers
  const servedByRef = new Map(served.map((s) => [`${s.ref.namespace}/${s.ref.name}`, s.ref]));
  const outServers = new Map<string, Server>();
  const wildcards = new Map<string, Server>();
  let locationCount = 0;
  let defaultServer: Server | undefined;
  for (const [host, ms] of [...servers.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const server = buildServer(ms, freeze, (ref, message) => {
      const r = servedByRef.get(`${ref.namespace}/${ref.name}`) ?? ref;
      problems.push({ ingress: r, reason: 'InvalidPath', message });
    });
    locationCount += server.locations.length;
    if (host === DEF_SERVER) defaultServer = server;
    else if (host.startsWith('*.')) wildcards.set(host.slice(2), server);
    else outServers.set(host, server);
  }

  return {
    servers: outServers,
    wildcards,
    defaultServer: defaultServer!,
    served: served.map((s) => s.ref),
    problems,
    locationCount,
  };
}

function needsRewrite(l: MutLocation): boolean {
  return l.config.rewriteTarget !== '' && l.config.rewriteTarget !== l.path;
}

function buildServer(ms: MutServer, freeze: (u: MutUpstream) => Upstream, report: (ref: IngressRef, message: string) => void): Server {
  // ingress-nginx: sort by path descending, then (stable) by length descending
  const sorted = [...ms.locations].sort((a, b) => (a.path > b.path ? -1 : a.path < b.path ? 1 : 0));
  sorted.sort((a, b) => b.path.length - a.path.length);

  // updateServerLocations: Prefix p (not "/", no rewrite/regex) -> "p/" plus exact "p"
  const exactPaths = new Set(sorted.filter((l) => l.pathType === 'Exact').map((l) => l.path));
  const expanded: MutLocation[] = [];
  for (const l of sorted) {
    if (l.path === '/' || l.pathType !== 'Prefix' || needsRewrite(l) || l.config.useRegex) {
      expanded.push(l);
      continue;
    }
    const base = l.path.replace(/\/+$/, '') || '/';
    const normalized = base === '/' ? '/' : `${base}/`;
    expanded.push({ ...l, path: normalized });
    if (base !== '/' && !exactPaths.has(base)) {
      exactPaths.add(base);
      expanded.push({ ...l, path: base, pathType: 'Exact' });
    }
  }

  const regexMode = expanded.some((l) => needsRewrite(l) || l.config.useRegex);
  const locations: Location[] = [];
  const exact = new Map<string, Location>();
  const prefix = new PrefixTrie<Location>();
  let appRoot: string | undefined;
  for (const l of expanded) {
    let regex: RegExp | undefined;
    if (regexMode) {
      const c = compileNginxRegex(l.path, { anchored: true, caseInsensitive: true });
      if (!c.ok) {
        if (l.ingress !== undefined) report(l.ingress, `path "${l.path}" is not a valid regular expression: ${c.error}`);
        continue;
      }
      regex = c.re;
    }
    let rewrite: Location['rewrite'];
    if (l.config.rewriteTarget !== '' && l.path !== l.config.rewriteTarget) {
      const c = compileNginxRegex(l.path, { anchored: false, caseInsensitive: true });
      if (c.ok) rewrite = { regex: c.re, target: l.config.rewriteTarget };
      else if (l.ingress !== undefined) report(l.ingress, `path "${l.path}" is not a valid regular expression for rewrite-target: ${c.error}`);
    }
    const loc: Location = {
      path: l.path,
      pathType: l.pathType,
      upstream: l.upstream !== undefined ? freeze(l.upstream) : undefined,
      isDefBackend: l.isDefBackend,
      ...(l.ingress !== undefined ? { ingress: l.ingress } : {}),
      config: l.config,
      ...(regex !== undefined ? { regex } : {}),
      ...(rewrite !== undefined ? { rewrite } : {}),
    };
    if (appRoot === undefined && l.config.appRoot !== '') appRoot = l.config.appRoot;
    if (!regexMode) {
      if (l.pathType === 'Exact') {
        if (exact.has(l.path)) continue;
        exact.set(l.path, loc);
      } else if (!prefix.insert(l.path, loc)) continue;
    }
    locations.push(loc);
  }
  return {
    hostname: ms.hostname,
    regexMode,
    locations,
    exact,
    prefix,
    ...(appRoot !== undefined ? { appRoot } : {}),
    ...(ms.tls !== undefined ? { tls: ms.tls } : {}),
  };
}

/** The server for a normalized host name: exact, then `*.suffix` (one label), then "_". */
export function findServer(table: RouteTable, host: string): Server {
  const exact = table.servers.get(host);
  if (exact !== undefined) return exact;
  const dot = host.indexOf('.');
  if (dot > 0 && /^[A-Za-z0-9_-]+$/.test(host.slice(0, dot))) {
    const w = table.wildcards.get(host.slice(dot + 1));
    if (w !== undefined) return w;
  }
  return table.defaultServer;
}

/** The location nginx selects for a normalized `$uri` in a server. */
export function findLocation(server: Server, uri: string): Location | undefined {
  if (server.regexMode) {
    for (const l of server.locations) if (l.regex!.test(uri)) return l;
    return undefined;
  }
  return server.exact.get(uri) ?? server.prefix.longestPrefix(uri);
}

/** The server with TLS configured for an SNI/host name (exact, then wildcard), for certificate choice. */
export function tlsServerFor(table: RouteTable, host: string): Server | undefined {
  const h = host.toLowerCase().replace(/\.$/, '');
  const exact = table.servers.get(h);
  if (exact?.tls !== undefined) return exact;
  const dot = h.indexOf('.');
  if (dot > 0) {
    const w = table.wildcards.get(h.slice(dot + 1));
    if (w?.tls !== undefined) return w;
  }
  return undefined;
}
