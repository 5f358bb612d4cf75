/**
 * @module workloads/testing/fake-net
 *
 * An in-memory network for tests of the workloads: TCP listeners fed with
 * Duplex pairs (node:http servers get theirs through
 * `server.emit('connection', socket)`), UDP responders, and rules that drop
 * traffic (a NetworkPolicy stand-in) or refuse it. Every connection attempt
 * and datagram is logged. Time comes from the clock the caller passes (a
 * FakeClock in tests). Not the dataplane: no VIPs, no policy engine.
 */
import http from 'node:http';
import { Duplex } from 'node:stream';
import type { Clock, ConnectOptions, ProcessNet, UdpOptions } from '../process.js';
import { abortError, netError } from '../process.js';

/** Two connected stream ends: what one writes, the other reads; end() is a half-close. */
export function duplexPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (idx: 0 | 1): Duplex => {
    const d = new Duplex({
      read() {
        /* data is pushed by the peer */
      },
      write(chunk: Buffer, _enc, cb) {
        const peer = ends[1 - idx];
        if (peer && !peer.destroyed) peer.push(chunk);
        cb();
      },
      final(cb) {
        const peer = ends[1 - idx];
        if (peer && !peer.destroyed) peer.push(null);
        cb();
      },
      destroy(err, cb) {
        const peer = ends[1 - idx];
        if (peer && !peer.destroyed) {
          peer.push(null);
          peer.destroy();
        }
        cb(err);
      },
    });
    // node:http calls these on real sockets; harmless no-ops here.
    const sock = d as Duplex & Record<string, unknown>;
    sock['setTimeout'] = () => d;
    sock['setNoDelay'] = () => d;
    sock['setKeepAlive'] = () => d;
    sock['remoteAddress'] = '10.244.0.99';
    sock['remotePort'] = 40000;
    return d;
  };
  ends.push(make(0), make(1));
  return [ends[0] as Duplex, ends[1] as Duplex];
}

export interface ConnectLogEntry {
  readonly from: string;
  readonly ip: string;
  readonly port: number;
  readonly outcome: 'connected' | 'refused' | 'dropped' | 'aborted';
}

export interface UdpLogEntry {
  readonly from: string;
  readonly ip: string;
  readonly port: number;
  readonly payload: Buffer;
  readonly outcome: 'answered' | 'dropped' | 'refused';
}

/** Handles one datagram; undefined means no reply (the sender times out). */
export type UdpResponder = (payload: Buffer, from: string) => Buffer | undefined | Promise<Buffer | undefined>;

export class FakeNetwork {
  private readonly tcp = new Map<string, (socket: Duplex) => void>();
  private readonly udp = new Map<string, UdpResponder>();
  /** Connection attempts, in order. */
  readonly connects: ConnectLogEntry[] = [];
  /** Datagrams sent, in order. */
  readonly datagrams: UdpLogEntry[] = [];
  /** Destinations ("ip:port" or "ip:*") whose TCP SYNs are silently dropped. */
  readonly dropTcp = new Set<string>();
  /** Destinations ("ip:port" or "ip:*") whose UDP datagrams are silently dropped. */
  readonly dropUdp = new Set<string>();

  constructor(private readonly clock: Clock) {}

  /** Accepts TCP connections on ip:port; `onSocket` gets the server end. */
  listen(ip: string, port: number, onSocket: (socket: Duplex) => void): void {
    this.tcp.set(`${ip}:${port}`, onSocket);
  }

  /** Serves HTTP on ip:port with a node:http server; returns it. */
  listenHttp(ip: string, port: number, handler: http.RequestListener): http.Server {
    const server = http.createServer(handler);
    this.listen(ip, port, (sock) => server.emit('connection', sock));
    return server;
  }

  /** Answers UDP datagrams sent to ip:port. */
  listenUdp(ip: string, port: number, responder: UdpResponder): void {
    this.udp.set(`${ip}:${port}`, responder);
  }

  private dropped(set: ReadonlySet<string>, ip: string, port: number): boolean {
    return set.has(`${ip}:${port}`) || set.has(`${ip}:*`);
  }

  private waitOut(ms: number, signal: AbortSignal | undefined): Promise<never> {
    return this.clock.sleep(ms, signal).then(
      () => Promise.reject(netError('ETIMEDOUT')),
      () => Promise.reject(abortError()),
    );
  }

  /** The ProcessNet a pod with address `localIp` sees. */
  netFor(localIp: string): ProcessNet {
    return {
      localIp,
      connectTcp: async (ip: string, port: number, opts: ConnectOptions = {}): Promise<Duplex> => {
        if (opts.signal?.aborted) throw abortError();
        await Promise.resolve();
        if (this.dropped(this.dropTcp, ip, port)) {
          this.connects.push({ from: localIp, ip, port, outcome: 'dropped' });
          return this.waitOut(opts.timeoutMs ?? 127_000, opts.signal);
        }
        const listener = this.tcp.get(`${ip}:${port}`);
        if (!listener) {
          this.connects.push({ from: localIp, ip, port, outcome: 'refused' });
          throw netError('ECONNREFUSED');
        }
        this.connects.push({ from: localIp, ip, port, outcome: 'connected' });
        const [client, server] = duplexPair();
        listener(server);
        return client;
      },
      udpExchange: async (ip: string, port: number, payload: Buffer, opts: UdpOptions): Promise<Buffer> => {
        if (opts.signal?.aborted) throw abortError();
        await Promise.resolve();
        const responder = this.udp.get(`${ip}:${port}`);
        if (this.dropped(this.dropUdp, ip, port)) {
          this.datagrams.push({ from: localIp, ip, port, payload, outcome: 'dropped' });
          return this.waitOut(opts.timeoutMs, opts.signal);
        }
        if (!responder) {
          this.datagrams.push({ from: localIp, ip, port, payload, outcome: 'refused' });
          throw netError('ECONNREFUSED');
        }
        const reply = await responder(payload, localIp);
        this.datagrams.push({ from: localIp, ip, port, payload, outcome: reply ? 'answered' : 'dropped' });
        if (!reply) return this.waitOut(opts.timeoutMs, opts.signal);
        return reply;
      },
    };
  }
}
