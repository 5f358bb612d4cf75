/**
 * @module dataplane/host-listeners
 * The node side of the dataplane: real sockets on the node IPs (loopback
 * addresses) for NodePorts and LoadBalancer IPs, each accepted connection
 * forwarded into the virtual pod network to the same address and port, where the
 * service translation (kube-proxy's rules) picks the endpoint and applies SNAT.
 * `sync(desired)` opens what is missing and closes what is no longer wanted; a
 * port that cannot be bound is reported with the reason, never silently skipped.
 *
 *   curl -> 127.0.10.3:30080 (real) -> net.connect(src=client, dst=127.0.10.3:30080)
 *        -> translate (NodePort -> pod, SNAT to the node IP) -> policy -> pod
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { PodNetwork } from './index.js';

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

type Live = { spec: HostListenerSpec; tcp?: Server; udp?: UdpSocket; error?: string; boundPort?: number };

// Port 0 (any free port) listeners are told apart by what they serve.
const keyOf = (s: HostListenerSpec) => `${s.protocol}/${s.ip}:${s.port}${s.port === 0 ? `/${s.what}` : ''}`;

function remedy(code: string | undefined, spec: HostListenerSpec): string {
  if (code === 'EADDRINUSE') return `${spec.ip}:${spec.port} is already in use by another program on this machine; stop it or choose another port`;
  if (code === 'EACCES') return `binding port ${spec.port} needs privileges: run kwire as root, or allow it with \`sudo sysctl net.ipv4.ip_unprivileged_port_start=${spec.port}\``;
  if (code === 'EADDRNOTAVAIL') return `${spec.ip} is not an address of this machine`;
  return code ?? 'unknown error';
}

export class HostListeners {
  private readonly live = new Map<string, Live>();
  private readonly sockets = new Set<Socket>();

  constructor(private readonly net: Pick<PodNetwork, 'connect' | 'udpExchange'>) {}

  /** Brings the open listeners in line with `desired`; resolves when all binds have settled. */
  async sync(desired: ReadonlyArray<HostListenerSpec>): Promise<void> {
    const want = new Map(desired.map((d) => [keyOf(d), d] as const));
    const closing: Promise<void>[] = [];
    for (const [k, l] of this.live) {
      if (!want.has(k)) {
        this.live.delete(k);
        closing.push(this.close(l));
      }
    }
    const opening: Promise<void>[] = [];
    for (const [k, d] of want) {
      const cur = this.live.get(k);
      if (cur) {
        cur.spec = d;
        continue;
      }
      const l: Live = { spec: d };
      this.live.set(k, l);
      opening.push(d.protocol === 'TCP' ? this.openTcp(l) : this.openUdp(l));
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

  private openTcp(l: Live, port = l.spec.port): Promise<void> {
    return new Promise((resolve) => {
      const server = createServer((client) => this.forward(l.spec, client));
      server.once('error', (e: NodeJS.ErrnoException) => {
        const why = remedy(e.code, l.spec);
        if (l.spec.fallbackPort !== undefined && port !== l.spec.fallbackPort) {
          void this.openTcp(l, l.spec.fallbackPort).then(() => {
            if (!l.error) l.error = undefined;
            if (l.tcp) l.error = `${why}; listening on port ${l.spec.fallbackPort} instead`;
            resolve();
          });
          return;
        }
        l.error = why;
        resolve();
      });
      server.listen(port, l.spec.ip, () => {
        l.tcp = server;
        const a = server.address();
        l.boundPort = typeof a === 'object' && a ? a.port : port;
        resolve();
      });
    });
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
      sock.once('error', (e: NodeJS.ErrnoException) => {
        l.error = remedy(e.code, l.spec);
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
        l.udp = sock;
        resolve();
      });
    });
  }

  private close(l: Live): Promise<void> {
    return new Promise((resolve) => {
      if (l.tcp) l.tcp.close(() => resolve());
      else if (l.udp) l.udp.close(() => resolve());
      else resolve();
    });
  }

  async closeAll(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const all = [...this.live.values()];
    this.live.clear();
    await Promise.all(all.map((l) => this.close(l)));
  }
}
