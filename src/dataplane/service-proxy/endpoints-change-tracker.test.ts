/**
 * @module dataplane/service-proxy/endpoints-change-tracker.test
 * The per-Service records of the endpoints tracker: one slice inline, several
 * in a map and back, no-op detection on fingerprints confirmed field by field,
 * the owner's attachment (the proxy's routes) and its lifetime; and through the
 * proxy, that a Service deleted and re-created with other ports never routes
 * with stale routes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { EMPTY_ENDPOINTS, EndpointsChangeTracker, portKeyId } from './endpoints-change-tracker.js';
import { ServiceProxy } from './proxy.js';

const NS = 'lab';

function slice(service: string, name: string, port: number, ips: ReadonlyArray<string>, opts: { portName?: string; notReady?: string } = {}): EndpointSlice {
  return {
    metadata: { name, namespace: NS, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: opts.portName ?? '', port, protocol: 'TCP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: ip !== opts.notReady }, nodeName: 'w1' })),
  };
}

const ips = (t: EndpointsChangeTracker, svc: string, key = '/TCP') => (t.endpointsOf(`${NS}/${svc}`).ports.get(key) ?? []).map((e) => `${e.ip}:${e.port}${e.ready ? '' : '!'}`);

test('portKeyId: one small integer per distinct port key', () => {
  const a = portKeyId('http/TCP');
  assert.equal(portKeyId('http/TCP'), a);
  assert.notEqual(portKeyId('http/UDP'), a);
  assert.notEqual(portKeyId('/TCP'), a);
});

test('one slice inline, a second makes a map, deleting one goes back; folds and no-ops stay right', () => {
  const t = new EndpointsChangeTracker();
  const a1 = slice('web', 'web-a', 8080, ['10.244.1.1', '10.244.1.2']);
  const b1 = slice('web', 'web-b', 8080, ['10.244.1.2', '10.244.2.1']);
  assert.equal(t.sliceUpdate(a1, false), true);
  assert.deepEqual([...t.checkout().keys()], [`${NS}/web`]);
  assert.deepEqual(ips(t, 'web'), ['10.244.1.1:8080', '10.244.1.2:8080']);
  // The same content again (a new object, equal fingerprint, confirmed field by field): nothing pending.
  assert.equal(t.sliceUpdate(slice('web', 'web-a', 8080, ['10.244.1.1', '10.244.1.2']), false), false);
  assert.equal(t.pending, 0);
  // A second slice: the address in both counts once (web-a sorts first).
  assert.equal(t.sliceUpdate(b1, false), true);
  const ch = t.checkout().get(`${NS}/web`);
  assert.deepEqual(ch?.previous.ports.get('/TCP')?.map((e) => e.ip), ['10.244.1.1', '10.244.1.2']);
  assert.deepEqual(ips(t, 'web'), ['10.244.1.1:8080', '10.244.1.2:8080', '10.244.2.1:8080']);
  // A -> B -> A on one of several slices: nothing pending.
  const a2 = slice('web', 'web-a', 8080, ['10.244.1.1', '10.244.1.2'], { notReady: '10.244.1.1' });
  assert.equal(t.sliceUpdate(a2, false), true);
  assert.equal(t.sliceUpdate(a1, false), false, 'back where it started');
  assert.equal(t.pending, 0);
  // Deleting web-a leaves web-b alone (inline again).
  assert.equal(t.sliceUpdate(a1, true), true);
  t.checkout();
  assert.deepEqual(ips(t, 'web'), ['10.244.1.2:8080', '10.244.2.1:8080']);
  // Readiness flips and port changes are changes; the fold follows them.
  t.sliceUpdate(slice('web', 'web-b', 9090, ['10.244.1.2', '10.244.2.1'], { notReady: '10.244.2.1' }), false);
  t.checkout();
  assert.deepEqual(ips(t, 'web'), ['10.244.1.2:9090', '10.244.2.1:9090!']);
  assert.deepEqual(t.endpointsOf(`${NS}/web`).byPortId.get(portKeyId('/TCP'))?.map((e) => e.ip), ['10.244.1.2', '10.244.2.1']);
  // The last slice gone: empty, and the record forgotten.
  t.sliceUpdate(slice('web', 'web-b', 9090, []), true);
  t.checkout();
  assert.equal(t.endpointsOf(`${NS}/web`), EMPTY_ENDPOINTS);
});

test('an added-then-deleted slice that was never applied leaves nothing; a deletion of nothing is no change', () => {
  const t = new EndpointsChangeTracker();
  const s = slice('api', 'api-1', 80, ['10.244.3.3']);
  assert.equal(t.sliceUpdate(s, false), true);
  assert.equal(t.sliceUpdate(s, true), false);
  assert.equal(t.pending, 0);
  assert.equal(t.checkout().size, 0);
  assert.equal(t.sliceUpdate(s, true), false);
});

test('the attachment rides with the Service: handed back with its changes, kept without slices, dropped on request', () => {
  const t = new EndpointsChangeTracker<string>();
  t.attach(`${NS}/web`, 'routes-1');
  t.sliceUpdate(slice('web', 'web-a', 8080, ['10.244.1.1']), false);
  assert.equal(t.checkout().get(`${NS}/web`)?.attachment, 'routes-1');
  t.attach(`${NS}/web`, 'routes-2');
  t.sliceUpdate(slice('web', 'web-a', 8080, ['10.244.1.1']), true);
  const ch = t.checkout().get(`${NS}/web`);
  assert.equal(ch?.attachment, 'routes-2');
  assert.equal(ch?.current, EMPTY_ENDPOINTS);
  // No slices, but attached: the next slice still finds the attachment.
  t.sliceUpdate(slice('web', 'web-c', 8080, ['10.244.1.9']), false);
  assert.equal(t.checkout().get(`${NS}/web`)?.attachment, 'routes-2');
  t.attach(`${NS}/web`, undefined);
  t.sliceUpdate(slice('web', 'web-c', 8080, ['10.244.1.8']), false);
  assert.equal(t.checkout().get(`${NS}/web`)?.attachment, undefined);
});

test('through the proxy: a Service deleted and re-created with other ports routes with its new routes', () => {
  const p = new ServiceProxy({ random: () => 0 });
  const svc = (port: number, portName: string) => ({
    metadata: { name: 'web', namespace: NS },
    spec: { type: 'ClusterIP', clusterIP: '10.96.20.1', ports: [{ name: portName, port, protocol: 'TCP', targetPort: 8080 }] },
  });
  const resolve = (port: number) => {
    const r = p.resolve({ via: 'clusterIP', dstIp: '10.96.20.1', dstPort: port, protocol: 'TCP', srcIp: '10.244.9.9' });
    return r.kind === 'endpoint' ? `${r.ip}:${r.port}` : r.kind;
  };
  p.onServiceAdd(svc(80, 'http'));
  p.onEndpointSliceAdd(slice('web', 'web-a', 8080, ['10.244.1.1'], { portName: 'http' }));
  assert.equal(resolve(80), '10.244.1.1:8080');
  p.onServiceDelete(svc(80, 'http'));
  assert.equal(resolve(80), 'none');
  p.onServiceAdd(svc(81, 'web'));
  assert.equal(resolve(81), 'reject', 'the slice names port "http", the Service now "web"');
  p.onEndpointSliceUpdate(slice('web', 'web-a', 8080, ['10.244.1.1'], { portName: 'http' }), slice('web', 'web-a', 8080, ['10.244.1.2'], { portName: 'web' }));
  assert.equal(resolve(81), '10.244.1.2:8080');
  p.onEndpointSliceUpdate(slice('web', 'web-a', 8080, ['10.244.1.2'], { portName: 'web' }), slice('web', 'web-a', 8080, ['10.244.1.3'], { portName: 'web' }));
  assert.equal(resolve(81), '10.244.1.3:8080', 'an endpoint-only change reaches the re-created Service\'s routes');
  assert.equal(resolve(80), 'reject', 'port 80 is gone (the ClusterIP has no such port)');
});
