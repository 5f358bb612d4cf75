/**
 * @module workloads/resolver/resolver
 *
 * The stub resolver behind getaddrinfo(3), as the image's libc does it:
 *
 * ```
 * name ─> IP literal? ──yes──> done (no DNS)
 *      └> /etc/hosts? ──yes──> done
 *      └> DNS, walking the search list:
 *           musl : dots >= ndots or trailing dot -> the name only;
 *                  else name.search1, name.search2, ..., then the name.
 *                  Only NXDOMAIN moves on; NODATA, SERVFAIL and timeouts stop.
 *           glibc: dots >= ndots -> the name first, then the search list;
 *                  else the search list, then the name. NXDOMAIN, NODATA and
 *                  SERVFAIL move on; a timeout stops.
 *         each step asks A and AAAA in parallel (transport.ts).
 * ```
 *
 * Returns addresses or a typed failure, with a trace of every query asked
 * (name, type, server, outcome) for flow explanations.
 */
import type { FileMap, Libc } from '../process.js';
import { abortError, isAbortError } from '../process.js';
import { buildQuery, parseReply, RCODE_NAMES } from './dns-wire.js';
import { lookupHosts } from './hosts.js';
import { ipFamily, normalizeIpv4 } from './ip.js';
import { parseResolvConf } from './resolv-conf.js';
import type { ResolvConf } from './resolv-conf.js';
import type { SendOutcome, TransportContext } from './transport.js';
import { sendGlibc, sendMusl } from './transport.js';

/** What the resolver needs from a process context. */
export interface ResolverContext extends TransportContext {
  readonly files: FileMap;
  readonly libc: Libc;
}

export interface ResolvedAddress {
  readonly family: 4 | 6;
  readonly address: string;
}

/** One DNS question asked during a lookup, and how it ended. */
export interface QueryTrace {
  readonly name: string;
  readonly type: 'A' | 'AAAA';
  /** The nameserver whose reply was taken (undefined on timeout). */
  readonly server?: string;
  /** "NOERROR", "NXDOMAIN", "SERVFAIL", ... or "timeout". */
  readonly outcome: string;
  readonly addresses: ReadonlyArray<string>;
}

/**
 * Why a name did not resolve:
 * - nxdomain: no such name anywhere on the search list (EAI_NONAME)
 * - nodata: the name exists but has no address of the wanted family (EAI_NODATA)
 * - servfail: the server failed (EAI_AGAIN / EAI_FAIL)
 * - timeout: no reply from any nameserver (EAI_AGAIN), e.g. DNS blocked by policy
 * - invalid: not a valid host name (empty, "..")
 * - aborted: the caller's signal fired
 */
export type ResolveErrorKind = 'nxdomain' | 'nodata' | 'servfail' | 'timeout' | 'invalid' | 'aborted';

export type ResolveResult =
  | {
      readonly ok: true;
      readonly addresses: ReadonlyArray<ResolvedAddress>;
      /** The name the addresses belong to (after the search list and CNAMEs). */
      readonly canonicalName: string;
      readonly source: 'literal' | 'hosts' | 'dns';
      readonly queries: ReadonlyArray<QueryTrace>;
    }
  | {
      readonly ok: false;
      readonly error: ResolveErrorKind;
      readonly queries: ReadonlyArray<QueryTrace>;
    };

export interface ResolveOptions {
  /** Wanted address family; 'any' (AF_UNSPEC) asks A and AAAA. */
  readonly family?: 'any' | 4 | 6;
  /** Overrides the context's libc. */
  readonly libc?: Libc;
  /** Overrides the nameservers of resolv.conf (nslookup NAME SERVER). */
  readonly nameservers?: ReadonlyArray<string>;
  readonly signal?: AbortSignal;
}

/** gai_strerror(3) texts. */
export function gaiStrerror(kind: ResolveErrorKind, libc: Libc): string {
  const musl = libc === 'musl';
  switch (kind) {
    case 'nxdomain':
    case 'invalid':
      return musl ? 'Name does not resolve' : 'Name or service not known';
    case 'nodata':
      return musl ? 'Name has no usable address' : 'No address associated with hostname';
    case 'servfail':
    case 'timeout':
      return 'Temporary failure in name resolution';
    case 'aborted':
      return 'Interrupted system call';
  }
}

type Step =
  | { readonly kind: 'ok'; readonly addresses: ResolvedAddress[]; readonly canonicalName: string }
  | { readonly kind: 'nxdomain' | 'nodata' | 'servfail' | 'timeout' };

class Lookup {
  readonly queries: QueryTrace[] = [];
  constructor(
    private readonly rc: ResolverContext,
    private readonly conf: ResolvConf,
    private readonly libc: Libc,
    private readonly family: 'any' | 4 | 6,
    private readonly signal?: AbortSignal,
  ) {}

  /** Asks A and/or AAAA for one fully qualified name and classifies the replies. */
  async ask(qname: string): Promise<Step> {
    const types: Array<'A' | 'AAAA'> = [];
    if (this.family !== 6) types.push('A');
    if (this.family !== 4) types.push('AAAA');
    const packets = types.map((t) => buildQuery(qname, t));
    const send = this.libc === 'musl' ? sendMusl : sendGlibc;
    const outcomes: SendOutcome[] = await send(this.rc, this.conf, packets, this.signal);
    const v4: ResolvedAddress[] = [];
    const v6: ResolvedAddress[] = [];
    let canonicalName = qname;
    const rcodes: Array<number | undefined> = [];
    outcomes.forEach((o, i) => {
      const reply = o.reply ? parseReply(o.reply) : undefined;
      rcodes.push(reply?.rcode);
      const addrs: string[] = [];
      if (reply && reply.rcode === 0) {
        for (const a of reply.answers) {
          if (a.type === 'A') {
            v4.push({ family: 4, address: a.data });
            addrs.push(a.data);
          } else if (a.type === 'AAAA') {
            v6.push({ family: 6, address: a.data });
            addrs.push(a.data);
          } else if (a.type === 'CNAME') canonicalName = a.data;
        }
      }
      this.queries.push({
        name: qname,
        type: types[i] ?? 'A',
        server: o.server,
        outcome: reply ? (RCODE_NAMES[reply.rcode] ?? String(reply.rcode)) : o.sawServfail ? 'SERVFAIL' : 'timeout',
        addresses: addrs,
      });
    });
    const addresses = [...v4, ...v6];
    if (this.libc === 'musl') {
      // name_from_dns(): the replies are judged in query order, before any address is read.
      for (let i = 0; i < outcomes.length; i++) {
        const rcode = rcodes[i];
        if (rcode === undefined) return { kind: outcomes[i]?.sawServfail ? 'servfail' : 'timeout' };
        if (rcode === 3) return { kind: 'nxdomain' };
        if (rcode !== 0) return { kind: 'servfail' };
      }
      return addresses.length ? { kind: 'ok', addresses, canonicalName } : { kind: 'nodata' };
    }
    if (addresses.length) return { kind: 'ok', addresses, canonicalName };
    if (rcodes.some((r, i) => r === undefined && !outcomes[i]?.sawServfail)) return { kind: 'timeout' };
    if (rcodes.some((r) => r === undefined || (r !== 0 && r !== 3))) return { kind: 'servfail' };
    if (rcodes.every((r) => r === 3)) return { kind: 'nxdomain' };
    return { kind: 'nodata' };
  }
}

function countDots(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === '.') n++;
  return n;
}

async function searchMusl(lk: Lookup, conf: ResolvConf, name: string): Promise<Step | 'invalid'> {
  const dots = countDots(name);
  const search = dots >= conf.ndots || name.endsWith('.') ? [] : conf.search;
  const base = name.endsWith('.') ? name.slice(0, -1) : name;
  if (!base || base.endsWith('.')) return 'invalid';
  for (const d of search) {
    if (d.length >= 256 - base.length - 1) continue;
    const step = await lk.ask(`${base}.${d}`);
    if (step.kind !== 'nxdomain') return step;
  }
  return lk.ask(base);
}

async function searchGlibc(lk: Lookup, conf: ResolvConf, name: string): Promise<Step | 'invalid'> {
  const trailing = name.endsWith('.');
  const base = trailing ? name.slice(0, -1) : name;
  if (!base || base.endsWith('.')) return 'invalid';
  if (trailing) return lk.ask(base);
  const dots = countDots(base);
  let triedAsIs = false;
  let last: Step | undefined;
  let gotNodata = false;
  let gotServfail = false;
  if (dots >= conf.ndots) {
    last = await lk.ask(base);
    if (last.kind === 'ok') return last;
    triedAsIs = true;
  }
  let done = false;
  for (const d of conf.search) {
    const step = await lk.ask(`${base}.${d}`);
    last = step;
    if (step.kind === 'ok') return step;
    if (step.kind === 'nodata') gotNodata = true;
    else if (step.kind === 'servfail') gotServfail = true;
    else if (step.kind === 'timeout') {
      done = true;
      break;
    }
  }
  if (!triedAsIs && !done) {
    last = await lk.ask(base);
    if (last.kind === 'ok') return last;
  }
  if (gotNodata) return { kind: 'nodata' };
  if (gotServfail) return { kind: 'servfail' };
  return last ?? { kind: 'nxdomain' };
}

function validHostname(name: string): boolean {
  return name.length > 0 && name.length <= 254 && /^[A-Za-z0-9._\-\u0080-\uffff]+$/.test(name);
}

/**
 * Resolves a host name as getaddrinfo(3) would in the image (see module doc).
 * Never throws: failures come back as `{ ok: false, error }`.
 */
export async function resolveHost(rc: ResolverContext, name: string, opts: ResolveOptions = {}): Promise<ResolveResult> {
  const libc = opts.libc ?? rc.libc;
  const family = opts.family ?? 'any';
  const literal = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  const fam = ipFamily(literal);
  if (fam !== undefined) {
    if (family !== 'any' && fam !== family) return { ok: false, error: 'nodata', queries: [] };
    const address = fam === 4 ? normalizeIpv4(literal) : literal.toLowerCase();
    return { ok: true, addresses: [{ family: fam, address }], canonicalName: literal, source: 'literal', queries: [] };
  }
  if (!validHostname(name)) return { ok: false, error: 'invalid', queries: [] };
  const hosts = lookupHosts(rc.files.read('/etc/hosts')?.toString('utf8'), name.replace(/\.$/, ''), family, libc);
  if (hosts) {
    return { ok: true, addresses: hosts.addresses, canonicalName: hosts.canonicalName, source: 'hosts', queries: [] };
  }
  const parsed = parseResolvConf(rc.files.read('/etc/resolv.conf')?.toString('utf8'), libc);
  const conf: ResolvConf = opts.nameservers?.length ? { ...parsed, nameservers: opts.nameservers } : parsed;
  const lk = new Lookup(rc, conf, libc, family, opts.signal);
  try {
    if (opts.signal?.aborted) throw abortError();
    const step = libc === 'musl' ? await searchMusl(lk, conf, name) : await searchGlibc(lk, conf, name);
    if (step === 'invalid') return { ok: false, error: 'invalid', queries: lk.queries };
    if (step.kind === 'ok') {
      return { ok: true, addresses: step.addresses, canonicalName: step.canonicalName, source: 'dns', queries: lk.queries };
    }
    return { ok: false, error: step.kind, queries: lk.queries };
  } catch (e) {
    if (isAbortError(e)) return { ok: false, error: 'aborted', queries: lk.queries };
    throw e;
  }
}
