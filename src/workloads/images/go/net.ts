/**
 * @module workloads/images/go/net
 *
 * Go's `net` package as the emulated Go binaries need it, with Go's error
 * texts: `net.SplitHostPort`, resolving a host with Go's pure resolver
 * (glibc-like search order over /etc/resolv.conf, through the workloads'
 * stub resolver), and dialling TCP with a timeout that classifies the
 * failure (timeout, refused, other).
 *
 * ```
 *   SplitHostPort("web:80")  -> {host: "web", port: "80"}
 *   resolve("web")           -> "10.96.12.34" | "lookup web on 10.96.0.10:53: no such host"
 *   dialTcp(ip, port, 1s)    -> socket | timeout | refused | other("dial tcp 10.0.0.1:80: connect: no route to host")
 * ```
 */
import type { Duplex } from 'node:stream';
import type { ProcessContext } from '../../process.js';
import { isAbortError, isNetError } from '../../process.js';
import { parseResolvConf } from '../../resolver/resolv-conf.js';
import { resolveHost } from '../../resolver/resolver.js';

/** net.SplitHostPort. */
export function splitHostPort(hostport: string): { ok: true; host: string; port: string } | { ok: false; error: string } {
  const missing = { ok: false as const, error: `address ${hostport}: missing port in address` };
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) return { ok: false, error: `address ${hostport}: missing ']' in address` };
    if (hostport[end + 1] !== ':') return end + 1 === hostport.length ? missing : { ok: false, error: `address ${hostport}: missing port in address` };
    return { ok: true, host: hostport.slice(1, end), port: hostport.slice(end + 2) };
  }
  const i = hostport.lastIndexOf(':');
  if (i < 0) return missing;
  const host = hostport.slice(0, i);
  if (host.includes(':')) return { ok: false, error: `address ${hostport}: too many colons in address` };
  return { ok: true, host, port: hostport.slice(i + 1) };
}

/** The first nameserver of /etc/resolv.conf as "ip:53", for Go's DNS error texts. */
export function nameserverOf(ctx: ProcessContext): string {
  const conf = parseResolvConf(ctx.files.read('/etc/resolv.conf')?.toString('utf8'), 'glibc');
  return `${conf.nameservers[0] ?? '127.0.0.1'}:53`;
}

/** A plausible ephemeral source port for Go's "read udp a:p->b:q" texts (the dataplane picks the real one). */
export function ephemeralPort(): number {
  return 32768 + Math.floor(Math.random() * 28000);
}

export type GoResolve = { readonly ok: true; readonly ip: string } | { readonly ok: false; readonly error: string };

/** Resolves `host` to an IPv4 address as Go's resolver would; errors in Go's wording ("lookup x on ns: no such host"). */
export async function goResolve(ctx: ProcessContext, host: string, signal?: AbortSignal): Promise<GoResolve> {
  if (host === '' || host === 'localhost') return { ok: true, ip: '127.0.0.1' };
  const r = await resolveHost(ctx, host, { libc: 'glibc', family: 4, ...(signal !== undefined ? { signal } : {}) });
  if (r.ok) {
    const v4 = r.addresses.find((a) => a.family === 4);
    if (v4) return { ok: true, ip: v4.address };
    return { ok: false, error: `lookup ${host} on ${nameserverOf(ctx)}: no such host` };
  }
  const ns = nameserverOf(ctx);
  switch (r.error) {
    case 'timeout':
      return { ok: false, error: `lookup ${host} on ${ns}: read udp ${ctx.net.localIp}:${ephemeralPort()}->${ns}: i/o timeout` };
    case 'servfail':
      return { ok: false, error: `lookup ${host} on ${ns}: server misbehaving` };
    case 'aborted':
      return { ok: false, error: `lookup ${host}: operation was canceled` };
    default:
      return { ok: false, error: `lookup ${host} on ${ns}: no such host` };
  }
}

/** A port as Go's resolver takes it: a number, or a few service names. */
export function goPort(port: string, proto: 'tcp' | 'udp'): { ok: true; port: number } | { ok: false; error: string } {
  if (/^[0-9]+$/.test(port)) {
    const n = Number(port);
    if (n > 65535) return { ok: false, error: `address ${port}: invalid port` };
    return { ok: true, port: n };
  }
  const named: Readonly<Record<string, number>> = { http: 80, https: 443, domain: 53 };
  const n = named[port];
  return n === undefined ? { ok: false, error: `lookup ${proto}/${port}: unknown port` } : { ok: true, port: n };
}

export type DialResult =
  | { readonly kind: 'connected'; readonly socket: Duplex }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'refused' }
  | { readonly kind: 'other'; readonly error: string }
  | { readonly kind: 'aborted' };

/**
 * net.DialTimeout("tcp", ip:port, timeout): `timeoutMs` 0 waits as the
 * kernel does (ETIMEDOUT after ~127 s, still a timeout to Go).
 */
export async function dialTcp(ctx: ProcessContext, ip: string, port: number, timeoutMs: number, signal: AbortSignal): Promise<DialResult> {
  const ctl = new AbortController();
  const onAbort = (): void => ctl.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = new AbortController();
  let timedOut = false;
  if (timeoutMs > 0) {
    ctx.clock.sleep(timeoutMs, timer.signal).then(
      () => {
        timedOut = true;
        ctl.abort();
      },
      () => undefined,
    );
  }
  try {
    const socket = await ctx.net.connectTcp(ip, port, { signal: ctl.signal });
    return { kind: 'connected', socket };
  } catch (e) {
    if (timedOut) return { kind: 'timeout' };
    if (isAbortError(e) || signal.aborted) return { kind: 'aborted' };
    if (isNetError(e)) {
      if (e.code === 'ETIMEDOUT') return { kind: 'timeout' };
      if (e.code === 'ECONNREFUSED') return { kind: 'refused' };
      const text: Readonly<Record<string, string>> = {
        EHOSTUNREACH: 'no route to host',
        ENETUNREACH: 'network is unreachable',
        ECONNRESET: 'connection reset by peer',
      };
      return { kind: 'other', error: `dial tcp ${ip}:${port}: connect: ${text[e.code] ?? e.message}` };
    }
    return { kind: 'other', error: `dial tcp ${ip}:${port}: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    timer.abort();
    signal.removeEventListener('abort', onAbort);
  }
}
