/**
 * @module dns/wire.test
 * One message in, at most one out: header checks (drop / NOTIMP / FORMERR),
 * EDNS (BADVERS, the OPT mirrored), truncation to the UDP size with TC, the
 * question echoed byte for byte, and 10,000 random and mutated messages that all
 * come back as a well-formed reply or nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import { createClusterDns } from './cluster-dns.js';
import { RecordTable } from './record-table.js';
import { endpointSlice, manyEndpoints, namespace, queryPacket, service } from './testing.js';
import { serveWire } from './wire.js';
import type { DnsContext } from './chain.js';
import { RCODE, opcodeOf, optOf, rcodeOf } from './message.js';

const UDP: DnsContext = { protocol: 'udp', clientIp: '127.0.0.1' };
const TCP: DnsContext = { protocol: 'tcp', clientIp: '127.0.0.1' };

function handler() {
  const t = new RecordTable();
  t.upsertNamespace(namespace('ns1'));
  t.upsertService(service('ns1', 'web', { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80 }] }));
  t.upsertService(service('ns1', 'big', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
  t.upsertEndpointSlice(endpointSlice('ns1', 'big-1', 'big', manyEndpoints(200), [{ name: 'http', port: 80 }]));
  return createClusterDns({ table: t }).handler;
}

const enc = (name: string, type: 'A' | 'SRV' | 'TXT', opts: { edns?: number; id?: number } = {}) => dnsPacket.encode(queryPacket(name, type, opts));

async function serve(buf: Buffer, ctx = UDP): Promise<DecodedPacket | undefined> {
  const out = await serveWire(handler(), buf, ctx);
  return out ? dnsPacket.decode(out) : undefined;
}

describe('dns/wire', () => {
  it('drops what is not a query, answers NOTIMP and FORMERR header-only', async () => {
    assert.equal(await serve(Buffer.alloc(11)), undefined);
    const resp = enc('web.ns1.svc.cluster.local', 'A');
    resp.writeUInt16BE(resp.readUInt16BE(2) | 0x8000, 2);
    assert.equal(await serve(resp), undefined, 'a response is ignored');

    const update = enc('web.ns1.svc.cluster.local', 'A', { id: 77 });
    update.writeUInt16BE((update.readUInt16BE(2) & ~0x7800) | (5 << 11), 2);
    const notimp = (await serve(update))!;
    assert.equal(notimp.id, 77);
    assert.equal(rcodeOf(notimp), RCODE.NOTIMP);
    assert.equal(opcodeOf(notimp), 5, 'the opcode is kept');
    assert.equal(notimp.questions!.length, 0);

    const two = enc('web.ns1.svc.cluster.local', 'A');
    two.writeUInt16BE(2, 4);
    assert.equal(rcodeOf((await serve(two))!), RCODE.FORMERR);
    const cut = enc('web.ns1.svc.cluster.local', 'A').subarray(0, 20);
    const formerr = (await serve(cut))!;
    assert.equal(rcodeOf(formerr), RCODE.FORMERR);
    assert.equal(formerr.flag_qr, true);
  });

  it('answers BADVERS for EDNS versions other than 0', async () => {
    const q = queryPacket('web.ns1.svc.cluster.local', 'A', { edns: 1232 });
    const opt = optOf(q)!;
    const bytes = dnsPacket.encode({ ...q, additionals: [{ ...opt, ednsVersion: 1 }] });
    const r = (await serve(bytes))!;
    assert.equal(rcodeOf(r), RCODE.BADVERS);
    assert.equal(optOf(r)?.ednsVersion, 0);
  });

  it('mirrors the query OPT (size, DO) and adds none when the query had none', async () => {
    const q = queryPacket('web.ns1.svc.cluster.local', 'A', { edns: 1400 });
    const withDo = { ...q, additionals: [{ ...optOf(q)!, flags: dnsPacket.DNSSEC_OK, flag_do: true }] };
    const r = (await serve(dnsPacket.encode(withDo)))!;
    assert.equal(optOf(r)?.udpPayloadSize, 1400);
    assert.equal(optOf(r)?.flag_do, true);
    assert.deepEqual(r.answers?.map((a) => (a.type === 'A' ? a.data : '')), ['10.96.0.5']);
    const plain = (await serve(enc('web.ns1.svc.cluster.local', 'A')))!;
    assert.equal(optOf(plain), undefined);
  });

  it('truncates UDP answers to 512 bytes (or the EDNS size) with TC; TCP gets them all', async () => {
    const name = 'big.ns1.svc.cluster.local';
    const small = await serveWire(handler(), enc(name, 'A'), UDP);
    assert.ok(small!.length <= 512, `${small!.length} bytes`);
    const r1 = dnsPacket.decode(small!);
    assert.equal(r1.flag_tc, true);
    assert.ok(r1.answers!.length > 0 && r1.answers!.length < 200);

    const edns = await serveWire(handler(), enc(name, 'A', { edns: 4096 }), UDP);
    assert.ok(edns!.length <= 4096);
    const r2 = dnsPacket.decode(edns!);
    assert.equal(r2.flag_tc, true);
    assert.ok(r2.answers!.length > r1.answers!.length);
    assert.equal(optOf(r2)?.udpPayloadSize, 4096, 'the OPT record survives truncation');

    const r3 = dnsPacket.decode((await serveWire(handler(), enc(name, 'A'), TCP))!);
    assert.equal(r3.flag_tc, false);
    assert.equal(r3.answers!.length, 200);
    assert.equal(new Set(r3.answers!.map((a) => (a.type === 'A' ? a.data : ''))).size, 200);
  });

  it('drops additional records before setting TC when only they do not fit', async () => {
    const r = dnsPacket.decode((await serveWire(handler(), enc('_http._tcp.big.ns1.svc.cluster.local', 'SRV'), UDP))!);
    assert.equal(r.flag_tc, true);
    assert.equal(r.additionals!.length, 0);
  });

  it('echoes the question exactly as sent, whatever its case or bytes', async () => {
    const q = enc('WEB.Ns1.svc.CLUSTER.local', 'A');
    const out = (await serveWire(handler(), q, UDP))!;
    const qLen = q.length - 12;
    assert.deepEqual(out.subarray(12, 12 + qLen), q.subarray(12));
    assert.equal(dnsPacket.decode(out).answers![0]!.name, 'WEB.Ns1.svc.CLUSTER.local');
    // A binary label (0xff bytes, a dot inside a label) still round-trips.
    const weird = Buffer.concat([q.subarray(0, 12), Buffer.from([3, 0xff, 0x2e, 0x41, 0, 0, 1, 0, 1])]);
    const wout = (await serveWire(handler(), weird, UDP))!;
    assert.deepEqual(wout.subarray(12, 21), weird.subarray(12));
    assert.equal(rcodeOf(dnsPacket.decode(wout)), RCODE.REFUSED);
  });

  it('turns 10,000 random and mutated messages into a well-formed reply or nothing', async (t) => {
    const h = handler();
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const seeds = [
      enc('web.ns1.svc.cluster.local', 'A', { edns: 1232 }),
      enc('_http._tcp.big.ns1.svc.cluster.local', 'SRV'),
      enc('dns-version.cluster.local', 'TXT'),
      dnsPacket.encode(queryPacket('5.0.96.10.in-addr.arpa', 'PTR')),
    ];
    const counts = { dropped: 0, replied: 0 };
    const t0 = Date.now();
    for (let i = 0; i < 10_000; i++) {
      let buf: Buffer;
      if (i % 2 === 0) {
        buf = Buffer.alloc(rand(300));
        for (let j = 0; j < buf.length; j++) buf[j] = rand(256);
        if (i % 4 === 0 && buf.length >= 12) buf.writeUInt16BE(0x0100, 2); // a plain query header, to get past the header checks
        if (i % 8 === 0 && buf.length >= 12) buf.writeUInt16BE(1, 4);
      } else {
        buf = Buffer.from(seeds[rand(seeds.length)]!);
        const flips = 1 + rand(4);
        for (let k = 0; k < flips; k++) buf[12 + rand(buf.length - 12)] = rand(256);
        if (rand(4) === 0) buf = buf.subarray(0, rand(buf.length));
        if (rand(8) === 0) buf = Buffer.concat([buf, Buffer.alloc(rand(40), rand(256))]);
      }
      const out = await serveWire(h, buf, i % 3 === 0 ? TCP : UDP);
      if (!out) {
        counts.dropped++;
        continue;
      }
      counts.replied++;
      assert.ok(out.length >= 12);
      assert.equal(out.readUInt16BE(0), buf.readUInt16BE(0), 'the reply carries the query id');
      assert.ok(out.readUInt16BE(2) & 0x8000, 'QR set');
      if (i % 3 !== 0) assert.ok(out.length <= Math.max(512, optOf(safeDecode(buf) ?? {})?.udpPayloadSize ?? 0), 'a UDP reply fits the size the query allows');
    }
    assert.ok(counts.replied > 1000 && counts.dropped > 100, JSON.stringify(counts));
    t.diagnostic(`fuzz: ${JSON.stringify(counts)} in ${Date.now() - t0} ms`);
    assert.ok(Date.now() - t0 < 30_000);
    const ok = dnsPacket.decode((await serveWire(h, enc('web.ns1.svc.cluster.local', 'A'), UDP))!);
    assert.deepEqual(ok.answers?.map((a) => (a.type === 'A' ? a.data : '')), ['10.96.0.5']);
  });
});

function safeDecode(buf: Buffer): DecodedPacket | undefined {
  try {
    return dnsPacket.decode(buf);
  } catch {
    return undefined;
  }
}
