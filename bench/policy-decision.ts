/**
 * @module bench/policy-decision
 * What one connection's NetworkPolicy decision costs with 10 versus 1,000
 * policies in the cluster, most of them selecting neither pod of the
 * connection: the real PolicyEngine's `decide` (and the dataplane's policy
 * hook around it, what every connection attempt on the pod network calls).
 *
 * Both clusters hold the same 500 pods in 20 namespaces. The decided
 * connections are between pods of namespace `shop` (web -> api, api -> db,
 * other namespaces -> api, web -> an outside IP), on allowed and dropped
 * ports, TCP and UDP; the same six policies select those pods in both
 * clusters. The rest (4 in the small cluster, 994 in the large one) select
 * other pods: half of them in `shop` itself with selectors no decided pod
 * matches, half in the other namespaces, with peers that name `shop` pods.
 * Decisions are checked to be identical in both clusters. Warm figures (maps
 * compiled; best of 9 alternating rounds) are the goal; the first decisions on a freshly built engine
 * (maps cold) are printed too. Prints both costs and the ratio (goal <= 2).
 *
 *   node --import tsx bench/policy-decision.ts [--small=10] [--large=1000] [--iterations=50000]
 */
import { performance } from 'node:perf_hooks';
import type { NetworkPolicy, NetworkPolicyPeer } from 'kubernetes-types/networking/v1.js';
import { decideFlow } from '../src/dataplane/policy-hook.js';
import type { PolicyRequest } from '../src/dataplane/hooks.js';
import { PolicyEngine, type ClusterModel, type DecideQuery, type NamespaceInfo, type PodInfo } from '../src/policy/index.js';
import { seededRandom } from '../src/testing/rng.js';

function arg(name: string, dflt: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.slice(name.length + 3));
}
const SMALL = arg('small', 10);
const LARGE = arg('large', 1000);
const ITERATIONS = arg('iterations', 50_000);
const ROUNDS = 9;
const NS_COUNT = 20;
const PODS_PER_NS = 25;

const rng = seededRandom;

const SHOP_APPS = ['web', 'api', 'db'];
const OTHER_APPS = ['frontend', 'backend', 'cache', 'queue', 'worker'];
const nsName = (i: number): string => (i === 0 ? 'shop' : `team-${i}`);

function basePods(): { namespaces: NamespaceInfo[]; pods: PodInfo[] } {
  const namespaces: NamespaceInfo[] = Array.from({ length: NS_COUNT }, (_, i) => ({
    name: nsName(i),
    labels: { 'kubernetes.io/metadata.name': nsName(i), tier: i === 0 ? 'shop' : i % 2 === 0 ? 'internal' : 'partner' },
  }));
  const pods: PodInfo[] = [];
  for (let n = 0; n < NS_COUNT; n++) {
    for (let k = 0; k < PODS_PER_NS; k++) {
      const apps = n === 0 ? SHOP_APPS : OTHER_APPS;
      const app = apps[k % apps.length] as string;
      pods.push({
        namespace: nsName(n),
        name: `${app}-${k}`,
        labels: { app, instance: `i${k}` },
        ip: `10.244.${n}.${k + 10}`,
        nodeIP: `127.0.10.${2 + (k % 3)}`,
        ports: [
          { name: 'http', containerPort: 8080, protocol: 'TCP' },
          { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
          { name: 'dns', containerPort: 53, protocol: 'UDP' },
        ],
      });
    }
  }
  return { namespaces, pods };
}

const np = (namespace: string, name: string, spec: NetworkPolicy['spec']): NetworkPolicy => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec });

/** The six policies that select the decided pods (the same in both clusters). */
function deciding(): NetworkPolicy[] {
  return [
    np('shop', 'default-deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
    np('shop', 'web-to-api', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'http' }] }],
    }),
    np('shop', 'api-from-partners', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { tier: 'partner' } } }], ports: [{ protocol: 'TCP', port: 8000, endPort: 8100 }] }],
    }),
    np('shop', 'web-egress', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 8080 }] },
        { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }], ports: [{ port: 443 }] },
      ],
    }),
    np('shop', 'api-to-db', {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'db'] }] },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 5432 }, { port: 8080 }] }],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }, { ports: [{ protocol: 'UDP', port: 53 }] }],
    }),
    np('shop', 'metrics', {
      podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { tier: 'internal' } }, podSelector: { matchLabels: { app: 'worker' } } }], ports: [{ port: 'metrics' }] }],
    }),
  ];
}

/** `n` policies selecting no decided pod, half in shop (selectors no shop pod matches), half elsewhere. */
function background(n: number, seed: number): NetworkPolicy[] {
  const r = rng(seed);
  const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(r() * xs.length)] as T;
  const peer = (): NetworkPolicyPeer =>
    pick<NetworkPolicyPeer>([
      { podSelector: { matchLabels: { app: pick([...SHOP_APPS, ...OTHER_APPS]) } } },
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }, podSelector: { matchLabels: { app: pick(SHOP_APPS) } } },
      { namespaceSelector: { matchLabels: { tier: pick(['partner', 'internal']) } } },
      { ipBlock: { cidr: '10.244.0.0/16', except: [`10.244.${Math.floor(r() * NS_COUNT)}.0/24`] } },
    ]);
  const out: NetworkPolicy[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 2 === 0) {
      // In shop, selecting pods that do not exist there (no decided pod is selected).
      out.push(
        np('shop', `bg-${i}`, {
          podSelector: i % 4 === 0 ? { matchLabels: { app: `batch-${i}` } } : { matchExpressions: [{ key: 'job', operator: 'In', values: [`j${i}`] }] },
          ingress: [{ from: [peer(), peer()], ports: [{ port: 8080 }, { port: 'http' }] }],
          egress: [{ to: [peer()] }],
        }),
      );
    } else {
      const ns = nsName(4 + Math.floor(r() * (NS_COUNT - 4)));
      out.push(
        np(ns, `bg-${i}`, {
          podSelector: pick([{}, { matchLabels: { app: pick(OTHER_APPS) } }, { matchExpressions: [{ key: 'instance', operator: 'NotIn', values: ['i0', 'i1'] }] }]),
          policyTypes: pick([['Ingress'], ['Egress'], ['Ingress', 'Egress']]),
          ingress: [{ from: [peer()], ports: [{ port: pick([8080, 9090, 'http']) }] }],
          egress: [{ to: [peer(), peer()], ports: [{ port: 8080 }, { protocol: 'UDP', port: 53 }] }],
        }),
      );
    }
  }
  return out;
}

function model(backgroundPolicies: number): ClusterModel {
  const { namespaces, pods } = basePods();
  return { namespaces, pods, policies: [...deciding(), ...background(backgroundPolicies, 7)] };
}

/** The decided connections: shop pods with each other, others into shop, web to the outside. */
function queries(pods: ReadonlyArray<PodInfo>): DecideQuery[] {
  const shop = (app: string): PodInfo[] => pods.filter((p) => p.namespace === 'shop' && p.labels['app'] === app);
  const web = shop('web');
  const api = shop('api');
  const db = shop('db');
  const partners = pods.filter((p) => p.namespace === 'team-1' || p.namespace === 'team-3');
  const workers = pods.filter((p) => p.namespace === 'team-2' && p.labels['app'] === 'worker');
  const ref = (p: PodInfo) => ({ kind: 'pod' as const, namespace: p.namespace, name: p.name });
  const out: DecideQuery[] = [];
  for (let i = 0; i < 8; i++) {
    const w = web[i % web.length] as PodInfo;
    const a = api[(i * 3) % api.length] as PodInfo;
    const d = db[(i * 5) % db.length] as PodInfo;
    const p = partners[(i * 7) % partners.length] as PodInfo;
    const k = workers[i % workers.length] as PodInfo;
    out.push(
      { src: ref(w), dst: ref(a), port: 8080, protocol: 'TCP' }, // allowed
      { src: ref(w), dst: ref(a), port: 9090, protocol: 'TCP' }, // dropped (web egress)
      { src: ref(a), dst: ref(d), port: 5432, protocol: 'TCP' }, // allowed
      { src: ref(w), dst: ref(d), port: 5432, protocol: 'TCP' }, // dropped
      { src: ref(p), dst: ref(a), port: 8042, protocol: 'TCP' }, // allowed (partner range)
      { src: ref(p), dst: ref(d), port: 8042, protocol: 'TCP' }, // dropped
      { src: ref(k), dst: ref(d), port: 9090, protocol: 'TCP' }, // allowed (metrics)
      { src: ref(a), dst: ref(k), port: 53, protocol: 'UDP' }, // allowed (api egress DNS)
      { src: ref(w), dst: { kind: 'ip', ip: `93.184.${i}.34` }, port: 443, protocol: 'TCP' }, // allowed
      { src: ref(w), dst: { kind: 'ip', ip: `93.184.${i}.34` }, port: 80, protocol: 'TCP' }, // dropped
    );
  }
  return out;
}

/** The same queries as the dataplane asks them (peers with owners), for the hook path. */
function requests(qs: ReadonlyArray<DecideQuery>, e: PolicyEngine): PolicyRequest[] {
  const peer = (ep: DecideQuery['src'], port: number) => {
    if (ep.kind === 'ip') return { ip: ep.ip, port };
    const p = e.getPod(ep);
    if (!p?.ip) throw new Error(`no pod ${ep.namespace}/${ep.name}`);
    return { ip: p.ip, port, owner: { kind: 'pod' as const, namespace: ep.namespace, name: ep.name } };
  };
  return qs.map((q) => ({ protocol: q.protocol === 'UDP' ? 'UDP' : 'TCP', src: peer(q.src, 40000), dst: peer(q.dst, q.port) }));
}

interface Scenario {
  readonly policies: number;
  readonly engine: PolicyEngine;
  readonly qs: DecideQuery[];
  readonly reqs: PolicyRequest[];
  readonly coldUs: number;
  readonly verdicts: string;
}

function scenario(policies: number): Scenario {
  const m = model(policies - deciding().length);
  // Cold: the first decision of each query on a fresh engine compiles the pods'
  // maps; the best of 5 fresh engines is kept (a single pass is a few hundred µs).
  let engine = PolicyEngine.fromModel(m);
  let coldUs = Infinity;
  let verdicts = '';
  for (let k = 0; k < 5; k++) {
    engine = PolicyEngine.fromModel(m);
    const qs = queries(engine.listPods());
    const t0 = performance.now();
    verdicts = qs.map((q) => (engine.decide(q).allowed ? '.' : 'X')).join('');
    coldUs = Math.min(coldUs, ((performance.now() - t0) * 1000) / qs.length);
  }
  const qs = queries(engine.listPods());
  return { policies: m.policies.length, engine, qs, reqs: requests(qs, engine), coldUs, verdicts };
}

/**
 * µs per call of `a` and of `b`: ROUNDS rounds of ITERATIONS calls each,
 * alternating a and b so that machine noise hits both alike; the best round
 * of each (the least disturbed) is kept.
 */
function timePair(a: (i: number) => unknown, b: (i: number) => unknown): [number, number] {
  let sink = 0;
  const round = (f: (i: number) => unknown): number => {
    const t0 = performance.now();
    for (let i = 0; i < ITERATIONS; i++) if (f(i)) sink++;
    return ((performance.now() - t0) * 1000) / ITERATIONS;
  };
  let bestA = Infinity;
  let bestB = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    bestA = Math.min(bestA, round(a));
    bestB = Math.min(bestB, round(b));
  }
  if (sink < 0) console.log(sink);
  return [bestA, bestB];
}

// A throwaway pair first, so that the cold figures below do not include JIT warm-up.
for (const n of [SMALL, LARGE]) {
  const w = scenario(n);
  for (let i = 0; i < 20_000; i++) decideFlow(w.engine, w.reqs[i % w.reqs.length] as PolicyRequest);
}
const small = scenario(SMALL);
const large = scenario(LARGE);
const pods = small.engine.listPods().length;
const selecting = deciding().length;
console.log(`policy decision: ${pods} pods in ${NS_COUNT} namespaces; ${small.qs.length} connections between shop pods (and in/out of shop), all selected by the same ${selecting} policies`);
console.log(`  small cluster: ${small.policies} policies; large cluster: ${large.policies} policies (${large.policies - selecting} select none of the decided pods)`);
if (small.verdicts !== large.verdicts) {
  console.log(`  DECISIONS DIFFER: ${small.verdicts} vs ${large.verdicts}`);
  process.exitCode = 1;
}
console.log(`  verdicts (. allowed, X dropped): ${small.verdicts}`);

const decide = (s: Scenario) => (i: number) => s.engine.decide(s.qs[i % s.qs.length] as DecideQuery).allowed;
const hook = (s: Scenario) => (i: number) => decideFlow(s.engine, s.reqs[i % s.reqs.length] as PolicyRequest).verdict === 'allow';
timePair(decide(small), decide(large)); // JIT warm-up
const [decSmall, decLarge] = timePair(decide(small), decide(large));
const [hookSmall, hookLarge] = timePair(hook(small), hook(large));

const us = (x: number): string => `${x.toFixed(3).padStart(8)} µs`;
console.log(`engine.decide, ${String(small.policies).padStart(5)} policies: ${us(decSmall)} per decision (first decision, maps cold: ${us(small.coldUs)})`);
console.log(`engine.decide, ${String(large.policies).padStart(5)} policies: ${us(decLarge)} per decision (first decision, maps cold: ${us(large.coldUs)})`);
console.log(`dataplane hook, ${String(small.policies).padStart(4)} policies: ${us(hookSmall)} per connection`);
console.log(`dataplane hook, ${String(large.policies).padStart(4)} policies: ${us(hookLarge)} per connection`);
const ratio = decLarge / decSmall;
const hookRatio = hookLarge / hookSmall;
console.log(`ratio ${large.policies}/${small.policies} policies: decide ${ratio.toFixed(2)}, hook ${hookRatio.toFixed(2)} (goal <= 2): ${ratio <= 2 && hookRatio <= 2 ? 'met' : 'MISSED'}`);
console.log(`  (cold first decisions: ratio ${(large.coldUs / small.coldUs).toFixed(2)}; maps are compiled once per pod identity and kept until a policy selecting it changes)`);
