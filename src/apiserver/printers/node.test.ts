/**
 * @module apiserver/printers/node.test
 * Tests for the node printer code against upstream expectations and lab objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOW, controlPlaneNode, workerNode } from './fixtures.js';
import { columnsFor, rowFor } from './registry.js';

test('node columns', () => {
  assert.deepEqual(
    columnsFor('/Node').map((c) => [c.name, c.priority]),
    [['Name', 0], ['Status', 0], ['Roles', 0], ['Age', 0], ['Version', 0], ['Internal-IP', 1], ['External-IP', 1], ['OS-Image', 1], ['Kernel-Version', 1], ['Container-Runtime', 1]],
  );
});

test('control-plane node: role from node-role label, wide system info', () => {
  assert.deepEqual(rowFor('/Node', controlPlaneNode, NOW), [
    'kwire-control-plane',
    'Ready',
    'control-plane',
    '26h',
    'v1.31.0',
    '127.0.10.2',
    '<none>',
    'kwire (virtual)',
    '6.8.0-kwire',
    'kwire://0.1.0',
  ]);
});

test('worker node: <none> roles, <unknown> system info', () => {
  assert.deepEqual(rowFor('/Node', workerNode, NOW), ['kwire-worker', 'Ready', '<none>', '26h', 'v1.31.0', '127.0.10.3', '<none>', '<unknown>', '<unknown>', '<unknown>']);
});

test('status: NotReady, Unknown, SchedulingDisabled', () => {
  const n = (spec: Record<string, unknown>, conditions: unknown[]) => ({ metadata: { name: 'n' }, spec, status: { conditions } });
  assert.equal(rowFor('/Node', n({}, [{ type: 'Ready', status: 'False' }]), NOW)[1], 'NotReady');
  assert.equal(rowFor('/Node', n({}, [{ type: 'Ready', status: 'Unknown' }]), NOW)[1], 'NotReady');
  assert.equal(rowFor('/Node', n({}, []), NOW)[1], 'Unknown');
  assert.equal(rowFor('/Node', n({ unschedulable: true }, [{ type: 'Ready', status: 'True' }]), NOW)[1], 'Ready,SchedulingDisabled');
  assert.equal(rowFor('/Node', n({ unschedulable: true }, []), NOW)[1], 'Unknown,SchedulingDisabled');
});

test('roles: sorted, deduplicated, kubernetes.io/role too, empty suffix ignored', () => {
  const node = {
    metadata: {
      name: 'n',
      labels: {
        'node-role.kubernetes.io/worker': '',
        'node-role.kubernetes.io/control-plane': '',
        'node-role.kubernetes.io/': '',
        'kubernetes.io/role': 'worker',
        'node-role.kubernetes.io/infra': 'true',
      },
    },
  };
  assert.equal(rowFor('/Node', node, NOW)[2], 'control-plane,infra,worker');
});

test('first InternalIP and ExternalIP win', () => {
  const node = {
    metadata: { name: 'n' },
    status: { addresses: [{ type: 'InternalIP', address: '2.2.2.2' }, { type: 'ExternalIP', address: '3.3.3.3' }, { type: 'InternalIP', address: '4.4.4.4' }] },
  };
  assert.deepEqual(rowFor('/Node', node, NOW).slice(4, 7), ['', '2.2.2.2', '3.3.3.3']);
});
