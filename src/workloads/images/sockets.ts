/**
 * @module workloads/images/sockets
 *
 * A container's sockets, as its network namespace holds them: what listens
 * on which port, reachable from the pod network on the pod IP (through the
 * dataplane: translation, policy, flow records) and from inside the
 * container on 127.0.0.1 (in-process, never through the dataplane: loopback
 * traffic is not subject to NetworkPolicy and leaves no flow). kwire's node IPs
 * and LoadBalancer IPs, though in 127.0.0.0/8, are not the container's
 * (`ContainerNet.podRoute`): binding one fails as binding a foreign address does.
 *
 * ```
 *   listenTcp(':8080') ──> dataplane listener on podIp:8080   <── other pods, Services
 *                     └──> loopback entry 127.0.0.1:8080      <── connectTcp('127.0.0.1') in this container
 * ```
 *
 * Errors use Go's wording ("listen tcp :8080: bind: address already in use").
 */
import { VirtualSocket } from '../../dataplane/index.js';
import type { ConnectionHandler, ConnectionInfo, TcpListener, UdpBinding, UdpMessageHandler } from '../../dataplane/index.js';
import type { ContainerNet, ListenAddress, Listening, ListeningPort } from './types.js';

type Scope = 'all' | 'pod' | 'loopback';

interface TcpEntry {
  readonly scope: Scope;
  readonly handler: ConnectionHandler;
  readonly allowHalfOpen: boolean;
  readonly listener: TcpListener | undefined;
  /** Accepted loopback connections, destroyed on close. */
  readonly loops: Set<VirtualSocket>;
}

interface UdpEntry {
  readonly scope: Scope;
  readonly handler: UdpMessageHandler;
  readonly binding: UdpBinding | undefined;
}

/** An Error with an errno code, as Go reports listen failures. */
export interface SocketError extends Error {
  readonly code: 'EADDRINUSE' | 'EADDRNOTAVAIL';
}

function socketError(code: SocketError['code'], message: string): SocketError {
  const e = new Error(message) as Error & { code: SocketError['code'] };
  e.code = code;
  return e;
}

const isLoopback = (ip: string): boolean => ip.startsWith('127.') || ip === '::1' || ip === 'localhost';

/** The sockets of one container (one network namespace). */
export class ContainerSockets {
  readonly #tcp = new Map<number, TcpEntry>();
  readonly #udp = new Map<number, UdpEntry>();
  #nextEphemeral = 40000;

  constructor(
    private readonly net: ContainerNet,
    readonly podIp: string,
  ) {}

  #scope(proto: 'tcp' | 'udp', addr: ListenAddress): Scope {
    const h = addr.host;
    if (h === '' || h === '0.0.0.0' || h === '::' || h === '[::]') return 'all';
    if (h === this.podIp) return 'pod';
    // 127.0.0.0/8 but kwire's node IPs and LoadBalancer IPs (not the pod's: EADDRNOTAVAIL, as on a real node's IP).
    if (this.net.podRoute(h) === 'loopback') return 'loopback';
    throw socketError('EADDRNOTAVAIL', `listen ${proto} ${h}:${addr.port}: bind: cannot assign requested address`);
  }

  /** Listens on addr; throws a SocketError when the port is taken or the address is not the pod's. */
  listenTcp(addr: ListenAddress, handler: ConnectionHandler, allowHalfOpen: boolean): Listening {
    const scope = this.#scope('tcp', addr);
    const port = addr.port;
    if (this.#tcp.has(port)) throw socketError('EADDRINUSE', `listen tcp ${addr.host}:${port}: bind: address already in use`);
    let listener: TcpListener | undefined;
    if (scope !== 'loopback') {
      try {
        listener = this.net.listen(this.podIp, port, handler, { allowHalfOpen });
      } catch {
        throw socketError('EADDRINUSE', `listen tcp ${addr.host}:${port}: bind: address already in use`);
      }
    }
    const entry: TcpEntry = { scope, handler, allowHalfOpen, listener, loops: new Set() };
    this.#tcp.set(port, entry);
    let closed = false;
    return {
      port,
      close: () => {
        if (closed) return;
        closed = true;
        if (this.#tcp.get(port) === entry) this.#tcp.delete(port);
        entry.listener?.close();
        entry.listener?.destroyConnections();
        for (const s of [...entry.loops]) s.destroy();
      },
    };
  }

  /** Binds a UDP port. */
  bindUdp(addr: ListenAddress, handler: UdpMessageHandler): Listening {
    const scope = this.#scope('udp', addr);
    const port = addr.port;
    if (this.#udp.has(port)) throw socketError('EADDRINUSE', `listen udp ${addr.host}:${port}: bind: address already in use`);
    let binding: UdpBinding | undefined;
    if (scope !== 'loopback') {
      try {
        binding = this.net.bindUdp(this.podIp, port, handler);
      } catch {
        throw socketError('EADDRINUSE', `listen udp ${addr.host}:${port}: bind: address already in use`);
      }
    }
    const entry: UdpEntry = { scope, handler, binding };
    this.#udp.set(port, entry);
    let closed = false;
    return {
      port,
      close: () => {
        if (closed) return;
        closed = true;
        if (this.#udp.get(port) === entry) this.#udp.delete(port);
        entry.binding?.close();
      },
    };
  }

  /** What listens now. */
  listening(): ListeningPort[] {
    const addr = (s: Scope): string => (s === 'all' ? '0.0.0.0' : s === 'pod' ? this.podIp : '127.0.0.1');
    const out: ListeningPort[] = [];
    for (const [port, e] of this.#tcp) out.push({ port, protocol: 'TCP', address: addr(e.scope) });
    for (const [port, e] of this.#udp) out.push({ port, protocol: 'UDP', address: addr(e.scope) });
    return out.sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
  }

  /** True when the pod IP accepts on `port` (what a kubelet tcpSocket probe dials). */
  isListening(port: number, protocol: 'TCP' | 'UDP'): boolean {
    const e = protocol === 'TCP' ? this.#tcp.get(port) : this.#udp.get(port);
    return e !== undefined && e.scope !== 'loopback';
  }

  /**
   * True when `ip` is in the loopback range (127.0.0.0/8, ::1, localhost). Whether
   * a pod's dial there stays in the container is `ContainerNet.podRoute`'s answer:
   * kwire's node IPs and LoadBalancer IPs are in that range too.
   */
  static isLoopback(ip: string): boolean {
    return isLoopback(ip);
  }

  /**
   * Dials 127.0.0.1:port inside the container. Resolves with the connected
   * client socket; rejects with an ECONNREFUSED-coded Error when nothing listens there.
   */
  connectLoopback(port: number): Promise<VirtualSocket> {
    const e = this.#tcp.get(port);
    if (e === undefined || e.scope === 'pod') {
      const err = new Error('connect ECONNREFUSED') as Error & { code: string };
      err.code = 'ECONNREFUSED';
      return Promise.reject(err);
    }
    const local = this.#ephemeral();
    const client = new VirtualSocket({ localAddress: '127.0.0.1', localPort: local, remoteAddress: '127.0.0.1', remotePort: port, connecting: true });
    const server = new VirtualSocket({
      localAddress: '127.0.0.1',
      localPort: port,
      remoteAddress: '127.0.0.1',
      remotePort: local,
      allowHalfOpen: e.allowHalfOpen,
    });
    VirtualSocket.link(client, server);
    e.loops.add(server);
    server.once('close', () => e.loops.delete(server));
    const info: ConnectionInfo = {
      src: { ip: '127.0.0.1', port: local },
      origin: { ip: '127.0.0.1', port: local },
      dst: { ip: '127.0.0.1', port },
      dialled: { ip: '127.0.0.1', port },
      flowId: 0,
    };
    return new Promise((resolve) => {
      setImmediate(() => {
        e.handler(server, info);
        client.established();
        resolve(client);
      });
    });
  }

  /** Sends one datagram to 127.0.0.1:port and resolves with the first reply; undefined when nothing is bound (ICMP unreachable). */
  udpLoopback(port: number, payload: Buffer): Promise<Buffer> | undefined {
    const e = this.#udp.get(port);
    if (e === undefined || e.scope === 'pod') return undefined;
    const local = this.#ephemeral();
    return new Promise((resolve) => {
      setImmediate(() =>
        e.handler(payload, { address: '127.0.0.1', port: local, family: 'IPv4', size: payload.length }, (reply) => {
          setImmediate(() => resolve(reply));
        }),
      );
    });
  }

  #ephemeral(): number {
    const p = this.#nextEphemeral++;
    if (this.#nextEphemeral > 60999) this.#nextEphemeral = 40000;
    return p;
  }
}
