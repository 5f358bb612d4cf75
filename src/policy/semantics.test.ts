/**
 * @module policy/semantics.test
 * Packet-flow tables (one row each: source, destination, port, protocol,
 * expected verdict and which rules decide), run against the compiled engine
 * and the reference evaluator alike.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkPolicy, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';
import { PolicyEngine } from './engine.js';
import { PolicyError } from './errors.js';
import { LAB_DENY_ALL, LAB_SELECTIVE, labModel } from './lab-fixture.js';
import { NaiveEvaluator } from './naive.js';
import { summarizeDecision } from './verdict.js';
import type { ClusterModel, Decision, DecisionReason, DirectionReason, Endpoint, EngineOptions, Protocol, RuleRef } from './types.js';

interface Row {
  readonly name: string;
  readonly src: Endpoint;
  /** The source the destination sees (SNAT). */
  readonly snat?: Endpoint;
  readonly dst: Endpoint;
  readonly port: number;
  readonly protocol?: Protocol;
  readonly allowed: boolean;
  readonly reason?: DecisionReason;
  readonly egress?: DirectionReason;
  readonly ingress?: DirectionReason;
  /** Expected allowedBy of each direction, as `ns/policy dir[i] peer port` strings. */
  readonly egressBy?: string[];
  readonly ingressBy?: string[];
}

const p = (namespace: string, name: string): Endpoint => ({ kind: 'pod', namespace, name });
const ip = (addr: string): Endpoint => ({ kind: 'ip', ip: addr });
const rr = (r: RuleRef): string => `${r.policy.namespace}/${r.policy.name} ${r.direction}[${r.ruleIndex}] ${r.peerIndex ?? '*'} ${r.portIndex ?? '*'}`;

type Evaluator = { decide: PolicyEngine['decide'] };

const evaluators: Record<string, (m: ClusterModel, o?: EngineOptions) => Evaluator> = {
  engine: (m, o) => PolicyEngine.fromModel(m, o),
  reference: (m, o) => new NaiveEvaluator(m, o),
};

function check(d: Decision, row: Row): void {
  const ctx = `${row.name}: ${JSON.stringify({ allowed: d.allowed, reason: d.reason, egress: [d.egress.reason, d.egress.allowedBy.map(rr)], ingress: [d.ingress.reason, d.ingress.allowedBy.map(rr)] })}`;
  assert.equal(d.allowed, row.allowed, ctx);
  if (row.reason) assert.equal(d.reason, row.reason, ctx);
  if (row.egress) assert.equal(d.egress.reason, row.egress, ctx);
  if (row.ingress) assert.equal(d.ingress.reason, row.ingress, ctx);
  if (row.egressBy) assert.deepEqual(d.egress.allowedBy.map(rr), row.egressBy, ctx);
  if (row.ingressBy) assert.deepEqual(d.ingress.allowedBy.map(rr), row.ingressBy, ctx);
}

function table(title: string, model: ClusterModel, rows: Row[], opts?: EngineOptions): void {
  describe(title, () => {
    for (const [label, make] of Object.entries(evaluators)) {
      test(label, () => {
        const ev = make(model, opts);
        for (const row of rows) check(ev.decide({ src: row.src, dst: row.dst, port: row.port, ...(row.protocol ? { protocol: row.protocol } : {}), ...(row.snat ? { snat: row.snat } : {}) }), row);
      });
    }
  });
}

// ------------------------------------------------------------------ the lab

const L = 'networking-lab';
const backendA = p(L, 'backend-6b7f9c8d4-aaaaa'); // on kwire-worker
const frontendD = p(L, 'frontend-5f8d7c6b9-ddddd');
const testPod = p(L, 'test-pod');
const dns = p('kube-system', 'coredns-5d78c9869d-4x2lq');
const ingressCtl = p('ingress-nginx', 'ingress-nginx-controller-7d9b6c5f4-abcde');

table('lab, no policy: everything flows, nobody is isolated', labModel(), [
  { name: 'test-pod -> backend', src: testPod, dst: backendA, port: 8080, allowed: true, reason: 'policy', egress: 'not-isolated', ingress: 'not-isolated' },
  { name: 'external -> backend', src: ip('203.0.113.5'), dst: backendA, port: 8080, allowed: true, egress: 'not-a-pod', ingress: 'not-isolated' },
  { name: 'backend -> external', src: backendA, dst: ip('1.1.1.1'), port: 443, allowed: true, egress: 'not-isolated', ingress: 'not-a-pod' },
]);

table('lab step 9: deny-all', labModel([LAB_DENY_ALL]), [
  { name: 'test-pod -> backend:8080', src: testPod, dst: backendA, port: 8080, allowed: false, egress: 'no-matching-rule', ingress: 'no-matching-rule' },
  { name: 'test-pod -> coredns:53/UDP', src: testPod, dst: dns, port: 53, protocol: 'UDP', allowed: false, egress: 'no-matching-rule', ingress: 'not-isolated' },
  { name: 'ingress controller -> frontend:80', src: ingressCtl, dst: frontendD, port: 80, allowed: false, egress: 'not-isolated', ingress: 'no-matching-rule' },
  { name: 'external -> backend', src: ip('203.0.113.5'), dst: backendA, port: 8080, allowed: false, egress: 'not-a-pod', ingress: 'no-matching-rule' },
  { name: 'backend -> external', src: backendA, dst: ip('1.1.1.1'), port: 443, allowed: false, egress: 'no-matching-rule' },
  { name: 'own node -> backend (kubelet, NodePort on this node)', src: ip('127.0.10.3'), dst: backendA, port: 8080, allowed: true, reason: 'node-local', ingress: 'no-matching-rule' },
  { name: 'backend -> own node', src: backendA, dst: ip('127.0.10.3'), port: 10250, allowed: true, reason: 'node-local' },
  { name: 'other node -> backend', src: ip('127.0.10.4'), dst: backendA, port: 8080, allowed: false, reason: 'policy' },
  { name: 'backend -> itself', src: backendA, dst: backendA, port: 8080, allowed: true, reason: 'loopback', egress: 'no-matching-rule', ingress: 'no-matching-rule' },
  { name: 'pod IP resolves to the pod (same verdict)', src: ip('10.244.2.12'), dst: ip('10.244.1.10'), port: 8080, allowed: false, egress: 'no-matching-rule', ingress: 'no-matching-rule' },
  { name: 'other namespaces unaffected', src: dns, dst: ingressCtl, port: 80, allowed: true, egress: 'not-isolated', ingress: 'not-isolated' },
]);

table('lab step 10: deny-all + selective policies', labModel([LAB_DENY_ALL, ...LAB_SELECTIVE]), [
  {
    name: 'frontend -> backend:8080',
    src: frontendD,
    dst: backendA,
    port: 8080,
    allowed: true,
    egressBy: [`${L}/allow-dns-egress egress[1] 0 *`],
    ingressBy: [`${L}/allow-frontend-to-backend ingress[0] 0 0`],
  },
  { name: 'frontend -> backend:80 (Service port, not pod port)', src: frontendD, dst: backendA, port: 80, allowed: false, egress: 'allowed-by-rule', ingress: 'no-matching-rule' },
  { name: 'test-pod -> backend:8080', src: testPod, dst: backendA, port: 8080, allowed: false, egress: 'allowed-by-rule', ingress: 'no-matching-rule' },
  { name: 'test-pod -> coredns:53/UDP', src: testPod, dst: dns, port: 53, protocol: 'UDP', allowed: true, egressBy: [`${L}/allow-dns-egress egress[0] 0 0`], ingress: 'not-isolated' },
  { name: 'test-pod -> coredns:53/TCP', src: testPod, dst: dns, port: 53, protocol: 'TCP', allowed: false, egress: 'no-matching-rule' },
  { name: 'ingress controller -> frontend:80 (name=ingress-nginx matches nothing)', src: ingressCtl, dst: frontendD, port: 80, allowed: false, ingress: 'no-matching-rule' },
  { name: 'backend -> frontend:80', src: backendA, dst: frontendD, port: 80, allowed: false, egress: 'allowed-by-rule', ingress: 'no-matching-rule' },
  { name: 'frontend -> internet', src: frontendD, dst: ip('1.1.1.1'), port: 443, allowed: false, egress: 'no-matching-rule' },
]);

const fromNodes: NetworkPolicy = {
  metadata: { namespace: L, name: 'backend-from-nodes' },
  spec: { podSelector: { matchLabels: { app: 'backend' } }, ingress: [{ from: [{ ipBlock: { cidr: '127.0.10.0/24' } }], ports: [{ port: 8080 }] }] },
};

table('SNAT: ingress is judged on the source the destination sees, egress on the real source', labModel([LAB_DENY_ALL]), [
  { name: 'NodePort via another node: the node IP is judged, deny-all drops', src: ip('203.0.113.5'), snat: ip('127.0.10.4'), dst: backendA, port: 8080, allowed: false, egress: 'not-a-pod', ingress: 'no-matching-rule' },
  { name: 'NodePort via the backend\'s own node: node-local', src: ip('203.0.113.5'), snat: ip('127.0.10.3'), dst: backendA, port: 8080, allowed: true, reason: 'node-local' },
  { name: 'a pod through its own node: egress still judged for the pod', src: testPod, snat: ip('127.0.10.3'), dst: backendA, port: 8080, allowed: false, reason: 'policy', egress: 'no-matching-rule' },
]);

table('SNAT with an ipBlock for the nodes', labModel([fromNodes]), [
  { name: 'masqueraded to a node IP: the ipBlock admits it', src: ip('203.0.113.5'), snat: ip('127.0.10.4'), dst: backendA, port: 8080, allowed: true, ingressBy: [`${L}/backend-from-nodes ingress[0] 0 0`] },
  { name: 'client IP kept (externalTrafficPolicy: Local): dropped', src: ip('203.0.113.5'), dst: backendA, port: 8080, allowed: false },
  { name: 'a pod masqueraded to a node IP is not judged as the pod', src: testPod, snat: ip('127.0.10.4'), dst: backendA, port: 8080, allowed: true, egress: 'not-isolated' },
]);

// ------------------------------------------------------------------ peers and ports

const NP = (namespace: string, name: string, spec: NetworkPolicySpec): NetworkPolicy => ({ metadata: { namespace, name }, spec });

const small = (policies: NetworkPolicy[]): ClusterModel => ({
  namespaces: [
    { name: 'a', labels: { 'kubernetes.io/metadata.name': 'a', team: 'a' } },
    { name: 'b', labels: { 'kubernetes.io/metadata.name': 'b', team: 'b' } },
  ],
  nodes: [{ name: 'n1', ip: '192.168.0.1' }],
  pods: [
    {
      namespace: 'a',
      name: 'web',
      labels: { app: 'web' },
      ip: '10.0.1.1',
      nodeName: 'n1',
      ports: [
        { name: 'http', containerPort: 8080 },
        { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
        { name: 'mdns', containerPort: 5353, protocol: 'UDP' },
        { name: 'sctp', containerPort: 7000, protocol: 'SCTP' },
      ],
    },
    { namespace: 'a', name: 'client', labels: { app: 'client' }, ip: '10.0.1.2', ports: [{ name: 'http', containerPort: 8081 }] },
    { namespace: 'b', name: 'client', labels: { app: 'client' }, ip: '10.0.2.2', ports: [] },
    { namespace: 'b', name: 'other', labels: { app: 'other' }, ip: '10.0.2.3', ports: [{ name: 'http', containerPort: 8080 }] },
    { namespace: 'b', name: 'agent', labels: { app: 'agent' }, ip: '192.168.0.1', hostNetwork: true, nodeName: 'n1', ports: [{ name: 'agent', containerPort: 9100 }] },
  ],
  policies,
});

const web = p('a', 'web');
const aClient = p('a', 'client');
const bClient = p('b', 'client');
const bOther = p('b', 'other');
const agent = p('b', 'agent');

table(
  'named ports resolve on the destination, for ingress and egress',
  small([
    NP('a', 'web-http', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 'http' }, { port: 'mdns', protocol: 'UDP' }, { port: 'metrics', protocol: 'UDP' }] }] }),
    NP('b', 'client-out', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] }),
  ]),
  [
    { name: 'http -> 8080 on web', src: aClient, dst: web, port: 8080, allowed: true, ingressBy: ['a/web-http ingress[0] * 0'] },
    { name: 'web does not serve 8081', src: aClient, dst: web, port: 8081, allowed: false },
    { name: 'named port needs its protocol: http over UDP', src: aClient, dst: web, port: 8080, protocol: 'UDP', allowed: false },
    { name: 'mdns/UDP', src: aClient, dst: web, port: 5353, protocol: 'UDP', allowed: true, ingressBy: ['a/web-http ingress[0] * 1'] },
    { name: 'metrics is a TCP port; a UDP rule naming it matches nothing', src: aClient, dst: web, port: 9090, allowed: false },
    { name: 'egress http resolves on the destination (web: 8080)', src: bClient, dst: web, port: 8080, allowed: true, egressBy: ['b/client-out egress[0] * 0'] },
    { name: 'egress http resolves on the destination (a/client: 8081)', src: bClient, dst: aClient, port: 8081, allowed: true },
    { name: 'egress http: a/client has no http on 8080', src: bClient, dst: aClient, port: 8080, allowed: false, egress: 'no-matching-rule' },
    { name: 'egress named port never matches an outside IP', src: bClient, dst: ip('8.8.8.8'), port: 8080, allowed: false },
  ],
);

table(
  'numbers, ranges and protocols',
  small([
    NP('a', 'range', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 8080, endPort: 8081 }, { port: 7000, protocol: 'SCTP' }, { protocol: 'UDP' }] }] }),
  ]),
  [
    { name: '8079 below the range', src: aClient, dst: web, port: 8079, allowed: false },
    { name: '8080 first of the range', src: aClient, dst: web, port: 8080, allowed: true, ingressBy: ['a/range ingress[0] * 0'] },
    { name: '8081 last of the range', src: aClient, dst: web, port: 8081, allowed: true },
    { name: '8082 above the range', src: aClient, dst: web, port: 8082, allowed: false },
    { name: 'range is TCP by default, not SCTP', src: aClient, dst: web, port: 8080, protocol: 'SCTP', allowed: false },
    { name: 'SCTP 7000', src: aClient, dst: web, port: 7000, protocol: 'SCTP', allowed: true, ingressBy: ['a/range ingress[0] * 1'] },
    { name: 'SCTP rule does not admit TCP 7000', src: aClient, dst: web, port: 7000, allowed: false },
    { name: 'UDP any port', src: aClient, dst: web, port: 12345, protocol: 'UDP', allowed: true, ingressBy: ['a/range ingress[0] * 2'] },
  ],
);

table(
  'peers: AND within a peer, OR across peers, own namespace by default',
  small([
    NP('a', 'and', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } }, podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 1 }] }] }),
    NP('a', 'or', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }, { podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 2 }] }] }),
    NP('a', 'own-ns', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 3 }] }] }),
    NP('a', 'all-ns', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 4 }] }] }),
    NP('a', 'everyone', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ ports: [{ port: 5 }] }] }),
    NP('a', 'both', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: {} }, { podSelector: { matchLabels: { app: 'client' } } }], ports: [{ port: 6 }, { port: 5 }] }] }),
  ]),
  [
    { name: 'AND: b/client', src: bClient, dst: web, port: 1, allowed: true },
    { name: 'AND: b/other fails the pod part', src: bOther, dst: web, port: 1, allowed: false },
    { name: 'AND: a/client fails the namespace part', src: aClient, dst: web, port: 1, allowed: false },
    { name: 'OR: b/other via the namespace', src: bOther, dst: web, port: 2, allowed: true, ingressBy: ['a/or ingress[0] 0 0'] },
    { name: 'OR: a/client via the pod selector', src: aClient, dst: web, port: 2, allowed: true, ingressBy: ['a/or ingress[0] 1 0'] },
    { name: 'OR: b/client only via the namespace (a lone podSelector means the own namespace)', src: bClient, dst: web, port: 2, allowed: true, ingressBy: ['a/or ingress[0] 0 0'] },
    { name: 'podSelector {} alone: own namespace only', src: bClient, dst: web, port: 3, allowed: false },
    { name: 'podSelector {} alone: a/client', src: aClient, dst: web, port: 3, allowed: true },
    { name: 'namespaceSelector {}: every namespace', src: bOther, dst: web, port: 4, allowed: true },
    { name: 'namespaceSelector {} does not match outside IPs', src: ip('8.8.8.8'), dst: web, port: 4, allowed: false },
    { name: 'no from: everyone, outside IPs too', src: ip('8.8.8.8'), dst: web, port: 5, allowed: true, ingressBy: ['a/everyone ingress[0] * 0'] },
    { name: 'every admitting peer is reported', src: aClient, dst: web, port: 6, allowed: true, ingressBy: ['a/both ingress[0] 0 0', 'a/both ingress[0] 1 0'] },
    { name: 'policies add up; all admitting rules reported, sorted', src: aClient, dst: web, port: 5, allowed: true, ingressBy: ['a/both ingress[0] 0 1', 'a/both ingress[0] 1 1', 'a/everyone ingress[0] * 0'] },
  ],
);

table(
  'ipBlock matches pod IPs and outside IPs, honouring except',
  small([
    NP('a', 'blocks', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.2.0/24'] } }, { ipBlock: { cidr: '203.0.113.0/24' } }] }] }),
    NP('b', 'egress-block', { podSelector: { matchLabels: { app: 'client' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.1.1/32' } }] }] }),
  ]),
  [
    { name: 'a/client 10.0.1.2 inside', src: aClient, dst: web, port: 80, allowed: true, ingressBy: ['a/blocks ingress[0] 0 *'] },
    { name: 'b/client 10.0.2.2 excepted', src: bClient, dst: web, port: 80, allowed: false },
    { name: 'outside 203.0.113.9', src: ip('203.0.113.9'), dst: web, port: 80, allowed: true, ingressBy: ['a/blocks ingress[0] 1 *'] },
    { name: 'outside 198.51.100.1', src: ip('198.51.100.1'), dst: web, port: 80, allowed: false },
    { name: 'host-network agent: only its IP (the node) counts, and it is web\'s own node', src: agent, dst: web, port: 80, allowed: true, reason: 'node-local' },
    { name: 'egress ipBlock /32 to web', src: bClient, dst: web, port: 80, allowed: false, egressBy: ['b/egress-block egress[0] 0 *'] },
    { name: 'egress ipBlock: b/other not in it', src: bClient, dst: bOther, port: 80, allowed: false, egress: 'no-matching-rule' },
  ],
);

table(
  'host-network pods are never isolated and only ipBlock matches them',
  small([
    NP('b', 'deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    NP('a', 'from-b', { podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'b' } } }] }] }),
  ]),
  [
    { name: 'agent is not isolated by deny-all in its namespace', src: bClient, dst: agent, port: 9100, allowed: false, egress: 'no-matching-rule', ingress: 'host-network' },
    { name: 'agent -> outside: host network', src: agent, dst: ip('8.8.8.8'), port: 53, protocol: 'UDP', allowed: true, egress: 'host-network' },
  ],
  { allowNodeLocal: false },
);

table(
  'options: loopback and node-local can be judged by policy instead',
  small([NP('a', 'deny', { podSelector: {} })]),
  [
    { name: 'loopback judged by policy', src: web, dst: web, port: 8080, allowed: false, reason: 'policy' },
    { name: 'own node judged by policy', src: ip('192.168.0.1'), dst: web, port: 8080, allowed: false, reason: 'policy' },
  ],
  { allowLoopback: false, allowNodeLocal: false },
);

test('caller mistakes are typed errors with stable codes', () => {
  const e = PolicyEngine.fromModel(small([]));
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (err) {
      assert.ok(err instanceof PolicyError);
      return `${err.code} ${err.status}`;
    }
    return 'no error';
  };
  assert.equal(code(() => e.decide({ src: p('a', 'nope'), dst: web, port: 80 })), 'POLICY_UNKNOWN_POD 404');
  assert.equal(code(() => e.decide({ src: ip('10.0.0.300'), dst: web, port: 80 })), 'POLICY_INVALID_IP 400');
  assert.equal(code(() => e.decide({ src: aClient, dst: web, port: 0 })), 'POLICY_INVALID_PORT 400');
  assert.equal(code(() => e.decide({ src: aClient, dst: web, port: 80, protocol: 'ICMP' as Protocol })), 'POLICY_INVALID_PROTOCOL 400');
  assert.equal(code(() => e.upsertPod({ namespace: 'a', name: 'x', labels: {}, ip: 'bogus', ports: [] })), 'POLICY_INVALID_IP 400');
  assert.equal(code(() => e.upsertPolicy({ metadata: {} })), 'POLICY_INVALID_INPUT 400');
});

test('decisions are plain JSON', () => {
  const e = PolicyEngine.fromModel(labModel([LAB_DENY_ALL, ...LAB_SELECTIVE]));
  const d = e.decide({ src: frontendD, dst: backendA, port: 8080 });
  assert.deepEqual(JSON.parse(JSON.stringify(d)), d);
  assert.deepEqual(d.src, { kind: 'pod', namespace: L, name: 'frontend-5f8d7c6b9-ddddd', ip: '10.244.2.11' });
  assert.deepEqual(d.ingress.selectedBy, [
    { namespace: L, name: 'allow-frontend-to-backend' },
    { namespace: L, name: 'deny-all' },
  ]);
  assert.equal(d.revision, e.revision);
});

test('summarizeDecision folds a decision to the connect path verdict', () => {
  const e = PolicyEngine.fromModel(labModel([LAB_DENY_ALL, ...LAB_SELECTIVE]));
  assert.deepEqual(summarizeDecision(e.decide({ src: frontendD, dst: backendA, port: 8080 })), {
    verdict: 'allow',
    policies: [`${L}/allow-dns-egress`, `${L}/allow-frontend-to-backend`],
  });
  assert.deepEqual(summarizeDecision(e.decide({ src: testPod, dst: backendA, port: 8080 })), {
    verdict: 'drop',
    policies: [`${L}/allow-frontend-to-backend`, `${L}/deny-all`],
    reason: `ingress of ${L}/backend-6b7f9c8d4-aaaaa: no rule admits TCP/8080 from ${L}/test-pod`,
  });
  assert.deepEqual(summarizeDecision(e.decide({ src: frontendD, dst: ip('1.1.1.1'), port: 443 })), {
    verdict: 'drop',
    policies: [`${L}/allow-dns-egress`, `${L}/deny-all`],
    reason: `egress of ${L}/frontend-5f8d7c6b9-ddddd: no rule admits TCP/443 to 1.1.1.1`,
  });
  assert.deepEqual(summarizeDecision(e.decide({ src: ip('9.9.9.9'), snat: ip('127.0.10.4'), dst: backendA, port: 8080 })).reason, `ingress of ${L}/backend-6b7f9c8d4-aaaaa: no rule admits TCP/8080 from 127.0.10.4`);
  assert.deepEqual(summarizeDecision(e.decide({ src: backendA, dst: backendA, port: 1 })), { verdict: 'allow', policies: [] });
  assert.deepEqual(summarizeDecision(PolicyEngine.fromModel(labModel()).decide({ src: testPod, dst: backendA, port: 8080 })), { verdict: 'allow', policies: [] });
});
