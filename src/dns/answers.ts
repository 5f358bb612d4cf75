/**
 * @module dns/answers
 * Turns backend items into resource records, per query type (CoreDNS
 * `plugin/backend_lookup.go`): A/AAAA (following CNAMEs inside the zone, asking
 * upstream outside it, at most 8 deep, no loops), SRV (weights shared out of 100,
 * targets' addresses in the additional section), TXT, PTR, CNAME, NS (with glue)
 * and the zone's SOA. Owner names keep the query's spelling.
 */
import type { Answer, Packet } from 'dns-packet';
import { hostType, type Item, type Lookup } from './backend.js';
import { FLAG, hasFlag } from './message.js';
import { isSubdomain, normalizeName } from './names.js';
import { parseIp } from './ip.js';

export interface AnswerBackend {
  /** The matched zone, normalized. */
  readonly zone: string;
  /** The zone as the client spelled it. */
  readonly zoneAsAsked: string;
  readonly ttl: number;
  readonly serial: number;
  /** Items for a name (normalized) and type. */
  services(name: string, qtype: string): Lookup;
  /** PTR items for a reverse name (normalized). */
  reverse(name: string): Lookup;
  /** Resolves a name outside the zone through the whole chain; undefined on failure. */
  upstream(name: string, qtype: 'A' | 'AAAA'): Promise<Packet | undefined>;
}

export type Records =
  | { readonly kind: 'records'; readonly records: Answer[]; readonly extra: Answer[]; readonly truncated: boolean }
  | { readonly kind: 'nameError' };

const NAME_ERROR: Records = { kind: 'nameError' };
const MAX_CNAME_CHAIN = 7;

function ok(records: Answer[], extra: Answer[] = [], truncated = false): Records {
  return { kind: 'records', records, extra, truncated };
}

/** A or AAAA records for `qname`, following CNAME items (CoreDNS `plugin.A` / `plugin.AAAA`). */
export async function address(b: AnswerBackend, qname: string, family: 'A' | 'AAAA', previous: ReadonlyArray<Answer> = []): Promise<Records> {
  const look = b.services(normalizeName(qname), family);
  if (look.kind === 'nameError') return NAME_ERROR;
  const out: Answer[] = [];
  const seen = new Set<string>();
  let truncated = false;
  for (const item of look.items) {
    const t = hostType(item);
    if (t === 'CNAME') {
      const target = normalizeName(item.host);
      if (isSubdomain(target, normalizeName(qname))) continue; // x CNAME x (or below): a direct loop
      const cname: Answer = { type: 'CNAME', name: qname, ttl: item.ttl, data: item.host };
      if (previous.length > MAX_CNAME_CHAIN) continue;
      if (previous.some((p) => p.type === 'CNAME' && normalizeName(p.name) === normalizeName(qname) && normalizeName(String(p.data)) === target)) continue;
      if (isSubdomain(target, b.zone)) {
        const next = await address(b, item.host, family, [...previous, cname]);
        if (next.kind === 'records') {
          if (next.records.length > 0) out.push(cname, ...next.records);
          truncated ||= next.truncated;
        }
        continue;
      }
      const m = await b.upstream(item.host, family);
      if (!m) continue;
      if (hasFlag(m, FLAG.TC)) truncated = true;
      out.push(cname, ...(m.answers ?? []));
      continue;
    }
    if (t !== family) continue;
    if (seen.has(item.host)) continue;
    seen.add(item.host);
    out.push({ type: family, name: qname, ttl: item.ttl, data: item.host });
  }
  return ok(out, [], truncated);
}

/** TXT records (only dns-version has one). */
export function txt(b: AnswerBackend, qname: string): Records {
  const look = b.services(normalizeName(qname), 'TXT');
  if (look.kind === 'nameError') return NAME_ERROR;
  const seen = new Set<string>();
  const out: Answer[] = [];
  for (const item of look.items) {
    if (hostType(item) !== 'TXT' || item.text === undefined || seen.has(item.text)) continue;
    seen.add(item.text);
    out.push({ type: 'TXT', name: qname, ttl: item.ttl, data: item.text });
  }
  return ok(out);
}

/**
 * SRV records (CoreDNS `plugin.SRV`): priority 0, weight 100/n (at least 1), the
 * item's port, target = the item's domain; one A/AAAA per target and address in
 * the additional section. Items with port -1 make no record.
 */
export function srv(b: AnswerBackend, qname: string): Records {
  const look = b.services(normalizeName(qname), 'SRV');
  if (look.kind === 'nameError') return NAME_ERROR;
  const n = look.items.length;
  // Computed as CoreDNS does in float64 (each item weighs 100 at priority 0), so the figures match bit for bit.
  const weight = n === 0 ? 0 : Math.max(1, Math.floor((100 / (100 * n)) * 100));
  const records: Answer[] = [];
  const extra: Answer[] = [];
  const dupSrv = new Set<string>();
  const dupAddr = new Set<string>();
  for (const item of look.items) {
    if (item.port === -1) continue;
    const t = hostType(item);
    if (t !== 'A' && t !== 'AAAA') continue;
    const target = item.domain;
    const sk = `${normalizeName(target)}|${item.port}`;
    if (!dupSrv.has(sk)) {
      dupSrv.add(sk);
      records.push({ type: 'SRV', name: qname, ttl: item.ttl, data: { priority: 0, weight, port: item.port, target } });
    }
    const ak = `${normalizeName(target)}|${item.host}`;
    if (!dupAddr.has(ak)) {
      dupAddr.add(ak);
      extra.push({ type: t, name: target, ttl: item.ttl, data: item.host });
    }
  }
  return ok(records, extra);
}

/** PTR records: the item hosts that are names. */
export function ptr(b: AnswerBackend, qname: string): Records {
  const look = b.reverse(normalizeName(qname));
  if (look.kind === 'nameError') return NAME_ERROR;
  const seen = new Set<string>();
  const out: Answer[] = [];
  for (const item of look.items) {
    if (parseIp(item.host) || seen.has(item.host)) continue;
    seen.add(item.host);
    out.push({ type: 'PTR', name: qname, ttl: item.ttl, data: item.host });
  }
  return ok(out);
}

/** A CNAME record when the name is an alias (ExternalName). */
export function cname(b: AnswerBackend, qname: string): Records {
  const look = b.services(normalizeName(qname), 'CNAME');
  if (look.kind === 'nameError') return NAME_ERROR;
  const first: Item | undefined = look.items[0];
  if (!first || parseIp(first.host) || first.text !== undefined) return ok([]);
  return ok([{ type: 'CNAME', name: qname, ttl: first.ttl, data: first.host }]);
}

/** MX: kubernetes has no mail items, so only the NXDOMAIN/NODATA distinction remains. */
export function mx(b: AnswerBackend, qname: string): Records {
  const look = b.services(normalizeName(qname), 'MX');
  return look.kind === 'nameError' ? NAME_ERROR : ok([]);
}

/** NS records at the zone apex, with the servers' addresses as glue. */
export function ns(b: AnswerBackend, qname: string): Records {
  const look = b.services(normalizeName(qname), 'NS');
  if (look.kind === 'nameError') return NAME_ERROR;
  const records: Answer[] = [];
  const extra: Answer[] = [];
  const seen = new Set<string>();
  for (const item of look.items) {
    const t = hostType(item);
    if (t !== 'A' && t !== 'AAAA') continue;
    extra.push({ type: t, name: item.domain, ttl: item.ttl, data: item.host });
    if (seen.has(item.domain)) continue;
    seen.add(item.domain);
    records.push({ type: 'NS', name: qname, ttl: item.ttl, data: item.domain });
  }
  return ok(records, extra);
}

/**
 * The zone's SOA (CoreDNS `plugin.SOA`): TTL min(ttl, 300), mname ns.dns.<zone>,
 * rname hostmaster.<zone>, serial = last change, refresh 7200, retry 1800,
 * expire 86400, minimum = ttl.
 */
export function soa(b: AnswerBackend): Answer {
  const z = b.zoneAsAsked;
  const j = (l: string) => (z === '' ? l : `${l}.${z}`);
  return {
    type: 'SOA',
    name: z === '' ? '.' : z,
    ttl: Math.min(b.ttl, 300),
    data: { mname: j('ns.dns'), rname: j('hostmaster'), serial: b.serial, refresh: 7200, retry: 1800, expire: 86400, minimum: b.ttl },
  };
}
