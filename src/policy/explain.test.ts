/**
 * @module policy/explain.test
 * explain's lines and hints on the lab's real mistakes (namespaceSelector by `name`, deny-all without DNS, Service port in a policy, selectors that select nothing).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { PolicyEngine } from './engine.js';
import type { ExplainQuery, HintCode } from './explain.js';
import { LAB_BACKEND_SERVICE, LAB_DENY_ALL, LAB_PODS, LAB_SELECTIVE, labModel } from './lab-fixture.js';
import type { ClusterModel, Endpoint } from './types.js';

const L = 'networking-lab';
const p = (namespace: string, name: string): Endpoint => ({ kind: 'pod', namespace, name });
const backend = p(L, 'backend-6b7f9c8d4-aaaaa');
const frontend = p(L, 'frontend-5f8d7c6b9-ddddd');
const testPod = p(L, 'test-pod');
const ingressCtl = p('ingress-nginx', 'ingress-nginx-controller-7d9b6c5f4-abcde');

const codes = (m: ClusterModel, q: ExplainQuery): HintCode[] => PolicyEngine.fromModel(m).explain(q).hints.map((h) => h.code);

test('lab step 10: the ingress-nginx namespaceSelector matches nothing; the fix is suggested', () => {
  const x = PolicyEngine.fromModel(labModel([LAB_DENY_ALL, ...LAB_SELECTIVE])).explain({ src: ingressCtl, dst: frontend, port: 80 });
  assert.equal(x.decision.allowed, false);
  assert.equal(x.hints.length, 1);
  const h = x.hints[0];
  assert.ok(h);
  assert.equal(h.code, 'namespace-selector-matches-nothing');
  assert.deepEqual(h.policy, { namespace: L, name: 'allow-ingress-to-frontend' });
  assert.equal(h.path, 'spec.ingress[0].from[0].namespaceSelector');
  assert.equal(h.suggestion, 'namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ingress-nginx } }');
  assert.match(h.message, /Namespace "ingress-nginx" exists but has no label name=ingress-nginx/);
  assert.deepEqual(x.lines.slice(0, 3), [
    `connection: TCP ingress-nginx/ingress-nginx-controller-7d9b6c5f4-abcde (10.244.0.3) -> ${L}/frontend-5f8d7c6b9-ddddd (10.244.2.11) port 80`,
    'egress of ingress-nginx/ingress-nginx-controller-7d9b6c5f4-abcde: not isolated (no policy selecting it has policyTypes Egress): allowed',
    `ingress of ${L}/frontend-5f8d7c6b9-ddddd: isolated by ${L}/allow-ingress-to-frontend, ${L}/deny-all; no rule admits TCP/80 from ingress-nginx/ingress-nginx-controller-7d9b6c5f4-abcde: DROPPED`,
  ]);
  assert.ok(x.lines.includes(`    ${L}/allow-ingress-to-frontend ingress[0]: from pods <all> in namespaces name=ingress-nginx; ports TCP/80 -> from does not match ingress-nginx/ingress-nginx-controller-7d9b6c5f4-abcde`));
  assert.ok(x.lines.includes(`    ${L}/deny-all: has no ingress rules (it only isolates)`));
  assert.equal(x.lines.at(-2), 'verdict: DROPPED (the client waits out its own timeout)');
  assert.match(x.lines.at(-1) ?? '', /^hint: .* Try: namespaceSelector/);
});

test('applying the suggested fix makes the connection pass and the hint go away', () => {
  const fixed: NetworkPolicy[] = LAB_SELECTIVE.map((np) =>
    np.metadata?.name === 'allow-ingress-to-frontend'
      ? { ...np, spec: { ...np.spec, podSelector: np.spec?.podSelector ?? {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 80 }] }] } }
      : np,
  );
  const x = PolicyEngine.fromModel(labModel([LAB_DENY_ALL, ...fixed])).explain({ src: ingressCtl, dst: frontend, port: 80 });
  assert.equal(x.decision.allowed, true);
  assert.deepEqual(x.hints, []);
});

test('lab step 9: deny-all egress without a DNS allowance is pointed out', () => {
  assert.deepEqual(codes(labModel([LAB_DENY_ALL]), { src: testPod, dst: backend, port: 8080 }), ['no-dns-egress']);
  const x = PolicyEngine.fromModel(labModel([LAB_DENY_ALL])).explain({ src: testPod, dst: backend, port: 8080, service: LAB_BACKEND_SERVICE });
  assert.ok(x.lines.includes(`service: ${L}/backend-clusterip 10.96.120.15:80/TCP -> pod port 8080 (policies see the pod port)`));
  assert.match(x.hints[0]?.message ?? '', /on 53\/UDP or 53\/TCP/);
});

test('the DNS hint is silent once 53/UDP to kube-dns is allowed, and judges a synthetic kube-dns when none runs', () => {
  assert.deepEqual(codes(labModel([LAB_DENY_ALL, ...LAB_SELECTIVE]), { src: testPod, dst: backend, port: 8080 }), []);
  const noDnsPods: ClusterModel = { ...labModel([LAB_DENY_ALL, ...LAB_SELECTIVE]), pods: LAB_PODS.filter((x) => x.namespace !== 'kube-system') };
  assert.deepEqual(codes(noDnsPods, { src: testPod, dst: backend, port: 8080 }), []);
  const wrongNs: NetworkPolicy = {
    metadata: { name: 'dns-wrong', namespace: L },
    spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'default' } } }], ports: [{ protocol: 'UDP', port: 53 }] }] },
  };
  assert.deepEqual(codes({ ...noDnsPods, policies: [LAB_DENY_ALL, wrongNs] }, { src: testPod, dst: backend, port: 8080 }), ['no-dns-egress']);
  // A named port on the DNS pods counts too.
  const named: NetworkPolicy = { metadata: { name: 'dns-named', namespace: L }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 'dns' }] }] } };
  assert.deepEqual(codes(labModel([LAB_DENY_ALL, named]), { src: testPod, dst: backend, port: 8080 }), []);
});

test('a policy port that is the Service port, not the pod port', () => {
  const svcPort: NetworkPolicy = {
    metadata: { name: 'backend-on-80', namespace: L },
    spec: { podSelector: { matchLabels: { app: 'backend' } }, ingress: [{ from: [{ podSelector: { matchLabels: { run: 'test-pod' } } }], ports: [{ port: 80 }] }] },
  };
  const x = PolicyEngine.fromModel(labModel([svcPort])).explain({ src: testPod, dst: backend, port: 8080, service: LAB_BACKEND_SERVICE });
  assert.equal(x.decision.allowed, false);
  assert.deepEqual(
    x.hints.map((h) => [h.code, h.path, h.suggestion]),
    [['policy-port-is-service-port', 'spec.ingress[0].ports[0]', 'ports: [{ protocol: TCP, port: 8080 }]']],
  );
  // The same for an egress policy of the client.
  const egress: NetworkPolicy = { metadata: { name: 'out-80', namespace: L }, spec: { podSelector: { matchLabels: { run: 'test-pod' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }] } };
  assert.deepEqual(codes(labModel([egress]), { src: testPod, dst: backend, port: 8080, service: LAB_BACKEND_SERVICE }), ['policy-port-is-service-port']);
  // No hint without the translation, nor when the policy names the target port.
  assert.deepEqual(codes(labModel([svcPort]), { src: testPod, dst: backend, port: 8080 }), []);
  const right: NetworkPolicy = { ...svcPort, spec: { ...svcPort.spec, podSelector: { matchLabels: { app: 'backend' } }, ingress: [{ ports: [{ port: 8080 }] }] } };
  assert.deepEqual(codes(labModel([right]), { src: testPod, dst: backend, port: 8080, service: LAB_BACKEND_SERVICE }), []);
});

test('selectors that select nothing: a policy podSelector typo and a peer podSelector', () => {
  const typo: NetworkPolicy = { metadata: { name: 'typo', namespace: L }, spec: { podSelector: { matchLabels: { app: 'backnd' } }, ingress: [{}] } };
  const peer: NetworkPolicy = { metadata: { name: 'peer', namespace: L }, spec: { podSelector: { matchLabels: { app: 'backend' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontnd' } } }] }] } };
  const x = PolicyEngine.fromModel(labModel([typo, peer])).explain({ src: frontend, dst: backend, port: 8080 });
  assert.equal(x.decision.allowed, false);
  assert.deepEqual(
    x.hints.map((h) => [h.code, h.policy?.name, h.path]),
    [
      ['pod-selector-matches-nothing', 'peer', 'spec.ingress[0].from[0].podSelector'],
      ['pod-selector-matches-nothing', 'typo', 'spec.podSelector'],
    ],
  );
  assert.match(x.hints[1]?.message ?? '', /Pods there carry: app=backend, app=frontend/);
});

test('parts the API server refuses are reported', () => {
  const bad: NetworkPolicy = { metadata: { name: 'bad', namespace: L }, spec: { podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP' }] }] } };
  const x = PolicyEngine.fromModel(labModel([bad])).explain({ src: testPod, dst: backend, port: 8080 });
  assert.deepEqual(
    x.hints.map((h) => [h.code, h.path]),
    [['policy-invalid', 'spec.ingress[0].ports[0].protocol']],
  );
});

test('outside sources, nodes, loopback and node-local are spelled out', () => {
  const e = PolicyEngine.fromModel(labModel([LAB_DENY_ALL]));
  const ext = e.explain({ src: { kind: 'ip', ip: '203.0.113.7' }, dst: backend, port: 8080 });
  assert.ok(ext.lines.includes('source 203.0.113.7 is outside the pod network; only ipBlock peers (or rules with no peers) can match it'));
  assert.ok(ext.lines.includes('egress: not a pod, no policy applies'));
  const node = e.explain({ src: { kind: 'ip', ip: '127.0.10.3' }, dst: backend, port: 8080 });
  assert.ok(node.lines.includes('source 127.0.10.3 is node kwire-worker: host-network traffic; only ipBlock peers can match it'));
  assert.ok(node.lines.includes('verdict: ALLOWED (traffic between a pod and its own node bypasses policy)'));
  assert.ok(node.lines.includes(`ingress of ${L}/backend-6b7f9c8d4-aaaaa: isolated by ${L}/deny-all; no rule admits TCP/8080 from 127.0.10.3: would be dropped, but this traffic bypasses policy`));
  const nat = e.explain({ src: { kind: 'ip', ip: '203.0.113.7' }, snat: { kind: 'ip', ip: '127.0.10.4' }, dst: backend, port: 8080 });
  assert.ok(nat.lines.includes('source NATed to 127.0.10.4 (node kwire-worker2, host network): ingress is judged on that address, egress on the real source'));
  assert.ok(nat.lines.includes(`ingress of ${L}/backend-6b7f9c8d4-aaaaa: isolated by ${L}/deny-all; no rule admits TCP/8080 from 127.0.10.4: DROPPED`));
  const self = e.explain({ src: backend, dst: backend, port: 8080 });
  assert.ok(self.lines.includes('verdict: ALLOWED (a pod cannot block traffic to itself)'));
});

test('an allowed connection under sound policies has no hints', () => {
  const x = PolicyEngine.fromModel(labModel([LAB_DENY_ALL, ...LAB_SELECTIVE])).explain({ src: frontend, dst: backend, port: 8080, service: LAB_BACKEND_SERVICE });
  assert.equal(x.decision.allowed, true);
  assert.deepEqual(x.hints, []);
  assert.deepEqual(JSON.parse(JSON.stringify(x)), x);
});
