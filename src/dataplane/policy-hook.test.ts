/**
 * @module dataplane/policy-hook.test
 * The engine behind the connect path: peer mapping (pod owners, unknown pods,
 * nodes, the world), verdicts with `namespace/name` policies, SNAT judged on
 * ingress only, one table row per packet; then the lab through a real virtual
 * network with a Service translation: deny-all makes the client time out and
 * records a DROPPED flow naming the policy, the selective policies let the
 * frontend through while the test pod still cannot reach the backend.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LAB_DENY_ALL, LAB_SELECTIVE, labModel, PolicyEngine } from '../policy/index.js';
import type { PolicyRequest } from './hooks.js';
import type { Translator } from './hooks.js';
import { createPodNetwork } from './pod-network.js';
import { decideFlow, endpointOfPeer, policyHook } from './policy-hook.js';
import { acceptQueue, FakeTimers, waitFor } from './test-support.js';
import type { Peer } from './types.js';

const NS = 'networking-lab';
const TEST_POD = '10.244.2.12';
const FRONTEND = '10.244.2.11'; // frontend-5f8d7c6b9-ddddd on kwire-worker2
const BACKEND = '10.244.1.10'; // backend-6b7f9c8d4-aaaaa on kwire-worker
const VIP = '10.96.120.15';

const pod = (ip: string, name: string, namespace = NS, port = 40000): Peer => ({ ip, port, owner: { kind: 'pod', namespace, name } });

test('peers map to engine endpoints: known pods by name, everything else by IP', () => {
  const engine = PolicyEngine.fromModel(labModel());
  assert.deepEqual(endpointOfPeer(engine, pod(TEST_POD, 'test-pod')), { kind: 'pod', namespace: NS, name: 'test-pod' });
  assert.deepEqual(endpointOfPeer(engine, pod('10.244.9.9', 'not-yet-synced')), { kind: 'ip', ip: '10.244.9.9' });
  assert.deepEqual(endpointOfPeer(engine, { ip: '127.0.10.3', port: 1, owner: { kind: 'node', name: 'kwire-worker' } }), { kind: 'ip', ip: '127.0.10.3' });
  assert.deepEqual(endpointOfPeer(engine, { ip: '203.0.113.7', port: 1 }), { kind: 'ip', ip: '203.0.113.7' });
});

interface Row {
  readonly name: string;
  readonly req: PolicyRequest;
  readonly verdict: 'allow' | 'drop';
  readonly policies: ReadonlyArray<string>;
}

const toBackend = (src: Peer, snat?: Peer): PolicyRequest => ({ protocol: 'TCP', src, dst: pod(BACKEND, 'backend-6b7f9c8d4-aaaaa', NS, 8080), ...(snat ? { snat } : {}) });

const selectiveRows: ReadonlyArray<Row> = [
  { name: 'frontend to backend:8080', req: toBackend(pod(FRONTEND, 'frontend-5f8d7c6b9-ddddd')), verdict: 'allow', policies: [`${NS}/allow-dns-egress`, `${NS}/allow-frontend-to-backend`] },
  { name: 'test-pod to backend:8080', req: toBackend(pod(TEST_POD, 'test-pod')), verdict: 'drop', policies: [`${NS}/allow-frontend-to-backend`, `${NS}/deny-all`] },
  { name: 'unsynced pod, judged by its IP (which the engine knows)', req: toBackend({ ip: FRONTEND, port: 1 }), verdict: 'allow', policies: [`${NS}/allow-dns-egress`, `${NS}/allow-frontend-to-backend`] },
  { name: 'the world to backend', req: toBackend({ ip: '203.0.113.7', port: 1 }), verdict: 'drop', policies: [`${NS}/allow-frontend-to-backend`, `${NS}/deny-all`] },
  {
    name: 'NodePort SNAT to the backend\'s own node: node-local, allowed',
    req: toBackend({ ip: '198.51.100.1', port: 5 }, { ip: '127.0.10.3', port: 0, owner: { kind: 'node', name: 'kwire-worker' } }),
    verdict: 'allow',
    policies: [],
  },
  {
    name: 'NodePort SNAT to another node: ingress sees that node, dropped',
    req: toBackend({ ip: '198.51.100.1', port: 5 }, { ip: '127.0.10.4', port: 0, owner: { kind: 'node', name: 'kwire-worker2' } }),
    verdict: 'drop',
    policies: [`${NS}/allow-frontend-to-backend`, `${NS}/deny-all`],
  },
  {
    name: 'test-pod to kube-dns 53/UDP: egress admitted by allow-dns-egress, kube-system not isolated',
    req: { protocol: 'UDP', src: pod(TEST_POD, 'test-pod'), dst: pod('10.244.0.2', 'coredns-5d78c9869d-4x2lq', 'kube-system', 53) },
    verdict: 'allow',
    policies: [`${NS}/allow-dns-egress`],
  },
];

for (const row of selectiveRows) {
  test(`hook verdict after the selective policies: ${row.name}`, () => {
    const engine = PolicyEngine.fromModel(labModel([LAB_DENY_ALL, ...LAB_SELECTIVE]));
    const v = decideFlow(engine, row.req);
    assert.equal(v.verdict, row.verdict);
    assert.deepEqual(v.policies, row.policies);
    if (v.verdict === 'drop') assert.match(v.reason ?? '', /^denied by network policy: (egress|ingress) of /);
  });
}

test('the lab through the virtual network: deny-all times the client out, the selective policies admit only the frontend', async () => {
  const timers = new FakeTimers();
  const engine = PolicyEngine.fromModel(labModel());
  const translator: Translator = {
    translate: ({ dst }) => (dst.ip === VIP && dst.port === 80 ? { kind: 'forward', dst: { ip: BACKEND, port: 8080 }, service: { namespace: NS, name: 'backend-clusterip', port: '80' } } : undefined),
  };
  const net = createPodNetwork({ timers, clock: () => 1_700_000_000_000 + timers.now, translator, policy: policyHook(engine) });
  for (const p of engine.listPods()) if (p.ip) net.registerAddress(p.ip, { kind: 'pod', namespace: p.namespace, name: p.name });
  const server = acceptQueue(net, BACKEND, 8080);
  try {
    // No policy: test-pod reaches the backend through the Service.
    const ok = await net.connect({ srcIp: TEST_POD, dstIp: VIP, dstPort: 80, timeoutMs: 5000 });
    ok.destroy();
    (await server.next()).socket.destroy();

    // Step 9: deny-all. The attempt is dropped: the client waits out its own timeout.
    engine.upsertPolicy(LAB_DENY_ALL);
    const attempt = net.connect({ srcIp: TEST_POD, dstIp: VIP, dstPort: 80, timeoutMs: 5000 });
    const rejected = assert.rejects(attempt, { code: 'ETIMEDOUT' });
    await waitFor(() => net.recent({ verdict: 'dropped' }).length === 1, 2000, 'the dropped flow record');
    timers.advance(4999);
    let settled = false;
    void attempt.catch(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false, 'still waiting before the timeout');
    timers.advance(1);
    await rejected;
    const [drop] = net.recent({ verdict: 'dropped' });
    assert.ok(drop);
    assert.deepEqual(drop.policies, [`${NS}/deny-all`]);
    assert.deepEqual(drop.service, { namespace: NS, name: 'backend-clusterip', port: '80' });
    assert.equal(drop.endpoint?.ip, BACKEND);
    assert.match(drop.reason, /^denied by network policy: egress of networking-lab\/test-pod: no rule admits TCP\/8080 to networking-lab\/backend-6b7f9c8d4-aaaaa; ingress of /);

    // Step 10: the frontend gets through, the test pod still does not.
    for (const np of LAB_SELECTIVE) engine.upsertPolicy(np);
    const front = await net.connect({ srcIp: FRONTEND, dstIp: VIP, dstPort: 80, timeoutMs: 5000 });
    front.destroy();
    (await server.next()).socket.destroy();
    const forwarded = net.recent({ verdict: 'forwarded' }).at(-1);
    assert.deepEqual(forwarded?.policies, [`${NS}/allow-dns-egress`, `${NS}/allow-frontend-to-backend`]);
    const again = net.connect({ srcIp: TEST_POD, dstIp: VIP, dstPort: 80, timeoutMs: 5000 });
    const rejectedAgain = assert.rejects(again, { code: 'ETIMEDOUT' });
    await waitFor(() => net.recent({ verdict: 'dropped' }).length === 2, 2000, 'the second dropped flow');
    timers.advance(5000);
    await rejectedAgain;
    assert.deepEqual(net.recent({ verdict: 'dropped' }).at(-1)?.policies, [`${NS}/allow-frontend-to-backend`, `${NS}/deny-all`]);
  } finally {
    server.listener.close();
  }
});
