/**
 * @module apiserver/printers/table.test
 * Tests for buildTable: the Table wire shape, includeObject, noHeaders, purity, and one cell per column for every printer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES, groupKind } from '../../api/resources.js';
import { M, NOW, ago, backendDeployment, backendNodePort, controlPlaneNode, crashLoopPod, runningPod } from './fixtures.js';
import { buildTable, columnsFor, hasPrinter, isIncludeObjectPolicy, printedKinds, rowFor } from './index.js';

test('every resource kwire serves that can be read has a dedicated printer', () => {
  // Create-only resources (SelfSubjectReview) are never listed: no table.
  const readable = RESOURCES.filter((r) => r.verbs.includes('get'));
  for (const r of readable) assert.ok(hasPrinter(groupKind(r.group, r.kind)), `${r.group}/${r.kind}`);
  assert.equal(printedKinds().length, readable.length);
  assert.equal(hasPrinter('authentication.k8s.io/SelfSubjectReview'), false);
});

test('every printer: one cell per column, wide and narrow, even for an empty object', () => {
  for (const gk of printedKinds()) {
    for (const wide of [true, false]) {
      const cols = columnsFor(gk, { wide });
      assert.equal(rowFor(gk, { metadata: { name: 'x' } }, NOW, { wide }).length, cols.length, `${gk} wide=${wide}`);
      assert.equal(rowFor(gk, null, NOW, { wide }).length, cols.length, `${gk} null wide=${wide}`);
    }
    const cols = columnsFor(gk);
    assert.ok(cols.every((c) => c.description.length > 0), `${gk} descriptions`);
    assert.equal(cols.filter((c) => c.format === 'name').length, 1, `${gk} has one name column`);
    // priority-0 columns come first except for Event, whose Message sits between wide ones
    if (gk !== '/Event' && gk !== 'events.k8s.io/Event') {
      const firstWide = cols.findIndex((c) => c.priority > 0);
      assert.ok(firstWide === -1 || cols.slice(firstWide).every((c) => c.priority > 0), `${gk} order`);
    }
  }
});

test('golden: kubectl get pods Table JSON (default includeObject=Metadata)', () => {
  const table = buildTable('/Pod', [runningPod, crashLoopPod], { now: NOW, resourceVersion: '1040' });
  const json = JSON.parse(JSON.stringify(table));
  assert.deepEqual(json.kind, 'Table');
  assert.deepEqual(json.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(json.metadata, { resourceVersion: '1040' });
  assert.deepEqual(
    json.columnDefinitions.map((c: { name: string; priority: number }) => `${c.name}:${c.priority}`),
    ['Name:0', 'Ready:0', 'Status:0', 'Restarts:0', 'Age:0', 'IP:1', 'Node:1', 'Nominated Node:1', 'Readiness Gates:1'],
  );
  assert.deepEqual(json.columnDefinitions[0], {
    name: 'Name',
    type: 'string',
    format: 'name',
    description:
      'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
    priority: 0,
  });
  assert.deepEqual(json.rows, [
    {
      cells: ['backend-7d4b9c8f6-x2x7q', '1/1', 'Running', '1 (5m ago)', '125m', '10.244.1.5', 'kwire-worker', '<none>', '<none>'],
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: {
          name: 'backend-7d4b9c8f6-x2x7q',
          namespace: 'networking-lab',
          uid: '0b2a6c1e-0000-4000-8000-000000000002',
          resourceVersion: '1034',
          creationTimestamp: '2026-11-27T22:55:00Z',
          labels: { app: 'backend', 'pod-template-hash': '7d4b9c8f6', version: 'v1' },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'backend-7d4b9c8f6', uid: 'y', controller: true }],
        },
      },
    },
    {
      cells: ['backend-7d4b9c8f6-crash', '0/1', 'CrashLoopBackOff', '5 (42s ago)', '10m', '10.244.2.9', 'kwire-worker2', '<none>', '<none>'],
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: { name: 'backend-7d4b9c8f6-crash', namespace: 'networking-lab', creationTimestamp: ago(10 * M) },
      },
    },
  ]);
});

test('row objects are copies: mutating the table leaves the stored object alone', () => {
  const table = buildTable('/Pod', [runningPod], { now: NOW });
  const meta = (table.rows[0]!.object as { metadata: { labels: Record<string, string> } }).metadata;
  meta.labels['app'] = 'changed';
  assert.equal(runningPod.metadata.labels.app, 'backend');
});

test('includeObject=None gives object null; =Object the full object with kind/apiVersion', () => {
  const none = JSON.parse(JSON.stringify(buildTable('apps/Deployment', [backendDeployment], { now: NOW, includeObject: 'None' })));
  assert.equal(none.rows[0].object, null);
  const bare = { metadata: { name: 'n', creationTimestamp: ago(M) }, spec: {}, status: {} };
  const full = buildTable('/Node', [bare], { now: NOW, includeObject: 'Object' });
  assert.deepEqual(full.rows[0]!.object, { apiVersion: 'v1', kind: 'Node', ...bare });
  const ing = buildTable('networking.k8s.io/Ingress', [{ metadata: { name: 'i' } }], { now: NOW, includeObject: 'Object' });
  assert.deepEqual(ing.rows[0]!.object, { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' } });
  assert.throws(() => buildTable('/Pod', [], { now: NOW, includeObject: 'Everything' as 'None' }), RangeError);
});

test('isIncludeObjectPolicy', () => {
  assert.ok(isIncludeObjectPolicy('Metadata'));
  assert.ok(isIncludeObjectPolicy('None'));
  assert.ok(isIncludeObjectPolicy('Object'));
  assert.ok(!isIncludeObjectPolicy('metadata'));
  assert.ok(!isIncludeObjectPolicy(undefined));
});

test('list metadata: continue, remainingItemCount; empty list has rows []', () => {
  const t = buildTable('/Service', [], { now: NOW, resourceVersion: '7', continue: 'abc', remainingItemCount: 12 });
  assert.deepEqual(JSON.parse(JSON.stringify(t)).metadata, { resourceVersion: '7', continue: 'abc', remainingItemCount: 12 });
  assert.deepEqual(t.rows, []);
  assert.deepEqual(buildTable('/Service', [], { now: NOW }).metadata, {});
});

test('watch events after the first: columnDefinitions null', () => {
  const t = buildTable('/Service', [backendNodePort], { now: NOW, noHeaders: true });
  assert.equal(t.columnDefinitions, null);
  assert.equal(JSON.stringify(t).includes('"columnDefinitions":null'), true);
  assert.deepEqual(t.rows[0]!.cells, ['backend-nodeport', 'NodePort', '10.96.142.7', '<none>', '80:30080/TCP', '90s', 'app=backend']);
});

test('narrow tables (wide: false) drop priority > 0 columns and cells; v1beta1 tables', () => {
  const t = buildTable('/Node', [controlPlaneNode], { now: NOW, wide: false, apiVersion: 'meta.k8s.io/v1beta1' });
  assert.equal(t.apiVersion, 'meta.k8s.io/v1beta1');
  assert.deepEqual(t.columnDefinitions!.map((c) => c.name), ['Name', 'Status', 'Roles', 'Age', 'Version']);
  assert.deepEqual(t.rows[0]!.cells, ['kwire-control-plane', 'Ready', 'control-plane', '26h', 'v1.31.0']);
  assert.equal((t.rows[0]!.object as { apiVersion: string }).apiVersion, 'meta.k8s.io/v1beta1');
});

test('row conditions only for finished pods', () => {
  const done = { metadata: { name: 'job-x' }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Succeeded' } };
  const t = JSON.parse(JSON.stringify(buildTable('/Pod', [done, runningPod], { now: NOW })));
  assert.deepEqual(t.rows[0].conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  assert.equal('conditions' in t.rows[1], false);
});

test('fallback for unknown kinds: Name and Age', () => {
  assert.equal(hasPrinter('example.com/Widget'), false);
  const t = buildTable('example.com/Widget', [{ metadata: { name: 'w', creationTimestamp: ago(3 * M) } }], { now: NOW });
  assert.deepEqual(t.columnDefinitions!.map((c) => [c.name, c.format]), [['Name', 'name'], ['Age', '']]);
  assert.deepEqual(t.rows[0]!.cells, ['w', '3m']);
});

test('JSON key order matches Go encoding of Table and TableRow', () => {
  const done = { metadata: { name: 'd' }, status: { phase: 'Failed' } };
  const t = buildTable('/Pod', [done], { now: NOW, resourceVersion: '1' });
  assert.deepEqual(Object.keys(t), ['kind', 'apiVersion', 'metadata', 'columnDefinitions', 'rows']);
  assert.deepEqual(Object.keys(t.rows[0]!), ['cells', 'conditions', 'object']);
  assert.deepEqual(Object.keys(t.columnDefinitions![0]!), ['name', 'type', 'format', 'description', 'priority']);
  assert.deepEqual(Object.keys(t.rows[0]!.object as object), ['kind', 'apiVersion', 'metadata']);
});

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}

test('printers never mutate their input (the store hands out frozen objects)', () => {
  const objs = deepFreeze(structuredClone([runningPod, crashLoopPod, backendDeployment, backendNodePort, controlPlaneNode]));
  const kinds = ['/Pod', '/Pod', 'apps/Deployment', '/Service', '/Node'];
  objs.forEach((o, i) => {
    for (const includeObject of ['None', 'Object', 'Metadata'] as const) {
      assert.doesNotThrow(() => buildTable(kinds[i]!, [o], { now: NOW, includeObject }));
    }
  });
  assert.deepEqual(objs[0], runningPod);
});
