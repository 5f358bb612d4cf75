/**
 * @module controllers/kubelet/service-account.test
 * The service-account volume in a container: which containers get it (the
 * kube-api-access volume's mount; without one, the automount rule of the pod and its
 * ServiceAccount), where its files go, and, through a kubelet with a runtime that
 * records what it is given, the files themselves: the pod's token (one per pod,
 * shared by its containers), the cluster CA, the namespace, read-only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../../apiserver/registry.js';
import { installStrategies } from '../../apiserver/strategies.js';
import { apiLayer } from '../../cluster/wiring.js';
import { Store, type KObject } from '../../store/store.js';
import { createPodNetwork } from '../../dataplane/index.js';
import type { ContainerSpec, StartResult } from '../../workloads/images/types.js';
import type { FileMap } from '../../workloads/process.js';
import { isFsError } from '../../workloads/fs.js';
import { R, resourceOf } from '../informer.js';
import { Kubelet } from './kubelet.js';
import { SERVICE_ACCOUNT_DIR, serviceAccountVolume, type PodSpecVolumes, type PodTokenRequest } from './service-account.js';

const DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const KUBE_API_ACCESS = {
  name: 'kube-api-access-abcde',
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  },
};
const MOUNT = { name: 'kube-api-access-abcde', mountPath: DIR, readOnly: true };

test('which containers get the volume, and where its files go', () => {
  assert.equal(SERVICE_ACCOUNT_DIR, DIR);
  const plain = { volumeMounts: [] };
  const defaults = { dir: DIR, files: [{ path: `${DIR}/token`, source: 'token' }, { path: `${DIR}/ca.crt`, source: 'ca.crt' }, { path: `${DIR}/namespace`, source: 'namespace' }] };
  // The kube-api-access volume, as the ServiceAccount admission adds it.
  assert.deepEqual(serviceAccountVolume({ volumes: [KUBE_API_ACCESS] }, { volumeMounts: [MOUNT] }, undefined), { dir: DIR, files: [{ path: `${DIR}/token`, source: 'token', expirationSeconds: 3607 }, { path: `${DIR}/ca.crt`, source: 'ca.crt' }, { path: `${DIR}/namespace`, source: 'namespace' }] });
  // Mounted, it is projected even where the ServiceAccount opts out now: the pod spec decided at creation.
  assert.ok(serviceAccountVolume({ volumes: [KUBE_API_ACCESS] }, { volumeMounts: [MOUNT] }, false));
  // Another projection of the token, with its own paths and audience.
  const custom: PodSpecVolumes = { volumes: [{ name: 'v', projected: { sources: [{ serviceAccountToken: { path: 'jwt', audience: 'vault', expirationSeconds: 600 } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'certs/root.pem' }] } }] } }] };
  assert.deepEqual(serviceAccountVolume(custom, { volumeMounts: [{ name: 'v', mountPath: `${DIR}/` }] }, undefined), {
    dir: DIR,
    files: [{ path: `${DIR}/jwt`, source: 'token', audience: 'vault', expirationSeconds: 600 }, { path: `${DIR}/certs/root.pem`, source: 'ca.crt' }],
  });
  const escape: PodSpecVolumes = { volumes: [{ name: 'v', projected: { sources: [{ serviceAccountToken: { path: '../../../../etc/passwd' } }] } }] };
  assert.deepEqual(serviceAccountVolume(escape, { volumeMounts: [{ name: 'v', mountPath: DIR }] }, undefined)?.files, [], 'nothing outside the volume');
  // The user's own volume at the path: nothing of kwire's goes there.
  assert.equal(serviceAccountVolume({ volumes: [{ name: 'mine' }] }, { volumeMounts: [{ name: 'mine', mountPath: DIR }] }, true), undefined);
  // No mount (a pod stored before the admission added the volume): the automount rule.
  assert.deepEqual(serviceAccountVolume({}, plain, undefined), defaults);
  assert.deepEqual(serviceAccountVolume({}, {}, true), defaults);
  assert.equal(serviceAccountVolume({}, plain, false), undefined, "the ServiceAccount's opt-out");
  assert.equal(serviceAccountVolume({ automountServiceAccountToken: false }, plain, true), undefined, "the pod's opt-out");
  assert.deepEqual(serviceAccountVolume({ automountServiceAccountToken: true }, plain, false), defaults, "the pod's preference wins");
});

interface Started {
  readonly pod: string;
  readonly files: ContainerSpec['files'];
}

async function kubeletWith(pods: KObject[]): Promise<{ started: Started[]; requests: PodTokenRequest[]; registry: Registry; stop(): void }> {
  const registry = new Registry(new Store());
  installStrategies(registry, apiLayer());
  registry.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab' } });
  const node = registry.create(R.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'kwire-worker' }, spec: { podCIDR: '10.244.1.0/24' } });
  const withStatus = structuredClone(node) as KObject;
  withStatus['status'] = { addresses: [{ type: 'InternalIP', address: '127.0.99.3' }] };
  registry.commitUpdate(R.nodes, node, withStatus, {}, 'status');
  registry.create(resourceOf('v1', 'ServiceAccount'), 'lab', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'quiet' }, automountServiceAccountToken: false } as KObject);
  const started: Started[] = [];
  const requests: PodTokenRequest[] = [];
  const kubelet = new Kubelet({
    net: createPodNetwork(),
    runtime: {
      start(spec: ContainerSpec): StartResult {
        started.push({ pod: spec.podName, files: spec.files });
        return { ok: false, reason: 'CreateContainerError', message: 'recorded' };
      },
    },
    serviceAccounts: {
      caCert: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n',
      token(req) {
        requests.push(req);
        return `token-for-${req.podName}-${requests.length}`;
      },
    },
  });
  kubelet.start(registry);
  for (const p of pods) registry.create(R.pods, 'lab', p);
  const want = pods.reduce((n, p) => n + ((p['spec'] as { containers: unknown[] }).containers.length), 0);
  while (started.length < want) await new Promise((r) => setTimeout(r, 5));
  return { started, requests, registry, stop: () => kubelet.stop() };
}

const podSpec = (name: string, spec: Record<string, unknown>): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'kwire-worker', ...spec } });

function isFileMap(f: ContainerSpec['files']): f is FileMap {
  return typeof (f as Partial<FileMap>).read === 'function';
}

test('the kubelet gives each container the pod\'s token, the CA and the namespace, read-only; opted-out pods get none', async () => {
  const k = await kubeletWith([
    podSpec('mounted', { volumes: [KUBE_API_ACCESS], containers: [{ name: 'a', image: 'curlimages/curl', volumeMounts: [MOUNT] }, { name: 'b', image: 'busybox', volumeMounts: [MOUNT] }] }),
    podSpec('old', { containers: [{ name: 'c', image: 'busybox' }] }),
    podSpec('quiet', { serviceAccountName: 'quiet', containers: [{ name: 'c', image: 'busybox' }] }),
  ]);
  try {
    const of = (pod: string) => k.started.filter((s) => s.pod === pod).map((s) => s.files);
    const mounted = of('mounted');
    assert.equal(mounted.length, 2);
    const uid = k.registry.tryGet(R.pods, 'lab', 'mounted')!.metadata.uid!;
    for (const files of mounted) {
      assert.ok(isFileMap(files));
      assert.equal(files.read(`${DIR}/token`)?.toString(), 'token-for-mounted-1', 'one token for the pod, shared by its containers');
      assert.equal(files.read(`${DIR}/ca.crt`)?.toString(), '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');
      assert.equal(files.read(`${DIR}/namespace`)?.toString(), 'lab');
      assert.deepEqual(files.list(DIR), ['ca.crt', 'namespace', 'token']);
      assert.equal(files.read('/etc/hostname')?.toString(), 'mounted\n', "the kubelet's own files are there too");
      for (const attempt of [() => files.write(`${DIR}/token`, 'x'), () => files.write(`${DIR}/new`, 'x'), () => files.remove(`${DIR}/token`), () => files.mkdir(`${DIR}/d`)]) {
        assert.throws(attempt, (e: unknown) => isFsError(e) && e.code === 'EROFS');
      }
      files.write('/tmp/elsewhere', 'fine');
    }
    const old = of('old')[0]!;
    assert.ok(isFileMap(old));
    assert.match(old.read(`${DIR}/token`)?.toString() ?? '', /^token-for-old-/);
    const quiet = of('quiet')[0]!;
    assert.ok(!isFileMap(quiet) && quiet[`${DIR}/token`] === undefined, 'automountServiceAccountToken: false on its ServiceAccount');
    assert.deepEqual(
      k.requests.map((r) => ({ ...r })).sort((a, b) => a.podName.localeCompare(b.podName)),
      [
        { namespace: 'lab', serviceAccountName: 'default', podName: 'mounted', podUid: uid, nodeName: 'kwire-worker', expirationSeconds: 3607 },
        { namespace: 'lab', serviceAccountName: 'default', podName: 'old', podUid: k.registry.tryGet(R.pods, 'lab', 'old')!.metadata.uid!, nodeName: 'kwire-worker' },
      ],
    );
  } finally {
    k.stop();
  }
});
