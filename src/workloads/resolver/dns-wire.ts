/**
 * @module workloads/resolver/dns-wire
 *
 * DNS messages on the wire, through dns-packet: building a query with a
 * fresh id, and reading a reply into plain data (rcode, aa bit, answers).
 * Malformed replies read as undefined. Pure apart from the random id.
 */
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { RecordType } from 'dns-packet';

/** rcode names, index = rcode value (RFC 1035/2136), as busybox nslookup prints them. */
export const RCODE_NAMES: ReadonlyArray<string> = [
  'NOERROR',
  'FORMERR',
  'SERVFAIL',
  'NXDOMAIN',
  'NOTIMP',
  'REFUSED',
  'YXDOMAIN',
  'YXRRSET',
  'NXRRSET',
  'NOTAUTH',
  'NOTZONE',
  '11',
  '12',
  '13',
  '14',
  '15',
];

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** The record types the emulated tools ask for. */
export type QueryType = 'A' | 'AAAA' | 'PTR' | 'CNAME' | 'NS' | 'MX' | 'TXT' | 'SRV' | 'SOA' | 'ANY';

/** One answer record, flattened. `data` is text for A/AAAA/CNAME/PTR/NS, a summary for others. */
export interface AnswerRecord {
  readonly name: string;
  readonly type: string;
  readonly ttl: number;
  readonly data: string;
  /** Structured values for MX (preference, exchange), SRV (priority, weight, port, target), SOA. */
  readonly fields?: Readonly<Record<string, string | number>>;
}

export interface DnsReply {
  readonly id: number;
  readonly rcode: number;
  readonly authoritative: boolean;
  readonly truncated: boolean;
  readonly answers: ReadonlyArray<AnswerRecord>;
}

/** Builds a recursive query for `name` (no trailing dot needed) with a random id. */
export function buildQuery(name: string, type: QueryType, id: number = randomInt(0, 0x10000)): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: type as RecordType, name: name.replace(/\.$/, ''), class: 'IN' }],
  });
}

/** The id of a query or reply (first two bytes). */
export function messageId(msg: Buffer): number {
  return msg.length >= 2 ? msg.readUInt16BE(0) : -1;
}

function recordData(a: { type: string; data?: unknown }): Pick<AnswerRecord, 'data' | 'fields'> {
  const d: unknown = a.data;
  if (typeof d === 'string') return { data: d };
  if (d && typeof d === 'object' && !Buffer.isBuffer(d) && !Array.isArray(d)) {
    const fields: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(d as Record<string, unknown>)) {
      if (typeof v === 'string' || typeof v === 'number') fields[k] = v;
    }
    return { data: Object.values(fields).join(' '), fields };
  }
  if (Array.isArray(d)) {
    return { data: d.map((x: unknown) => (Buffer.isBuffer(x) ? x.toString('utf8') : String(x))).join('') };
  }
  if (Buffer.isBuffer(d)) return { data: d.toString('utf8') };
  return { data: '' };
}

/** Reads a reply; undefined when it is not a parseable DNS message. */
export function parseReply(msg: Buffer): DnsReply | undefined {
  if (msg.length < 12) return undefined;
  try {
    const p = dnsPacket.decode(msg);
    const answers: AnswerRecord[] = [];
    for (const a of p.answers ?? []) {
      const ttl = 'ttl' in a && typeof a.ttl === 'number' ? a.ttl : 0;
      answers.push({ name: a.name, type: a.type, ttl, ...recordData(a) });
    }
    return {
      id: p.id ?? messageId(msg),
      rcode: (msg[3] ?? 0) & 0x0f,
      authoritative: p.flag_aa,
      truncated: p.flag_tc,
      answers,
    };
  } catch {
    return undefined;
  }
}
