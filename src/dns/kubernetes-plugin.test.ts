/**
 * @module dns/kubernetes-plugin.test
 * The Kubernetes DNS specification as a table: each row is a question asked of
 * the pure chain (kubernetes -> forward? -> final) over one set of objects, and
 * the exact answer section, additional section and rcode (with the SOA in the
 * authority section for NXDOMAIN/NODATA) that CoreDNS gives.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Answer, DecodedPacket, Packet, RecordType } from 'dns-packet';
import { createClusterDns, type ClusterDnsOptions } from './cluster-dns.js';
import { RecordTable } from './record-table.js';
import { ask, endpointSlice, namespace, pod, service } from './testing.js';
import { FLAG, RCODE, rcodeOf, replyTo } from './message.js';

const NOW = 1_700_000_000_000;
const SERIAL = NOW / 1000;

function world(): RecordTable {
  const t = new RecordTable({ now: () => NOW });
  for (const n of ['default', 'kube-system', 'ns1']) t.upsertNamespace(namespace(n));
  t.upsertService(service('default', 'kubernetes', { clusterIP: '10.96.0.1', ports: [{ name: 'https', port: 443 }] }));
  t.upsertService(
    service('kube-system', 'kube-dns', {
      clusterIP: '10.96.0.10',
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP' },
        { name: 'dns-tcp', port: 53, protocol: 'TCP' },
      ],
    }),
  );
  t.upsertService(service('ns1', 'svc1', { clusterIP: '10.96.0.100', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] }));
  t.upsertEndpointSlice(endpointSlice('ns1', 'svc1-x1', 'svc1', [{ ip: '10.244.1.20', pod: 'web-1' }], [{ name: 'http', port: 80 }, { name: 'https', port: 443 }]));
  t.upsertService(service('ns1', 'unnamed', { clusterIP: '10.96.0.101', ports: [{ port: 80 }] }));
  t.upsertService(service('ns1', 'noports', { clusterIP: '10.96.0.102' }));
  t.upsertService(service('ns1', 'dual', { clusterIPs: ['10.96.0.200', 'fd00:10:96::c8'], ports: [{ name: 'http', port: 80 }] }));
  t.upsertService(service('ns1', 'hdls', { clusterIP: 'None', ports: [{ name: 'http', port: 8080 }] }));
  t.upsertEndpointSlice(
    endpointSlice(
      'ns1',
      'hdls-a',
      'hdls',
      [
        { ip: '10.244.1.10', hostname: 'pet-0', pod: 'pet-0' },
        { ip: '10.244.1.11', pod: 'pet-1' },
        { ip: '10.244.2.12', ready: false, pod: 'pet-2' },
      ],
      [{ name: 'http', port: 8080 }],
    ),
  );
  t.upsertService(service('ns1', 'hdls-empty', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
  t.upsertService(service('ns1', 'ext', { type: 'ExternalName', externalName: 'ext.example.com' }));
  t.upsertService(service('ns1', 'ext-in', { type: 'ExternalName', externalName: 'svc1.ns1.svc.cluster.local' }));
  t.upsertPod(pod('ns1', 'web-1', '10.244.1.20'));
  return t;
}

type Rr = { name: string; type: string; ttl?: number; data: unknown };
interface Row {
  readonly q: string;
  readonly t: RecordType;
  readonly rcode: keyof typeof RCODE;
  readonly answers?: ReadonlyArray<Rr>;
  readonly extra?: ReadonlyArray<Rr>;
  /** The zone whose SOA is expected in the authority section (NXDOMAIN / NODATA). */
  readonly soa?: string;
  /** Not authoritative (answers from outside the kubernetes plugin). */
  readonly notAuth?: boolean;
}

const A = (name: string, data: string, ttl = 5): Rr => ({ name, type: 'A', ttl, data });
const AAAA = (name: string, data: string): Rr => ({ name, type: 'AAAA', ttl: 5, data });
const SRV = (name: string, weight: number, port: number, target: string): Rr => ({ name, type: 'SRV', ttl: 5, data: { priority: 0, weight, port, target } });
const PTR = (name: string, data: string): Rr => ({ name, type: 'PTR', ttl: 5, data });
const CNAME = (name: string, data: string): Rr => ({ name, type: 'CNAME', ttl: 5, data });

const Z = 'cluster.local';
const svc1 = `svc1.ns1.svc.${Z}`;
const hdls = `hdls.ns1.svc.${Z}`;

const ROWS: ReadonlyArray<Row> = [
  // 2.3.1 ClusterIP A (and AAAA only where an IPv6 cluster IP exists)
  { q: svc1, t: 'A', rcode: 'NOERROR', answers: [A(svc1, '10.96.0.100')] },
  { q: `kubernetes.default.svc.${Z}`, t: 'A', rcode: 'NOERROR', answers: [A(`kubernetes.default.svc.${Z}`, '10.96.0.1')] },
  { q: svc1, t: 'AAAA', rcode: 'NOERROR', soa: Z },
  { q: `dual.ns1.svc.${Z}`, t: 'A', rcode: 'NOERROR', answers: [A(`dual.ns1.svc.${Z}`, '10.96.0.200')] },
  { q: `dual.ns1.svc.${Z}`, t: 'AAAA', rcode: 'NOERROR', answers: [AAAA(`dual.ns1.svc.${Z}`, 'fd00:10:96::c8')] },
  { q: `noports.ns1.svc.${Z}`, t: 'A', rcode: 'NOERROR', answers: [A(`noports.ns1.svc.${Z}`, '10.96.0.102')] },
  // 2.3.2 SRV for named ports; the bare name lists every port; unnamed ports only there
  {
    q: `_http._tcp.${svc1}`,
    t: 'SRV',
    rcode: 'NOERROR',
    answers: [SRV(`_http._tcp.${svc1}`, 100, 80, svc1)],
    extra: [A(svc1, '10.96.0.100')],
  },
  { q: `_https._tcp.${svc1}`, t: 'SRV', rcode: 'NOERROR', answers: [SRV(`_https._tcp.${svc1}`, 100, 443, svc1)], extra: [A(svc1, '10.96.0.100')] },
  { q: svc1, t: 'SRV', rcode: 'NOERROR', answers: [SRV(svc1, 50, 80, svc1), SRV(svc1, 50, 443, svc1)], extra: [A(svc1, '10.96.0.100')] },
  { q: `_http._udp.${svc1}`, t: 'SRV', rcode: 'NXDOMAIN', soa: Z },
  { q: `_dns._udp.kube-dns.kube-system.svc.${Z}`, t: 'SRV', rcode: 'NOERROR', answers: [SRV(`_dns._udp.kube-dns.kube-system.svc.${Z}`, 100, 53, `kube-dns.kube-system.svc.${Z}`)], extra: [A(`kube-dns.kube-system.svc.${Z}`, '10.96.0.10')] },
  { q: `unnamed.ns1.svc.${Z}`, t: 'SRV', rcode: 'NOERROR', answers: [SRV(`unnamed.ns1.svc.${Z}`, 100, 80, `unnamed.ns1.svc.${Z}`)], extra: [A(`unnamed.ns1.svc.${Z}`, '10.96.0.101')] },
  { q: `noports.ns1.svc.${Z}`, t: 'SRV', rcode: 'NOERROR', soa: Z },
  // 2.4.1 headless: one A per ready endpoint; hostname records; no ready endpoints -> NXDOMAIN
  { q: hdls, t: 'A', rcode: 'NOERROR', answers: [A(hdls, '10.244.1.10'), A(hdls, '10.244.1.11')] },
  { q: `pet-0.${hdls}`, t: 'A', rcode: 'NOERROR', answers: [A(`pet-0.${hdls}`, '10.244.1.10')] },
  { q: `10-244-1-11.${hdls}`, t: 'A', rcode: 'NOERROR', answers: [A(`10-244-1-11.${hdls}`, '10.244.1.11')] },
  { q: `10-244-2-12.${hdls}`, t: 'A', rcode: 'NXDOMAIN', soa: Z },
  { q: `pet-9.${hdls}`, t: 'A', rcode: 'NXDOMAIN', soa: Z },
  { q: `hdls-empty.ns1.svc.${Z}`, t: 'A', rcode: 'NXDOMAIN', soa: Z },
  { q: hdls, t: 'AAAA', rcode: 'NOERROR', soa: Z },
  // endpoint names work on ClusterIP Services too (CoreDNS)
  { q: `10-244-1-20.${svc1}`, t: 'A', rcode: 'NOERROR', answers: [A(`10-244-1-20.${svc1}`, '10.244.1.20')] },
  // 2.4.2 headless SRV: N endpoints x M named ports, targets are endpoint hostnames
  {
    q: `_http._tcp.${hdls}`,
    t: 'SRV',
    rcode: 'NOERROR',
    answers: [SRV(`_http._tcp.${hdls}`, 50, 8080, `pet-0.${hdls}`), SRV(`_http._tcp.${hdls}`, 50, 8080, `10-244-1-11.${hdls}`)],
    extra: [A(`pet-0.${hdls}`, '10.244.1.10'), A(`10-244-1-11.${hdls}`, '10.244.1.11')],
  },
  // 2.3.3 / 2.4.3 PTR for Service and endpoint IPs
  { q: '100.0.96.10.in-addr.arpa', t: 'PTR', rcode: 'NOERROR', answers: [PTR('100.0.96.10.in-addr.arpa', svc1)] },
  { q: '1.0.96.10.in-addr.arpa', t: 'PTR', rcode: 'NOERROR', answers: [PTR('1.0.96.10.in-addr.arpa', `kubernetes.default.svc.${Z}`)] },
  { q: '10.1.244.10.in-addr.arpa', t: 'PTR', rcode: 'NOERROR', answers: [PTR('10.1.244.10.in-addr.arpa', `pet-0.${hdls}`)] },
  { q: '20.1.244.10.in-addr.arpa', t: 'PTR', rcode: 'NOERROR', answers: [PTR('20.1.244.10.in-addr.arpa', `10-244-1-20.${svc1}`)] },
  { q: '12.2.244.10.in-addr.arpa', t: 'PTR', rcode: 'NXDOMAIN', soa: '244.10.in-addr.arpa' },
  { q: '99.9.96.10.in-addr.arpa', t: 'PTR', rcode: 'NXDOMAIN', soa: '96.10.in-addr.arpa' },
  { q: '99.9.100.10.in-addr.arpa', t: 'PTR', rcode: 'NXDOMAIN', soa: '100.10.in-addr.arpa' },
  { q: '96.10.in-addr.arpa', t: 'SOA', rcode: 'NOERROR', answers: [{ name: '96.10.in-addr.arpa', type: 'SOA', ttl: 5, data: soaData('96.10.in-addr.arpa') }] },
  { q: '100.0.96.10.in-addr.arpa', t: 'A', rcode: 'NXDOMAIN', soa: '96.10.in-addr.arpa' },
  // outside the configured reverse CIDRs: not ours
  { q: '1.0.0.127.in-addr.arpa', t: 'PTR', rcode: 'REFUSED', notAuth: true },
  { q: '1.0.112.10.in-addr.arpa', t: 'PTR', rcode: 'REFUSED', notAuth: true },
  // 2.5 ExternalName -> CNAME; A follows the target inside the zone
  { q: `ext.ns1.svc.${Z}`, t: 'CNAME', rcode: 'NOERROR', answers: [CNAME(`ext.ns1.svc.${Z}`, 'ext.example.com')] },
  { q: `ext.ns1.svc.${Z}`, t: 'A', rcode: 'NOERROR', answers: [CNAME(`ext.ns1.svc.${Z}`, 'ext.example.com')] },
  { q: `ext-in.ns1.svc.${Z}`, t: 'A', rcode: 'NOERROR', answers: [CNAME(`ext-in.ns1.svc.${Z}`, svc1), A(svc1, '10.96.0.100')] },
  { q: `ext.ns1.svc.${Z}`, t: 'SRV', rcode: 'NOERROR', soa: Z },
  { q: `x.ext.ns1.svc.${Z}`, t: 'A', rcode: 'NXDOMAIN', soa: Z },
  // 2.6 pod records (pods insecure: every IP-shaped name in an existing namespace)
  { q: `10-244-1-20.ns1.pod.${Z}`, t: 'A', rcode: 'NOERROR', answers: [A(`10-244-1-20.ns1.pod.${Z}`, '10.244.1.20')] },
  { q: `1-2-3-4.ns1.pod.${Z}`, t: 'A', rcode: 'NOERROR', answers: [A(`1-2-3-4.ns1.pod.${Z}`, '1.2.3.4')] },
  { q: `1-2-3-4.ns1.pod.${Z}`, t: 'AAAA', rcode: 'NOERROR', soa: Z },
  { q: `fd00--1.ns1.pod.${Z}`, t: 'AAAA', rcode: 'NOERROR', answers: [AAAA(`fd00--1.ns1.pod.${Z}`, 'fd00::1')] },
  { q: `1-2-3-4.nope.pod.${Z}`, t: 'A', rcode: 'NXDOMAIN', soa: Z },
  { q: `not-an-ip.ns1.pod.${Z}`, t: 'A', rcode: 'NXDOMAIN', soa: Z },
  { q: `ns1.pod.${Z}`, t: 'A', rcode: 'NOERROR', soa: Z },
  // 2.2 schema version
  { q: `dns-version.${Z}`, t: 'TXT', rcode: 'NOERROR', answers: [{ name: `dns-version.${Z}`, type: 'TXT', ttl: 28800, data: '1.1.0' }] },
  { q: `dns-version.${Z}`, t: 'A', rcode: 'NXDOMAIN', soa: Z },
  { q: svc1, t: 'TXT', rcode: 'NOERROR', soa: Z },
  // zone apex: SOA, NS with glue, ns.dns
  { q: Z, t: 'SOA', rcode: 'NOERROR', answers: [{ name: Z, type: 'SOA', ttl: 5, data: soaData(Z) }] },
  {
    q: Z,
    t: 'NS',
    rcode: 'NOERROR',
    answers: [{ name: Z, type: 'NS', ttl: 5, data: `kube-dns.kube-system.svc.${Z}` }],
    extra: [A(`kube-dns.kube-system.svc.${Z}`, '10.96.0.10')],
  },
  { q: `ns.dns.${Z}`, t: 'A', rcode: 'NOERROR', answers: [A(`ns.dns.${Z}`, '10.96.0.10')] },
  { q: Z, t: 'A', rcode: 'NOERROR', soa: Z },
  { q: `svc.${Z}`, t: 'A', rcode: 'NOERROR', soa: Z },
  { q: `ns1.svc.${Z}`, t: 'A', rcode: 'NOERROR', soa: Z },
  { q: svc1, t: 'SOA', rcode: 'NOERROR', soa: Z },
  { q: svc1, t: 'NS', rcode: 'NOERROR', soa: Z },
  // NXDOMAIN: unknown namespace, unknown service, unknown shapes
  { q: `nope.svc.${Z}`, t: 'A', rcode: 'NXDOMAIN', soa: Z },
  { q: `svc1.nope.svc.${Z}`, t: 'A', rcode: 'NXDOMAIN', soa: Z },
  { q: `missing.ns1.svc.${Z}`, t: 'A', rcode: 'NXDOMAIN', soa: Z },
  { q: `missing.ns1.svc.${Z}`, t: 'AAAA', rcode: 'NXDOMAIN', soa: Z },
  { q: `foo.${Z}`, t: 'A', rcode: 'NXDOMAIN', soa: Z },
  { q: `a.b.c.${svc1}`, t: 'A', rcode: 'NXDOMAIN', soa: Z },
  // other types: NODATA where the name exists, NXDOMAIN where it does not
  { q: svc1, t: 'MX', rcode: 'NOERROR', soa: Z },
  { q: `missing.ns1.svc.${Z}`, t: 'MX', rcode: 'NXDOMAIN', soa: Z },
  { q: svc1, t: 'HINFO', rcode: 'NOERROR', soa: Z },
  { q: `missing.ns1.svc.${Z}`, t: 'HINFO', rcode: 'NXDOMAIN', soa: Z },
  { q: svc1, t: 'CNAME', rcode: 'NOERROR', soa: Z },
  { q: Z, t: 'AXFR', rcode: 'REFUSED', notAuth: true },
  // case-insensitive; the answer keeps the asker's spelling
  { q: 'SVC1.Ns1.SVC.Cluster.Local', t: 'A', rcode: 'NOERROR', answers: [A('SVC1.Ns1.SVC.Cluster.Local', '10.96.0.100')] },
  { q: `PET-0.${hdls.toUpperCase()}`, t: 'A', rcode: 'NOERROR', answers: [A(`PET-0.${hdls.toUpperCase()}`, '10.244.1.10')] },
  // outside the cluster without an upstream: REFUSED, as CoreDNS outside its zones
  { q: 'example.com', t: 'A', rcode: 'REFUSED', notAuth: true },
];

function soaData(zone: string) {
  return { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: SERIAL, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 };
}

function plain(rrs: ReadonlyArray<Answer> | undefined): Rr[] {
  return (rrs ?? []).flatMap((a): Rr[] => {
    if (a.type === 'OPT') return [];
    let data: unknown = a.data;
    if (a.type === 'TXT') data = (Array.isArray(a.data) ? a.data : [a.data]).map((d) => d.toString()).join('');
    return [{ name: a.name, type: a.type, ttl: a.ttl, data }];
  });
}

const rcodeName = (p: DecodedPacket) => (p as DecodedPacket & { rcode?: string }).rcode;

async function check(opts: ClusterDnsOptions, rows: ReadonlyArray<Row>): Promise<void> {
  const dns = createClusterDns({ table: world(), ...opts });
  for (const row of rows) {
    const r = await ask(dns.handler, row.q, row.t);
    const label = `${row.q} ${row.t}`;
    assert.equal(rcodeName(r), row.rcode, `${label}: rcode`);
    assert.equal(r.flag_aa, !row.notAuth, `${label}: AA`);
    assert.equal(r.flag_rd, true, `${label}: RD copied`);
    assert.equal(r.flag_tc, false, `${label}: TC`);
    assert.deepEqual(r.questions, [{ name: row.q, type: row.t, class: 'IN' }], `${label}: question`);
    assert.deepEqual(plain(r.answers), row.answers ?? [], `${label}: answers`);
    assert.deepEqual(plain(r.additionals), row.extra ?? [], `${label}: additional`);
    const soa = row.soa ? [{ name: row.soa, type: 'SOA', ttl: 5, data: soaData(row.soa) }] : [];
    assert.deepEqual(plain(r.authorities), soa, `${label}: authority`);
  }
}

describe('kubernetes plugin: the DNS specification as a table', () => {
  it(`answers ${ROWS.length} questions as CoreDNS does`, async () => {
    await check({}, ROWS);
  });

  it('serves a configured cluster domain, TTL and reverse CIDR', async () => {
    const z = 'kwire.test';
    await check({ clusterDomain: z, ttl: 30, reverseCidrs: ['10.96.0.0/16'] }, [
      { q: `svc1.ns1.svc.${z}`, t: 'A', rcode: 'NOERROR', answers: [A(`svc1.ns1.svc.${z}`, '10.96.0.100', 30)] },
      { q: `svc1.ns1.svc.${Z}`, t: 'A', rcode: 'REFUSED', notAuth: true },
      { q: '100.0.96.10.in-addr.arpa', t: 'PTR', rcode: 'NOERROR', answers: [{ ...PTR('100.0.96.10.in-addr.arpa', `svc1.ns1.svc.${z}`), ttl: 30 }] },
      { q: '20.1.244.10.in-addr.arpa', t: 'PTR', rcode: 'REFUSED', notAuth: true },
    ]);
  });

  it('pods verified answers only IPs of pods in that namespace; disabled answers none', async () => {
    await check({ pods: 'verified' }, [
      { q: `10-244-1-20.ns1.pod.${Z}`, t: 'A', rcode: 'NOERROR', answers: [A(`10-244-1-20.ns1.pod.${Z}`, '10.244.1.20')] },
      { q: `1-2-3-4.ns1.pod.${Z}`, t: 'A', rcode: 'NXDOMAIN', soa: Z },
      { q: `10-244-1-20.default.pod.${Z}`, t: 'A', rcode: 'NXDOMAIN', soa: Z },
    ]);
    await check({ pods: 'disabled' }, [{ q: `10-244-1-20.ns1.pod.${Z}`, t: 'A', rcode: 'NXDOMAIN', soa: Z }]);
  });

  it('endpoint_pod_names names endpoints without a hostname after their pod', async () => {
    await check({ endpointPodNames: true }, [
      { q: `pet-1.${hdls}`, t: 'A', rcode: 'NOERROR', answers: [A(`pet-1.${hdls}`, '10.244.1.11')] },
      { q: '11.1.244.10.in-addr.arpa', t: 'PTR', rcode: 'NOERROR', answers: [PTR('11.1.244.10.in-addr.arpa', `pet-1.${hdls}`)] },
    ]);
  });

  it('forwards names outside the cluster to the upstream, and follows ExternalName targets through it', async () => {
    const asked: string[] = [];
    const upstream = async (q: Packet): Promise<Packet> => {
      const question = q.questions![0]!;
      asked.push(`${question.name} ${question.type}`);
      const r = replyTo(q, RCODE.NOERROR);
      return { ...r, flags: (r.flags ?? 0) | FLAG.RA, answers: [{ type: 'A', name: question.name, ttl: 300, data: '192.0.2.53' }] };
    };
    await check({ upstream }, [
      { q: 'example.com', t: 'A', rcode: 'NOERROR', notAuth: true, answers: [A('example.com', '192.0.2.53', 300)] },
      { q: `ext.ns1.svc.${Z}`, t: 'A', rcode: 'NOERROR', answers: [CNAME(`ext.ns1.svc.${Z}`, 'ext.example.com'), A('ext.example.com', '192.0.2.53', 300)] },
      // names in the cluster zone never leave it
      { q: `missing.ns1.svc.${Z}`, t: 'A', rcode: 'NXDOMAIN', soa: Z },
    ]);
    assert.deepEqual(asked, ['example.com A', 'ext.example.com A']);
  });

  it('an upstream that fails or never answers gives SERVFAIL, within the timeout', async () => {
    const dns1 = createClusterDns({ table: world(), upstream: async () => Promise.reject(new Error('down')) });
    assert.equal(rcodeName(await ask(dns1.handler, 'example.com', 'A')), 'SERVFAIL');
    const dns2 = createClusterDns({ table: world(), upstream: () => new Promise<Packet>(() => {}), upstreamTimeoutMs: 50 });
    const t0 = Date.now();
    assert.equal(rcodeName(await ask(dns2.handler, 'example.com', 'A')), 'SERVFAIL');
    assert.ok(Date.now() - t0 < 2000);
    const dns3 = createClusterDns({ table: world(), upstream: async (q) => ({ ...replyTo(q), questions: [{ name: 'other.example', type: 'A' }] }) });
    assert.equal(rcodeName(await ask(dns3.handler, 'example.com', 'A')), 'FORMERR');
  });

  it('refuses classes other than IN when nothing forwards them (CoreDNS)', async () => {
    const dns = createClusterDns({ table: world() });
    const q = { id: 9, type: 'query' as const, flags: FLAG.RD, questions: [{ name: 'version.bind', type: 'TXT' as const, class: 'CH' as const }] };
    assert.equal(rcodeOf(await dns.handler(q, { protocol: 'udp', clientIp: '127.0.0.1' })), RCODE.REFUSED);
    const inCluster = { ...q, questions: [{ name: svc1, type: 'A' as const, class: 'CH' as const }] };
    assert.equal(rcodeOf(await dns.handler(inCluster, { protocol: 'udp', clientIp: '127.0.0.1' })), RCODE.REFUSED);
  });

  it('stops at ExternalName loops', async () => {
    const t = world();
    t.upsertService(service('ns1', 'loop-a', { type: 'ExternalName', externalName: `loop-b.ns1.svc.${Z}` }));
    t.upsertService(service('ns1', 'loop-b', { type: 'ExternalName', externalName: `loop-a.ns1.svc.${Z}` }));
    const dns = createClusterDns({ table: t });
    const r = await ask(dns.handler, `loop-a.ns1.svc.${Z}`, 'A');
    assert.equal(rcodeName(r), 'NOERROR');
    assert.deepEqual(plain(r.answers), []);
  });
});
