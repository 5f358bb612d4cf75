/**
 * @module apiserver/printers/format.test
 * Tests for the shared cell formatters (labels, selectors, lists, host:port).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatLabelSelector,
  formatLabels,
  joinHostPort,
  labelSelectorString,
  layoutContainerCells,
  listWithMore,
  sortedSet,
} from './format.js';

test('formatLabels sorts by key and prints <none> when empty', () => {
  assert.equal(formatLabels({ tier: 'web', app: 'frontend' }), 'app=frontend,tier=web');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
});

test('label selector String(): sorted requirements, sorted values, set-based forms', () => {
  assert.equal(
    labelSelectorString({
      matchLabels: { app: 'backend' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['web', 'api'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'canary', operator: 'DoesNotExist' },
        { key: 'zone', operator: 'Exists' },
      ],
    }),
    'app=backend,!canary,env notin (prod),tier in (api,web),zone',
  );
  assert.equal(labelSelectorString(undefined), '');
  assert.equal(labelSelectorString({}), '');
  assert.equal(labelSelectorString({ matchExpressions: [{ key: 'a', operator: 'Bogus' }] }), undefined);
  assert.equal(labelSelectorString({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), undefined);
});

test('formatLabelSelector: <none> for empty, <error> for invalid', () => {
  assert.equal(formatLabelSelector({ matchLabels: { app: 'backend' } }), 'app=backend');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }), '<error>');
});

test('layoutContainerCells joins names and images', () => {
  assert.deepEqual(layoutContainerCells([{ name: 'a', image: 'nginx' }, { name: 'b', image: 'busybox' }]), ['a,b', 'nginx,busybox']);
  assert.deepEqual(layoutContainerCells(undefined), ['', '']);
});

test('listWithMore, joinHostPort, sortedSet', () => {
  assert.equal(listWithMore(['a', 'b', 'c'], true, 7, 3), 'a,b,c + 4 more...');
  assert.equal(listWithMore([], false, 0, 3), '<unset>');
  assert.equal(joinHostPort('10.0.0.1', 80), '10.0.0.1:80');
  assert.equal(joinHostPort('fd00::1', 80), '[fd00::1]:80');
  assert.deepEqual(sortedSet(['b', 'a', 'b', 'C']), ['C', 'a', 'b']);
});
