/** @module api/defaults/networking.test
 * Table-driven tests for api/defaults/networking: one row per case, exact kube-apiserver messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDefaults } from './index.js';

type Obj = Record<string, unknown>;

test('NetworkPolicy: policyTypes Ingress only without egress rules', () => {
  const np: Obj = { spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] } };
  applyDefaults('networking.k8s.io/NetworkPolicy', np);
  assert.deepEqual(np['spec'], { podSelector: {}, ingress: [{ ports: [{ port: 80, protocol: 'TCP' }] }], policyTypes: ['Ingress'] });
});

test('NetworkPolicy: egress rules add Egress; explicit policyTypes kept', () => {
  const a: Obj = { spec: { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] } };
  applyDefaults('networking.k8s.io/NetworkPolicy', a);
  assert.deepEqual((a['spec'] as Obj)['policyTypes'], ['Ingress', 'Egress']);
  const b: Obj = { spec: { podSelector: {}, policyTypes: ['Egress'] } };
  applyDefaults('networking.k8s.io/NetworkPolicy', b);
  assert.deepEqual((b['spec'] as Obj)['policyTypes'], ['Egress']);
  const c: Obj = { spec: { podSelector: {}, egress: [] } };
  applyDefaults('networking.k8s.io/NetworkPolicy', c);
  assert.deepEqual((c['spec'] as Obj)['policyTypes'], ['Ingress']);
});

test('IngressClass parameters scope defaults to Cluster; Ingress untouched', () => {
  const ic: Obj = { spec: { controller: 'k8s.io/ingress-nginx', parameters: { kind: 'Cfg', name: 'x' } } };
  applyDefaults('networking.k8s.io/IngressClass', ic);
  assert.deepEqual(ic['spec'], { controller: 'k8s.io/ingress-nginx', parameters: { kind: 'Cfg', name: 'x', scope: 'Cluster' } });
  const ing: Obj = { spec: { rules: [{ http: { paths: [{ path: '/', backend: { service: { name: 'a', port: { number: 80 } } } }] } }] } };
  const before = structuredClone(ing);
  applyDefaults('networking.k8s.io/Ingress', ing);
  assert.deepEqual(ing, before);
});
