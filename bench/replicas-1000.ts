/**
 * Benchmark (issue: pods that run): a Deployment of 1,000 http-echo replicas applied
 * with the real kubectl, timed until every pod is Running and Ready (watched in-process,
 * so the moment is exact), then the cost of an idle emulated pod: the server's RSS (and
 * V8 heap) after the pods settled, minus before the apply, divided by the pods. The
 * cluster runs in this process, as `kwire up` runs it; nodes allow 110 pods each, as a
 * kubelet's default, so 1,000 replicas get ten workers.
 *
 *   node dist/bench/replicas-1000.js     (or: node --import tsx bench/replicas-1000.ts)
 *   KWIRE_BENCH_REPLICAS=200 for a quicker run
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startCluster } from '../src/cluster/cluster.js';
import { standaloneKubeconfig } from '../src/cli/kubeconfig.js';
import { R, inform } from '../src/controllers/informer.js';
import { kubectlBinary, run } from '../src/testing/kubectl.js';

const N = Number(process.env['KWIRE_BENCH_REPLICAS'] ?? 1000);
const WORKERS = Math.ceil(N / 110);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settle(ms: number): Promise<{ rss: number; heap: number }> {
  await new Promise((r) => setTimeout(r, ms));
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + m.external + m.arrayBuffers };
}

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: bench
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
  namespace: bench
spec:
  replicas: ${N}
  selector:
    matchLabels:
      app: echo
  template:
    metadata:
      labels:
        app: echo
    spec:
      containers:
      - name: echo
        image: hashicorp/http-echo:latest
        args: ["-text=hello from $(POD_NAME)", "-listen=:8080"]
        ports:
        - containerPort: 8080
        env:
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
`;

const dir = mkdtempSync(join(tmpdir(), 'kwire-bench-replicas-'));
const cluster = await startCluster(
  { name: 'kwire', nodes: WORKERS + 1, nodeSubnet: 30 + (process.pid % 200), apiPort: 0, kubernetesVersion: '1.31', ephemeral: false, clusterDomain: 'cluster.local' },
  { dataDir: join(dir, 'data'), ingressPorts: { http: 0, https: 0 } },
);
try {
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, standaloneKubeconfig({ contextName: 'kwire', server: cluster.url, caPem: cluster.pki.caCert, clientCertPem: cluster.pki.clientCert, clientKeyPem: cluster.pki.clientKey }));
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir };
  const kubectl = (args: string[]) => run(kubectlBinary('1.31'), [`--cache-dir=${join(dir, 'cache')}`, ...args], { env, timeoutMs: 600_000 });
  const manifest = join(dir, 'echo.yaml');
  writeFileSync(manifest, MANIFEST);
  // Warm kubectl's discovery cache so the timing is the cluster's, not kubectl's first run.
  await kubectl(['get', 'nodes']);
  const before = await settle(2000);

  // Every pod change is seen here: the moment the last pod turns Ready is exact.
  const ready = new Set<string>();
  let allRunning: (() => void) | undefined;
  let firstRunningAt = 0;
  const done = new Promise<void>((r) => (allRunning = r));
  const stop = inform(cluster.registry, R.pods, (type, o) => {
    if (o.metadata.namespace !== 'bench') return;
    const st = o['status'] as { phase?: string; conditions?: Array<{ type: string; status: string }> } | undefined;
    const isReady = type !== 'DELETED' && st?.phase === 'Running' && !!st.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (isReady) {
      if (ready.size === 0) firstRunningAt = performance.now();
      ready.add(o.metadata.name!);
    } else ready.delete(o.metadata.name!);
    if (ready.size === N) allRunning?.();
  });
  const t0 = performance.now();
  const applied = await kubectl(['apply', '-f', manifest]);
  if (applied.code !== 0) throw new Error(applied.stderr);
  const tApplied = performance.now();
  await done;
  const t1 = performance.now();
  stop();
  // kubectl's view agrees.
  const table = await kubectl(['get', 'deployment', 'echo', '-n', 'bench']);
  const listed = await kubectl(['get', 'pods', '-n', 'bench', '--no-headers', '--field-selector=status.phase=Running']);
  const running = listed.stdout.trim().split('\n').filter((l) => /\s1\/1\s+Running\s/.test(l)).length;

  const after = await settle(5000);
  const perPodRss = (after.rss - before.rss) / N;
  const perPodHeap = (after.heap - before.heap) / N;
  console.log(`replicas: ${N} http-echo on ${WORKERS} workers`);
  console.log(`kubectl apply returned after ${(tApplied - t0).toFixed(0)} ms; first pod Ready after ${(firstRunningAt - t0).toFixed(0)} ms`);
  console.log(`apply -> all ${N} Running and Ready: ${((t1 - t0) / 1000).toFixed(2)} s wall`);
  console.log(`kubectl get pods: ${running} Running 1/1; ${table.stdout.trim().split('\n').pop()}`);
  console.log(`server RSS: ${(before.rss / 2 ** 20).toFixed(0)} MB before, ${(after.rss / 2 ** 20).toFixed(0)} MB with the pods idle`);
  console.log(`per idle emulated pod: ${(perPodRss / 1024).toFixed(1)} KB RSS (goal < 100 KB), ${(perPodHeap / 1024).toFixed(1)} KB heap+external; objects, IPs, containers, listeners included`);
} finally {
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
