/**
 * @module workloads/images/agnhost/connect
 *
 * `agnhost connect <host:port> [--timeout=1s] [--protocol=tcp|udp|sctp]
 * [--udp-data=hostname]` (connect/connect.go): exit 0 when the connection
 * succeeds; otherwise exit 1 with a fixed prefix on stderr that the upstream
 * NetworkPolicy e2e tests parse:
 *
 * | outcome                     | stderr                                          |
 * | --------------------------- | ----------------------------------------------- |
 * | SYN dropped (timeout)       | `TIMEOUT`                                       |
 * | refused                     | `REFUSED`                                       |
 * | name does not resolve       | `DNS: lookup x on 10.96.0.10:53: no such host`  |
 * | bad address                 | `UNKNOWN: address x: missing port in address`   |
 * | anything else               | `OTHER: dial tcp ...: connect: no route to host`|
 *
 * UDP sends `--udp-data` + "\n" and waits for a reply (TIMEOUT/REFUSED with
 * Go's "read udp a->b" detail). SCTP is not emulated and says so.
 */
import { isAbortError, isNetError } from '../../process.js';
import { put } from '../../streams.js';
import { dialTcp, ephemeralPort, goPort, goResolve, splitHostPort } from '../go/net.js';
import type { FlagDefs, FlagValue } from '../go/flags.js';
import type { ContainerContext } from '../types.js';

export const CONNECT_FLAGS: FlagDefs = {
  timeout: { kind: 'duration', default: 0, usage: 'Maximum time before returning an error' },
  protocol: { kind: 'string', default: 'tcp', usage: 'The protocol to use to perform the connection, can be tcp, udp or sctp' },
  'udp-data': { kind: 'string', default: 'hostname', usage: 'The UDP payload send to the server' },
  'sctp-data': { kind: 'string', default: 'hostname', usage: 'The SCTP payload send to the server' },
};

/** Runs connect with parsed flags and its one argument. */
export async function connect(ctx: ContainerContext, dest: string, flags: Readonly<Record<string, FlagValue>>): Promise<number> {
  const timeoutMs = Number(flags['timeout']) / 1e6;
  const protocol = String(flags['protocol']);
  const fail = (s: string): number => {
    put(ctx.stderr, s);
    return 1;
  };
  switch (protocol) {
    case '':
    case 'tcp':
      return connectTcp(ctx, dest, timeoutMs, fail);
    case 'udp':
      return connectUdp(ctx, dest, timeoutMs, String(flags['udp-data']), fail);
    case 'sctp':
      return fail('OTHER: kwire does not emulate SCTP on the virtual pod network\n');
    default:
      return fail(`Unsupported protocol\n${protocol}`);
  }
}

async function resolveAddr(ctx: ContainerContext, dest: string, proto: 'tcp' | 'udp'): Promise<{ ok: true; ip: string; port: number } | { ok: false; error: string }> {
  const hp = splitHostPort(dest);
  if (!hp.ok) return { ok: false, error: hp.error };
  const port = goPort(hp.port, proto);
  if (!port.ok) return { ok: false, error: port.error };
  const r = await goResolve(ctx, hp.host, ctx.signal);
  if (!r.ok) return { ok: false, error: r.error };
  return { ok: true, ip: r.ip, port: port.port };
}

async function connectTcp(ctx: ContainerContext, dest: string, timeoutMs: number, fail: (s: string) => number): Promise<number> {
  const hp = splitHostPort(dest);
  if (!hp.ok) return fail(`UNKNOWN: ${hp.error}\n`);
  const addr = await resolveAddr(ctx, dest, 'tcp');
  if (!addr.ok) return fail(`DNS: ${addr.error}\n`);
  const r = await dialTcp(ctx, addr.ip, addr.port, timeoutMs, ctx.signal);
  switch (r.kind) {
    case 'connected':
      r.socket.destroy();
      return 0;
    case 'timeout':
      return fail('TIMEOUT\n');
    case 'refused':
      return fail('REFUSED\n');
    case 'other':
      return fail(`OTHER: ${r.error}\n`);
    case 'aborted':
      return ctx.signal.reason === 'SIGINT' ? 130 : 143;
  }
}

async function connectUdp(ctx: ContainerContext, dest: string, timeoutMs: number, data: string, fail: (s: string) => number): Promise<number> {
  const addr = await resolveAddr(ctx, dest, 'udp');
  if (!addr.ok) return fail(`DNS: ${addr.error}\n`);
  const conn = `${ctx.net.localIp}:${ephemeralPort()}->${addr.ip}:${addr.port}`;
  try {
    const reply = await ctx.net.udpExchange(addr.ip, addr.port, Buffer.from(`${data}\n`), {
      timeoutMs: timeoutMs > 0 ? timeoutMs : 2 ** 31 - 1,
      signal: ctx.signal,
    });
    if (reply.length === 0) return fail('OTHER: No data received from the server. Cannot guarantee the server received the request.\n');
    return 0;
  } catch (e) {
    if (isAbortError(e)) return ctx.signal.reason === 'SIGINT' ? 130 : 143;
    if (isNetError(e) && e.code === 'ETIMEDOUT') return fail(`TIMEOUT: read udp ${conn}: i/o timeout\n`);
    if (isNetError(e) && e.code === 'ECONNREFUSED') return fail(`REFUSED: read udp ${conn}: read: connection refused\n`);
    return fail(`UNKNOWN: read udp ${conn}: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}
