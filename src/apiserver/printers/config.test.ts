/**
 * @module apiserver/printers/config.test
 * Tests for the config printer code against upstream expectations and lab objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { D, M, NOW, ago } from './fixtures.js';
import { columnsFor, rowFor } from './registry.js';

test('namespace: status phase and age', () => {
  assert.deepEqual(columnsFor('/Namespace').map((c) => c.name), ['Name', 'Status', 'Age']);
  assert.deepEqual(rowFor('/Namespace', { metadata: { name: 'networking-lab', creationTimestamp: ago(6 * M) }, status: { phase: 'Active' } }, NOW), ['networking-lab', 'Active', '6m']);
  assert.deepEqual(rowFor('/Namespace', { metadata: { name: 'old', creationTimestamp: ago(40 * D), deletionTimestamp: ago(0) }, status: { phase: 'Terminating' } }, NOW), ['old', 'Terminating', '40d']);
});

test('configmap: data + binaryData keys as an integer', () => {
  assert.deepEqual(columnsFor('/ConfigMap').map((c) => [c.name, c.type]), [['Name', 'string'], ['Data', 'string'], ['Age', 'string']]);
  assert.deepEqual(rowFor('/ConfigMap', { metadata: { name: 'kube-root-ca.crt', creationTimestamp: ago(2 * D) }, data: { 'ca.crt': '...' } }, NOW), ['kube-root-ca.crt', 1, '2d']);
  assert.equal(rowFor('/ConfigMap', { metadata: { name: 'c' }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, NOW)[1], 3);
  assert.equal(rowFor('/ConfigMap', { metadata: { name: 'c' } }, NOW)[1], 0);
});

test('secret: type (default Opaque) and data count', () => {
  assert.deepEqual(columnsFor('/Secret').map((c) => c.name), ['Name', 'Type', 'Data', 'Age']);
  assert.deepEqual(rowFor('/Secret', { metadata: { name: 'tls', creationTimestamp: ago(M) }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }, NOW), ['tls', 'kubernetes.io/tls', 2, '60s']);
  assert.deepEqual(rowFor('/Secret', { metadata: { name: 'plain' }, stringData: { a: 'b' }, data: { a: 'Yg==', c: 'ZA==' } }, NOW).slice(1, 3), ['Opaque', 2]);
});

test('serviceaccount: SECRETS column is still printed', () => {
  assert.deepEqual(columnsFor('/ServiceAccount').map((c) => c.name), ['Name', 'Secrets', 'Age']);
  assert.deepEqual(rowFor('/ServiceAccount', { metadata: { name: 'default', creationTimestamp: ago(6 * M) } }, NOW), ['default', 0, '6m']);
  assert.equal(rowFor('/ServiceAccount', { metadata: { name: 'legacy' }, secrets: [{ name: 'legacy-token' }] }, NOW)[1], 1);
});
