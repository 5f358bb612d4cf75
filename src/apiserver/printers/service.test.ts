/**
 * @module apiserver/printers/service.test
 * Tests for the service printer code against upstream expectations and lab objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NOW, backendClusterIP, backendLoadBalancer, backendNodePort } from './fixtures.js';
import { columnsFor, rowFor } from './registry.js';

function svc(spec: Record<string, unknown>, status: Record<string, unknown> = {}) {
  return { metadata: { name: 's' }, spec, status };
}

test('service columns', () => {
  assert.deepEqual(
    columnsFor('/Service').map((c) => [c.name, c.priority]),
    [['Name', 0], ['Type', 0], ['Cluster-IP', 0], ['External-IP', 0], ['Port(s)', 0], ['Age', 0], ['Selector', 1]],
  );
});

test('lab NodePort service prints 80:30080/TCP', () => {
  assert.deepEqual(rowFor('/Service', backendNodePort, NOW), ['backend-nodeport', 'NodePort', '10.96.142.7', '<none>', '80:30080/TCP', '90s', 'app=backend']);
});

test('lab ClusterIP service', () => {
  assert.deepEqual(rowFor('/Service', backendClusterIP, NOW, { wide: false }), ['backend-clusterip', 'ClusterIP', '10.96.37.201', '<none>', '80/TCP', '4m30s']);
});

test('LoadBalancer with an ingress IP, and <pending> without', () => {
  assert.deepEqual(rowFor('/Service', backendLoadBalancer, NOW, { wide: false }), ['backend-loadbalancer', 'LoadBalancer', '10.96.200.15', '127.0.20.1', '80:31234/TCP', '3h']);
  const pending = structuredClone(backendLoadBalancer);
  pending.status = { loadBalancer: { ingress: [] } };
  assert.equal(rowFor('/Service', pending, NOW)[3], '<pending>');
});

// Ported from upstream TestPrintServiceLoadBalancer.
test('upstream load balancer cases: sorted IPs, clipping only when not wide, externalIPs appended', () => {
  const ports = [{ port: 80, protocol: 'TCP' }, { port: 8090, protocol: 'UDP' }, { port: 8000, protocol: 'TCP' }];
  const many = svc({ type: 'LoadBalancer', clusterIPs: ['1.5.6.7'], ports, selector: { foo: 'bar' } }, { loadBalancer: { ingress: [{ ip: '3.4.5.6' }, { ip: '2.3.4.5' }, { ip: '5.6.7.8', hostname: 'host5678' }] } });
  assert.deepEqual(rowFor('/Service', many, NOW, { wide: false }), ['s', 'LoadBalancer', '1.5.6.7', '2.3.4.5,3.4.5...', '80/TCP,8090/UDP,8000/TCP', '<unknown>']);
  // kube-apiserver always prints wide, so the server never clips.
  assert.deepEqual(rowFor('/Service', many, NOW), ['s', 'LoadBalancer', '1.5.6.7', '2.3.4.5,3.4.5.6,5.6.7.8', '80/TCP,8090/UDP,8000/TCP', '<unknown>', 'foo=bar']);
  const withExternal = svc({ type: 'LoadBalancer', clusterIPs: ['1.2.3.4'], externalIPs: ['9.9.9.9'] }, { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } });
  assert.equal(rowFor('/Service', withExternal, NOW)[3], 'lb.example.com,9.9.9.9');
  const externalOnly = svc({ type: 'LoadBalancer', clusterIPs: ['1.2.3.4'], externalIPs: ['9.9.9.9'] });
  assert.equal(rowFor('/Service', externalOnly, NOW)[3], '9.9.9.9');
});

test('ClusterIP/NodePort with externalIPs, ExternalName, headless, no ports', () => {
  assert.equal(rowFor('/Service', svc({ type: 'ClusterIP', clusterIPs: ['10.96.0.1'], externalIPs: ['1.1.1.1', '2.2.2.2'] }), NOW)[3], '1.1.1.1,2.2.2.2');
  assert.deepEqual(
    rowFor('/Service', svc({ type: 'ExternalName', externalName: 'db.example.com', ports: [{ port: 5432 }] }), NOW),
    ['s', 'ExternalName', '<none>', 'db.example.com', '5432/TCP', '<unknown>', '<none>'],
  );
  assert.deepEqual(rowFor('/Service', svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }), NOW).slice(1, 5), ['ClusterIP', 'None', '<none>', '<none>']);
});

test('kube-dns: multiple named ports keep their order and protocols', () => {
  const dns = svc({
    type: 'ClusterIP',
    clusterIP: '10.96.0.10',
    ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 'metrics', port: 9153, protocol: 'TCP' }],
    selector: { 'k8s-app': 'kube-dns' },
  });
  assert.deepEqual(rowFor('/Service', dns, NOW).slice(2), ['10.96.0.10', '<none>', '53/UDP,53/TCP,9153/TCP', '<unknown>', 'k8s-app=kube-dns']);
});
