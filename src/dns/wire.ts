/**
 * @module dns/wire
 * One DNS message in, at most one out: what a DNS transport does around the
 * plugin chain, shared by the host server and the in-pod listener.
 *
 *   bytes -> header checks (miekg/dns defaultMsgAcceptFunc):
 *              shorter than a header, or a response (QR) -> dropped (undefined)
 *              opcode not QUERY/NOTIFY                    -> NOTIMP, header only
 *              QDCOUNT != 1, ANCOUNT > 1, NSCOUNT > 1, ARCOUNT > 2,
 *              or a body that does not parse             -> FORMERR, header only
 *         -> EDNS version != 0 -> BADVERS (CoreDNS edns.Version)
 *         -> chain(query) -> OPT mirrored from the query (its UDP size and DO bit;
 *            none when the query had none) -> fit to the size limit -> bytes
 *
 * Size limit (CoreDNS request.Size): UDP = max(512, the query's EDNS UDP size),
 * 512 without EDNS; TCP = 65535. A reply over the limit keeps the answers that fit
 * (then authority, then additional records), keeps the OPT record, and sets TC
 * when anything was left out (miekg `Msg.Truncate`); the client retries over TCP.
 * The question goes back byte for byte as the client sent it.
 */
import dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import type { DnsContext, Handler } from './chain.js';
import { FLAG, OPCODE, RCODE, optOf, optRecord, replyTo, withOpt } from './message.js';

export const MIN_UDP_SIZE = 512;
export const MAX_TCP_SIZE = 65535;
const HEADER = 12;
const QR = 0x8000;
const Z = 0x0040;

/** A header-only reply built from the request header (miekg SetRcodeFormatError / NOTIMP). */
function headerReply(buf: Buffer, rcode: number, keepOpcode: boolean): Buffer {
  const out = Buffer.alloc(HEADER);
  const flags = buf.readUInt16BE(2);
  let f = (flags | QR) & ~FLAG.AA & ~Z & ~0xf;
  if (!keepOpcode) f &= ~(0xf << 11);
  out.writeUInt16BE(buf.readUInt16BE(0), 0);
  out.writeUInt16BE(f | (rcode & 0xf), 2);
  return out;
}

/** End offset of the first question (name + type + class), or -1 when it runs past the buffer. */
export function questionEnd(buf: Buffer, start = HEADER): number {
  let off = start;
  for (let guard = 0; guard < 128; guard++) {
    if (off >= buf.length) return -1;
    const len = buf[off]!;
    if (len === 0) {
      off += 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      off += 2;
      break;
    }
    if ((len & 0xc0) !== 0) return -1;
    off += 1 + len;
  }
  off += 4;
  return off <= buf.length ? off : -1;
}

function rrLength(rr: Answer): number {
  return dnsPacket.encodingLength({ answers: [rr] }) - HEADER;
}

/** Encodes `p` with `rawQuestion` (the client's bytes) as its question section. */
export function encodeReply(p: Packet, rawQuestion?: Buffer): Buffer {
  if (!rawQuestion || (p.questions?.length ?? 0) !== 1) return dnsPacket.encode(p);
  const body = dnsPacket.encode({ ...p, questions: [] });
  const out = Buffer.concat([body.subarray(0, HEADER), rawQuestion, body.subarray(HEADER)]);
  out.writeUInt16BE(1, 4);
  return out;
}

/** Cuts `p` to `size` bytes on the wire (miekg Msg.Truncate without compression). */
export function fitToSize(p: Packet, size: number, questionLength: number): Packet {
  const limit = Math.max(size, MIN_UDP_SIZE);
  const opt = optOf(p);
  const rest = (p.additionals ?? []).filter((a) => a.type !== 'OPT');
  const sections: Answer[][] = [p.answers ?? [], p.authorities ?? [], rest];
  const lengths = sections.map((s) => s.map(rrLength));
  const total = HEADER + questionLength + lengths.flat().reduce((a, b) => a + b, 0) + (opt ? rrLength(opt) : 0);
  if (total <= limit) return p;
  let budget = limit - HEADER - questionLength - (opt ? rrLength(opt) : 0);
  const kept: Answer[][] = [[], [], []];
  let dropped = false;
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < sections[s]!.length; i++) {
      const l = lengths[s]![i]!;
      if (dropped || l > budget) {
        dropped = true;
        break;
      }
      budget -= l;
      kept[s]!.push(sections[s]![i]!);
    }
  }
  return {
    ...p,
    flags: (p.flags ?? 0) | (dropped ? FLAG.TC : 0),
    answers: kept[0],
    authorities: kept[1],
    additionals: opt ? [...kept[2]!, opt] : kept[2],
  };
}

/**
 * Serves one wire message through `handler`. Resolves to the reply bytes, or
 * undefined when the message is to be dropped (not a query, or no header).
 * Never rejects.
 */
export async function serveWire(handler: Handler, buf: Buffer, ctx: DnsContext): Promise<Buffer | undefined> {
  if (buf.length < HEADER) return undefined;
  const flags = buf.readUInt16BE(2);
  if (flags & QR) return undefined;
  const opcode = (flags >> 11) & 0xf;
  if (opcode !== OPCODE.QUERY && opcode !== OPCODE.NOTIFY) return headerReply(buf, RCODE.NOTIMP, true);
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  const ns = buf.readUInt16BE(8);
  const ar = buf.readUInt16BE(10);
  if (qd !== 1 || an > 1 || ns > 1 || ar > 2) return headerReply(buf, RCODE.FORMERR, false);
  let query: DecodedPacket;
  const qEnd = questionEnd(buf);
  try {
    if (qEnd < 0) throw new Error('question runs past the message');
    query = dnsPacket.decode(buf);
  } catch {
    return headerReply(buf, RCODE.FORMERR, false);
  }
  const rawQuestion = buf.subarray(HEADER, qEnd);
  const reqOpt = optOf(query);
  try {
    if (reqOpt && reqOpt.ednsVersion !== 0) {
      const bad = withOpt(replyTo(query), optRecord(MIN_UDP_SIZE, { extendedRcode: RCODE.BADVERS >> 4 }));
      return encodeReply(bad, rawQuestion);
    }
    let reply = await handler(query, ctx);
    reply = { ...reply, id: query.id ?? 0, type: 'response' };
    reply = withOpt(reply, reqOpt ? mirrorOpt(reqOpt.udpPayloadSize, reqOpt.flag_do, optOf(reply)?.extendedRcode ?? 0) : undefined);
    const size = ctx.protocol === 'tcp' ? MAX_TCP_SIZE : Math.max(MIN_UDP_SIZE, reqOpt?.udpPayloadSize ?? 0);
    const out = encodeReply(reply, rawQuestion);
    // Most replies fit: only measure record by record when this one does not.
    return out.length <= size ? out : encodeReply(fitToSize(reply, size, rawQuestion.length), rawQuestion);
  } catch {
    return encodeReply(replyTo(query, RCODE.SERVFAIL), rawQuestion);
  }
}

function mirrorOpt(udpSize: number, dnssecOk: boolean, extendedRcode: number) {
  return optRecord(udpSize, { do: dnssecOk, extendedRcode });
}
