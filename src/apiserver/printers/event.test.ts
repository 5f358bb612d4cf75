/**
 * @module apiserver/printers/event.test
 * Tests for the event printer code against upstream expectations and lab objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { M, NOW, S, ago } from './fixtures.js';
import { columnsFor, rowFor } from './registry.js';

const coreEvent = {
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name: 'backend-7d4b9c8f6-crash.17c1f2a3b4c5d6e7', namespace: 'networking-lab', creationTimestamp: ago(10 * M) },
  involvedObject: { kind: 'Pod', namespace: 'networking-lab', name: 'backend-7d4b9c8f6-crash', apiVersion: 'v1', fieldPath: 'spec.containers{backend}' },
  reason: 'BackOff',
  message: 'Back-off restarting failed container backend in pod backend-7d4b9c8f6-crash_networking-lab(uid)\n',
  source: { component: 'kubelet', host: 'kwire-worker2' },
  firstTimestamp: ago(9 * M),
  lastTimestamp: ago(42 * S),
  count: 12,
  type: 'Warning',
  reportingComponent: 'kubelet',
  reportingInstance: 'kwire-worker2',
};

test('event columns: default and wide, Name last at priority 1', () => {
  assert.deepEqual(
    columnsFor('/Event').map((c) => [c.name, c.priority, c.format]),
    [
      ['Last Seen', 0, ''],
      ['Type', 0, ''],
      ['Reason', 0, ''],
      ['Object', 0, ''],
      ['Subobject', 1, ''],
      ['Source', 1, ''],
      ['Message', 0, ''],
      ['First Seen', 1, ''],
      ['Count', 1, ''],
      ['Name', 1, 'name'],
    ],
  );
  assert.deepEqual(columnsFor('events.k8s.io/Event'), columnsFor('/Event'));
});

test('core/v1 event: default and wide cells', () => {
  assert.deepEqual(rowFor('/Event', coreEvent, NOW, { wide: false }), ['42s', 'Warning', 'BackOff', 'pod/backend-7d4b9c8f6-crash', 'Back-off restarting failed container backend in pod backend-7d4b9c8f6-crash_networking-lab(uid)']);
  assert.deepEqual(rowFor('/Event', coreEvent, NOW), [
    '42s',
    'Warning',
    'BackOff',
    'pod/backend-7d4b9c8f6-crash',
    'spec.containers{backend}',
    'kubelet, kwire-worker2',
    'Back-off restarting failed container backend in pod backend-7d4b9c8f6-crash_networking-lab(uid)',
    '9m',
    12,
    'backend-7d4b9c8f6-crash.17c1f2a3b4c5d6e7',
  ]);
});

test('core/v1 event: eventTime fallback, count 1, reporting controller as source, kind-only object', () => {
  const e = {
    metadata: { name: 'e1' },
    involvedObject: { kind: 'Node' },
    eventTime: '2026-11-28T00:58:30.123456Z',
    reportingComponent: 'kwire-controller',
    reason: 'RegisteredNode',
    type: 'Normal',
    message: '  Node registered  ',
  };
  assert.deepEqual(rowFor('/Event', e, NOW), ['89s', 'Normal', 'RegisteredNode', 'node', '', 'kwire-controller', 'Node registered', '89s', 1, 'e1']);
  assert.deepEqual(rowFor('/Event', { metadata: { name: 'z' } }, NOW, { wide: false }), ['<unknown>', '', '', '', '']);
});

test('core/v1 event with series: last seen and count from the series', () => {
  const e = { ...coreEvent, series: { count: 40, lastObservedTime: ago(3 * S) } };
  const row = rowFor('/Event', e, NOW);
  assert.equal(row[0], '3s');
  assert.equal(row[8], 40);
});

test('events.k8s.io/v1 event maps regarding/note/deprecated* fields', () => {
  const e = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'backend.17c1', namespace: 'networking-lab' },
    eventTime: ago(5 * M),
    reportingController: 'deployment-controller',
    reportingInstance: '',
    action: 'Scale',
    reason: 'ScalingReplicaSet',
    regarding: { kind: 'Deployment', namespace: 'networking-lab', name: 'backend', apiVersion: 'apps/v1' },
    note: 'Scaled up replica set backend-7d4b9c8f6 to 3',
    type: 'Normal',
    deprecatedSource: { component: 'deployment-controller' },
    deprecatedFirstTimestamp: ago(5 * M),
    deprecatedLastTimestamp: ago(5 * M),
    deprecatedCount: 1,
  };
  assert.deepEqual(rowFor('events.k8s.io/Event', e, NOW), [
    '5m',
    'Normal',
    'ScalingReplicaSet',
    'deployment/backend',
    '',
    'deployment-controller',
    'Scaled up replica set backend-7d4b9c8f6 to 3',
    '5m',
    1,
    'backend.17c1',
  ]);
  const series = { ...e, deprecatedCount: undefined, deprecatedLastTimestamp: undefined, series: { count: 4, lastObservedTime: ago(20 * S) } };
  const row = rowFor('events.k8s.io/Event', series, NOW);
  assert.deepEqual([row[0], row[8]], ['20s', 4]);
});
