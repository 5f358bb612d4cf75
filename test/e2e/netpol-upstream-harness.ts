/**
 * The upstream Kubernetes e2e NetworkPolicy model (test/e2e/network/netpol) run
 * through the real kubectl against a kwire test cluster. Shared by the
 * `netpol-upstream*.test.ts` files, each running one shard of the cases on its
 * own cluster so that shards can run side by side: the upstream suite's cases
 * in two files, kwire's extra cases in the same style in a third.
 *
 * As upstream: namespaces x, y, z (labelled ns=<name>), pods a, b, c in each
 * running agnhost on 80/81 TCP and UDP (one container per port x protocol,
 * `cont-<port>-<proto>`), a Service `s-<ns>-<pod>` per pod. A case applies its
 * policies and label changes with `kubectl apply` / `kubectl label` /
 * `kubectl delete`, then every probe of the case is, for every (from, to) pair
 * of the nine pods, exactly upstream's probe:
 *
 *   kubectl exec -n <from ns> <from pod> -c cont-<port>-<proto> --
 *     /agnhost connect <to's Service IP>:<port> --timeout=1s --protocol=<proto>
 *
 * (upstream's probeWorker dials `job.PodTo.ServiceIP`). Exit 0 is "connected";
 * `TIMEOUT` is "blocked" (a dropped packet); anything else (REFUSED, a kubectl
 * error) is recorded as unknown and fails the cell, which is stricter than
 * upstream (it counts any failure as blocked). Like upstream's ValidateOrFail,
 * cells that come out wrong are probed a second time before the case fails;
 * every second try is reported as a test diagnostic. The whole 9x9 truth table
 * is compared, loopback included (upstream ignores loopback). Policies are
 * deleted and labels restored after every case.
 *
 * kubectl is the versioned binary matching the cluster (kubectl.1.31, what the
 * PATH `kubectl` dispatcher would pick after a second Go process start per
 * call), run with GOMAXPROCS=1 GOGC=off: ~6,800 execs are CPU-bound, and both
 * together halve the CPU per exec. SCTP cases are left out: kwire
 * does not emulate SCTP (agnhost connect says so).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Namespace, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { startTestCluster, type TestCluster } from '../../src/testing/test-cluster.js';
import { kubectlBinary, run, type RunResult } from '../../src/testing/kubectl.js';
import {
  UPSTREAM_CASES,
  UPSTREAM_NAMESPACES,
  UPSTREAM_POD_NAMES,
  materializeCase,
  printTruthTable,
  upstreamManifests,
  upstreamPodStrings,
  type CaseAction,
  type MaterializedCase,
  type NetpolCase,
  type Protocol,
  type TruthTable,
} from '../../src/policy/index.js';

/** The cluster's Kubernetes version, and so the kubectl client used. */
const KUBERNETES_VERSION = '1.31';
/** kubectl execs in flight at once. */
const CONCURRENCY = 16;
const PROBE_TIMEOUT = '1s';
const NS_NAME_LABEL = 'kubernetes.io/metadata.name';

/** The cases of one origin this suite runs: every one whose probes kwire can make (no SCTP). */
export function e2eCases(origin: NetpolCase['origin']): NetpolCase[] {
  return UPSTREAM_CASES.filter((c) => c.origin === origin && !c.protocols.includes('SCTP'));
}

/** Rough wall cost of a case: exec CPU per cell plus the 1 s waits of blocked cells. */
function estimatedCost(c: NetpolCase): number {
  let cost = 0;
  for (const s of materializeCase(c).steps) {
    for (const p of s.probes) {
      const blocked = p.expected.values.flat().filter((v) => v === false).length;
      cost += 81 * 0.045 + (blocked * 1.0) / CONCURRENCY;
    }
  }
  return cost;
}

/** Polls `f` until it returns a value (errors count as "not yet"), for at most `ms`. */
async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms: number): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Splits the cases of an origin into `shards` groups of similar cost (deterministic), and returns group `shard`. */
export function shardCases(origin: NetpolCase['origin'], shard: number, shards: number): NetpolCase[] {
  const cases = e2eCases(origin);
  const order = cases.map((c, i) => ({ c, i, cost: estimatedCost(c) })).sort((a, b) => b.cost - a.cost || a.i - b.i);
  const load = Array.from({ length: shards }, () => 0);
  const mine = new Set<number>();
  for (const o of order) {
    let k = 0;
    for (let j = 1; j < shards; j++) if ((load[j] as number) < (load[k] as number)) k = j;
    load[k] = (load[k] as number) + o.cost;
    if (k === shard) mine.add(o.i);
  }
  return cases.filter((_, i) => mine.has(i));
}

type Outcome = { readonly kind: 'connected' } | { readonly kind: 'timeout' } | { readonly kind: 'error'; readonly text: string };

interface Cell {
  readonly from: string;
  readonly to: string;
  readonly i: number;
  readonly j: number;
}

/** Runs `work` over `items` with at most `n` in flight. */
async function pool<T, R>(items: ReadonlyArray<T>, n: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      for (;;) {
        const k = next++;
        if (k >= items.length) return;
        out[k] = await work(items[k] as T);
      }
    }),
  );
  return out;
}

const split = (s: string): { ns: string; pod: string } => {
  const [ns = '', pod = ''] = s.split('/');
  return { ns, pod };
};

function outcomeOf(r: RunResult): Outcome {
  if (r.code === 0) return { kind: 'connected' };
  const text = `${r.stdout}${r.stderr}`.trim();
  // kubectl relays the container's stderr then says how the command ended.
  if (r.code === 1 && /^TIMEOUT\b/m.test(r.stderr) && /command terminated with exit code 1/.test(r.stderr)) return { kind: 'timeout' };
  return { kind: 'error', text: `exit ${r.code}: ${text}` };
}

const cellValue = (o: Outcome): boolean | null => (o.kind === 'connected' ? true : o.kind === 'timeout' ? false : null);

/** The running model: the cluster, its pods' and Services' IPs, and the kubectl runner. */
class Model {
  readonly podIPs = new Map<string, string>();
  readonly serviceIPs = new Map<string, string>();
  /** Cells that were wrong at the first try and right at the second (upstream's SECOND TRY). */
  secondTries = 0;
  probes = 0;

  private readonly bin = kubectlBinary(KUBERNETES_VERSION);
  private readonly env: NodeJS.ProcessEnv;

  constructor(readonly c: TestCluster) {
    // As TestCluster.kubectl, plus Go runtime settings for a short-lived client
    // (one P, no GC): about a fifth less CPU per exec, the same kubectl.
    this.env = { ...process.env, KUBECONFIG: c.kubeconfig, HOME: c.dir, GOMAXPROCS: '1', GOGC: 'off' };
  }

  kubectl(args: ReadonlyArray<string>, input?: string): Promise<RunResult> {
    return run(this.bin, [`--cache-dir=${join(this.c.dir, 'kube-cache', KUBERNETES_VERSION)}`, ...args], { env: this.env, input, timeoutMs: 60_000 });
  }

  async ok(args: ReadonlyArray<string>, input?: string): Promise<string> {
    const r = await this.kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  }

  async setUp(): Promise<void> {
    const items = upstreamManifests(['TCP', 'UDP']);
    const out = await this.ok(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    assert.equal(out.trim().split('\n').length, items.length, out);
    const pods = await waitFor(
      'the nine model pods to be Ready',
      async () => {
        const list = JSON.parse(await this.ok(['get', 'pods', '-A', '-l', 'pod', '-o', 'json'])) as { items: Pod[] };
        const ready = list.items.filter((p) => p.status?.podIP && p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
        return ready.length === 9 ? ready : undefined;
      },
      60_000,
    );
    for (const p of pods) this.podIPs.set(`${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`, p.status?.podIP ?? '');
    const svcs = JSON.parse(await this.ok(['get', 'services', '-A', '-o', 'json'])) as { items: Service[] };
    for (const s of svcs.items) {
      const m = /^s-([xyz])-([abc])$/.exec(s.metadata?.name ?? '');
      if (m && s.spec?.clusterIP) this.serviceIPs.set(`${m[1]}/${m[2]}`, s.spec.clusterIP);
    }
    assert.equal(this.serviceIPs.size, 9, `Service IPs: ${JSON.stringify([...this.serviceIPs])}`);
    // Every Service has its pod as a ready endpoint on all four ports.
    await waitFor(
      'the model EndpointSlices',
      async () => {
        const list = JSON.parse(await this.ok(['get', 'endpointslices', '-A', '-o', 'json'])) as { items: EndpointSlice[] };
        const ready = new Set<string>();
        for (const es of list.items) {
          const svc = es.metadata?.labels?.['kubernetes.io/service-name'] ?? '';
          const m = /^s-([xyz])-([abc])$/.exec(svc);
          if (!m || (es.ports ?? []).length !== 4) continue;
          const key = `${m[1]}/${m[2]}`;
          if (es.endpoints.some((e) => e.conditions?.ready !== false && e.addresses.includes(this.podIPs.get(key) ?? '-'))) ready.add(key);
        }
        return ready.size === 9 ? ready : undefined;
      },
      60_000,
    );
  }

  podIP(ns: string, pod: string): string {
    const ip = this.podIPs.get(`${ns}/${pod}`);
    if (!ip) throw new Error(`no IP for ${ns}/${pod}`);
    return ip;
  }

  /** One upstream probe, through kubectl exec. */
  async probe(from: string, to: string, port: number, protocol: Protocol): Promise<Outcome> {
    const f = split(from);
    const proto = protocol.toLowerCase();
    const addr = this.serviceIPs.get(to);
    if (!addr) throw new Error(`no Service IP for ${to}`);
    this.probes++;
    const r = await this.kubectl(['exec', '-n', f.ns, f.pod, '-c', `cont-${port}-${proto}`, '--', '/agnhost', 'connect', `${addr}:${port}`, `--timeout=${PROBE_TIMEOUT}`, `--protocol=${proto}`]);
    return outcomeOf(r);
  }

  async applyAction(a: CaseAction): Promise<void> {
    switch (a.kind) {
      case 'apply-policy': {
        const out = await this.ok(['apply', '-f', '-'], JSON.stringify(a.policy));
        assert.match(out, new RegExp(`^networkpolicy\\.networking\\.k8s\\.io/${a.policy.metadata?.name ?? ''} (created|configured|unchanged)$`, 'm'));
        return;
      }
      case 'delete-policy':
        assert.match(await this.ok(['delete', 'networkpolicy', '-n', a.namespace, a.name]), /deleted/);
        return;
      case 'delete-all-policies':
        await this.ok(['delete', 'networkpolicies', '--all', '--all-namespaces']);
        return;
      case 'set-pod-labels':
        await this.setLabels(['pod', '-n', a.namespace, a.pod], a.labels);
        return;
      case 'set-namespace-labels':
        await this.setLabels(['namespace', a.namespace], a.labels);
        return;
      default: {
        const never: never = a;
        throw new Error(`unknown case action ${JSON.stringify(never)}`);
      }
    }
  }

  /** Makes an object's labels exactly `want` with one `kubectl label` (kubernetes.io/metadata.name is the API server's). */
  async setLabels(target: string[], want: Readonly<Record<string, string>>): Promise<void> {
    const obj = JSON.parse(await this.ok(['get', ...target, '-o', 'json'])) as Pod | Namespace;
    const have = obj.metadata?.labels ?? {};
    const args: string[] = [];
    for (const [k, v] of Object.entries(want)) if (have[k] !== v && k !== NS_NAME_LABEL) args.push(`${k}=${v}`);
    for (const k of Object.keys(have)) if (!(k in want) && k !== NS_NAME_LABEL) args.push(`${k}-`);
    if (args.length === 0) return;
    assert.match(await this.ok(['label', ...target, '--overwrite', ...args]), /labeled|unlabeled/);
  }

  /** Back to the model's baseline: no policies, the original labels. */
  async reset(): Promise<void> {
    await this.ok(['delete', 'networkpolicies', '--all', '--all-namespaces']);
    const pods = JSON.parse(await this.ok(['get', 'pods', '-A', '-l', 'pod', '-o', 'json'])) as { items: Pod[] };
    for (const p of pods.items) {
      const name = p.metadata?.name ?? '';
      const want = { pod: name };
      if (JSON.stringify(p.metadata?.labels ?? {}) !== JSON.stringify(want)) await this.setLabels(['pod', '-n', p.metadata?.namespace ?? '', name], want);
    }
    const nss = JSON.parse(await this.ok(['get', 'namespaces', ...UPSTREAM_NAMESPACES, '-o', 'json'])) as { items: Namespace[] };
    for (const n of nss.items) {
      const name = n.metadata?.name ?? '';
      const want = { ns: name, [NS_NAME_LABEL]: name };
      const have = n.metadata?.labels ?? {};
      if (Object.keys(have).length !== 2 || have['ns'] !== name) await this.setLabels(['namespace', name], want);
    }
    const left = await this.ok(['get', 'networkpolicies', '--all-namespaces', '-o', 'name']);
    assert.equal(left.trim(), '', 'no policy is left after a case');
  }

  /** Probes every (from, to) of one port/protocol and returns the table and each cell's outcome. */
  async probeTable(port: number, protocol: Protocol, expected: TruthTable, log: (s: string) => void): Promise<{ table: TruthTable; outcomes: Outcome[][] }> {
    const pods = upstreamPodStrings();
    const cells: Cell[] = pods.flatMap((from, i) => pods.map((to, j) => ({ from, to, i, j })));
    const outcomes: Outcome[][] = pods.map(() => pods.map((): Outcome => ({ kind: 'error', text: 'not probed' })));
    const results = await pool(cells, CONCURRENCY, (c) => this.probe(c.from, c.to, port, protocol));
    cells.forEach((c, k) => ((outcomes[c.i] as Outcome[])[c.j] = results[k] as Outcome));
    const wrong = (c: Cell): boolean => cellValue((outcomes[c.i] as Outcome[])[c.j] as Outcome) !== (expected.values[c.i]?.[c.j] ?? null);
    const retry = cells.filter(wrong);
    if (retry.length > 0) {
      // Upstream's ValidateOrFail probes a second time when the first try had wrong results.
      log(`${protocol}/${port}: ${retry.length} wrong cell(s) at the first try, probing them again: ${retry.map((c) => `${c.from}->${c.to} (${describeOutcome(outcomes[c.i]?.[c.j])})`).join(', ')}`);
      const again = await pool(retry, CONCURRENCY, (c) => this.probe(c.from, c.to, port, protocol));
      retry.forEach((c, k) => ((outcomes[c.i] as Outcome[])[c.j] = again[k] as Outcome));
      this.secondTries += retry.filter((c) => !wrong(c)).length;
    }
    return { table: { froms: pods, tos: pods, values: outcomes.map((row) => row.map(cellValue)) }, outcomes };
  }
}

const cpuSeconds = (u: NodeJS.CpuUsage): string => ((u.user + u.system) / 1e6).toFixed(1);

function describeOutcome(o: Outcome | undefined): string {
  if (!o) return 'none';
  return o.kind === 'error' ? o.text.split('\n').join(' | ') : o.kind;
}

/** Runs one materialised case; returns the failure report, or undefined when every table matched. */
async function runCase(m: Model, c: MaterializedCase, log: (s: string) => void): Promise<string | undefined> {
  const failures: string[] = [];
  for (const [k, s] of c.steps.entries()) {
    for (const a of s.actions) await m.applyAction(a);
    for (const p of s.probes) {
      const { table, outcomes } = await m.probeTable(p.port, p.protocol, p.expected, log);
      const wrong: string[] = [];
      p.expected.froms.forEach((from, i) =>
        p.expected.tos.forEach((to, j) => {
          const want = p.expected.values[i]?.[j] ?? null;
          const got = table.values[i]?.[j] ?? null;
          if (want !== got) wrong.push(`${from}->${to}: want ${want === true ? 'connected' : 'blocked'}, got ${describeOutcome(outcomes[i]?.[j])}`);
        }),
      );
      if (wrong.length > 0) {
        failures.push(
          [
            `step ${k + 1} (${s.description}) ${p.protocol}/${p.port}: ${wrong.length} wrong cell(s)`,
            ...wrong.map((w) => `  ${w}`),
            'expected:',
            printTruthTable(p.expected, '  '),
            'observed:',
            printTruthTable(table, '  '),
          ].join('\n'),
        );
      }
    }
  }
  return failures.length > 0 ? failures.join('\n\n') : undefined;
}

/**
 * Registers the tests of one shard of the cases of `origin` ('upstream': the
 * upstream suite's own; 'kwire': the extras in its style): a cluster for the
 * file, one test per case.
 */
export function netpolUpstreamShard(origin: NetpolCase['origin'], shard: number, shards: number): void {
  const cases = shardCases(origin, shard, shards);
  const label = `${origin} cases, shard ${shard + 1}/${shards}`;
  let m: Model | undefined;
  let t0 = 0;
  let cpu0: NodeJS.CpuUsage = { user: 0, system: 0 };
  before(async () => {
    t0 = Date.now();
    cpu0 = process.cpuUsage();
    const c = await startTestCluster({ kubernetesVersion: KUBERNETES_VERSION });
    m = new Model(c);
    try {
      await m.setUp();
    } catch (e) {
      await c.stop();
      m = undefined;
      throw e;
    }
  });
  after(async () => {
    if (m) await m.c.stop();
  });

  test(`${label}: the model pods run agnhost`, () => {
    assert.ok(m, 'the cluster is up');
    assert.ok(cases.length > 0);
    assert.equal(m.podIPs.size, UPSTREAM_NAMESPACES.length * UPSTREAM_POD_NAMES.length);
  });

  for (const nc of cases) {
    test(`[${nc.origin}] ${nc.name}`, { timeout: 300_000 }, async (t) => {
      assert.ok(m, 'the cluster is up');
      const model = m;
      const started = Date.now();
      const mc = materializeCase(nc, { podIP: (ns, pod) => model.podIP(ns, pod) });
      try {
        const failure = await runCase(model, mc, (s) => t.diagnostic(s));
        assert.equal(failure, undefined, failure);
      } finally {
        await model.reset();
        t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    });
  }

  test(`${label}: every probe went through kubectl exec`, (t) => {
    assert.ok(m, 'the cluster is up');
    const tables = cases.reduce((n, c) => n + materializeCase(c).steps.reduce((k, s) => k + s.probes.length, 0), 0);
    assert.ok(m.probes >= tables * 81, `${m.probes} probes for ${tables} tables of 81 cells`);
    t.diagnostic(`${cases.length} cases, ${tables} truth tables, ${m.probes} kubectl exec probes, ${m.secondTries} cell(s) right only at the second try, ${((Date.now() - t0) / 1000).toFixed(1)} s since the cluster started (kwire's process: ${cpuSeconds(process.cpuUsage(cpu0))} s CPU)`);
  });
}
