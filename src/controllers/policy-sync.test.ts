/**
 * @module controllers/policy-sync.test
 * The policy sync controller through a real Registry + Store: objects created,
 * relabelled, finished and deleted through the registry reach the engine at
 * once (the lab's deny-all and selective policies decide as on a cluster),
 * reconciles are idempotent (the engine's revision stays put), resync removes
 * what the store lost, and a stopped controller hears nothing more.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from '../apiserver/registry.js';
import { installStrategies } from '../apiserver/strategies.js';
import { LAB_DENY_ALL, LAB_SELECTIVE, PolicyEngine, type DecideQuery } from '../policy/index.js';
import { Store, type KObject } from '../store/store.js';
import { R } from './informer.js';
import { namespaceInfoOf, nodeInfoOf, podInfoOf, PolicySync, type SyncKind } from './policy-sync.js';

const NS = 'networking-lab';

function setup() {
  const store = new Store();
  const registry = new Registry(store);
  installStrategies(registry, {});
  const engine = new PolicyEngine();
  const errors: Array<{ kind: SyncKind; key: string; err: unknown }> = [];
  const sync = new PolicySync(engine, { onError: (kind, key, err) => errors.push({ kind, key, err }) });
  const namespace = (name: string, labels: Record<string, string> = {}): void => {
    registry.create(R.namespaces, undefined, { metadata: { name, labels } });
  };
  const pod = (name: string, labels: Record<string, string>, ip: string | undefined, o: { ports?: Array<{ containerPort: number; name?: string; protocol?: string }>; node?: string; hostIP?: string; phase?: string; ns?: string } = {}): void => {
    const ns = o.ns ?? NS;
    const cur = registry.create(R.pods, ns, {
      metadata: { name, labels },
      spec: { ...(o.node ? { nodeName: o.node } : {}), containers: [{ name: 'c', image: 'busybox', ports: o.ports ?? [] }] },
    });
    setStatus(name, ip, o.phase ?? 'Running', o.hostIP, ns, cur);
  };
  const setStatus = (name: string, ip: string | undefined, phase: string, hostIP?: string, ns = NS, cur = registry.get(R.pods, ns, name)): void => {
    const next = structuredClone(cur) as KObject;
    next['status'] = { phase, ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}), ...(hostIP ? { hostIP } : {}) };
    registry.commitUpdate(R.pods, cur, next, {}, 'status');
  };
  const relabel = (res: typeof R.pods | typeof R.namespaces, ns: string | undefined, name: string, labels: Record<string, string>): void => {
    const cur = registry.get(res, ns, name);
    const next = structuredClone(cur) as KObject;
    next.metadata.labels = labels;
    registry.update(res, ns, name, next);
  };
  const policy = (np: KObject): void => {
    registry.create(R.networkpolicies, np.metadata.namespace, structuredClone(np));
  };
  return { store, registry, engine, sync, errors, namespace, pod, setStatus, relabel, policy };
}

const q = (from: string, to: string, port: number, protocol: DecideQuery['protocol'] = 'TCP'): DecideQuery => ({
  src: { kind: 'pod', namespace: NS, name: from },
  dst: { kind: 'pod', namespace: NS, name: to },
  port,
  protocol,
});

function labSetup() {
  const t = setup();
  t.namespace(NS, { environment: 'test' });
  t.namespace('kube-system');
  t.pod('backend-a', { app: 'backend' }, '10.244.1.10', { ports: [{ containerPort: 8080 }], node: 'kwire-worker', hostIP: '127.0.10.3' });
  t.pod('frontend-a', { app: 'frontend' }, '10.244.2.11', { ports: [{ containerPort: 80 }], node: 'kwire-worker2', hostIP: '127.0.10.4' });
  t.pod('test-pod', { run: 'test-pod' }, '10.244.2.12', { node: 'kwire-worker2', hostIP: '127.0.10.4' });
  return t;
}

test('objects created before start are fed by the initial list; the lab decides as on a cluster', () => {
  const t = labSetup();
  t.sync.start(t.registry);
  try {
    assert.deepEqual(t.errors, []);
    assert.deepEqual(
      t.engine.listPods().map((p) => `${p.namespace}/${p.name} ${p.ip ?? '-'}`),
      [`${NS}/backend-a 10.244.1.10`, `${NS}/frontend-a 10.244.2.11`, `${NS}/test-pod 10.244.2.12`],
    );
    assert.equal(t.engine.decide(q('test-pod', 'backend-a', 8080)).allowed, true, 'no policy yet: everything flows');
    t.policy(LAB_DENY_ALL as KObject);
    const denied = t.engine.decide(q('test-pod', 'backend-a', 8080));
    assert.equal(denied.allowed, false, 'deny-all applies as soon as the registry acknowledges it');
    assert.deepEqual(denied.ingress.selectedBy, [{ namespace: NS, name: 'deny-all' }]);
    for (const np of LAB_SELECTIVE) t.policy(np as KObject);
    assert.equal(t.engine.decide(q('frontend-a', 'backend-a', 8080)).allowed, true, 'frontend reaches backend');
    assert.equal(t.engine.decide(q('test-pod', 'backend-a', 8080)).allowed, false, 'other pods still cannot');
    assert.equal(t.engine.decide(q('frontend-a', 'backend-a', 9090)).allowed, false, 'only the allowed port');
  } finally {
    t.sync.stop();
  }
});

test('changes after start: pod labels, namespace labels, pod IPs, deletions and finished pods', () => {
  const t = setup();
  t.sync.start(t.registry);
  try {
    t.namespace(NS);
    t.namespace('other');
    t.pod('backend-a', { app: 'backend' }, '10.244.1.10', { ports: [{ containerPort: 8080 }] });
    t.pod('client', { app: 'nobody' }, '10.244.1.20');
    t.pod('probe', { app: 'probe' }, '10.244.3.3', { ns: 'other' });
    t.policy({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'from-frontend-and-trusted', namespace: NS },
      spec: {
        podSelector: { matchLabels: { app: 'backend' } },
        policyTypes: ['Ingress'],
        ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }, { namespaceSelector: { matchLabels: { trusted: 'yes' } } }] }],
      },
    });
    const fromProbe: DecideQuery = { src: { kind: 'pod', namespace: 'other', name: 'probe' }, dst: { kind: 'pod', namespace: NS, name: 'backend-a' }, port: 8080 };
    assert.equal(t.engine.decide(q('client', 'backend-a', 8080)).allowed, false);
    t.relabel(R.pods, NS, 'client', { app: 'frontend' });
    assert.equal(t.engine.decide(q('client', 'backend-a', 8080)).allowed, true, 'a relabelled pod is selected at once');
    assert.equal(t.engine.decide(fromProbe).allowed, false);
    t.relabel(R.namespaces, undefined, 'other', { trusted: 'yes' });
    assert.equal(t.engine.decide(fromProbe).allowed, true, 'a relabelled namespace is selected at once');
    assert.equal(t.engine.namespaceLabels('other')['kubernetes.io/metadata.name'], 'other', 'the name label is always there');
    // A pod's IP is learned from its status.
    t.pod('late', { app: 'x' }, undefined);
    assert.equal(t.engine.getPod({ namespace: NS, name: 'late' })?.ip, undefined);
    t.setStatus('late', '10.244.1.30', 'Running');
    assert.equal(t.engine.podByIPAddress('10.244.1.30')?.name, 'late');
    // A finished pod holds no network.
    t.setStatus('late', '10.244.1.30', 'Succeeded');
    assert.equal(t.engine.getPod({ namespace: NS, name: 'late' }), undefined);
    assert.equal(t.engine.podByIPAddress('10.244.1.30'), undefined);
    // Deletions.
    t.registry.delete(R.networkpolicies, NS, 'from-frontend-and-trusted');
    assert.equal(t.engine.decide(fromProbe).allowed, true);
    assert.equal(t.engine.listPolicies().length, 0);
    t.registry.delete(R.pods, NS, 'client', { gracePeriodSeconds: 0 });
    assert.equal(t.engine.getPod({ namespace: NS, name: 'client' }), undefined);
    assert.deepEqual(t.errors, []);
  } finally {
    t.sync.stop();
  }
});

test('nodes: the InternalIP is fed, so traffic from a pod\'s own node bypasses policy', () => {
  const t = setup();
  t.sync.start(t.registry);
  try {
    t.namespace(NS);
    const node = t.registry.create(R.nodes, undefined, { metadata: { name: 'kwire-worker' } });
    const next = structuredClone(node) as KObject;
    next['status'] = { addresses: [{ type: 'InternalIP', address: '127.0.10.3' }, { type: 'Hostname', address: 'kwire-worker' }] };
    t.registry.commitUpdate(R.nodes, node, next, {}, 'status');
    assert.deepEqual(t.engine.listNodes(), [{ name: 'kwire-worker', ip: '127.0.10.3' }]);
    t.pod('backend-a', { app: 'backend' }, '10.244.1.10', { node: 'kwire-worker', ports: [{ containerPort: 8080 }] });
    t.policy(LAB_DENY_ALL as KObject);
    const fromNode = t.engine.decide({ src: { kind: 'ip', ip: '127.0.10.3' }, dst: { kind: 'pod', namespace: NS, name: 'backend-a' }, port: 8080 });
    assert.equal(fromNode.allowed, true);
    assert.equal(fromNode.reason, 'node-local');
    assert.deepEqual(fromNode.src, { kind: 'ip', ip: '127.0.10.3', node: 'kwire-worker' });
    t.registry.delete(R.nodes, undefined, 'kwire-worker');
    assert.deepEqual(t.engine.listNodes(), []);
  } finally {
    t.sync.stop();
  }
});

test('reconciles are idempotent: an unchanged object, a status-only change or a resync leave the engine revision alone', () => {
  const t = labSetup();
  t.sync.start(t.registry);
  try {
    t.policy(LAB_DENY_ALL as KObject);
    const rev = t.engine.revision;
    t.sync.resync();
    t.sync.reconcile('pod', `${NS}/backend-a`);
    t.sync.reconcile('networkpolicy', `${NS}/deny-all`);
    t.sync.reconcile('namespace', `/${NS}`);
    // A status write that changes nothing the engine reads (conditions) is a no-op too.
    const cur = t.registry.get(R.pods, NS, 'backend-a');
    const next = structuredClone(cur) as KObject;
    next['status'] = { ...(next['status'] as Record<string, unknown>), conditions: [{ type: 'Ready', status: 'True' }] };
    t.registry.commitUpdate(R.pods, cur, next, {}, 'status');
    assert.equal(t.engine.revision, rev);
  } finally {
    t.sync.stop();
  }
});

test('resync removes what the store lost while the controller was stopped, and a stopped controller hears nothing', () => {
  const t = labSetup();
  t.sync.start(t.registry);
  t.policy(LAB_DENY_ALL as KObject);
  t.sync.stop();
  t.registry.delete(R.pods, NS, 'test-pod', { gracePeriodSeconds: 0 });
  t.registry.delete(R.networkpolicies, NS, 'deny-all');
  assert.ok(t.engine.getPod({ namespace: NS, name: 'test-pod' }), 'stopped: not heard');
  assert.equal(t.engine.listPolicies().length, 1);
  t.sync.start(t.registry);
  try {
    assert.equal(t.engine.getPod({ namespace: NS, name: 'test-pod' }), undefined, 'start relists and removes what is gone');
    assert.equal(t.engine.listPolicies().length, 0);
    assert.throws(() => t.sync.start(t.registry), /already started/);
  } finally {
    t.sync.stop();
  }
});

test('an invalid pod IP is reported and the pod is still fed without it; errors never reach the store write', () => {
  const t = setup();
  t.sync.start(t.registry);
  try {
    t.namespace(NS);
    t.pod('weird', { app: 'x' }, 'not-an-ip');
    assert.ok(t.engine.getPod({ namespace: NS, name: 'weird' }));
    assert.equal(t.engine.getPod({ namespace: NS, name: 'weird' })?.ip, undefined);
    assert.equal(t.errors.length, 1);
    assert.equal(t.errors[0]?.kind, 'pod');
    assert.equal(t.errors[0]?.key, `${NS}/weird`);
  } finally {
    t.sync.stop();
  }
});

test('projections: ports of containers and sidecars, host network, node, namespace name label, node InternalIP', () => {
  const info = podInfoOf({
    metadata: { namespace: 'a', name: 'p', labels: { x: '1' } },
    spec: {
      nodeName: 'n1',
      hostNetwork: true,
      containers: [{ name: 'c', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 53, protocol: 'UDP' }] }],
      initContainers: [
        { name: 'side', restartPolicy: 'Always', ports: [{ containerPort: 15000, name: 'admin' }] },
        { name: 'init', ports: [{ containerPort: 1 }] },
      ],
    },
    status: { phase: 'Running', podIP: '127.0.10.3', hostIP: '127.0.10.3' },
  });
  assert.deepEqual(info, {
    namespace: 'a',
    name: 'p',
    labels: { x: '1' },
    ports: [
      { name: 'http', containerPort: 80, protocol: 'TCP' },
      { containerPort: 53, protocol: 'UDP' },
      { name: 'admin', containerPort: 15000, protocol: 'TCP' },
    ],
    ip: '127.0.10.3',
    nodeIP: '127.0.10.3',
    nodeName: 'n1',
    hostNetwork: true,
  });
  assert.equal(podInfoOf({ metadata: { namespace: 'a', name: 'done' }, status: { phase: 'Failed' } }), undefined);
  assert.deepEqual(namespaceInfoOf({ metadata: { name: 'lab', labels: { env: 'test' } } }), { name: 'lab', labels: { env: 'test', 'kubernetes.io/metadata.name': 'lab' } });
  assert.deepEqual(nodeInfoOf({ metadata: { name: 'n' }, status: { addresses: [{ type: 'Hostname', address: 'n' }, { type: 'InternalIP', address: '127.0.10.2' }] } }), { name: 'n', ip: '127.0.10.2' });
  assert.equal(nodeInfoOf({ metadata: { name: 'n' }, status: { addresses: [{ type: 'Hostname', address: 'n' }] } }), undefined);
});
