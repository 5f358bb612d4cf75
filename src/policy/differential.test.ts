/**
 * @module policy/differential.test
 * Differential tests: random clusters and policies (seeded, reproducible),
 * every decision of the compiled engine compared with the reference evaluator
 * (whole Decision objects: verdicts, isolating policies, admitting rules), and
 * random update sequences checking that the incrementally maintained engine
 * equals both the reference and an engine built from scratch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';
import { PolicyEngine } from './engine.js';
import { NaiveEvaluator } from './naive.js';
import type { ClusterModel, ContainerPortInfo, Decision, DecideQuery, Endpoint, NamespaceInfo, NodeInfo, PodInfo, Protocol } from './types.js';
import { seededRandom } from '../testing/rng.js';

const rng = seededRandom;

class Gen {
  constructor(readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: ReadonlyArray<T>): T {
    return xs[this.int(xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
}

const NAMESPACES = ['ns1', 'ns2', 'ns3', 'ns4'];
const NODES: NodeInfo[] = [
  { name: 'n1', ip: '172.18.0.2' },
  { name: 'n2', ip: '172.18.0.3' },
];
const LABEL_KEYS: Record<string, string[]> = { app: ['web', 'db', 'api'], tier: ['front', 'back'], team: ['red', 'blue'], env: ['prod', 'dev'] };
const PORTS: ReadonlyArray<number> = [53, 80, 81, 8080, 9090];
const PROTOCOLS: ReadonlyArray<Protocol> = ['TCP', 'UDP', 'SCTP'];

function labels(g: Gen, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (g.chance(0.6)) out[k] = g.pick(LABEL_KEYS[k] ?? ['x']);
  return out;
}

function selector(g: Gen, keys: string[]): LabelSelector {
  if (g.chance(0.25)) return {};
  const sel: { matchLabels?: Record<string, string>; matchExpressions?: LabelSelector['matchExpressions'] } = {};
  if (g.chance(0.6)) {
    const k = g.pick(keys);
    sel.matchLabels = { [k]: g.pick(LABEL_KEYS[k] ?? ['x']) };
  }
  if (g.chance(0.5)) {
    const k = g.pick(keys);
    const op = g.pick(['In', 'NotIn', 'Exists', 'DoesNotExist']);
    const vals = LABEL_KEYS[k] ?? ['x'];
    sel.matchExpressions = [op === 'In' || op === 'NotIn' ? { key: k, operator: op, values: vals.filter(() => g.chance(0.5)).concat(vals[0] as string) } : { key: k, operator: op }];
  }
  return sel;
}

function podIP(i: number): string {
  return `10.${20 + (i % 3)}.${Math.floor(i / 3) % 250}.${(i % 200) + 2}`;
}

function peer(g: Gen, pods: ReadonlyArray<PodInfo>): NetworkPolicyPeer {
  switch (g.int(5)) {
    case 0:
      return { podSelector: selector(g, ['app', 'tier']) };
    case 1:
      return { namespaceSelector: selector(g, ['team', 'env', 'kubernetes.io/metadata.name']) };
    case 2:
      return { podSelector: selector(g, ['app', 'tier']), namespaceSelector: selector(g, ['team', 'env']) };
    case 3: {
      const target = g.pick(pods);
      const ip = target?.ip ?? '10.20.0.2';
      return g.chance(0.5)
        ? { ipBlock: { cidr: `${ip}/32` } }
        : { ipBlock: { cidr: `${ip.split('.')[0]}.${ip.split('.')[1]}.0.0/16`, except: g.chance(0.5) ? [`${ip}/32`] : [] } };
    }
    default:
      return g.chance(0.5) ? { ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } } : { ipBlock: { cidr: '172.18.0.0/16' } };
  }
}

function port(g: Gen): NetworkPolicyPort {
  const protocol = g.chance(0.3) ? { protocol: g.pick(PROTOCOLS) } : {};
  switch (g.int(4)) {
    case 0:
      return { ...protocol, port: g.pick(PORTS) };
    case 1: {
      const start = g.pick(PORTS);
      return { ...protocol, port: start, endPort: start + g.int(9000) };
    }
    case 2:
      return { ...protocol, port: g.pick(['http', 'dns', 'metrics', 'nope']) };
    default:
      return { protocol: g.pick(PROTOCOLS) };
  }
}

function list<T>(g: Gen, max: number, f: () => T): T[] | undefined {
  if (g.chance(0.2)) return undefined;
  const n = g.int(max + 1);
  return Array.from({ length: n }, f);
}

function randomPolicy(g: Gen, name: string, pods: ReadonlyArray<PodInfo>): NetworkPolicy {
  const rule = (dir: 'from' | 'to'): { from?: NetworkPolicyPeer[]; to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] } => {
    const out: { from?: NetworkPolicyPeer[]; to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] } = {};
    const peers = list(g, 2, () => peer(g, pods));
    const ports = list(g, 2, () => port(g));
    if (peers) out[dir] = peers;
    if (ports) out.ports = ports;
    return out;
  };
  const types = g.pick([undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']]);
  const spec: NetworkPolicySpec = { podSelector: selector(g, ['app', 'tier']) };
  const ingress = list(g, 2, () => rule('from'));
  const egress = list(g, 2, () => rule('to'));
  if (ingress) spec.ingress = ingress;
  if (egress) spec.egress = egress;
  if (types) spec.policyTypes = types;
  return { metadata: { namespace: g.pick(NAMESPACES), name }, spec };
}

function randomPod(g: Gen, i: number): PodInfo {
  const hostNetwork = g.chance(0.08);
  const node = g.pick(NODES);
  const ports: ContainerPortInfo[] = [];
  if (g.chance(0.6)) ports.push({ name: 'http', containerPort: g.pick([80, 8080]) });
  if (g.chance(0.4)) ports.push({ name: 'dns', containerPort: 53, protocol: g.pick(['UDP', 'TCP'] as const) });
  if (g.chance(0.3)) ports.push({ name: 'metrics', containerPort: 9090, protocol: 'TCP' });
  return {
    namespace: g.pick(NAMESPACES),
    name: `pod${i}`,
    labels: labels(g, ['app', 'tier']),
    ports,
    ip: hostNetwork ? node.ip : podIP(i),
    ...(g.chance(0.7) ? { nodeName: node.name } : { nodeIP: node.ip }),
    ...(hostNetwork ? { hostNetwork: true } : {}),
  };
}

function randomNamespace(g: Gen, name: string): NamespaceInfo {
  return { name, labels: { 'kubernetes.io/metadata.name': name, ...labels(g, ['team', 'env']) } };
}

function queries(g: Gen, pods: ReadonlyArray<PodInfo>, sample: number): DecideQuery[] {
  const eps: Endpoint[] = [
    ...pods.map((p): Endpoint => ({ kind: 'pod', namespace: p.namespace, name: p.name })),
    { kind: 'ip', ip: '8.8.8.8' },
    { kind: 'ip', ip: '172.18.0.2' },
    { kind: 'ip', ip: '10.20.0.2' },
  ];
  const out: DecideQuery[] = [];
  for (let i = 0; i < sample; i++) {
    const q: DecideQuery = { src: g.pick(eps), dst: g.pick(eps), port: g.pick(PORTS), protocol: g.pick(PROTOCOLS) };
    // Sometimes the translation masqueraded the source to a node IP.
    out.push(g.chance(0.15) ? { ...q, snat: { kind: 'ip', ip: g.pick(NODES).ip } } : q);
  }
  return out;
}

const strip = (d: Decision): Omit<Decision, 'revision'> => {
  const { revision: _ignored, ...rest } = d;
  return rest;
};

test('random clusters: engine decisions equal the reference evaluator', () => {
  let compared = 0;
  for (let seed = 1; seed <= 60; seed++) {
    const g = new Gen(rng(seed));
    const pods = Array.from({ length: 6 + g.int(10) }, (_, i) => randomPod(g, i));
    const model: ClusterModel = {
      namespaces: NAMESPACES.filter(() => g.chance(0.8)).map((n) => randomNamespace(g, n)),
      nodes: NODES,
      pods,
      policies: Array.from({ length: g.int(9) }, (_, i) => randomPolicy(g, `p${i}`, pods)),
    };
    const engine = PolicyEngine.fromModel(model);
    const naive = new NaiveEvaluator(model);
    // The matrix fast paths agree with decide() on every pod pair.
    for (const protocol of PROTOCOLS) {
      for (const port of [53, 8080]) {
        const m = engine.matrix({ ports: [port], protocols: [protocol] });
        const t = m.tables[0]?.table;
        assert.ok(t);
        m.pods.forEach((s, i) => {
          const [sn = '', sp = ''] = s.split('/');
          m.pods.forEach((d, j) => {
            const [dn = '', dp = ''] = d.split('/');
            const src = { namespace: sn, name: sp };
            const dst = { namespace: dn, name: dp };
            const want = engine.decide({ src: { kind: 'pod', ...src }, dst: { kind: 'pod', ...dst }, port, protocol }).allowed;
            assert.equal(t.values[i]?.[j], want, `seed ${seed}: matrix ${s}->${d} ${protocol}/${port}`);
            assert.equal(engine.reachable(src, dst, protocol, port), want, `seed ${seed}: reachable ${s}->${d} ${protocol}/${port}`);
          });
        });
      }
    }
    for (const q of queries(g, pods, 300)) {
      assert.deepEqual(strip(engine.decide(q)), strip(naive.decide(q)), `seed ${seed}: ${JSON.stringify(q)}`);
      compared++;
    }
  }
  assert.equal(compared, 60 * 300);
});

test('random update sequences: incremental engine == reference == engine built from scratch', () => {
  for (let seed = 100; seed < 130; seed++) {
    const g = new Gen(rng(seed));
    const engine = new PolicyEngine();
    for (const n of NODES) engine.upsertNode(n);
    const namespaces = new Map<string, NamespaceInfo>();
    const pods = new Map<string, PodInfo>();
    const policies = new Map<string, NetworkPolicy>();
    let podCounter = 0;
    for (let op = 0; op < 60; op++) {
      const kind = g.int(10);
      if (kind <= 2) {
        const p = randomPod(g, podCounter++);
        pods.set(`${p.namespace}/${p.name}`, p);
        engine.upsertPod(p);
      } else if (kind === 3 && pods.size > 0) {
        const key = g.pick([...pods.keys()]);
        const p = pods.get(key) as PodInfo;
        pods.delete(key);
        engine.removePod(p);
      } else if (kind === 4 && pods.size > 0) {
        // relabel: the identity changes, possibly to one other pods hold
        const key = g.pick([...pods.keys()]);
        const p = { ...(pods.get(key) as PodInfo), labels: labels(g, ['app', 'tier']) };
        pods.set(key, p);
        engine.upsertPod(p);
      } else if (kind === 5) {
        const ns = randomNamespace(g, g.pick(NAMESPACES));
        namespaces.set(ns.name, ns);
        engine.upsertNamespace(ns);
      } else if (kind === 6 && namespaces.size > 0) {
        const name = g.pick([...namespaces.keys()]);
        namespaces.delete(name);
        engine.removeNamespace(name);
      } else if (kind <= 8) {
        const np = randomPolicy(g, `p${g.int(6)}`, [...pods.values()]);
        policies.set(`${np.metadata?.namespace}/${np.metadata?.name}`, np);
        engine.upsertPolicy(np);
      } else if (policies.size > 0) {
        const key = g.pick([...policies.keys()]);
        const np = policies.get(key) as NetworkPolicy;
        policies.delete(key);
        engine.removePolicy({ namespace: np.metadata?.namespace ?? '', name: np.metadata?.name ?? '' });
      }
      if (op % 5 !== 4) continue;
      const model: ClusterModel = { namespaces: [...namespaces.values()], nodes: NODES, pods: [...pods.values()], policies: [...policies.values()] };
      const naive = new NaiveEvaluator(model);
      const fresh = PolicyEngine.fromModel(model);
      for (const q of queries(g, [...pods.values()], 60)) {
        const d = strip(engine.decide(q));
        assert.deepEqual(d, strip(naive.decide(q)), `seed ${seed} op ${op}: ${JSON.stringify(q)}`);
        assert.deepEqual(d, strip(fresh.decide(q)), `seed ${seed} op ${op} (fresh engine): ${JSON.stringify(q)}`);
      }
    }
    // Everything removed -> nothing left behind in the caches.
    for (const p of pods.values()) engine.removePod(p);
    for (const np of policies.values()) engine.removePolicy({ namespace: np.metadata?.namespace ?? '', name: np.metadata?.name ?? '' });
    const s = engine.stats();
    assert.equal(s.pods, 0);
    assert.equal(s.identities, 0, `seed ${seed}: identities leaked`);
    assert.equal(s.selectors, 0, `seed ${seed}: selectors leaked`);
    assert.equal(s.policies, 0);
    assert.equal(s.compiledIdentities, 0, `seed ${seed}: compiled maps leaked`);
  }
});
