/**
 * @module api/patch/strategic-merge.test
 * Strategic merge patch: cases ported from apimachinery's patch_test.go (on its MergeItem test type), the kubectl patches of kubectl-wire.md sec. 8 on real kinds, and the error table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyStrategicMergePatch, applyStrategicMergePatchWithSchema } from './strategic-merge.js';
import { PatchError } from './errors.js';
import type { FieldSchema } from './schema.js';
import type { JsonObject } from './json.js';

// The MergeItem test type of apimachinery's strategicpatch tests, as a schema.
const itemFields: Record<string, FieldSchema> = {};
const mergeItem: FieldSchema = { fields: itemFields };
Object.assign(itemFields, {
  mergingList: { patchStrategy: 'merge', patchMergeKey: 'name', fields: itemFields },
  nonMergingList: {},
  mergingIntList: { patchStrategy: 'merge' },
  nonMergingIntList: {},
  simpleMap: {},
  replacingItem: { patchStrategy: 'replace' },
  retainKeysMap: { patchStrategy: 'retainKeys', fields: { mergingList: { patchStrategy: 'merge', patchMergeKey: 'name' }, mergingIntList: { patchStrategy: 'merge' } } },
  retainKeysMergingList: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', fields: itemFields },
} satisfies Record<string, FieldSchema>);

type Row = { name: string; current: JsonObject; patch: JsonObject; result: JsonObject };

// Rows ported from upstream's patch_test.go (current + patch -> result).
const upstreamRows: Row[] = [
  { name: 'add field to map', current: { name: 1, other: 'a' }, patch: { value: 1 }, result: { name: 1, value: 1, other: 'a' } },
  { name: 'add field and delete field from map', current: { name: 1, other: 'a' }, patch: { name: null, value: 1 }, result: { value: 1, other: 'a' } },
  {
    name: 'delete field from nested map',
    current: { simpleMap: { key1: 1, key2: 1, other: 'a' } },
    patch: { simpleMap: { key2: null } },
    result: { simpleMap: { key1: 1, other: 'a' } },
  },
  { name: 'delete all fields from map', current: { name: 1, value: 1, other: 'a' }, patch: { name: null, value: null }, result: { other: 'a' } },
  { name: 'replace list of scalars', current: { nonMergingIntList: [1, 4] }, patch: { nonMergingIntList: [2, 3] }, result: { nonMergingIntList: [2, 3] } },
  {
    name: 'delete all maps from merging list with conflict',
    current: { mergingList: [{ name: 1, other: 'a' }, { name: 2, other: 'b' }] },
    patch: { mergingList: [{ name: 1, $patch: 'delete' }, { name: 2, $patch: 'delete' }] },
    result: { mergingList: [] },
  },
  {
    name: 'delete all maps from empty merging list',
    current: { mergingList: [] },
    patch: { mergingList: [{ name: 1, $patch: 'delete' }, { name: 2, $patch: 'delete' }] },
    result: { mergingList: [] },
  },
  {
    name: 'defined null values overwrite current fields',
    current: { name: 'a', other: 'a' },
    patch: { name: 1, value: 1, other: null },
    result: { name: 1, value: 1 },
  },
  {
    name: 'delete items in lists of scalars',
    current: { mergingIntList: [1, 2, 3, 4] },
    patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
    result: { mergingIntList: [1, 2, 4] },
  },
  {
    name: 'delete all duplicate items in lists of scalars',
    current: { mergingIntList: [1, 2, 3, 3, 4] },
    patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] },
    result: { mergingIntList: [1, 2, 4] },
  },
  {
    name: 'add and delete items in lists of scalars',
    current: { mergingIntList: [1, 2, 3] },
    patch: { '$setElementOrder/mergingIntList': [1, 2, 4], '$deleteFromPrimitiveList/mergingIntList': [3], mergingIntList: [4] },
    result: { mergingIntList: [1, 2, 4] },
  },
  {
    name: 'merge lists of maps',
    current: { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }] },
    patch: {
      '$setElementOrder/mergingList': [{ name: 4 }, { name: 1 }, { name: 2 }, { name: 3 }],
      mergingList: [{ name: 4, value: 4 }, { name: 3, value: 3 }],
    },
    result: { mergingList: [{ name: 4, value: 4 }, { name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }, { name: 3, value: 3 }] },
  },
  {
    name: 'merge lists of maps with conflict',
    current: { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 3, other: 'b' }] },
    patch: {
      '$setElementOrder/mergingList': [{ name: 1 }, { name: 2 }, { name: 3 }],
      mergingList: [{ name: 2, value: 2 }, { name: 3, value: 3 }],
    },
    result: { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }, { name: 3, value: 3 }] },
  },
  {
    name: 'add field to map in merging list',
    current: { mergingList: [{ name: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }] },
    patch: { '$setElementOrder/mergingList': [{ name: 1 }, { name: 2 }], mergingList: [{ name: 1, value: 1 }] },
    result: { mergingList: [{ name: 1, value: 1, other: 'a' }, { name: 2, value: 2, other: 'b' }] },
  },
  { name: 'unique scalars when merging lists', current: { mergingIntList: [1, 2] }, patch: { mergingIntList: [2, 3] }, result: { mergingIntList: [1, 2, 3] } },
  { name: 'delete map from nested map', current: { simpleMap: { key1: 1, key2: 1 } }, patch: { simpleMap: { $patch: 'delete' } }, result: { simpleMap: {} } },
  { name: 'delete all items from merging list', current: { mergingList: [{ name: 1 }, { name: 2 }] }, patch: { mergingList: [{ $patch: 'replace' }] }, result: { mergingList: [] } },
  { name: 'merge empty merging lists', current: { mergingList: [] }, patch: { mergingList: [] }, result: { mergingList: [] } },
  { name: 'delete all keys from map', current: { name: 1, value: 1 }, patch: { $patch: 'replace' }, result: {} },
  { name: 'add key and delete all keys from map', current: { name: 1, value: 1 }, patch: { other: 'a', $patch: 'replace' }, result: { other: 'a' } },
  {
    name: 'delete all duplicate entries in a merging list',
    current: { mergingList: [{ name: 1 }, { name: 1 }, { name: 2, value: 'a' }, { name: 3 }, { name: 3 }] },
    patch: { mergingList: [{ name: 1, $patch: 'delete' }, { name: 3, $patch: 'delete' }] },
    result: { mergingList: [{ name: 2, value: 'a' }] },
  },
  { name: 'retainKeys map can add a field', current: { retainKeysMap: { name: 'foo' } }, patch: { retainKeysMap: { value: 'bar' } }, result: { retainKeysMap: { name: 'foo', value: 'bar' } } },
  { name: 'retainKeys map merge an empty map', current: { retainKeysMap: { name: 'foo', value: 'a' } }, patch: { retainKeysMap: {} }, result: { retainKeysMap: { name: 'foo', value: 'a' } } },
  {
    name: 'retainKeys map drops keys not listed',
    current: { retainKeysMap: { name: 'foo', value: 'a', other: 'b' } },
    patch: { retainKeysMap: { $retainKeys: ['name', 'value'], value: 'c' } },
    result: { retainKeysMap: { name: 'foo', value: 'c' } },
  },
  {
    name: 'retainKeys list item can delete a field',
    current: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a' }] },
    patch: { retainKeysMergingList: [{ name: 'foo', value: null }] },
    result: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo' }] },
  },
  {
    name: 'preserve the order from the patch in a merging list',
    current: { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] },
    patch: { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }, { name: 2, other: 'x' }] },
    result: { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }, { name: 2, value: 'b', other: 'x' }] },
  },
  {
    name: 'preserve the order from the patch in a merging list 2',
    current: { mergingList: [{ name: 1 }, { name: 2, value: 'b' }, { name: 3 }] },
    patch: { mergingList: [{ name: 3, value: 'c' }, { name: 1, value: 'a' }] },
    result: { mergingList: [{ name: 2, value: 'b' }, { name: 3, value: 'c' }, { name: 1, value: 'a' }] },
  },
  { name: 'preserve the order from the patch in a merging int list', current: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1] }, result: { mergingIntList: [2, 3, 1] } },
  {
    name: '$setElementOrder names an item the list does not have',
    current: { mergingList: [{ name: 1 }, { name: 3 }] },
    patch: { '$setElementOrder/mergingList': [{ name: 3 }, { name: 2 }, { name: 1 }], mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
    result: { mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
  },
  {
    name: '$setElementOrder reorders an int list without a patch list',
    current: { mergingIntList: [1, 3] },
    patch: { '$setElementOrder/mergingIntList': [3, 2, 1] },
    result: { mergingIntList: [3, 1] },
  },
  {
    name: 'new items go in front when no $setElementOrder is given',
    current: { mergingList: [{ name: 1 }, { name: 2 }] },
    patch: { mergingList: [{ name: 3 }] },
    result: { mergingList: [{ name: 3 }, { name: 1 }, { name: 2 }] },
  },
  {
    name: 'replace strategy map is replaced, not merged',
    current: { replacingItem: { a: 1, b: 2 } },
    patch: { replacingItem: { c: 3 } },
    result: { replacingItem: { c: 3 } },
  },
  {
    name: 'nested merging lists merge by key at each level',
    current: { mergingList: [{ name: 1, mergingList: [{ name: 'a', value: 1 }, { name: 'b', value: 2 }] }] },
    patch: { mergingList: [{ name: 1, '$setElementOrder/mergingList': [{ name: 'a' }, { name: 'b' }], mergingList: [{ name: 'b', value: 3 }] }] },
    result: { mergingList: [{ name: 1, mergingList: [{ name: 'a', value: 1 }, { name: 'b', value: 3 }] }] },
  },
];

for (const row of upstreamRows) {
  test(`SMP (upstream case): ${row.name}`, () => {
    assert.deepEqual(applyStrategicMergePatchWithSchema(mergeItem, row.current, row.patch), row.result);
  });
}

// ---- Kubernetes kinds -------------------------------------------------------

const LAST = 'kubectl.kubernetes.io/last-applied-configuration';

function deployment(): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'frontend', namespace: 'networking-lab', labels: { app: 'frontend' }, annotations: { [LAST]: 'old' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'frontend' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'frontend' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.25',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
            },
          ],
          tolerations: [{ key: 'x', operator: 'Exists' }],
        },
      },
    },
  };
}

type KindRow = { name: string; groupKind: string; current: () => JsonObject; patch: unknown; check: (r: JsonObject) => void };

const dig = (o: unknown, ...path: Array<string | number>): unknown =>
  path.reduce<unknown>((x, k) => (x !== null && typeof x === 'object' ? (x as Record<string | number, unknown>)[k] : undefined), o);
const containers = (r: JsonObject) => dig(r, 'spec', 'template', 'spec', 'containers') as JsonObject[];

const kindRows: KindRow[] = [
  {
    name: 'kubectl apply (changed): the exact patch of kubectl-wire sec. 8',
    groupKind: 'apps/Deployment',
    current: deployment,
    patch: {
      metadata: { annotations: { [LAST]: 'new' } },
      spec: { replicas: 2, template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ image: 'nginx:1.27', name: 'web' }] } } },
    },
    check: (r) => {
      assert.equal(dig(r, 'metadata', 'annotations', LAST), 'new');
      assert.equal(dig(r, 'spec', 'replicas'), 2);
      assert.deepEqual(containers(r), [
        {
          name: 'web',
          image: 'nginx:1.27',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
      ]);
      assert.deepEqual(dig(r, 'spec', 'selector'), { matchLabels: { app: 'frontend' } });
    },
  },
  {
    name: 'null removes metadata.labels',
    groupKind: 'apps/Deployment',
    current: deployment,
    patch: { metadata: { labels: null } },
    check: (r) => assert.equal(dig(r, 'metadata', 'labels'), undefined),
  },
  {
    name: 'ports: null inside a container removes its ports',
    groupKind: 'apps/Deployment',
    current: deployment,
    patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }], containers: [{ name: 'web', ports: null }] } } } },
    check: (r) => {
      assert.equal(containers(r)[0]!['ports'], undefined);
      assert.equal(containers(r)[0]!['image'], 'nginx:1.25');
    },
  },
  {
    name: 'a new container follows $setElementOrder (appended)',
    groupKind: 'apps/Deployment',
    current: deployment,
    patch: {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }], containers: [{ name: 'sidecar', image: 'busybox' }] } } },
    },
    check: (r) => assert.deepEqual(containers(r).map((c) => c['name']), ['web', 'sidecar']),
  },
  {
    name: 'a new container follows $setElementOrder (first)',
    groupKind: 'apps/Deployment',
    current: deployment,
    patch: {
      spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }], containers: [{ name: 'sidecar', image: 'busybox' }] } } },
    },
    check: (r) => assert.deepEqual(containers(r).map((c) => c['name']), ['sidecar', 'web']),
  },
  {
    name: 'containers merge by name: only the named one changes',
    groupKind: '/Pod',
    current: () => ({
      spec: {
        containers: [
          { name: 'a', image: 'x:1' },
          { name: 'b', image: 'y:1' },
        ],
      },
    }),
    patch: { spec: { containers: [{ name: 'b', image: 'y:2' }] } },
    check: (r) =>
      assert.deepEqual(dig(r, 'spec', 'containers'), [
        { name: 'a', image: 'x:1' },
        { name: 'b', image: 'y:2' },
      ]),
  },
  {
    name: 'a container is removed with $patch: delete',
    groupKind: '/Pod',
    current: () => ({
      spec: {
        containers: [
          { name: 'a', image: 'x:1' },
          { name: 'b', image: 'y:1' },
        ],
      },
    }),
    patch: { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'b', $patch: 'delete' }] } },
    check: (r) => assert.deepEqual(dig(r, 'spec', 'containers'), [{ name: 'a', image: 'x:1' }]),
  },
  {
    name: 'an env var is deleted with $patch: delete, another updated by name',
    groupKind: 'apps/Deployment',
    current: deployment,
    patch: {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }],
            containers: [{ name: 'web', '$setElementOrder/env': [{ name: 'B' }], env: [{ name: 'A', $patch: 'delete' }, { name: 'B', value: '3' }] }],
          },
        },
      },
    },
    check: (r) => assert.deepEqual(containers(r)[0]!['env'], [{ name: 'B', value: '3' }]),
  },
  {
    name: 'container ports merge by containerPort',
    groupKind: 'apps/Deployment',
    current: deployment,
    patch: {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'web', '$setElementOrder/ports': [{ containerPort: 80 }, { containerPort: 443 }], ports: [{ containerPort: 443, name: 'https' }] },
            ],
          },
        },
      },
    },
    check: (r) =>
      assert.deepEqual(containers(r)[0]!['ports'], [
        { containerPort: 80, protocol: 'TCP' },
        { containerPort: 443, name: 'https' },
      ]),
  },
  {
    name: 'a container port is removed with $patch: delete',
    groupKind: 'apps/Deployment',
    current: deployment,
    patch: { spec: { template: { spec: { containers: [{ name: 'web', ports: [{ containerPort: 80, $patch: 'delete' }] }] } } } },
    check: (r) => assert.deepEqual(containers(r)[0]!['ports'], []),
  },
  {
    name: 'Service ports merge by port',
    groupKind: '/Service',
    current: () => ({
      spec: {
        selector: { app: 'backend' },
        ports: [
          { name: 'http', port: 80, targetPort: 5678, protocol: 'TCP' },
          { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
        ],
      },
    }),
    patch: {
      spec: {
        '$setElementOrder/ports': [{ port: 80 }, { port: 9090 }, { port: 443 }],
        ports: [
          { port: 80, targetPort: 8080 },
          { port: 443, name: 'https', targetPort: 8443 },
        ],
      },
    },
    check: (r) =>
      assert.deepEqual(dig(r, 'spec', 'ports'), [
        { name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' },
        { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
        { port: 443, name: 'https', targetPort: 8443 },
      ]),
  },
  {
    name: 'Deployment strategy has retainKeys: switching to Recreate drops rollingUpdate',
    groupKind: 'apps/Deployment',
    current: deployment,
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    check: (r) => assert.deepEqual(dig(r, 'spec', 'strategy'), { type: 'Recreate' }),
  },
  {
    name: 'a volume switches source with $retainKeys (merge,retainKeys list)',
    groupKind: '/Pod',
    current: (): JsonObject => ({ spec: { volumes: [{ name: 'data', emptyDir: {} } as JsonObject, { name: 'cfg', configMap: { name: 'a' } }] } }),
    patch: {
      spec: {
        '$setElementOrder/volumes': [{ name: 'data' }, { name: 'cfg' }],
        volumes: [{ $retainKeys: ['configMap', 'name'], configMap: { name: 'b' }, name: 'data' }],
      },
    },
    check: (r) =>
      assert.deepEqual(dig(r, 'spec', 'volumes'), [
        { name: 'data', configMap: { name: 'b' } },
        { name: 'cfg', configMap: { name: 'a' } },
      ]),
  },
  {
    name: 'finalizers merge as a set of primitives',
    groupKind: '/Namespace',
    current: () => ({ metadata: { name: 'x', finalizers: ['a', 'b'] } }),
    patch: { metadata: { finalizers: ['b', 'c'] } },
    check: (r) => assert.deepEqual(dig(r, 'metadata', 'finalizers'), ['a', 'b', 'c']),
  },
  {
    name: 'finalizers: $deleteFromPrimitiveList removes values',
    groupKind: '/ConfigMap',
    current: () => ({ metadata: { name: 'x', finalizers: ['a', 'b', 'c'] } }),
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
    check: (r) => assert.deepEqual(dig(r, 'metadata', 'finalizers'), ['a', 'c']),
  },
  {
    name: '$deleteFromPrimitiveList on an absent list changes nothing',
    groupKind: '/ConfigMap',
    current: () => ({ metadata: { name: 'x' } }),
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } },
    check: (r) => assert.deepEqual(r, { metadata: { name: 'x' } }),
  },
  {
    name: 'tolerations have no merge key: the list is replaced',
    groupKind: 'apps/Deployment',
    current: deployment,
    patch: { spec: { template: { spec: { tolerations: [{ key: 'y', operator: 'Exists' }] } } } },
    check: (r) => assert.deepEqual(dig(r, 'spec', 'template', 'spec', 'tolerations'), [{ key: 'y', operator: 'Exists' }]),
  },
  {
    name: 'ownerReferences merge by uid',
    groupKind: 'apps/ReplicaSet',
    current: () => ({ metadata: { name: 'rs', ownerReferences: [{ uid: 'u1', kind: 'Deployment', name: 'd' }] } }),
    patch: { metadata: { ownerReferences: [{ uid: 'u1', controller: true }, { uid: 'u2', kind: 'Foo', name: 'f' }] } },
    check: (r) =>
      assert.deepEqual(dig(r, 'metadata', 'ownerReferences'), [
        { uid: 'u1', kind: 'Deployment', name: 'd', controller: true },
        { uid: 'u2', kind: 'Foo', name: 'f' },
      ]),
  },
  {
    name: 'Pod status conditions merge by type',
    groupKind: '/Pod',
    current: () => ({
      status: {
        conditions: [
          { type: 'PodScheduled', status: 'True' },
          { type: 'Ready', status: 'False' },
        ],
      },
    }),
    patch: { status: { '$setElementOrder/conditions': [{ type: 'PodScheduled' }, { type: 'Ready' }], conditions: [{ type: 'Ready', status: 'True' }] } },
    check: (r) =>
      assert.deepEqual(dig(r, 'status', 'conditions'), [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: 'True' },
      ]),
  },
  {
    name: 'Ingress rules have no merge key: replaced',
    groupKind: 'networking.k8s.io/Ingress',
    current: () => ({ spec: { rules: [{ host: 'a' }, { host: 'b' }] } }),
    patch: { spec: { rules: [{ host: 'c' }] } },
    check: (r) => assert.deepEqual(dig(r, 'spec', 'rules'), [{ host: 'c' }]),
  },
  {
    name: 'a list added where there was none is cleaned of nulls and directives',
    groupKind: '/Pod',
    current: () => ({ spec: {} }),
    patch: { spec: { containers: [{ name: 'a', image: 'x', ports: null }, { name: 'gone', $patch: 'delete' }] } },
    check: (r) => assert.deepEqual(dig(r, 'spec', 'containers'), [{ name: 'a', image: 'x' }]),
  },
  {
    name: 'a map replaced with $patch: replace',
    groupKind: '/ConfigMap',
    current: () => ({ data: { a: '1', b: '2' } }),
    patch: { data: { $patch: 'replace', c: '3' } },
    check: (r) => assert.deepEqual(r, { data: { c: '3' } }),
  },
  {
    name: 'a null patch is a no-op',
    groupKind: '/ConfigMap',
    current: () => ({ data: { a: '1' } }),
    patch: null,
    check: (r) => assert.deepEqual(r, { data: { a: '1' } }),
  },
  {
    name: 'a kind outside the table merges maps and replaces lists',
    groupKind: 'example.com/Widget',
    current: () => ({ spec: { items: [1, 2], m: { a: 1 } } }),
    patch: { spec: { items: [3], m: { b: 2 } } },
    check: (r) => assert.deepEqual(r, { spec: { items: [3], m: { a: 1, b: 2 } } }),
  },
];

for (const row of kindRows) {
  test(`SMP ${row.groupKind}: ${row.name}`, () => {
    row.check(applyStrategicMergePatch(row.groupKind, row.current(), row.patch));
  });
}

test('SMP does not modify its inputs', () => {
  const cur = deployment();
  const before = structuredClone(cur);
  const patch = { spec: { template: { spec: { containers: [{ name: 'web', image: 'x', ports: null }] } } } };
  const patchCopy = structuredClone(patch);
  applyStrategicMergePatch('apps/Deployment', cur, patch);
  assert.deepEqual(cur, before);
  assert.deepEqual(patch, patchCopy);
});

// ---- errors -------------------------------------------------------------------

type ErrRow = { name: string; current: JsonObject; patch: unknown; code: number; reason: string | undefined; message: string | RegExp };

const errRows: ErrRow[] = [
  {
    name: 'patch body is a list',
    current: {},
    patch: [1],
    code: 400,
    reason: 'BadRequest',
    message: 'json: cannot unmarshal array into Go value of type map[string]interface {}',
  },
  { name: '$retainKeys is not a list', current: { retainKeysMap: {} }, patch: { retainKeysMap: { $retainKeys: 'name' } }, code: 400, reason: 'BadRequest', message: 'invalid patch format of retainKeys' },
  {
    name: 'a patch key missing from $retainKeys',
    current: { retainKeysMap: {} },
    patch: { retainKeysMap: { $retainKeys: ['name'], value: 'x' } },
    code: 400,
    reason: 'BadRequest',
    message: 'invalid patch format of retainKeys',
  },
  {
    name: 'malformed $deleteFromPrimitiveList key',
    current: { mergingIntList: [1] },
    patch: { $deleteFromPrimitiveListmergingIntList: [1] },
    code: 400,
    reason: 'BadRequest',
    message: 'invalid patch format of primitive list',
  },
  {
    name: 'malformed $setElementOrder key',
    current: { mergingIntList: [1] },
    patch: { $setElementOrderX: [1] },
    code: 400,
    reason: 'BadRequest',
    message: 'invalid patch format of setElementOrder list',
  },
  {
    name: 'lists of lists',
    current: { mergingIntList: [[1]] },
    patch: { mergingIntList: [[2]] },
    code: 422,
    reason: 'Invalid',
    message: 'the server rejected our request due to an error in our request',
  },
  {
    name: 'missing merge key',
    current: { mergingList: [{ name: 1, value: 'a' }] },
    patch: { mergingList: [{ value: 'b' }] },
    code: 500,
    reason: undefined,
    message: 'map: map[value:b] does not contain declared merge key: name',
  },
  {
    name: '$patch: merge in a list',
    current: { mergingList: [{ name: 1 }] },
    patch: { mergingList: [{ name: 1, $patch: 'merge' }] },
    code: 500,
    reason: undefined,
    message: 'merging lists cannot yet be specified in the patch',
  },
  {
    name: 'unknown $patch in a map',
    current: { simpleMap: { a: 1 } },
    patch: { simpleMap: { $patch: 'merge', b: 2 } },
    code: 500,
    reason: undefined,
    message: 'unknown patch type: merge in map: map[$patch:merge b:2]',
  },
  {
    name: '$setElementOrder is not a list',
    current: { mergingList: [] },
    patch: { '$setElementOrder/mergingList': { name: 1 } },
    code: 500,
    reason: undefined,
    message: 'expected a []interface {}, but received a map[string]interface {}',
  },
  {
    name: 'patch list order contradicts $setElementOrder',
    current: { mergingList: [{ name: 1 }, { name: 3 }, { name: 2 }] },
    patch: { '$setElementOrder/mergingList': [{ name: 1 }, { name: 2 }, { name: 3 }], mergingList: [{ name: 3, value: 3 }, { name: 1, value: 1 }] },
    code: 500,
    reason: undefined,
    message: /doesn't match \$setElementOrder list/,
  },
  {
    name: 'mixed element types in a merging list',
    current: { mergingIntList: [1] },
    patch: { mergingIntList: ['a'] },
    code: 500,
    reason: undefined,
    message: 'list element types are not identical: [[1] [a]]',
  },
];

for (const row of errRows) {
  test(`SMP error: ${row.name}`, () => {
    assert.throws(
      () => applyStrategicMergePatchWithSchema(mergeItem, row.current, row.patch),
      (e: unknown) => {
        assert.ok(e instanceof PatchError);
        assert.equal(e.code, row.code);
        const status = e.toStatus();
        assert.equal(status.reason, row.reason);
        if (typeof row.message === 'string') assert.equal(e.message, row.message);
        else assert.match(e.message, row.message);
        return true;
      },
    );
  });
}
