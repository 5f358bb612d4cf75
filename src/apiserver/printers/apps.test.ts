/**
 * @module apiserver/printers/apps.test
 * Tests for the apps printer code against upstream expectations and lab objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { D, NOW, ago, backendDeployment, backendReplicaSet } from './fixtures.js';
import { columnsFor, rowFor } from './registry.js';

test('deployment and replicaset columns', () => {
  assert.deepEqual(
    columnsFor('apps/Deployment').map((c) => [c.name, c.type, c.priority]),
    [['Name', 'string', 0], ['Ready', 'string', 0], ['Up-to-date', 'string', 0], ['Available', 'string', 0], ['Age', 'string', 0], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
  );
  assert.deepEqual(
    columnsFor('apps/ReplicaSet').map((c) => [c.name, c.type, c.priority]),
    [['Name', 'string', 0], ['Desired', 'integer', 0], ['Current', 'integer', 0], ['Ready', 'integer', 0], ['Age', 'string', 0], ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1]],
  );
  assert.deepEqual(columnsFor('apps/ControllerRevision').map((c) => c.name), ['Name', 'Controller', 'Revision', 'Age']);
});

test("the lab's backend Deployment: 2/3 ready, integer counts, wide containers/images/selector", () => {
  assert.deepEqual(rowFor('apps/Deployment', backendDeployment, NOW), ['backend', '2/3', 3, 2, '5m', 'backend', 'hashicorp/http-echo:latest', 'app=backend']);
  assert.deepEqual(rowFor('apps/Deployment', backendDeployment, NOW, { wide: false }), ['backend', '2/3', 3, 2, '5m']);
});

test('deployment without status, replicas defaulting, empty selector prints ""', () => {
  const d = { metadata: { name: 'fresh' }, spec: { selector: {}, template: { spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'busybox' }] } } } };
  assert.deepEqual(rowFor('apps/Deployment', d, NOW), ['fresh', '0/1', 0, 0, '<unknown>', 'a,b', 'nginx,busybox', '']);
  const zero = { metadata: { name: 'zero' }, spec: { replicas: 0 } };
  assert.equal(rowFor('apps/Deployment', zero, NOW)[1], '0/0');
});

test('replicaset row', () => {
  assert.deepEqual(rowFor('apps/ReplicaSet', backendReplicaSet, NOW), [
    'backend-7d4b9c8f6',
    3,
    3,
    2,
    '5m',
    'backend',
    'hashicorp/http-echo:latest',
    'app=backend,pod-template-hash=7d4b9c8f6',
  ]);
  assert.deepEqual(rowFor('apps/ReplicaSet', { metadata: { name: 'old' }, spec: { replicas: 0, selector: {} } }, NOW), ['old', 0, 0, 0, '<unknown>', '', '', '<none>']);
});

test('controllerrevision: controller as kind.group/name, revision as integer', () => {
  const cr = {
    metadata: {
      name: 'node-agent-6d9f8',
      creationTimestamp: ago(2 * D),
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Pod', name: 'not-controller', uid: 'a' },
        { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'node-agent', uid: 'b', controller: true },
      ],
    },
    revision: 2,
    data: {},
  };
  assert.deepEqual(rowFor('apps/ControllerRevision', cr, NOW), ['node-agent-6d9f8', 'daemonset.apps/node-agent', 2, '2d']);
  assert.deepEqual(rowFor('apps/ControllerRevision', { metadata: { name: 'orphan' }, revision: 1 }, NOW), ['orphan', '<none>', 1, '<unknown>']);
  const core = { metadata: { name: 'c', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'x', controller: true }] }, revision: 3 };
  assert.equal(rowFor('apps/ControllerRevision', core, NOW)[1], 'pod/p');
});
