/**
 * @module controllers/service-allocators.test
 * The ClusterIP/NodePort allocators: the bitmap and its offset strategy, the
 * ranges, and the admission driven through a real Registry + Store (with and
 * without the API layer's defaults and validation wired in front of it), with
 * kube-apiserver's exact messages, dry runs, refused writes, type changes,
 * deletes and the start-up repair.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from '../apiserver/registry.js';
import { installStrategies } from '../apiserver/strategies.js';
import { RESOURCES } from '../api/resources.js';
import { applyDefaults, prepareServiceForUpdate } from '../api/defaults/index.js';
import { validateCreate, validateUpdate } from '../api/validation/index.js';
import { invalidStatusMessage, statusCauses } from '../api/field-errors.js';
import { ApiError, errors } from '../errors.js';
import { Store, resourceKey, type KObject } from '../store/store.js';
import { AllocationBitmap, allocateWithOffset, ipRangeOffset, portRangeOffset } from './service-allocator-bitmap.js';
import { NodePortRange, ServiceIPRange, parsePortRange, ipv4ToInt } from './service-allocator-ranges.js';
import { ServiceAllocators, createServiceAllocators } from './service-allocators.js';
import { seededRandom } from '../testing/rng.js';

const SERVICES = RESOURCES.find((r) => r.kind === 'Service')!;

const seeded = seededRandom;

interface Harness {
  readonly registry: Registry;
  readonly store: Store;
  readonly alloc: ServiceAllocators;
  create(spec: Record<string, unknown>, name?: string, dryRun?: boolean): Readonly<KObject>;
  update(name: string, mutate: (spec: Record<string, unknown>) => void): Readonly<KObject>;
  spec(o: Readonly<KObject>): Record<string, unknown>;
}

/** A registry with the allocators; `validated` also wires the API layer's defaults and validation in front. */
function harness(opts: { validated?: boolean; store?: Store; seed?: number } = {}): Harness {
  const store = opts.store ?? new Store();
  const registry = new Registry(store);
  if (opts.validated) {
    const fail = (gk: string, obj: KObject, errs: ReturnType<typeof validateCreate>): void => {
      if (errs.length === 0) return;
      const name = obj.metadata.name ?? '';
      throw errors.invalid('', gk.slice(gk.indexOf('/') + 1), name, invalidStatusMessage(gk, name, errs), statusCauses(errs));
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
  } else {
    installStrategies(registry, {});
  }
  const { allocators } = createServiceAllocators(registry, { random: seeded(opts.seed ?? 7) });
  registry.addAdmission(allocators);
  const h: Harness = {
    registry,
    store,
    alloc: allocators,
    create(spec, name = 'web', dryRun = false) {
      return registry.create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec }, { dryRun });
    },
    update(name, mutate) {
      const cur = registry.get(SERVICES, 'default', name);
      const next = structuredClone(cur) as KObject;
      const spec = next['spec'] as Record<string, unknown>;
      mutate(spec);
      return registry.update(SERVICES, 'default', name, next);
    },
    spec: (o) => o['spec'] as Record<string, unknown>,
  };
  return h;
}

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiError) return e.message;
    throw e;
  }
  assert.fail('expected an ApiError');
}

const tcp80 = (extra: Record<string, unknown> = {}) => ({ protocol: 'TCP', port: 80, targetPort: 8080, ...extra });

// ---------------------------------------------------------------- bitmap

test('bitmap: set, has, clear and count', () => {
  const b = new AllocationBitmap(70);
  assert.equal(b.set(0), true);
  assert.equal(b.set(0), false);
  assert.equal(b.set(69), true);
  assert.equal(b.set(70), false, 'out of range');
  assert.equal(b.count, 2);
  assert.equal(b.has(69), true);
  assert.equal(b.clear(69), true);
  assert.equal(b.clear(69), false);
  assert.equal(b.count, 1);
  const seen: number[] = [];
  b.set(33);
  b.forEach((o) => seen.push(o));
  assert.deepEqual(seen, [0, 33]);
});

test('bitmap: findFree wraps within the band and skips full words', () => {
  const b = new AllocationBitmap(200);
  for (let i = 0; i < 130; i++) b.set(i);
  assert.equal(b.findFree(0, 200, 5), 130, 'skips full words from a start inside them');
  assert.equal(b.findFree(0, 200, 199), 199);
  b.set(199);
  assert.equal(b.findFree(0, 200, 199), 130, 'wraps to the band start');
  assert.equal(b.findFree(0, 130, 17), undefined, 'a full band has nothing');
  assert.equal(b.findFree(150, 160, 150, (o) => o < 155), 155, 'excluded offsets are skipped');
});

test('bitmap: the offset strategy fills the upper band first, then the lower one', () => {
  const b = new AllocationBitmap(40);
  const r = seeded(1);
  for (let i = 0; i < 30; i++) {
    const at = allocateWithOffset(b, 10, r);
    assert.ok(at !== undefined && at >= 10, `pick ${at} is in the upper band`);
    b.set(at);
  }
  const next = allocateWithOffset(b, 10, r);
  assert.ok(next !== undefined && next < 10, 'upper band full: the lower band is used');
  for (let i = 0; i < 10; i++) b.set(i);
  assert.equal(allocateWithOffset(b, 10, r), undefined, 'full');
});

test('range offsets follow calculateRangeOffset', () => {
  assert.equal(ipRangeOffset(2 ** 20), 256, '/12');
  assert.equal(ipRangeOffset(2 ** 8), 16, '/24');
  assert.equal(ipRangeOffset(16), 0, '/28');
  assert.equal(portRangeOffset(2768), 86, '30000-32767');
  assert.equal(portRangeOffset(10), 0);
});

// ---------------------------------------------------------------- ranges

test('ServiceIPRange: never the network or broadcast address; reserved addresses are never picked', () => {
  const r = new ServiceIPRange('10.0.0.0/28', ['10.0.0.1', '10.0.0.10'], seeded(3));
  assert.equal(r.size, 14);
  assert.equal(r.check('10.0.0.0'), 'not-in-range');
  assert.equal(r.check('10.0.0.15'), 'not-in-range');
  assert.equal(r.check('10.0.0.14'), 'ok');
  assert.equal(r.check('nope'), 'unparsable');
  const picked = new Set<string>();
  for (let i = 0; i < 12; i++) {
    const ip = r.pickNext();
    assert.ok(ip !== undefined);
    assert.ok(ip !== '10.0.0.1' && ip !== '10.0.0.10', `${ip} is reserved`);
    assert.equal(r.allocate(ip), true);
    picked.add(ip);
  }
  assert.equal(picked.size, 12);
  assert.equal(r.pickNext(), undefined, 'only the reserved ones are left');
  assert.equal(r.check('10.0.0.10'), 'ok', 'a reserved address is still honoured on request');
});

test('ServiceIPRange: dynamic ClusterIPs come from above the static band of a /12', () => {
  const r = new ServiceIPRange('10.96.0.0/12', [], seeded(11));
  const lo = ipv4ToInt('10.96.1.1')!;
  const hi = ipv4ToInt('10.111.255.254')!;
  for (let i = 0; i < 200; i++) {
    const ip = r.pickNext()!;
    const n = ipv4ToInt(ip)!;
    assert.ok(n >= lo && n <= hi, `${ip} in the dynamic band`);
    r.allocate(ip);
  }
  assert.equal(r.used, 200);
});

test('NodePortRange: parse, picks prefer 30086+, the tentative set is respected', () => {
  assert.deepEqual(parsePortRange('30000-32767'), { min: 30000, max: 32767 });
  assert.deepEqual(parsePortRange('30000+10'), { min: 30000, max: 30010 });
  assert.equal(parsePortRange('32767-30000'), undefined);
  const r = new NodePortRange({ min: 30000, max: 32767 }, seeded(5));
  assert.equal(r.rangeString, '30000-32767');
  const tentative = new Set<number>();
  for (let i = 0; i < 100; i++) {
    const p = r.pickNext(tentative)!;
    assert.ok(p >= 30086 && p <= 32767, `${p}`);
    assert.ok(!tentative.has(p));
    tentative.add(p);
  }
  assert.equal(r.check(29999), 'not-in-range');
  assert.equal(r.check(30080, new Set([30080])), 'allocated');
});

// ---------------------------------------------------------------- admission

for (const validated of [false, true]) {
  const mode = validated ? 'with API validation' : 'bare registry';

  test(`${mode}: a ClusterIP Service gets an address and the single-stack IPv4 fields`, () => {
    const h = harness({ validated });
    const s = h.spec(h.create({ type: 'ClusterIP', selector: { app: 'backend' }, ports: [tcp80()] }));
    const ip = s['clusterIP'] as string;
    assert.match(ip, /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
    assert.deepEqual(s['clusterIPs'], [ip]);
    assert.deepEqual(s['ipFamilies'], ['IPv4']);
    assert.equal(s['ipFamilyPolicy'], 'SingleStack');
    assert.equal(h.alloc.isClusterIPAllocated(ip), true);
    assert.equal(h.alloc.allocatedClusterIPs, 1);
  });

  test(`${mode}: explicit clusterIP honoured; taken and out-of-range ones refused with kube-apiserver's text`, () => {
    const h = harness({ validated });
    const a = h.spec(h.create({ clusterIP: '10.96.0.5', ports: [tcp80()] }, 'a'));
    assert.deepEqual(a['clusterIPs'], ['10.96.0.5']);
    assert.equal(
      message(() => h.create({ clusterIP: '10.96.0.5', ports: [tcp80()] }, 'b')),
      'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.5"}: failed to allocate IP 10.96.0.5: provided IP is already allocated',
    );
    assert.equal(
      message(() => h.create({ clusterIP: '1.2.3.4', ports: [tcp80()] }, 'c')),
      'Service "c" is invalid: spec.clusterIPs: Invalid value: []string{"1.2.3.4"}: failed to allocate IP 1.2.3.4: the provided IP (1.2.3.4) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
    assert.equal(h.alloc.allocatedClusterIPs, 1);
  });

  test(`${mode}: NodePort 30080 honoured, a clash and an out-of-range port refused`, () => {
    const h = harness({ validated });
    const s = h.spec(h.create({ type: 'NodePort', selector: { app: 'backend' }, ports: [tcp80({ nodePort: 30080 })] }, 'backend-nodeport'));
    assert.equal((s['ports'] as Array<Record<string, unknown>>)[0]!['nodePort'], 30080);
    assert.equal(h.alloc.isNodePortAllocated(30080), true);
    const clash = message(() => h.create({ type: 'NodePort', ports: [tcp80({ nodePort: 30080 })] }, 'second'));
    assert.equal(clash, 'Service "second" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    const range = message(() => h.create({ type: 'NodePort', ports: [tcp80({ nodePort: 40000 })] }, 'third'));
    assert.equal(range, 'Service "third" is invalid: spec.ports[0].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767');
    assert.equal(h.alloc.allocatedClusterIPs, 1, 'the refused Services hold no ClusterIP');
  });

  test(`${mode}: a refused Service allocates nothing, even the values it got before failing`, () => {
    const h = harness({ validated });
    h.create({ type: 'NodePort', ports: [tcp80({ nodePort: 30081 })] }, 'first');
    const before = { ips: h.alloc.allocatedClusterIPs, ports: h.alloc.allocatedNodePorts };
    assert.throws(() => h.create({ type: 'NodePort', clusterIP: '10.96.0.50', ports: [{ name: 'a', port: 80, nodePort: 30090 }, { name: 'b', port: 81, nodePort: 30081 }] }, 'bad'));
    assert.deepEqual({ ips: h.alloc.allocatedClusterIPs, ports: h.alloc.allocatedNodePorts }, before);
    assert.equal(h.alloc.isNodePortAllocated(30090), false);
    assert.equal(h.alloc.isClusterIPAllocated('10.96.0.50'), false);
    h.create({ type: 'NodePort', clusterIP: '10.96.0.50', ports: [tcp80({ nodePort: 30090 })] }, 'ok');
  });

  test(`${mode}: dry runs show the allocation and allocate nothing`, () => {
    const h = harness({ validated });
    const dry = h.spec(h.create({ type: 'NodePort', ports: [tcp80({ nodePort: 30080 })] }, 'dry', true));
    assert.match(dry['clusterIP'] as string, /^10\./);
    assert.equal(h.alloc.allocatedClusterIPs, 0);
    assert.equal(h.alloc.allocatedNodePorts, 0);
    assert.equal(h.registry.tryGet(SERVICES, 'default', 'dry'), undefined);
    h.create({ type: 'NodePort', ports: [tcp80({ nodePort: 30080 })] }, 'real');
    assert.match(message(() => h.create({ type: 'NodePort', ports: [tcp80({ nodePort: 30080 })] }, 'dry2', true)), /provided port is already allocated/, 'a dry run still checks');
  });

  test(`${mode}: deleting a Service frees its ClusterIP and NodePorts for reuse`, () => {
    const h = harness({ validated });
    h.create({ type: 'NodePort', clusterIP: '10.96.0.77', ports: [tcp80({ nodePort: 30080 })] }, 'one');
    h.registry.delete(SERVICES, 'default', 'one');
    assert.equal(h.alloc.allocatedClusterIPs, 0);
    assert.equal(h.alloc.allocatedNodePorts, 0);
    h.create({ type: 'NodePort', clusterIP: '10.96.0.77', ports: [tcp80({ nodePort: 30080 })] }, 'two');
    assert.equal(h.alloc.isNodePortAllocated(30080), true);
  });

  test(`${mode}: LoadBalancer gets NodePorts unless allocateLoadBalancerNodePorts is false; Local gets a healthCheckNodePort`, () => {
    const h = harness({ validated });
    const lb = h.spec(h.create({ type: 'LoadBalancer', allocateLoadBalancerNodePorts: true, ports: [tcp80()] }, 'lb'));
    const np = (lb['ports'] as Array<Record<string, unknown>>)[0]!['nodePort'] as number;
    assert.ok(np >= 30086 && np <= 32767);
    const none = h.spec(h.create({ type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [tcp80()] }, 'lb-no-np'));
    assert.equal((none['ports'] as Array<Record<string, unknown>>)[0]!['nodePort'], undefined);
    const explicit = h.spec(h.create({ type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [tcp80({ nodePort: 30111 })] }, 'lb-explicit'));
    assert.equal((explicit['ports'] as Array<Record<string, unknown>>)[0]!['nodePort'], 30111, 'explicit ones are still honoured');
    const local = h.spec(h.create({ type: 'LoadBalancer', allocateLoadBalancerNodePorts: true, externalTrafficPolicy: 'Local', ports: [tcp80()] }, 'lb-local'));
    const hc = local['healthCheckNodePort'] as number;
    assert.ok(hc >= 30000 && hc <= 32767);
    assert.equal(h.alloc.isNodePortAllocated(hc), true);
    assert.equal(h.alloc.allocatedNodePorts, 4);
    h.update('lb-local', (s) => {
      s['externalTrafficPolicy'] = 'Cluster';
      delete s['healthCheckNodePort'];
    });
    assert.equal(h.alloc.isNodePortAllocated(hc), false, 'Local -> Cluster releases the health check port');
  });

  test(`${mode}: ports sharing a port number share one NodePort`, () => {
    const h = harness({ validated });
    const s = h.spec(h.create({ type: 'NodePort', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }, 'dns'));
    const ports = s['ports'] as Array<Record<string, unknown>>;
    assert.equal(ports[0]!['nodePort'], ports[1]!['nodePort']);
    assert.equal(h.alloc.allocatedNodePorts, 1);
  });

  test(`${mode}: ClusterIP -> NodePort allocates, NodePort -> ClusterIP releases`, () => {
    const h = harness({ validated });
    const ip = h.spec(h.create({ ports: [tcp80()] }, 'svc'))['clusterIP'];
    const np = h.spec(h.update('svc', (s) => (s['type'] = 'NodePort')));
    assert.equal(np['clusterIP'], ip, 'the ClusterIP is kept');
    const port = (np['ports'] as Array<Record<string, unknown>>)[0]!['nodePort'] as number;
    assert.equal(h.alloc.isNodePortAllocated(port), true);
    h.update('svc', (s) => {
      s['type'] = 'ClusterIP';
      delete s['externalTrafficPolicy'];
      for (const p of s['ports'] as Array<Record<string, unknown>>) delete p['nodePort'];
    });
    assert.equal(h.alloc.isNodePortAllocated(port), false);
    assert.equal(h.alloc.allocatedClusterIPs, 1);
  });

  test(`${mode}: the ClusterIP may not change once set; a replace without it keeps it`, () => {
    const h = harness({ validated });
    h.create({ clusterIP: '10.96.0.5', ports: [tcp80()] }, 'a');
    const msg = message(() =>
      h.update('a', (s) => {
        s['clusterIP'] = '10.96.0.6';
        s['clusterIPs'] = ['10.96.0.6'];
      }),
    );
    assert.equal(msg, 'Service "a" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.96.0.6"}: may not change once set');
    assert.equal(h.alloc.isClusterIPAllocated('10.96.0.6'), false);
    if (!validated) {
      // Without the strategy's field carry-over in front, the allocator keeps the values itself.
      const kept = h.spec(
        h.update('a', (s) => {
          delete s['clusterIP'];
          delete s['clusterIPs'];
        }),
      );
      assert.equal(kept['clusterIP'], '10.96.0.5');
    }
  });

  if (validated) {
    test(`${mode}: a type change to ClusterIP that keeps the nodePort lines (kubectl apply) releases the port`, () => {
      const h = harness({ validated });
      h.create({ type: 'NodePort', ports: [tcp80({ nodePort: 30080 })] }, 'svc');
      const s = h.spec(h.update('svc', (sp) => (sp['type'] = 'ClusterIP')));
      assert.equal((s['ports'] as Array<Record<string, unknown>>)[0]!['nodePort'], undefined, 'the strategy dropped it');
      assert.equal(h.alloc.isNodePortAllocated(30080), false);
      h.create({ type: 'NodePort', ports: [tcp80({ nodePort: 30080 })] }, 'reuse');
    });
  }

  test(`${mode}: headless Services hold no ClusterIP`, () => {
    const h = harness({ validated });
    const s = h.spec(h.create({ clusterIP: 'None', selector: { app: 'x' }, ports: [tcp80()] }, 'headless'));
    assert.deepEqual(s['clusterIPs'], ['None']);
    assert.equal(h.alloc.allocatedClusterIPs, 0);
  });
}

test('ExternalName <-> ClusterIP allocates and releases', () => {
  const h = harness();
  h.create({ type: 'ExternalName', externalName: 'example.com' }, 'ext');
  assert.equal(h.alloc.allocatedClusterIPs, 0);
  const s = h.spec(
    h.update('ext', (sp) => {
      sp['type'] = 'ClusterIP';
      delete sp['externalName'];
      sp['ports'] = [tcp80()];
    }),
  );
  assert.equal(h.alloc.isClusterIPAllocated(s['clusterIP'] as string), true);
  h.update('ext', (sp) => {
    sp['type'] = 'ExternalName';
    sp['externalName'] = 'example.com';
    delete sp['clusterIP'];
    delete sp['clusterIPs'];
  });
  assert.equal(h.alloc.allocatedClusterIPs, 0);
});

test('a status update changes no allocation', () => {
  const h = harness();
  const cur = h.create({ type: 'LoadBalancer', allocateLoadBalancerNodePorts: true, ports: [tcp80()] }, 'lb');
  const before = h.alloc.allocatedNodePorts;
  const next = structuredClone(cur) as KObject;
  next['status'] = { loadBalancer: { ingress: [{ ip: '127.0.10.100', ipMode: 'VIP' }] } };
  h.registry.commitUpdate(SERVICES, cur, next, {}, 'status');
  assert.equal(h.alloc.allocatedNodePorts, before);
  assert.equal(h.alloc.allocatedClusterIPs, 1);
});

test('a full NodePort range answers an internal error', () => {
  const store = new Store();
  const registry = new Registry(store);
  installStrategies(registry, {});
  const alloc = new ServiceAllocators({ nodePortRange: '30000-30001', random: seeded(2) });
  registry.addAdmission(alloc);
  const mk = (name: string) => registry.create(SERVICES, 'default', { metadata: { name }, spec: { type: 'NodePort', ports: [tcp80()] } });
  mk('a');
  mk('b');
  assert.equal(message(() => mk('c')), 'Internal error occurred: failed to allocate a nodePort: range is full');
});

test('repair rebuilds the bitmaps from stored Services and reports duplicates and strays', () => {
  const store = new Store();
  const put = (name: string, spec: Record<string, unknown>, ts: string) =>
    store.put(resourceKey('', 'services'), { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', creationTimestamp: ts }, spec }, { expectCreate: true });
  put('kubernetes', { type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ port: 443 }] }, '2024-01-01T00:00:00Z');
  put('np', { type: 'NodePort', clusterIP: '10.96.3.3', clusterIPs: ['10.96.3.3'], ports: [{ port: 80, nodePort: 30080 }] }, '2024-01-01T00:00:01Z');
  put('dup', { type: 'NodePort', clusterIP: '10.96.3.3', clusterIPs: ['10.96.3.3'], ports: [{ port: 80, nodePort: 30080 }] }, '2024-01-01T00:00:02Z');
  put('stray', { type: 'NodePort', clusterIP: '192.168.0.1', clusterIPs: ['192.168.0.1'], ports: [{ port: 80, nodePort: 20000 }] }, '2024-01-01T00:00:03Z');
  put('ext', { type: 'ExternalName', externalName: 'x.example' }, '2024-01-01T00:00:04Z');
  put('cip', { type: 'ClusterIP', clusterIP: '10.96.9.9', clusterIPs: ['10.96.9.9'], ports: [{ port: 80, nodePort: 30099 }] }, '2024-01-01T00:00:05Z');
  const registry = new Registry(store);
  installStrategies(registry, {});
  const { allocators, report } = createServiceAllocators(registry, { random: seeded(4) });
  assert.equal(report.clusterIPs, 3);
  assert.equal(report.nodePorts, 1, 'a ClusterIP Service holds no NodePort');
  assert.deepEqual(
    report.problems.map((p) => `${p.service} ${p.reason}`),
    ['default/dup ClusterIPAlreadyAllocated', 'default/dup PortAlreadyAllocated', 'default/stray ClusterIPOutOfRange', 'default/stray PortOutOfRange'],
  );
  assert.equal(report.problems[0]!.message, 'Cluster IP 10.96.3.3 was assigned to multiple services; please recreate service');
  assert.equal(report.problems[3]!.message, 'Port 20000 is not within the port range 30000-32767; please recreate service');
  assert.equal(allocators.isClusterIPAllocated('10.96.0.1'), true);
  assert.equal(allocators.isNodePortAllocated(30080), true);
  assert.equal(allocators.isNodePortAllocated(30099), false);
});

test('a restart (new registry over the same store) keeps every allocation', () => {
  const store = new Store();
  const first = harness({ store });
  first.create({ type: 'NodePort', clusterIP: '10.96.0.10', ports: [tcp80({ nodePort: 30080 })] }, 'kept');
  const second = harness({ store });
  assert.equal(second.alloc.isClusterIPAllocated('10.96.0.10'), true);
  assert.match(message(() => second.create({ type: 'NodePort', ports: [tcp80({ nodePort: 30080 })] }, 'again')), /provided port is already allocated/);
  assert.match(message(() => second.create({ clusterIP: '10.96.0.10', ports: [tcp80()] }, 'again')), /provided IP is already allocated/);
});

test('the kubernetes and kube-dns addresses are never handed out dynamically', () => {
  const alloc = new ServiceAllocators({ serviceCIDR: '10.96.0.0/28', random: seeded(9) });
  const store = new Store();
  const registry = new Registry(store);
  installStrategies(registry, {});
  registry.addAdmission(alloc);
  const got: string[] = [];
  for (let i = 0; i < 12; i++) {
    const o = registry.create(SERVICES, 'default', { metadata: { name: `s${i}` }, spec: { ports: [tcp80()] } });
    got.push((o['spec'] as Record<string, unknown>)['clusterIP'] as string);
  }
  assert.ok(!got.includes('10.96.0.1') && !got.includes('10.96.0.10'));
  assert.match(message(() => registry.create(SERVICES, 'default', { metadata: { name: 'full' }, spec: { ports: [tcp80()] } })), /failed to allocate a serviceIP: range is full/);
  registry.create(SERVICES, 'default', { metadata: { name: 'kube-dns' }, spec: { clusterIP: '10.96.0.10', ports: [tcp80()] } });
});
