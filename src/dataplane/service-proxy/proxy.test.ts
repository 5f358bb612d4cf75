/**
 * @module dataplane/service-proxy/proxy.test
 * The service proxy core: a table of flows (one row each: how it arrives, from
 * where, and the verdict kube-proxy's rules give), the fairness of the random
 * choice (chi-square at p = 0.001 with a seeded source), session affinity with
 * an injected clock, traffic policies, terminating fallback, incremental
 * updates through the trackers, listeners, the store feed and the translator.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { Store, resourceKey, type KObject } from '../../store/store.js';
import { ServiceProxy } from './proxy.js';
import { ServiceChangeTracker } from './service-change-tracker.js';
import { EndpointsChangeTracker } from './endpoints-change-tracker.js';
import { feedServiceProxy } from './store-feed.js';
import { AffinityTable } from './affinity.js';
import { proxyTranslator } from './translator.js';
import type { ResolveRequest, ResolveResult } from './types.js';
import { seededRandom } from '../../testing/rng.js';

const seeded = seededRandom;

const NS = 'lab';

function svc(name: string, spec: NonNullable<Service['spec']>, lbIPs: string[] = []): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS, resourceVersion: '1' },
    spec: { type: 'ClusterIP', sessionAffinity: 'None', ...spec },
    status: { loadBalancer: lbIPs.length > 0 ? { ingress: lbIPs.map((ip) => ({ ip, ipMode: 'VIP' })) } : {} },
  };
}

interface Ep {
  readonly ip: string;
  readonly node?: string;
  readonly ready?: boolean;
  readonly serving?: boolean;
  readonly terminating?: boolean;
}

function slice(service: string, name: string, ports: Array<{ name?: string; port: number; protocol?: string }>, eps: Ep[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: NS, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
      ...(e.node !== undefined ? { nodeName: e.node } : {}),
    })),
  };
}

/** The lab fixture: every policy and type, on nodes w1 and w2. */
function fixture(random = seeded(1), now = () => 0): ServiceProxy {
  const p = new ServiceProxy({ random, now });
  const add = (s: Service, ...slices: EndpointSlice[]) => {
    p.onServiceAdd(s);
    for (const sl of slices) p.onEndpointSliceAdd(sl);
  };
  add(
    svc('web', { clusterIP: '10.96.10.1', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'metrics', port: 9100, protocol: 'TCP' }] }),
    slice('web', 'web-a', [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9100 }], [{ ip: '10.244.1.5', node: 'w1' }]),
    slice('web', 'web-b', [{ name: 'http', port: 8081 }, { name: 'metrics', port: 9100 }], [{ ip: '10.244.2.5', node: 'w2' }, { ip: '10.244.2.6', node: 'w2', ready: false }]),
  );
  add(svc('empty', { clusterIP: '10.96.10.2', ports: [{ port: 80, protocol: 'TCP' }] }));
  add(
    svc('itp-local', { clusterIP: '10.96.10.3', internalTrafficPolicy: 'Local', ports: [{ port: 80, protocol: 'TCP' }] }),
    slice('itp-local', 'itp-local-a', [{ port: 8080 }], [{ ip: '10.244.1.7', node: 'w1' }]),
  );
  add(
    svc('np', { type: 'NodePort', clusterIP: '10.96.10.4', externalTrafficPolicy: 'Cluster', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }),
    slice('np', 'np-a', [{ port: 8080 }], [{ ip: '10.244.1.8', node: 'w1' }]),
  );
  add(
    svc('np-local', { type: 'NodePort', clusterIP: '10.96.10.5', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: 30081, protocol: 'TCP' }] }),
    slice('np-local', 'np-local-a', [{ port: 8080 }], [{ ip: '10.244.1.9', node: 'w1' }]),
  );
  add(
    svc(
      'lb',
      { type: 'LoadBalancer', clusterIP: '10.96.10.6', externalTrafficPolicy: 'Cluster', loadBalancerSourceRanges: ['127.0.0.0/8'], ports: [{ port: 80, nodePort: 30082, protocol: 'TCP' }] },
      ['127.0.10.100'],
    ),
    slice('lb', 'lb-a', [{ port: 8080 }], [{ ip: '10.244.2.10', node: 'w2' }]),
  );
  add(
    svc('ext', { clusterIP: '10.96.10.7', externalIPs: ['192.0.2.50'], externalTrafficPolicy: 'Cluster', ports: [{ port: 80, protocol: 'TCP' }] }),
    slice('ext', 'ext-a', [{ port: 8080 }], [{ ip: '10.244.2.11', node: 'w2' }]),
  );
  add(
    svc('draining', { clusterIP: '10.96.10.8', ports: [{ port: 80, protocol: 'TCP' }] }),
    slice('draining', 'draining-a', [{ port: 8080 }], [{ ip: '10.244.1.12', node: 'w1', ready: false, serving: true, terminating: true }, { ip: '10.244.1.13', node: 'w1', ready: false, serving: false, terminating: true }]),
  );
  add(
    svc('mixed', { clusterIP: '10.96.10.9', ports: [{ port: 80, protocol: 'TCP' }] }),
    slice('mixed', 'mixed-a', [{ port: 8080 }], [{ ip: '10.244.1.14', node: 'w1', ready: false, serving: true, terminating: true }, { ip: '10.244.2.14', node: 'w2' }]),
  );
  add(
    svc('dns', { clusterIP: '10.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }),
    slice('dns', 'dns-a', [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }], [{ ip: '10.244.0.3', node: 'w1' }]),
  );
  add(svc('external-name', { type: 'ExternalName', externalName: 'example.com' }));
  add(svc('headless', { clusterIP: 'None', ports: [{ port: 80, protocol: 'TCP' }] }), slice('headless', 'headless-a', [{ port: 80 }], [{ ip: '10.244.1.20', node: 'w1' }]));
  return p;
}

const POD_W1 = '10.244.1.100';
const POD_W2 = '10.244.2.100';
const HOST = '127.0.0.1';

/** Renders a result as one comparable string. */
function verdict(r: ResolveResult): string {
  switch (r.kind) {
    case 'endpoint':
      return `${r.ip}:${r.port}${r.preserveClientIp ? '' : ' masq'}`;
    case 'reject':
      return `REJECT ${r.reason}`;
    case 'drop':
      return `DROP ${r.reason}`;
    case 'none':
      return 'none';
    default: {
      const never: never = r;
      return String(never);
    }
  }
}

test('flow table: one row per flow, as kube-proxy would answer', () => {
  const rows: Array<{ name: string; req: ResolveRequest; want: string | RegExp }> = [
    { name: 'ClusterIP to a ready endpoint', req: { via: 'clusterIP', dstIp: '10.96.10.1', dstPort: 80, protocol: 'TCP', srcIp: POD_W1, nodeName: 'w1' }, want: /^10\.244\.(1\.5:8080|2\.5:8081)$/ },
    { name: 'second port of a multi-port Service', req: { via: 'clusterIP', dstIp: '10.96.10.1', dstPort: 9100, protocol: 'TCP', srcIp: POD_W1, nodeName: 'w1' }, want: /^10\.244\.(1\.5|2\.5):9100$/ },
    { name: 'ClusterIP on a port the Service lacks', req: { via: 'clusterIP', dstIp: '10.96.10.1', dstPort: 443, protocol: 'TCP', srcIp: POD_W1 }, want: 'REJECT lab/web has no port 443/TCP' },
    { name: 'no endpoints: refused at once', req: { via: 'clusterIP', dstIp: '10.96.10.2', dstPort: 80, protocol: 'TCP', srcIp: POD_W1 }, want: 'REJECT lab/empty has no endpoints' },
    { name: 'internalTrafficPolicy Local, client on the endpoint node', req: { via: 'clusterIP', dstIp: '10.96.10.3', dstPort: 80, protocol: 'TCP', srcIp: POD_W1, nodeName: 'w1' }, want: '10.244.1.7:8080' },
    { name: 'internalTrafficPolicy Local, client elsewhere', req: { via: 'clusterIP', dstIp: '10.96.10.3', dstPort: 80, protocol: 'TCP', srcIp: POD_W2, nodeName: 'w2' }, want: 'DROP lab/itp-local has no local endpoints' },
    { name: 'ClusterIP from outside the pod CIDR is masqueraded', req: { via: 'clusterIP', dstIp: '10.96.10.4', dstPort: 80, protocol: 'TCP', srcIp: '127.0.10.2', nodeName: 'w1' }, want: '10.244.1.8:8080 masq' },
    { name: 'NodePort, policy Cluster, from the host: masqueraded', req: { via: 'nodePort', dstIp: '127.0.10.3', dstPort: 30080, protocol: 'TCP', srcIp: HOST, nodeName: 'w2' }, want: '10.244.1.8:8080 masq' },
    { name: 'NodePort, wrong protocol', req: { via: 'nodePort', dstIp: '127.0.10.3', dstPort: 30080, protocol: 'UDP', srcIp: HOST, nodeName: 'w2' }, want: 'none' },
    { name: 'NodePort, policy Local, node with the endpoint: client kept', req: { via: 'nodePort', dstIp: '127.0.10.2', dstPort: 30081, protocol: 'TCP', srcIp: HOST, nodeName: 'w1' }, want: '10.244.1.9:8080' },
    { name: 'NodePort, policy Local, node without one', req: { via: 'nodePort', dstIp: '127.0.10.3', dstPort: 30081, protocol: 'TCP', srcIp: HOST, nodeName: 'w2' }, want: 'DROP lab/np-local has no local endpoints' },
    { name: 'NodePort, policy Local, from a pod: short-circuit to all endpoints', req: { via: 'nodePort', dstIp: '127.0.10.3', dstPort: 30081, protocol: 'TCP', srcIp: POD_W2, nodeName: 'w2' }, want: '10.244.1.9:8080' },
    { name: 'LoadBalancer IP from an allowed source', req: { via: 'loadBalancer', dstIp: '127.0.10.100', dstPort: 80, protocol: 'TCP', srcIp: HOST, nodeName: 'w1' }, want: '10.244.2.10:8080 masq' },
    { name: 'LoadBalancer IP outside loadBalancerSourceRanges', req: { via: 'loadBalancer', dstIp: '127.0.10.100', dstPort: 80, protocol: 'TCP', srcIp: '192.168.1.1', nodeName: 'w1' }, want: 'DROP 192.168.1.1 is not in the loadBalancerSourceRanges of lab/lb' },
    { name: 'LoadBalancer IP on another port', req: { via: 'loadBalancer', dstIp: '127.0.10.100', dstPort: 81, protocol: 'TCP', srcIp: HOST }, want: 'none' },
    { name: 'the LoadBalancer NodePort too', req: { via: 'nodePort', dstIp: '127.0.10.2', dstPort: 30082, protocol: 'TCP', srcIp: HOST, nodeName: 'w1' }, want: '10.244.2.10:8080 masq' },
    { name: 'external IP', req: { via: 'externalIP', dstIp: '192.0.2.50', dstPort: 80, protocol: 'TCP', srcIp: HOST, nodeName: 'w1' }, want: '10.244.2.11:8080 masq' },
    { name: 'only serving-terminating endpoints: used as a fallback', req: { via: 'clusterIP', dstIp: '10.96.10.8', dstPort: 80, protocol: 'TCP', srcIp: POD_W1 }, want: '10.244.1.12:8080' },
    { name: 'ready endpoints win over terminating ones', req: { via: 'clusterIP', dstIp: '10.96.10.9', dstPort: 80, protocol: 'TCP', srcIp: POD_W1 }, want: '10.244.2.14:8080' },
    { name: 'DNS over UDP', req: { via: 'clusterIP', dstIp: '10.96.0.10', dstPort: 53, protocol: 'UDP', srcIp: POD_W2 }, want: '10.244.0.3:53' },
    { name: 'DNS over TCP', req: { via: 'clusterIP', dstIp: '10.96.0.10', dstPort: 53, protocol: 'TCP', srcIp: POD_W2 }, want: '10.244.0.3:53' },
    { name: 'a pod IP is not a service address', req: { via: 'clusterIP', dstIp: '10.244.1.20', dstPort: 80, protocol: 'TCP', srcIp: POD_W1 }, want: 'none' },
    { name: 'an unallocated ClusterIP', req: { via: 'clusterIP', dstIp: '10.96.99.99', dstPort: 80, protocol: 'TCP', srcIp: POD_W1 }, want: 'none' },
  ];
  const p = fixture();
  for (const row of rows) {
    for (let i = 0; i < 20; i++) {
      const got = verdict(p.resolve(row.req));
      if (typeof row.want === 'string') assert.equal(got, row.want, row.name);
      else assert.match(got, row.want, row.name);
    }
  }
  const ok = p.resolve({ via: 'clusterIP', dstIp: '10.96.10.1', dstPort: 80, protocol: 'TCP', srcIp: POD_W1 });
  assert.equal(ok.kind === 'endpoint' && ok.servicePortName, 'lab/web:http');
  assert.deepEqual(ok.kind === 'endpoint' && ok.service, { namespace: NS, name: 'web' });
  const unnamed = p.resolve({ via: 'clusterIP', dstIp: '10.96.10.4', dstPort: 80, protocol: 'TCP', srcIp: POD_W1 });
  assert.equal(unnamed.kind === 'endpoint' && unnamed.servicePortName, 'lab/np');
  assert.equal(p.routeCount, 12, 'ExternalName and headless Services are not proxied');
});

test('the random choice is uniform: chi-square at p = 0.001 over 5 endpoints', () => {
  const p = new ServiceProxy({ random: seeded(20240501) });
  const ips = ['10.244.1.1', '10.244.1.2', '10.244.2.1', '10.244.2.2', '10.244.3.1'];
  p.onServiceAdd(svc('fair', { clusterIP: '10.96.20.1', ports: [{ port: 80, protocol: 'TCP' }] }));
  p.onEndpointSliceAdd(slice('fair', 'fair-a', [{ port: 8080 }], ips.map((ip) => ({ ip, node: 'w1' }))));
  const n = 50_000;
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = p.resolve({ via: 'clusterIP', dstIp: '10.96.20.1', dstPort: 80, protocol: 'TCP', srcIp: `10.244.9.${i % 250}` });
    assert.equal(r.kind, 'endpoint');
    if (r.kind === 'endpoint') counts.set(r.ip, (counts.get(r.ip) ?? 0) + 1);
  }
  const expected = n / ips.length;
  let chi2 = 0;
  for (const ip of ips) chi2 += ((counts.get(ip) ?? 0) - expected) ** 2 / expected;
  // Critical value of the chi-square distribution with 4 degrees of freedom at p = 0.001.
  assert.ok(chi2 < 18.467, `chi2 = ${chi2.toFixed(2)} over ${JSON.stringify([...counts])}`);
  assert.equal(counts.size, ips.length, 'every endpoint is chosen');
});

test('sessionAffinity ClientIP pins a client for timeoutSeconds after its last use', () => {
  let now = 0;
  const p = new ServiceProxy({ random: seeded(3), now: () => now });
  p.onServiceAdd(svc('sticky', { clusterIP: '10.96.30.1', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80, protocol: 'TCP' }] }));
  const eps = ['10.244.1.1', '10.244.1.2', '10.244.1.3', '10.244.1.4'].map((ip) => ({ ip, node: 'w1' }));
  p.onEndpointSliceAdd(slice('sticky', 'sticky-a', [{ port: 80 }], eps));
  const ask = (src: string) => verdict(p.resolve({ via: 'clusterIP', dstIp: '10.96.30.1', dstPort: 80, protocol: 'TCP', srcIp: src }));
  const first = ask(POD_W1);
  for (let i = 0; i < 50; i++) {
    now += 59_000; // each use refreshes the timer
    assert.equal(ask(POD_W1), first);
  }
  // Different clients spread out.
  const others = new Set<string>();
  for (let i = 0; i < 40; i++) others.add(ask(`10.244.5.${i}`));
  assert.ok(others.size > 1);
  // Idle past the timeout: a fresh choice (over many clients, some change).
  now += 61_000;
  let changed = 0;
  const pinned = new Map<string, string>();
  for (let i = 0; i < 40; i++) pinned.set(`10.244.6.${i}`, ask(`10.244.6.${i}`));
  now += 61_000;
  for (const [src, ep] of pinned) if (ask(src) !== ep) changed++;
  assert.ok(changed > 0, 'expired entries are chosen afresh');
  // The pinned endpoint goes away: the client moves, and stays on the new one.
  const gone = ask(POD_W1).split(':')[0]!;
  p.onEndpointSliceUpdate(slice('sticky', 'sticky-a', [{ port: 80 }], eps), slice('sticky', 'sticky-a', [{ port: 80 }], eps.filter((e) => e.ip !== gone)));
  const moved = ask(POD_W1);
  assert.notEqual(moved.split(':')[0], gone);
  for (let i = 0; i < 10; i++) assert.equal(ask(POD_W1), moved);
});

test('the affinity table forgets idle clients', () => {
  let now = 0;
  const t = new AffinityTable(() => now);
  t.record('lab/a', '10.244.1.1', '10.244.2.2:80', 10);
  t.record('lab/b', '10.244.1.1', '10.244.2.3:80', 100);
  assert.equal(t.lookup('lab/a', '10.244.1.1', 10), '10.244.2.2:80');
  now = 11_000;
  t.sweep();
  assert.equal(t.size, 1, 'only the entry past its own timeout went');
  assert.equal(t.lookup('lab/b', '10.244.1.1', 100), '10.244.2.3:80');
  t.forgetPort('lab/b');
  assert.equal(t.size, 0);
});

test('incremental updates: only changed Services are folded; A -> B -> A is no change', () => {
  const p = fixture();
  p.sync();
  const syncs = p.syncCount;
  const before = slice('np', 'np-a', [{ port: 8080 }], [{ ip: '10.244.1.8', node: 'w1' }]);
  const after = slice('np', 'np-a', [{ port: 8080 }], [{ ip: '10.244.2.8', node: 'w2' }]);
  p.onEndpointSliceUpdate(before, after);
  p.onEndpointSliceUpdate(after, before);
  assert.equal(p.pending, false, 'back where it started: nothing pending');
  p.sync();
  assert.equal(p.syncCount, syncs);
  p.onEndpointSliceUpdate(before, after);
  assert.equal(verdict(p.resolve({ via: 'clusterIP', dstIp: '10.96.10.4', dstPort: 80, protocol: 'TCP', srcIp: POD_W1 })), '10.244.2.8:8080');
  assert.equal(p.syncCount, syncs + 1);
  // Emptying the slice: REJECT; deleting the Service: not a service address any more.
  p.onEndpointSliceDelete(after);
  assert.equal(verdict(p.resolve({ via: 'clusterIP', dstIp: '10.96.10.4', dstPort: 80, protocol: 'TCP', srcIp: POD_W1 })), 'REJECT lab/np has no endpoints');
  p.onServiceDelete(svc('np', { type: 'NodePort', clusterIP: '10.96.10.4', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }));
  assert.equal(verdict(p.resolve({ via: 'clusterIP', dstIp: '10.96.10.4', dstPort: 80, protocol: 'TCP', srcIp: POD_W1 })), 'none');
  assert.equal(verdict(p.resolve({ via: 'nodePort', dstIp: '127.0.10.2', dstPort: 30080, protocol: 'TCP', srcIp: HOST, nodeName: 'w1' })), 'none');
});

test('change trackers record {previous, current} pairs', () => {
  const t = new ServiceChangeTracker();
  const a = svc('a', { clusterIP: '10.96.1.1', ports: [{ port: 80, protocol: 'TCP' }] });
  const b = svc('a', { clusterIP: '10.96.1.1', ports: [{ port: 81, protocol: 'TCP' }] });
  assert.equal(t.update(undefined, a), true);
  assert.equal(t.update(a, b), true);
  const ch = t.checkout().get(`${NS}/a`);
  assert.equal(ch?.previous.ports.size, 0, 'previous: the state before the first recorded event');
  assert.equal([...(ch?.current.ports.values() ?? [])][0]?.port, 81);
  assert.equal(t.pending, 0);
  assert.equal(t.update(undefined, svc('x', { type: 'ExternalName', externalName: 'e.com' })), false, 'ExternalName maps to nothing');
  const e = new EndpointsChangeTracker();
  const s1 = slice('a', 'a-1', [{ port: 80 }], [{ ip: '10.244.1.1' }]);
  const s2 = slice('a', 'a-2', [{ port: 80 }], [{ ip: '10.244.1.1' }, { ip: '10.244.1.2' }]);
  e.sliceUpdate(s1, false);
  e.sliceUpdate(s2, false);
  const got = e.checkout().get(`${NS}/a`);
  assert.deepEqual(got?.current.ports.get('/TCP')?.map((x) => x.ip), ['10.244.1.1', '10.244.1.2'], 'an address in two slices counts once');
  const unlabelled = slice('a', 'x', [{ port: 80 }], [{ ip: '10.244.1.9' }]);
  delete unlabelled.metadata!.labels;
  assert.equal(e.sliceUpdate(unlabelled, false), false, 'a slice without kubernetes.io/service-name is ignored');
  assert.equal(e.sliceUpdate(s1, false), false, 'an unchanged slice leaves nothing pending');
  assert.equal(e.sliceUpdate(s1, true), true);
  const same = e.checkout().get(`${NS}/a`);
  assert.deepEqual(same?.current.ports.get('/TCP')?.map((x) => x.ip), ['10.244.1.1', '10.244.1.2'], 'the other slice still has both addresses');
  e.sliceUpdate(s2, true);
  const gone = e.checkout().get(`${NS}/a`);
  assert.equal(gone?.previous.ports.get('/TCP')?.length, 2);
  assert.equal(gone?.current.ports.size, 0);
});

test('listeners: NodePorts, LoadBalancer addresses and health-check ports, with a change callback', () => {
  const p = fixture();
  let calls = 0;
  p.onListenersChanged(() => calls++);
  p.sync();
  assert.equal(calls, 1);
  assert.deepEqual(
    p.nodePorts().map((l) => `${l.port}/${l.protocol} ${l.servicePortName}`),
    ['30080/TCP lab/np', '30081/TCP lab/np-local', '30082/TCP lab/lb'],
  );
  assert.deepEqual(p.loadBalancerListeners().map((l) => `${l.ip}:${l.port}/${l.protocol} ${l.servicePortName}`), ['127.0.10.100:80/TCP lab/lb']);
  // An endpoint change does not touch the listeners.
  p.onEndpointSliceAdd(slice('np', 'np-b', [{ port: 8080 }], [{ ip: '10.244.2.9', node: 'w2' }]));
  p.sync();
  assert.equal(calls, 1);
  // A new LoadBalancer + Local Service does.
  p.onServiceAdd(
    svc('lb-local', { type: 'LoadBalancer', clusterIP: '10.96.10.40', externalTrafficPolicy: 'Local', healthCheckNodePort: 31999, ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] }, ['127.0.10.101']),
  );
  p.onEndpointSliceAdd(slice('lb-local', 'lb-local-a', [{ port: 8443 }], [{ ip: '10.244.1.40', node: 'w1' }]));
  p.sync();
  assert.equal(calls, 2);
  assert.deepEqual(p.healthCheckNodePorts(), [{ port: 31999, service: { namespace: NS, name: 'lb-local' } }]);
  assert.equal(p.localEndpointCount({ namespace: NS, name: 'lb-local' }, 'w1'), 1);
  assert.equal(p.localEndpointCount({ namespace: NS, name: 'lb-local' }, 'w2'), 0);
  assert.ok(p.loadBalancerListeners().some((l) => l.ip === '127.0.10.101' && l.port === 443));
});

test('the store feed follows Services and EndpointSlices and announces listener changes', async () => {
  const store = new Store();
  const put = (res: string, o: unknown, create: boolean) => store.put(res, o as KObject, create ? { expectCreate: true } : {});
  const SVC = resourceKey('', 'services');
  const SLICE = resourceKey('discovery.k8s.io', 'endpointslices');
  put(SVC, svc('web', { type: 'NodePort', clusterIP: '10.96.40.1', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }), true);
  const p = new ServiceProxy({ random: seeded(5) });
  const queue: Array<() => void> = [];
  const feed = feedServiceProxy(store, p, { schedule: (fn) => queue.push(fn) });
  let announced = 0;
  p.onListenersChanged(() => announced++);
  const ask = () => verdict(p.resolve({ via: 'clusterIP', dstIp: '10.96.40.1', dstPort: 80, protocol: 'TCP', srcIp: POD_W1 }));
  assert.equal(ask(), 'REJECT lab/web has no endpoints');
  put(SLICE, slice('web', 'web-1', [{ port: 8080 }], [{ ip: '10.244.1.1', node: 'w1' }]), true);
  assert.equal(ask(), '10.244.1.1:8080');
  put(SLICE, slice('web', 'web-1', [{ port: 8080 }], [{ ip: '10.244.1.2', node: 'w1' }]), false);
  assert.equal(ask(), '10.244.1.2:8080');
  put(SVC, svc('web', { type: 'NodePort', clusterIP: '10.96.40.1', ports: [{ port: 80, nodePort: 30090, protocol: 'TCP' }] }), false);
  for (const fn of queue.splice(0)) fn();
  assert.ok(announced >= 1);
  assert.deepEqual(p.nodePorts().map((l) => l.port), [30090]);
  store.remove(SLICE, NS, 'web-1');
  assert.equal(ask(), 'REJECT lab/web has no endpoints');
  feed.stop();
});

test('the translator plugs the proxy into the connect path', () => {
  const p = fixture();
  const tr = proxyTranslator(p, { nodeIp: (n) => (n === 'w1' ? '127.0.10.2' : '127.0.10.3'), nodeOfIp: (ip) => (ip === '127.0.10.2' ? 'w1' : ip === '127.0.10.3' ? 'w2' : undefined) });
  const pod = (ip: string, node: string) => ({ ip, port: 40000, owner: { kind: 'pod' as const, namespace: NS, name: 'client', node } });
  assert.deepEqual(tr.translate({ protocol: 'TCP', src: pod(POD_W1, 'w1'), dst: { ip: '10.96.10.4', port: 80 } }), {
    kind: 'forward',
    dst: { ip: '10.244.1.8', port: 8080 },
    service: { namespace: NS, name: 'np' },
  });
  assert.deepEqual(tr.translate({ protocol: 'TCP', src: pod(POD_W1, 'w1'), dst: { ip: '10.96.10.2', port: 80 } }), {
    kind: 'reject',
    service: { namespace: NS, name: 'empty' },
    reason: 'lab/empty has no endpoints',
  });
  assert.equal(tr.translate({ protocol: 'TCP', src: pod(POD_W2, 'w2'), dst: { ip: '10.96.10.3', port: 80 } })?.kind, 'drop');
  // A pod dialling a NodePort with policy Cluster is masqueraded to the IP of the node it dialled (w1 here).
  assert.deepEqual(tr.translate({ protocol: 'TCP', src: pod(POD_W2, 'w2'), dst: { ip: '127.0.10.2', port: 30080 } }), {
    kind: 'forward',
    dst: { ip: '10.244.1.8', port: 8080 },
    service: { namespace: NS, name: 'np' },
    snat: { ip: '127.0.10.2' },
  });
  assert.equal(tr.translate({ protocol: 'TCP', src: pod(POD_W1, 'w1'), dst: { ip: '10.244.2.5', port: 8081 } }), undefined, 'pod IPs pass through');
  assert.deepEqual(tr.translate({ protocol: 'UDP', src: pod(POD_W1, 'w1'), dst: { ip: '10.96.0.10', port: 53 } })?.kind, 'forward');
});
