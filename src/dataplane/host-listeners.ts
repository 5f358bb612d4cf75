/**
 * @module dataplane/host-listeners
 * The node side of the dataplane: real sockets on the node IPs (loopback
 * addresses) for NodePorts and LoadBalancer IPs, each accepted connection
 * forwarded into the virtual pod network to the same address and port, where the
 * service translation (kube-proxy's rules) picks the endpoint and applies SNAT.
 * `sync(desired)` opens what is missing and closes what is no longer wanted; a
 * port that cannot be bound is reported with the reason, never silently skipped,
 * and retried with backoff while it is wanted, so freeing the port (stopping the
 * program that held it) brings the listener up without touching the Service.
 *
 *   curl -> 127.0.10.3:30080 (real) -> net.connect(src=client, dst=127.0.10.3:30080)
 *        -> translate (NodePort -> pod, SNAT to the node IP) -> policy -> pod
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { PodNetwork } from './index.js';
import { realTimers, type NetTimer, type NetTimers } from './timers.js';

export interface HostListenerSpec {
  readonly ip: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  /** What it serves, for `kwire status` (e.g. "NodePort networking-lab/backend-nodeport"). */
  readonly what: string;
  /**
   * Where connections go in the pod network; default the same address and port
   * (NodePort, LoadBalancer). The ingress ports of 127.0.0.1 go to the controller
   * pod, as kind's port mappings do.
   */
  readonly forwardTo?: () => { readonly ip: string; readonly port: number } | undefined;
  /** A port to try when `port` cannot be bound (e.g. 8080 for 80 without privileges). */
  readonly fallbackPort?: number;
}

export interface HostListenerState {
  readonly ip: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  readonly what: string;
  /** The port actually bound when the wanted one was refused and the fallback worked. */
  readonly boundPort?: number;
  /** Why it could not be bound, with the remedy; absent when it listens. */
  readonly error?: string;
}

export interface HostListenersOptions {
  /**
   * Called when a retry changed what `state()` reports (the listener bound, or failed
   * for another reason). Not called for what `sync()` does: its caller awaits it.
   */
  readonly onChange?: () => void;
  /** The wait before the first retry of a failed bind, in ms (default 1000); doubled after each failure. */
  readonly retryMs?: number;
  /** The longest wait between two retries, in ms (default 16000). */
  readonly maxRetryMs?: number;
  /** Where retry timers come from (default Node's; they are unref'd, so they keep no process alive). */
  readonly timers?: NetTimers;
}

type Live = {
  spec: HostListenerSpec;
  tcp?: Server;
  udp?: UdpSocket;
  error?: string;
  boundPort?: number;
  /** The bind in progress: closing waits for it, so no socket outlives its listener. */
  opening?: Promise<void>;
  /** The pending retry of a failed bind, and the wait before the next one. */
  retry?: NetTimer;
  retryMs: number;
  /** No longer wanted (sync or closeAll): no more retries. */
  gone: boolean;
};

type TcpBind = { readonly ok: true; readonly server: Server; readonly port: number } | { readonly ok: false; readonly code: string | undefined };

// Port 0 (any free port) listeners are told apart by what they serve.
const keyOf = (s: HostListenerSpec) => `${s.protocol}/${s.ip}:${s.port}${s.port === 0 ? `/${s.what}` : ''}`;

function remedy(code: string | undefined, ip: string, port: number): string {
  if (code === 'EADDRINUSE') return `${ip}:${port} is already in use by another program on this machine; stop it or choose another port`;
  if (code === 'EACCES') return `binding port ${port} needs privileges: run kwire as root, or allow it with \`sudo sysctl net.ipv4.ip_unprivileged_port_start=${port}\``;
  if (code === 'EADDRNOTAVAIL') return `${ip} is not an address of this machine`;
  return code ?? 'unknown error';
}

export class HostListeners {
  private readonly live = new Map<string, Live>();
  private readonly sockets = new Set<Socket>();
  private readonly onChange: () => void;
  private readonly firstRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly timers: NetTimers;

  constructor(
    private readonly net: Pick<PodNetwork, 'connect' | 'udpExchange'>,
    opts: HostListenersOptions = {},
  ) {
    this.onChange = opts.onChange ?? (() => undefined);
    this.firstRetryMs = opts.retryMs ?? 1000;
    this.maxRetryMs = Math.max(opts.maxRetryMs ?? 16_000, this.firstRetryMs);
    this.timers = opts.timers ?? realTimers;
  }

  /** Brings the open listeners in line with `desired`; resolves when all binds have settled. */
  async sync(desired: ReadonlyArray<HostListenerSpec>): Promise<void> {
    const want = new Map(desired.map((d) => [keyOf(d), d] as const));
    const closing: Promise<void>[] = [];
    for (const [k, l] of this.live) {
      if (!want.has(k)) {
        this.live.delete(k);
        closing.push(this.retire(l));
      }
    }
    const opening: Promise<void>[] = [];
    for (const [k, d] of want) {
      const cur = this.live.get(k);
      if (cur) {
        cur.spec = d;
        continue;
      }
      const l: Live = { spec: d, retryMs: this.firstRetryMs, gone: false };
      this.live.set(k, l);
      opening.push(this.attempt(l));
    }
    await Promise.all([...closing, ...opening]);
  }

  /** Every listener kwire wants, with the bind error where there is one. */
  state(): HostListenerState[] {
    return [...this.live.values()].map((l) => ({
      ip: l.spec.ip,
      port: l.spec.port,
      protocol: l.spec.protocol,
      what: l.spec.what,
      ...(l.boundPort !== undefined && l.boundPort !== l.spec.port ? { boundPort: l.boundPort } : {}),
      ...(l.error ? { error: l.error } : {}),
    }));
  }

  /** One bind attempt; a failure schedules the next one unless the listener is gone. */
  private async attempt(l: Live): Promise<void> {
    l.opening = l.spec.protocol === 'TCP' ? this.openTcp(l) : this.openUdp(l);
    await l.opening;
    l.opening = undefined;
    if (!l.gone && !l.tcp && !l.udp) this.scheduleRetry(l);
  }

  private scheduleRetry(l: Live): void {
    const ms = l.retryMs;
    l.retryMs = Math.min(ms * 2, this.maxRetryMs);
    l.retry = this.timers.set(() => void this.retry(l), ms);
    // A cluster's servers keep its process alive; a pending retry alone must not.
    l.retry.unref();
  }

  private async retry(l: Live): Promise<void> {
    l.retry = undefined;
    if (l.gone) return;
    const before = l.error;
    await this.attempt(l);
    if (!l.gone && l.error !== before) this.onChange();
  }

  private async openTcp(l: Live): Promise<void> {
    const { ip, port, fallbackPort } = l.spec;
    const first = await this.listenTcp(l, port);
    if (first.ok) return this.boundTcp(l, first.server, first.port, undefined);
    const why = remedy(first.code, ip, port);
    if (fallbackPort === undefined || fallbackPort === port) return this.failed(l, why);
    const second = await this.listenTcp(l, fallbackPort);
    if (second.ok) return this.boundTcp(l, second.server, second.port, `${why}; listening on port ${fallbackPort} instead`);
    this.failed(l, `${why}; the fallback port ${fallbackPort} failed too: ${remedy(second.code, ip, fallbackPort)}`);
  }

  private listenTcp(l: Live, port: number): Promise<TcpBind> {
    return new Promise((resolve) => {
      const server = createServer((client) => this.forward(l.spec, client));
      // Stays attached: a later server error (after listening) must not crash the process.
      server.on('error', (e: NodeJS.ErrnoException) => resolve({ ok: false, code: e.code }));
      server.listen(port, l.spec.ip, () => {
        const a = server.address();
        resolve({ ok: true, server, port: typeof a === 'object' && a ? a.port : port });
      });
    });
  }

  private boundTcp(l: Live, server: Server, port: number, note: string | undefined): void {
    l.tcp = server;
    l.boundPort = port;
    l.error = note;
  }

  private failed(l: Live, why: string): void {
    l.boundPort = undefined;
    l.error = why;
  }

  private forward(spec: HostListenerSpec, client: Socket): void {
    this.sockets.add(client);
    // No Nagle: a response written in pieces (headers, then body) must not wait for the
    // client's delayed ACK (~40 ms per request otherwise), as http.Server's sockets do.
    client.setNoDelay(true);
    client.on('close', () => this.sockets.delete(client));
    client.on('error', () => client.destroy());
    client.pause();
    const ac = new AbortController();
    client.once('close', () => ac.abort());
    const dst = spec.forwardTo ? spec.forwardTo() : { ip: spec.ip, port: spec.port };
    if (!dst) {
      client.resetAndDestroy();
      return;
    }
    this.net
      .connect({ srcIp: client.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1', srcPort: client.remotePort, dstIp: dst.ip, dstPort: dst.port, signal: ac.signal })
      .then((upstream) => {
        upstream.on('error', () => client.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      })
      .catch((e: NodeJS.ErrnoException) => {
        // Refused (no endpoints) resets the client as kube-proxy's REJECT does.
        if (e.code === 'ECONNREFUSED') client.resetAndDestroy();
        else client.destroy();
      });
  }

  private openUdp(l: Live): Promise<void> {
    return new Promise((resolve) => {
      const sock = createSocket('udp4');
      let bound = false;
      sock.on('error', (e: NodeJS.ErrnoException) => {
        if (bound) return; // a send error later must not crash the process
        this.failed(l, remedy(e.code, l.spec.ip, l.spec.port));
        sock.close();
        resolve();
      });
      sock.on('message', (msg, rinfo) => {
        this.net
          .udpExchange({ srcIp: rinfo.address, srcPort: rinfo.port, dstIp: l.spec.ip, dstPort: l.spec.port, timeoutMs: 5000 }, msg)
          .then((reply) => sock.send(reply, rinfo.port, rinfo.address))
          .catch(() => undefined);
      });
      sock.bind(l.spec.port, l.spec.ip, () => {
        bound = true;
        l.udp = sock;
        l.error = undefined;
        resolve();
      });
    });
  }

  /** Stops retrying and closes the sockets, once a bind in progress has settled. */
  private async retire(l: Live): Promise<void> {
    l.gone = true;
    l.retry?.clear();
    l.retry = undefined;
    await l.opening;
    await new Promise<void>((resolve) => {
      if (l.tcp) l.tcp.close(() => resolve());
      else if (l.udp) l.udp.close(() => resolve());
      else resolve();
    });
  }

  async closeAll(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.all(all.map((l) => this.retire(l)));
  }
}
