/**
 * @module dataplane/host-dialer
 * The one door from the virtual pod network to real sockets on the host: a
 * Service whose endpoint is a host address (a server on 127.0.0.0/8, e.g. the
 * selectorless Service + EndpointSlice pattern for "something outside the
 * cluster") is proxied to it with a REAL TCP connection, bytes piped both ways.
 *
 * ```
 *   pod ── connect ClusterIP:80 ──> translate: endpoint 127.0.0.1:8080 (from the EndpointSlice)
 *       ──> policy: egress(pod) on 127.0.0.1:8080 (not a pod: only ipBlock matches it)
 *       ──> ownership: no pod or node owns 127.0.0.1
 *             └─ hostDialer.accepts('127.0.0.1')?  no ─> dropped (lost packet), as before
 *                                                  yes ─> dial(): net.connect(8080, '127.0.0.1')
 *   client VirtualSocket <══linked══> server VirtualSocket <══pipe══> real net.Socket ──> host server
 * ```
 *
 * Rules (the contract of `HostDialer`, enforced by the TCP stack and here):
 * - Only 127.0.0.0/8. `accepts()` and `dial()` both refuse any other address:
 *   nothing in kwire ever opens a real connection to a pod IP, a ClusterIP or
 *   an address of another machine.
 * - Only for flows a Service translated (the translator forwarded them): a pod
 *   dialling 127.x itself reaches its own loopback (the workloads keep that
 *   inside the container), never the host. kwire's node IPs and LoadBalancer
 *   IPs are the exception (node-network.ts): those dials take the connect
 *   path, where they are virtual (NodePorts, LoadBalancer translation), so
 *   they never reach this dialer either.
 * - Never an address the virtual network owns: node IPs are registered to
 *   nodes (their NodePorts are virtual), so they never reach the dialer;
 *   `exclude` keeps them (and anything else the cluster names) out even before
 *   the kubelet has registered them.
 * - TCP only. A UDP flow to such an endpoint stays dropped (lost), as before.
 * - The host server sees the connection from the host's own loopback address
 *   and an ephemeral port the kernel picks (as from a masquerading node); the
 *   flow record shows that address as its `snat`.
 * - One flow record per attempt, as for every flow, appended once the real
 *   dial settles: `forwarded` ("established (host 127.0.0.1:8080)"), `refused`
 *   (nothing listens there: the client gets ECONNREFUSED at once, like a
 *   missing listener), or `error`.
 *
 * It does not know Services or policies: those have run before it is asked.
 *
 * A host address gets into an EndpointSlice with kubectl: kwire's API accepts
 * 127.0.0.0/8 in EndpointSlice and Endpoints addresses (kube-apiserver refuses
 * them, as 127.x is a node's own loopback there; in kwire it is the node network).
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { isIPv4 } from './address-book.js';
import { netError } from './errors.js';

/** True for a dotted-quad IPv4 address in 127.0.0.0/8. */
export function isLoopbackIPv4(ip: string): boolean {
  return isIPv4(ip) && ip.startsWith('127.');
}

/** One real dial. */
export interface HostDialRequest {
  /** A 127.0.0.0/8 address (the translated endpoint). */
  readonly ip: string;
  readonly port: number;
  /** Aborted when the virtual client gives up (timeout, abort, destroy). */
  readonly signal: AbortSignal;
}

/** A connected real stream, with the source address the host server sees. */
export interface HostConnection {
  readonly stream: Duplex;
  readonly localAddress?: string;
  readonly localPort?: number;
}

/**
 * Reaches host addresses for the virtual network.
 *
 * Contract:
 * - `accepts(ip)` is called on the connect path: synchronous, cheap, no I/O.
 *   It must return false for anything outside 127.0.0.0/8.
 * - `dial` resolves once the real connection is established, or rejects with
 *   Node's socket error (ECONNREFUSED when nothing listens). It must refuse
 *   (reject, without any I/O) an address `accepts` would not take.
 * - The stream it returns is owned by the TCP stack afterwards (piped to the
 *   virtual connection, destroyed with it).
 */
export interface HostDialer {
  accepts(ip: string): boolean;
  dial(req: HostDialRequest): Promise<HostConnection>;
}

export interface LoopbackHostDialerOptions {
  /** Loopback addresses that are not the host's (registered node IPs, LoadBalancer IPs...). */
  readonly exclude?: (ip: string) => boolean;
}

/** The production dialer: real TCP to 127.0.0.0/8 only, every socket tracked so `closeAll()` can end them. */
export class LoopbackHostDialer implements HostDialer {
  readonly #exclude: (ip: string) => boolean;
  readonly #open = new Set<Socket>();

  constructor(opts: LoopbackHostDialerOptions = {}) {
    this.#exclude = opts.exclude ?? (() => false);
  }

  accepts(ip: string): boolean {
    return isLoopbackIPv4(ip) && !this.#exclude(ip);
  }

  /** Real connections open now. */
  get open(): number {
    return this.#open.size;
  }

  dial(req: HostDialRequest): Promise<HostConnection> {
    if (!this.accepts(req.ip)) {
      // Never reached through the stack (accepts() ran first); a second guard all the same.
      return Promise.reject(Object.assign(netError('ECONNREFUSED', 'connect', req.ip, req.port), { message: `kwire only dials host addresses in 127.0.0.0/8 (not ${req.ip})` }));
    }
    if (req.signal.aborted) return Promise.reject(new Error('aborted'));
    return new Promise<HostConnection>((resolve, reject) => {
      const s = netConnect({ host: req.ip, port: req.port, allowHalfOpen: true });
      this.#open.add(s);
      s.once('close', () => this.#open.delete(s));
      s.setNoDelay(true);
      const onAbort = (): void => {
        s.destroy();
        reject(new Error('aborted'));
      };
      req.signal.addEventListener('abort', onAbort, { once: true });
      s.once('error', (e) => {
        req.signal.removeEventListener('abort', onAbort);
        reject(e);
      });
      s.once('connect', () => {
        req.signal.removeEventListener('abort', onAbort);
        resolve({ stream: s, localAddress: s.localAddress, localPort: s.localPort });
      });
    });
  }

  /** Destroys every open real connection (the cluster is stopping). */
  closeAll(): void {
    for (const s of this.#open) s.destroy();
    this.#open.clear();
  }
}

/**
 * Joins the accepted (server-side) virtual socket to the real stream: data
 * both ways with backpressure, half-closes passed on (both ends must be
 * created with allowHalfOpen),
 * an error or close on either side tears the other down (the virtual client
 * then sees ECONNRESET or EOF as with a real peer).
 */
export function bridge(virtual: Duplex, real: Duplex): void {
  virtual.pipe(real);
  real.pipe(virtual);
  real.on('error', (e: Error) => virtual.destroy(e));
  virtual.on('error', () => real.destroy());
  real.on('close', () => {
    if (virtual.destroyed) return;
    // The host side is gone: what it sent is flushed to the client, then the virtual end closes.
    if (!virtual.writableEnded) virtual.end();
    if (virtual.writableFinished) virtual.destroy();
    else virtual.once('finish', () => virtual.destroy());
  });
  virtual.on('close', () => {
    if (!real.destroyed) real.destroy();
  });
}
