/** @module api/defaults/core-objects.test
 * Table-driven tests for api/defaults/core-objects: one row per case, exact kube-apiserver messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDefaults } from './index.js';

type Obj = Record<string, unknown>;

test('Namespace gets its name label, the kubernetes finalizer and phase Active', () => {
  const ns: Obj = { metadata: { name: 'prod', labels: { team: 'a' } } };
  applyDefaults('/Namespace', ns);
  assert.deepEqual(ns, {
    metadata: { name: 'prod', labels: { team: 'a', 'kubernetes.io/metadata.name': 'prod' } },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  });
  const other: Obj = { metadata: { name: 'x', labels: { 'kubernetes.io/metadata.name': 'spoof' } }, spec: { finalizers: ['example.com/f'] } };
  applyDefaults('/Namespace', other);
  assert.equal((other['metadata'] as { labels: Obj }).labels['kubernetes.io/metadata.name'], 'x');
  assert.deepEqual((other['spec'] as Obj)['finalizers'], ['example.com/f', 'kubernetes']);
  const generated: Obj = { metadata: { generateName: 'tmp-' } };
  applyDefaults('/Namespace', generated);
  assert.equal('labels' in (generated['metadata'] as Obj), false);
});

test('Secret type Opaque and stringData folded into data', () => {
  const s: Obj = { stringData: { user: 'admin' }, data: { pass: Buffer.from('x').toString('base64') } };
  applyDefaults('/Secret', s);
  assert.deepEqual(s, { type: 'Opaque', data: { pass: 'eA==', user: 'YWRtaW4=' } });
  const t: Obj = { type: 'kubernetes.io/tls' };
  applyDefaults('/Secret', t);
  assert.equal(t['type'], 'kubernetes.io/tls');
});

test('Endpoints and EndpointSlice port defaults', () => {
  const ep: Obj = { subsets: [{ addresses: [{ ip: '10.244.0.5' }], ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }] };
  applyDefaults('/Endpoints', ep);
  assert.deepEqual((ep['subsets'] as Obj[])[0]?.['ports'], [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }]);
  const slice: Obj = { addressType: 'IPv4', ports: [{ port: 80 }] };
  applyDefaults('discovery.k8s.io/EndpointSlice', slice);
  assert.deepEqual(slice['ports'], [{ port: 80, name: '', protocol: 'TCP' }]);
});

test('unknown kinds are left alone', () => {
  const o: Obj = { spec: {} };
  applyDefaults('example.com/Widget', o);
  assert.deepEqual(o, { spec: {} });
});
