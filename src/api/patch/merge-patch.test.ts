/**
 * @module api/patch/merge-patch.test
 * RFC 7386 merge patch, with the RFC's own examples.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from './merge-patch.js';
import { PatchError } from './errors.js';
import type { JsonObject } from './json.js';

// ---- RFC 7386 ---------------------------------------------------------------

const mergeRows: Array<{ name: string; doc: JsonObject; patch: unknown; want: JsonObject }> = [
  { name: 'kubectl label', doc: { metadata: { name: 'ns' } }, patch: { metadata: { labels: { environment: 'test' } } }, want: { metadata: { name: 'ns', labels: { environment: 'test' } } } },
  { name: 'null deletes', doc: { a: 1, b: { c: 2, d: 3 } }, patch: { a: null, b: { c: null } }, want: { b: { d: 3 } } },
  { name: 'lists are replaced whole', doc: { l: [1, 2, 3] }, patch: { l: [4] }, want: { l: [4] } },
  { name: 'object replaces scalar', doc: { a: 'x' }, patch: { a: { b: 1 } }, want: { a: { b: 1 } } },
  { name: 'nulls inside new values are pruned', doc: {}, patch: { a: { b: null, c: 1 }, l: [{ x: null, y: 1 }, null] }, want: { a: { c: 1 }, l: [{ y: 1 }, null] } },
  // RFC 7386 appendix A examples
  { name: 'RFC 7386: {"a":"b"} + {"a":"c"}', doc: { a: 'b' }, patch: { a: 'c' }, want: { a: 'c' } },
  { name: 'RFC 7386: {"a":"b"} + {"b":"c"}', doc: { a: 'b' }, patch: { b: 'c' }, want: { a: 'b', b: 'c' } },
  { name: 'RFC 7386: {"a":[{"b":"c"}]} + {"a":[1]}', doc: { a: [{ b: 'c' }] }, patch: { a: [1] }, want: { a: [1] } },
  { name: 'RFC 7386: {"e":null} + {"a":1}', doc: { e: null }, patch: { a: 1 }, want: { e: null, a: 1 } },
  { name: 'RFC 7386: {} + {"a":{"bb":{"ccc":null}}}', doc: {}, patch: { a: { bb: { ccc: null } } }, want: { a: { bb: {} } } },
];

for (const row of mergeRows) {
  test(`merge patch: ${row.name}`, () => {
    const copy = structuredClone(row.doc);
    assert.deepEqual(applyMergePatch(row.doc, row.patch), row.want);
    assert.deepEqual(row.doc, copy);
  });
}

for (const bad of [null, [1], 'x', 3]) {
  test(`merge patch: body ${JSON.stringify(bad)} is 400 Invalid JSON Patch`, () => {
    assert.throws(
      () => applyMergePatch({}, bad),
      (e: unknown) => e instanceof PatchError && e.code === 400 && e.reason === 'BadRequest' && e.message === 'Invalid JSON Patch',
    );
  });
}
