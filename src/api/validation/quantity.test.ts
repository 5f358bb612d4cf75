/** @module api/validation/quantity.test
 * Table-driven tests for api/validation/quantity: one row per case, exact kube-apiserver messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareQuantity, parseQuantity, quantityString } from './quantity.js';

const CANON: ReadonlyArray<readonly [string, string]> = [
  ['1', '1'],
  ['0.5', '500m'],
  ['1000m', '1'],
  ['1500m', '1500m'],
  ['2000', '2k'],
  ['100m', '100m'],
  ['1Gi', '1Gi'],
  ['1024Mi', '1Gi'],
  ['1536Mi', '1536Mi'],
  ['0.5Gi', '512Mi'],
  ['1e3', '1k'],
  ['128974848', '128974848'],
  ['0', '0'],
  ['-1', '-1'],
];
for (const [input, want] of CANON) {
  test(`quantity ${input} -> ${want}`, () => {
    const q = parseQuantity(input);
    assert.ok(q);
    assert.equal(quantityString(q), want);
  });
}

test('quantity comparison and malformed input', () => {
  const a = parseQuantity('500m');
  const b = parseQuantity('1');
  assert.ok(a && b);
  assert.equal(compareQuantity(a, b), -1);
  assert.equal(compareQuantity(b, a), 1);
  const c = parseQuantity('1000m');
  assert.ok(c);
  assert.equal(compareQuantity(b, c), 0);
  assert.equal(parseQuantity('lots'), undefined);
  assert.equal(parseQuantity('1Kb'), undefined);
});
