/**
 * @module workloads/busybox/net-applets
 *
 * The network-inspection applets: `ip addr|route|link`, `ifconfig`, `ping`
 * (resolves, then says plainly that ICMP is not emulated) and `nc` (TCP
 * connect with -z -v -w, piping stdin/stdout otherwise; busybox nc_bloaty
 * wording: "host (10.96.12.34:80) open", "nc: host (ip:port): Connection
 * timed out"). Listening (nc -l) and UDP (nc -u) are refused with a message.
 */
import type { Duplex } from 'node:stream';
import type { ProcessContext } from '../process.js';
import { NET_ERROR_TEXT, isNetError, signalExitCode } from '../process.js';
import { resolveHost } from '../resolver/resolver.js';
import { readAll } from '../streams.js';
import { linkSignals, race } from '../timing.js';
import { err, fail, out, showUsage } from './applet.js';
import { countOpt, lastOpt, parseArgs } from './getopt.js';

/** Interface facts derived from the pod IP (a /24 per node, as kindnet assigns). */
export function podInterface(ip: string): { mac: string; brd: string; gateway: string; net: string; ifIndex: number } {
  const o = ip.split('.').map((x) => Number(x) || 0);
  const [a = 0, b = 0, c = 0, d = 0] = o;
  const hex = (n: number): string => n.toString(16).padStart(2, '0');
  return {
    mac: `0a:58:${hex(a)}:${hex(b)}:${hex(c)}:${hex(d)}`,
    brd: `${a}.${b}.${c}.255`,
    gateway: `${a}.${b}.${c}.1`,
    net: `${a}.${b}.${c}.0/24`,
    ifIndex: (d % 200) + 4,
  };
}

const IP_USAGE = `ip [OPTIONS] address|route|link|tunnel|neigh|rule [ARGS]

OPTIONS := -f[amily] inet|inet6|link | -o[neline]`;

/** ip address|route|link [show] */
export async function ip(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const args = argv.slice(1).filter((a) => !a.startsWith('-'));
  const obj = args[0] ?? '';
  const local = ctx.net.localIp;
  const f = podInterface(local);
  const lo =
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\n' +
    '    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n';
  const eth = `2: eth0@if${f.ifIndex}: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue \n` + `    link/ether ${f.mac} brd ff:ff:ff:ff:ff:ff\n`;
  if (obj === '' ) return showUsage(ctx, IP_USAGE);
  if ('address'.startsWith(obj) || obj === 'addr') {
    out(
      ctx,
      lo +
        '    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n' +
        '    inet6 ::1/128 scope host \n       valid_lft forever preferred_lft forever\n' +
        eth +
        `    inet ${local}/24 brd ${f.brd} scope global eth0\n       valid_lft forever preferred_lft forever\n`,
    );
    return 0;
  }
  if ('link'.startsWith(obj)) {
    out(ctx, lo + eth);
    return 0;
  }
  if ('route'.startsWith(obj)) {
    out(ctx, `default via ${f.gateway} dev eth0 \n${f.net} via ${f.gateway} dev eth0 src ${local} \n${f.gateway} dev eth0 scope link src ${local} \n`);
    return 0;
  }
  return fail(ctx, 'ip', `'ip ${obj}' is not emulated by kwire (try ip addr, ip route, ip link)`);
}

/** ifconfig [-a] [IFACE] */
export async function ifconfig(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const local = ctx.net.localIp;
  const f = podInterface(local);
  const eth0 =
    `eth0      Link encap:Ethernet  HWaddr ${f.mac.toUpperCase()}  \n` +
    `          inet addr:${local}  Bcast:${f.brd}  Mask:255.255.255.0\n` +
    '          UP BROADCAST RUNNING MULTICAST  MTU:1500  Metric:1\n' +
    '          RX packets:0 errors:0 dropped:0 overruns:0 frame:0\n' +
    '          TX packets:0 errors:0 dropped:0 overruns:0 carrier:0\n' +
    '          collisions:0 txqueuelen:0 \n' +
    '          RX bytes:0 (0.0 B)  TX bytes:0 (0.0 B)\n\n';
  const lo =
    'lo        Link encap:Local Loopback  \n' +
    '          inet addr:127.0.0.1  Mask:255.0.0.0\n' +
    '          inet6 addr: ::1/128 Scope:Host\n' +
    '          UP LOOPBACK RUNNING  MTU:65536  Metric:1\n' +
    '          RX packets:0 errors:0 dropped:0 overruns:0 frame:0\n' +
    '          TX packets:0 errors:0 dropped:0 overruns:0 carrier:0\n' +
    '          collisions:0 txqueuelen:1000 \n' +
    '          RX bytes:0 (0.0 B)  TX bytes:0 (0.0 B)\n\n';
  const iface = argv.slice(1).find((a) => !a.startsWith('-'));
  if (iface === undefined) out(ctx, eth0 + lo);
  else if (iface === 'eth0') out(ctx, eth0);
  else if (iface === 'lo') out(ctx, lo);
  else {
    err(ctx, `ifconfig: ${iface}: error fetching interface information: Device not found\n`);
    return 1;
  }
  return 0;
}

/** ping HOST: resolves like busybox, then explains that ICMP is not emulated. */
export async function ping(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const p = parseArgs(
    'ping',
    argv.slice(1),
    ['4', '6', 'q', 'n'].map((f) => ({ name: f, short: f })).concat(['c', 's', 't', 'w', 'W', 'i', 'I', 'p'].map((f) => ({ name: f, short: f, arg: 'required' as const }))),
    { libc: ctx.libc },
  );
  const host = p.ok ? p.operands[0] : undefined;
  if (!p.ok || host === undefined) return showUsage(ctx, 'ping [OPTIONS] HOST\n\nSend ICMP ECHO_REQUESTs to HOST', p.ok ? undefined : p.message);
  const r = await resolveHost(ctx, host, { family: p.opts.has('6') ? 6 : 4, signal: ctx.signal });
  if (!r.ok) {
    if (r.error === 'aborted') return signalExitCode(ctx.signal.reason);
    return fail(ctx, 'ping', `bad address '${host}'`);
  }
  const addr = r.addresses[0]?.address ?? host;
  out(ctx, `PING ${host} (${addr}): ${Number(lastOpt(p, 's') ?? 56)} data bytes\n`);
  err(
    ctx,
    `ping: kwire does not emulate ICMP, so ping gets no replies in the pod network.\n` +
      `ping: test reachability over TCP instead: nc -zv -w 2 ${host} PORT, or wget -qO- -T 2 http://${host}:PORT\n`,
  );
  return 1;
}

const SERVICES: Readonly<Record<string, number>> = { http: 80, https: 443, domain: 53, dns: 53, ssh: 22, ftp: 21, smtp: 25, telnet: 23, mysql: 3306, postgresql: 5432, redis: 6379 };

const NC_USAGE = `nc [OPTIONS] HOST PORT  - connect
nc [OPTIONS] -l -p PORT [HOST] [PORT]  - listen

	-e PROG	Run PROG after connect (must be last)
	-l	Listen mode, for inbound connects
	-lk	With -e, provides persistent server
	-p PORT	Local port
	-s ADDR	Local address
	-w SEC	Timeout for connects and final net reads
	-i SEC	Delay interval for lines sent
	-n	Don't do DNS resolution
	-u	UDP mode
	-b	Allow broadcasts
	-v	Verbose
	-o FILE	Hex dump traffic
	-z	Zero-I/O mode (scanning)`;

/** nc [-nuvz] [-w SEC] HOST PORT */
export async function nc(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const p = parseArgs(
    'nc',
    argv.slice(1),
    ['n', 'u', 'v', 'l', 'k', 'z', 'b'].map((f) => ({ name: f, short: f })).concat(['p', 's', 'w', 'i', 'o', 'e'].map((f) => ({ name: f, short: f, arg: 'required' as const }))),
    { libc: ctx.libc },
  );
  if (!p.ok) return showUsage(ctx, NC_USAGE, p.message);
  if (p.opts.has('l')) return fail(ctx, 'nc', 'listening (nc -l) is not emulated by kwire: pods get listeners from their image (http-echo, nginx, agnhost)');
  if (p.opts.has('u')) return fail(ctx, 'nc', 'UDP mode (nc -u) is not emulated by kwire; use nslookup to test DNS');
  const [host, portArg] = p.operands;
  if (host === undefined || portArg === undefined || p.operands.length > 2) return showUsage(ctx, NC_USAGE);
  const port = /^\d+$/.test(portArg) ? Number(portArg) : SERVICES[portArg];
  if (port === undefined || port > 65535) return fail(ctx, 'nc', `bad port '${portArg}'`);
  const verbose = countOpt(p, 'v');
  const waitArg = lastOpt(p, 'w');
  const wait = waitArg === undefined ? 0 : Number(waitArg);
  if (!Number.isInteger(wait) || wait < 0) return fail(ctx, 'nc', `invalid number '${waitArg ?? ''}'`);
  const r = await resolveHost(ctx, host, { signal: ctx.signal });
  if (!r.ok) {
    if (r.error === 'aborted') return signalExitCode(ctx.signal.reason);
    return fail(ctx, 'nc', `bad address '${host}'`);
  }
  const addr = r.addresses[0]?.address ?? host;
  const dotted = addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
  const ctl = new AbortController();
  let socket: Duplex;
  try {
    const c = await race(ctx.clock, wait > 0 ? wait * 1000 : undefined, ctx.signal, ctx.net.connectTcp(addr, port, { signal: ctl.signal }), () => ctl.abort());
    if (c.kind === 'aborted') return signalExitCode(ctx.signal.reason);
    if (c.kind === 'timeout') {
      if (verbose) err(ctx, `nc: ${host} (${dotted}): ${NET_ERROR_TEXT.ETIMEDOUT}\n`);
      return 1;
    }
    socket = c.value;
  } catch (e) {
    if (!isNetError(e)) throw e;
    if (verbose > 1 || (verbose && e.code !== 'ECONNREFUSED')) err(ctx, `nc: ${host} (${dotted}): ${NET_ERROR_TEXT[e.code]}\n`);
    return 1;
  }
  if (verbose) err(ctx, `${host} (${dotted}) open\n`);
  if (p.opts.has('z')) {
    socket.destroy();
    return 0;
  }
  return pump(ctx, socket, wait);
}

/** readwrite(): stdin to the peer, the peer to stdout, until both sides are done. */
async function pump(ctx: ProcessContext, socket: Duplex, wait: number): Promise<number> {
  let lastNet = ctx.clock.now();
  const netDone = new Promise<void>((resolve) => {
    socket.on('data', (c: Buffer) => {
      lastNet = ctx.clock.now();
      out(ctx, c);
    });
    socket.once('end', () => resolve());
    socket.once('close', () => resolve());
    socket.once('error', () => resolve());
  });
  const stdinCtl = linkSignals([ctx.signal]);
  const stdinDone = readAll(ctx.stdin, stdinCtl.signal)
    .then((data) => {
      if (data.length) socket.write(data);
      socket.end();
    })
    .catch(() => undefined);
  await Promise.race([stdinDone, netDone]);
  for (;;) {
    const waitMs = wait > 0 ? Math.max(0, wait * 1000 - (ctx.clock.now() - lastNet)) : undefined;
    const r = await race(ctx.clock, waitMs, ctx.signal, netDone);
    if (r.kind === 'aborted') {
      socket.destroy();
      stdinCtl.abort();
      stdinCtl.dispose();
      return signalExitCode(ctx.signal.reason);
    }
    if (r.kind === 'value') break;
    if (ctx.clock.now() - lastNet >= wait * 1000) break;
  }
  socket.destroy();
  stdinCtl.abort();
  stdinCtl.dispose();
  return 0;
}
