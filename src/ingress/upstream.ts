/**
 * @module ingress/upstream
 * How the proxy reaches a backend Service: only through the injected
 * `ConnectToService` (the lead wires it to the virtual pod network, dialing from
 * the controller pod's IP, so NetworkPolicies and flow records apply; tests wire
 * it to in-memory pipes). Never a real socket to a pod or Service address.
 *
 * `UpstreamPool` keeps idle keep-alive connections per Service port (or per
 * endpoint), most recently used first, up to 320 each as ingress-nginx does;
 * each `UpstreamConnection` reads its responses with `ResponseParser` (node:http's
 * client and Agent cost more per request than the rest of the proxy together).
 * New connections get a connect timeout (proxy-connect-timeout, 5s by default;
 * expiry is ETIMEDOUT so the proxy answers 504) and TLS on top for
 * `backend-protocol: HTTPS` (no verification and no SNI, as nginx's proxy_ssl
 * defaults). An idle connection is not reused once the upstream's
 * `Keep-Alive: timeout=N` less a second has passed (as node's Agent intends), so
 * a request does not race the backend closing it.
 */
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { ResponseParseError, ResponseParser, type ResponseEvents } from './response-parser.js';
import type { ServiceTarget } from './types.js';

/**
 * Opens a TCP connection to a Service port from the ingress controller pod.
 * Resolves once connected. Rejects with a Node-style error: `ECONNREFUSED` (no
 * listener, or kube-proxy REJECT), `ETIMEDOUT` (dropped), or `ENOENDPOINTS` (the
 * Service has no ready endpoint: the proxy answers 503 as ingress-nginx does).
 * The Duplex should behave like a net.Socket (VirtualSocket does).
 */
export type ConnectToService = (target: ServiceTarget) => Promise<Duplex>;

/** The name connections are pooled under (never resolved): one pool per Service, or per endpoint. */
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

/** Gives a Duplex the no-op socket methods node's TLS and HTTP code call. */
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


/** The pool key of a target: its pool host and Service port. */
export function poolKey(t: ServiceTarget): string {
  return `${poolHost(t)}:${t.port}`;
}

/** The exchange using a connection: the response's events, and a connection that broke. */
export interface UpstreamUser extends ResponseEvents {
  /** The connection failed, closed before the response was complete, or sent a malformed response. */
  onFailure(err: Error): void;
}

/** ingress-nginx's `keepalive 320` (idle connections kept per upstream). */
export const MAX_IDLE_PER_KEY = 320;

type SocketControls = Duplex & {
  setNoDelay?: (noDelay?: boolean) => unknown;
  setKeepAlive?: (enable?: boolean, initialDelay?: number) => unknown;
  unref?: () => unknown;
};

function hangUp(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
}

/** One keep-alive connection to an upstream, carrying one exchange at a time. */
export class UpstreamConnection {
  readonly socket: Duplex;
  readonly key: string;
  readonly #pool: UpstreamPool;
  readonly #parser = new ResponseParser();
  #user: UpstreamUser | undefined;
  #paused = false;
  /** Date.now() when it went back to the pool. */
  idleSince = 0;
  /** How long it may wait idle before reuse (from the upstream's Keep-Alive hint). */
  maxIdleMs = Number.POSITIVE_INFINITY;

  constructor(socket: Duplex, key: string, pool: UpstreamPool) {
    this.socket = socket;
    this.key = key;
    this.#pool = pool;
    const s = socket as SocketControls;
    if (typeof s.setNoDelay === 'function') s.setNoDelay(true);
    if (typeof s.setKeepAlive === 'function') s.setKeepAlive(true, 1000);
    // Pooled or busy, an upstream connection alone must not keep the process up (the client side does).
    if (typeof s.unref === 'function') s.unref();
    socket.on('data', (b: Buffer) => this.#onData(b));
    socket.on('end', () => this.#onEnd());
    socket.on('error', (err: Error) => this.#broken(err));
    socket.on('close', () => this.#onClose());
  }

  /** Takes the response to the request `user` writes next (`headRequest`: a HEAD, so no body). */
  begin(user: UpstreamUser, headRequest: boolean): void {
    this.#user = user;
    this.#parser.begin(user, headRequest);
  }

  /** The exchange is over: back to the pool when `reusable`, else closed. */
  done(reusable: boolean): void {
    this.#user = undefined;
    this.#parser.abort();
    if (this.#paused) this.resume();
    if (reusable && !this.socket.destroyed) this.#pool.release(this);
    else this.socket.destroy();
  }

  /** Closes the connection without telling its exchange (the exchange is giving up). */
  destroy(): void {
    this.#user = undefined;
    this.#parser.abort();
    this.socket.destroy();
  }

  /** Stops reading responses (the client is not keeping up). */
  pause(): void {
    this.#paused = true;
    this.socket.pause();
  }

  resume(): void {
    this.#paused = false;
    this.socket.resume();
  }

  /** Applies the upstream's `Keep-Alive: timeout=N`: reuse only within N-1 s, not at all when that is <= 0. */
  keepAliveHint(ms: number): void {
    this.maxIdleMs = ms - 1000;
  }

  /** Whether an idle connection can take a request at `now`. */
  usable(now: number): boolean {
    return !this.socket.destroyed && now - this.idleSince < this.maxIdleMs;
  }

  #onData(b: Buffer): void {
    if (this.#user === undefined) {
      this.socket.destroy(); // bytes nobody asked for: the connection is out of step
      return;
    }
    try {
      this.#parser.execute(b);
    } catch (err) {
      if (!(err instanceof ResponseParseError)) throw err;
      this.#broken(err);
    }
  }

  #onEnd(): void {
    if (this.#user !== undefined) {
      try {
        this.#parser.finish();
      } catch (err) {
        if (!(err instanceof ResponseParseError)) throw err;
        this.#broken(hangUp());
        return;
      }
    }
    this.socket.destroy(); // no half-open upstream connections
  }

  #onClose(): void {
    this.#pool.forget(this);
    if (this.#user !== undefined) this.#broken(hangUp());
  }

  #broken(err: Error): void {
    const user = this.#user;
    this.#user = undefined;
    this.#parser.abort();
    this.socket.destroy();
    user?.onFailure(err);
  }
}

/** Keep-alive connections per pool key, for plain HTTP or for HTTPS upstreams. */
export class UpstreamPool {
  readonly #connect: ConnectToService;
  readonly #tls: boolean;
  readonly #idle = new Map<string, UpstreamConnection[]>();
  readonly #open = new Set<UpstreamConnection>();
  #closed = false;

  constructor(connect: ConnectToService, opts: { tls: boolean }) {
    this.#connect = connect;
    this.#tls = opts.tls;
  }

  /** Idle connections (for tests and status). */
  get idleCount(): number {
    let n = 0;
    for (const list of this.#idle.values()) n += list.length;
    return n;
  }

  /** The most recently used idle connection to `key` that can still be used, or undefined. */
  take(key: string): UpstreamConnection | undefined {
    const list = this.#idle.get(key);
    if (list === undefined || list.length === 0) return undefined;
    const now = Date.now();
    let c = list.pop();
    while (c !== undefined && !c.usable(now)) {
      c.destroy();
      c = list.pop();
    }
    return c;
  }

  /** A new connection to `target` (connect timeout; TLS for an HTTPS pool). */
  async dial(key: string, target: ServiceTarget, connectTimeoutMs: number): Promise<UpstreamConnection> {
    const raw = await connectWithTimeout(this.#connect, target, connectTimeoutMs);
    const socket = this.#tls ? wrapTls(asSocketLike(raw)) : raw;
    if (this.#closed || socket.destroyed) {
      socket.destroy(); // closed already: no 'close' event would tell the exchange
      throw hangUp();
    }
    const conn = new UpstreamConnection(socket, key, this);
    this.#open.add(conn);
    return conn;
  }

  /** Takes back a connection whose exchange is over. */
  release(c: UpstreamConnection): void {
    let list = this.#idle.get(c.key);
    if (this.#closed || c.maxIdleMs <= 0 || (list !== undefined && list.length >= MAX_IDLE_PER_KEY)) {
      c.destroy();
      return;
    }
    if (list === undefined) {
      list = [];
      this.#idle.set(c.key, list);
    }
    c.idleSince = Date.now();
    list.push(c);
  }

  /** A connection closed: drop it from the pool. */
  forget(c: UpstreamConnection): void {
    this.#open.delete(c);
    const list = this.#idle.get(c.key);
    if (list === undefined) return;
    const i = list.indexOf(c);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#idle.delete(c.key);
  }

  /** Closes every connection, idle or busy; connections released later are closed too. */
  destroy(): void {
    this.#closed = true;
    for (const c of [...this.#open]) c.destroy();
    this.#idle.clear();
  }
}
