/** @module api/defaults/service.test
 * Table-driven tests for api/defaults/service: one row per case, exact kube-apiserver messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDefaults, prepareServiceForUpdate } from './index.js';

type Obj = Record<string, unknown>;
const spec = (o: Obj): Obj => o['spec'] as Obj;

test('ClusterIP Service defaults', () => {
  const s: Obj = { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }, { port: 443, targetPort: 'https', protocol: 'TCP' }] } };
  applyDefaults('/Service', s);
  assert.deepEqual(s['spec'], {
    selector: { app: 'web' },
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }, { port: 443, targetPort: 'https', protocol: 'TCP' }],
    sessionAffinity: 'None',
    type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster',
    ipFamilyPolicy: 'SingleStack',
    ipFamilies: ['IPv4'],
  });
});

test('NodePort and LoadBalancer defaults', () => {
  const np: Obj = { spec: { type: 'NodePort', ports: [{ port: 80, targetPort: 0 }] } };
  applyDefaults('/Service', np);
  assert.equal(spec(np)['externalTrafficPolicy'], 'Cluster');
  assert.deepEqual(spec(np)['ports'], [{ port: 80, targetPort: 80, protocol: 'TCP' }]);
  assert.equal('allocateLoadBalancerNodePorts' in spec(np), false);
  const lb: Obj = { spec: { type: 'LoadBalancer', ports: [{ port: 80 }] }, status: { loadBalancer: { ingress: [{ ip: '127.0.0.200' }] } } };
  applyDefaults('/Service', lb);
  assert.equal(spec(lb)['allocateLoadBalancerNodePorts'], true);
  assert.equal(spec(lb)['externalTrafficPolicy'], 'Cluster');
  assert.deepEqual(lb['status'], { loadBalancer: { ingress: [{ ip: '127.0.0.200', ipMode: 'VIP' }] } });
});

test('ClientIP affinity gets the default timeout; None drops the config', () => {
  const a: Obj = { spec: { sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } };
  applyDefaults('/Service', a);
  assert.deepEqual(spec(a)['sessionAffinityConfig'], { clientIP: { timeoutSeconds: 10800 } });
  const b: Obj = { spec: { sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } }, ports: [{ port: 80 }] } };
  applyDefaults('/Service', b);
  assert.equal('sessionAffinityConfig' in spec(b), false);
});

test('clusterIP seeds clusterIPs; headless selector-less is RequireDualStack', () => {
  const a: Obj = { spec: { clusterIP: '10.96.0.10', ports: [{ port: 53, protocol: 'UDP' }] } };
  applyDefaults('/Service', a);
  assert.deepEqual(spec(a)['clusterIPs'], ['10.96.0.10']);
  const h: Obj = { spec: { clusterIP: 'None' } };
  applyDefaults('/Service', h);
  assert.equal(spec(h)['ipFamilyPolicy'], 'RequireDualStack');
  assert.deepEqual(spec(h)['ipFamilies'], ['IPv4', 'IPv6']);
  const hs: Obj = { spec: { clusterIP: 'None', selector: { app: 'x' } } };
  applyDefaults('/Service', hs);
  assert.equal(spec(hs)['ipFamilyPolicy'], 'SingleStack');
  assert.deepEqual(spec(hs)['ipFamilies'], ['IPv4']);
});

test('ExternalName gets no IP family fields or traffic policies', () => {
  const s: Obj = { spec: { type: 'ExternalName', externalName: 'db.example.com' } };
  applyDefaults('/Service', s);
  assert.deepEqual(s['spec'], { type: 'ExternalName', externalName: 'db.example.com', sessionAffinity: 'None' });
});

test('re-applying without clusterIP/nodePort keeps the allocated values', () => {
  const old: Obj = {
    spec: { type: 'NodePort', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80, nodePort: 30080 }] },
  };
  const next: Obj = { spec: { type: 'NodePort', ports: [{ name: 'http', port: 80 }] } };
  applyDefaults('/Service', next);
  prepareServiceForUpdate(next, old);
  assert.equal(spec(next)['clusterIP'], '10.96.0.20');
  assert.deepEqual(spec(next)['clusterIPs'], ['10.96.0.20']);
  assert.deepEqual(spec(next)['ports'], [{ name: 'http', port: 80, nodePort: 30080, protocol: 'TCP', targetPort: 80 }]);
});

test('changing NodePort to ClusterIP drops unchanged nodePorts and the policy', () => {
  const old: Obj = {
    spec: { type: 'NodePort', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], externalTrafficPolicy: 'Cluster', ports: [{ port: 80, nodePort: 30080 }] },
  };
  const next: Obj = { spec: { type: 'ClusterIP', clusterIP: '10.96.0.20', externalTrafficPolicy: 'Cluster', ports: [{ port: 80, nodePort: 30080 }] } };
  applyDefaults('/Service', next);
  prepareServiceForUpdate(next, old);
  assert.deepEqual(spec(next)['ports'], [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  assert.equal('externalTrafficPolicy' in spec(next), false);
});

test('changing to ExternalName drops the cluster IPs', () => {
  const old: Obj = { spec: { type: 'ClusterIP', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'], ports: [{ port: 80 }] } };
  const next: Obj = { spec: { type: 'ExternalName', externalName: 'x.example.com', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] } };
  applyDefaults('/Service', next);
  prepareServiceForUpdate(next, old);
  for (const k of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) assert.equal(k in spec(next), false, k);
});
