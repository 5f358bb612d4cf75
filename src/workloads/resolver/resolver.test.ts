/**
 * @module workloads/resolver/resolver.test
 * The stub resolver against a fake CoreDNS: musl and glibc search-list walks,
 * /etc/hosts, literals, NODATA/SERVFAIL/timeout handling and timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFileMap } from '../fs.js';
import { kubeletFiles } from '../pod-files.js';
import { FakeClock } from '../testing/fake-clock.js';
import { fakeDns } from '../testing/fake-dns.js';
import type { FakeRecords } from '../testing/fake-dns.js';
import { FakeNetwork } from '../testing/fake-net.js';
import type { Libc } from '../process.js';
import { resolveHost } from './resolver.js';
import type { ResolverContext } from './resolver.js';

const FQDN = 'backend-clusterip.networking-lab.svc.cluster.local';

function setup(libc: Libc, records: Record<string, FakeRecords> = {}, resolv?: string, servfail: string[] = []) {
  const clock = new FakeClock();
  const net = new FakeNetwork(clock);
  const dns = fakeDns({ [FQDN]: { A: ['10.96.12.34'] }, ...records }, { servfail });
  net.listenUdp('10.96.0.10', 53, dns.responder);
  const base = kubeletFiles({ podIp: '10.244.1.5', hostname: 'test-pod', namespace: 'networking-lab' });
  const files = createFileMap(resolv === undefined ? base : { ...base, '/etc/resolv.conf': resolv });
  const rc: ResolverContext = { net: net.netFor('10.244.1.5'), clock, files, libc };
  return { clock, net, dns, rc };
}

for (const libc of ['musl', 'glibc'] as const) {
  test(`${libc}: a short Service name resolves through the first search domain`, async () => {
    const { rc, dns } = setup(libc);
    const r = await resolveHost(rc, 'backend-clusterip');
    assert.equal(r.ok, true);
    if (!r.ok) return;
    assert.deepEqual(r.addresses, [{ family: 4, address: '10.96.12.34' }]);
    assert.equal(r.canonicalName, FQDN);
    assert.equal(r.source, 'dns');
    assert.deepEqual(dns.questions, [`${FQDN} A`, `${FQDN} AAAA`]);
    assert.deepEqual(
      r.queries.map((q) => `${q.name} ${q.type} ${q.outcome}`),
      [`${FQDN} A NOERROR`, `${FQDN} AAAA NOERROR`],
    );
  });

  test(`${libc}: the 4-dot FQDN still walks the whole search list first under ndots:5`, async () => {
    const { rc, dns } = setup(libc);
    const r = await resolveHost(rc, FQDN);
    assert.equal(r.ok, true);
    assert.deepEqual(
      dns.questions.filter((q) => q.endsWith(' A')),
      [
        `${FQDN}.networking-lab.svc.cluster.local A`,
        `${FQDN}.svc.cluster.local A`,
        `${FQDN}.cluster.local A`,
        `${FQDN} A`,
      ],
    );
  });

  test(`${libc}: a trailing dot asks the name only`, async () => {
    const { rc, dns } = setup(libc);
    const r = await resolveHost(rc, `${FQDN}.`);
    assert.equal(r.ok, true);
    assert.deepEqual(dns.questions, [`${FQDN} A`, `${FQDN} AAAA`]);
  });

  test(`${libc}: an unknown name is NXDOMAIN after every candidate`, async () => {
    const { rc, dns } = setup(libc);
    const r = await resolveHost(rc, 'nosuch');
    assert.deepEqual(r.ok ? 'ok' : r.error, 'nxdomain');
    assert.equal(dns.questions.length, 8); // 3 search domains + the name, A and AAAA each
  });

  test(`${libc}: IP literals and /etc/hosts never touch DNS`, async () => {
    const { rc, net } = setup(libc);
    const lit = await resolveHost(rc, '10.96.12.34');
    assert.deepEqual(lit.ok && lit.addresses, [{ family: 4, address: '10.96.12.34' }]);
    assert.equal(lit.ok && lit.source, 'literal');
    const own = await resolveHost(rc, 'test-pod');
    assert.deepEqual(own.ok && own.addresses, [{ family: 4, address: '10.244.1.5' }]);
    const lo = await resolveHost(rc, 'localhost', { family: 4 });
    assert.deepEqual(lo.ok && lo.addresses, [{ family: 4, address: '127.0.0.1' }]);
    assert.equal(net.datagrams.length, 0);
  });
}

test('musl: dotted name with ndots:1 is asked as is, once, and the search list is skipped', async () => {
  const { rc, dns } = setup('musl', {}, 'search networking-lab.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\n');
  const r = await resolveHost(rc, 'backend-clusterip.networking-lab');
  assert.equal(r.ok ? 'ok' : r.error, 'nxdomain');
  assert.deepEqual(dns.questions, ['backend-clusterip.networking-lab A', 'backend-clusterip.networking-lab AAAA']);
});

test('glibc: dotted name with ndots:1 is asked as is first, then through the search list', async () => {
  const { rc, dns } = setup('glibc', { 'backend-clusterip.networking-lab.svc.cluster.local': { A: ['10.96.12.34'] } }, 'search svc.cluster.local cluster.local\nnameserver 10.96.0.10\n');
  const r = await resolveHost(rc, 'backend-clusterip.networking-lab');
  assert.equal(r.ok, true);
  assert.deepEqual(
    dns.questions.filter((q) => q.endsWith(' A')),
    ['backend-clusterip.networking-lab A', 'backend-clusterip.networking-lab.svc.cluster.local A'],
  );
});

test('NODATA stops musl at the first search domain but glibc walks on', async () => {
  const records = {
    'web.networking-lab.svc.cluster.local': { AAAA: ['fd00::1'] },
    'web.svc.cluster.local': { A: ['10.96.50.1'] },
  };
  const m = setup('musl', records);
  const rm = await resolveHost(m.rc, 'web', { family: 4 });
  assert.equal(rm.ok ? 'ok' : rm.error, 'nodata');
  assert.deepEqual(m.dns.questions, ['web.networking-lab.svc.cluster.local A']);

  const g = setup('glibc', records);
  const rg = await resolveHost(g.rc, 'web', { family: 4 });
  assert.deepEqual(rg.ok && rg.addresses, [{ family: 4, address: '10.96.50.1' }]);
});

test('musl: DNS dropped by policy times out after 5 s with a resend at 2.5 s', async () => {
  const { rc, net, clock } = setup('musl');
  net.dropUdp.add('10.96.0.10:53');
  const t0 = clock.now();
  const r = await resolveHost(rc, 'backend-clusterip');
  assert.equal(r.ok ? 'ok' : r.error, 'timeout');
  assert.equal(clock.now() - t0, 5000);
  // A and AAAA, sent at 0 and again at 2500 ms; the search walk stops at the first timeout
  assert.equal(net.datagrams.length, 4);
  assert.deepEqual(
    r.queries.map((q) => `${q.name} ${q.type} ${q.outcome}`),
    [`${FQDN} A timeout`, `${FQDN} AAAA timeout`],
  );
});

test('glibc: DNS dropped times out after attempts x timeout (10 s) and stops the search walk', async () => {
  const { rc, net, clock } = setup('glibc');
  net.dropUdp.add('10.96.0.10:*');
  const t0 = clock.now();
  const r = await resolveHost(rc, 'backend-clusterip');
  assert.equal(r.ok ? 'ok' : r.error, 'timeout');
  assert.equal(clock.now() - t0, 10_000);
  assert.equal(net.datagrams.length, 4);
});

test('options timeout:1 attempts:1 shorten the wait', async () => {
  const { rc, net, clock } = setup('musl', {}, 'search a.svc.cluster.local\nnameserver 10.96.0.10\noptions ndots:5 timeout:1 attempts:1\n');
  net.dropUdp.add('10.96.0.10:53');
  const t0 = clock.now();
  const r = await resolveHost(rc, 'x');
  assert.equal(r.ok ? 'ok' : r.error, 'timeout');
  assert.equal(clock.now() - t0, 1000);
});

test('SERVFAIL: musl ignores it and times out; glibc moves on to the next domain', async () => {
  const m = setup('musl', { 'api.svc.cluster.local': { A: ['10.96.9.9'] } }, undefined, ['api.networking-lab.svc.cluster.local']);
  const rm = await resolveHost(m.rc, 'api');
  assert.equal(rm.ok ? 'ok' : rm.error, 'servfail');
  assert.equal(m.clock.now() - Date.UTC(2025, 9, 6, 12, 0, 0), 5000);

  const g = setup('glibc', { 'api.svc.cluster.local': { A: ['10.96.9.9'] } }, undefined, ['api.networking-lab.svc.cluster.local']);
  const rg = await resolveHost(g.rc, 'api');
  assert.deepEqual(rg.ok && rg.addresses, [{ family: 4, address: '10.96.9.9' }]);
});

test('a CNAME (ExternalName Service) gives the target as canonical name', async () => {
  const { rc } = setup('musl', {
    'ext.networking-lab.svc.cluster.local': { CNAME: 'db.example.com' },
    'db.example.com': { A: ['192.0.2.10'] },
  });
  const r = await resolveHost(rc, 'ext', { family: 4 });
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.equal(r.canonicalName, 'db.example.com');
  assert.deepEqual(r.addresses, [{ family: 4, address: '192.0.2.10' }]);
});

test('an abort stops the lookup', async () => {
  const { rc, net } = setup('musl');
  net.dropUdp.add('10.96.0.10:53');
  const ctl = new AbortController();
  const p = resolveHost(rc, 'backend-clusterip', { signal: ctl.signal });
  setImmediate(() => ctl.abort());
  const r = await p;
  assert.equal(r.ok ? 'ok' : r.error, 'aborted');
});

test('invalid names fail without queries', async () => {
  const { rc, net } = setup('musl');
  for (const n of ['', 'a..', 'bad name']) {
    const r = await resolveHost(rc, n);
    assert.equal(r.ok ? 'ok' : r.error, 'invalid', n);
  }
  assert.equal(net.datagrams.length, 0);
});
