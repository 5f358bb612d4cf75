/**
 * @module controllers/loadbalancer.test
 * The MetalLB-like controller against a real Registry + Store: first-free
 * assignment, loadBalancerIP, classes, type changes, deletes, exhaustion and
 * re-adoption after a restart, and that a settled reconcile writes nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from '../apiserver/registry.js';
import { installStrategies } from '../apiserver/strategies.js';
import { RESOURCES } from '../api/resources.js';
import { Store, type KObject } from '../store/store.js';
import { LoadBalancerController, defaultLoadBalancerPool, parsePool } from './loadbalancer.js';

const SERVICES = RESOURCES.find((r) => r.kind === 'Service')!;
const EVENTS = RESOURCES.find((r) => r.group === '' && r.kind === 'Event')!;

function setup(pool = '127.0.10.100-127.0.10.102', store = new Store()) {
  const registry = new Registry(store);
  installStrategies(registry, {});
  const lb = new LoadBalancerController({ pool });
  return { registry, store, lb };
}

const create = (registry: Registry, name: string, spec: Record<string, unknown> = {}) =>
  registry.create(SERVICES, 'default', { metadata: { name }, spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], ...spec } });

const ingress = (registry: Registry, name: string): unknown => {
  const s = registry.get(SERVICES, 'default', name);
  return (s['status'] as { loadBalancer?: { ingress?: unknown } } | undefined)?.loadBalancer?.ingress;
};

const events = (registry: Registry): string[] => registry.list(EVENTS, 'default').items.map((e) => `${String(e['reason'])}: ${String(e['message'])}`);

test('pool parsing and the default pool', () => {
  assert.equal(defaultLoadBalancerPool(10), '127.0.10.100-127.0.10.199');
  assert.equal(parsePool('127.0.10.100-127.0.10.199')[0]![1] - parsePool('127.0.10.100-127.0.10.199')[0]![0], 99);
  assert.deepEqual(parsePool(['127.0.0.8/30']).length, 1);
  assert.throws(() => parsePool('127.0.0.9-127.0.0.1'));
  assert.throws(() => parsePool(''));
});

test('each LoadBalancer Service gets its own address at once, with ipMode VIP', async () => {
  const { registry, lb } = setup();
  lb.start(registry);
  try {
    create(registry, 'a');
    create(registry, 'b');
    await lb.idle();
    assert.deepEqual(ingress(registry, 'a'), [{ ip: '127.0.10.100', ipMode: 'VIP' }]);
    assert.deepEqual(ingress(registry, 'b'), [{ ip: '127.0.10.101', ipMode: 'VIP' }]);
    assert.ok(events(registry).includes('IPAllocated: Assigned IP ["127.0.10.100"]'));
  } finally {
    lb.stop();
  }
});

test('a settled reconcile writes nothing', async () => {
  const { registry, store, lb } = setup();
  lb.start(registry);
  try {
    create(registry, 'a');
    await lb.idle();
    const rv = store.resourceVersion;
    lb.reconcile(registry, 'default/a');
    lb.reconcile(registry, 'default/a');
    await lb.idle();
    assert.equal(store.resourceVersion, rv);
  } finally {
    lb.stop();
  }
});

test('type change and delete release the address; a pending Service then gets it', async () => {
  const { registry, lb } = setup('127.0.10.100-127.0.10.101');
  lb.start(registry);
  try {
    create(registry, 'a');
    create(registry, 'b');
    await lb.idle();
    create(registry, 'c');
    await lb.idle();
    assert.equal(ingress(registry, 'c'), undefined, 'the pool is exhausted');
    assert.ok(events(registry).some((e) => e.startsWith('AllocationFailed: Failed to allocate IP for "default/c": no available IPs')));
    // a: LoadBalancer -> ClusterIP
    const cur = registry.get(SERVICES, 'default', 'a');
    const next = structuredClone(cur) as KObject;
    (next['spec'] as Record<string, unknown>)['type'] = 'ClusterIP';
    registry.update(SERVICES, 'default', 'a', next);
    await lb.idle();
    assert.equal(ingress(registry, 'a'), undefined, 'status cleared');
    assert.deepEqual(ingress(registry, 'c'), [{ ip: '127.0.10.100', ipMode: 'VIP' }], 'the freed address went to the pending Service');
    registry.delete(SERVICES, 'default', 'b');
    await lb.idle();
    assert.equal(lb.assignments().get('default/b'), undefined);
    create(registry, 'd');
    await lb.idle();
    assert.deepEqual(ingress(registry, 'd'), [{ ip: '127.0.10.101', ipMode: 'VIP' }]);
    assert.equal(new Set(lb.assignments().values()).size, lb.assignments().size, 'never one address twice');
  } finally {
    lb.stop();
  }
});

test('spec.loadBalancerIP is honoured in the pool and refused outside it or when taken', async () => {
  const { registry, lb } = setup();
  lb.start(registry);
  try {
    create(registry, 'want', { loadBalancerIP: '127.0.10.102' });
    create(registry, 'outside', { loadBalancerIP: '192.0.2.1' });
    await lb.idle();
    create(registry, 'taken', { loadBalancerIP: '127.0.10.102' });
    await lb.idle();
    assert.deepEqual(ingress(registry, 'want'), [{ ip: '127.0.10.102', ipMode: 'VIP' }]);
    assert.equal(ingress(registry, 'outside'), undefined);
    assert.equal(ingress(registry, 'taken'), undefined);
    const ev = events(registry);
    assert.ok(ev.includes('AllocationFailed: Failed to allocate IP for "default/outside": 192.0.2.1 is not in the address pool 127.0.10.100-127.0.10.102'), ev.join('\n'));
    assert.ok(ev.includes('AllocationFailed: Failed to allocate IP for "default/taken": 127.0.10.102 is already in use by default/want'));
  } finally {
    lb.stop();
  }
});

test('Services with a loadBalancerClass, and other types, are left alone', async () => {
  const { registry, lb } = setup();
  lb.start(registry);
  try {
    create(registry, 'classy', { loadBalancerClass: 'example.com/other' });
    registry.create(SERVICES, 'default', { metadata: { name: 'plain' }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } });
    await lb.idle();
    assert.equal(ingress(registry, 'classy'), undefined);
    assert.equal(ingress(registry, 'plain'), undefined);
    assert.equal(lb.assignments().size, 0);
  } finally {
    lb.stop();
  }
});

test('a restart re-adopts the addresses in status and never hands one out twice', async () => {
  const store = new Store();
  const first = setup('127.0.10.100-127.0.10.102', store);
  first.lb.start(first.registry);
  create(first.registry, 'a');
  create(first.registry, 'b');
  await first.lb.idle();
  first.lb.stop();
  first.registry.delete(SERVICES, 'default', 'a');
  const second = setup('127.0.10.100-127.0.10.102', store);
  second.lb.start(second.registry);
  try {
    create(second.registry, 'c');
    await second.lb.idle();
    assert.deepEqual(ingress(second.registry, 'b'), [{ ip: '127.0.10.101', ipMode: 'VIP' }], 'kept');
    assert.deepEqual(ingress(second.registry, 'c'), [{ ip: '127.0.10.100', ipMode: 'VIP' }]);
  } finally {
    second.lb.stop();
  }
});
