/**
 * @module dataplane/node-network.test
 * Pods reaching kwire's node network (node IPs and LoadBalancer IPs in
 * 127.0.0.0/8): the two pure decisions in depth (`podRoute`: loopback or
 * network, a table plus generated addresses; `nodePortArrival`: which node's
 * rules apply and the source they see), then the whole path through a real
 * virtual network with the service proxy's translator: NodePorts over TCP and
 * UDP with kube-proxy's SNAT, externalTrafficPolicy Local from the same and
 * from another node, a closed port on a node IP refused with a reason that
 * says so, the policy hook judging the flow like any other, a LoadBalancer IP.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { seededRandom } from '../testing/rng.js';
import type { PolicyRequest, PolicyVerdict } from './hooks.js';
import { nodePortArrival, podRoute, type NodeAddresses, type NodeNetworkView } from './node-network.js';
import { createPodNetwork, type PodNetwork } from './pod-network.js';
import { ServiceProxy, proxyTranslator } from './service-proxy/index.js';
import { acceptQueue, FakeTimers, nextError } from './test-support.js';
import type { AddressOwner, Peer } from './types.js';

const W1 = '127.0.10.2';
const W2 = '127.0.10.3';
const LB = '127.0.10.100';
const NODES: ReadonlyMap<string, string> = new Map([
  ['w1', W1],
  ['w2', W2],
]);
const NODE_OF_IP: ReadonlyMap<string, string> = new Map([...NODES].map(([n, ip]) => [ip, n] as const));
const nodes: NodeAddresses = { nodeIp: (n) => NODES.get(n), nodeOfIp: (ip) => NODE_OF_IP.get(ip) };

// ---------------------------------------------------------------- podRoute

function view(owners: Readonly<Record<string, AddressOwner>>, serviceIps: ReadonlyArray<string> = []): NodeNetworkView {
  return { ownerOf: (ip) => owners[ip], isServiceNodeAddress: (ip) => serviceIps.includes(ip) };
}

test('podRoute: the pod\'s loopback is 127.0.0.0/8 and ::1, except node IPs and LoadBalancer IPs', () => {
  const v = view({ [W1]: { kind: 'node', name: 'w1' }, [W2]: { kind: 'node', name: 'w2' }, '10.244.1.5': { kind: 'pod', namespace: 'default', name: 'web' } }, [LB]);
  const rows: ReadonlyArray<readonly [string, 'loopback' | 'network', string]> = [
    ['127.0.0.1', 'loopback', 'the usual loopback'],
    ['127.1.2.3', 'loopback', 'anywhere in 127.0.0.0/8'],
    ['127.0.10.9', 'loopback', 'in the node subnet but held by nobody'],
    ['127.0.10.101', 'loopback', 'in the LoadBalancer pool but not assigned'],
    [W1, 'network', 'a node IP'],
    [W2, 'network', 'another node IP'],
    [LB, 'network', 'a LoadBalancer IP the proxy answers for'],
    ['::1', 'loopback', 'IPv6 loopback'],
    ['[::1]', 'loopback', 'IPv6 loopback, bracketed'],
    ['localhost', 'loopback', 'the name'],
    ['127.1', 'loopback', 'a malformed 127 literal stays inside'],
    ['127.0.10.02', 'loopback', 'not a dotted quad, even if it looks like a node IP'],
    ['10.244.1.5', 'network', 'a pod IP'],
    ['10.96.0.10', 'network', 'a ClusterIP'],
    ['192.0.2.50', 'network', 'an outside address'],
  ];
  for (const [ip, want, why] of rows) assert.equal(podRoute(ip, v), want, `${ip}: ${why}`);
});

test('podRoute on generated addresses: only node-owned or proxy-claimed 127.x leave the pod; everything else outside 127/8 does', () => {
  const rnd = seededRandom(7);
  const octet = (): number => Math.floor(rnd() * 256);
  const owners: Record<string, AddressOwner> = {};
  const claimed: string[] = [];
  const nodeIps: string[] = [];
  for (let i = 0; i < 50; i++) {
    const ip = `127.${octet()}.${octet()}.${octet()}`;
    if (i % 2 === 0) {
      owners[ip] = { kind: 'node', name: `n${i}` };
      nodeIps.push(ip);
    } else claimed.push(ip);
  }
  const v = view(owners, claimed);
  for (const ip of [...nodeIps, ...claimed]) assert.equal(podRoute(ip, v), 'network', ip);
  let loops = 0;
  for (let i = 0; i < 2000; i++) {
    const first = octet();
    const ip = `${first}.${octet()}.${octet()}.${octet()}`;
    const want = first === 127 && owners[ip] === undefined && !claimed.includes(ip) ? 'loopback' : 'network';
    if (want === 'loopback') loops++;
    assert.equal(podRoute(ip, v), want, ip);
  }
  for (let i = 0; i < 500; i++) {
    const ip = `127.${octet()}.${octet()}.${octet()}`;
    if (owners[ip] !== undefined || claimed.includes(ip)) continue;
    loops++;
    assert.equal(podRoute(ip, v), 'loopback', ip);
  }
  assert.ok(loops >= 450, `enough loopback cases were generated (${loops})`);
});

test('podRoute: an address registered to a pod is not a node address (only nodes and the proxy make 127.x leave)', () => {
  assert.equal(podRoute('127.0.10.7', view({ '127.0.10.7': { kind: 'pod', namespace: 'x', name: 'y' } })), 'loopback');
});

// ---------------------------------------------------------------- nodePortArrival

const podOn = (ip: string, node?: string): Peer => ({ ip, port: 40000, owner: { kind: 'pod', namespace: 'lab', name: 'client', ...(node !== undefined ? { node } : {}) } });

test('nodePortArrival: the dialled node applies its rules; a pod on another node arrives as that node', () => {
  const rows: ReadonlyArray<{ name: string; src: Peer; dst: string; want: ReturnType<typeof nodePortArrival> }> = [
    { name: 'not a node IP', src: podOn('10.244.1.20', 'w1'), dst: '10.96.0.1', want: undefined },
    { name: 'not a node IP, from the host', src: { ip: '127.0.0.1', port: 5 }, dst: '127.0.10.9', want: undefined },
    { name: 'the host', src: { ip: '127.0.0.1', port: 5 }, dst: W2, want: { node: 'w2', srcIp: '127.0.0.1' } },
    { name: 'a pod on that node', src: podOn('10.244.1.20', 'w1'), dst: W1, want: { node: 'w1', srcIp: '10.244.1.20' } },
    { name: 'a pod on another node: masqueraded by its node', src: podOn('10.244.2.20', 'w2'), dst: W1, want: { node: 'w1', srcIp: W2, masqueradedTo: W2 } },
    { name: 'the other way round', src: podOn('10.244.1.20', 'w1'), dst: W2, want: { node: 'w2', srcIp: W1, masqueradedTo: W1 } },
    { name: 'a pod whose node is unknown: as it is', src: podOn('10.244.9.9'), dst: W1, want: { node: 'w1', srcIp: '10.244.9.9' } },
    { name: 'a pod on a node with no known IP: as it is', src: podOn('10.244.9.9', 'gone'), dst: W1, want: { node: 'w1', srcIp: '10.244.9.9' } },
    { name: 'a node dialling another node', src: { ip: W2, port: 7, owner: { kind: 'node', name: 'w2' } }, dst: W1, want: { node: 'w1', srcIp: W2 } },
    { name: 'an unowned pod-network address', src: { ip: '10.244.2.99', port: 7 }, dst: W1, want: { node: 'w1', srcIp: '10.244.2.99' } },
  ];
  for (const r of rows) assert.deepEqual(nodePortArrival(r.src, r.dst, nodes), r.want, r.name);
});

// ---------------------------------------------------------------- the whole path

const NS = 'lab';
const BACKEND = '10.244.1.8'; // on w1
const CLIENT_W1 = '10.244.1.20';
const CLIENT_W2 = '10.244.2.20';

function svc(name: string, spec: NonNullable<Service['spec']>, lbIps: string[] = []): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS, resourceVersion: '1' },
    spec: { sessionAffinity: 'None', ...spec },
    status: { loadBalancer: lbIps.length > 0 ? { ingress: lbIps.map((ip) => ({ ip, ipMode: 'VIP' })) } : {} },
  };
}

function slice(service: string, ports: Array<{ name: string; port: number; protocol: string }>): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-a`, namespace: NS, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports,
    endpoints: [{ addresses: [BACKEND], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'w1' }],
  };
}

interface Lab {
  readonly net: PodNetwork;
  readonly timers: FakeTimers;
  readonly judged: PolicyRequest[];
  deny: boolean;
}

/** Nodes w1, w2; a backend on w1 (TCP and UDP 8080); clients on w1 and w2; NodePort, NodePort Local and LoadBalancer Services. */
function lab(): Lab {
  const timers = new FakeTimers();
  const net = createPodNetwork({ timers });
  for (const [n, ip] of NODES) net.registerAddress(ip, { kind: 'node', name: n });
  net.registerAddress(BACKEND, { kind: 'pod', namespace: NS, name: 'backend', node: 'w1' });
  net.registerAddress(CLIENT_W1, { kind: 'pod', namespace: NS, name: 'client-w1', node: 'w1' });
  net.registerAddress(CLIENT_W2, { kind: 'pod', namespace: NS, name: 'client-w2', node: 'w2' });
  const proxy = new ServiceProxy({ random: seededRandom(1) });
  const both = [
    { name: 'tcp', port: 8080, protocol: 'TCP' },
    { name: 'udp', port: 8080, protocol: 'UDP' },
  ];
  const ports = (nodePort: number) => [
    { name: 'tcp', port: 80, targetPort: 8080, nodePort, protocol: 'TCP' },
    { name: 'udp', port: 80, targetPort: 8080, nodePort, protocol: 'UDP' },
  ];
  proxy.onServiceAdd(svc('np', { type: 'NodePort', clusterIP: '10.96.20.1', externalTrafficPolicy: 'Cluster', ports: ports(30080) }));
  proxy.onEndpointSliceAdd(slice('np', both));
  proxy.onServiceAdd(svc('np-local', { type: 'NodePort', clusterIP: '10.96.20.2', externalTrafficPolicy: 'Local', ports: ports(30081) }));
  proxy.onEndpointSliceAdd(slice('np-local', both));
  proxy.onServiceAdd(svc('lb', { type: 'LoadBalancer', clusterIP: '10.96.20.3', externalTrafficPolicy: 'Cluster', ports: ports(30082) }, [LB]));
  proxy.onEndpointSliceAdd(slice('lb', both));
  net.setTranslator(proxyTranslator(proxy, { nodeIp: nodes.nodeIp, nodeOfIp: nodes.nodeOfIp }));
  const l: Lab = { net, timers, judged: [], deny: false };
  net.setPolicy({
    decide: (req): PolicyVerdict => {
      l.judged.push(req);
      return l.deny ? { verdict: 'drop', policies: [`${NS}/deny-backend`] } : { verdict: 'allow', policies: [] };
    },
  });
  net.bindUdp(BACKEND, 8080, (_msg, rinfo, reply) => reply(Buffer.from(`${rinfo.address}`)));
  return l;
}

/** The last flow record, as a compact line: verdict, src -> dst, service, endpoint, snat, reason. */
function last(net: PodNetwork): string {
  const r = net.recent({ limit: 1 })[0];
  assert.ok(r !== undefined, 'a flow record');
  const svcName = r.service ? `${r.service.namespace}/${r.service.name}` : '-';
  return `${r.verdict} ${r.protocol} ${r.src.ip}>${r.dst.ip}:${r.dst.port} svc=${svcName} ep=${r.endpoint ? `${r.endpoint.ip}:${r.endpoint.port}` : '-'} snat=${r.snat?.ip ?? '-'} (${r.reason})`;
}

/** Dials over TCP and resolves with the address the backend saw. */
async function tcpSeen(l: Lab, src: string, dst: string, port: number): Promise<string> {
  const q = acceptQueue(l.net, BACKEND, 8080);
  try {
    const client = await l.net.connect({ srcIp: src, dstIp: dst, dstPort: port, timeoutMs: 5_000 });
    const { socket } = await q.next();
    const seen = socket.remoteAddress ?? '';
    client.destroy();
    return seen;
  } finally {
    q.listener.close();
  }
}

test('a pod dials nodeIP:NodePort (TCP): translated in-process to the endpoint, SNAT to the node it dialled', async () => {
  const l = lab();
  assert.equal(await tcpSeen(l, CLIENT_W2, W2, 30080), W2, 'its own node');
  assert.equal(last(l.net), `forwarded TCP ${CLIENT_W2}>${W2}:30080 svc=lab/np ep=${BACKEND}:8080 snat=${W2} (established)`);
  assert.equal(await tcpSeen(l, CLIENT_W2, W1, 30080), W1, 'another node: that node masquerades, as it does for the host');
  assert.equal(last(l.net), `forwarded TCP ${CLIENT_W2}>${W1}:30080 svc=lab/np ep=${BACKEND}:8080 snat=${W1} (established)`);
  assert.equal(await tcpSeen(l, CLIENT_W1, W2, 30080), W2, 'to a node without the endpoint');
  const rec = l.net.recent({ limit: 1 })[0]!;
  assert.deepEqual(rec.src.owner, { kind: 'pod', namespace: NS, name: 'client-w1', node: 'w1' }, 'the record names the client pod, not a host address');
  assert.deepEqual(rec.endpoint?.owner, { kind: 'pod', namespace: NS, name: 'backend', node: 'w1' });
});

test('a pod dials nodeIP:NodePort (UDP): the reply comes back, the endpoint saw the node', async () => {
  const l = lab();
  const reply = await l.net.udpExchange({ srcIp: CLIENT_W2, dstIp: W1, dstPort: 30080, timeoutMs: 5_000 }, Buffer.from('ping'));
  assert.equal(reply.toString(), W1);
  assert.equal(last(l.net), `forwarded UDP ${CLIENT_W2}>${W1}:30080 svc=lab/np ep=${BACKEND}:8080 snat=${W1} (delivered)`);
});

test('externalTrafficPolicy Local from pods: the same node short-circuits (client kept); another node sees the client\'s node', async () => {
  const l = lab();
  // Client on w1 to w1's NodePort: kube-proxy's pod short-circuit, no SNAT.
  assert.equal(await tcpSeen(l, CLIENT_W1, W1, 30081), CLIENT_W1);
  assert.equal(last(l.net), `forwarded TCP ${CLIENT_W1}>${W1}:30081 svc=lab/np-local ep=${BACKEND}:8080 snat=- (established)`);
  // Client on w2 to w2's NodePort: same node, short-circuit to every endpoint even though w2 has none.
  assert.equal(await tcpSeen(l, CLIENT_W2, W2, 30081), CLIENT_W2);
  // Client on w2 to w1 (has the endpoint): arrives masqueraded to w2's IP, which Local keeps.
  assert.equal(await tcpSeen(l, CLIENT_W2, W1, 30081), W2);
  assert.equal(last(l.net), `forwarded TCP ${CLIENT_W2}>${W1}:30081 svc=lab/np-local ep=${BACKEND}:8080 snat=${W2} (established)`);
  // Client on w1 to w2 (no local endpoint): external traffic to a node without one is dropped; the client times out.
  const s = l.net.createConnection({ srcIp: CLIENT_W1, dstIp: W2, dstPort: 30081, timeoutMs: 3_000 });
  const err = nextError(s);
  assert.equal(last(l.net), `dropped TCP ${CLIENT_W1}>${W2}:30081 svc=lab/np-local ep=- snat=- (lab/np-local:tcp has no local endpoints)`);
  l.timers.advance(3_000);
  assert.equal((await err).code, 'ETIMEDOUT');
  const u = l.net.udpExchange({ srcIp: CLIENT_W1, dstIp: W2, dstPort: 30081, timeoutMs: 3_000 }, Buffer.from('x'));
  l.timers.advance(3_000);
  await assert.rejects(u, { code: 'ETIMEDOUT' });
});

test('a node IP on a port with nothing: refused at once, and the record says no NodePort matched', async () => {
  const l = lab();
  await assert.rejects(l.net.connect({ srcIp: CLIENT_W2, dstIp: W1, dstPort: 31999, timeoutMs: 5_000 }), { code: 'ECONNREFUSED' });
  assert.equal(last(l.net), `refused TCP ${CLIENT_W2}>${W1}:31999 svc=- ep=${W1}:31999 snat=- (no listener on ${W1}:31999 (node w1: no NodePort 31999/TCP))`);
  assert.deepEqual(l.net.recent({ limit: 1 })[0]?.endpoint?.owner, { kind: 'node', name: 'w1' });
  await assert.rejects(l.net.udpExchange({ srcIp: CLIENT_W2, dstIp: W1, dstPort: 31999, timeoutMs: 5_000 }, Buffer.from('x')), { code: 'ECONNREFUSED' });
  assert.equal(last(l.net), `refused UDP ${CLIENT_W2}>${W1}:31999 svc=- ep=${W1}:31999 snat=- (no socket bound on ${W1}:31999 (node w1: no NodePort 31999/UDP))`);
});

test('the policy hook judges a pod\'s NodePort flow as every other flow: src pod, SNAT node, endpoint pod; a drop times the client out', async () => {
  const l = lab();
  l.deny = true;
  const s = l.net.createConnection({ srcIp: CLIENT_W2, dstIp: W1, dstPort: 30080, timeoutMs: 3_000 });
  const err = nextError(s);
  assert.equal(l.judged.length, 1);
  const req = l.judged[0]!;
  assert.equal(req.src.ip, CLIENT_W2);
  assert.equal(req.src.owner?.kind, 'pod');
  assert.deepEqual(req.snat, { ip: W1, port: 0, owner: { kind: 'node', name: 'w1' } });
  assert.deepEqual({ ip: req.dst.ip, port: req.dst.port }, { ip: BACKEND, port: 8080 });
  assert.deepEqual(req.service, { namespace: NS, name: 'np', port: 'tcp' });
  const rec = l.net.recent({ limit: 1 })[0]!;
  assert.equal(rec.verdict, 'dropped');
  assert.deepEqual(rec.policies, [`${NS}/deny-backend`]);
  assert.equal(rec.snat?.ip, W1);
  l.timers.advance(3_000);
  assert.equal((await err).code, 'ETIMEDOUT');
  const u = l.net.udpExchange({ srcIp: CLIENT_W2, dstIp: W1, dstPort: 30080, timeoutMs: 3_000 }, Buffer.from('x'));
  l.timers.advance(3_000);
  await assert.rejects(u, { code: 'ETIMEDOUT' });
  assert.equal(l.net.recent({ limit: 1 })[0]?.verdict, 'dropped');
});

test('a pod dials a LoadBalancer IP: short-circuited to the Service on its own node, masqueraded to that node', async () => {
  const l = lab();
  assert.equal(l.net.podRoute(LB), 'network');
  assert.equal(l.net.podRoute('127.0.10.101'), 'loopback', 'an unassigned pool address is nobody\'s');
  assert.equal(l.net.podRoute(W1), 'network');
  assert.equal(l.net.podRoute('127.0.0.1'), 'loopback');
  assert.equal(await tcpSeen(l, CLIENT_W2, LB, 80), W2);
  assert.equal(last(l.net), `forwarded TCP ${CLIENT_W2}>${LB}:80 svc=lab/lb ep=${BACKEND}:8080 snat=${W2} (established)`);
  const reply = await l.net.udpExchange({ srcIp: CLIENT_W1, dstIp: LB, dstPort: 80, timeoutMs: 5_000 }, Buffer.from('ping'));
  assert.equal(reply.toString(), W1);
});

test('podRoute without a translator that knows LoadBalancer IPs: node IPs only', () => {
  const net = createPodNetwork();
  assert.equal(net.podRoute(W1), 'loopback', 'nothing registered yet');
  net.registerAddress(W1, { kind: 'node', name: 'w1' });
  assert.equal(net.podRoute(W1), 'network');
  assert.equal(net.podRoute(LB), 'loopback');
  net.setTranslator({ translate: () => undefined, isServiceNodeAddress: (ip) => ip === LB });
  assert.equal(net.podRoute(LB), 'network');
  assert.equal(net.podRoute('127.0.0.1'), 'loopback');
});
