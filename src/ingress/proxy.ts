/**
 * @module ingress/proxy
 * The ingress proxy's HTTP shell: reads a request the way nginx does (duplicate
 * Host, oversized header lines and request lines are refused with nginx's pages),
 * asks the route table (`decide`) what to do, and does it:
 *
 * ```
 *  client --node:http--> checks --decide()--> redirect | 404 | 503 | 400
 *                                        \--> proxy: ProxyExchange over an UpstreamPool
 *                                              (keep-alive) --ConnectToService--> backend pod
 *  streaming both ways (chunked stays chunked), 502 on a failed connection or a
 *  broken upstream, 504 on connect/read timeout, 413 over proxy-body-size
 * ```
 * WebSocket and other Upgrade requests are handled by `upgrade.ts`. The proxy
 * reads the table through a getter, so a recompiled table applies to the next
 * request.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { decide } from './decide.js';
import { rawNginxResponse } from './error-pages.js';
import { ProxyExchange, sendPage } from './exchange.js';
import { upstreamRequestHead } from './forward-headers.js';
import type { RouteTable } from './route-table.js';
import type { Decision, RouteRequest, ServiceTarget } from './types.js';
import { UpstreamPool, poolKey, type ConnectToService } from './upstream.js';

export { failureStatus, sendPage } from './exchange.js';

/** nginx: large_client_header_buffers 4 8k. */
export const MAX_LINE = 8192;
const MAX_HEADERS_TOTAL = 4 * 8192;

export const HSTS_VALUE = 'max-age=31536000; includeSubDomains';

/** Characters node:http's client refused in a request path. */
const INVALID_PATH = /[^\u0021-\u00ff]/;

/** One line of the proxy's access log. */
export interface AccessRecord {
  readonly time: number;
  readonly remoteAddress: string;
  readonly method: string;
  readonly host: string;
  readonly url: string;
  readonly status: number;
  readonly decision: Decision['kind'];
  readonly upstream?: string;
  readonly canary?: boolean;
  readonly ingress?: string;
  readonly durationMs: number;
}

export interface IngressProxyOptions {
  /** The current route table. */
  readonly routes: () => RouteTable;
  readonly connect: ConnectToService;
  /** Canary randomness; Math.random by default. */
  readonly rng?: () => number;
  /** The HTTPS port ssl-redirects point to (":port" added when not 443). */
  readonly httpsPort?: () => number | undefined;
  readonly onAccess?: (r: AccessRecord) => void;
  /**
   * The ready endpoints ("ip:port") of a Service port. When given (and not empty),
   * requests go round-robin over them, as ingress-nginx's balancer does with the
   * endpoints it reads from EndpointSlices, each endpoint with its own keep-alive
   * pool; otherwise (or when empty) every request goes to the Service itself.
   */
  readonly endpoints?: (t: ServiceTarget) => ReadonlyArray<string>;
}

export type Scheme = 'http' | 'https';

/** Rejects what nginx rejects before routing; returns a status or undefined. */
export function precheck(req: http.IncomingMessage): 400 | 414 | 494 | undefined {
  const requestLine = (req.method?.length ?? 0) + 1 + (req.url?.length ?? 0) + 9;
  if (requestLine > MAX_LINE) return 414;
  const raw = req.rawHeaders;
  let hosts = 0;
  let total = requestLine;
  for (let i = 0; i < raw.length; i += 2) {
    const line = raw[i]!.length + 2 + raw[i + 1]!.length;
    if (line > MAX_LINE) return 494;
    total += line + 2;
    if (raw[i]!.length === 4 && raw[i]!.toLowerCase() === 'host') hosts++;
  }
  if (total > MAX_HEADERS_TOTAL) return 494;
  if (hosts > 1) return 400;
  if (hosts === 0 && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1) return 400;
  return undefined;
}

export function routeRequest(req: http.IncomingMessage, scheme: Scheme): RouteRequest {
  const host = req.headers.host;
  return {
    host,
    url: req.url ?? '/',
    method: req.method ?? 'GET',
    headers: req.headers,
    scheme,
    ...(req.socket.localPort !== undefined ? { serverPort: req.socket.localPort } : {}),
  };
}

export class IngressProxy {
  readonly #opts: IngressProxyOptions;
  readonly #httpPool: UpstreamPool;
  readonly #httpsPool: UpstreamPool;

  constructor(opts: IngressProxyOptions) {
    this.#opts = opts;
    this.#httpPool = new UpstreamPool(opts.connect, { tls: false });
    this.#httpsPool = new UpstreamPool(opts.connect, { tls: true });
  }

  readonly #tunnels = new Set<Duplex>();
  /** Round-robin position per Service port. */
  readonly #next = new Map<string, number>();

  /** The target for one request: the next endpoint of the Service port (round-robin), or the Service. */
  pick(t: ServiceTarget): ServiceTarget {
    const eps = this.#opts.endpoints?.(t) ?? [];
    if (eps.length === 0) return t;
    const key = `${t.namespace}/${t.name}:${t.port}`;
    const i = this.#next.get(key) ?? Math.floor(Math.random() * eps.length);
    this.#next.set(key, (i + 1) % eps.length);
    return { ...t, endpoint: eps[i % eps.length]! };
  }

  get connect(): ConnectToService {
    return this.#opts.connect;
  }

  /** Remembers an upgraded (tunnelled) connection so `close()` can end it. */
  track(s: Duplex): void {
    if (s.destroyed) return;
    this.#tunnels.add(s);
    s.once('close', () => this.#tunnels.delete(s));
  }

  decideFor(req: http.IncomingMessage, scheme: Scheme): Decision {
    const httpsPort = this.#opts.httpsPort?.();
    return decide(this.#opts.routes(), routeRequest(req, scheme), {
      ...(this.#opts.rng !== undefined ? { rng: this.#opts.rng } : {}),
      ...(httpsPort !== undefined ? { httpsPort } : {}),
    });
  }

  /** Options for node:http / node:https servers that serve ingress traffic. */
  static serverOptions(): http.ServerOptions {
    return { maxHeaderSize: 64 * 1024, requireHostHeader: false, keepAliveTimeout: 75_000, headersTimeout: 60_000, requestTimeout: 0 };
  }

  /** Attaches the proxy to a server (request, upgrade and client-error handling). */
  attach(server: http.Server, scheme: Scheme, onUpgrade?: (req: http.IncomingMessage, socket: Socket, head: Buffer) => void): void {
    server.keepAliveTimeout = 75_000;
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(req, res, scheme));
    if (onUpgrade !== undefined) server.on('upgrade', onUpgrade);
    server.on('clientError', (err: Error & { code?: string; rawPacket?: Buffer }, socket: Socket) => clientError(err, socket));
  }

  handle(req: http.IncomingMessage, res: http.ServerResponse, scheme: Scheme): void {
    const start = Date.now();
    const bad = precheck(req);
    const decision: Decision = bad !== undefined ? { kind: 'bad-request', status: bad } : this.decideFor(req, scheme);
    const log = (status: number, extra: Partial<AccessRecord> = {}): void => {
      this.#opts.onAccess?.({
        time: start,
        remoteAddress: req.socket.remoteAddress ?? '',
        method: req.method ?? '',
        host: req.headers.host ?? '',
        url: req.url ?? '',
        status,
        decision: decision.kind,
        durationMs: Date.now() - start,
        ...extra,
      });
    };
    // A proxied response carries it in its own header list (exchange.ts): a header set here
    // first would make node's writeHead merge the upstream's, keeping one Set-Cookie of several.
    if (decision.kind !== 'bad-request' && decision.kind !== 'proxy' && decision.hsts) res.setHeader('Strict-Transport-Security', HSTS_VALUE);
    switch (decision.kind) {
      case 'bad-request':
        sendPage(req, res, decision.status, true);
        log(decision.status === 494 ? 400 : decision.status);
        return;
      case 'redirect':
        res.setHeader('Location', decision.location);
        sendPage(req, res, decision.code, false);
        log(decision.code);
        return;
      case 'default-backend':
        sendPage(req, res, 404, false);
        log(404);
        return;
      case 'service-missing':
        sendPage(req, res, 503, false);
        log(503, { upstream: `${decision.service.namespace}/${decision.service.name}:${decision.service.port}` });
        return;
      case 'proxy':
        this.#forward(req, res, scheme, decision, (status) => {
          if (this.#opts.onAccess === undefined) return; // no record to build
          log(status, {
            upstream: `${decision.service.namespace}/${decision.service.name}:${decision.service.port}`,
            canary: decision.canary,
            ...(decision.ingress !== undefined ? { ingress: `${decision.ingress.namespace}/${decision.ingress.name}` } : {}),
          });
        });
        return;
      default: {
        const never: never = decision;
        throw new Error(`unhandled decision ${JSON.stringify(never)}`);
      }
    }
  }

  #forward(req: http.IncomingMessage, res: http.ServerResponse, scheme: Scheme, d: Extract<Decision, { kind: 'proxy' }>, done: (status: number) => void): void {
    const declared = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : undefined;
    if (d.bodySizeLimit > 0 && declared !== undefined && declared > d.bodySizeLimit) {
      sendPage(req, res, 413, true);
      done(413);
      return;
    }
    if (INVALID_PATH.test(d.upstreamPath)) {
      // node:http's client threw on such a path (e.g. a rewrite-target with a space), taking the process down
      sendPage(req, res, 502, false);
      done(502);
      return;
    }
    const method = req.method ?? 'GET';
    const { head, framing } = upstreamRequestHead(method, d.upstreamPath, req.rawHeaders, {
      remoteAddress: req.socket.remoteAddress ?? '',
      scheme,
      serverPort: req.socket.localPort ?? (scheme === 'https' ? 443 : 80),
      ...(d.xForwardedPrefix !== undefined ? { xForwardedPrefix: d.xForwardedPrefix } : {}),
      upgrade: false,
    });
    const target = this.pick(d.service);
    new ProxyExchange(req, res, {
      pool: d.upstreamProtocol === 'HTTPS' ? this.#httpsPool : this.#httpPool,
      key: poolKey(target),
      target,
      head,
      framing,
      bodySizeLimit: d.bodySizeLimit,
      connectTimeoutMs: d.connectTimeoutMs,
      readTimeoutMs: d.readTimeoutMs,
      extraHeaders: d.hsts ? [['Strict-Transport-Security', HSTS_VALUE]] : [],
      done,
    }).start();
  }

  /** Destroys pooled upstream connections and open tunnels (WebSockets). */
  close(): void {
    this.#httpPool.destroy();
    this.#httpsPool.destroy();
    for (const t of this.#tunnels) t.destroy();
    this.#tunnels.clear();
  }
}

/** node:http could not parse the request: answer as nginx would and close. */
export function clientError(err: Error & { code?: string; rawPacket?: Buffer }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  let status = 400;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    const raw = err.rawPacket?.toString('latin1') ?? '';
    const eol = raw.indexOf('\r\n');
    status = eol < 0 || eol > MAX_LINE ? 414 : 494;
  }
  socket.end(rawNginxResponse(status));
}
