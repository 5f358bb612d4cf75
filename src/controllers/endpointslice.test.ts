/**
 * @module controllers/endpointslice.test
 * The EndpointSlice + Endpoints controller through a real Registry + Store with
 * the API layer's defaults and validation wired in (so every object it writes
 * is one kube-apiserver would accept): slice shape, named ports resolved per
 * pod, readiness, publishNotReadyAddresses, terminating pods, placeholders,
 * slice packing, label changes, deletes, the selector index, and idempotence.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import { Registry } from '../apiserver/registry.js';
import { installStrategies } from '../apiserver/strategies.js';
import { RESOURCES } from '../api/resources.js';
import { applyDefaults, prepareServiceForUpdate } from '../api/defaults/index.js';
import { validateCreate, validateUpdate } from '../api/validation/index.js';
import { invalidStatusMessage, statusCauses } from '../api/field-errors.js';
import { errors } from '../errors.js';
import { Store, type KObject } from '../store/store.js';
import { EndpointSliceController } from './endpointslice.js';
import { desiredEndpointSubsets, rfc3339Nano } from './endpointslice-desired.js';
import { planSlices } from './endpointslice-plan.js';
import { ServiceAllocators } from './service-allocators.js';

const R = (group: string, kind: string) => RESOURCES.find((r) => r.group === group && r.kind === kind)!;
const PODS = R('', 'Pod');
const SERVICES = R('', 'Service');
const NODES = R('', 'Node');
const ENDPOINTS = R('', 'Endpoints');
const SLICES = R('discovery.k8s.io', 'EndpointSlice');
const NS = 'lab';

function validatedRegistry(store = new Store()): Registry {
  const registry = new Registry(store);
  const fail = (gk: string, obj: KObject, errs: ReturnType<typeof validateCreate>): void => {
    if (errs.length === 0) return;
    const name = obj.metadata.name ?? '';
    throw errors.invalid('', gk, name, invalidStatusMessage(gk, name, errs), statusCauses(errs));
  };
  installStrategies(registry, {
    applyDefaults: (gk, obj) => applyDefaults(gk, obj as Record<string, unknown>),
    prepareForUpdate: (gk, obj, old) => {
      // The status strategy hands over the stored (frozen) status; the Service rules rewrite it.
      if (obj['status'] !== undefined) obj['status'] = structuredClone(obj['status']);
      if (gk === '/Service') prepareServiceForUpdate(obj as Record<string, unknown>, old as Record<string, unknown>);
    },
    validateCreate: (gk, obj) => fail(gk, obj, validateCreate(gk, obj as Record<string, unknown>)),
    validateUpdate: (gk, obj, old) => fail(gk, obj, validateUpdate(gk, obj as Record<string, unknown>, old as Record<string, unknown>)),
  });
  registry.addAdmission(new ServiceAllocators());
  return registry;
}

interface PodOpts {
  readonly ip?: string;
  readonly node?: string;
  readonly ready?: boolean;
  readonly ports?: ReadonlyArray<{ name?: string; containerPort: number; protocol?: string }>;
  readonly readySince?: string;
  readonly hostname?: string;
  readonly subdomain?: string;
}

function setup(opts: { maxEndpointsPerSlice?: number; store?: Store } = {}) {
  const store = opts.store ?? new Store();
  const registry = validatedRegistry(store);
  registry.setPodGracefulDeletion(() => true);
  const ctl = new EndpointSliceController({ maxEndpointsPerSlice: opts.maxEndpointsPerSlice, onError: (k, e) => assert.fail(`reconcile ${k}: ${String(e)}`) });
  const pod = (name: string, labels: Record<string, string>, o: PodOpts = {}): void => {
    const spec: Record<string, unknown> = { containers: [{ name: 'app', image: 'hashicorp/http-echo', ports: o.ports ?? [{ containerPort: 8080 }] }] };
    if (o.node !== undefined) spec['nodeName'] = o.node;
    if (o.hostname !== undefined) spec['hostname'] = o.hostname;
    if (o.subdomain !== undefined) spec['subdomain'] = o.subdomain;
    const created = registry.create(PODS, NS, { metadata: { name, labels }, spec });
    setPodStatus(name, o, created);
  };
  const setPodStatus = (name: string, o: PodOpts, cur = registry.get(PODS, NS, name)): void => {
    const next = structuredClone(cur) as KObject;
    const t = o.readySince ?? '2024-05-01T10:00:00Z';
    next['status'] = {
      phase: o.ip === undefined ? 'Pending' : 'Running',
      ...(o.ip !== undefined ? { podIP: o.ip, podIPs: [{ ip: o.ip }] } : {}),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: t }],
    };
    registry.commitUpdate(PODS, cur, next, {}, 'status');
  };
  const service = (name: string, spec: Record<string, unknown>, labels?: Record<string, string>): Readonly<KObject> =>
    registry.create(SERVICES, NS, { metadata: { name, ...(labels ? { labels } : {}) }, spec: { ports: [{ port: 80, targetPort: 8080 }], ...spec } });
  const slices = (svc: string): EndpointSlice[] =>
    registry.list(SLICES, NS, `kubernetes.io/service-name=${svc}`).items.map((s) => s as unknown as EndpointSlice);
  const endpoints = (svc: string): Endpoints | undefined => registry.tryGet(ENDPOINTS, NS, svc) as unknown as Endpoints | undefined;
  return { store, registry, ctl, pod, setPodStatus, service, slices, endpoints };
}

const addrs = (s: EndpointSlice | undefined): string[] => (s?.endpoints ?? []).map((e) => e.addresses[0] ?? '').sort();

test('a Service with a selector gets one managed slice and an Endpoints object, as kube-controller-manager writes them', async () => {
  const t = setup();
  t.ctl.start(t.registry);
  try {
    const svc = t.service('backend', { selector: { app: 'backend' } }, { app: 'backend', tier: 'web' });
    t.pod('backend-a', { app: 'backend' }, { ip: '10.244.1.5', node: 'kwire-worker' });
    t.pod('backend-b', { app: 'backend' }, { ip: '10.244.2.7', node: 'kwire-worker2' });
    t.pod('other', { app: 'frontend' }, { ip: '10.244.1.9', node: 'kwire-worker' });
    await t.ctl.idle();
    const [slice, ...more] = t.slices('backend');
    assert.equal(more.length, 0);
    assert.ok(slice);
    assert.match(slice.metadata?.name ?? '', /^backend-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(slice.metadata?.generateName, 'backend-');
    assert.deepEqual(slice.metadata?.labels, {
      app: 'backend',
      tier: 'web',
      'kubernetes.io/service-name': 'backend',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    assert.deepEqual(slice.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'backend', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    assert.equal(slice.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], '2024-05-01T10:00:00Z');
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.ports, [{ name: '', port: 8080, protocol: 'TCP' }]);
    const a = t.registry.get(PODS, NS, 'backend-a');
    assert.deepEqual(slice.endpoints[0], {
      addresses: ['10.244.1.5'],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: 'kwire-worker',
      targetRef: { kind: 'Pod', namespace: NS, name: 'backend-a', uid: a.metadata.uid },
    });
    assert.deepEqual(addrs(slice), ['10.244.1.5', '10.244.2.7']);
    const ep = t.endpoints('backend');
    assert.ok(ep);
    assert.deepEqual(ep.metadata?.labels, { app: 'backend', tier: 'web' });
    assert.equal(ep.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], '2024-05-01T10:00:00Z');
    assert.deepEqual(ep.subsets, [
      {
        addresses: [
          { ip: '10.244.1.5', nodeName: 'kwire-worker', targetRef: { kind: 'Pod', namespace: NS, name: 'backend-a', uid: a.metadata.uid } },
          { ip: '10.244.2.7', nodeName: 'kwire-worker2', targetRef: { kind: 'Pod', namespace: NS, name: 'backend-b', uid: t.registry.get(PODS, NS, 'backend-b').metadata.uid } },
        ],
        ports: [{ port: 8080, protocol: 'TCP' }],
      },
    ]);
  } finally {
    t.ctl.stop();
  }
});

test('a reconcile that changes nothing writes nothing (and a restart writes nothing either)', async () => {
  const t = setup();
  t.ctl.start(t.registry);
  t.service('backend', { selector: { app: 'backend' } });
  t.service('empty', { selector: { app: 'nobody' } });
  for (let i = 0; i < 5; i++) t.pod(`p${i}`, { app: 'backend' }, { ip: `10.244.1.${10 + i}`, node: 'kwire-worker' });
  await t.ctl.idle();
  const rv = t.store.resourceVersion;
  const writes = t.ctl.writes;
  t.ctl.reconcile(t.registry, `${NS}/backend`);
  t.ctl.reconcile(t.registry, `${NS}/empty`);
  await t.ctl.idle();
  assert.equal(t.store.resourceVersion, rv);
  assert.equal(t.ctl.writes, writes);
  t.ctl.stop();
  const again = new EndpointSliceController();
  again.start(t.registry);
  await again.idle();
  again.stop();
  assert.equal(t.store.resourceVersion, rv, 'a fresh controller over the same state writes nothing');
});

test('not-ready pods: ready=false serving=false in slices, notReadyAddresses in Endpoints; publishNotReadyAddresses makes them ready', async () => {
  const t = setup();
  t.ctl.start(t.registry);
  try {
    t.service('web', { selector: { app: 'web' } });
    t.service('web-pub', { selector: { app: 'web' }, publishNotReadyAddresses: true });
    t.pod('w1', { app: 'web' }, { ip: '10.244.1.2', node: 'kwire-worker', ready: false });
    await t.ctl.idle();
    assert.deepEqual(t.slices('web')[0]?.endpoints[0]?.conditions, { ready: false, serving: false, terminating: false });
    assert.deepEqual(t.endpoints('web')?.subsets?.[0]?.notReadyAddresses?.map((a) => a.ip), ['10.244.1.2']);
    assert.equal(t.endpoints('web')?.subsets?.[0]?.addresses, undefined);
    assert.deepEqual(t.slices('web-pub')[0]?.endpoints[0]?.conditions, { ready: true, serving: false, terminating: false });
    assert.deepEqual(t.endpoints('web-pub')?.subsets?.[0]?.addresses?.map((a) => a.ip), ['10.244.1.2']);
    t.setPodStatus('w1', { ip: '10.244.1.2', ready: true, readySince: '2024-05-01T11:00:00Z' });
    await t.ctl.idle();
    assert.deepEqual(t.slices('web')[0]?.endpoints[0]?.conditions, { ready: true, serving: true, terminating: false });
    assert.equal(t.slices('web')[0]?.metadata?.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], '2024-05-01T11:00:00Z');
  } finally {
    t.ctl.stop();
  }
});

test('terminating pods: ready=false, serving=(pod ready), terminating=true; dropped from Endpoints unless publishNotReadyAddresses', async () => {
  const t = setup();
  t.ctl.start(t.registry);
  try {
    t.service('web', { selector: { app: 'web' } });
    t.service('web-pub', { selector: { app: 'web' }, publishNotReadyAddresses: true });
    t.pod('w1', { app: 'web' }, { ip: '10.244.1.2', node: 'kwire-worker' });
    t.pod('w2', { app: 'web' }, { ip: '10.244.1.3', node: 'kwire-worker' });
    await t.ctl.idle();
    t.registry.delete(PODS, NS, 'w1');
    await t.ctl.idle();
    const w1 = t.slices('web')[0]?.endpoints.find((e) => e.targetRef?.name === 'w1');
    assert.deepEqual(w1?.conditions, { ready: false, serving: true, terminating: true });
    assert.deepEqual(t.endpoints('web')?.subsets?.[0]?.addresses?.map((a) => a.ip), ['10.244.1.3']);
    const pub = t.slices('web-pub')[0]?.endpoints.find((e) => e.targetRef?.name === 'w1');
    assert.deepEqual(pub?.conditions, { ready: true, serving: true, terminating: true });
    assert.deepEqual(t.endpoints('web-pub')?.subsets?.[0]?.addresses?.map((a) => a.ip), ['10.244.1.2', '10.244.1.3']);
    t.registry.finalizePod(PODS, NS, 'w1');
    await t.ctl.idle();
    assert.deepEqual(addrs(t.slices('web')[0]), ['10.244.1.3']);
  } finally {
    t.ctl.stop();
  }
});

test('named targetPorts resolve per pod: one slice per port mapping; a name no pod has yields no endpoints for that port', async () => {
  const t = setup();
  t.ctl.start(t.registry);
  try {
    t.service('api', {
      selector: { app: 'api' },
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'metrics', port: 9100, targetPort: 'metrics' },
      ],
    });
    t.pod('a1', { app: 'api' }, { ip: '10.244.1.2', node: 'kwire-worker', ports: [{ name: 'http', containerPort: 8080 }] });
    t.pod('a2', { app: 'api' }, { ip: '10.244.1.3', node: 'kwire-worker', ports: [{ name: 'http', containerPort: 8080 }] });
    t.pod('a3', { app: 'api' }, { ip: '10.244.2.2', node: 'kwire-worker2', ports: [{ name: 'http', containerPort: 9090 }] });
    t.pod('a4', { app: 'api' }, { ip: '10.244.2.3', node: 'kwire-worker2', ports: [{ name: 'web', containerPort: 80 }] });
    await t.ctl.idle();
    const got = t
      .slices('api')
      .map((s) => `${JSON.stringify(s.ports ?? [])} ${addrs(s).join(',')}`)
      .sort();
    assert.deepEqual(got, [
      '[] 10.244.2.3',
      '[{"name":"http","port":8080,"protocol":"TCP"}] 10.244.1.2,10.244.1.3',
      '[{"name":"http","port":9090,"protocol":"TCP"}] 10.244.2.2',
    ]);
    const subsets = t.endpoints('api')?.subsets ?? [];
    assert.deepEqual(
      subsets.map((s) => `${(s.ports ?? []).map((p) => `${p.name}:${p.port}`).join(',')} ${(s.addresses ?? []).map((a) => a.ip).join(',')}`),
      ['http:8080 10.244.1.2,10.244.1.3', 'http:9090 10.244.2.2'],
    );
  } finally {
    t.ctl.stop();
  }
});

test('pods without an IP or a node are skipped; zone and hostname appear when set', async () => {
  const t = setup();
  const registry = t.registry;
  registry.create(NODES, undefined, { metadata: { name: 'zoned', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } });
  t.ctl.start(registry);
  try {
    t.service('db', { selector: { app: 'db' }, clusterIP: 'None' });
    t.pod('noip', { app: 'db' }, { node: 'kwire-worker' });
    t.pod('unscheduled', { app: 'db' }, { ip: '10.244.9.9' });
    t.pod('db-0', { app: 'db' }, { ip: '10.244.3.3', node: 'zoned', hostname: 'db-0', subdomain: 'db' });
    await t.ctl.idle();
    const [slice] = t.slices('db');
    assert.deepEqual(addrs(slice), ['10.244.3.3']);
    assert.equal(slice?.endpoints[0]?.zone, 'zone-a');
    assert.equal(slice?.endpoints[0]?.hostname, 'db-0');
    assert.equal(slice?.metadata?.labels?.['service.kubernetes.io/headless'], '');
    assert.equal(t.endpoints('db')?.metadata?.labels?.['service.kubernetes.io/headless'], '');
    assert.equal(t.endpoints('db')?.subsets?.[0]?.addresses?.[0]?.hostname, 'db-0');
  } finally {
    t.ctl.stop();
  }
});

test('a Service with no matching pods keeps one empty placeholder slice and an Endpoints without subsets', async () => {
  const t = setup();
  t.ctl.start(t.registry);
  try {
    t.service('lonely', { selector: { app: 'none' } });
    await t.ctl.idle();
    const s = t.slices('lonely');
    assert.equal(s.length, 1);
    assert.deepEqual(s[0]?.endpoints, []);
    assert.equal(s[0]?.ports, undefined);
    assert.equal(t.endpoints('lonely')?.subsets, undefined);
    t.pod('p', { app: 'none' }, { ip: '10.244.1.1', node: 'kwire-worker' });
    await t.ctl.idle();
    assert.equal(t.slices('lonely').length, 1, 'the placeholder was replaced, not added to');
    t.registry.delete(PODS, NS, 'p', { gracePeriodSeconds: 0 });
    await t.ctl.idle();
    assert.deepEqual(t.slices('lonely').map((x) => x.endpoints.length), [0]);
  } finally {
    t.ctl.stop();
  }
});

test('slices hold at most maxEndpointsPerSlice; one pod change rewrites one slice', async () => {
  const t = setup({ maxEndpointsPerSlice: 2 });
  t.ctl.start(t.registry);
  try {
    t.service('big', { selector: { app: 'big' } });
    for (let i = 0; i < 5; i++) t.pod(`b${i}`, { app: 'big' }, { ip: `10.244.1.${20 + i}`, node: 'kwire-worker' });
    await t.ctl.idle();
    const before = t.slices('big');
    assert.equal(before.length, 3);
    assert.ok(before.every((s) => s.endpoints.length <= 2));
    const writes = t.ctl.writes;
    t.setPodStatus('b3', { ip: '10.244.1.23', ready: false, readySince: '2024-05-01T12:00:00Z' });
    await t.ctl.idle();
    assert.equal(t.ctl.writes - writes, 2, 'one slice update and the Endpoints update');
    assert.equal(t.slices('big').length, 3);
  } finally {
    t.ctl.stop();
  }
});

test('label changes move pods between Services; deleting the Service removes its slices and Endpoints', async () => {
  const t = setup();
  t.ctl.start(t.registry);
  try {
    t.service('blue', { selector: { color: 'blue' } });
    t.service('green', { selector: { color: 'green' } });
    t.pod('p', { color: 'blue' }, { ip: '10.244.1.40', node: 'kwire-worker' });
    await t.ctl.idle();
    assert.deepEqual(addrs(t.slices('blue')[0]), ['10.244.1.40']);
    const cur = t.registry.get(PODS, NS, 'p');
    const next = structuredClone(cur) as KObject;
    next.metadata.labels = { color: 'green' };
    t.registry.update(PODS, NS, 'p', next);
    await t.ctl.idle();
    assert.deepEqual(addrs(t.slices('blue')[0]), []);
    assert.deepEqual(addrs(t.slices('green')[0]), ['10.244.1.40']);
    t.registry.delete(SERVICES, NS, 'green');
    await t.ctl.idle();
    assert.equal(t.slices('green').length, 0);
    assert.equal(t.endpoints('green'), undefined);
  } finally {
    t.ctl.stop();
  }
});

test('Services without a selector are left alone: user-managed slices and Endpoints stay untouched', async () => {
  const t = setup();
  t.ctl.start(t.registry);
  try {
    t.service('external-db', {});
    t.registry.create(SLICES, NS, {
      metadata: { name: 'external-db-1', labels: { 'kubernetes.io/service-name': 'external-db' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['192.0.2.10'] }],
      ports: [{ name: '', port: 5432, protocol: 'TCP' }],
    });
    t.registry.create(ENDPOINTS, NS, { metadata: { name: 'external-db' }, subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 5432 }] }] });
    await t.ctl.idle();
    assert.deepEqual(addrs(t.slices('external-db')[0]), ['192.0.2.10']);
    assert.equal(t.slices('external-db').length, 1);
    assert.deepEqual(t.endpoints('external-db')?.subsets?.[0]?.addresses?.map((a) => a.ip), ['192.0.2.10']);
    t.registry.delete(SERVICES, NS, 'external-db');
    await t.ctl.idle();
    assert.ok(t.endpoints('external-db'), 'not ours to delete');
  } finally {
    t.ctl.stop();
  }
});

test('pod events reach only the Services whose selectors match (the selector index)', async () => {
  const store = new Store();
  const registry = validatedRegistry(store);
  const seen: string[] = [];
  class Spy extends EndpointSliceController {
    override reconcile(r: Registry, key: string): void {
      seen.push(key);
      super.reconcile(r, key);
    }
  }
  const ctl = new Spy();
  for (let i = 0; i < 200; i++) registry.create(SERVICES, NS, { metadata: { name: `svc-${i}` }, spec: { selector: { app: `app-${i}`, tier: 'web' }, ports: [{ port: 80 }] } });
  ctl.start(registry);
  await ctl.idle();
  seen.length = 0;
  registry.create(PODS, NS, { metadata: { name: 'p', labels: { app: 'app-42', tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  await ctl.idle();
  assert.deepEqual(seen, [`${NS}/svc-42`]);
  ctl.stop();
});

test('pure cores: trigger-time format, subsets repack, plan keeps endpoints in place', () => {
  assert.equal(rfc3339Nano(new Date('2024-05-01T10:00:00.000Z')), '2024-05-01T10:00:00Z');
  assert.equal(rfc3339Nano(new Date('2024-05-01T10:00:00.120Z')), '2024-05-01T10:00:00.12Z');
  const pod = (name: string, ip: string, ports: Array<{ name: string; containerPort: number }>) => ({
    metadata: { name, namespace: NS, uid: `uid-${name}` },
    spec: { nodeName: 'n', containers: [{ name: 'c', ports }] },
    status: { podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
  });
  // RepackSubsets: ports offered by the same addresses share a subset.
  const { subsets } = desiredEndpointSubsets(
    { metadata: { name: 's', namespace: NS }, spec: { ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'metrics', port: 9100, targetPort: 'metrics' }] } },
    [pod('a', '10.0.0.2', [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }]), pod('b', '10.0.0.1', [{ name: 'http', containerPort: 8080 }])],
  );
  assert.deepEqual(
    subsets.map((s) => `${(s.addresses ?? []).map((a) => a.ip).join(',')} ${(s.ports ?? []).map((p) => p.name).join(',')}`),
    ['10.0.0.1,10.0.0.2 http', '10.0.0.2 metrics'],
  );
  const ep = (uid: string, ip: string) => ({ addresses: [ip], conditions: { ready: true }, targetRef: { kind: 'Pod', uid } });
  const ports = [{ name: '', port: 80, protocol: 'TCP' }];
  const key = JSON.stringify([['', 80, 'TCP', null]]);
  const existing: EndpointSlice[] = [
    { metadata: { name: 's-a' }, addressType: 'IPv4', ports, endpoints: [ep('1', '10.0.0.1'), ep('2', '10.0.0.2')] },
    { metadata: { name: 's-b' }, addressType: 'IPv4', ports, endpoints: [ep('3', '10.0.0.3')] },
  ];
  const plan = planSlices([{ key, ports, endpoints: [ep('1', '10.0.0.1'), ep('3', '10.0.0.3'), ep('4', '10.0.0.4')] }], existing, 2);
  assert.deepEqual(plan.create, []);
  assert.deepEqual(plan.delete, []);
  assert.deepEqual(
    plan.update.map((u) => `${u.name}: ${u.endpoints.map((e) => e.addresses[0]).join(',')}`).sort(),
    ['s-a: 10.0.0.1,10.0.0.4'],
    'the new endpoint fills the slice that lost one; s-b is untouched',
  );
  assert.deepEqual(plan.keep, ['s-b']);
  const same = planSlices([{ key, ports, endpoints: existing.flatMap((s) => s.endpoints) }], existing, 2);
  assert.deepEqual([same.create.length, same.update.length, same.delete.length], [0, 0, 0]);
});
