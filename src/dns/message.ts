/**
 * @module dns/message
 * DNS message helpers over dns-packet's `Packet`: header bits (dns-packet keeps
 * opcode and rcode inside `flags`), rcodes, and building a reply to a query the
 * way miekg/dns `SetReply`/`SetRcode` do (id, opcode, RD and CD copied for QUERY,
 * the first question echoed). Pure.
 */
import dnsPacket from 'dns-packet';
import type { Answer, OptAnswer, Packet, Question } from 'dns-packet';

export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  /** Extended (needs OPT): 16 = 0x10, header 0 + OPT extended-rcode 1. */
  BADVERS: 16,
} as const;

export const OPCODE = { QUERY: 0, NOTIFY: 4 } as const;

export const FLAG = {
  AA: dnsPacket.AUTHORITATIVE_ANSWER,
  TC: dnsPacket.TRUNCATED_RESPONSE,
  RD: dnsPacket.RECURSION_DESIRED,
  RA: dnsPacket.RECURSION_AVAILABLE,
  AD: dnsPacket.AUTHENTIC_DATA,
  CD: dnsPacket.CHECKING_DISABLED,
} as const;

/** The DO bit in an OPT record's flags. */
export const DNSSEC_OK = dnsPacket.DNSSEC_OK;

export function opcodeOf(p: Packet): number {
  return ((p.flags ?? 0) >> 11) & 0xf;
}

/** The full rcode: the header's 4 bits plus an OPT record's extended bits. */
export function rcodeOf(p: Packet): number {
  const opt = optOf(p);
  return ((p.flags ?? 0) & 0xf) | ((opt?.extendedRcode ?? 0) << 4);
}

export function hasFlag(p: Packet, flag: number): boolean {
  return ((p.flags ?? 0) & flag) !== 0;
}

export function withFlag(p: Packet, flag: number, on: boolean): Packet {
  const f = p.flags ?? 0;
  return { ...p, flags: on ? f | flag : f & ~flag };
}

export function optOf(p: Packet): OptAnswer | undefined {
  for (const a of p.additionals ?? []) if (a.type === 'OPT') return a;
  return undefined;
}

export function firstQuestion(p: Packet): Question | undefined {
  return p.questions?.[0];
}

/**
 * A reply to `query` with `rcode` and no records (miekg `SetRcode`): same id and
 * opcode, RD/CD copied for QUERY, first question echoed. Only the low 4 bits of
 * `rcode` go into the header; extended rcodes need an OPT record (see `withOpt`).
 */
export function replyTo(query: Packet, rcode: number = RCODE.NOERROR, opts: { aa?: boolean } = {}): Packet {
  const qf = query.flags ?? 0;
  const opcode = (qf >> 11) & 0xf;
  let flags = (opcode << 11) | (rcode & 0xf);
  if (opcode === OPCODE.QUERY) flags |= qf & (FLAG.RD | FLAG.CD);
  if (opts.aa) flags |= FLAG.AA;
  return {
    id: query.id ?? 0,
    type: 'response',
    flags,
    questions: (query.questions ?? []).slice(0, 1),
    answers: [],
    authorities: [],
    additionals: [],
  };
}

/** `p` with its rcode replaced (header bits only). */
export function withRcode(p: Packet, rcode: number): Packet {
  return { ...p, flags: ((p.flags ?? 0) & ~0xf) | (rcode & 0xf) };
}

/** An OPT pseudo-record. */
export function optRecord(udpPayloadSize: number, opts: { do?: boolean; extendedRcode?: number } = {}): OptAnswer {
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize,
    extendedRcode: opts.extendedRcode ?? 0,
    ednsVersion: 0,
    flags: opts.do ? DNSSEC_OK : 0,
    flag_do: opts.do ?? false,
    options: [],
  };
}

/** `p` with its OPT record (if any) replaced by `opt`, placed last in the additional section. */
export function withOpt(p: Packet, opt: OptAnswer | undefined): Packet {
  const rest: Answer[] = (p.additionals ?? []).filter((a) => a.type !== 'OPT');
  return { ...p, additionals: opt ? [...rest, opt] : rest };
}
