/**
 * @module test/e2e/services-host
 * A selectorless Service whose EndpointSlice points at an HTTP server this
 * test starts on the host (127.0.0.1): pods reach it through the ClusterIP,
 * by a real TCP connection from the dataplane's host dialer
 * (src/dataplane/host-dialer.ts), with a flow record, and with NetworkPolicy
 * judging the host address as an ipBlock peer.
 *
 * kube-apiserver refuses loopback addresses in EndpointSlices; kwire accepts
 * 127.0.0.0/8 there on purpose, because loopback is kwire's node (host) network:
 * it is how a process outside kwire becomes a Service backend. IPv6 loopback and
 * the other special ranges are still refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { startTestCluster } from '../../src/testing/test-cluster.js';
import { waitFor } from './lab-scenario.js';

const NS = ['-n', 'svc-host'];

const SELECTORLESS = `apiVersion: v1
kind: Service
metadata:
  name: host-api
  namespace: svc-host
spec:
  ports:
  - name: http
    port: 80
    protocol: TCP
`;

const slice = (port: number): string => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: host-api-1
  namespace: svc-host
  labels:
    kubernetes.io/service-name: host-api
addressType: IPv4
ports:
- name: http
  port: ${port}
  protocol: TCP
endpoints:
- addresses: ["127.0.0.1"]
  conditions:
    ready: true
`;

const policies = (port: number): string => `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: host-allowed
  namespace: svc-host
spec:
  podSelector:
    matchLabels:
      run: allowed
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {}
    ports:
    - {protocol: UDP, port: 53}
    - {protocol: TCP, port: 53}
  - to:
    - ipBlock:
        cidr: 127.0.0.1/32
    ports:
    - {protocol: TCP, port: ${port}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: dns-only
  namespace: svc-host
spec:
  podSelector:
    matchLabels:
      run: blocked
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {}
    ports:
    - {protocol: UDP, port: 53}
    - {protocol: TCP, port: 53}
`;

async function startHostServer(): Promise<{ server: Server; port: number; peers: string[]; close(): Promise<void> }> {
  const peers: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    peers.push(`${req.socket.remoteAddress}:${req.socket.remotePort}`);
    res.end(`hello from the host, ${req.method} ${req.url}\n`);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    peers,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
}

test('a selectorless Service with an EndpointSlice to a host server proxies to it', async (t) => {
  const host = await startHostServer();
  const c = await startTestCluster({ ephemeral: true });
  let hostClosed = false;
  const run = (name: string, script: string) =>
    c.kubectl(['run', name, '--image=busybox', '--rm', '-i', '--restart=Never', ...NS, '--', 'sh', '-c', script], { timeoutMs: 60_000 });
  try {
    await c.kubectlOk(['create', 'namespace', 'svc-host']);
    assert.equal((await c.kubectlOk(['apply', '-f', '-'], { input: SELECTORLESS })).trim(), 'service/host-api created');

    await t.test('the EndpointSlice naming the host server is applied with kubectl', async () => {
      assert.equal((await c.kubectlOk(['apply', '-f', '-'], { input: slice(host.port) })).trim(), 'endpointslice.discovery.k8s.io/host-api-1 created');
      const bad = await c.kubectl(['apply', '-f', '-'], { input: slice(host.port).replace('127.0.0.1', '169.254.1.1').replace('host-api-1', 'host-api-2') });
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /may not be in the link-local range/);
    });
    const ip = (await c.kubectlOk(['get', 'svc', 'host-api', ...NS, '-o', 'jsonpath={.spec.clusterIP}'])).trim();

    await t.test('a pod reaches the host server through the ClusterIP, by name; the flow record names the host endpoint', async () => {
      const listed = await c.kubectlOk(['get', 'endpointslices', ...NS, '-l', 'kubernetes.io/service-name=host-api']);
      assert.match(listed, new RegExp(`^host-api-1\\s+IPv4\\s+${host.port}\\s+127\\.0\\.0\\.1\\s+`, 'm'));
      const r = await run('client', 'wget -qO- http://host-api/ping; wget -qO- http://host-api.svc-host.svc.cluster.local/again');
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^hello from the host, GET \/ping\nhello from the host, GET \/again\n/);
      const recs = c.cluster.net.recent({ service: 'svc-host/host-api' });
      assert.equal(recs.length, 2);
      for (const rec of recs) {
        assert.equal(rec.verdict, 'forwarded');
        assert.deepEqual(rec.dst, { ip, port: 80 });
        assert.deepEqual(rec.endpoint, { ip: '127.0.0.1', port: host.port });
        assert.equal(rec.reason, `established (host 127.0.0.1:${host.port})`);
        assert.equal(rec.src.owner?.kind === 'pod' ? rec.src.owner.name : '', 'client');
        assert.ok(host.peers.includes(`${rec.snat?.ip}:${rec.snat?.port}`), 'the record shows the source the host server saw');
      }
    });

    await t.test('NetworkPolicy judges the host endpoint as an ipBlock peer: 127.0.0.1/32 admits it, DNS-only egress drops it', async () => {
      await c.kubectlOk(['apply', '-f', '-'], { input: policies(host.port) });
      const ok = await run('allowed', 'wget -qO- -T 3 http://host-api/allowed');
      assert.equal(ok.code, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /^hello from the host, GET \/allowed$/m);
      const allowedRec = c.cluster.net.recent({ service: 'svc-host/host-api' }).at(-1);
      assert.deepEqual(allowedRec?.policies, ['svc-host/host-allowed']);
      const seen = host.peers.length;
      const t0 = Date.now();
      const blocked = await run('blocked', 'wget -qO- -T 3 http://host-api/blocked');
      assert.notEqual(blocked.code, 0);
      assert.match(blocked.stdout + blocked.stderr, /download timed out/);
      assert.ok(Date.now() - t0 >= 2900, 'a dropped connection waits out the client timeout');
      assert.equal(host.peers.length, seen, 'nothing reached the host server');
      const rec = c.cluster.net.recent({ service: 'svc-host/host-api', verdict: 'dropped' }).at(-1);
      assert.deepEqual(rec?.endpoint, { ip: '127.0.0.1', port: host.port });
      assert.deepEqual(rec?.policies, ['svc-host/dns-only']);
    });

    await t.test('the host server gone: the pod is refused at once, as by a real host', async () => {
      await host.close();
      hostClosed = true;
      const t0 = Date.now();
      const r = await run('after', 'wget -qO- -T 10 http://host-api/');
      assert.notEqual(r.code, 0);
      assert.match(r.stdout + r.stderr, /wget: can't connect to remote host \(10\.\d+\.\d+\.\d+\): Connection refused/);
      assert.ok(Date.now() - t0 < 9000, 'refused, not timed out');
      const rec = c.cluster.net.recent({ service: 'svc-host/host-api' }).at(-1);
      assert.equal(rec?.verdict, 'refused');
      assert.equal(rec?.reason, `nothing listens on host 127.0.0.1:${host.port}`);
    });
  } finally {
    await c.stop();
    if (!hostClosed) await host.close();
  }
});
