/**
 * @module policy/labels.test
 * Label selector semantics (all operators) and canonical keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { compileSelector, formatSelector, labelsKey, selectorMatches } from './labels.js';

const web = { app: 'web', tier: 'front' };
const db = { app: 'db' };
const none = {};

test('selectorMatches: every operator, matchLabels, AND of requirements', () => {
  const rows: Array<[string, LabelSelector | undefined, Record<string, string>, boolean]> = [
    ['undefined is {}', undefined, web, true],
    ['{} selects everything', {}, none, true],
    ['matchLabels hit', { matchLabels: { app: 'web' } }, web, true],
    ['matchLabels miss', { matchLabels: { app: 'web' } }, db, false],
    ['matchLabels key absent', { matchLabels: { app: 'web' } }, none, false],
    ['matchLabels all must match', { matchLabels: { app: 'web', tier: 'back' } }, web, false],
    ['In hit', { matchExpressions: [{ key: 'app', operator: 'In', values: ['db', 'web'] }] }, web, true],
    ['In miss', { matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] }, web, false],
    ['In key absent', { matchExpressions: [{ key: 'app', operator: 'In', values: ['db'] }] }, none, false],
    ['NotIn hit', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['db'] }] }, web, true],
    ['NotIn miss', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, web, false],
    ['NotIn key absent matches', { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['web'] }] }, none, true],
    ['Exists hit', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, web, true],
    ['Exists miss', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, db, false],
    ['DoesNotExist hit', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, db, true],
    ['DoesNotExist miss', { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, web, false],
    ['labels AND expressions', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, web, false],
    ['unknown operator matches nothing', { matchExpressions: [{ key: 'app', operator: 'in', values: ['web'] }] }, web, false],
    ['In without values matches nothing', { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] }, web, false],
    ['Exists with values matches nothing', { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['x'] }] }, web, false],
  ];
  for (const [name, sel, labels, want] of rows) assert.equal(selectorMatches(compileSelector(sel), labels), want, name);
});

test('canonical keys: equal selectors written differently share a key', () => {
  const a = compileSelector({ matchLabels: { b: '2', a: '1' } });
  const b = compileSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1'] }, { key: 'b', operator: 'In', values: ['2'] }] });
  const c = compileSelector({ matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'In', values: ['2', '2'] }] });
  assert.equal(a.key, b.key);
  assert.equal(a.key, c.key);
  assert.notEqual(a.key, compileSelector({ matchLabels: { a: '1' } }).key);
  assert.equal(compileSelector({}).key, '');
  assert.equal(compileSelector({ matchExpressions: [{ key: 'k', operator: 'In', values: ['y', 'x'] }] }).key, 'k in (x,y)');
  const bad = compileSelector({ matchExpressions: [{ key: 'k', operator: 'Bogus' }] });
  assert.equal(bad.valid, false);
  assert.match(bad.error ?? '', /Unsupported value: "Bogus"/);
});

test('formatSelector prints like kubectl', () => {
  assert.equal(formatSelector(compileSelector({})), '<all>');
  assert.equal(formatSelector(compileSelector({ matchLabels: { name: 'ingress-nginx' } })), 'name=ingress-nginx');
  assert.equal(
    formatSelector(compileSelector({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }, { key: 'x', operator: 'DoesNotExist' }] })),
    '!x,app=web,env notin (prod)',
  );
});

test('labelsKey is order-independent and injective on tricky values', () => {
  assert.equal(labelsKey({ a: '1', b: '2' }), labelsKey({ b: '2', a: '1' }));
  assert.notEqual(labelsKey({ a: '1,b=2' }), labelsKey({ a: '1', b: '2' }));
});
