/**
 * @module policy/offline.test
 * The offline loader on a kubectl export (List wrappers, multi-document YAML, missing IPs and namespaces).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyEngine } from './engine.js';
import { loadOfflineObjects, loadOfflineYaml } from './offline.js';

const EXPORT = `
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Namespace
  metadata:
    name: shop
    labels:
      team: payments
- apiVersion: v1
  kind: Pod
  metadata:
    name: api-1
    namespace: shop
    labels: {app: api}
  spec:
    nodeName: worker-1
    containers:
    - name: api
      image: example/api
      ports:
      - {name: http, containerPort: 8080}
      - {name: grpc, containerPort: 9000, protocol: TCP}
    initContainers:
    - name: proxy
      restartPolicy: Always
      image: example/proxy
      ports:
      - {name: admin, containerPort: 15000}
    - name: setup
      image: example/setup
      ports:
      - {name: never, containerPort: 1}
  status:
    phase: Running
    podIP: 10.1.2.3
    hostIP: 192.168.1.10
- apiVersion: v1
  kind: Pod
  metadata: {name: web-2, namespace: shop, labels: {app: web}}
  spec:
    containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]
  status: {phase: Pending}
- apiVersion: v1
  kind: Pod
  metadata: {name: web-1, namespace: shop, labels: {app: web}}
  spec:
    containers: [{name: web, image: nginx}]
  status: {phase: Pending}
- apiVersion: v1
  kind: Pod
  metadata: {name: job-xyz, namespace: shop, labels: {job: x}}
  spec: {containers: [{name: j, image: busybox}]}
  status: {phase: Succeeded, podIP: 10.1.2.99}
- apiVersion: v1
  kind: Pod
  metadata: {name: kube-proxy-abc, namespace: kube-system, labels: {k8s-app: kube-proxy}}
  spec: {hostNetwork: true, nodeName: worker-1, containers: [{name: kp, image: kube-proxy}]}
  status: {phase: Running, podIP: 192.168.1.10, hostIP: 192.168.1.10}
- apiVersion: v1
  kind: Node
  metadata: {name: worker-1}
  status:
    addresses:
    - {type: Hostname, address: worker-1}
    - {type: InternalIP, address: 192.168.1.10}
- apiVersion: v1
  kind: Service
  metadata: {name: api, namespace: shop}
  spec:
    clusterIP: 10.96.5.5
    selector: {app: api}
    ports:
    - {name: http, port: 80, targetPort: http}
    - {name: grpc, port: 9000, protocol: TCP}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: ignored, namespace: shop}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicyList
items:
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: api-from-web, namespace: shop}
  spec:
    podSelector: {matchLabels: {app: api}}
    ingress:
    - from: [{podSelector: {matchLabels: {app: web}}}]
      ports: [{port: http}]
- apiVersion: networking.k8s.io/v1
  kind: NetworkPolicy
  metadata: {name: orphan, namespace: other}
  spec: {podSelector: {}}
`;

test('kubectl get -o yaml exports (List wrappers, multi-doc) become the model', () => {
  const r = loadOfflineYaml(EXPORT);
  const m = r.model;
  assert.deepEqual(
    m.namespaces.map((n) => [n.name, n.labels]),
    [
      ['kube-system', { 'kubernetes.io/metadata.name': 'kube-system' }],
      ['other', { 'kubernetes.io/metadata.name': 'other' }],
      ['shop', { team: 'payments', 'kubernetes.io/metadata.name': 'shop' }],
    ],
  );
  const api = m.pods.find((p) => p.name === 'api-1');
  assert.deepEqual(api, {
    namespace: 'shop',
    name: 'api-1',
    labels: { app: 'api' },
    ports: [
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'grpc', containerPort: 9000, protocol: 'TCP' },
      { name: 'admin', containerPort: 15000, protocol: 'TCP' },
    ],
    ip: '10.1.2.3',
    nodeIP: '192.168.1.10',
    nodeName: 'worker-1',
  });
  assert.equal(m.pods.some((p) => p.name === 'job-xyz'), false, 'finished pods are left out');
  // Pods without an IP get the next free addresses, in namespace/name order.
  assert.equal(m.pods.find((p) => p.name === 'web-1')?.ip, '10.244.0.2');
  assert.equal(m.pods.find((p) => p.name === 'web-2')?.ip, '10.244.0.3');
  assert.equal(m.pods.find((p) => p.name === 'kube-proxy-abc')?.hostNetwork, true);
  assert.deepEqual(m.nodes, [{ name: 'worker-1', ip: '192.168.1.10' }]);
  assert.deepEqual(m.policies.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`), ['shop/api-from-web', 'other/orphan']);
  assert.deepEqual(r.services, [
    {
      namespace: 'shop',
      name: 'api',
      clusterIP: '10.96.5.5',
      selector: { app: 'api' },
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'grpc', port: 9000, targetPort: 9000, protocol: 'TCP' },
      ],
    },
  ]);
  assert.deepEqual(r.warnings, [
    'pod shop/job-xyz is Succeeded: left out (it holds no network)',
    'namespace kube-system is not in the input: assumed to carry only kubernetes.io/metadata.name=kube-system',
    'namespace other is not in the input: assumed to carry only kubernetes.io/metadata.name=other',
    'pod shop/web-1 has no status.podIP: assigned 10.244.0.2',
    'pod shop/web-2 has no status.podIP: assigned 10.244.0.3',
  ]);
});

test('the offline model drives the engine: named ports, node traffic, explain with the Service', () => {
  const r = loadOfflineYaml(EXPORT);
  const e = PolicyEngine.fromModel(r.model);
  const web = { kind: 'pod' as const, namespace: 'shop', name: 'web-1' };
  const api = { kind: 'pod' as const, namespace: 'shop', name: 'api-1' };
  assert.equal(e.decide({ src: web, dst: api, port: 8080 }).allowed, true);
  assert.equal(e.decide({ src: web, dst: api, port: 9000 }).allowed, false);
  assert.equal(e.decide({ src: { kind: 'ip', ip: '10.244.0.3' }, dst: api, port: 8080 }).src.kind, 'pod');
  // kube-proxy is host network on api's node: node-local, allowed.
  assert.equal(e.decide({ src: { kind: 'pod', namespace: 'kube-system', name: 'kube-proxy-abc' }, dst: api, port: 9000 }).reason, 'node-local');
  const svc = r.services[0];
  assert.ok(svc);
  const x = e.explain({ src: web, dst: api, port: 8080, service: { ...svc, port: 80 } });
  assert.ok(x.lines.includes('service: shop/api 10.96.5.5:80/TCP -> pod port 8080 (policies see the pod port)'));
});

test('the loader is defensive about what it is given', () => {
  const r = loadOfflineObjects([null, 42, 'text', { kind: 'Pod' }, { kind: 'Pod', metadata: { name: 'p', namespace: 'n' }, status: { podIP: 'garbage' } }], { podCIDR: '10.9.0.0/30' });
  assert.deepEqual(r.model.pods.map((p) => [p.name, p.ip]), [['p', '10.9.0.2']]);
  assert.match(r.warnings[0] ?? '', /status.podIP "garbage" is not an IP/);
  assert.throws(() => loadOfflineObjects([1, 2].map((i) => ({ kind: 'Pod', metadata: { name: `p${i}` } })), { podCIDR: '10.9.0.0/31' }), /too small/);
  assert.throws(() => loadOfflineYaml('a: [unclosed'), /YAML error/);
});
