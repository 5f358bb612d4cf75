/**
 * @module workloads/busybox/nslookup.test
 * busybox 1.36 nslookup against a fake CoreDNS: the exact transcripts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAB, labCluster } from '../testing/fake-context.js';
import { nslookup } from './nslookup.js';

const HEADER = 'Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n';
const nx = (name: string): string => `** server can't find ${name}: NXDOMAIN\n\n`;

test('nslookup backend-clusterip: every search domain is asked; NXDOMAINs make the status 1', async () => {
  const lab = labCluster();
  const p = lab.proc();
  assert.equal(await nslookup(p.ctx, ['nslookup', 'backend-clusterip']), 1);
  assert.equal(
    p.stdout.text(),
    HEADER +
      `Name:\t${LAB.backendFqdn}\nAddress: 10.96.12.34\n\n` +
      nx('backend-clusterip.svc.cluster.local') +
      nx('backend-clusterip.cluster.local') +
      '\n' +
      nx('backend-clusterip.svc.cluster.local') +
      nx('backend-clusterip.cluster.local'),
  );
  assert.equal(p.stderr.text(), '');
  assert.equal(lab.dns.questions.length, 6);
});

test('the FQDN is asked as is and succeeds', async () => {
  const lab = labCluster();
  const p = lab.proc();
  assert.equal(await nslookup(p.ctx, ['nslookup', LAB.backendFqdn]), 0);
  assert.equal(p.stdout.text(), `${HEADER}Name:\t${LAB.backendFqdn}\nAddress: 10.96.12.34\n\n\n`);
});

test('a name with a dot skips the search list: nslookup kubernetes.default fails as on real clusters', async () => {
  const lab = labCluster();
  const p = lab.proc();
  assert.equal(await nslookup(p.ctx, ['nslookup', 'kubernetes.default']), 1);
  assert.equal(p.stdout.text(), HEADER + nx('kubernetes.default') + nx('kubernetes.default'));
});

test('an explicit server argument disables the search list', async () => {
  const lab = labCluster();
  const p = lab.proc();
  assert.equal(await nslookup(p.ctx, ['nslookup', 'backend-clusterip', '10.96.0.10']), 1);
  assert.equal(p.stdout.text(), HEADER + nx('backend-clusterip') + nx('backend-clusterip'));
  const bad = lab.proc();
  assert.equal(await nslookup(bad.ctx, ['nslookup', 'x', 'no-such-dns']), 1);
  assert.equal(bad.stderr.text(), "nslookup: bad address 'no-such-dns'\n");
});

test('DNS blocked by a deny-all egress policy: connection timed out after 5 s', async () => {
  const lab = labCluster();
  lab.net.dropUdp.add(`${LAB.dnsIp}:53`);
  const p = lab.proc();
  const t0 = lab.clock.now();
  assert.equal(await nslookup(p.ctx, ['nslookup', 'backend-clusterip']), 1);
  assert.equal(lab.clock.now() - t0, 5000);
  assert.equal(p.stdout.text(), ';; connection timed out; no servers could be reached\n\n');
  // 6 queries, sent at 0 and resent at 2.5 s
  assert.equal(lab.net.datagrams.length, 12);
});

test('reverse lookups, non-authoritative answers, -type=', async () => {
  const lab = labCluster({
    '34.12.96.10.in-addr.arpa': { PTR: `${LAB.backendFqdn}` },
    'example.com': { A: ['93.184.215.14'] },
    '_http._tcp.backend-clusterip.networking-lab.svc.cluster.local': { SRV: [{ priority: 0, weight: 100, port: 80, target: LAB.backendFqdn }] },
  });
  const r = lab.proc();
  assert.equal(await nslookup(r.ctx, ['nslookup', '10.96.12.34']), 0);
  assert.equal(r.stdout.text(), `${HEADER}34.12.96.10.in-addr.arpa\tname = ${LAB.backendFqdn}\n\n`);
  const e = lab.proc();
  assert.equal(await nslookup(e.ctx, ['nslookup', 'example.com']), 0);
  assert.equal(e.stdout.text(), `${HEADER}Non-authoritative answer:\nName:\texample.com\nAddress: 93.184.215.14\n\nNon-authoritative answer:\n\n`);
  const s = lab.proc();
  assert.equal(await nslookup(s.ctx, ['nslookup', '-type=srv', '_http._tcp.backend-clusterip.networking-lab.svc.cluster.local']), 0);
  assert.equal(s.stdout.text(), `${HEADER}_http._tcp.backend-clusterip.networking-lab.svc.cluster.local\tservice = 0 100 80 ${LAB.backendFqdn}\n\n`);
  const u = lab.proc();
  assert.equal(await nslookup(u.ctx, ['nslookup']), 1);
  assert.match(u.stderr.text(), /Usage: nslookup \[-type=QUERY_TYPE\] \[-debug\] HOST \[DNS_SERVER\]/);
});
