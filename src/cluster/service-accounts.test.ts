/**
 * @module cluster/service-accounts.test
 * The ServiceAccount admission on new pods (the `kube-api-access-xxxxx` volume and
 * its read-only mounts, serviceAccountName defaulted, automount opt-outs of the pod
 * and of its ServiceAccount), the tokens the kubelet gets for a pod, and the API
 * server's authenticator: valid while the pod it is bound to exists with that uid.
 * And the TokenRequest subresource (`kubectl create token`): defaults, kube's errors,
 * bound Pod/Secret/Node objects, and tokens that stop working with what they are bound to.
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
import { admitPodServiceAccount, kubeletCredentials, serviceAccountAdmission, serviceAccountAuthenticator, serviceAccountTokenRequest, tokenVolumeSource } from './service-accounts.js';
import { ApiError } from '../errors.js';

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

const TR_CLOCK = new Date('2026-03-01T10:00:00.700Z');
const KUBECTL_TR = (spec: Record<string, unknown> = {}): KObject => ({ kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: {}, spec: { audiences: null, expirationSeconds: null, boundObjectRef: null, ...spec } });

function apiError(f: () => unknown): ApiError {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('no error');
}

test('TokenRequest: one hour for the API server by default, not extended; the token authenticates as the ServiceAccount', () => {
  const registry = cluster();
  const sa = registry.create(SA, 'lab', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
  const create = serviceAccountTokenRequest(tokens, registry, () => TR_CLOCK);
  const out = create('lab', 'robot', KUBECTL_TR());
  assert.deepEqual({ ...out, status: { ...(out['status'] as object), token: '<token>' } }, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name: 'robot', namespace: 'lab', creationTimestamp: '2026-03-01T10:00:00Z' },
    spec: { audiences: [ISSUER], expirationSeconds: 3600, boundObjectRef: null },
    status: { token: '<token>', expirationTimestamp: '2026-03-01T11:00:00Z' },
  });
  const token = (out['status'] as { token: string }).token;
  const v = tokens.verify(token);
  assert.ok(v.ok);
  assert.equal(v.claims.exp - v.claims.iat, 3600);
  assert.deepEqual(v.claims['kubernetes.io'], { namespace: 'lab', serviceaccount: { name: 'robot', uid: sa.metadata.uid } });
  const user = serviceAccountAuthenticator(tokens, registry)(token);
  assert.equal(user?.username, 'system:serviceaccount:lab:robot');
  // A 3607 s request that is not pod-bound is not the kubelet's: no one-year extension.
  const odd = tokens.verify((create('lab', 'robot', KUBECTL_TR({ expirationSeconds: 3607 }))['status'] as { token: string }).token);
  assert.ok(odd.ok);
  assert.equal(odd.claims.exp - odd.claims.iat, 3607);
  assert.equal(odd.claims['kubernetes.io'].warnafter, undefined);
  // Another audience: the token is not for the API server.
  const vault = create('lab', 'robot', KUBECTL_TR({ audiences: ['vault'], expirationSeconds: 600 }));
  assert.deepEqual((vault['spec'] as { audiences: string[] }).audiences, ['vault']);
  assert.equal((vault['status'] as { expirationTimestamp: string }).expirationTimestamp, '2026-03-01T10:10:00Z');
  assert.equal(serviceAccountAuthenticator(tokens, registry)((vault['status'] as { token: string }).token), undefined);
});

test('TokenRequest errors as kube-apiserver: NotFound ServiceAccount, Invalid duration, bodies naming another account', () => {
  const registry = cluster();
  registry.create(SA, 'lab', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
  const create = serviceAccountTokenRequest(tokens, registry, () => TR_CLOCK);
  const missing = apiError(() => create('lab', 'nope', KUBECTL_TR()));
  assert.equal(missing.code, 404);
  assert.equal(missing.message, 'serviceaccounts "nope" not found');
  const short = apiError(() => create('lab', 'robot', KUBECTL_TR({ expirationSeconds: 300 })));
  assert.equal(short.code, 422);
  assert.equal(short.message, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes');
  assert.deepEqual(short.details, { name: '', group: 'authentication.k8s.io', kind: 'TokenRequest', causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: 300: may not specify a duration less than 10 minutes', field: 'spec.expirationSeconds' }] });
  assert.equal(apiError(() => create('lab', 'nope', KUBECTL_TR({ expirationSeconds: 300 }))).code, 404, 'the ServiceAccount is looked up first (1.31)');
  const other = apiError(() => create('lab', 'robot', { ...KUBECTL_TR(), metadata: { name: 'default' } }));
  assert.equal(other.message, 'TokenRequest.authentication.k8s.io "robot" is invalid: metadata.name: Invalid value: "default": must match the service account name if specified');
  const bad = apiError(() => create('lab', 'robot', KUBECTL_TR({ expirationSeconds: 'soon' })));
  assert.equal(bad.code, 400);
});

test('TokenRequest bound to a Pod, Secret or Node: it must exist (with the uid given); the token dies with it', () => {
  let now = Date.now();
  const registry = cluster();
  registry.create(SA, 'lab', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'robot' } });
  const node = registry.create(R.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'kwire-worker' } });
  const p = registry.create(R.pods, 'lab', pod('client', { serviceAccountName: 'robot', nodeName: 'kwire-worker' }));
  registry.create(R.pods, 'lab', pod('stranger'));
  const secret = registry.create(resourceOf('v1', 'Secret'), 'lab', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'keys' } });
  const create = serviceAccountTokenRequest(tokens, registry, () => TR_CLOCK);
  const authenticate = serviceAccountAuthenticator(tokens, registry, () => now);
  const bound = (kind: string, name: string, uid?: string) => KUBECTL_TR({ boundObjectRef: { kind, apiVersion: 'v1', name, ...(uid ? { uid } : {}) } });
  const tokenOf = (o: KObject) => (o['status'] as { token: string }).token;

  const podToken = tokenOf(create('lab', 'robot', bound('Pod', 'client', p.metadata.uid)));
  const pv = tokens.verify(podToken);
  assert.ok(pv.ok);
  assert.deepEqual(pv.claims['kubernetes.io'].pod, { name: 'client', uid: p.metadata.uid });
  assert.deepEqual(pv.claims['kubernetes.io'].node, { name: 'kwire-worker', uid: node.metadata.uid }, "the pod's node (ServiceAccountTokenPodNodeInfo)");
  assert.deepEqual(authenticate(podToken)?.extra?.['authentication.kubernetes.io/pod-name'], ['client']);
  const secretToken = tokenOf(create('lab', 'robot', bound('Secret', 'keys')));
  const sv = tokens.verify(secretToken);
  assert.ok(sv.ok);
  assert.deepEqual(sv.claims['kubernetes.io'].secret, { name: 'keys', uid: secret.metadata.uid });
  const nodeToken = tokenOf(create('lab', 'robot', bound('Node', 'kwire-worker')));
  for (const t of [podToken, secretToken, nodeToken]) assert.equal(authenticate(t)?.username, 'system:serviceaccount:lab:robot');

  assert.equal(apiError(() => create('lab', 'robot', bound('Pod', 'gone'))).message, 'pods "gone" not found');
  assert.equal(apiError(() => create('lab', 'robot', bound('Secret', 'gone'))).message, 'secrets "gone" not found');
  assert.equal(apiError(() => create('lab', 'robot', bound('Node', 'gone'))).message, 'nodes "gone" not found');
  const conflict = apiError(() => create('lab', 'robot', bound('Pod', 'client', 'abc')));
  assert.equal(conflict.code, 409);
  assert.equal(conflict.message, 'Operation cannot be fulfilled on Pod "client": the UID in the bound object reference (abc) does not match the UID in record. The object might have been deleted and then recreated');
  const stranger = apiError(() => create('lab', 'robot', bound('Pod', 'stranger')));
  assert.equal(stranger.code, 400);
  assert.equal(stranger.message, 'cannot bind token for serviceaccount "robot" to pod running with different serviceaccount name.');
  const cm = apiError(() => create('lab', 'robot', bound('ConfigMap', 'x')));
  assert.equal(cm.code, 400);
  assert.equal(cm.message, 'cannot bind token to object of type /v1, Kind=ConfigMap');
  assert.equal(apiError(() => create('lab', 'robot', KUBECTL_TR({ boundObjectRef: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'x' } }))).message, 'cannot bind token to object of type apps/v1, Kind=Deployment');

  registry.delete(resourceOf('v1', 'Secret'), 'lab', 'keys');
  registry.delete(R.nodes, undefined, 'kwire-worker');
  now += 1000;
  assert.equal(authenticate(secretToken), undefined, 'secret deleted');
  assert.equal(authenticate(nodeToken), undefined, 'node deleted');
  assert.equal(authenticate(podToken)?.username, 'system:serviceaccount:lab:robot', 'a pod-bound token stands on its pod, not its node');
  registry.create(resourceOf('v1', 'Secret'), 'lab', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'keys' } });
  assert.notEqual(registry.tryGet(resourceOf('v1', 'Secret'), 'lab', 'keys')?.metadata.uid, secret.metadata.uid);
  assert.equal(authenticate(secretToken), undefined, 'a new secret of that name has another uid');
});
