/**
 * @module web/web-lib.test
 * The page's pure modules (web/lib/*.js, plain ES modules the browser loads
 * as they are) under Node: the map model at the lab's size and at 200 pods,
 * flow rows and the list filter, the "why" view of an explanation, the heat
 * map grids, and the JSON-lines splitter.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, test } from 'node:test';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Namespace, Node as KNode, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type { FlowRecord } from '../dataplane/flow-log.js';
import { packageRoot } from './ui-routes.js';

interface Objects {
  namespaces: Namespace[];
  nodes: KNode[];
  pods: Pod[];
  services: Service[];
  slices: EndpointSlice[];
  deployments: Deployment[];
  replicasets: ReplicaSet[];
  ingresses: Ingress[];
  listeners: Array<{ what: string; address: string; error?: string }>;
}
interface ElementDef {
  group: 'nodes' | 'edges';
  data: { id: string; parent?: string; source?: string; target?: string; label: string; kind: string; key?: string; collapsed?: boolean };
  classes?: string;
}
interface Graph {
  elements: ElementDef[];
  podElement: Map<string, string>;
  ipElement: Map<string, string>;
  signature: string;
}
interface GraphLib {
  buildGraph(o: Objects, opts?: { expanded?: Set<string>; collapsed?: Set<string> }): Graph;
  flowEnds(g: Graph, f: FlowRecord): { source: string; target: string } | undefined;
  serviceLabel(s: Service): string;
}
interface FlowsLib {
  flowMatches(f: FlowRecord, q: { namespace?: string; pod?: string; verdict?: string; port?: number; probes?: boolean }): boolean;
  isProbe(f: FlowRecord): boolean;
  flowRow(f: FlowRecord): { from: string; to: string; via: string; port: number; verdict: string; policies: string };
  addFlow(list: FlowRecord[], f: FlowRecord, cap: number): boolean;
}
interface ExplainLib {
  explainView(x: unknown): {
    verdict: string;
    service?: string;
    endpoints: string[];
    deciding: string[];
    groups: Array<{ title: string; verdict: string; egress: { title: string; selectedBy: string[]; outcome: string }; ingress: { title: string; selectedBy: string[]; outcome: string }; alsoFor?: string }>;
    hints: Array<{ message: string; where?: string }>;
  };
}
interface MatrixLib {
  matrixGrids(m: unknown): Array<{ protocol: string; port: number; rows: Array<{ from: string; cells: Array<{ to: string; state: string; change?: string }> }>; allowed: number; dropped: number; changed: number }>;
  whatIfGrids(w: unknown): Array<{ rows: Array<{ from: string; cells: Array<{ to: string; state: string; change?: string }> }>; changed: number }>;
}
interface FlowEdge {
  id: string;
  source: string;
  target: string;
  verdict: string;
  flows: Map<number, number>;
  latest: number;
}
interface FlowEdgesLib {
  FlowEdges: new (cap?: number) => {
    edges: Map<string, FlowEdge>;
    add(flowId: number, ends: { source: string; target: string }, verdict: string, until: number): string[];
    expire(now: number): Set<string>;
    get(id: string): FlowEdge | undefined;
    clear(): void;
  };
  flowEdgeId(source: string, target: string, verdict: string): string;
  flowEdgeLabel(e: FlowEdge): string;
}
interface StreamLib {
  LineSplitter: new () => { push(chunk: string): string[] };
}

async function load<T>(name: string): Promise<T> {
  return (await import(pathToFileURL(join(packageRoot(), 'web', 'lib', name)).href)) as T;
}

let graph: GraphLib;
let flows: FlowsLib;
let explain: ExplainLib;
let matrix: MatrixLib;
let stream: StreamLib;
let flowEdges: FlowEdgesLib;
before(async () => {
  flowEdges = await load<FlowEdgesLib>('flow-edges.js');
  graph = await load<GraphLib>('graph.js');
  flows = await load<FlowsLib>('flows.js');
  explain = await load<ExplainLib>('explain.js');
  matrix = await load<MatrixLib>('matrix.js');
  stream = await load<StreamLib>('stream.js');
});

// ------------------------------------------------------------------ objects

const NS = 'networking-lab';
const ready = { conditions: [{ type: 'Ready', status: 'True' }], phase: 'Running' };

function deployment(ns: string, name: string, replicas: number, firstIp: number, subnet = 1): { d: Deployment; rs: ReplicaSet; pods: Pod[] } {
  const rsName = `${name}-5f8d7c6b9`;
  const d: Deployment = { metadata: { namespace: ns, name }, spec: { replicas, selector: { matchLabels: { app: name } }, template: {} } };
  const rs: ReplicaSet = { metadata: { namespace: ns, name: rsName, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `u-${name}` }] }, spec: { selector: { matchLabels: { app: name } } } };
  const pods = Array.from({ length: replicas }, (_, i): Pod => ({
    metadata: { namespace: ns, name: `${rsName}-p${i}`, labels: { app: name }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: `u-${rsName}` }] },
    spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] },
    status: { ...ready, podIP: `10.244.${subnet + Math.floor((firstIp + i) / 250)}.${(firstIp + i) % 250}` },
  }));
  return { d, rs, pods };
}

function slice(ns: string, svc: string, pods: Pod[]): EndpointSlice {
  return {
    metadata: { namespace: ns, name: `${svc}-abc`, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: [{ port: 80, protocol: 'TCP', name: '' }],
    endpoints: pods.map((p) => ({ addresses: [p.status?.podIP ?? ''], conditions: { ready: true }, targetRef: { kind: 'Pod', namespace: ns, name: p.metadata?.name ?? '' } })),
  };
}

function labObjects(): Objects {
  const back = deployment(NS, 'backend', 3, 10);
  const front = deployment(NS, 'frontend', 2, 20);
  const ctl = deployment('ingress-nginx', 'ingress-nginx-controller', 1, 3, 0);
  const nodes: KNode[] = ['kwire-control-plane', 'kwire-worker', 'kwire-worker2'].map((n, i) => ({ metadata: { name: n }, status: { addresses: [{ type: 'InternalIP', address: `127.0.30.${i + 2}` }] } }));
  const services: Service[] = [
    { metadata: { namespace: NS, name: 'backend-clusterip' }, spec: { type: 'ClusterIP', clusterIP: '10.96.12.1', ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } },
    { metadata: { namespace: NS, name: 'backend-nodeport' }, spec: { type: 'NodePort', clusterIP: '10.96.12.2', ports: [{ port: 80, targetPort: 8080, nodePort: 30080, protocol: 'TCP' }] } },
    { metadata: { namespace: NS, name: 'backend-loadbalancer' }, spec: { type: 'LoadBalancer', clusterIP: '10.96.12.3', ports: [{ port: 80, targetPort: 8080, nodePort: 31234, protocol: 'TCP' }] }, status: { loadBalancer: { ingress: [{ ip: '127.0.30.240' }] } } },
    { metadata: { namespace: NS, name: 'frontend-service' }, spec: { type: 'ClusterIP', clusterIP: '10.96.12.4', ports: [{ port: 80, protocol: 'TCP' }] } },
    { metadata: { namespace: 'ingress-nginx', name: 'ingress-nginx-controller' }, spec: { type: 'LoadBalancer', clusterIP: '10.96.0.20', ports: [{ port: 80 }, { port: 443 }] }, status: { loadBalancer: { ingress: [{ ip: '127.0.30.241' }] } } },
  ];
  const ingress: Ingress = {
    metadata: { namespace: NS, name: 'app-ingress' },
    spec: {
      rules: [
        { host: 'frontend.local', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'frontend-service', port: { number: 80 } } } }] } },
        { host: 'backend.local', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'backend-clusterip', port: { number: 80 } } } }] } },
      ],
    },
  };
  return {
    namespaces: [{ metadata: { name: NS } }, { metadata: { name: 'ingress-nginx' } }, { metadata: { name: 'kube-public' } }],
    nodes,
    pods: [...back.pods, ...front.pods, ...ctl.pods],
    services,
    slices: [slice(NS, 'backend-clusterip', back.pods), slice(NS, 'backend-nodeport', back.pods), slice(NS, 'backend-loadbalancer', back.pods), slice(NS, 'frontend-service', front.pods), slice('ingress-nginx', 'ingress-nginx-controller', ctl.pods)],
    deployments: [back.d, front.d, ctl.d],
    replicasets: [back.rs, front.rs, ctl.rs],
    ingresses: [ingress],
    listeners: [
      { what: 'api-server', address: '127.0.0.1:6443' },
      ...nodes.map((n) => ({ what: `NodePort ${NS}/backend-nodeport`, address: `${n.status?.addresses?.[0]?.address}:30080` })),
      { what: `LoadBalancer ${NS}/backend-loadbalancer`, address: '127.0.30.240:80' },
      { what: 'ingress http', address: '127.0.0.1:8080' },
    ],
  };
}

const nodesOf = (g: Graph) => g.elements.filter((e) => e.group === 'nodes');
const edgesOf = (g: Graph) => g.elements.filter((e) => e.group === 'edges');
const byId = (g: Graph, id: string) => g.elements.find((e) => e.data.id === id);

describe('the map model', () => {
  test('the lab: namespaces as groups, Deployments open with their pods, Services with their addresses', () => {
    const g = graph.buildGraph(labObjects());
    assert.equal(byId(g, `ns:${NS}`)?.data.kind, 'namespace');
    assert.equal(byId(g, 'ns:kube-public'), undefined, 'empty namespaces are left out');
    const pods = nodesOf(g).filter((n) => n.data.kind === 'pod');
    assert.equal(pods.length, 6);
    for (const p of pods.filter((x) => x.data.key?.startsWith(`${NS}/backend-`))) assert.equal(p.data.parent, `deploy:${NS}/backend`);
    assert.match(byId(g, `svc:${NS}/backend-nodeport`)?.data.label ?? '', /^backend-nodeport\nNodePort 10\.96\.12\.2\n80→8080 node:30080$/);
    assert.match(byId(g, `svc:${NS}/backend-loadbalancer`)?.data.label ?? '', /EXTERNAL-IP 127\.0\.30\.240/);
    const endpointEdges = edgesOf(g).filter((e) => e.data.source === `svc:${NS}/backend-clusterip`);
    assert.equal(endpointEdges.length, 3);
    // Ingress rules lead to Services; listeners lead to what they serve; nodes show their IPs.
    assert.ok(byId(g, `e:rule:${NS}/app-ingress#frontend.local/->svc:${NS}/frontend-service`));
    assert.ok(byId(g, `e:rule:${NS}/app-ingress#backend.local/->svc:${NS}/backend-clusterip`));
    assert.ok(byId(g, `e:lis:NodePort ${NS}/backend-nodeport->svc:${NS}/backend-nodeport`));
    assert.ok(byId(g, 'e:lis:ingress http->ingctl'));
    assert.match(byId(g, 'ingctl')?.data.label ?? '', /127\.0\.30\.241/);
    assert.equal(byId(g, 'node:kwire-worker')?.data.label, 'kwire-worker\n127.0.30.3');
    assert.match(byId(g, `lis:NodePort ${NS}/backend-nodeport`)?.data.label ?? '', /127\.0\.30\.2:30080\n127\.0\.30\.3:30080\n127\.0\.30\.4:30080/);
    assert.equal(byId(g, 'lis:api-server'), undefined);
    // Parents come before children (cytoscape needs them first).
    const seen = new Set<string>();
    for (const n of nodesOf(g)) {
      if (n.data.parent) assert.ok(seen.has(n.data.parent), `${n.data.id} after its parent`);
      seen.add(n.data.id);
    }
    // Every edge joins two nodes of the graph.
    for (const e of edgesOf(g)) assert.ok(seen.has(e.data.source ?? '') && seen.has(e.data.target ?? ''), e.data.id);
  });

  test('200 pods: Deployments start collapsed, endpoints lead to them, the signature is stable', () => {
    const objs = labObjects();
    for (let d = 0; d < 10; d++) {
      const x = deployment(`team-${d % 4}`, `svc${d}`, 20, d * 20, 10);
      objs.deployments.push(x.d);
      objs.replicasets.push(x.rs);
      objs.pods.push(...x.pods);
      objs.services.push({ metadata: { namespace: `team-${d % 4}`, name: `svc${d}` }, spec: { clusterIP: `10.96.20.${d}`, ports: [{ port: 80 }] } });
      objs.slices.push(slice(`team-${d % 4}`, `svc${d}`, x.pods));
    }
    assert.equal(objs.pods.length, 206);
    const g = graph.buildGraph(objs);
    assert.equal(nodesOf(g).filter((n) => n.data.kind === 'pod').length, 0, 'every Deployment collapsed');
    assert.ok(nodesOf(g).length < 60, `a readable map: ${nodesOf(g).length} nodes`);
    assert.equal(g.podElement.size, 206);
    assert.equal(byId(g, 'deploy:team-1/svc1')?.data.label, 'svc1\n20/20 pods');
    assert.equal(edgesOf(g).filter((e) => e.data.source === 'svc:team-1/svc1').length, 1, 'one edge to the collapsed Deployment');
    assert.equal(graph.buildGraph(objs).signature, g.signature);
    const open = graph.buildGraph(objs, { expanded: new Set(['team-1/svc1']) });
    assert.equal(nodesOf(open).filter((n) => n.data.parent === 'deploy:team-1/svc1').length, 20);
    assert.notEqual(open.signature, g.signature);
    const f: FlowRecord = {
      id: 1,
      time: 0,
      protocol: 'TCP',
      src: { ip: '10.244.10.21', port: 40000, owner: { kind: 'pod', namespace: 'team-1', name: objs.pods.find((p) => p.metadata?.namespace === 'team-1')?.metadata?.name ?? '' } },
      dst: { ip: '10.96.12.1', port: 80 },
      service: { namespace: NS, name: 'backend-clusterip' },
      endpoint: { ip: '10.244.1.10', port: 8080, owner: { kind: 'pod', namespace: NS, name: 'backend-5f8d7c6b9-p0' } },
      verdict: 'dropped',
      reason: 'denied',
      policies: [],
    };
    assert.deepEqual(graph.flowEnds(g, f), { source: 'deploy:team-1/svc1', target: 'deploy:networking-lab/backend' });
    assert.deepEqual(graph.flowEnds(open, f), { source: `pod:team-1/${f.src.owner?.kind === 'pod' ? f.src.owner.name : ''}`, target: 'deploy:networking-lab/backend' });
    const refused = { ...f, endpoint: undefined, verdict: 'refused' as const };
    delete refused.endpoint;
    assert.deepEqual(graph.flowEnds(g, refused), { source: 'deploy:team-1/svc1', target: `svc:${NS}/backend-clusterip` });
    const fromHost = { ...f, src: { ip: '127.0.0.1', port: 5555 } };
    assert.equal(graph.flowEnds(g, fromHost)?.source, 'host');
  });
});

describe('flows', () => {
  const f = (id: number, verdict: FlowRecord['verdict'], extra: Partial<FlowRecord> = {}): FlowRecord => ({
    id,
    time: 1_700_000_000_000,
    protocol: 'TCP',
    src: { ip: '10.244.2.12', port: 41234, owner: { kind: 'pod', namespace: NS, name: 'test-pod' } },
    dst: { ip: '10.96.12.1', port: 80 },
    service: { namespace: NS, name: 'backend-clusterip' },
    endpoint: { ip: '10.244.1.10', port: 8080, owner: { kind: 'pod', namespace: NS, name: 'backend-a' } },
    verdict,
    reason: verdict === 'dropped' ? 'denied by network policy' : 'established',
    policies: verdict === 'dropped' ? [`${NS}/deny-all`] : [],
    ...extra,
  });
  const rows: ReadonlyArray<[string, { namespace?: string; pod?: string; verdict?: string; port?: number }, boolean]> = [
    ['no filter', {}, true],
    ['its namespace', { namespace: NS }, true],
    ['another namespace', { namespace: 'default' }, false],
    ['the source pod', { pod: 'test-pod' }, true],
    ['the endpoint pod', { pod: `${NS}/backend` }, true],
    ['another pod', { pod: 'frontend' }, false],
    ['its verdict', { verdict: 'dropped' }, true],
    ['another verdict', { verdict: 'forwarded' }, false],
    ['the Service port', { port: 80 }, true],
    ['the endpoint port', { port: 8080 }, true],
    ['another port', { port: 443 }, false],
  ];
  for (const [name, q, want] of rows) test(`filter by ${name}`, () => assert.equal(flows.flowMatches(f(1, 'dropped'), q), want));
  test('kubelet probes (node -> a pod on it) are left out unless asked for', () => {
    const probe = f(2, 'forwarded', {
      src: { ip: '127.0.30.3', port: 50000, owner: { kind: 'node', name: 'kwire-worker' } },
      dst: { ip: '10.244.1.10', port: 8080 },
      endpoint: { ip: '10.244.1.10', port: 8080, owner: { kind: 'pod', namespace: NS, name: 'backend-a', node: 'kwire-worker' } },
    });
    delete (probe as { service?: unknown }).service;
    assert.equal(flows.isProbe(probe), true);
    assert.equal(flows.flowMatches(probe, {}), false);
    assert.equal(flows.flowMatches(probe, { probes: true }), true);
    assert.equal(flows.isProbe({ ...probe, service: { namespace: NS, name: 'backend-nodeport' } }), false, 'NodePort traffic is no probe');
  });
  test('a row for people', () => {
    const r = flows.flowRow(f(7, 'dropped'));
    assert.equal(r.from, `${NS}/test-pod`);
    assert.equal(r.to, `${NS}/backend-a`);
    assert.equal(r.via, `svc/${NS}/backend-clusterip:80`);
    assert.equal(r.port, 8080);
    assert.equal(r.policies, `${NS}/deny-all`);
  });
  test('the held list: newest kept, replays ignored', () => {
    const list: FlowRecord[] = [];
    for (let i = 1; i <= 5; i++) assert.equal(flows.addFlow(list, f(i, 'forwarded'), 3), true);
    assert.deepEqual(list.map((x) => x.id), [3, 4, 5]);
    assert.equal(flows.addFlow(list, f(4, 'forwarded'), 3), false);
    assert.deepEqual(list.map((x) => x.id), [3, 4, 5]);
  });
});

describe('the why panel', () => {
  const side = (direction: string, pod: string, allowed: boolean, reason: string, selectedBy: string[], allowedBy: unknown[] = []) => ({
    direction,
    pod: { namespace: NS, name: pod },
    allowed,
    isolated: reason !== 'not-isolated',
    reason,
    selectedBy: selectedBy.map((name) => ({ namespace: NS, name })),
    allowedBy,
  });
  const path = (to: string) => ({
    from: `${NS}/test-pod`,
    to: `${NS}/${to}`,
    port: 8080,
    verdict: 'dropped',
    policies: [`${NS}/deny-all`],
    decision: {
      allowed: false,
      reason: 'policy',
      protocol: 'TCP',
      port: 8080,
      egress: side('egress', 'test-pod', true, 'allowed-by-rule', ['allow-dns-egress', 'deny-all'], [{ policy: { namespace: NS, name: 'allow-dns-egress' }, direction: 'egress', ruleIndex: 1, peerIndex: 0 }]),
      ingress: side('ingress', to, false, 'no-matching-rule', ['allow-frontend-to-backend', 'deny-all']),
    },
    lines: ['egress of test-pod: admitted', 'hint: x'],
    hints: [],
  });
  test('translation, both sides, folding, hints', () => {
    const v = explain.explainView({
      kind: 'Explanation',
      from: `${NS}/test-pod`,
      to: `svc/${NS}/backend-clusterip`,
      port: 80,
      protocol: 'TCP',
      verdict: 'dropped',
      summary: 'DROPPED',
      service: { namespace: NS, name: 'backend-clusterip', clusterIP: '10.96.12.1', port: 80, protocol: 'TCP', targetPort: 8080, endpoints: [{ target: `${NS}/backend-a`, ip: '10.244.1.10', port: 8080 }, { target: `${NS}/backend-b`, ip: '10.244.2.10', port: 8080 }] },
      paths: [path('backend-a'), path('backend-b')],
      hints: [{ code: 'x', message: 'no rule names test-pod', policy: { namespace: NS, name: 'allow-frontend-to-backend' }, path: 'spec.ingress[0].from[0]' }],
    });
    assert.equal(v.service, `svc/${NS}/backend-clusterip 10.96.12.1:80/TCP → targetPort 8080`);
    assert.deepEqual(v.endpoints, [`${NS}/backend-a (10.244.1.10:8080)`, `${NS}/backend-b (10.244.2.10:8080)`]);
    assert.deepEqual(v.deciding, [`${NS}/deny-all`]);
    assert.equal(v.groups.length, 1);
    const g = v.groups[0]!;
    assert.equal(g.alsoFor, `${NS}/test-pod → ${NS}/backend-b:8080`);
    assert.equal(g.egress.outcome, `admitted by ${NS}/allow-dns-egress spec.egress[1].to[0]`);
    assert.deepEqual(g.ingress.selectedBy, [`${NS}/allow-frontend-to-backend`, `${NS}/deny-all`]);
    assert.equal(g.ingress.outcome, 'no rule admits TCP/8080: dropped');
    assert.deepEqual(v.hints, [{ message: 'no rule names test-pod', where: `${NS}/allow-frontend-to-backend spec.ingress[0].from[0]` }]);
  });
});

describe('heat map grids', () => {
  test('a matrix, with unknown cells', () => {
    const [g] = matrix.matrixGrids({ froms: ['a/x', 'a/y'], tos: ['a/x', 'a/y'], tables: [{ protocol: 'TCP', port: 80, allowed: [[true, false], [null, true]] }] });
    assert.deepEqual(g?.rows.map((r) => r.cells.map((c) => c.state)), [['allowed', 'dropped'], ['unknown', 'allowed']]);
    assert.equal(g?.allowed, 2);
    assert.equal(g?.dropped, 1);
  });
  test('what-if: changed cells marked', () => {
    const [g] = matrix.whatIfGrids({ matrix: { pods: ['a/x', 'a/y'], tables: [{ protocol: 'TCP', port: 80, before: [[true, true], [false, true]], after: [[true, false], [true, true]] }] } });
    assert.deepEqual(g?.rows.map((r) => r.cells.map((c) => c.change ?? '')), [['', 'added-denial'], ['new-allowance', '']]);
    assert.equal(g?.changed, 2);
  });
  test('JSON lines split across chunks', () => {
    const s = new stream.LineSplitter();
    assert.deepEqual(s.push('{"a":1}\n{"b"'), ['{"a":1}']);
    assert.deepEqual(s.push(':2}\n\n'), ['{"b":2}']);
  });
});

describe('flow edges: one per pair of ends and verdict', () => {
  const a = { source: 'pod:ns/a', target: 'pod:ns/b' };
  const b = { source: 'pod:ns/c', target: 'pod:ns/b' };

  test('flows between the same ends share an edge that counts them', () => {
    const m = new flowEdges.FlowEdges();
    for (let i = 1; i <= 50; i++) assert.deepEqual(m.add(i, a, 'forwarded', 1000 + i), [flowEdges.flowEdgeId(a.source, a.target, 'forwarded')]);
    m.add(51, a, 'dropped', 2000);
    m.add(52, b, 'forwarded', 2000);
    assert.equal(m.edges.size, 3);
    const fwd = m.get('flow:pod:ns/a->pod:ns/b:forwarded');
    assert.ok(fwd);
    assert.equal(fwd.flows.size, 50);
    assert.equal(fwd.latest, 50, 'clicking the edge explains the newest flow');
    assert.equal(flowEdges.flowEdgeLabel(fwd), '50×');
    const drop = m.get('flow:pod:ns/a->pod:ns/b:dropped');
    assert.ok(drop);
    assert.equal(flowEdges.flowEdgeLabel(drop), '', 'a single flow carries no count');
  });

  test('expiry recounts, and an edge goes with its last flow', () => {
    const m = new flowEdges.FlowEdges();
    m.add(1, a, 'forwarded', 100);
    m.add(2, a, 'forwarded', 200);
    m.add(3, b, 'dropped', 100);
    const changed = m.expire(150);
    assert.deepEqual([...changed].sort(), ['flow:pod:ns/a->pod:ns/b:forwarded', 'flow:pod:ns/c->pod:ns/b:dropped']);
    assert.equal(m.get('flow:pod:ns/a->pod:ns/b:forwarded')?.flows.size, 1);
    assert.equal(m.get('flow:pod:ns/c->pod:ns/b:dropped'), undefined);
    assert.equal(m.expire(150).size, 0, 'nothing changes twice');
    m.expire(200);
    assert.equal(m.edges.size, 0);
  });

  test('the cap drops the oldest flow and reports its edge', () => {
    const m = new flowEdges.FlowEdges(3);
    m.add(1, b, 'dropped', 9e9);
    m.add(2, a, 'forwarded', 9e9);
    m.add(3, a, 'forwarded', 9e9);
    const changed = m.add(4, a, 'forwarded', 9e9);
    assert.ok(changed.includes('flow:pod:ns/c->pod:ns/b:dropped'));
    assert.equal(m.get('flow:pod:ns/c->pod:ns/b:dropped'), undefined);
    assert.equal(m.get('flow:pod:ns/a->pod:ns/b:forwarded')?.flows.size, 3);
  });

  test('a flow seen again moves rather than counting twice; the newest stays the one explained', () => {
    const m = new flowEdges.FlowEdges();
    m.add(7, a, 'forwarded', 100);
    m.add(8, a, 'forwarded', 100);
    m.add(8, a, 'forwarded', 300);
    assert.equal(m.get('flow:pod:ns/a->pod:ns/b:forwarded')?.flows.size, 2);
    m.add(9, a, 'forwarded', 100);
    m.expire(100);
    const e = m.get('flow:pod:ns/a->pod:ns/b:forwarded');
    assert.equal(e?.flows.size, 1);
    assert.equal(e?.latest, 8);
    m.clear();
    assert.equal(m.edges.size, 0);
  });
});
