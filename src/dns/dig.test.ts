/**
 * @module dns/dig.test
 * End to end with the real `dig` (Debian package dnsutils) against the host DNS
 * server: the answers a person sees, dig's own TC -> TCP retry for a big
 * headless Service, reverse lookups, SRV and TXT. Without dig the test fails and
 * says how to install it (`bash scripts/dns-tools.sh`).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createClusterDns } from './cluster-dns.js';
import { startHostDnsServer, type HostDnsServer } from './host-server.js';
import { endpointSlice, manyEndpoints, namespace, service } from './testing.js';

function findDig(): Promise<string | undefined> {
  return new Promise((resolve) => execFile('sh', ['-c', 'command -v dig'], (err, out) => resolve(err ? undefined : out.trim() || undefined)));
}

function run(bin: string, args: ReadonlyArray<string>): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(bin, [...args], { timeout: 15_000 }, (err, stdout, stderr) => (err ? reject(new Error(`${bin} ${args.join(' ')}: ${err.message}\n${stderr}`)) : resolve(stdout))),
  );
}

describe('dns: real dig against the host server', () => {
  let srv: HostDnsServer | undefined;
  let digBin: string | undefined;
  const dig = (...args: string[]) => run(digBin!, [`@127.0.0.1`, '-p', String(srv!.port), '+time=2', '+tries=1', ...args]);

  before(async () => {
    digBin = await findDig();
    const dns = createClusterDns();
    const t = dns.table;
    t.upsertNamespace(namespace('ns1'));
    t.upsertService(service('ns1', 'web', { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80 }] }));
    t.upsertService(service('ns1', 'ext', { type: 'ExternalName', externalName: 'example.org' }));
    t.upsertService(service('ns1', 'big', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
    t.upsertEndpointSlice(endpointSlice('ns1', 'big-1', 'big', manyEndpoints(200), [{ name: 'http', port: 80 }]));
    srv = await startHostDnsServer({ handler: dns.handler });
  });
  after(async () => {
    await srv?.close();
  });

  it('has dig installed', () => {
    assert.ok(digBin, 'dig is not installed: run `bash scripts/dns-tools.sh` (installs the Debian package dnsutils)');
  });

  it('resolves a Service, case-insensitively, over UDP and TCP', async () => {
    assert.ok(digBin, 'dig missing: run `bash scripts/dns-tools.sh`');
    assert.equal((await dig('+short', 'web.ns1.svc.cluster.local')).trim(), '10.96.0.5');
    assert.equal((await dig('+short', 'WEB.Ns1.SVC.cluster.LOCAL')).trim(), '10.96.0.5');
    assert.equal((await dig('+short', '+tcp', 'web.ns1.svc.cluster.local')).trim(), '10.96.0.5');
    const full = await dig('web.ns1.svc.cluster.local');
    assert.match(full, /status: NOERROR/);
    assert.match(full, /flags: qr aa rd;/);
    assert.match(full, /web\.ns1\.svc\.cluster\.local\.\s+5\s+IN\s+A\s+10\.96\.0\.5/);
  });

  it('gives NXDOMAIN with the SOA, and NODATA for a namespace name', async () => {
    assert.ok(digBin, 'dig missing: run `bash scripts/dns-tools.sh`');
    const nx = await dig('missing.ns1.svc.cluster.local');
    assert.match(nx, /status: NXDOMAIN/);
    assert.match(nx, /cluster\.local\.\s+5\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5/);
    const nodata = await dig('ns1.svc.cluster.local');
    assert.match(nodata, /status: NOERROR/);
    assert.match(nodata, /ANSWER: 0,/);
    assert.match(await dig('example.com'), /status: REFUSED/);
  });

  it('retries over TCP by itself when the UDP answer for 200 endpoints is truncated', async () => {
    assert.ok(digBin, 'dig missing: run `bash scripts/dns-tools.sh`');
    const out = await dig('big.ns1.svc.cluster.local');
    assert.match(out, /Truncated, retrying in TCP mode/);
    assert.match(out, /ANSWER: 200,/);
    const short = (await dig('+short', '+noedns', 'big.ns1.svc.cluster.local')).trim().split('\n');
    assert.equal(short.length, 200);
    assert.equal(new Set(short).size, 200);
  });

  it('answers PTR, SRV, TXT and CNAME', async () => {
    assert.ok(digBin, 'dig missing: run `bash scripts/dns-tools.sh`');
    assert.equal((await dig('+short', '-x', '10.96.0.5')).trim(), 'web.ns1.svc.cluster.local.');
    assert.equal((await dig('+short', '-x', '10.244.1.1')).trim(), '10-244-1-1.big.ns1.svc.cluster.local.');
    assert.equal((await dig('+short', 'SRV', '_http._tcp.web.ns1.svc.cluster.local')).trim(), '0 100 80 web.ns1.svc.cluster.local.');
    assert.equal((await dig('+short', 'TXT', 'dns-version.cluster.local')).trim(), '"1.1.0"');
    assert.equal((await dig('+short', 'CNAME', 'ext.ns1.svc.cluster.local')).trim(), 'example.org.');
    const srvOut = await dig('SRV', '_http._tcp.big.ns1.svc.cluster.local');
    assert.match(srvOut, /ANSWER: 200,/);
  });
});
