/**
 * @module dns/host-server
 * Cluster DNS as a real server on the host: UDP and TCP on one port of
 * 127.0.0.1 (port 0 picks a free one; `port` reports it), so `dig @127.0.0.1 -p`,
 * dnsperf and any stub resolver can ask it. Each message goes through
 * dns/wire (EDNS, truncation, FORMERR/NOTIMP) into the plugin chain.
 *
 *   UDP datagram  -> serveWire -> reply datagram (or nothing: dropped)
 *   TCP stream    -> [len][msg][len][msg]... -> replies in order on the same
 *                    connection; a message that must be dropped, a zero length,
 *                    or `idleTimeoutMs` without traffic closes the connection
 *
 * It binds nothing but the given host and never crashes on input: socket errors
 * end only the connection they belong to. `close()` stops both listeners and
 * drops every open connection.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Handler } from './chain.js';
import { serveWire } from './wire.js';

export interface HostDnsServerOptions {
  readonly handler: Handler;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: a free port (the same number for UDP and TCP). */
  readonly port?: number;
  /** TCP connections idle this long are closed; default 10000 ms. */
  readonly idleTimeoutMs?: number;
}

export interface HostDnsServer {
  readonly host: string;
  /** The bound port (UDP and TCP). */
  readonly port: number;
  close(): Promise<void>;
}

const MAX_BIND_TRIES = 20;

function listenTcp(server: net.Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onErr = (e: Error) => reject(e);
    server.once('error', onErr);
    server.listen({ port, host, exclusive: true }, () => {
      server.removeListener('error', onErr);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}

function bindUdp(sock: dgram.Socket, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onErr = (e: Error) => reject(e);
    sock.once('error', onErr);
    sock.bind({ port, address: host, exclusive: true }, () => {
      sock.removeListener('error', onErr);
      resolve();
    });
  });
}

function closeTcp(server: net.Server): Promise<void> {
  return new Promise((r) => server.close(() => r()));
}

function closeUdp(sock: dgram.Socket): Promise<void> {
  return new Promise((r) => {
    try {
      sock.close(() => r());
    } catch {
      r();
    }
  });
}

export async function startHostDnsServer(opts: HostDnsServerOptions): Promise<HostDnsServer> {
  const host = opts.host ?? '127.0.0.1';
  const idle = opts.idleTimeoutMs ?? 10_000;
  const sockets = new Set<net.Socket>();
  const family = net.isIPv6(host) ? 'udp6' : 'udp4';

  const makeTcp = () =>
    net.createServer((conn) => {
      sockets.add(conn);
      serveTcp(conn, opts.handler, idle, () => sockets.delete(conn));
    });
  const makeUdp = () => {
    const s = dgram.createSocket(family);
    s.on('message', (msg, rinfo) => {
      void serveWire(opts.handler, msg, { protocol: 'udp', clientIp: rinfo.address }).then((out) => {
        if (out) s.send(out, rinfo.port, rinfo.address, () => {});
      });
    });
    return s;
  };

  let tcp: net.Server | undefined;
  let udp: dgram.Socket | undefined;
  let port = opts.port ?? 0;
  for (let attempt = 0; ; attempt++) {
    tcp = makeTcp();
    udp = makeUdp();
    try {
      port = await listenTcp(tcp, host, opts.port ?? 0);
      await bindUdp(udp, host, port);
      break;
    } catch (e) {
      await closeTcp(tcp).catch(() => {});
      await closeUdp(udp);
      const inUse = (e as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!inUse || (opts.port ?? 0) !== 0 || attempt + 1 >= MAX_BIND_TRIES) throw e;
    }
  }
  const tcpServer = tcp;
  const udpSocket = udp;
  // Errors after start-up (e.g. ICMP unreachable reported on send) must not crash the process.
  udpSocket.on('error', () => {});
  tcpServer.on('error', () => {});
  let closed = false;
  return {
    host,
    port,
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.destroy();
      await Promise.all([closeTcp(tcpServer), closeUdp(udpSocket)]);
    },
  };
}

/** Serves DNS over one TCP connection: length-prefixed messages, replies in order. */
function serveTcp(conn: net.Socket, handler: Handler, idleMs: number, onClose: () => void): void {
  let buf: Buffer = Buffer.alloc(0);
  let queue: Promise<void> = Promise.resolve();
  const clientIp = conn.remoteAddress ?? '';
  conn.setTimeout(idleMs, () => conn.destroy());
  conn.on('error', () => conn.destroy());
  conn.on('close', onClose);
  conn.on('data', (d: Buffer) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    while (buf.length >= 2) {
      const len = buf.readUInt16BE(0);
      if (len === 0) {
        conn.destroy();
        return;
      }
      if (buf.length < 2 + len) break;
      const msg = Buffer.from(buf.subarray(2, 2 + len));
      buf = buf.subarray(2 + len);
      queue = queue.then(async () => {
        if (conn.destroyed) return;
        const out = await serveWire(handler, msg, { protocol: 'tcp', clientIp });
        if (conn.destroyed) return;
        if (!out) {
          conn.destroy();
          return;
        }
        const head = Buffer.alloc(2);
        head.writeUInt16BE(out.length);
        conn.write(Buffer.concat([head, out]));
      });
    }
  });
}
