/**
 * @module api/patch/json-patch.test
 * RFC 6902 JSON patch: results, and the Status kube-apiserver answers with.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';
import { PatchError } from './errors.js';
import type { JsonObject } from './json.js';

const pod = (): JsonObject => ({
  metadata: { name: 'p', labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'nginx' }] },
});

const okRows: Array<{ name: string; ops: unknown; want: JsonObject }> = [
  {
    name: 'add a label',
    ops: [{ op: 'add', path: '/metadata/labels/tier', value: 'fe' }],
    want: { metadata: { name: 'p', labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
  },
  {
    name: 'replace by list index',
    ops: [{ op: 'replace', path: '/spec/containers/0/image', value: 'nginx:1.27' }],
    want: { metadata: { name: 'p', labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
  },
  {
    name: 'append with -',
    ops: [{ op: 'add', path: '/spec/containers/-', value: { name: 'b', image: 'busybox' } }],
    want: {
      metadata: { name: 'p', labels: { app: 'web' } },
      spec: {
        containers: [
          { name: 'web', image: 'nginx' },
          { name: 'b', image: 'busybox' },
        ],
      },
    },
  },
  {
    name: 'test then remove (escaped path)',
    ops: [
      { op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'x' },
      { op: 'test', path: '/metadata/labels/app', value: 'web' },
      { op: 'remove', path: '/metadata/labels/app' },
    ],
    want: { metadata: { name: 'p', labels: { 'app.kubernetes.io/name': 'x' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } },
  },
  {
    name: 'move and copy',
    ops: [
      { op: 'copy', from: '/metadata/labels', path: '/metadata/annotations' },
      { op: 'move', from: '/metadata/labels/app', path: '/metadata/labels/role' },
    ],
    want: {
      metadata: { name: 'p', labels: { role: 'web' }, annotations: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx' }] },
    },
  },
  { name: 'null body is an empty patch', ops: null, want: pod() },
];

for (const row of okRows) {
  test(`JSON patch: ${row.name}`, () => {
    const input = pod();
    assert.deepEqual(applyJsonPatch(input, row.ops), row.want);
    assert.deepEqual(input, pod(), 'input untouched');
  });
}

const errRows: Array<{ name: string; ops: unknown; code: number; reason: string; message: string }> = [
  { name: 'failed test op', ops: [{ op: 'test', path: '/metadata/name', value: 'q' }], code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request' },
  { name: 'remove of a missing path', ops: [{ op: 'remove', path: '/metadata/nope' }], code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request' },
  { name: 'replace of a missing path', ops: [{ op: 'replace', path: '/spec/nope', value: 1 }], code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request' },
  { name: 'add under a missing parent', ops: [{ op: 'add', path: '/a/b/c', value: 1 }], code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request' },
  { name: 'unknown op', ops: [{ op: 'frob', path: '/a' }], code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request' },
  { name: 'body is an object', ops: { op: 'add' }, code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' },
  { name: 'operation is a string', ops: ['add'], code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal string into Go value of type jsonpatch.Operation' },
];

for (const row of errRows) {
  test(`JSON patch error: ${row.name}`, () => {
    assert.throws(
      () => applyJsonPatch(pod(), row.ops),
      (e: unknown) => {
        assert.ok(e instanceof PatchError);
        assert.equal(e.code, row.code);
        assert.equal(e.reason, row.reason);
        assert.equal(e.message, row.message);
        return true;
      },
    );
  });
}

test('JSON patch: the Status for a failed op matches kube-apiserver', () => {
  try {
    applyJsonPatch(pod(), [{ op: 'test', path: '/metadata/name', value: 'q' }]);
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof PatchError);
    assert.ok(e.detail && e.detail.length > 0, 'the library detail is kept for logs');
    assert.deepEqual(e.toStatus(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'the server rejected our request due to an error in our request',
      reason: 'Invalid',
      details: {},
      code: 422,
    });
  }
});

test('JSON patch: more than 10000 operations is 413', () => {
  const ops = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/metadata/name', value: 'p' }));
  assert.throws(
    () => applyJsonPatch(pod(), ops),
    (e: unknown) =>
      e instanceof PatchError &&
      e.code === 413 &&
      e.message === 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
  );
});
