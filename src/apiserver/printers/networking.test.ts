/**
 * @module apiserver/printers/networking.test
 * Tests for the networking printer code against upstream expectations and lab objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H, NOW, ago } from './fixtures.js';
import { columnsFor, rowFor } from './registry.js';

const appIngress = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: { name: 'app-ingress', namespace: 'networking-lab', creationTimestamp: ago(2 * H), annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' } },
  spec: {
    ingressClassName: 'nginx',
    rules: [
      { host: 'frontend.local', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'frontend-service', port: { number: 80 } } } }] } },
      { host: 'backend.local', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'backend-clusterip', port: { number: 80 } } } }] } },
    ],
  },
  status: { loadBalancer: { ingress: [{ ip: '127.0.20.1' }] } },
};

test('ingress columns', () => {
  assert.deepEqual(columnsFor('networking.k8s.io/Ingress').map((c) => c.name), ['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']);
  assert.deepEqual(columnsFor('networking.k8s.io/IngressClass').map((c) => c.name), ['Name', 'Controller', 'Parameters', 'Age']);
  assert.deepEqual(columnsFor('networking.k8s.io/NetworkPolicy').map((c) => c.name), ['Name', 'Pod-Selector', 'Age']);
});

test("the lab's app-ingress", () => {
  assert.deepEqual(rowFor('networking.k8s.io/Ingress', appIngress, NOW), ['app-ingress', 'nginx', 'frontend.local,backend.local', '127.0.20.1', '80', '120m']);
});

test('ingress: no class, default backend only, TLS, no address yet, many hosts', () => {
  const bare = { metadata: { name: 'bare' }, spec: { defaultBackend: { service: { name: 'x', port: { number: 80 } } }, tls: [{ hosts: ['a.test'] }] } };
  assert.deepEqual(rowFor('networking.k8s.io/Ingress', bare, NOW), ['bare', '<none>', '*', '', '80, 443', '<unknown>']);
  const many = { metadata: { name: 'm' }, spec: { rules: [{ host: 'a' }, {}, { host: 'b' }, { host: 'c' }, { host: 'd' }, { host: 'e' }] } };
  // Upstream counts every rule (including host-less ones) after the first three hosts.
  assert.equal(rowFor('networking.k8s.io/Ingress', many, NOW)[2], 'a,b,c + 3 more...');
  // upstream TestPrintIngress: IP preferred over hostname
  const both = { metadata: { name: 't' }, spec: { ingressClassName: 'foo' }, status: { loadBalancer: { ingress: [{ ip: '2.3.4.5', hostname: 'localhost.localdomain' }] } } };
  assert.deepEqual(rowFor('networking.k8s.io/Ingress', both, NOW), ['t', 'foo', '*', '2.3.4.5', '80', '<unknown>']);
});

test('ingressclass parameters (upstream TestPrintIngressClass)', () => {
  const ic = (parameters?: Record<string, unknown>) => ({ metadata: { name: 'nginx', creationTimestamp: ago(10 * 365 * 24 * H) }, spec: { controller: 'k8s.io/ingress-nginx', ...(parameters ? { parameters } : {}) } });
  assert.deepEqual(rowFor('networking.k8s.io/IngressClass', ic(), NOW), ['nginx', 'k8s.io/ingress-nginx', '<none>', '10y']);
  assert.equal(rowFor('networking.k8s.io/IngressClass', ic({ kind: 'customgroup', name: 'example' }), NOW)[2], 'customgroup/example');
  assert.equal(rowFor('networking.k8s.io/IngressClass', ic({ apiGroup: 'example.com', kind: 'customgroup', name: 'example', scope: 'Namespace', namespace: 'x' }), NOW)[2], 'customgroup.example.com/example');
});

test("network policies from the lab", () => {
  const np = (name: string, podSelector: unknown) => ({ metadata: { name, creationTimestamp: ago(30 * 60 * 1000) }, spec: { podSelector, policyTypes: ['Ingress'] } });
  assert.deepEqual(rowFor('networking.k8s.io/NetworkPolicy', np('deny-all', {}), NOW), ['deny-all', '<none>', '30m']);
  assert.deepEqual(rowFor('networking.k8s.io/NetworkPolicy', np('allow-frontend-to-backend', { matchLabels: { app: 'backend' } }), NOW), ['allow-frontend-to-backend', 'app=backend', '30m']);
  const expr = np('x', { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] });
  assert.equal(rowFor('networking.k8s.io/NetworkPolicy', expr, NOW)[1], 'tier in (api,web)');
  assert.equal(rowFor('networking.k8s.io/NetworkPolicy', { metadata: { name: 'nospec' } }, NOW)[1], '<none>');
});
