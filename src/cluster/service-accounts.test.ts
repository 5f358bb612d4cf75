/**
 * @module cluster/service-accounts.test
 * The ServiceAccount admission on new pods (the `kube-api-access-xxxxx` volume and
 * its read-only mounts, serviceAccountName defaulted, automount opt-outs of the pod
 * and of its ServiceAccount), the tokens the kubelet gets for a pod, and the API
 * server's authenticator: valid while the pod it is bound to exists with that uid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSpec } from 'kubernetes-types/core/v1.js';
import { Registry } from '../apiserver/registry.js';
import { installStrategies } from '../apiserver/strategies.js';
import { ServiceAccountTokens } from '../apiserver/service-account-token.js';
import { makeServiceAccountKey } from '../apiserver/pki.js';
import { Store, type KObject } from '../store/store.js';
import { R, resourceOf } from '../controllers/informer.js';
import { apiLayer } from './wiring.js';
import { admitPodServiceAccount, kubeletCredentials, serviceAccountAdmission, serviceAccountAuthenticator, tokenVolumeSource } from './service-accounts.js';

const SA = resourceOf('v1', 'ServiceAccount');
const DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const tokens = new ServiceAccountTokens({ privateKeyPem: await makeServiceAccountKey(), issuer: ISSUER });

function cluster(): Registry {
  const registry = new Registry(new Store());
  installStrategies(registry, apiLayer());
  registry.addAdmission(serviceAccountAdmission(registry));
  for (const ns of ['default', 'lab']) registry.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  return registry;
}

const pod = (name: string, spec: Partial<PodSpec> = {}): KObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'curlimages/curl' }], ...spec },
});

const specOf = (o: Readonly<KObject>): PodSpec => o['spec'] as PodSpec;

test('a new pod gets serviceAccountName default and the kube-api-access volume, mounted read-only in every container', () => {
  const registry = cluster();
  const created = registry.create(R.pods, 'lab', pod('p', { initContainers: [{ name: 'init', image: 'busybox' }], containers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] }));
  const spec = specOf(created);
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.serviceAccount, 'default');
  assert.equal(spec.volumes?.length, 1);
  const vol = spec.volumes![0]!;
  assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual(vol.projected, tokenVolumeSource());
  assert.deepEqual(vol.projected, {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  });
  for (const c of [...spec.initContainers!, ...spec.containers]) assert.deepEqual(c.volumeMounts, [{ name: vol.name, readOnly: true, mountPath: DIR }], c.name);
  const dry = registry.create(R.pods, 'lab', pod('dry'), { dryRun: true });
  assert.equal(specOf(dry).volumes?.length, 1, 'a server-side dry run shows it too');
});

test('automountServiceAccountToken: false on the pod, or on its ServiceAccount unless the pod says true, leaves the pod without it', () => {
  const registry = cluster();
  assert.equal(specOf(registry.create(R.pods, 'lab', pod('off', { automountServiceAccountToken: false }))).volumes, undefined);
  registry.create(SA, 'lab', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'quiet' }, automountServiceAccountToken: false } as KObject);
  const quiet = specOf(registry.create(R.pods, 'lab', pod('quiet', { serviceAccountName: 'quiet' })));
  assert.equal(quiet.volumes, undefined);
  assert.equal(quiet.containers[0]!.volumeMounts, undefined);
  assert.equal(quiet.serviceAccount, 'quiet');
  const wants = specOf(registry.create(R.pods, 'lab', pod('wants', { serviceAccountName: 'quiet', automountServiceAccountToken: true })));
  assert.equal(wants.volumes?.length, 1, "the pod's preference wins");
});

test('a container with its own mount at the path keeps it; an existing kube-api-access volume is reused', () => {
  const own: PodSpec = {
    containers: [
      { name: 'own', image: 'busybox', volumeMounts: [{ name: 'mine', mountPath: DIR }] },
      { name: 'plain', image: 'busybox' },
    ],
    volumes: [{ name: 'mine', emptyDir: {} }],
  };
  admitPodServiceAccount(own, undefined, () => 'xxxxx');
  assert.deepEqual(own.containers[0]!.volumeMounts, [{ name: 'mine', mountPath: DIR }]);
  assert.deepEqual(own.containers[1]!.volumeMounts, [{ name: 'kube-api-access-xxxxx', readOnly: true, mountPath: DIR }]);
  assert.deepEqual(own.volumes?.map((v) => v.name), ['mine', 'kube-api-access-xxxxx']);
  const again: PodSpec = { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'kube-api-access-abcde', projected: tokenVolumeSource() }] };
  admitPodServiceAccount(again, undefined, () => 'zzzzz');
  assert.deepEqual(again.volumes?.map((v) => v.name), ['kube-api-access-abcde']);
  assert.equal(again.containers[0]!.volumeMounts?.[0]?.name, 'kube-api-access-abcde');
  const none: PodSpec = { containers: [{ name: 'c', image: 'busybox', volumeMounts: [{ name: 'mine', mountPath: DIR }] }], volumes: [{ name: 'mine', emptyDir: {} }] };
  admitPodServiceAccount(none, undefined, () => 'yyyyy');
  assert.deepEqual(none.volumes?.map((v) => v.name), ['mine'], 'no container needs it: no volume');
});

test('the kubelet\'s token names the pod, its node and its ServiceAccount; the API accepts it while that pod exists', () => {
  let now = Date.now();
  const registry = cluster();
  registry.create(R.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'kwire-worker' } });
  const sa = registry.create(SA, 'lab', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
  const p = registry.create(R.pods, 'lab', pod('client', { serviceAccountName: 'robot' }));
  const creds = kubeletCredentials(tokens, registry, 'CA PEM');
  assert.equal(creds.caCert, 'CA PEM');
  const token = creds.token({ namespace: 'lab', serviceAccountName: 'robot', podName: 'client', podUid: p.metadata.uid!, nodeName: 'kwire-worker' });
  const verified = tokens.verify(token);
  assert.ok(verified.ok);
  const k = verified.claims['kubernetes.io'];
  assert.deepEqual(k.serviceaccount, { name: 'robot', uid: sa.metadata.uid });
  assert.deepEqual(k.pod, { name: 'client', uid: p.metadata.uid });
  assert.deepEqual(k.node, { name: 'kwire-worker', uid: registry.tryGet(R.nodes, undefined, 'kwire-worker')!.metadata.uid });
  const authenticate = serviceAccountAuthenticator(tokens, registry, () => now);
  assert.equal(authenticate(token)?.username, 'system:serviceaccount:lab:robot');
  assert.equal(authenticate(token)?.uid, sa.metadata.uid);
  assert.equal(authenticate('garbage'), undefined);
  // The pod deleted: its token is no longer valid; a new pod of the same name does not revive it.
  registry.delete(R.pods, 'lab', 'client', { gracePeriodSeconds: 0 });
  now += 1000;
  assert.equal(registry.tryGet(R.pods, 'lab', 'client'), undefined);
  assert.equal(authenticate(token), undefined, 'deleted');
  registry.create(R.pods, 'lab', pod('client', { serviceAccountName: 'robot' }));
  assert.equal(authenticate(token), undefined, 'another pod of that name');
});

test('a token whose ServiceAccount was deleted (or made again) is refused; one issued while none existed names no uid and stands on its pod', () => {
  const registry = cluster();
  registry.create(SA, 'lab', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
  const p = registry.create(R.pods, 'lab', pod('client', { serviceAccountName: 'robot' }));
  const q = registry.create(R.pods, 'lab', pod('other'));
  const creds = kubeletCredentials(tokens, registry, '');
  const authenticate = serviceAccountAuthenticator(tokens, registry);
  const robot = creds.token({ namespace: 'lab', serviceAccountName: 'robot', podName: 'client', podUid: p.metadata.uid!, nodeName: 'n' });
  const dflt = creds.token({ namespace: 'lab', serviceAccountName: 'default', podName: 'other', podUid: q.metadata.uid!, nodeName: 'n' });
  assert.ok(authenticate(robot));
  assert.equal(authenticate(dflt)?.username, 'system:serviceaccount:lab:default', 'no default ServiceAccount in lab: the pod vouches');
  registry.delete(SA, 'lab', 'robot');
  assert.equal(authenticate(robot), undefined);
  registry.create(SA, 'lab', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
  assert.equal(authenticate(robot), undefined, 'a new ServiceAccount of that name has another uid');
});
