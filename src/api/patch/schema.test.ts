/**
 * @module api/patch/schema.test
 * The merge-key table: patchStrategyFor / listTypeFor per kind and path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patchStrategyFor, listTypeFor, KIND_SCHEMAS } from './schema.js';
import { RESOURCES, groupKind } from '../resources.js';

const podSpecPaths = (prefix: string[]) => [
  [[...prefix, 'containers'], { strategy: 'merge', mergeKey: 'name' }],
  [[...prefix, 'initContainers'], { strategy: 'merge', mergeKey: 'name' }],
  [[...prefix, 'ephemeralContainers'], { strategy: 'merge', mergeKey: 'name' }],
  [[...prefix, 'containers', 'ports'], { strategy: 'merge', mergeKey: 'containerPort' }],
  [[...prefix, 'containers', 'env'], { strategy: 'merge', mergeKey: 'name' }],
  [[...prefix, 'containers', 'volumeMounts'], { strategy: 'merge', mergeKey: 'mountPath' }],
  [[...prefix, 'containers', 'volumeDevices'], { strategy: 'merge', mergeKey: 'devicePath' }],
  [[...prefix, 'volumes'], { strategy: 'merge,retainKeys', mergeKey: 'name' }],
  [[...prefix, 'imagePullSecrets'], { strategy: 'merge', mergeKey: 'name' }],
  [[...prefix, 'hostAliases'], { strategy: 'merge', mergeKey: 'ip' }],
  [[...prefix, 'topologySpreadConstraints'], { strategy: 'merge', mergeKey: 'topologyKey' }],
  [[...prefix, 'tolerations'], undefined],
  [[...prefix, 'containers', 'envFrom'], undefined],
  [[...prefix, 'containers', 'args'], undefined],
] as const;

const rows: Array<[string, ReadonlyArray<string>, { strategy: string; mergeKey?: string } | undefined]> = [
  ...podSpecPaths(['spec']).map(([p, w]) => ['/Pod', p, w] as [string, ReadonlyArray<string>, typeof w]),
  ...podSpecPaths(['spec', 'template', 'spec']).map(([p, w]) => ['apps/Deployment', p, w] as [string, ReadonlyArray<string>, typeof w]),
  ...podSpecPaths(['spec', 'template', 'spec']).map(([p, w]) => ['apps/ReplicaSet', p, w] as [string, ReadonlyArray<string>, typeof w]),
  ['/Pod', ['status', 'conditions'], { strategy: 'merge', mergeKey: 'type' }],
  ['/Pod', ['status', 'podIPs'], { strategy: 'merge', mergeKey: 'ip' }],
  ['/Pod', ['metadata', 'finalizers'], { strategy: 'merge' }],
  ['/Pod', ['metadata', 'ownerReferences'], { strategy: 'merge', mergeKey: 'uid' }],
  ['apps/Deployment', ['spec', 'template', 'metadata', 'finalizers'], { strategy: 'merge' }],
  ['apps/Deployment', ['spec', 'strategy'], { strategy: 'retainKeys' }],
  ['apps/Deployment', ['status', 'conditions'], { strategy: 'merge', mergeKey: 'type' }],
  ['apps/ReplicaSet', ['status', 'conditions'], { strategy: 'merge', mergeKey: 'type' }],
  ['/Service', ['spec', 'ports'], { strategy: 'merge', mergeKey: 'port' }],
  ['/Service', ['spec', 'externalIPs'], undefined],
  ['/Node', ['spec', 'podCIDRs'], { strategy: 'merge' }],
  ['/Node', ['spec', 'taints'], undefined],
  ['/Node', ['status', 'addresses'], { strategy: 'merge', mergeKey: 'type' }],
  ['/Node', ['status', 'conditions'], { strategy: 'merge', mergeKey: 'type' }],
  ['/Namespace', ['status', 'conditions'], { strategy: 'merge', mergeKey: 'type' }],
  ['/Namespace', ['spec', 'finalizers'], undefined],
  ['/ServiceAccount', ['secrets'], { strategy: 'merge', mergeKey: 'name' }],
  ['/ServiceAccount', ['imagePullSecrets'], undefined],
  ['/ConfigMap', ['metadata', 'finalizers'], { strategy: 'merge' }],
  ['/Secret', ['metadata', 'ownerReferences'], { strategy: 'merge', mergeKey: 'uid' }],
  ['/Endpoints', ['subsets'], undefined],
  ['/Event', ['metadata', 'finalizers'], { strategy: 'merge' }],
  ['discovery.k8s.io/EndpointSlice', ['endpoints'], undefined],
  ['networking.k8s.io/Ingress', ['spec', 'rules'], undefined],
  ['networking.k8s.io/Ingress', ['spec', 'tls'], undefined],
  ['networking.k8s.io/NetworkPolicy', ['spec', 'ingress'], undefined],
  ['networking.k8s.io/NetworkPolicy', ['spec', 'policyTypes'], undefined],
  ['networking.k8s.io/IngressClass', ['metadata', 'ownerReferences'], { strategy: 'merge', mergeKey: 'uid' }],
  ['example.com/Unknown', ['spec', 'anything'], undefined],
];

for (const [gk, path, want] of rows) {
  test(`patchStrategyFor ${gk} ${path.join('.')}`, () => {
    assert.deepEqual(patchStrategyFor(gk, path), want);
  });
}

const listRows: Array<[string, ReadonlyArray<string>, unknown]> = [
  ['/Pod', ['spec', 'containers'], { listType: 'map', listMapKeys: ['name'] }],
  ['/Pod', ['spec', 'containers', 'ports'], { listType: 'map', listMapKeys: ['containerPort', 'protocol'] }],
  ['/Service', ['spec', 'ports'], { listType: 'map', listMapKeys: ['port', 'protocol'] }],
  ['/Pod', ['spec', 'topologySpreadConstraints'], { listType: 'map', listMapKeys: ['topologyKey', 'whenUnsatisfiable'] }],
  ['/Pod', ['status', 'hostIPs'], { listType: 'atomic' }],
  ['/Pod', ['metadata', 'finalizers'], { listType: 'set' }],
  ['/Node', ['spec', 'podCIDRs'], { listType: 'set' }],
  ['/Pod', ['spec', 'tolerations'], undefined],
];

for (const [gk, path, want] of listRows) {
  test(`listTypeFor ${gk} ${path.join('.')}`, () => {
    assert.deepEqual(listTypeFor(gk, path), want);
  });
}

test('every resource kwire serves that can be patched has a schema entry', () => {
  // Create-only resources (SelfSubjectReview) are never stored nor patched.
  for (const r of RESOURCES.filter((x) => x.verbs.includes('patch'))) {
    assert.ok(KIND_SCHEMAS[groupKind(r.group, r.kind)], `${groupKind(r.group, r.kind)} missing`);
  }
});
