/**
 * @module dataplane/http
 * Glue between `node:http` and the virtual network, for workloads and the
 * ingress proxy: an `http.Agent` whose connections are virtual (keep-alive
 * pooling works as usual), a `createConnection` function for one-off
 * `http.request`s, and `serveHttp` to put an `http.Server` on a pod IP:port.
 *
 * ```
 *   http.request({ agent: new VirtualHttpAgent(net, { srcIp }) , host: '10.96.0.20', port: 80 })
 *      -> agent.createConnection -> net.createConnection (connecting socket, timeouts apply)
 *      -> ... virtual TCP ...
 *      -> listener -> server.emit('connection', socket)   (serveHttp)
 * ```
 *
 * Host names are resolved only through the `resolve` the caller provides (the
 * cluster resolver); this module knows nothing of DNS.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { isIPv4 } from './address-book.js';
import { netError, toError } from './errors.js';
import type { PodNetwork } from './pod-network.js';
import type { TcpListener } from './tcp-stack.js';

/** Resolves a host name to an IPv4 address (the cluster resolver). */
export type HostResolver = (hostname: string) => Promise<string>;

/** How a workload's HTTP client dials. */
export interface ConnectorOptions {
  /** The IP requests come from (the pod's IP). `localAddress` on a request overrides it. */
  readonly srcIp: string;
  /** Resolves non-IP hosts; without it they fail with ENOTFOUND. */
  readonly resolve?: HostResolver;
  /** Connect timeout for new connections (a dropped flow fails with ETIMEDOUT). Default: none. */
  readonly connectTimeoutMs?: number;
}

/** The signature `http.request({ createConnection })` and `http.Agent#createConnection` use. */
export type CreateConnection = (
  options: http.ClientRequestArgs,
  callback?: (err: Error | null, stream: Duplex) => void,
) => Duplex | null | undefined;

/**
 * A `createConnection` for `http.request`: dials from `srcIp` over the virtual
 * network. IP hosts get a socket at once (so `timeout` covers connecting, as
 * with net); names go through `resolve` and the callback.
 */
export function virtualConnector(network: PodNetwork, opts: ConnectorOptions): CreateConnection {
  return (options, callback) => {
    const host = options.host ?? options.hostname ?? 'localhost';
    const port = Number(options.port ?? options.defaultPort ?? 80);
    const srcIp = options.localAddress ?? opts.srcIp;
    const dial = (ip: string): Duplex =>
      network.createConnection({
        srcIp,
        dstIp: ip,
        dstPort: port,
        ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
        ...(opts.connectTimeoutMs !== undefined ? { timeoutMs: opts.connectTimeoutMs } : {}),
      });
    if (isIPv4(host)) return dial(host);
    const resolve = opts.resolve;
    const fail = (err: Error): undefined => {
      if (callback === undefined) throw err;
      callback(err, undefined as unknown as Duplex); // node:http ignores the stream on error
      return undefined;
    };
    if (resolve === undefined || callback === undefined) return fail(netError('ENOTFOUND', 'getaddrinfo', host));
    resolve(host).then(
      (ip) => {
        let s: Duplex;
        try {
          s = dial(ip);
        } catch (e) {
          fail(toError(e));
          return;
        }
        callback(null, s);
      },
      (e: unknown) => fail(toError(e)),
    );
    return undefined;
  };
}

/** Options of `VirtualHttpAgent`: the usual agent options plus how to dial. */
export interface VirtualAgentOptions extends http.AgentOptions, ConnectorOptions {}

/** An `http.Agent` over the virtual network; pass `keepAlive: true` to pool connections. */
export class VirtualHttpAgent extends http.Agent {
  readonly #connect: CreateConnection;

  constructor(network: PodNetwork, opts: VirtualAgentOptions) {
    const { srcIp, resolve, connectTimeoutMs, ...agentOptions } = opts;
    super(agentOptions);
    this.#connect = virtualConnector(network, {
      srcIp,
      ...(resolve !== undefined ? { resolve } : {}),
      ...(connectTimeoutMs !== undefined ? { connectTimeoutMs } : {}),
    });
  }

  override createConnection(
    options: http.ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    return this.#connect(options, callback);
  }
}

/** An http.Server served on a virtual ip:port. */
export interface HttpServing {
  readonly listener: TcpListener;
  readonly server: http.Server;
  /** Stops accepting and destroys every open connection (as when a pod goes away). */
  close(): void;
}

/**
 * Serves `server` (or a request handler) on ip:port of the virtual network.
 * Connections are handed to the server as `net.Server` would; the server is
 * never bound to a real socket.
 */
export function serveHttp(
  network: PodNetwork,
  ip: string,
  port: number,
  server: http.Server | http.RequestListener,
): HttpServing {
  const srv = typeof server === 'function' ? http.createServer(server) : server;
  const listener = network.listen(ip, port, (socket) => srv.emit('connection', socket), { allowHalfOpen: true });
  return {
    listener,
    server: srv,
    close(): void {
      listener.close();
      listener.destroyConnections();
    },
  };
}
