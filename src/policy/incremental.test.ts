/**
 * @module policy/incremental.test
 * Incremental updates of the engine (pods, namespaces, policies) and the cost property: unrelated policies never enter a decision.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { PolicyEngine } from './engine.js';
import type { Endpoint, PodInfo } from './types.js';

const pod = (namespace: string, name: string, labels: Record<string, string>, ip: string): PodInfo => ({ namespace, name, labels, ip, ports: [{ name: 'http', containerPort: 80 }] });
const ep = (namespace: string, name: string): Endpoint => ({ kind: 'pod', namespace, name });

function base(): PolicyEngine {
  const e = new PolicyEngine();
  e.upsertNamespace({ name: 'x', labels: { 'kubernetes.io/metadata.name': 'x' } });
  e.upsertNamespace({ name: 'y', labels: { 'kubernetes.io/metadata.name': 'y' } });
  e.upsertPod(pod('x', 'server', { app: 'server' }, '10.0.0.1'));
  e.upsertPod(pod('y', 'client-1', { app: 'client' }, '10.0.1.1'));
  e.upsertPod(pod('y', 'client-2', { app: 'client' }, '10.0.1.2'));
  return e;
}

const allowFromTrusted: NetworkPolicy = {
  metadata: { namespace: 'x', name: 'server-in' },
  spec: { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ namespaceSelector: { matchLabels: { trusted: 'yes' } }, podSelector: { matchLabels: { app: 'client' } } }] }] },
};

test('pods with equal labels share an identity; relabelling moves one pod only', () => {
  const e = base();
  assert.equal(e.stats().identities, 2);
  e.upsertPolicy(allowFromTrusted);
  e.upsertNamespace({ name: 'y', labels: { 'kubernetes.io/metadata.name': 'y', trusted: 'yes' } });
  assert.equal(e.decide({ src: ep('y', 'client-1'), dst: ep('x', 'server'), port: 80 }).allowed, true);
  e.upsertPod(pod('y', 'client-1', { app: 'intruder' }, '10.0.1.1'));
  assert.equal(e.stats().identities, 3);
  assert.equal(e.decide({ src: ep('y', 'client-1'), dst: ep('x', 'server'), port: 80 }).allowed, false);
  assert.equal(e.decide({ src: ep('y', 'client-2'), dst: ep('x', 'server'), port: 80 }).allowed, true);
  e.upsertPod(pod('y', 'client-1', { app: 'client' }, '10.0.1.1'));
  assert.equal(e.stats().identities, 2, 'the intruder identity was freed');
  assert.equal(e.decide({ src: ep('y', 'client-1'), dst: ep('x', 'server'), port: 80 }).allowed, true);
});

test('namespace labels: add, change and remove flip namespaceSelector peers', () => {
  const e = base();
  e.upsertPolicy(allowFromTrusted);
  const q = { src: ep('y', 'client-1'), dst: ep('x', 'server'), port: 80 };
  assert.equal(e.decide(q).allowed, false);
  e.upsertNamespace({ name: 'y', labels: { 'kubernetes.io/metadata.name': 'y', trusted: 'yes' } });
  assert.equal(e.decide(q).allowed, true);
  e.upsertNamespace({ name: 'y', labels: { 'kubernetes.io/metadata.name': 'y', trusted: 'no' } });
  assert.equal(e.decide(q).allowed, false);
  e.upsertNamespace({ name: 'y', labels: { 'kubernetes.io/metadata.name': 'y', trusted: 'yes' } });
  e.removeNamespace('y');
  assert.equal(e.decide(q).allowed, false, 'a removed namespace keeps only its name label');
  assert.deepEqual(e.namespaceLabels('y'), { 'kubernetes.io/metadata.name': 'y' });
});

test('policy updates replace rules; removal restores; revisions count changes', () => {
  const e = base();
  const r0 = e.revision;
  const p0 = e.policyRevision;
  e.upsertPolicy({ metadata: { namespace: 'x', name: 'p' }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] } });
  const q = (port: number) => e.decide({ src: ep('y', 'client-1'), dst: ep('x', 'server'), port }).allowed;
  assert.deepEqual([q(80), q(81)], [true, false]);
  e.upsertPolicy({ metadata: { namespace: 'x', name: 'p' }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 81 }] }] } });
  assert.deepEqual([q(80), q(81)], [false, true]);
  e.upsertPolicy({ metadata: { namespace: 'x', name: 'p' }, spec: { podSelector: { matchLabels: { app: 'nobody' } }, ingress: [] } });
  assert.deepEqual([q(80), q(81)], [true, true], 'the subject moved away: server is no longer isolated');
  e.removePolicy({ namespace: 'x', name: 'p' });
  e.removePolicy({ namespace: 'x', name: 'p' }); // idempotent
  assert.deepEqual([q(80), q(81)], [true, true]);
  assert.equal(e.policyRevision, p0 + 4);
  assert.equal(e.revision, r0 + 4);
  assert.equal(e.stats().selectors, 0);
});

test('a new pod joins existing selections (subject and peers) without touching policies', () => {
  const e = base();
  e.upsertPolicy({ metadata: { namespace: 'x', name: 'deny' }, spec: { podSelector: { matchLabels: { app: 'server' } }, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { role: 'admin' } } }] }] } });
  const rev = e.policyRevision;
  e.upsertPod(pod('x', 'server-2', { app: 'server' }, '10.0.0.2'));
  e.upsertPod(pod('y', 'admin', { role: 'admin' }, '10.0.1.9'));
  assert.equal(e.decide({ src: ep('y', 'client-1'), dst: ep('x', 'server-2'), port: 80 }).allowed, false);
  assert.equal(e.decide({ src: ep('y', 'admin'), dst: ep('x', 'server-2'), port: 80 }).allowed, true);
  assert.equal(e.policyRevision, rev);
});

test('IP changes and removals keep the IP index right', () => {
  const e = base();
  e.upsertPod(pod('x', 'server', { app: 'server' }, '10.0.0.77'));
  assert.equal(e.podByIPAddress('10.0.0.1'), undefined);
  assert.equal(e.podByIPAddress('10.0.0.77')?.name, 'server');
  assert.equal(e.decide({ src: { kind: 'ip', ip: '10.0.0.1' }, dst: ep('y', 'client-1'), port: 80 }).src.kind, 'ip');
  e.removePod({ namespace: 'x', name: 'server' });
  assert.equal(e.podByIPAddress('10.0.0.77'), undefined);
  assert.equal(e.getPod({ namespace: 'x', name: 'server' }), undefined);
});

test('a decision only looks at maps of the pods involved: 500 unrelated policies change nothing', () => {
  const e = base();
  e.upsertPolicy(allowFromTrusted);
  const before = e.compiledMapOf({ namespace: 'x', name: 'server' });
  const clientBefore = e.compiledMapOf({ namespace: 'y', name: 'client-1' });
  for (let i = 0; i < 500; i++) {
    e.upsertNamespace({ name: `ns${i % 20}`, labels: { 'kubernetes.io/metadata.name': `ns${i % 20}` } });
    e.upsertPod(pod(`ns${i % 20}`, `p${i}`, { app: `app${i % 7}` }, `10.9.${Math.floor(i / 200)}.${(i % 200) + 2}`));
    e.upsertPolicy({
      metadata: { namespace: i % 2 === 0 ? `ns${i % 20}` : 'x', name: `unrelated-${i}` },
      spec: {
        podSelector: { matchLabels: { app: `app${i % 7}` } },
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ port: 80 + (i % 50) }] }],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
      },
    });
  }
  assert.deepEqual(e.compiledMapOf({ namespace: 'x', name: 'server' }), before);
  assert.deepEqual(e.compiledMapOf({ namespace: 'y', name: 'client-1' }), clientBefore);
  assert.equal(before.ingress.policies, 1);
  assert.equal(before.ingress.entries, 1);
  assert.equal(e.stats().policies, 501);
  assert.equal(e.decide({ src: ep('y', 'client-1'), dst: ep('x', 'server'), port: 80 }).allowed, false);
});

test('host-network pods: no identity, not isolated, not indexed by IP', () => {
  const e = base();
  e.upsertPod({ namespace: 'x', name: 'agent', labels: { app: 'server' }, ip: '172.18.0.2', hostNetwork: true, ports: [] });
  e.upsertPolicy({ metadata: { namespace: 'x', name: 'deny' }, spec: { podSelector: {} } });
  assert.equal(e.stats().identities, 2);
  assert.equal(e.podByIPAddress('172.18.0.2'), undefined);
  assert.equal(e.decide({ src: ep('y', 'client-1'), dst: ep('x', 'agent'), port: 80 }).ingress.reason, 'host-network');
  assert.deepEqual(e.podsSelectedBy({ namespace: 'x', name: 'deny' }).map((p) => p.name), ['server']);
});
