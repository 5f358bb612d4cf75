/**
 * @module dns/host-server.test
 * The host DNS server over real UDP and TCP sockets on 127.0.0.1, with dns-packet
 * as the client: answers, TC and the TCP retry for a 200-endpoint headless
 * Service, several queries on one TCP connection, case-insensitive names,
 * changes visible on the next query, 10,000 random and mutated datagrams, bad
 * TCP framing, forwarding to another server, and a clean close.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import { createClusterDns } from './cluster-dns.js';
import { startHostDnsServer, type HostDnsServer } from './host-server.js';
import { queryServer, udpExchange, tcpExchange, dnsUpstream } from './upstream-client.js';
import { endpointSlice, manyEndpoints, namespace, queryPacket, service } from './testing.js';
import { RCODE, rcodeOf } from './message.js';
import type { RecordTable } from './record-table.js';

const HOST = '127.0.0.1';

function fill(t: RecordTable): void {
  t.upsertNamespace(namespace('ns1'));
  t.upsertService(service('ns1', 'web', { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80 }] }));
  t.upsertService(service('ns1', 'big', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
  t.upsertEndpointSlice(endpointSlice('ns1', 'big-1', 'big', manyEndpoints(200), [{ name: 'http', port: 80 }]));
}

async function withServer(fn: (srv: HostDnsServer, table: RecordTable) => Promise<void>, opts: Parameters<typeof createClusterDns>[0] = {}): Promise<void> {
  const dns = createClusterDns(opts);
  fill(dns.table);
  const srv = await startHostDnsServer({ handler: dns.handler });
  try {
    await fn(srv, dns.table);
  } finally {
    await srv.close();
  }
}

const addrs = (p: DecodedPacket) => (p.answers ?? []).map((a) => (a.type === 'A' ? a.data : `${a.type}?`));

describe('dns/host-server', () => {
  it('binds UDP and TCP on one free port of 127.0.0.1 and answers on both', async () => {
    await withServer(async (srv) => {
      assert.equal(srv.host, HOST);
      assert.ok(srv.port > 0);
      const q = queryPacket('web.ns1.svc.cluster.local', 'A');
      assert.deepEqual(addrs(await queryServer(srv, q)), ['10.96.0.5']);
      assert.deepEqual(addrs(await queryServer(srv, q, { tcp: true })), ['10.96.0.5']);
    });
  });

  it('sets TC over UDP for a 200-endpoint headless Service; the TCP retry gets all 200', async () => {
    await withServer(async (srv) => {
      const bytes = dnsPacket.encode(queryPacket('big.ns1.svc.cluster.local', 'A', { id: 4242 }));
      const udp = dnsPacket.decode(await udpExchange(srv, bytes, 2000));
      assert.equal(udp.flag_tc, true);
      assert.ok(udp.answers!.length < 200);
      const tcp = dnsPacket.decode(await tcpExchange(srv, bytes, 2000));
      assert.equal(tcp.flag_tc, false);
      assert.equal(tcp.answers!.length, 200);
      // The client helper does the fallback by itself.
      assert.equal((await queryServer(srv, queryPacket('big.ns1.svc.cluster.local', 'A'))).answers!.length, 200);
      // With a large EDNS buffer it fits in one datagram (about 9 KB uncompressed).
      const big = dnsPacket.decode(await udpExchange(srv, dnsPacket.encode(queryPacket('big.ns1.svc.cluster.local', 'A', { edns: 65000 })), 2000));
      assert.equal(big.flag_tc, false);
      assert.equal(big.answers!.length, 200);
    });
  });

  it('answers several pipelined queries on one TCP connection, in order', async () => {
    await withServer(async (srv) => {
      const names = ['web.ns1.svc.cluster.local', 'missing.ns1.svc.cluster.local', 'WEB.NS1.SVC.CLUSTER.LOCAL', 'big.ns1.svc.cluster.local'];
      const frames = names.map((n, i) => {
        const m = dnsPacket.encode(queryPacket(n, 'A', { id: 100 + i }));
        const len = Buffer.alloc(2);
        len.writeUInt16BE(m.length);
        return Buffer.concat([len, m]);
      });
      const replies = await new Promise<DecodedPacket[]>((resolve, reject) => {
        const sock = net.connect(srv.port, HOST);
        let buf = Buffer.alloc(0);
        const out: DecodedPacket[] = [];
        const timer = setTimeout(() => {
          sock.destroy();
          reject(new Error('timeout'));
        }, 3000);
        sock.on('connect', () => sock.write(Buffer.concat(frames)));
        sock.on('error', reject);
        sock.on('data', (d: Buffer) => {
          buf = Buffer.concat([buf, d]);
          while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
            out.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
            buf = buf.subarray(2 + buf.readUInt16BE(0));
          }
          if (out.length === names.length) {
            clearTimeout(timer);
            sock.destroy();
            resolve(out);
          }
        });
      });
      assert.deepEqual(replies.map((r) => r.id), [100, 101, 102, 103]);
      assert.deepEqual(replies.map((r) => rcodeOf(r)), [RCODE.NOERROR, RCODE.NXDOMAIN, RCODE.NOERROR, RCODE.NOERROR]);
      assert.deepEqual(addrs(replies[2]!), ['10.96.0.5']);
      assert.equal(replies[2]!.answers![0]!.name, 'WEB.NS1.SVC.CLUSTER.LOCAL');
      assert.equal(replies[3]!.answers!.length, 200);
    });
  });

  it('shows a new Service on the next query and a deleted one as NXDOMAIN', async () => {
    await withServer(async (srv, table) => {
      const q = queryPacket('fresh.ns1.svc.cluster.local', 'A');
      assert.equal(rcodeOf(await queryServer(srv, q)), RCODE.NXDOMAIN);
      table.upsertService(service('ns1', 'fresh', { clusterIP: '10.96.0.77' }));
      assert.deepEqual(addrs(await queryServer(srv, q)), ['10.96.0.77']);
      table.removeService(service('ns1', 'fresh'));
      assert.equal(rcodeOf(await queryServer(srv, q)), RCODE.NXDOMAIN);
    });
  });

  it('survives 10,000 random and mutated datagrams, then still answers correctly', async (t) => {
    await withServer(async (srv) => {
      const client = dgram.createSocket('udp4');
      let replies = 0;
      client.on('message', () => replies++);
      await new Promise<void>((r) => client.bind(0, HOST, () => r()));
      try {
        const seedMsg = dnsPacket.encode(queryPacket('web.ns1.svc.cluster.local', 'A', { edns: 1232 }));
        let seed = 7;
        const rand = (n: number) => {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          return seed % n;
        };
        const t0 = Date.now();
        for (let i = 0; i < 10_000; i++) {
          let buf: Buffer;
          if (i % 2 === 0) {
            buf = Buffer.alloc(rand(200));
            for (let j = 0; j < buf.length; j++) buf[j] = rand(256);
          } else {
            buf = Buffer.from(seedMsg);
            for (let k = 0; k < 1 + rand(3); k++) buf[rand(buf.length)] = rand(256);
            if (rand(4) === 0) buf = buf.subarray(0, rand(buf.length));
          }
          await new Promise<void>((r) => client.send(buf, srv.port, HOST, () => r()));
          if (i % 200 === 199) await new Promise((r) => setTimeout(r, 2)); // let the server drain its socket
        }
        // Still alive and right: a proper question gets the proper answer (UDP may drop under load: retry a little).
        let answer: DecodedPacket | undefined;
        for (let attempt = 0; attempt < 5 && !answer; attempt++) {
          answer = await queryServer(srv, queryPacket('web.ns1.svc.cluster.local', 'A'), { timeoutMs: 1000 }).catch(() => undefined);
        }
        assert.ok(answer, 'the server answers after the fuzz');
        assert.deepEqual(addrs(answer), ['10.96.0.5']);
        assert.deepEqual(addrs(await queryServer(srv, queryPacket('web.ns1.svc.cluster.local', 'A'), { tcp: true })), ['10.96.0.5']);
        assert.ok(Date.now() - t0 < 60_000);
        t.diagnostic(`fuzz over UDP: 10000 datagrams, ${replies} replies, ${Date.now() - t0} ms`);
      } finally {
        client.close();
      }
    });
  });

  it('closes a TCP connection on a zero-length frame or a message too short for a header', async () => {
    await withServer(async (srv) => {
      for (const bytes of [Buffer.from([0, 0]), Buffer.from([0, 5, 1, 2, 3, 4, 5])]) {
        const closed = await new Promise<boolean>((resolve) => {
          const sock = net.connect(srv.port, HOST);
          const timer = setTimeout(() => {
            sock.destroy();
            resolve(false);
          }, 3000);
          sock.on('connect', () => sock.write(bytes));
          sock.on('error', () => {});
          sock.on('close', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        assert.ok(closed, `closed after ${bytes.toString('hex')}`);
      }
      assert.deepEqual(addrs(await queryServer(srv, queryPacket('web.ns1.svc.cluster.local', 'A'), { tcp: true })), ['10.96.0.5']);
    });
  });

  it('forwards names outside the cluster to an upstream DNS server', async () => {
    // The upstream is another kwire DNS server on 127.0.0.1 serving its own zone.
    const other = createClusterDns({ clusterDomain: 'upstream.test', reverseCidrs: [] });
    other.table.upsertNamespace(namespace('far'));
    other.table.upsertService(service('far', 'away', { clusterIP: '10.96.9.9' }));
    const upstream = await startHostDnsServer({ handler: other.handler });
    try {
      await withServer(
        async (srv) => {
          const r = await queryServer(srv, queryPacket('away.far.svc.upstream.test', 'A'));
          assert.deepEqual(addrs(r), ['10.96.9.9']);
          assert.equal(rcodeOf(await queryServer(srv, queryPacket('nothing.example', 'A'))), RCODE.REFUSED);
        },
        { upstream: dnsUpstream(upstream, { timeoutMs: 1000 }) },
      );
    } finally {
      await upstream.close();
    }
  });

  it('frees its port on close', async () => {
    const dns = createClusterDns();
    const srv = await startHostDnsServer({ handler: dns.handler });
    const port = srv.port;
    await srv.close();
    await srv.close();
    const again = await startHostDnsServer({ handler: dns.handler, port });
    assert.equal(again.port, port);
    await again.close();
  });
});
