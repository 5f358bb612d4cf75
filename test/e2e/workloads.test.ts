/**
 * End-to-end: lab step 1 with the real kubectl — three backend pods Running on the
 * workers, each with an IP from its node's /24, each answering on 8080 with its own
 * name; the ReplicaSet replaces a deleted pod; rollouts keep pods ready.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { labFile } from './lab-scenario.js';
import { startTestCluster, type TestCluster } from '../../src/testing/test-cluster.js';
import { virtualConnector } from '../../src/dataplane/index.js';

/** The lab's own backend Deployment (examples/networking-lab), unchanged. */
export const BACKEND = readFileSync(labFile('backend-deployment.yaml'), 'utf8');

/** An HTTP GET over the virtual pod network from a node's IP (as the kubelet's probes do). */
function getFromNode(c: TestCluster, srcIp: string, ip: string, port: number, path = '/'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: ip, port, path, createConnection: virtualConnector(c.cluster.net, { srcIp, connectTimeoutMs: 2000 }) }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface PodRow {
  metadata: { name: string; ownerReferences?: Array<{ name: string }> };
  spec: { nodeName: string };
  status: { phase: string; podIP?: string; containerStatuses?: Array<{ ready: boolean }> };
}

test('lab step 1: backend pods run on the workers and answer with their names', async () => {
  const c = await startTestCluster();
  try {
    await c.kubectlOk(['create', 'namespace', 'networking-lab']);
    assert.match(await c.kubectlOk(['apply', '-f', c.file('backend.yaml', BACKEND)]), /deployment.apps\/backend created/);
    const pods = await waitFor('3 running backend pods', async () => {
      const list = JSON.parse(await c.kubectlOk(['get', 'pods', '-n', 'networking-lab', '-l', 'app=backend', '-o', 'json'])) as { items: PodRow[] };
      const running = list.items.filter((p) => p.status.phase === 'Running' && p.status.containerStatuses?.every((s) => s.ready));
      return running.length === 3 ? running : undefined;
    });
    const table = await c.kubectlOk(['get', 'pods', '-n', 'networking-lab', '-l', 'app=backend']);
    assert.equal(table.trim().split('\n').filter((l) => /\s1\/1\s+Running\s+0\s/.test(l)).length, 3, table);
    const nodes = JSON.parse(await c.kubectlOk(['get', 'nodes', '-o', 'json'])) as { items: Array<{ metadata: { name: string }; spec: { podCIDR: string }; status: { addresses: Array<{ type: string; address: string }> } }> };
    const cidrOf = new Map(nodes.items.map((n) => [n.metadata.name, n.spec.podCIDR.replace(/0\/24$/, '')]));
    const workerIp = nodes.items.find((n) => n.metadata.name === 'kwire-worker')!.status.addresses.find((a) => a.type === 'InternalIP')!.address;
    for (const p of pods) {
      assert.match(p.metadata.name, /^backend-[a-z0-9]{6,10}-[a-z0-9]{5}$/);
      assert.notEqual(p.spec.nodeName, 'kwire-control-plane', 'the control plane is tainted');
      assert.ok(p.status.podIP!.startsWith(cidrOf.get(p.spec.nodeName)!), `${p.status.podIP} in ${p.spec.nodeName}'s range`);
      const r = await getFromNode(c, workerIp, p.status.podIP!, 8080);
      assert.equal(r.status, 200);
      assert.equal(r.body, `Hello from Backend Pod: ${p.metadata.name}\n`);
    }
    assert.deepEqual(new Set(pods.map((p) => p.spec.nodeName)), new Set(['kwire-worker', 'kwire-worker2']));

    // The ReplicaSet replaces a deleted pod.
    const victim = pods[0]!.metadata.name;
    assert.match(await c.kubectlOk(['delete', 'pod', victim, '-n', 'networking-lab']), new RegExp(`pod "${victim}" deleted`));
    await waitFor('a replacement pod', async () => {
      const list = JSON.parse(await c.kubectlOk(['get', 'pods', '-n', 'networking-lab', '-l', 'app=backend', '-o', 'json'])) as { items: PodRow[] };
      const names = list.items.filter((p) => p.status.phase === 'Running').map((p) => p.metadata.name);
      return names.length === 3 && !names.includes(victim) ? names : undefined;
    });

    // Scale, then roll out a new template with maxUnavailable 0.
    await c.kubectlOk(['scale', 'deployment', 'backend', '-n', 'networking-lab', '--replicas=2']);
    await waitFor('2 pods after scale', async () => {
      const list = JSON.parse(await c.kubectlOk(['get', 'pods', '-n', 'networking-lab', '-l', 'app=backend', '-o', 'json'])) as { items: PodRow[] };
      return list.items.length === 2 ? true : undefined;
    });
    await c.kubectlOk(['patch', 'deployment', 'backend', '-n', 'networking-lab', '-p', '{"spec":{"strategy":{"rollingUpdate":{"maxUnavailable":0,"maxSurge":1}}}}']);
    await c.kubectlOk(['set', 'env', 'deployment/backend', '-n', 'networking-lab', 'ROLLOUT=2']);
    const status = await c.kubectlOk(['rollout', 'status', 'deployment/backend', '-n', 'networking-lab', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.match(status, /successfully rolled out/);
    const history = await c.kubectlOk(['rollout', 'history', 'deployment/backend', '-n', 'networking-lab']);
    assert.match(history, /^1\s/m);
    assert.match(history, /^2\s/m);
  } finally {
    await c.stop();
  }
});
