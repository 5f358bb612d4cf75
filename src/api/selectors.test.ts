import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseLabelSelector,
  matchesLabels,
  selectorMatches,
  parseFieldSelector,
  matchesFields,
  formatRequirements,
  mapSelectorMatches,
} from './selectors.js';
import { ApiError } from '../errors.js';

const rows: Array<[string, Record<string, string> | undefined, boolean]> = [
  ['', { a: 'b' }, true],
  ['app=web', { app: 'web' }, true],
  ['app=web', { app: 'db' }, false],
  ['app==web', { app: 'web' }, true],
  ['app!=web', { app: 'db' }, true],
  ['app!=web', {}, true],
  ['app!=web', { app: 'web' }, false],
  ['app', { app: '' }, true],
  ['app', {}, false],
  ['!app', {}, true],
  ['!app', { app: 'x' }, false],
  ['env in (a,b)', { env: 'b' }, true],
  ['env in (a, b)', { env: 'c' }, false],
  ['env notin (a,b)', { env: 'c' }, true],
  ['env notin (a,b)', {}, true],
  ['env notin (a,b)', { env: 'a' }, false],
  ['app=web,tier!=db', { app: 'web', tier: 'fe' }, true],
  ['app=web,tier!=db', { app: 'web', tier: 'db' }, false],
  ['n>3', { n: '4' }, true],
  ['n<3', { n: '4' }, false],
  ['app=web', undefined, false],
  ['example.com/role=x', { 'example.com/role': 'x' }, true],
];

for (const [sel, labels, want] of rows) {
  test(`label selector ${JSON.stringify(sel)} on ${JSON.stringify(labels)} -> ${want}`, () => {
    assert.equal(matchesLabels(parseLabelSelector(sel), labels), want);
  });
}

test('malformed label selectors are BadRequest', () => {
  for (const bad of ['app in a', 'app=web,,', 'a in (b', '=x', 'app=we b']) {
    assert.throws(() => parseLabelSelector(bad), (e: unknown) => e instanceof ApiError && e.code === 400, bad);
  }
});

test('structured selectors with all operators', () => {
  const sel = {
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'tier', operator: 'In', values: ['fe', 'be'] },
      { key: 'legacy', operator: 'DoesNotExist' },
      { key: 'env', operator: 'NotIn', values: ['prod'] },
      { key: 'team', operator: 'Exists' },
    ],
  };
  assert.equal(selectorMatches(sel, { app: 'web', tier: 'fe', team: 'x' }), true);
  assert.equal(selectorMatches(sel, { app: 'web', tier: 'fe', team: 'x', legacy: '1' }), false);
  assert.equal(selectorMatches(sel, { app: 'web', tier: 'fe', team: 'x', env: 'prod' }), false);
  assert.equal(selectorMatches(sel, { app: 'web', tier: 'db', team: 'x' }), false);
  assert.equal(selectorMatches({}, { any: 'thing' }), true);
  assert.throws(() => selectorMatches({ matchExpressions: [{ key: 'a', operator: 'Near' }] }, {}));
});

test('map selectors', () => {
  assert.equal(mapSelectorMatches({ app: 'backend' }, { app: 'backend', version: 'v1' }), true);
  assert.equal(mapSelectorMatches({ app: 'backend' }, { app: 'frontend' }), false);
});

test('format round-trips', () => {
  const s = 'app=web,tier!=db,env in (a,b),!legacy,team';
  assert.equal(formatRequirements(parseLabelSelector(s)), s);
});

test('field selectors in any order, with escapes', () => {
  const pod = { metadata: { name: 'test-pod', namespace: 'lab' }, spec: { nodeName: 'kwire-worker' }, status: { phase: 'Running' } };
  assert.equal(matchesFields(parseFieldSelector('metadata.name=test-pod'), pod), true);
  assert.equal(matchesFields(parseFieldSelector('status.phase!=Running,metadata.name=test-pod'), pod), false);
  assert.equal(matchesFields(parseFieldSelector('spec.nodeName==kwire-worker,metadata.namespace=lab'), pod), true);
  assert.equal(matchesFields(parseFieldSelector('spec.nodeName='), { spec: {} }), true);
  assert.deepEqual(parseFieldSelector('a=x\\,y'), [{ field: 'a', op: '=', value: 'x,y' }]);
  assert.throws(() => parseFieldSelector('nonsense'), (e: unknown) => e instanceof ApiError && e.code === 400);
});
