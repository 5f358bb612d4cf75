/**
 * @module dns/kubectl.test
 * End to end through the real kubectl: objects applied to a kwire API server
 * reach cluster DNS through the store's watch, and the host DNS server answers
 * for them on the next query; `kubectl delete` makes the name NXDOMAIN.
 * (Until the ClusterIP allocator and EndpointSlice controller land, the manifest
 * names its cluster IP and carries its own EndpointSlice.)
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../testing/test-cluster.js';
import { createClusterDns } from './cluster-dns.js';
import { startHostDnsServer, type HostDnsServer } from './host-server.js';
import { queryServer } from './upstream-client.js';
import { queryPacket } from './testing.js';
import { RCODE, rcodeOf } from './message.js';

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: dns-e2e
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: dns-e2e
spec:
  clusterIP: 10.96.50.5
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: dns-e2e
spec:
  clusterIP: None
  ports:
  - name: pg
    port: 5432
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: db-1
  namespace: dns-e2e
  labels:
    kubernetes.io/service-name: db
addressType: IPv4
endpoints:
- addresses: ["10.244.1.50"]
  hostname: db-0
  conditions:
    ready: true
ports:
- name: pg
  port: 5432
  protocol: TCP
`;

describe('dns: kubectl writes reach the host DNS server', () => {
  let tc: TestCluster | undefined;
  let srv: HostDnsServer | undefined;
  const dns = createClusterDns();

  before(async () => {
    tc = await startTestCluster({ ephemeral: true, nodes: 1 });
    dns.controller.start(tc.cluster.registry);
    srv = await startHostDnsServer({ handler: dns.handler });
  });
  after(async () => {
    dns.controller.stop();
    await srv?.close();
    await tc?.stop();
  });

  const a = async (name: string, type: 'A' | 'SRV' = 'A') => queryServer(srv!, queryPacket(name, type), { timeoutMs: 2000 });

  it('answers for applied objects and forgets deleted ones', async () => {
    assert.equal(rcodeOf(await a('web.dns-e2e.svc.cluster.local')), RCODE.NXDOMAIN);
    await tc!.kubectlOk(['apply', '-f', tc!.file('dns.yaml', MANIFEST)]);
    const web = await a('web.dns-e2e.svc.cluster.local');
    assert.deepEqual(web.answers?.map((x) => (x.type === 'A' ? x.data : x.type)), ['10.96.50.5']);
    const db = await a('db-0.db.dns-e2e.svc.cluster.local');
    assert.deepEqual(db.answers?.map((x) => (x.type === 'A' ? x.data : x.type)), ['10.244.1.50']);
    const srvRec = await a('_pg._tcp.db.dns-e2e.svc.cluster.local', 'SRV');
    assert.deepEqual(srvRec.answers?.map((x) => (x.type === 'SRV' ? `${x.data.port} ${x.data.target}` : x.type)), ['5432 db-0.db.dns-e2e.svc.cluster.local']);
    await tc!.kubectlOk(['delete', 'service', 'web', '-n', 'dns-e2e']);
    assert.equal(rcodeOf(await a('web.dns-e2e.svc.cluster.local')), RCODE.NXDOMAIN);
  });
});
