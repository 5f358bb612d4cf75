/**
 * @module test/e2e/services-bad-input
 * Services given bad input, with the real kubectl: each gets kube-apiserver's
 * error or what a real cluster does, and the cluster carries on.
 *
 * - A Service of 1,000 ports is valid (the API sets no limit) but its
 *   EndpointSlice would carry 1,000 ports, over the slice's 100: as
 *   kube-controller-manager does, the EndpointSlice controller reports
 *   FailedToUpdateEndpointSlices on the Service and retries, the Endpoints
 *   controller still writes Endpoints, and kube-proxy (which reads slices
 *   only) has no endpoint: connections are refused.
 * - A targetPort name no pod has: no endpoint for that port (`<none>`), the
 *   ClusterIP refuses at once.
 * - Changing the immutable clusterIP: kube-apiserver's "may not change once
 *   set", whether by patch or apply, and nothing changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../../src/testing/test-cluster.js';
import { waitFor } from './lab-scenario.js';

const NS = ['-n', 'svc-bad'];

const BACKEND = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
  namespace: svc-bad
spec:
  replicas: 2
  selector:
    matchLabels:
      app: backend
  template:
    metadata:
      labels:
        app: backend
    spec:
      containers:
      - name: backend
        image: hashicorp/http-echo:latest
        args: ["-text=hello", "-listen=:8080"]
        ports:
        - name: http
          containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: good
  namespace: svc-bad
spec:
  selector:
    app: backend
  ports:
  - port: 80
    targetPort: http
`;

const MANY_PORTS = `apiVersion: v1
kind: Service
metadata:
  name: many
  namespace: svc-bad
spec:
  selector:
    app: backend
  ports:
${Array.from({ length: 1000 }, (_, i) => `  - {name: p${i}, port: ${1000 + i}, targetPort: ${i === 0 ? 8080 : 20000 + i}}`).join('\n')}
`;

const NAMED_NOWHERE = `apiVersion: v1
kind: Service
metadata:
  name: named-nowhere
  namespace: svc-bad
spec:
  selector:
    app: backend
  ports:
  - port: 80
    targetPort: metrics
`;

async function wget(c: TestCluster, name: string, url: string): Promise<{ code: number; out: string; ms: number }> {
  const t0 = Date.now();
  const r = await c.kubectl(['run', name, '--image=busybox', '--rm', '-i', '--restart=Never', ...NS, '--', 'wget', '-qO-', '-T', '5', url], { timeoutMs: 60_000 });
  return { code: r.code, out: r.stdout + r.stderr, ms: Date.now() - t0 };
}

test('Services given bad input: kube-apiserver\'s errors or real-cluster behaviour, never a crash', async (t) => {
  const c = await startTestCluster({ ephemeral: true });
  try {
    await c.kubectlOk(['create', 'namespace', 'svc-bad']);
    await c.kubectlOk(['apply', '-f', '-'], { input: BACKEND });
    await c.kubectlOk(['rollout', 'status', 'deployment/backend', ...NS, '--timeout=60s'], { timeoutMs: 70_000 });
    await waitFor('the good Service to answer', async () => {
      const r = await wget(c, 'warmup', 'http://good');
      return r.code === 0 && r.out.startsWith('hello') ? true : undefined;
    });

    await t.test('a Service of 1,000 ports: created; its slice is refused with an Event; Endpoints written; refused traffic', async () => {
      assert.equal((await c.kubectlOk(['apply', '-f', '-'], { input: MANY_PORTS, timeoutMs: 60_000 })).trim(), 'service/many created');
      const row = await c.kubectlOk(['get', 'svc', 'many', ...NS]);
      assert.match(row, /^many\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+1000\/TCP,1001\/TCP,1002\/TCP,/m);
      assert.equal((await c.kubectlOk(['get', 'svc', 'many', ...NS, '-o', 'jsonpath={.spec.ports[999].port}'])).trim(), '1999');
      const ev = await waitFor('the FailedToUpdateEndpointSlices event', async () => {
        const out = await c.kubectlOk(['get', 'events', ...NS, '--field-selector', 'involvedObject.kind=Service,involvedObject.name=many,reason=FailedToUpdateEndpointSlices', '-o', 'jsonpath={range .items[*]}{.type} {.source.component}: {.message}{"\\n"}{end}']);
        return out.trim() !== '' ? out : undefined;
      });
      assert.match(
        ev,
        /^Warning endpoint-slice-controller: Error updating Endpoint Slices for Service svc-bad\/many: EndpointSlice\.discovery\.k8s\.io "many-[a-z0-9]{5}" is invalid: ports: Too many: 1000: must have at most 100 items$/m,
      );
      const eps = await waitFor('the Endpoints of many', async () => {
        const out = (await c.kubectlOk(['get', 'endpoints', 'many', ...NS, '-o', 'jsonpath={.subsets[*].addresses[*].ip} {.subsets[0].ports[*].port}'])).trim();
        return out.split(' ').length > 100 ? out : undefined;
      });
      assert.equal(eps.split(' ').length, 2 + 1000, '2 addresses, 1000 ports');
      const slices = await c.kubectl(['get', 'endpointslices', ...NS, '-l', 'kubernetes.io/service-name=many', '-o', 'name']);
      assert.equal(slices.stdout.trim(), '', 'no slice was stored');
      const r = await wget(c, 'many-client', 'http://many:1000');
      assert.notEqual(r.code, 0);
      assert.match(r.out, /Connection refused/);
      // The rest of the cluster is unaffected.
      const good = await wget(c, 'good-client', 'http://good');
      assert.equal(good.code, 0, good.out);
      assert.match(good.out, /^hello/);
      assert.match((await c.kubectlOk(['delete', 'svc', 'many', ...NS])).trim(), /^service "many" deleted$/);
    });

    await t.test('a targetPort name no pod has: no endpoint for that port, the ClusterIP refuses at once', async () => {
      await c.kubectlOk(['apply', '-f', '-'], { input: NAMED_NOWHERE });
      // Let the controllers settle, then the Endpoints still list nothing.
      await waitFor('the Endpoints object', async () => ((await c.kubectl(['get', 'endpoints', 'named-nowhere', ...NS])).code === 0 ? true : undefined));
      await new Promise((r) => setTimeout(r, 500));
      assert.match(await c.kubectlOk(['get', 'endpoints', 'named-nowhere', ...NS]), /^named-nowhere\s+<none>\s+\S+$/m);
      const ports = await c.kubectlOk(['get', 'endpointslices', ...NS, '-l', 'kubernetes.io/service-name=named-nowhere', '-o', 'jsonpath={.items[*].ports}']);
      assert.equal(ports.trim(), '', 'the slice has no port');
      const r = await wget(c, 'named-client', 'http://named-nowhere');
      assert.notEqual(r.code, 0);
      assert.match(r.out, /wget: can't connect to remote host \(10\.\d+\.\d+\.\d+\): Connection refused/);
      assert.ok(r.ms < 4500, 'refused at once, not timed out');
    });

    await t.test('changing the clusterIP: kube-apiserver\'s "may not change once set", by patch and by apply; the IP stays', async () => {
      const ip = (await c.kubectlOk(['get', 'svc', 'good', ...NS, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
      const other = ip === '10.96.200.200' ? '10.96.200.201' : '10.96.200.200';
      const p = await c.kubectl(['patch', 'svc', 'good', ...NS, '-p', JSON.stringify({ spec: { clusterIP: other } })]);
      assert.equal(p.code, 1);
      assert.equal(p.stderr.trim(), `The Service "good" is invalid: spec.clusterIPs[0]: Invalid value: []string{"${other}"}: may not change once set`);
      const a = await c.kubectl(['apply', '-f', '-'], { input: BACKEND.split('---\n')[1]!.replace('spec:\n', `spec:\n  clusterIP: ${other}\n`) });
      assert.equal(a.code, 1);
      assert.match(a.stderr, new RegExp(`The Service "good" is invalid: spec\\.clusterIPs\\[0\\]: Invalid value: \\[\\]string\\{"${other.replace(/\./g, '\\.')}"\\}: may not change once set`));
      assert.equal((await c.kubectlOk(['get', 'svc', 'good', ...NS, '-o', 'jsonpath={.spec.clusterIP} {.spec.clusterIPs[0]}'])).trim(), `${ip} ${ip}`);
      const good = await wget(c, 'still-good', 'http://good');
      assert.equal(good.code, 0);
    });
  } finally {
    await c.stop();
  }
});
