/**
 * @module bench/service-proxy-update
 * The service proxy's incremental update: time from one endpoint change (an
 * EndpointSlice update flipping one endpoint's readiness) to the routing
 * tables answering with it (tracker record -> sync() -> resolve()), with 100
 * and with 10,000 Services in the proxy. kube-proxy's change trackers make this
 * O(the changed Service), so the two figures should be close: the goal is a
 * ratio below 2. Each Service has two ports and `--endpoints` endpoints.
 *
 * A third run keeps 10,000 Services but confines the changes to 100 of them:
 * it separates the algorithm (the table size) from the memory hierarchy (one
 * random Service's state out of 10,000 is cold in the CPU caches). Means
 * include garbage-collection pauses; medians do not.
 *
 * `--flush-mb=N` reads N MiB before each change (untimed), so that every change
 * finds the caches as cold as a live process does between two EndpointSlice
 * events, at both sizes alike (the loop otherwise keeps 100 Services' state hot
 * in L1/L2, which no cluster does). It is slow: use a few thousand updates.
 *
 *   node --import tsx bench/service-proxy-update.ts [--small=100] [--large=10000] [--updates=20000] [--endpoints=3] [--prebuilt] [--flush-mb=64]
 */
import { performance } from 'node:perf_hooks';
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { ServiceProxy } from '../src/dataplane/service-proxy/index.js';
import { seededRandom } from '../src/testing/rng.js';

function arg(name: string, dflt: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.slice(name.length + 3));
}
const SMALL = arg('small', 100);
const LARGE = arg('large', 10_000);
const UPDATES = arg('updates', 20_000);
const ENDPOINTS = arg('endpoints', 3);
const FRESH = !process.argv.includes('--prebuilt');
const FLUSH = Buffer.alloc(arg('flush-mb', 0) * 1024 * 1024, 1);

/** Kept so the reads in flushCaches are not optimised away. */
let flushSum = 0;
/** Evicts the CPU caches (and TLB) by reading every cache line of FLUSH. */
function flushCaches(): void {
  let sum = 0;
  for (let o = 0; o < FLUSH.length; o += 64) sum += FLUSH[o]!;
  flushSum += sum;
}

const rng = seededRandom;

const clusterIP = (i: number): string => `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;

function service(i: number): Service {
  return {
    metadata: { name: `svc-${i}`, namespace: `ns-${i % 50}` },
    spec: {
      type: 'ClusterIP',
      clusterIP: clusterIP(i + 256),
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'metrics', port: 9100, protocol: 'TCP' },
      ],
    },
  };
}

function slice(i: number, notReady: number): EndpointSlice {
  return {
    metadata: { name: `svc-${i}-abcde`, namespace: `ns-${i % 50}`, labels: { 'kubernetes.io/service-name': `svc-${i}` } },
    addressType: 'IPv4',
    ports: [
      { name: 'http', port: 8080, protocol: 'TCP' },
      { name: 'metrics', port: 9100, protocol: 'TCP' },
    ],
    endpoints: Array.from({ length: ENDPOINTS }, (_, e) => ({
      addresses: [`10.244.${(i * ENDPOINTS + e) >> 8 & 255}.${(i * ENDPOINTS + e) & 255}`],
      conditions: { ready: e !== notReady, serving: e !== notReady, terminating: false },
      nodeName: `node-${e % 3}`,
    })),
  };
}

interface Result {
  readonly services: number;
  readonly buildMs: number;
  readonly updateUs: number;
  readonly p50Us: number;
  readonly p99Us: number;
}

/**
 * `n` Services; each update flips one endpoint of a random Service among the
 * first `hot` (default: all of them). Timed: the slice event reaching the
 * tracker and the sync that folds it. Checked (untimed): a resolve through the
 * Service then answers with a ready endpoint of the new state.
 */
function run(n: number, hot = n): Result {
  const proxy = new ServiceProxy({ random: rng(1) });
  const t0 = performance.now();
  // Every Service's slice in each readiness variant, built up front so the loop
  // allocates nothing of its own (the informer cache would hold them anyway).
  const variants: EndpointSlice[][] = [];
  for (let i = 0; i < n; i++) {
    proxy.onServiceAdd(service(i));
    const v = [slice(i, -1)];
    for (let e = 0; e < ENDPOINTS; e++) v.push(slice(i, e));
    variants.push(v);
    proxy.onEndpointSliceAdd(v[0]!);
  }
  const current: number[] = new Array<number>(n).fill(0);
  proxy.sync();
  const buildMs = performance.now() - t0;
  const pick = rng(7);
  const samples: number[] = [];
  const warmup = Math.min(2000, UPDATES / 4);
  for (let u = 0; u < UPDATES + warmup; u++) {
    const i = Math.floor(pick() * hot);
    const v = variants[i]!;
    const nextIdx = 1 + (u % ENDPOINTS);
    const prev = v[current[i]!]!;
    const variant = nextIdx === current[i] ? 0 : nextIdx;
    // A fresh object, as a store write hands the watch a new one.
    const next = FRESH ? slice(i, variant - 1) : v[variant]!;
    if (FLUSH.length > 0) flushCaches();
    const start = performance.now();
    proxy.onEndpointSliceUpdate(prev, next);
    proxy.sync();
    const took = performance.now() - start;
    current[i] = variant;
    const r = proxy.resolve({ via: 'clusterIP', dstIp: clusterIP(i + 256), dstPort: 80, protocol: 'TCP', srcIp: '10.244.200.1' });
    const readyIps = (next.endpoints ?? []).filter((e) => e.conditions?.ready === true).map((e) => e.addresses[0]);
    if (r.kind !== 'endpoint' || !readyIps.includes(r.ip)) throw new Error(`svc-${i}: the routing table does not reflect the update (${JSON.stringify(r)})`);
    if (u >= warmup) samples.push(took);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return {
    services: n,
    buildMs,
    updateUs: mean * 1000,
    p50Us: (samples[Math.floor(samples.length / 2)] ?? 0) * 1000,
    p99Us: (samples[Math.floor(samples.length * 0.99)] ?? 0) * 1000,
  };
}

// Run each size twice and keep the second (JIT-warm) measurement.
run(SMALL);
const small = run(SMALL);
run(LARGE);
const large = run(LARGE);
const largeHot = run(LARGE, SMALL);
const fmt = (label: string, r: Result) =>
  `${label.padEnd(34)} ${r.updateUs.toFixed(2).padStart(7)} µs mean ${r.p50Us.toFixed(2).padStart(7)} µs median ${r.p99Us.toFixed(2).padStart(7)} µs p99   (initial sync ${r.buildMs.toFixed(1)} ms)`;
console.log(`endpoint change -> routing update (slice event + sync)${FLUSH.length > 0 ? `, caches flushed before each change (${FLUSH.length >> 20} MiB read)` : ''}:`);
console.log(fmt(`${SMALL} Services`, small));
console.log(fmt(`${LARGE} Services`, large));
console.log(fmt(`${LARGE} Services, changes in ${SMALL} of them`, largeHot));
const ratioMedian = large.p50Us / small.p50Us;
const ratioMean = large.updateUs / small.updateUs;
console.log(`ratio ${LARGE}/${SMALL}: median ${ratioMedian.toFixed(2)}, mean ${ratioMean.toFixed(2)} (goal < 2)`);
console.log(`ratio ${LARGE} (hot ${SMALL})/${SMALL}: median ${(largeHot.p50Us / small.p50Us).toFixed(2)}, mean ${(largeHot.updateUs / small.updateUs).toFixed(2)}`);
console.log(
  `for scale, a full resync (what a proxy without change trackers pays per change): ${small.buildMs.toFixed(1)} ms at ${SMALL}, ${large.buildMs.toFixed(1)} ms at ${LARGE} Services (ratio ${(large.buildMs / small.buildMs).toFixed(0)})`,
);
