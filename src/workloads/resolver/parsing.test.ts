/**
 * @module workloads/resolver/parsing.test
 * Table tests for resolv.conf parsing, /etc/hosts lookup and IP literals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResolvConf } from './resolv-conf.js';
import { lookupHosts } from './hosts.js';
import { ipFamily, isIpv4, isIpv6, ptrName } from './ip.js';
import { kubeletHosts, kubeletResolvConf } from '../pod-files.js';

test('resolv.conf as the kubelet writes it', () => {
  const text = kubeletResolvConf({ podIp: '10.244.1.5', hostname: 'p', namespace: 'networking-lab' });
  assert.equal(
    text,
    'search networking-lab.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
  );
  assert.deepEqual(parseResolvConf(text, 'musl'), {
    nameservers: ['10.96.0.10'],
    search: ['networking-lab.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
    ndots: 5,
    timeout: 5,
    attempts: 2,
  });
});

test('resolv.conf defaults, caps and last search/domain line', () => {
  const rows: Array<[string, 'musl' | 'glibc', Partial<ReturnType<typeof parseResolvConf>>]> = [
    ['', 'musl', { nameservers: ['127.0.0.1'], search: [], ndots: 1, timeout: 5, attempts: 2 }],
    ['options ndots:99 timeout:99 attempts:99', 'musl', { ndots: 15, timeout: 60, attempts: 10 }],
    ['options ndots:99 timeout:99 attempts:99', 'glibc', { ndots: 15, timeout: 30, attempts: 5 }],
    ['search a b\ndomain c d', 'musl', { search: ['c'] }],
    ['domain c\nsearch a b # comment', 'glibc', { search: ['a', 'b'] }],
    ['nameserver 1.1.1.1\nnameserver 2.2.2.2\nnameserver 3.3.3.3\nnameserver 4.4.4.4', 'musl', { nameservers: ['1.1.1.1', '2.2.2.2', '3.3.3.3'] }],
    ['options attempts:0 timeout:0', 'glibc', { attempts: 1, timeout: 1 }],
  ];
  for (const [text, libc, want] of rows) {
    const got = parseResolvConf(text, libc);
    for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], v, `${text} ${libc} ${k}`);
  }
});

test('/etc/hosts lookups', () => {
  const hosts = kubeletHosts({
    podIp: '10.244.1.5',
    hostname: 'web-0',
    namespace: 'ns',
    subdomain: 'headless',
    hostAliases: [{ ip: '192.0.2.1', hostnames: ['foo.local', 'Bar.local'] }],
  });
  assert.match(hosts, /^# Kubernetes-managed hosts file\.\n127\.0\.0\.1\tlocalhost\n/);
  assert.match(hosts, /10\.244\.1\.5\tweb-0\.headless\.ns\.svc\.cluster\.local\tweb-0\n/);
  assert.match(hosts, /# Entries added by HostAliases\.\n192\.0\.2\.1\tfoo\.local\tBar\.local\n/);
  assert.deepEqual(lookupHosts(hosts, 'web-0', 'any', 'musl')?.addresses, [{ family: 4, address: '10.244.1.5' }]);
  assert.equal(lookupHosts(hosts, 'web-0', 'any', 'musl')?.canonicalName, 'web-0.headless.ns.svc.cluster.local');
  assert.deepEqual(lookupHosts(hosts, 'localhost', 'any', 'musl')?.addresses, [
    { family: 4, address: '127.0.0.1' },
    { family: 6, address: '::1' },
  ]);
  assert.equal(lookupHosts(hosts, 'bar.local', 'any', 'musl'), undefined);
  assert.deepEqual(lookupHosts(hosts, 'bar.local', 'any', 'glibc')?.addresses, [{ family: 4, address: '192.0.2.1' }]);
  assert.equal(lookupHosts(hosts, 'localhost', 6, 'musl')?.addresses.length, 1);
  assert.equal(lookupHosts(undefined, 'x', 'any', 'musl'), undefined);
});

test('IP literals', () => {
  const rows: Array<[string, 4 | 6 | undefined]> = [
    ['10.96.0.10', 4],
    ['255.255.255.255', 4],
    ['256.1.1.1', undefined],
    ['10.96.0', undefined],
    ['::1', 6],
    ['fe80::1:2', 6],
    ['2001:db8::192.0.2.1', 6],
    ['1:2:3:4:5:6:7:8', 6],
    ['1:2:3:4:5:6:7:8:9', undefined],
    ['backend', undefined],
    ['a::b::c', undefined],
  ];
  for (const [s, fam] of rows) assert.equal(ipFamily(s), fam, s);
  assert.equal(isIpv4('1.2.3.4'), true);
  assert.equal(isIpv6('1.2.3.4'), false);
  assert.equal(ptrName('10.96.12.34'), '34.12.96.10.in-addr.arpa');
  assert.equal(
    ptrName('2001:db8::1'),
    '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
  );
  assert.equal(ptrName('host'), undefined);
});
