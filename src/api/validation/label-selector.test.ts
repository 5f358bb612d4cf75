/** @module api/validation/label-selector.test
 * Table-driven tests for api/validation/label-selector: one row per case, exact kube-apiserver messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labelSelectorAsSelector, selectorEmpty, selectorMatches } from './label-selector.js';

type Obj = Record<string, unknown>;
const ROWS: ReadonlyArray<readonly [string, Obj | undefined, Record<string, string>, boolean]> = [
  ['nil selector matches nothing', undefined, { app: 'x' }, false],
  ['empty selector matches everything', {}, {}, true],
  ['matchLabels equal', { matchLabels: { app: 'x' } }, { app: 'x', tier: 'fe' }, true],
  ['matchLabels differ', { matchLabels: { app: 'x' } }, { app: 'y' }, false],
  ['In', { matchExpressions: [{ key: 'env', operator: 'In', values: ['a', 'b'] }] }, { env: 'b' }, true],
  ['In, key missing', { matchExpressions: [{ key: 'env', operator: 'In', values: ['a'] }] }, {}, false],
  ['NotIn, key missing', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['a'] }] }, {}, true],
  ['NotIn, value listed', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['a'] }] }, { env: 'a' }, false],
  ['Exists', { matchExpressions: [{ key: 'env', operator: 'Exists' }] }, { env: '' }, true],
  ['DoesNotExist', { matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, { env: '' }, false],
  ['labels AND expressions', { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'env', operator: 'Exists' }] }, { app: 'x' }, false],
];
for (const [name, sel, labels, want] of ROWS) {
  test(`selector: ${name}`, () => {
    const s = labelSelectorAsSelector(sel);
    assert.ok(!('error' in s));
    assert.equal(selectorMatches(s, labels), want);
  });
}

test('selector conversion errors and emptiness', () => {
  assert.ok('error' in labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }));
  assert.ok('error' in labelSelectorAsSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }));
  assert.ok('error' in labelSelectorAsSelector({ matchLabels: { 'a b': 'c' } }));
  const e = labelSelectorAsSelector({});
  assert.ok(!('error' in e) && selectorEmpty(e));
  const n = labelSelectorAsSelector(undefined);
  assert.ok(!('error' in n) && !selectorEmpty(n));
});
