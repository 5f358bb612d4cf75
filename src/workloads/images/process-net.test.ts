/**
 * @module workloads/images/process-net.test
 * A container's view of 127.0.0.0/8: its own loopback, except kwire's node IPs
 * and LoadBalancer IPs, which are node-network addresses reached through the
 * dataplane (NodePort and LoadBalancer translation, policy, flow records).
 *
 * - the process net: a process listening on :30080 inside the pod is what
 *   127.0.0.1:30080 reaches, while nodeIP:30080 reaches the NodePort's
 *   endpoint (TCP and UDP);
 * - busybox in a pod: `wget http://<nodeIP>:<nodePort>` gets the backend's
 *   answer, a node IP port with nothing is refused, a LoadBalancer IP works,
 *   a policy drop makes wget time out, and 127.0.0.1 stays the pod's own;
 * - binding a node IP inside a pod is refused (not the pod's address).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Duplex } from 'node:stream';
import type { Service } from 'kubernetes-types/core/v1.js';
import { createPodNetwork, type PodNetwork, type PolicyVerdict } from '../../dataplane/index.js';
import { ServiceProxy, proxyTranslator } from '../../dataplane/service-proxy/index.js';
import { CaptureWritable } from '../streams.js';
import { FakeClock } from '../testing/fake-clock.js';
import { workloadsToolHost } from './default-tools.js';
import { containerProcessNet } from './process-net.js';
import { ContainerSockets } from './sockets.js';
import { startTestPod, testRuntime, waitListening } from './testing.js';

const NS = 'networking-lab';
const W1 = '127.0.10.2';
const W2 = '127.0.10.3';
const LB = '127.0.10.100';
const BACKEND = '10.244.1.8';
const CLIENT = '10.244.2.20';
const NODE_PORT = 30080;
const nodeIps = new Map([
  ['w1', W1],
  ['w2', W2],
]);
const nodeOf = new Map([...nodeIps].map(([n, ip]) => [ip, n] as const));

/** A network with two nodes and a NodePort + LoadBalancer Service `backend` (TCP and UDP) whose one endpoint is BACKEND:8080. */
function cluster(): PodNetwork {
  const net = createPodNetwork();
  for (const [n, ip] of nodeIps) net.registerAddress(ip, { kind: 'node', name: n });
  const proxy = new ServiceProxy();
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'backend', namespace: NS, resourceVersion: '1' },
    spec: {
      type: 'LoadBalancer',
      clusterIP: '10.96.30.1',
      externalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      ports: [
        { name: 'http', port: 80, targetPort: 8080, nodePort: NODE_PORT, protocol: 'TCP' },
        { name: 'udp', port: 80, targetPort: 8080, nodePort: NODE_PORT, protocol: 'UDP' },
      ],
    },
    status: { loadBalancer: { ingress: [{ ip: LB, ipMode: 'VIP' }] } },
  };
  proxy.onServiceAdd(svc);
  proxy.onEndpointSliceAdd({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'backend-a', namespace: NS, labels: { 'kubernetes.io/service-name': 'backend' } },
    addressType: 'IPv4',
    ports: [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'udp', port: 8080, protocol: 'UDP' },
    ],
    endpoints: [{ addresses: [BACKEND], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'w1' }],
  });
  net.setTranslator(proxyTranslator(proxy, { nodeIp: (n) => nodeIps.get(n), nodeOfIp: (ip) => nodeOf.get(ip) }));
  return net;
}

function readLine(s: Duplex): Promise<string> {
  return new Promise((resolve, reject) => {
    let t = '';
    s.on('data', (b: Buffer) => (t += b.toString()));
    s.on('end', () => resolve(t));
    s.on('error', reject);
  });
}

test('process net: 127.0.0.1:30080 is the container\'s own listener, nodeIP:30080 is the NodePort (TCP and UDP)', async () => {
  const net = cluster();
  net.registerAddress(BACKEND, { kind: 'pod', namespace: NS, name: 'backend', node: 'w1' });
  net.listen(BACKEND, 8080, (s, info) => s.end(`backend saw ${info.src.ip}`));
  net.bindUdp(BACKEND, 8080, (_m, rinfo, reply) => reply(Buffer.from(`backend saw ${rinfo.address}`)));
  net.registerAddress(CLIENT, { kind: 'pod', namespace: NS, name: 'client', node: 'w2' });
  const sockets = new ContainerSockets(net, CLIENT);
  sockets.listenTcp({ host: '', port: NODE_PORT }, (s) => s.end('myself'), false);
  sockets.bindUdp({ host: '', port: NODE_PORT }, (_m, _r, reply) => reply(Buffer.from('myself')));
  const pnet = containerProcessNet(net, sockets, new FakeClock({ autoAdvance: false }));

  assert.equal(await readLine(await pnet.connectTcp('127.0.0.1', NODE_PORT)), 'myself');
  assert.equal(await readLine(await pnet.connectTcp(W1, NODE_PORT)), `backend saw ${W1}`);
  assert.equal(await readLine(await pnet.connectTcp(W2, NODE_PORT)), `backend saw ${W2}`);
  assert.equal(await readLine(await pnet.connectTcp(LB, 80)), `backend saw ${W2}`, 'a LoadBalancer IP: the client\'s own node masquerades');
  await assert.rejects(pnet.connectTcp(W1, 31999), { code: 'ECONNREFUSED' });
  await assert.rejects(pnet.connectTcp('127.0.0.1', 31999), { code: 'ECONNREFUSED' });

  const opts = { timeoutMs: 5_000 };
  assert.equal((await pnet.udpExchange('127.0.0.1', NODE_PORT, Buffer.from('q'), opts)).toString(), 'myself');
  assert.equal((await pnet.udpExchange(W1, NODE_PORT, Buffer.from('q'), opts)).toString(), `backend saw ${W1}`);
  await assert.rejects(pnet.udpExchange(W1, 31999, Buffer.from('q'), opts), { code: 'ECONNREFUSED' });

  // What went through the dataplane left flow records from the pod; the loopback dials left none.
  const flows = net.recent();
  assert.ok(flows.length > 0);
  assert.ok(flows.every((f) => f.src.ip === CLIENT && f.dst.ip !== '127.0.0.1'), JSON.stringify(flows.map((f) => `${f.src.ip}>${f.dst.ip}`)));
  assert.deepEqual(
    flows.map((f) => `${f.protocol} ${f.dst.ip}:${f.dst.port} ${f.verdict}`),
    [`TCP ${W1}:${NODE_PORT} forwarded`, `TCP ${W2}:${NODE_PORT} forwarded`, `TCP ${LB}:80 forwarded`, `TCP ${W1}:31999 refused`, `UDP ${W1}:${NODE_PORT} forwarded`, `UDP ${W1}:31999 refused`],
  );
});

test('sockets: a node IP is not the pod\'s to bind; 127.0.0.1 still is', () => {
  const net = cluster();
  const s = new ContainerSockets(net, CLIENT);
  assert.throws(() => s.listenTcp({ host: W1, port: 80 }, () => undefined, false), { code: 'EADDRNOTAVAIL', message: `listen tcp ${W1}:80: bind: cannot assign requested address` });
  assert.throws(() => s.bindUdp({ host: LB, port: 53 }, () => undefined), { code: 'EADDRNOTAVAIL', message: `listen udp ${LB}:53: bind: cannot assign requested address` });
  const l = s.listenTcp({ host: '127.0.0.1', port: 80 }, () => undefined, false);
  assert.deepEqual(s.listening(), [{ port: 80, protocol: 'TCP', address: '127.0.0.1' }]);
  l.close();
});

test('busybox in a pod: wget http://<nodeIP>:<nodePort> gets the backend, a closed node port is refused, a policy drop times out', { timeout: 10_000 }, async () => {
  const net = cluster();
  const rt = testRuntime({ tools: workloadsToolHost });
  const backend = startTestPod(net, rt, { image: 'hashicorp/http-echo:latest', ip: BACKEND, name: 'backend-abc', args: ['-text=Hello from Backend Pod: backend-abc', '-listen=:8080'] });
  await waitListening(backend.container, 8080);
  const client = startTestPod(net, rt, { image: 'busybox', ip: CLIENT, name: 'client', command: ['sleep', '3600'], clock: new FakeClock() });
  const exec = async (script: string): Promise<{ code: number; out: string }> => {
    const out = new CaptureWritable();
    const r = await client.container.exec(['sh', '-c', script], { stdout: out, stderr: out });
    assert.equal(r.kind, 'exited');
    return { code: r.kind === 'exited' ? r.exitCode : -1, out: out.text() };
  };
  assert.deepEqual(await exec(`wget -qO- -T 3 http://${W1}:${NODE_PORT}`), { code: 0, out: 'Hello from Backend Pod: backend-abc\n' });
  assert.deepEqual(await exec(`wget -qO- -T 3 http://${W2}:${NODE_PORT}`), { code: 0, out: 'Hello from Backend Pod: backend-abc\n' });
  assert.deepEqual(await exec(`wget -qO- -T 3 http://${LB}`), { code: 0, out: 'Hello from Backend Pod: backend-abc\n' });
  assert.deepEqual(await exec(`wget -qO- -T 3 http://${W1}:31999`), { code: 1, out: `wget: can't connect to remote host (${W1}): Connection refused\n` });
  const last = net.recent({ limit: 1 })[0];
  assert.equal(last?.verdict, 'refused');
  assert.equal(last?.reason, `no listener on ${W1}:31999 (node w1: no NodePort 31999/TCP)`);

  net.setPolicy({ decide: (req): PolicyVerdict => (req.dst.ip === BACKEND ? { verdict: 'drop', policies: [`${NS}/deny-backend`] } : { verdict: 'allow', policies: [] }) });
  assert.deepEqual(await exec(`wget -qO- -T 3 http://${W1}:${NODE_PORT}`), { code: 1, out: 'wget: download timed out\n' });
  const dropped = net.recent({ limit: 1 })[0];
  assert.equal(dropped?.verdict, 'dropped');
  assert.deepEqual(dropped?.policies, [`${NS}/deny-backend`]);
  assert.equal(dropped?.snat?.ip, W1);
  // The pod's own loopback is still its own: nothing listens on it.
  assert.deepEqual(await exec(`wget -qO- -T 3 http://127.0.0.1:${NODE_PORT}`), { code: 1, out: `wget: can't connect to remote host (127.0.0.1): Connection refused\n` });
  assert.equal(net.recent({ limit: 1 })[0]?.id, dropped?.id, 'loopback leaves no flow record');
  await backend.container.stop('SIGKILL');
  await client.container.stop('SIGKILL');
});
