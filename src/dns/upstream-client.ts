/**
 * @module dns/upstream-client
 * A small DNS client over real sockets, for the forward plugin's upstream and
 * for tests: one query over UDP (a fresh random id, the answer must carry it),
 * retried over TCP when the answer comes back truncated, bounded by a timeout.
 * It sends only to the address it is given.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { DecodedPacket, Packet } from 'dns-packet';
import type { Upstream } from './forward-plugin.js';
import { FLAG, hasFlag } from './message.js';

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

function withTimeout<T>(ms: number, start: (done: (v: T) => void, fail: (e: Error) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let cleanup: () => void = () => {};
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`DNS query timed out after ${ms} ms`));
    }, ms);
    const finish = (f: () => void) => {
      clearTimeout(timer);
      cleanup();
      f();
    };
    cleanup = start(
      (v) => finish(() => resolve(v)),
      (e) => finish(() => reject(e)),
    );
  });
}

/** Sends `query` bytes over UDP and resolves with the first reply whose id matches. */
export function udpExchange(server: ServerAddress, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return withTimeout<Buffer>(timeoutMs, (done, fail) => {
    const sock = dgram.createSocket(net.isIPv6(server.host) ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    sock.on('message', (msg) => {
      if (msg.length >= 2 && msg.readUInt16BE(0) === id) done(msg);
    });
    sock.on('error', fail);
    sock.send(query, server.port, server.host, (err) => err && fail(err));
    return () => sock.close();
  });
}

/** Sends one length-prefixed query over a new TCP connection and resolves with the reply. */
export function tcpExchange(server: ServerAddress, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return withTimeout<Buffer>(timeoutMs, (done, fail) => {
    const sock = net.connect(server.port, server.host);
    let buf = Buffer.alloc(0);
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(query.length);
      sock.write(Buffer.concat([len, query]));
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed before a reply')));
    return () => sock.destroy();
  });
}

/** One query to a server: UDP first, TCP when the UDP answer is truncated (or `tcp` is asked for). */
export async function queryServer(server: ServerAddress, query: Packet, opts: { timeoutMs?: number; tcp?: boolean } = {}): Promise<DecodedPacket> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const bytes = dnsPacket.encode({ ...query, id: randomInt(0, 65536), type: 'query' });
  if (!opts.tcp) {
    const udp = dnsPacket.decode(await udpExchange(server, bytes, timeoutMs));
    if (!hasFlag(udp, FLAG.TC)) return udp;
  }
  return dnsPacket.decode(await tcpExchange(server, bytes, timeoutMs));
}

/** An upstream for the forward plugin that asks a real DNS server (the protocol the client used is not kept). */
export function dnsUpstream(server: ServerAddress, opts: { timeoutMs?: number } = {}): Upstream {
  return (query) => queryServer(server, query, opts);
}
