/**
 * @module dns/record-table.test
 * The record table keeps its name and IP indexes right through incremental
 * updates, from raw objects or watch events.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RecordTable } from './record-table.js';
import { endpointSlice, namespace, pod, service } from './testing.js';

describe('dns/record-table', () => {
  it('indexes Services by name and cluster IP, and re-indexes on update and removal', () => {
    let now = 1_000_000;
    const t = new RecordTable({ now: () => now });
    assert.equal(t.serial, 1000);
    t.upsertService(service('ns1', 'web', { clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80 }] }));
    assert.equal(t.service('ns1', 'web')?.clusterIPs[0], '10.96.0.5');
    assert.deepEqual(t.servicesByIP('10.96.0.5').map((s) => s.name), ['web']);
    now = 2_000_000;
    t.upsertService(service('ns1', 'web', { clusterIPs: ['10.96.0.6', 'FD00::6'], ports: [] }));
    assert.equal(t.serial, 2000);
    assert.deepEqual(t.servicesByIP('10.96.0.5'), []);
    assert.deepEqual(t.servicesByIP('fd00::6').map((s) => s.name), ['web']);
    assert.deepEqual(t.service('ns1', 'web')?.ports, [{ name: '', port: -1, protocol: '' }]);
    t.removeService(service('ns1', 'web'));
    assert.equal(t.service('ns1', 'web'), undefined);
    assert.deepEqual(t.servicesByIP('10.96.0.6'), []);
    assert.equal(t.size().services, 0);
  });

  it('keeps only ready endpoint addresses and follows slices between Services', () => {
    const t = new RecordTable();
    t.upsertEndpointSlice(endpointSlice('ns1', 'web-1', 'web', [{ ip: '10.244.1.5', hostname: 'a' }, { ip: '10.244.1.6', ready: false }], [{ name: 'http', port: 8080 }]));
    t.upsertEndpointSlice(endpointSlice('ns1', 'web-2', 'web', [{ ip: '10.244.2.5' }]));
    assert.deepEqual(
      t.endpointsOf('ns1', 'web').flatMap((e) => e.addresses.map((a) => a.ip)),
      ['10.244.1.5', '10.244.2.5'],
    );
    assert.deepEqual(t.endpointsOf('ns1', 'web')[1]!.ports, [{ name: '', port: -1, protocol: '' }]);
    assert.deepEqual(t.endpointsByIP('10.244.1.6'), []);
    // The slice is relabelled to another Service: it leaves the first one's index.
    t.upsertEndpointSlice(endpointSlice('ns1', 'web-2', 'api', [{ ip: '10.244.2.7' }]));
    assert.deepEqual(t.endpointsOf('ns1', 'web').map((e) => e.name), ['web-1']);
    assert.deepEqual(t.endpointsOf('ns1', 'api').map((e) => e.name), ['web-2']);
    assert.deepEqual(t.endpointsByIP('10.244.2.5'), []);
    t.removeEndpointSlice(endpointSlice('ns1', 'web-1', 'web', []));
    assert.deepEqual(t.endpointsOf('ns1', 'web'), []);
    assert.deepEqual(t.endpointsByIP('10.244.1.5'), []);
  });

  it('applies watch events by kind, ignores other kinds and malformed objects', () => {
    const t = new RecordTable();
    const v0 = t.version;
    t.apply({ type: 'ADDED', object: namespace('ns1') });
    t.apply({ type: 'ADDED', object: pod('ns1', 'p', '10.244.1.9') });
    t.apply({ type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: 'x', namespace: 'ns1' } } });
    t.apply({ type: 'ADDED', object: null });
    t.apply({ type: 'ADDED', object: { kind: 'Service', metadata: {} } });
    t.apply({ type: 'MODIFIED', object: { kind: 'Service', metadata: { name: 's', namespace: 'ns1' }, spec: 'nonsense' } });
    assert.ok(t.hasNamespace('ns1'));
    assert.deepEqual(t.podsByIP('10.244.1.9').map((p) => p.name), ['p']);
    assert.deepEqual(t.service('ns1', 's')?.clusterIPs, ['']);
    assert.equal(t.version - v0, 3);
    t.apply({ type: 'MODIFIED', object: pod('ns1', 'p', '10.244.1.10') });
    assert.deepEqual(t.podsByIP('10.244.1.9'), []);
    t.apply({ type: 'DELETED', object: pod('ns1', 'p', '10.244.1.10') });
    t.apply({ type: 'DELETED', object: namespace('ns1') });
    assert.deepEqual(t.podsByIP('10.244.1.10'), []);
    assert.equal(t.hasNamespace('ns1'), false);
    assert.deepEqual(t.size(), { namespaces: 0, services: 1, endpointSlices: 0, pods: 0 });
  });
});
