/**
 * @module dataplane/tcp-stack
 * Virtual TCP: listeners keyed by ip:port, and dialling through the connect
 * path (see connect-path.ts) to a linked pair of `VirtualSocket`s.
 *
 * ```
 *   createConnection(opts) ──> client socket (connecting) returned at once
 *        │ decidePath: translate -> policy -> ownership     (one flow record)
 *        ├─ refused / no listener ─ nextTick ─> client 'error' ECONNREFUSED
 *        ├─ error (a hook threw)  ─ nextTick ─> client 'error' (that error)
 *        ├─ dropped ──────────────────────────> nothing; `timeoutMs` -> ETIMEDOUT,
 *        │                                      `signal` / destroy() -> aborted
 *        ├─ deliver ─ setImmediate ─> server socket (remote = src or SNAT)
 *        │                            -> listener's onConnection(server, info)
 *        │                            -> client 'connect'
 *        └─ deliver to a host address (a Service endpoint on 127.0.0.0/8) ─> hostDialer.dial()
 *                                     -> real socket piped to a linked server socket
 *                                     -> client 'connect' (ECONNREFUSED when nothing listens)
 *                                     (see host-dialer.ts; its flow record is appended when the dial settles)
 * ```
 *
 * No wildcard (0.0.0.0) listeners: a pod's workload listens on its pod IP.
 */
import { isIPv4 } from './address-book.js';
import { decidePath, flowRecordOf, nothingListensReason, peerOf, type PathDecision } from './connect-path.js';
import type { NetworkCore } from './core.js';
import { abortError, netError, toError } from './errors.js';
import { bridge } from './host-dialer.js';
import { PortAllocator } from './port-allocator.js';
import type { FlowVerdict } from './flow-log.js';
import type { Address, Peer, ServiceRef } from './types.js';
import { VirtualSocket } from './virtual-socket.js';

/** What a listener learns about a new connection. */
export interface ConnectionInfo {
  /** The source as the server sees it (after SNAT); equals `socket.remoteAddress/remotePort`. */
  readonly src: Peer;
  /** The originating workload before SNAT (equal to `src` without SNAT). */
  readonly origin: Peer;
  /** The listener's ip:port (the endpoint). */
  readonly dst: Address;
  /** What the client dialled (a ClusterIP:port when through a Service). */
  readonly dialled: Address;
  readonly service?: ServiceRef;
  /** The flow record's id. */
  readonly flowId: number;
}

/** Accepts a connection. The socket is already linked; wire it up synchronously. */
export type ConnectionHandler = (socket: VirtualSocket, info: ConnectionInfo) => void;

export interface ListenOptions {
  /**
   * As `net.createServer`'s: whether the accepted socket stays writable after the
   * client's EOF. Default false. Use true for `node:http` servers (as http.Server does).
   */
  readonly allowHalfOpen?: boolean;
}

/** A listening port. */
export interface TcpListener {
  readonly ip: string;
  readonly port: number;
  /** Connections accepted and still open. */
  readonly connections: number;
  readonly closed: boolean;
  /** Stops accepting (new dials get ECONNREFUSED). Open connections stay, as with `net.Server.close`. */
  close(): void;
  /** Destroys every open accepted connection (peers see a reset if data was in flight, else EOF). */
  destroyConnections(): void;
}

/** How to dial. */
export interface ConnectOptions {
  readonly srcIp: string;
  /** Omitted: an ephemeral port on `srcIp`. */
  readonly srcPort?: number;
  readonly dstIp: string;
  readonly dstPort: number;
  /** Connect timeout: a dropped attempt fails with ETIMEDOUT after this long. None: waits until aborted. */
  readonly timeoutMs?: number;
  /** Idle timeout set on the socket at once, as `net.connect`'s `timeout` option ('timeout' event only). */
  readonly timeout?: number;
  /** Aborts the attempt (or the connection) with an AbortError. */
  readonly signal?: AbortSignal;
  /** As net's; default false. */
  readonly allowHalfOpen?: boolean;
}

class Listener implements TcpListener {
  closed = false;
  readonly sockets = new Set<VirtualSocket>();
  constructor(
    readonly ip: string,
    readonly port: number,
    readonly allowHalfOpen: boolean,
    readonly onConnection: ConnectionHandler,
    private readonly onClose: (l: Listener) => void,
  ) {}
  get connections(): number {
    return this.sockets.size;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this);
  }
  destroyConnections(): void {
    for (const s of [...this.sockets]) s.destroy();
  }
}

function checkPort(port: number, what: string, allowZero: boolean): void {
  if (!Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    const e = new RangeError(`${what} should be >= ${allowZero ? 0 : 1} and < 65536. Received ${String(port)}.`) as RangeError & {
      code: string;
    };
    e.code = 'ERR_SOCKET_BAD_PORT';
    throw e;
  }
}

function checkIp(ip: string, what: string): void {
  if (!isIPv4(ip)) throw new TypeError(`${what} must be an IPv4 address, got ${JSON.stringify(ip)}`);
}

const key = (ip: string, port: number): string => `${ip}:${port}`;

/** The TCP half of the network. */
export class TcpStack {
  readonly #core: NetworkCore;
  readonly #listeners = new Map<string, Listener>();
  readonly #ports = new PortAllocator();

  constructor(core: NetworkCore) {
    this.#core = core;
  }

  /** Listens on ip:port (port 0: an ephemeral one). Throws EADDRINUSE when taken. */
  listen(ip: string, port: number, onConnection: ConnectionHandler, opts: ListenOptions = {}): TcpListener {
    checkIp(ip, 'listen address');
    checkPort(port, 'Port', true);
    const p = port === 0 ? this.#ports.allocate(ip, (q) => this.#listeners.has(key(ip, q))) : port;
    const k = key(ip, p);
    if (this.#listeners.has(k)) throw netError('EADDRINUSE', 'listen', ip, p);
    const l = new Listener(ip, p, opts.allowHalfOpen ?? false, onConnection, (gone) => {
      if (this.#listeners.get(k) === gone) this.#listeners.delete(k);
      if (port === 0) this.#ports.release(ip, p);
    });
    this.#listeners.set(k, l);
    return l;
  }

  /** The listener on ip:port, if any. */
  listenerAt(ip: string, port: number): TcpListener | undefined {
    return this.#listeners.get(key(ip, port));
  }

  /**
   * Dials like `net.createConnection`: returns the socket at once, in `connecting`
   * state; it emits 'connect', or 'error' (ECONNREFUSED, ETIMEDOUT, AbortError).
   * Writes made meanwhile are sent once connected. Throws only on bad arguments.
   */
  createConnection(opts: ConnectOptions): VirtualSocket {
    const core = this.#core;
    checkIp(opts.srcIp, 'srcIp');
    checkIp(opts.dstIp, 'dstIp');
    checkPort(opts.dstPort, 'Port', false);
    if (opts.srcPort !== undefined) checkPort(opts.srcPort, 'srcPort', false);
    if (opts.timeoutMs !== undefined && !(opts.timeoutMs >= 0)) throw new RangeError(`timeoutMs must be >= 0, got ${opts.timeoutMs}`);
    const { srcIp, dstIp, dstPort } = opts;
    let srcPort: number;
    if (opts.srcPort === undefined) {
      srcPort = this.#ports.allocate(srcIp, (q) => this.#listeners.has(key(srcIp, q)));
    } else {
      srcPort = opts.srcPort;
      if (!this.#ports.claim(srcIp, srcPort)) throw netError('EADDRINUSE', 'connect', srcIp, srcPort);
    }
    const socket = new VirtualSocket({
      allowHalfOpen: opts.allowHalfOpen ?? false,
      localAddress: srcIp,
      localPort: srcPort,
      remoteAddress: dstIp,
      remotePort: dstPort,
      connecting: true,
    });
    const signal = opts.signal;
    const onAbort = (): void => {
      socket.destroy(abortError(signal?.reason));
    };
    socket.setTeardown(() => {
      this.#ports.release(srcIp, srcPort);
      signal?.removeEventListener('abort', onAbort);
    });
    if (opts.timeout !== undefined && opts.timeout > 0) socket.setTimeout(opts.timeout);
    if (signal !== undefined) {
      if (signal.aborted) {
        process.nextTick(onAbort);
        return socket;
      }
      signal.addEventListener('abort', onAbort, { once: true });
    }

    const src = peerOf(core.book, { ip: srcIp, port: srcPort });
    const dst: Address = { ip: dstIp, port: dstPort };
    const d = decidePath(core, 'TCP', src, dst);
    const now = core.now();
    switch (d.kind) {
      case 'error': {
        core.flows.append(flowRecordOf(now, 'TCP', src, dst, d, undefined));
        process.nextTick(() => socket.destroy(d.error));
        return socket;
      }
      case 'refused': {
        core.flows.append(flowRecordOf(now, 'TCP', src, dst, d, undefined));
        process.nextTick(() => socket.destroy(netError('ECONNREFUSED', 'connect', dstIp, dstPort)));
        return socket;
      }
      case 'dropped': {
        core.flows.append(flowRecordOf(now, 'TCP', src, dst, d, d.snat === undefined ? undefined : { ip: d.snat.ip, port: d.snat.port ?? 0 }));
        this.#armConnectTimeout(socket, opts.timeoutMs, dstIp, dstPort);
        return socket;
      }
      case 'deliver':
        break;
      default: {
        const never: never = d;
        throw new Error(`unexpected decision ${JSON.stringify(never)}`);
      }
    }
    if (d.host === true) return this.#dialHost(socket, d, src, dst, now, opts.timeoutMs);
    const listener = this.#listeners.get(key(d.endpoint.ip, d.endpoint.port));
    if (listener === undefined) {
      core.flows.append(
        flowRecordOf(now, 'TCP', src, dst, d, undefined, 'refused', nothingListensReason('TCP', d)),
      );
      process.nextTick(() => socket.destroy(netError('ECONNREFUSED', 'connect', dstIp, dstPort)));
      return socket;
    }
    // SNAT source, fixed now so the record shows it.
    let seen: Peer = src;
    let snatPort = 0;
    if (d.snat !== undefined) {
      const sIp = d.snat.ip;
      if (d.snat.port !== undefined) snatPort = d.snat.port;
      else {
        try {
          snatPort = this.#ports.allocate(sIp, (q) => this.#listeners.has(key(sIp, q)));
        } catch (e) {
          core.flows.append(flowRecordOf(now, 'TCP', src, dst, d, undefined, 'error', `SNAT ports exhausted on ${sIp}`));
          process.nextTick(() => socket.destroy(toError(e)));
          return socket;
        }
      }
      seen = peerOf(core.book, { ip: sIp, port: snatPort });
    }
    const record = core.flows.append(
      flowRecordOf(now, 'TCP', src, dst, d, d.snat === undefined ? undefined : { ip: seen.ip, port: seen.port }),
    );
    this.#armConnectTimeout(socket, opts.timeoutMs, dstIp, dstPort);
    setImmediate(() => this.#accept(socket, listener, d, src, seen, dst, record.id, d.snat !== undefined && d.snat.port === undefined));
    return socket;
  }

  /** Dials and resolves with the connected socket; rejects with the socket's error. */
  connect(opts: ConnectOptions): Promise<VirtualSocket> {
    return new Promise<VirtualSocket>((resolve, reject) => {
      let socket: VirtualSocket;
      try {
        socket = this.createConnection(opts);
      } catch (e) {
        reject(toError(e));
        return;
      }
      const onError = (err: Error): void => {
        cleanup();
        reject(err);
      };
      const onClose = (): void => {
        cleanup();
        reject(netError('ECONNRESET', 'connect', opts.dstIp, opts.dstPort));
      };
      const onConnect = (): void => {
        cleanup();
        resolve(socket);
      };
      const cleanup = (): void => {
        socket.off('error', onError);
        socket.off('close', onClose);
        socket.off('connect', onConnect);
      };
      socket.on('error', onError);
      socket.on('close', onClose);
      socket.on('connect', onConnect);
    });
  }

  #armConnectTimeout(socket: VirtualSocket, timeoutMs: number | undefined, dstIp: string, dstPort: number): void {
    if (timeoutMs === undefined) return;
    const t = this.#core.timers.set(() => {
      if (socket.connecting) socket.destroy(netError('ETIMEDOUT', 'connect', dstIp, dstPort));
    }, timeoutMs);
    socket.adoptTimer(t);
  }

  /** A Service endpoint on a host address: a real connection through the host dialer, piped to the client. */
  #dialHost(client: VirtualSocket, d: Extract<PathDecision, { kind: 'deliver' }>, src: Peer, dst: Address, now: number, timeoutMs: number | undefined): VirtualSocket {
    const core = this.#core;
    const ep = d.endpoint;
    const at = `host ${ep.ip}:${ep.port}`;
    const record = (verdict: FlowVerdict | undefined, reason: string, seen?: Address): void => {
      core.flows.append(flowRecordOf(now, 'TCP', src, dst, d, seen, verdict, reason));
    };
    const dialer = core.hostDialer;
    if (dialer === undefined) {
      record('dropped', `no pod or node owns ${ep.ip}`);
      this.#armConnectTimeout(client, timeoutMs, dst.ip, dst.port);
      return client;
    }
    const ac = new AbortController();
    client.once('close', () => ac.abort());
    this.#armConnectTimeout(client, timeoutMs, dst.ip, dst.port);
    dialer.dial({ ip: ep.ip, port: ep.port, signal: ac.signal }).then(
      (conn) => {
        const seen = conn.localAddress !== undefined && conn.localPort !== undefined ? { ip: conn.localAddress, port: conn.localPort } : undefined;
        if (client.destroyed) {
          conn.stream.destroy();
          record('error', `the client gave up while ${at} was being dialled`, seen);
          return;
        }
        record(undefined, `established (${at})`, seen);
        const server = new VirtualSocket({ allowHalfOpen: true, localAddress: ep.ip, localPort: ep.port, remoteAddress: src.ip, remotePort: src.port });
        VirtualSocket.link(client, server);
        bridge(server, conn.stream);
        client.established();
      },
      (e: unknown) => {
        const err = toError(e);
        if (client.destroyed) {
          record('error', `the client gave up while ${at} was being dialled`);
          return;
        }
        if ((err as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
          record('refused', `nothing listens on ${at}`);
          client.destroy(netError('ECONNREFUSED', 'connect', dst.ip, dst.port));
        } else {
          record('error', `dialling ${at} failed: ${err.message}`);
          client.destroy(err);
        }
      },
    );
    return client;
  }

  #accept(
    client: VirtualSocket,
    listener: Listener,
    d: Extract<PathDecision, { kind: 'deliver' }>,
    origin: Peer,
    seen: Peer,
    dialled: Address,
    flowId: number,
    snatAllocated: boolean,
  ): void {
    const releaseSnat = (): void => {
      if (snatAllocated) this.#ports.release(seen.ip, seen.port);
    };
    if (client.destroyed) {
      releaseSnat();
      return;
    }
    if (listener.closed) {
      releaseSnat();
      client.destroy(netError('ECONNREFUSED', 'connect', dialled.ip, dialled.port));
      return;
    }
    const server = new VirtualSocket({
      allowHalfOpen: listener.allowHalfOpen,
      localAddress: d.endpoint.ip,
      localPort: d.endpoint.port,
      remoteAddress: seen.ip,
      remotePort: seen.port,
    });
    VirtualSocket.link(client, server);
    listener.sockets.add(server);
    server.setTeardown(() => {
      listener.sockets.delete(server);
      releaseSnat();
    });
    const info: ConnectionInfo = {
      src: seen,
      origin,
      dst: { ip: d.endpoint.ip, port: d.endpoint.port },
      dialled,
      ...(d.service !== undefined ? { service: d.service } : {}),
      flowId,
    };
    try {
      listener.onConnection(server, info);
    } catch (e) {
      this.#core.onHandlerError(toError(e));
      server.resetAndDestroy(); // no 'error' on a socket nobody listens to; the client sees ECONNRESET
    }
    client.established();
  }
}
