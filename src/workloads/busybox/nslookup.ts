/**
 * @module workloads/busybox/nslookup
 *
 * busybox 1.36 `nslookup` (the "big" one, with its own resolver code): it
 * reads nameserver and search from /etc/resolv.conf but ignores ndots, sends
 * every query at once (A then AAAA, one per search domain for a dot-less
 * name; the name alone otherwise; PTR for an address) and prints each reply
 * as it arrives:
 *
 * ```
 * Server:		10.96.0.10
 * Address:	10.96.0.10:53
 *
 * Name:	backend-clusterip.networking-lab.svc.cluster.local
 * Address: 10.96.12.34
 *
 * ** server can't find backend-clusterip.svc.cluster.local: NXDOMAIN
 * ```
 *
 * Any non-NOERROR reply makes the exit status 1, even when another search
 * domain answered (true to busybox). Unanswered after the timeout (5 s,
 * resent at 2.5 s): ";; connection timed out; no servers could be reached".
 * With an explicit server argument the search list is not used at all.
 * Options: -type= -query= -port= -retry= -timeout= -t= -debug.
 */
import { setMaxListeners } from 'node:events';
import type { ProcessContext } from '../process.js';
import { signalExitCode } from '../process.js';
import { buildQuery, messageId, parseReply, RCODE_NAMES } from '../resolver/dns-wire.js';
import type { DnsReply, QueryType } from '../resolver/dns-wire.js';
import { ipFamily, ptrName } from '../resolver/ip.js';
import { resolveHost } from '../resolver/resolver.js';
import { race } from '../timing.js';
import { fail, out, showUsage } from './applet.js';

export const NSLOOKUP_USAGE = `nslookup [-type=QUERY_TYPE] [-debug] HOST [DNS_SERVER]

Query DNS about HOST

QUERY_TYPE: soa,ns,a,aaaa,cname,mx,txt,ptr,srv,any`;

const QTYPES: ReadonlyArray<QueryType> = ['SOA', 'NS', 'A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'PTR', 'ANY'];
const OPTIONS = ['type', 'querytype', 'port', 'retry', 'debug', 't', 'timeout'];

interface Query {
  readonly name: string;
  readonly packet: Buffer;
  answered: boolean;
}

interface Server {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
}

/** Formats one reply's answer section as parse_reply() prints it; undefined on a parse error. */
function formatReply(reply: DnsReply, debug: boolean): string {
  let s = '';
  if (!reply.authoritative) s += 'Non-authoritative answer:\n';
  else if (debug) s += 'authoritative answer:\n';
  for (const a of reply.answers) {
    const f = a.fields ?? {};
    switch (a.type) {
      case 'A':
      case 'AAAA':
        s += `Name:\t${a.name}\nAddress: ${a.data}\n`;
        break;
      case 'NS':
        s += `${a.name}\tnameserver = ${a.data}\n`;
        break;
      case 'CNAME':
        s += `${a.name}\tcanonical name = ${a.data}\n`;
        break;
      case 'PTR':
        s += `${a.name}\tname = ${a.data}\n`;
        break;
      case 'MX':
        s += `${a.name}\tmail exchanger = ${f['preference'] ?? 0} ${f['exchange'] ?? ''}\n`;
        break;
      case 'TXT':
        if (a.data) s += `${a.name}\ttext = "${a.data}"\n`;
        break;
      case 'SRV':
        s += `${a.name}\tservice = ${f['priority'] ?? 0} ${f['weight'] ?? 0} ${f['port'] ?? 0} ${f['target'] ?? ''}\n`;
        break;
      case 'SOA':
        s +=
          `${a.name}\n\torigin = ${f['mname'] ?? ''}\n\tmail addr = ${f['rname'] ?? ''}\n` +
          `\tserial = ${f['serial'] ?? 0}\n\trefresh = ${f['refresh'] ?? 0}\n\tretry = ${f['retry'] ?? 0}\n` +
          `\texpire = ${f['expire'] ?? 0}\n\tminimum = ${f['minimum'] ?? 0}\n`;
        break;
      default:
        break;
    }
  }
  return s;
}

function searchOf(ctx: ProcessContext): string[] {
  let search: string[] | undefined;
  let haveSearch = false;
  for (const line of (ctx.files.read('/etc/resolv.conf')?.toString('utf8') ?? '').split('\n')) {
    const words = line.trim().split(/[ \t]+/);
    const [key, ...rest] = words;
    if (!key || rest.length === 0) continue;
    if (key === 'domain' && !haveSearch) search = rest;
    else if (key === 'search') {
      haveSearch = true;
      search = rest;
    }
  }
  if (!search) {
    const dot = ctx.hostname.indexOf('.');
    if (dot >= 0) search = [ctx.hostname.slice(dot + 1)];
  }
  if (search && search.length === 1 && search[0] === '.') return [];
  return search ?? [];
}

function resolvConfServers(ctx: ProcessContext): string[] {
  const list: string[] = [];
  for (const line of (ctx.files.read('/etc/resolv.conf')?.toString('utf8') ?? '').split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m?.[1]) list.push(m[1]);
  }
  return list;
}

/** The nslookup applet. */
export async function nslookup(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  let port = 53;
  let retry = 2;
  let timeoutSec = 5;
  let debug = false;
  const types: QueryType[] = [];
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('-')) break;
    const eq = a.indexOf('=');
    const key = eq >= 0 ? a.slice(1, eq) : a.slice(1);
    const val = eq >= 0 ? a.slice(eq + 1) : '';
    const idx = OPTIONS.findIndex((o) => key.length > 0 && o.startsWith(key));
    if (idx < 0) return showUsage(ctx, NSLOOKUP_USAGE);
    if (idx <= 1) {
      const t = QTYPES.find((q) => q.toLowerCase() === val.toLowerCase());
      if (!t) return fail(ctx, 'nslookup', `invalid query type "${val}"`);
      if (!types.includes(t)) types.push(t);
    } else if (idx === 2) port = Number(val) || 53;
    else if (idx === 3) retry = Math.max(1, Number(val) || 1);
    else if (idx === 4) debug = true;
    else timeoutSec = Math.max(1, Number(val) || 1);
  }
  const host = argv[i];
  const serverArg = argv[i + 1];
  if (!host || argv.length > i + 2) return showUsage(ctx, NSLOOKUP_USAGE);

  const servers: Server[] = [];
  const addServer = async (name: string): Promise<boolean> => {
    let hostPart = name;
    let p = port;
    const m = /^(.*):(\d+)$/.exec(name);
    if (m && !name.includes('::') && ipFamily(name) === undefined) {
      hostPart = m[1] ?? name;
      p = Number(m[2]);
    }
    const r = await resolveHost(ctx, hostPart, { signal: ctx.signal });
    const addr = r.ok ? r.addresses[0] : undefined;
    if (!addr) return false;
    servers.push({ name, ip: addr.address, port: p });
    return true;
  };
  let search: string[] = [];
  if (serverArg) {
    if (!(await addServer(serverArg))) {
      if (ctx.signal.aborted) return signalExitCode(ctx.signal.reason);
      return fail(ctx, 'nslookup', `bad address '${serverArg}'`);
    }
  } else {
    search = searchOf(ctx);
    for (const ns of resolvConfServers(ctx)) await addServer(ns);
    if (servers.length === 0) servers.push({ name: '127.0.0.1', ip: '127.0.0.1', port });
  }

  const queries: Query[] = [];
  const add = (type: QueryType, name: string): void => {
    queries.push({ name, packet: buildQuery(name, type), answered: false });
  };
  const addWithSearch = (type: QueryType, name: string): void => {
    if (type === 'PTR' || search.length === 0 || name.includes('.')) add(type, name);
    else for (const d of search) add(type, `${name}.${d}`);
  };
  if (types.length === 0) {
    const ptr = ptrName(host);
    if (ptr) add('PTR', ptr);
    else {
      addWithSearch('A', host);
      addWithSearch('AAAA', host);
    }
  } else {
    for (const t of QTYPES) if (types.includes(t)) addWithSearch(t, host);
  }

  let exitcode = 0;
  for (let si = 0; si < servers.length; si++) {
    const server = servers[si] as Server;
    const r = await sendQueries(ctx, server, queries, { timeoutSec, retry, debug });
    if (r.aborted) return signalExitCode(ctx.signal.reason);
    if (r.failed) exitcode = 1;
    if (r.replies > 0) break;
    if (si === servers.length - 1) {
      out(ctx, ';; connection timed out; no servers could be reached\n\n');
      return 1;
    }
  }
  let missing = false;
  for (const q of queries) {
    if (!q.answered) {
      out(ctx, `*** Can't find ${q.name}: No answer\n`);
      missing = true;
    }
  }
  if (missing) out(ctx, '\n');
  return exitcode;
}

/** busybox's send_queries(): one server, all queries, printing replies as they come. */
async function sendQueries(
  ctx: ProcessContext,
  server: Server,
  queries: Query[],
  o: { timeoutSec: number; retry: number; debug: boolean },
): Promise<{ replies: number; failed: boolean; aborted: boolean }> {
  const timeout = o.timeoutSec * 1000;
  const retryInterval = Math.floor(timeout / o.retry);
  const tstart = ctx.clock.now();
  const exchanges = new AbortController();
  setMaxListeners(0, exchanges.signal); // one listener per datagram in flight
  const inbox: Buffer[] = [];
  let wake: (() => void) | undefined;
  let headerShown = false;
  let replies = 0;
  let failed = false;
  let servfailRetry = 0;
  const send = (q: Query): void => {
    const remaining = timeout - (ctx.clock.now() - tstart);
    if (remaining <= 0) return;
    ctx.net.udpExchange(server.ip, server.port, q.packet, { timeoutMs: remaining, signal: exchanges.signal }).then(
      (buf) => {
        inbox.push(buf);
        const w = wake;
        wake = undefined;
        w?.();
      },
      () => undefined,
    );
  };
  try {
    let tsent = -Infinity;
    for (;;) {
      const elapsed = ctx.clock.now() - tstart;
      if (elapsed >= timeout) break;
      if (elapsed - tsent >= retryInterval) {
        for (const q of queries) if (!q.answered) send(q);
        tsent = elapsed;
        servfailRetry = 2 * queries.length;
      }
      const buf = inbox.shift();
      if (!buf) {
        const r = await race(
          ctx.clock,
          Math.min(retryInterval - (elapsed - tsent), timeout - elapsed),
          ctx.signal,
          new Promise<void>((resolve) => {
            wake = resolve;
          }),
        );
        if (r.kind === 'aborted') return { replies, failed, aborted: true };
        continue;
      }
      if (!headerShown) {
        headerShown = true;
        const dotted = server.ip.includes(':') ? `[${server.ip}]:${server.port}` : `${server.ip}:${server.port}`;
        out(ctx, `Server:\t\t${server.name}\nAddress:\t${dotted}\n\n`);
      }
      if (buf.length < 4) continue;
      const q = queries.find((x) => messageId(x.packet) === messageId(buf));
      if (!q || q.answered) continue;
      const rcode = (buf[3] ?? 0) & 0x0f;
      if (rcode === 2 && servfailRetry > 0) {
        servfailRetry--;
        send(q);
        continue;
      }
      q.answered = true;
      if (o.debug) out(ctx, `Query #${queries.indexOf(q)} completed in ${ctx.clock.now() - tstart}ms:\n`);
      if (rcode !== 0) {
        out(ctx, `** server can't find ${q.name}: ${RCODE_NAMES[rcode] ?? String(rcode)}\n`);
        failed = true;
      } else {
        const reply = parseReply(buf);
        if (!reply) {
          out(ctx, `*** Can't find ${q.name}: Parse error\n`);
          failed = true;
        } else out(ctx, formatReply(reply, o.debug));
      }
      out(ctx, '\n');
      replies++;
      if (replies >= queries.length) break;
    }
  } finally {
    exchanges.abort();
  }
  return { replies, failed, aborted: false };
}
