/**
 * @module workloads/testing/fake-dns
 *
 * A tiny DNS responder for tests, answering from a table like CoreDNS's
 * kubernetes plugin would: names under the cluster zone are answered
 * authoritatively (aa=1; unknown names NXDOMAIN, known names without the
 * asked type NODATA), CNAME chains are followed inside the table, and every
 * question is logged. Plug it into FakeNetwork.listenUdp().
 */
import dnsPacket from 'dns-packet';
import type { Answer, RecordType } from 'dns-packet';
import type { UdpResponder } from './fake-net.js';

export interface FakeRecords {
  readonly A?: ReadonlyArray<string>;
  readonly AAAA?: ReadonlyArray<string>;
  readonly CNAME?: string;
  readonly PTR?: string;
  readonly SRV?: ReadonlyArray<{ readonly priority: number; readonly weight: number; readonly port: number; readonly target: string }>;
}

export interface FakeDnsOptions {
  /** Zones answered authoritatively (default: cluster.local and the reverse zones, as CoreDNS's kubernetes plugin). */
  readonly zones?: ReadonlyArray<string>;
  /** Names answered with SERVFAIL. */
  readonly servfail?: ReadonlyArray<string>;
}

export interface FakeDns {
  readonly responder: UdpResponder;
  /** "NAME TYPE" of every question received, in order. */
  readonly questions: string[];
}

const norm = (n: string): string => n.toLowerCase().replace(/\.$/, '');

/** Builds a responder over `records` (keys: fully qualified names, any case). */
export function fakeDns(records: Readonly<Record<string, FakeRecords>>, opts: FakeDnsOptions = {}): FakeDns {
  const table = new Map<string, FakeRecords>();
  for (const [k, v] of Object.entries(records)) table.set(norm(k), v);
  const zones = (opts.zones ?? ['cluster.local', 'in-addr.arpa', 'ip6.arpa']).map(norm);
  const servfail = new Set((opts.servfail ?? []).map(norm));
  const questions: string[] = [];

  const responder: UdpResponder = (payload) => {
    const q = dnsPacket.decode(payload);
    const question = q.questions?.[0];
    if (!question) return undefined;
    const qname = norm(question.name);
    questions.push(`${qname} ${question.type}`);
    const inZone = zones.some((zone) => qname === zone || qname.endsWith(`.${zone}`));
    let rcode = 0;
    const answers: Answer[] = [];
    if (servfail.has(qname)) rcode = 2;
    else {
      let name = qname;
      let rec = table.get(name);
      if (!rec) rcode = 3;
      for (let hops = 0; rec && hops < 8; hops++) {
        if (rec.CNAME && question.type !== 'CNAME') {
          answers.push({ type: 'CNAME', name, ttl: 30, class: 'IN', data: rec.CNAME });
          name = norm(rec.CNAME);
          rec = table.get(name);
          continue;
        }
        const t = question.type;
        if (t === 'A' || t === 'AAAA') {
          for (const ip of rec[t] ?? []) answers.push({ type: t, name, ttl: 30, class: 'IN', data: ip });
        } else if (t === 'PTR' && rec.PTR) {
          answers.push({ type: 'PTR', name, ttl: 30, class: 'IN', data: rec.PTR });
        } else if (t === 'CNAME' && rec.CNAME) {
          answers.push({ type: 'CNAME', name, ttl: 30, class: 'IN', data: rec.CNAME });
        } else if (t === 'SRV') {
          for (const s of rec.SRV ?? []) answers.push({ type: 'SRV', name, ttl: 30, class: 'IN', data: s });
        }
        break;
      }
    }
    const flags =
      dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (inZone ? dnsPacket.AUTHORITATIVE_ANSWER : 0) | rcode;
    return dnsPacket.encode({
      type: 'response',
      id: q.id,
      flags,
      questions: [{ type: question.type as RecordType, name: question.name, class: 'IN' }],
      answers,
    });
  };
  return { responder, questions };
}
