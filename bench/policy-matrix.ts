/**
 * @module bench/policy-matrix
 * The NetworkPolicy engine against the naive evaluator: a who-can-reach-whom
 * matrix over 1,000 pods in 20 namespaces under 500 policies (a seeded,
 * reproducible mix: default-deny, same-app, namespace-selector, named-port,
 * port-range, ipBlock and DNS-egress policies). The compiled engine computes
 * the full 1,000 x 1,000 table; the naive evaluator, which re-checks every
 * policy for every pair, computes a sample of rows (`--rows`) and its time is
 * extrapolated to the full table. Both agree on the sampled rows (checked).
 * Also times building the engine and single decisions. Prints times and ratio.
 *
 *   node --import tsx bench/policy-matrix.ts [--pods=1000] [--namespaces=20] [--policies=500] [--rows=50] [--port=8080]
 */
import { performance } from 'node:perf_hooks';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import { NaiveEvaluator, PolicyEngine, type ClusterModel, type NamespaceInfo, type PodInfo } from '../src/policy/index.js';
import { seededRandom } from '../src/testing/rng.js';

function arg(name: string, dflt: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.slice(name.length + 3));
}
const POD_COUNT = arg('pods', 1000);
const NS_COUNT = arg('namespaces', 20);
const POLICY_COUNT = arg('policies', 500);
const SAMPLE_ROWS = arg('rows', 50);
const PORT = arg('port', 8080);

const rng = seededRandom;
const r = rng(42);
const int = (n: number): number => Math.floor(r() * n);
const pick = <T>(xs: ReadonlyArray<T>): T => xs[int(xs.length)] as T;

const APPS = ['web', 'api', 'db', 'cache', 'queue', 'worker', 'auth', 'search', 'billing', 'mail'];
const TIERS = ['front', 'back', 'data'];
const TEAMS = ['red', 'blue', 'green', 'gold'];

function buildModel(): ClusterModel {
  const namespaces: NamespaceInfo[] = Array.from({ length: NS_COUNT }, (_, i) => ({
    name: `ns-${i}`,
    labels: { 'kubernetes.io/metadata.name': `ns-${i}`, team: TEAMS[i % TEAMS.length] as string, env: i % 3 === 0 ? 'prod' : 'dev' },
  }));
  const pods: PodInfo[] = Array.from({ length: POD_COUNT }, (_, i) => {
    const app = pick(APPS);
    return {
      namespace: `ns-${i % NS_COUNT}`,
      name: `${app}-${i}`,
      labels: { app, tier: pick(TIERS), version: `v${int(3)}` },
      ip: `10.244.${Math.floor(i / 250)}.${(i % 250) + 2}`,
      nodeIP: `127.0.10.${2 + (i % 3)}`,
      ports: [
        { name: 'http', containerPort: 8080 },
        { name: 'metrics', containerPort: 9090 },
      ],
    };
  });
  const policies: NetworkPolicy[] = [];
  for (let i = 0; i < POLICY_COUNT; i++) {
    const ns = `ns-${int(NS_COUNT)}`;
    const app = pick(APPS);
    const kind = i % 7;
    const peer = (): NetworkPolicyPeer =>
      pick<NetworkPolicyPeer>([
        { podSelector: { matchLabels: { app: pick(APPS) } } },
        { namespaceSelector: { matchLabels: { team: pick(TEAMS) } } },
        { namespaceSelector: { matchLabels: { env: 'prod' } }, podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: [pick(TIERS), pick(TIERS)] }] } },
        { ipBlock: { cidr: '10.244.0.0/16', except: [`10.244.${int(4)}.0/24`] } },
      ]);
    const port = (): NetworkPolicyPort => pick<NetworkPolicyPort>([{ port: 8080 }, { port: 'http' }, { port: 8000, endPort: 8100 }, { port: 9090 }, { protocol: 'UDP', port: 53 }]);
    let spec: NetworkPolicy['spec'];
    switch (kind) {
      case 0:
        spec = { podSelector: {}, policyTypes: ['Ingress'] };
        break;
      case 1:
        spec = { podSelector: { matchLabels: { app } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: pick(APPS) } } }], ports: [port()] }] };
        break;
      case 2:
        spec = { podSelector: { matchLabels: { app } }, ingress: [{ from: [peer(), peer()], ports: [port(), port()] }] };
        break;
      case 3:
        spec = {
          podSelector: { matchLabels: { tier: pick(TIERS) } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }] }, { to: [peer()], ports: [port()] }],
        };
        break;
      case 4:
        spec = { podSelector: { matchExpressions: [{ key: 'version', operator: 'NotIn', values: ['v0'] }] }, ingress: [{ from: [peer()] }, { ports: [port()] }] };
        break;
      case 5:
        spec = { podSelector: { matchLabels: { app, tier: pick(TIERS) } }, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [peer()], ports: [port()] }], egress: [{ to: [peer(), peer()] }] };
        break;
      default:
        spec = { podSelector: { matchLabels: { app } }, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: pick(APPS) } } }], ports: [{ port: 'http' }, { port: 'metrics' }] }] };
    }
    policies.push({ metadata: { namespace: ns, name: `p-${i}` }, spec });
  }
  return { namespaces, pods, policies };
}

function ms(t: number): string {
  return `${t.toFixed(1)} ms`;
}

const model = buildModel();
console.log(`policy matrix: ${model.pods.length} pods, ${model.namespaces.length} namespaces, ${model.policies.length} policies, TCP/${PORT}`);

let t0 = performance.now();
const engine = PolicyEngine.fromModel(model);
const buildMs = performance.now() - t0;

t0 = performance.now();
const m = engine.matrix({ ports: [PORT], protocols: ['TCP'] });
const engineMs = performance.now() - t0;
const table = m.tables[0]?.table;
if (!table) throw new Error('no table');
let allowed = 0;
for (const row of table.values) for (const v of row) if (v) allowed++;

// A second matrix after the maps are warm (the first one builds them lazily).
t0 = performance.now();
engine.matrix({ ports: [PORT], protocols: ['TCP'] });
const engineWarmMs = performance.now() - t0;

const naive = new NaiveEvaluator(model);
const rows = Math.min(SAMPLE_ROWS, model.pods.length);
const index = new Map(m.pods.map((p, i) => [p, i]));
const pods = engine.listPods();
t0 = performance.now();
let mismatches = 0;
for (let i = 0; i < rows; i++) {
  const src = pods[Math.floor((i * pods.length) / rows)] as PodInfo;
  const si = index.get(`${src.namespace}/${src.name}`) as number;
  for (const dst of pods) {
    const d = naive.decide({ src: { kind: 'pod', namespace: src.namespace, name: src.name }, dst: { kind: 'pod', namespace: dst.namespace, name: dst.name }, port: PORT, protocol: 'TCP' });
    if (d.allowed !== table.values[si]?.[index.get(`${dst.namespace}/${dst.name}`) as number]) mismatches++;
  }
}
const naiveSampleMs = performance.now() - t0;
const naiveFullMs = (naiveSampleMs * pods.length) / rows;

// Single decisions with full Decision objects (what the dataplane asks per connection).
const N = 100_000;
t0 = performance.now();
for (let i = 0; i < N; i++) {
  const s = pods[i % pods.length] as PodInfo;
  const d = pods[(i * 7919) % pods.length] as PodInfo;
  engine.decide({ src: { kind: 'pod', namespace: s.namespace, name: s.name }, dst: { kind: 'pod', namespace: d.namespace, name: d.name }, port: PORT });
}
const decideUs = ((performance.now() - t0) * 1000) / N;

const st = engine.stats();
console.log(`engine build:            ${ms(buildMs)} (${st.identities} identities, ${st.selectors} selections)`);
console.log(`engine matrix (cold):    ${ms(engineMs)} for ${pods.length * pods.length} pairs (${allowed} allowed)`);
console.log(`engine matrix (warm):    ${ms(engineWarmMs)}`);
console.log(`engine decide():         ${decideUs.toFixed(2)} µs per connection`);
console.log(`naive, ${rows} rows:        ${ms(naiveSampleMs)} -> full matrix ~${ms(naiveFullMs)} (extrapolated)`);
console.log(`ratio naive/engine:      ${(naiveFullMs / engineMs).toFixed(1)}x (cold), ${(naiveFullMs / engineWarmMs).toFixed(1)}x (warm)`);
console.log(`sampled rows agree:      ${mismatches === 0 ? 'yes' : `NO, ${mismatches} cells differ`}`);
if (mismatches > 0) process.exitCode = 1;
