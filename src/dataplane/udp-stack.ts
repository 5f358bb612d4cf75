/**
 * @module dataplane/udp-stack
 * Virtual UDP: bindings keyed by ip:port, datagrams sent through the connect
 * path, and replies sent back along the flow (un-DNATed, as conntrack does: a
 * client that asked 10.96.0.10:53 hears back from 10.96.0.10:53, not the pod).
 *
 * ```
 *   sendUdp(src, dst, msg)
 *     ├─ known flow (same src/dst within the window) -> reuse its decision, no record
 *     └─ new flow -> decidePath (translate -> policy -> ownership), one flow record
 *          ├─ dropped      -> the datagram is lost
 *          ├─ refused      -> lost; the sender is told 'refused' (ICMP port unreachable)
 *          └─ deliver      -> setImmediate -> binding's onMessage(msg, rinfo, reply)
 *                                             reply(buf) -> sender's binding, from dst as dialled
 * ```
 *
 * Datagrams are not copied: do not modify a Buffer after sending it.
 */
import { isIPv4 } from './address-book.js';
import { decidePath, flowRecordOf, nothingListensReason, peerOf, type PathDecision } from './connect-path.js';
import type { NetworkCore } from './core.js';
import { abortError, netError, toError } from './errors.js';
import type { FlowVerdict } from './flow-log.js';
import { PortAllocator } from './port-allocator.js';
import type { NetTimer } from './timers.js';
import type { Address } from './types.js';

/** Where a datagram came from, as `dgram` reports it. */
export interface UdpRemoteInfo {
  readonly address: string;
  readonly port: number;
  readonly family: 'IPv4';
  readonly size: number;
}

/** Receives one datagram; `reply` answers the sender along the same flow. */
export type UdpMessageHandler = (msg: Buffer, rinfo: UdpRemoteInfo, reply: (buf: Buffer) => void) => void;

/** A bound UDP port. */
export interface UdpBinding {
  readonly ip: string;
  readonly port: number;
  readonly closed: boolean;
  /** Sends from this binding's ip:port. */
  send(dst: Address, msg: Buffer): FlowVerdict;
  close(): void;
}

/** Addressing of one datagram. */
export interface UdpSendOptions {
  readonly srcIp: string;
  /** Omitted: an ephemeral port on `srcIp` (replies to it are discarded). */
  readonly srcPort?: number;
  readonly dstIp: string;
  readonly dstPort: number;
}

/** A request/response exchange. */
export interface UdpExchangeOptions extends UdpSendOptions {
  /** Give up after this long with ETIMEDOUT. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

interface FlowEntry {
  readonly d: PathDecision;
  /** The source the receiver sees. */
  readonly seen: Address;
  last: number;
}

interface Binding extends UdpBinding {
  readonly handler: UdpMessageHandler;
}

const key = (ip: string, port: number): string => `${ip}:${port}`;

/** Default window within which datagrams of one src/dst pair count as one flow. */
export const UDP_FLOW_WINDOW_MS = 10_000;

/** The UDP half of the network. */
export class UdpStack {
  readonly #core: NetworkCore;
  readonly #bindings = new Map<string, Binding>();
  readonly #ports = new PortAllocator();
  readonly #flows = new Map<string, FlowEntry>();
  readonly #windowMs: number;

  constructor(core: NetworkCore, windowMs = UDP_FLOW_WINDOW_MS) {
    this.#core = core;
    this.#windowMs = windowMs;
  }

  /** Binds ip:port (0: ephemeral). Throws EADDRINUSE when taken. */
  bind(ip: string, port: number, onMessage: UdpMessageHandler): UdpBinding {
    if (!isIPv4(ip)) throw new TypeError(`bind address must be an IPv4 address, got ${JSON.stringify(ip)}`);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`Port should be >= 0 and < 65536. Received ${port}.`);
    const p = port === 0 ? this.#ports.allocate(ip, (q) => this.#bindings.has(key(ip, q))) : port;
    const k = key(ip, p);
    if (this.#bindings.has(k)) {
      if (port === 0) this.#ports.release(ip, p);
      throw netError('EADDRINUSE', 'bind', ip, p);
    }
    if (port !== 0) this.#ports.claim(ip, p);
    let closed = false;
    const b: Binding = {
      ip,
      port: p,
      handler: onMessage,
      get closed() {
        return closed;
      },
      send: (dst: Address, msg: Buffer): FlowVerdict => this.send({ srcIp: ip, srcPort: p, dstIp: dst.ip, dstPort: dst.port }, msg),
      close: (): void => {
        if (closed) return;
        closed = true;
        if (this.#bindings.get(k) === b) this.#bindings.delete(k);
        this.#ports.release(ip, p);
      },
    };
    this.#bindings.set(k, b);
    return b;
  }

  /**
   * Sends one datagram. Returns the flow's verdict: 'forwarded' (handed to a
   * binding), 'dropped' (lost), 'refused' (no binding or a rejecting Service:
   * the sender would get ICMP port unreachable), 'error' (a hook threw).
   */
  send(opts: UdpSendOptions, msg: Buffer): FlowVerdict {
    return this.#transmit(opts, msg).verdict;
  }

  #transmit(opts: UdpSendOptions, msg: Buffer): { readonly verdict: FlowVerdict; readonly error?: Error } {
    const core = this.#core;
    const { srcIp, dstIp, dstPort } = opts;
    if (!isIPv4(srcIp) || !isIPv4(dstIp)) throw new TypeError(`UDP addresses must be IPv4: ${srcIp} -> ${dstIp}`);
    if (!Number.isInteger(dstPort) || dstPort < 1 || dstPort > 65535) throw new RangeError(`Port should be > 0 and < 65536. Received ${dstPort}.`);
    let srcPort = opts.srcPort;
    if (srcPort === undefined) {
      srcPort = this.#ports.allocate(srcIp, (q) => this.#bindings.has(key(srcIp, q)));
      this.#ports.release(srcIp, srcPort); // fire and forget: nothing listens for a reply
    }
    const now = core.now();
    const fk = `${srcIp}:${srcPort}>${dstIp}:${dstPort}`;
    let flow = this.#flows.get(fk);
    if (flow !== undefined && now - flow.last <= this.#windowMs) {
      flow.last = now;
    } else {
      const src = peerOf(core.book, { ip: srcIp, port: srcPort });
      const dst: Address = { ip: dstIp, port: dstPort };
      const d = decidePath(core, 'UDP', src, dst);
      const seen: Address = d.kind === 'deliver' && d.snat !== undefined ? { ip: d.snat.ip, port: d.snat.port ?? srcPort } : { ip: srcIp, port: srcPort };
      const snatAddr = d.kind !== 'error' && d.snat !== undefined ? seen : undefined;
      if (d.kind === 'deliver' && !this.#bindings.has(key(d.endpoint.ip, d.endpoint.port))) {
        core.flows.append(flowRecordOf(now, 'UDP', src, dst, d, snatAddr, 'refused', nothingListensReason('UDP', d)));
      } else {
        core.flows.append(flowRecordOf(now, 'UDP', src, dst, d, snatAddr, undefined, d.kind === 'deliver' ? 'delivered' : undefined));
      }
      flow = { d, seen, last: now };
      this.#remember(fk, flow, now);
    }
    const d = flow.d;
    if (d.kind === 'error') return { verdict: 'error', error: d.error };
    if (d.kind !== 'deliver') return { verdict: d.kind };
    const target = this.#bindings.get(key(d.endpoint.ip, d.endpoint.port));
    if (target === undefined) return { verdict: 'refused' };
    const rinfo: UdpRemoteInfo = { address: flow.seen.ip, port: flow.seen.port, family: 'IPv4', size: msg.length };
    const back: UdpRemoteInfo = { address: dstIp, port: dstPort, family: 'IPv4', size: 0 };
    const replyTo = key(srcIp, srcPort);
    const reply = (buf: Buffer): void => {
      setImmediate(() => {
        const b = this.#bindings.get(replyTo);
        if (b !== undefined) this.#invoke(b, buf, { ...back, size: buf.length });
      });
    };
    setImmediate(() => {
      if (!target.closed) this.#invoke(target, msg, rinfo, reply);
    });
    return { verdict: 'forwarded' };
  }

  /**
   * Sends `msg` from an ephemeral (or given) port and resolves with the first
   * reply. Rejects with ECONNREFUSED at once when the flow is refused, with
   * ETIMEDOUT after `timeoutMs` when it is dropped or unanswered, with an
   * AbortError on `signal`.
   */
  exchange(opts: UdpExchangeOptions, msg: Buffer): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const { signal } = opts;
      if (signal?.aborted === true) {
        reject(abortError(signal.reason));
        return;
      }
      let binding: UdpBinding;
      let timer: NetTimer | undefined;
      let done = false;
      const finish = (err: Error | null, reply?: Buffer): void => {
        if (done) return;
        done = true;
        if (timer !== undefined) timer.clear();
        signal?.removeEventListener('abort', onAbort);
        binding.close();
        if (err !== null) reject(err);
        else resolve(reply as Buffer);
      };
      const onAbort = (): void => finish(abortError(signal?.reason));
      try {
        binding = this.bind(opts.srcIp, opts.srcPort ?? 0, (m) => finish(null, m));
      } catch (e) {
        reject(toError(e));
        return;
      }
      const sent = this.#transmit({ srcIp: binding.ip, srcPort: binding.port, dstIp: opts.dstIp, dstPort: opts.dstPort }, msg);
      if (sent.verdict === 'refused') return finish(netError('ECONNREFUSED', 'recvmsg', opts.dstIp, opts.dstPort));
      if (sent.verdict === 'error') return finish(sent.error ?? new Error(`udp send to ${opts.dstIp}:${opts.dstPort} failed`));
      timer = this.#core.timers.set(() => finish(netError('ETIMEDOUT', 'recvmsg', opts.dstIp, opts.dstPort)), opts.timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #invoke(b: Binding, msg: Buffer, rinfo: UdpRemoteInfo, reply?: (buf: Buffer) => void): void {
    try {
      b.handler(msg, rinfo, reply ?? ((): void => undefined));
    } catch (e) {
      this.#core.onHandlerError(toError(e));
    }
  }

  #remember(fk: string, flow: FlowEntry, now: number): void {
    if (this.#flows.size >= 4096) {
      for (const [k, f] of this.#flows) if (now - f.last > this.#windowMs) this.#flows.delete(k);
      if (this.#flows.size >= 65536) this.#flows.clear();
    }
    this.#flows.set(fk, flow);
  }
}
