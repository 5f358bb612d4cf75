/**
 * @module ingress/decide
 * What ingress-nginx does with one request, given the compiled route table, in
 * nginx's phase order:
 *
 * ```
 *  parse target (400) -> server by Host -> app-root (302, server level)
 *   -> location -> permanent/temporal-redirect (`return`)
 *   -> rewrite-target (`rewrite ... break`) -> ssl/force-ssl redirect (308, Lua)
 *   -> balancer: no Service => 503; canary by header / cookie / weight
 *   -> proxy to the Service port
 * ```
 * Pure: randomness (canary weight) comes from the injected `rng`.
 */
import { findLocation, findServer, tlsServerFor, type RouteTable, type Upstream } from './route-table.js';
import { substitute } from './pcre.js';
import type { Decision, RouteRequest } from './types.js';
import { escapeUri, hostWithoutPort, normalizeHost, parseTarget } from './uri.js';

export interface DecideOptions {
  /** Returns a float in [0, 1); Math.random by default. */
  readonly rng?: () => number;
  /** The HTTPS port ssl-redirects point to; ":port" is added when it is not 443. */
  readonly httpsPort?: number;
}

function header(headers: RouteRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v[0];
}

function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  if (cookieHeader === undefined) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** ingress-nginx's `route_to_alternative_balancer`. */
export function routeToCanary(primary: Upstream, headers: RouteRequest['headers'], rng: () => number): boolean {
  const c = primary.canary;
  if (c === undefined || c.upstream.target === undefined) return false;
  const p = c.policy;
  if (p.header !== undefined) {
    const v = header(headers, p.header.toLowerCase());
    if (v !== undefined) {
      if (p.headerValue !== undefined) {
        if (v === p.headerValue) return true;
      } else if (p.headerPattern !== undefined) {
        if (c.headerPattern !== undefined && c.headerPattern.test(v)) return true;
      } else if (v === 'always') return true;
      else if (v === 'never') return false;
    }
  }
  if (p.cookie !== undefined) {
    const v = cookieValue(header(headers, 'cookie'), p.cookie);
    if (v === 'always') return true;
    if (v === 'never') return false;
  }
  const total = p.weightTotal > 100 ? p.weightTotal : 100;
  const draw = Math.floor(rng() * total) + 1; // math.random(total): 1..total
  return draw <= p.weight;
}

/** Decides what to do with a request. */
export function decide(table: RouteTable, req: RouteRequest, opts: DecideOptions = {}): Decision {
  const rng = opts.rng ?? Math.random;
  const t = parseTarget(req.url);
  if (!t.ok) return { kind: 'bad-request', status: 400 };
  const rawHost = t.absoluteHost ?? req.host ?? '';
  const host = normalizeHost(rawHost);
  if (host === undefined) return { kind: 'bad-request', status: 400 };
  const server = findServer(table, host);
  const certConfigured = host !== '' && tlsServerFor(table, host) !== undefined;
  const hsts = req.scheme === 'https' && certConfigured;
  const httpHost = req.host ?? '';

  if (server.appRoot !== undefined && t.uri === '/') {
    return { kind: 'redirect', code: 302, location: `${req.scheme}://${httpHost}${server.appRoot}`, hsts };
  }

  const loc = findLocation(server, t.uri);
  if (loc === undefined) return { kind: 'default-backend', hsts };
  const cfg = loc.config;

  if (cfg.redirect !== undefined) return { kind: 'redirect', code: cfg.redirect.code, location: cfg.redirect.url, hsts };

  let upstreamPath = t.requestUri;
  if (loc.rewrite !== undefined) {
    const m = loc.rewrite.regex.exec(t.uri);
    if (m !== null) {
      const replaced = substitute(loc.rewrite.target, m, {
        host: host === '' ? server.hostname : host,
        http_host: httpHost,
        scheme: req.scheme,
        uri: t.uri,
        args: t.args,
        request_uri: t.requestUri,
        server_port: req.serverPort !== undefined ? String(req.serverPort) : '',
      });
      const q = replaced.indexOf('?');
      const newPath = q >= 0 ? replaced.slice(0, q) : replaced;
      let args = t.args;
      if (q >= 0) {
        const newArgs = replaced.slice(q + 1);
        args = replaced.endsWith('?') ? newArgs.slice(0, -1) : t.args !== '' ? (newArgs !== '' ? `${newArgs}&${t.args}` : t.args) : newArgs;
      }
      if (/^(https?:\/\/)/i.test(newPath)) {
        return { kind: 'redirect', code: 302, location: newPath + (args !== '' ? `?${args}` : ''), hsts };
      }
      upstreamPath = (t.quoted ? escapeUri(newPath) : newPath) + (args !== '' ? `?${args}` : '');
    }
  }

  if (req.scheme === 'http' && (cfg.forceSslRedirect || (cfg.sslRedirect && certConfigured))) {
    let uri = t.requestUri;
    if (!cfg.preserveTrailingSlash && uri.endsWith('/')) uri = uri.slice(0, -1);
    const port = opts.httpsPort !== undefined && opts.httpsPort !== 443 ? `:${opts.httpsPort}` : '';
    const h = httpHost !== '' ? hostWithoutPort(httpHost) : host;
    return { kind: 'redirect', code: 308, location: `https://${h}${port}${uri}`, hsts };
  }

  const ups = loc.upstream;
  if (ups === undefined) return { kind: 'default-backend', hsts };
  if (ups.target === undefined) {
    return {
      kind: 'service-missing',
      service: { namespace: ups.namespace, name: ups.name, port: ups.port },
      reason: ups.missingReason ?? 'service not found',
      hsts,
    };
  }
  const toCanary = routeToCanary(ups, req.headers, rng);
  const chosen = toCanary ? ups.canary!.upstream.target! : ups.target;
  return {
    kind: 'proxy',
    service: chosen,
    upstreamPath,
    upstreamProtocol: cfg.backendProtocol,
    canary: toCanary,
    ...(loc.ingress !== undefined ? { ingress: loc.ingress } : {}),
    ...(cfg.xForwardedPrefix !== '' && loc.rewrite !== undefined ? { xForwardedPrefix: cfg.xForwardedPrefix } : {}),
    bodySizeLimit: cfg.proxyBodySize,
    connectTimeoutMs: cfg.proxyConnectTimeoutMs,
    readTimeoutMs: cfg.proxyReadTimeoutMs,
    hsts,
  };
}
