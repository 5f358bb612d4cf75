/**
 * @module dns/controller.test
 * The DNS controller against a real registry and store: objects that exist
 * before it starts are served, every write through the registry shows up on
 * the very next query, deletions are NXDOMAIN at once, and stop() detaches it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DecodedPacket } from 'dns-packet';
import { Store, type KObject } from '../store/store.js';
import { Registry } from '../apiserver/registry.js';
import { findResourceByKind, type ResourceInfo } from '../api/resources.js';
import { createClusterDns } from './cluster-dns.js';
import { ask, endpointSlice, namespace, pod, service } from './testing.js';
import { RCODE, rcodeOf } from './message.js';

function res(apiVersion: string, kind: string): ResourceInfo {
  const r = findResourceByKind(apiVersion, kind);
  assert.ok(r, `${apiVersion} ${kind}`);
  return r;
}

const NS = res('v1', 'Namespace');
const SVC = res('v1', 'Service');
const EPS = res('discovery.k8s.io/v1', 'EndpointSlice');
const POD = res('v1', 'Pod');

const create = (reg: Registry, r: ResourceInfo, o: KObject) => reg.create(r, o.metadata.namespace, o);
const addrs = (p: DecodedPacket) => (p.answers ?? []).map((a) => (a.type === 'A' || a.type === 'PTR' ? a.data : a.type));

describe('dns/controller', () => {
  it('serves what existed before it started and every change after, at once', async () => {
    const reg = new Registry(new Store());
    create(reg, NS, namespace('ns1'));
    create(reg, SVC, service('ns1', 'before', { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] }));
    const dns = createClusterDns();
    dns.controller.start(reg);
    try {
      assert.deepEqual(addrs(await ask(dns.handler, 'before.ns1.svc.cluster.local', 'A')), ['10.96.0.20']);

      create(reg, SVC, service('ns1', 'web', { clusterIP: '10.96.0.21', ports: [{ name: 'http', port: 80 }] }));
      assert.deepEqual(addrs(await ask(dns.handler, 'web.ns1.svc.cluster.local', 'A')), ['10.96.0.21']);
      assert.deepEqual(addrs(await ask(dns.handler, '21.0.96.10.in-addr.arpa', 'PTR')), ['web.ns1.svc.cluster.local']);

      create(reg, SVC, service('ns1', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432 }] }));
      assert.equal(rcodeOf(await ask(dns.handler, 'db.ns1.svc.cluster.local', 'A')), RCODE.NXDOMAIN, 'headless without endpoints');
      create(reg, EPS, endpointSlice('ns1', 'db-abcde', 'db', [{ ip: '10.244.1.7', hostname: 'db-0' }], [{ name: 'pg', port: 5432 }]));
      create(reg, POD, pod('ns1', 'db-0', '10.244.1.7'));
      assert.deepEqual(addrs(await ask(dns.handler, 'db-0.db.ns1.svc.cluster.local', 'A')), ['10.244.1.7']);

      // An endpoint turning unready leaves the answer on the next query.
      const slice = structuredClone(reg.get(EPS, 'ns1', 'db-abcde')) as KObject;
      (slice['endpoints'] as Array<{ conditions: { ready: boolean } }>)[0]!.conditions.ready = false;
      reg.update(EPS, 'ns1', 'db-abcde', slice);
      assert.equal(rcodeOf(await ask(dns.handler, 'db.ns1.svc.cluster.local', 'A')), RCODE.NXDOMAIN);

      reg.delete(SVC, 'ns1', 'web');
      assert.equal(rcodeOf(await ask(dns.handler, 'web.ns1.svc.cluster.local', 'A')), RCODE.NXDOMAIN);
      assert.equal(rcodeOf(await ask(dns.handler, '21.0.96.10.in-addr.arpa', 'PTR')), RCODE.NXDOMAIN);

      // A namespace that is gone makes its names NXDOMAIN rather than NODATA.
      assert.equal(rcodeOf(await ask(dns.handler, 'ns1.svc.cluster.local', 'A')), RCODE.NOERROR);
      reg.store.remove('/namespaces', undefined, 'ns1');
      assert.equal(rcodeOf(await ask(dns.handler, 'ns1.svc.cluster.local', 'A')), RCODE.NXDOMAIN);
    } finally {
      dns.controller.stop();
    }
    create(reg, NS, namespace('ns2'));
    create(reg, SVC, service('ns2', 'late', { clusterIP: '10.96.0.30' }));
    assert.equal(rcodeOf(await ask(dns.handler, 'late.ns2.svc.cluster.local', 'A')), RCODE.NXDOMAIN, 'a stopped controller sees nothing new');
    assert.equal(dns.table.size().services, 2);
  });
});
