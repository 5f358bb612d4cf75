/**
 * @module cluster/apiserver-endpoints.test
 * The `kubernetes` Service's Endpoints and EndpointSlice, through a Registry with the
 * API layer's defaults and validation (so kube-apiserver's validation, with kwire's
 * 127.0.0.0/8 exception, accepts them): their shape, written once, the port of a new
 * start, edits and deletes put back, other slices of the Service removed, the
 * EndpointSlice controller leaving them alone, and the service proxy sending
 * 10.96.0.1:443 to the slice's port (picked by the port name, as kube-proxy does).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../apiserver/registry.js';
import { installStrategies } from '../apiserver/strategies.js';
import { Store, type KObject } from '../store/store.js';
import { R } from '../controllers/informer.js';
import { EndpointSliceController } from '../controllers/endpointslice.js';
import { ServiceProxy, feedServiceProxy } from '../dataplane/service-proxy/index.js';
import { apiLayer } from './wiring.js';
import { systemObjects } from './system-objects.js';
import { ApiServerEndpointsReconciler, apiServerEndpointSlice, apiServerEndpoints } from './apiserver-endpoints.js';

function cluster(store = new Store()): Registry {
  const registry = new Registry(store);
  installStrategies(registry, apiLayer());
  for (const ns of ['default', 'kube-system']) if (!registry.tryGet(R.namespaces, undefined, ns)) registry.create(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const svc = systemObjects().find((o) => o.kind === 'Service' && o.metadata.name === 'kubernetes')!;
  if (!registry.tryGet(R.services, 'default', 'kubernetes')) registry.create(R.services, 'default', svc);
  return registry;
}

const strip = (o: Readonly<KObject> | undefined): Record<string, unknown> => {
  const { metadata, ...rest } = structuredClone(o) as KObject;
  return { ...rest, metadata: { name: metadata.name, namespace: metadata.namespace, labels: metadata.labels } };
};

const slicesOf = (registry: Registry) => registry.list(R.endpointslices, 'default', 'kubernetes.io/service-name=kubernetes').items.map((s) => s.metadata.name);

test('the Endpoints and the EndpointSlice name the API server, as kube-apiserver writes them; written once', async () => {
  const registry = cluster();
  const r = new ApiServerEndpointsReconciler({ ip: '127.0.0.1', port: 40767 });
  r.start(registry);
  await r.idle();
  assert.deepEqual(strip(registry.tryGet(R.endpoints, 'default', 'kubernetes')), {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 40767, protocol: 'TCP' }] }],
  });
  assert.deepEqual(strip(registry.tryGet(R.endpointslices, 'default', 'kubernetes')), {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    ports: [{ name: 'https', port: 40767, protocol: 'TCP' }],
  });
  assert.equal(r.writes, 2);
  const rv = registry.tryGet(R.endpointslices, 'default', 'kubernetes')!.metadata.resourceVersion;
  r.reconcile(registry);
  r.reconcile(registry);
  assert.equal(r.writes, 2, 'level-triggered: nothing to write');
  assert.equal(registry.tryGet(R.endpointslices, 'default', 'kubernetes')!.metadata.resourceVersion, rv);
  r.stop();
});

test('a new start on another port rewrites both objects (kwire stop / kwire start)', async () => {
  const store = new Store();
  const registry = cluster(store);
  const before = new ApiServerEndpointsReconciler({ ip: '127.0.0.1', port: 40767 });
  before.start(registry);
  await before.idle();
  before.stop();
  const uid = registry.tryGet(R.endpointslices, 'default', 'kubernetes')!.metadata.uid;
  const after = new ApiServerEndpointsReconciler({ ip: '127.0.0.1', port: 35001 });
  after.start(registry);
  await after.idle();
  assert.equal(after.writes, 2);
  assert.deepEqual(registry.tryGet(R.endpointslices, 'default', 'kubernetes')!['ports'], [{ name: 'https', port: 35001, protocol: 'TCP' }]);
  assert.equal(registry.tryGet(R.endpointslices, 'default', 'kubernetes')!.metadata.uid, uid, 'updated in place');
  assert.deepEqual(strip(registry.tryGet(R.endpoints, 'default', 'kubernetes'))['subsets'], apiServerEndpoints({ ip: '127.0.0.1', port: 35001 })['subsets']);
  after.stop();
});

test('edits and deletes are put back; another slice labelled for the Service is deleted', async () => {
  const registry = cluster();
  const r = new ApiServerEndpointsReconciler({ ip: '127.0.0.1', port: 40767 });
  r.start(registry);
  await r.idle();
  const slice = registry.tryGet(R.endpointslices, 'default', 'kubernetes')!;
  const edited = structuredClone(slice) as KObject;
  edited['endpoints'] = [{ addresses: ['127.0.0.9'], conditions: { ready: true } }];
  registry.commitUpdate(R.endpointslices, slice, edited, {});
  registry.delete(R.endpoints, 'default', 'kubernetes');
  registry.create(R.endpointslices, 'default', { ...apiServerEndpointSlice({ ip: '127.0.0.2', port: 1 }), metadata: { name: 'kubernetes-extra', labels: { 'kubernetes.io/service-name': 'kubernetes' } } });
  await r.idle();
  assert.deepEqual(registry.tryGet(R.endpointslices, 'default', 'kubernetes')!['endpoints'], [{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
  assert.ok(registry.tryGet(R.endpoints, 'default', 'kubernetes'), 'the Endpoints are back');
  assert.deepEqual(slicesOf(registry), ['kubernetes']);
  registry.delete(R.endpointslices, 'default', 'kubernetes');
  await r.idle();
  assert.deepEqual(slicesOf(registry), ['kubernetes']);
  r.stop();
});

test('the EndpointSlice controller leaves them alone (the Service has no selector)', async () => {
  const registry = cluster();
  const esc = new EndpointSliceController();
  esc.start(registry);
  const r = new ApiServerEndpointsReconciler({ ip: '127.0.0.1', port: 40767 });
  r.start(registry);
  await r.idle();
  await esc.idle();
  esc.reconcile(registry, 'default/kubernetes');
  await esc.idle();
  await r.idle();
  assert.equal(esc.writes, 0);
  assert.equal(r.writes, 2);
  assert.deepEqual(slicesOf(registry), ['kubernetes']);
  esc.stop();
  r.stop();
});

test('the service proxy sends 10.96.0.1:443 to the slice\'s port, by the port name https', async () => {
  const store = new Store();
  const registry = cluster(store);
  const proxy = new ServiceProxy();
  const feed = feedServiceProxy(store, proxy, { schedule: (fn) => fn() });
  const r = new ApiServerEndpointsReconciler({ ip: '127.0.0.1', port: 40767 });
  r.start(registry);
  await r.idle();
  const out = proxy.resolve({ dstIp: '10.96.0.1', dstPort: 443, protocol: 'TCP', srcIp: '10.244.1.5', nodeName: 'kwire-worker', via: 'clusterIP' });
  assert.equal(out.kind, 'endpoint');
  assert.deepEqual(out.kind === 'endpoint' ? [out.ip, out.port, out.servicePortName] : [], ['127.0.0.1', 40767, 'default/kubernetes:https']);
  feed.stop();
  r.stop();
});
