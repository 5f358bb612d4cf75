/**
 * @module ingress/upstream
 * How the proxy reaches a backend Service: only through the injected
 * `ConnectToService` (the lead wires it to the virtual pod network, dialing from
 * the controller pod's IP, so NetworkPolicies and flow records apply; tests wire
 * it to in-memory pipes). Never a real socket to a pod or Service address.
 *
 * `ServiceAgent` is an `http.Agent` over that connector: keep-alive pooling per
 * Service port (ingress-nginx keeps up to 320 idle upstream connections), a
 * connect timeout (proxy-connect-timeout, 5s by default; expiry is ETIMEDOUT so
 * the proxy answers 504), and TLS on top for `backend-protocol: HTTPS` (no
 * verification and no SNI, as nginx's proxy_ssl defaults).
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { ServiceTarget } from './types.js';

/**
 * Opens a TCP connection to a Service port from the ingress controller pod.
 * Resolves once connected. Rejects with a Node-style error: `ECONNREFUSED` (no
 * listener, or kube-proxy REJECT), `ETIMEDOUT` (dropped), or `ENOENDPOINTS` (the
 * Service has no ready endpoint: the proxy answers 503 as ingress-nginx does).
 * The Duplex should behave like a net.Socket (VirtualSocket does).
 */
export type ConnectToService = (target: ServiceTarget) => Promise<Duplex>;

/** Request options the agent reads besides the usual ones. */
export interface ServiceRequestOptions extends http.RequestOptions {
  readonly kwireTarget: ServiceTarget;
  readonly kwireConnectTimeoutMs: number;
}

/** The host name the agent pools connections under (never resolved): one pool per Service, or per endpoint. */
export function poolHost(t: ServiceTarget): string {
  return t.endpoint === undefined ? `${t.name}.${t.namespace}.svc` : `${t.endpoint.replace(/[.:]/g, '-')}.${t.name}.${t.namespace}.svc`;
}

type SocketLike = Duplex & {
  setTimeout?: unknown;
  setNoDelay?: unknown;
  setKeepAlive?: unknown;
  ref?: unknown;
  unref?: unknown;
};

/** Gives a Duplex the no-op socket methods node:http's Agent calls. */
export function asSocketLike(d: Duplex): Duplex {
  const s = d as SocketLike;
  const self = function (this: Duplex): Duplex {
    return this;
  };
  if (typeof s.setTimeout !== 'function') Object.defineProperty(s, 'setTimeout', { value: self, configurable: true });
  if (typeof s.setNoDelay !== 'function') Object.defineProperty(s, 'setNoDelay', { value: self, configurable: true });
  if (typeof s.setKeepAlive !== 'function') Object.defineProperty(s, 'setKeepAlive', { value: self, configurable: true });
  if (typeof s.ref !== 'function') Object.defineProperty(s, 'ref', { value: self, configurable: true });
  if (typeof s.unref !== 'function') Object.defineProperty(s, 'unref', { value: self, configurable: true });
  return d;
}

/** A connect that fails with ETIMEDOUT after `ms`. */
export function connectWithTimeout(connect: ConnectToService, target: ServiceTarget, ms: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      reject(Object.assign(new Error(`connect ETIMEDOUT ${target.namespace}/${target.name}:${target.port}`), { code: 'ETIMEDOUT', syscall: 'connect' }));
    }, ms);
    connect(target).then(
      (sock) => {
        clearTimeout(timer);
        if (done) {
          sock.destroy();
          return;
        }
        done = true;
        resolve(sock);
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (done) return;
        done = true;
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/** Wraps a connected Duplex in client TLS (backend-protocol: HTTPS). */
export function wrapTls(sock: Duplex): Duplex {
  return tls.connect({ socket: sock, rejectUnauthorized: false });
}

export class ServiceAgent extends http.Agent {
  readonly #connect: ConnectToService;
  readonly #tls: boolean;

  constructor(connect: ConnectToService, opts: { tls: boolean }) {
    super({ keepAlive: true, maxFreeSockets: 320, keepAliveMsecs: 1000, scheduling: 'lifo' });
    this.#connect = connect;
    this.#tls = opts.tls;
  }

  override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const o = options as Partial<ServiceRequestOptions>;
    const target = o.kwireTarget;
    const cb = callback ?? (() => undefined);
    if (target === undefined) {
      cb(new Error('ServiceAgent: request without a target'), undefined as unknown as Duplex);
      return undefined;
    }
    connectWithTimeout(this.#connect, target, o.kwireConnectTimeoutMs ?? 5000).then(
      (sock) => cb(null, asSocketLike(this.#tls ? wrapTls(asSocketLike(sock)) : sock)),
      (err: Error) => cb(err, undefined as unknown as Duplex),
    );
    return undefined;
  }
}
