/**
 * @module cli/service-command.test
 * `kwire service`: the URLs from a Service and the nodes as the API returns them —
 * NodePort on every node InternalIP, LoadBalancer on its EXTERNAL-IP, https for
 * 443, UDP named as such; ClusterIP, headless and ExternalName say how to reach
 * them instead; a pending LoadBalancer says to wait. Usage errors exit 2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Node, Service, ServiceSpec } from 'kubernetes-types/core/v1.js';
import { serviceCommand, serviceUrls } from './service-command.js';

const node = (name: string, ip: string): Node => ({ metadata: { name }, status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] } });
const NODES = [node('kwire-control-plane', '127.0.10.2'), node('kwire-worker', '127.0.10.3'), node('kwire-worker2', '127.0.10.4')];

function svc(spec: ServiceSpec, lbIps: string[] = []): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: 'networking-lab', name: 'backend' },
    spec,
    ...(lbIps.length ? { status: { loadBalancer: { ingress: lbIps.map((ip) => ({ ip })) } } } : {}),
  };
}

test('NodePort: one URL per node, http://<InternalIP>:<nodePort>', () => {
  const r = serviceUrls(svc({ type: 'NodePort', clusterIP: '10.96.5.5', ports: [{ port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }] }), NODES);
  assert.equal(r.kind, 'urls');
  assert.ok(r.kind === 'urls');
  assert.deepEqual(r.urls.map((u) => u.url), ['http://127.0.10.2:30080', 'http://127.0.10.3:30080', 'http://127.0.10.4:30080']);
  assert.deepEqual(r.urls.map((u) => u.port), ['80:30080', '80:30080', '80:30080']);
  assert.equal(r.urls[0]!.address, '127.0.10.2:30080');
});

test('NodePort with several ports: per port, then per node; 443 is https, UDP is udp', () => {
  const r = serviceUrls(
    svc({
      type: 'NodePort',
      ports: [
        { name: 'http', port: 80, nodePort: 30080 },
        { name: 'https', port: 443, nodePort: 30443 },
        { name: 'dns', port: 53, nodePort: 30053, protocol: 'UDP' },
      ],
    }),
    NODES.slice(0, 2),
  );
  assert.ok(r.kind === 'urls');
  assert.deepEqual(r.urls.map((u) => u.url), [
    'http://127.0.10.2:30080',
    'http://127.0.10.3:30080',
    'https://127.0.10.2:30443',
    'https://127.0.10.3:30443',
    'udp://127.0.10.2:30053',
    'udp://127.0.10.3:30053',
  ]);
});

test('LoadBalancer: http://<EXTERNAL-IP>:<port>', () => {
  const r = serviceUrls(svc({ type: 'LoadBalancer', ports: [{ port: 80, nodePort: 31234 }, { port: 443, nodePort: 31443, name: 'https' }] }, ['127.0.10.101']), NODES);
  assert.ok(r.kind === 'urls');
  assert.equal(r.type, 'LoadBalancer');
  assert.deepEqual(r.urls.map((u) => u.url), ['http://127.0.10.101:80', 'https://127.0.10.101:443']);
  assert.deepEqual(r.urls.map((u) => u.port), ['80:31234', '443:31443']);
});

test('LoadBalancer still pending: wait, and how to watch', () => {
  const r = serviceUrls(svc({ type: 'LoadBalancer', ports: [{ port: 80, nodePort: 31234 }] }), NODES);
  assert.ok(r.kind === 'unreachable');
  assert.match(r.message, /EXTERNAL-IP is still <pending>/);
  assert.match(r.message, /kubectl get svc backend -n networking-lab -w/);
});

test('ClusterIP: reachable only in the cluster, with port-forward and NodePort as the ways out', () => {
  const r = serviceUrls(svc({ type: 'ClusterIP', clusterIP: '10.96.7.7', ports: [{ port: 80, targetPort: 8080 }] }), NODES);
  assert.ok(r.kind === 'unreachable');
  assert.equal(
    r.message,
    [
      'service networking-lab/backend is of type ClusterIP: it is reachable only inside the cluster, at backend.networking-lab.svc.cluster.local:80 (10.96.7.7), not from this machine.',
      'To reach it from here:',
      '  kubectl port-forward -n networking-lab service/backend 8080:80    then http://127.0.0.1:8080',
      `  or make it a NodePort: kubectl patch service backend -n networking-lab -p '{"spec":{"type":"NodePort"}}'    then kwire service backend -n networking-lab`,
    ].join('\n'),
  );
  // No type at all is ClusterIP; a high port forwards to the same local port.
  const r2 = serviceUrls(svc({ ports: [{ port: 9000 }] }), NODES);
  assert.ok(r2.kind === 'unreachable');
  assert.match(r2.message, /service\/backend 9000:9000 {4}then http:\/\/127\.0\.0\.1:9000/);
});

test('headless and ExternalName Services', () => {
  const h = serviceUrls(svc({ clusterIP: 'None', ports: [{ port: 80 }] }), NODES);
  assert.ok(h.kind === 'unreachable');
  assert.match(h.message, /ClusterIP \(headless\): it is reachable only inside the cluster/);
  assert.doesNotMatch(h.message, /\(None\)/);
  const e = serviceUrls(svc({ type: 'ExternalName', externalName: 'example.com' }), NODES);
  assert.ok(e.kind === 'unreachable');
  assert.match(e.message, /DNS alias for example\.com/);
});

test('a NodePort with no nodes or no node port yet says so', () => {
  assert.equal(serviceUrls(svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), []).kind, 'unreachable');
  assert.equal(serviceUrls(svc({ type: 'NodePort', ports: [{ port: 80 }] }), NODES).kind, 'unreachable');
});

test('kwire service: usage errors exit 2; a cluster that is not running exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kwire-svc-'));
  try {
    let out = '';
    let err = '';
    const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s), env: { ...process.env, KWIRE_HOME: dir, KWIRE_CLUSTER: undefined } };
    assert.equal(await serviceCommand([], io), 2);
    assert.match(err, /which Service\?/);
    err = '';
    assert.equal(await serviceCommand(['a', 'b'], io), 2);
    assert.match(err, /unexpected argument "b"/);
    err = '';
    assert.equal(await serviceCommand(['backend-nodeport', '-n', 'networking-lab'], io), 1);
    assert.match(err, /^kwire service: cluster "kwire" is not running/);
    assert.equal(await serviceCommand(['--help'], io), 0);
    assert.match(out, /^Usage: kwire service NAME/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
