/**
 * @module bench/nodeport-wrk
 * A NodePort under `wrk`, from the host, the whole way through a running kwire
 * cluster in this process:
 *
 *   wrk -> 127.0.<subnet>.3:<nodePort> (a real socket, HostListeners)
 *       -> virtual pod network: kube-proxy translation (NodePort -> pod, SNAT), policy
 *       -> an http-echo pod (3 replicas) -> back the same way
 *
 * Prints requests/s and latency (p50, p99) at 1 and at 50 connections, each the
 * median of a few rounds, and for scale the same wrk against a plain node:http
 * server on the host (a child process) answering the same bytes.
 *
 *   bash scripts/ingress-tools.sh      # wrk (Debian package)
 *   node --import tsx bench/nodeport-wrk.ts [--seconds=5] [--rounds=3] [--replicas=3]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { startTestCluster, type TestCluster } from '../src/testing/test-cluster.js';

function arg(name: string, dflt: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.slice(name.length + 3));
}
const seconds = arg('seconds', 5);
const rounds = arg('rounds', 3);
const replicas = arg('replicas', 3);
const TEXT = 'hello from the bench';

function which(bin: string): string | undefined {
  for (const p of [`/usr/bin/${bin}`, `/usr/local/bin/${bin}`]) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

interface WrkResult {
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
  readonly errors: string;
}

function toMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (m === null) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

/** Runs wrk as a child process, never blocking this process (the cluster serves from here). */
async function runWrk(wrk: string, url: string, connections: number): Promise<WrkResult> {
  const threads = Math.min(2, connections);
  const child = spawn(wrk, [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', url], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`wrk failed (${code}): ${err}${out}`);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 'NaN'),
    p50ms: toMs(/\n\s+50%\s+(\S+)/.exec(out)?.[1] ?? ''),
    p99ms: toMs(/\n\s+99%\s+(\S+)/.exec(out)?.[1] ?? ''),
    errors: [/Socket errors:[^\n]*/.exec(out)?.[0], /Non-2xx or 3xx responses:[^\n]*/.exec(out)?.[0]].filter((x) => x !== undefined).join('; '),
  };
}

/** The round with the median throughput (its latencies go with it). */
function median(rs: ReadonlyArray<WrkResult>): WrkResult {
  return [...rs].sort((a, b) => a.rps - b.rps)[Math.floor(rs.length / 2)]!;
}

/** A plain node:http server on the host answering what http-echo answers (the ceiling for comparison). */
async function startReference(): Promise<{ port: number; child: ChildProcess }> {
  const code = `
    const http = require('node:http');
    const body = Buffer.from(${JSON.stringify(`${TEXT}\n`)});
    const s = http.createServer((req, res) => { res.writeHead(200, {'content-type': 'text/plain; charset=utf-8', 'content-length': body.length}); res.end(body); });
    s.keepAliveTimeout = 75000;
    s.listen(0, '127.0.0.1', () => process.send(s.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [port] = (await once(child, 'message')) as [number];
  return { port, child };
}

const MANIFESTS = `apiVersion: v1
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
  replicas: ${replicas}
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
        image: hashicorp/http-echo
        args: ["-text=${TEXT}", "-listen=:5678"]
---
apiVersion: v1
kind: Service
metadata:
  name: echo
  namespace: bench
spec:
  type: NodePort
  selector:
    app: echo
  ports:
  - port: 80
    targetPort: 5678
`;

async function waitForEndpoints(c: TestCluster): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    let n = 0;
    for (const node of c.cluster.nodeIps.keys()) n += c.cluster.serviceProxy.localEndpointCount({ namespace: 'bench', name: 'echo' }, node);
    if (n >= replicas) return;
    if (Date.now() - t0 > 60_000) throw new Error(`only ${n} of ${replicas} echo endpoints after 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function main(): Promise<void> {
  const wrk = which('wrk');
  if (wrk === undefined) {
    console.error('wrk is needed: run `bash scripts/ingress-tools.sh` first');
    process.exit(2);
  }
  const c = await startTestCluster({ ephemeral: true });
  const ref = await startReference();
  try {
    await c.kubectlOk(['apply', '-f', '-'], { input: MANIFESTS });
    await waitForEndpoints(c);
    const nodePort = (await c.kubectlOk(['get', 'svc', 'echo', '-n', 'bench', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).trim();
    const nodeIp = [...c.cluster.nodeIps.values()][1]!;
    const url = `http://${nodeIp}:${nodePort}/`;
    const refUrl = `http://127.0.0.1:${ref.port}/`;
    const check = await fetch(url);
    const body = await check.text();
    if (check.status !== 200 || body !== `${TEXT}\n`) throw new Error(`the NodePort answered ${check.status} ${JSON.stringify(body)}`);
    console.log(`wrk -d${seconds}s through NodePort ${url} -> ${replicas} http-echo pods; reference: node:http on ${refUrl}`);
    const rows: string[] = [];
    for (const conns of [1, 50]) {
      await runWrk(wrk, url, conns); // warm-up (JIT, pools)
      await runWrk(wrk, refUrl, conns);
      const ks: WrkResult[] = [];
      const rs: WrkResult[] = [];
      for (let i = 0; i < rounds; i++) {
        ks.push(await runWrk(wrk, url, conns));
        rs.push(await runWrk(wrk, refUrl, conns));
      }
      const k = median(ks);
      const r = median(rs);
      const row = (name: string, x: WrkResult): string =>
        `${name.padEnd(30)} ${x.rps.toFixed(0).padStart(8)} req/s   p50 ${x.p50ms.toFixed(2).padStart(7)} ms   p99 ${x.p99ms.toFixed(2).padStart(7)} ms${x.errors ? `   (${x.errors})` : ''}`;
      rows.push(row(`kwire NodePort, ${conns} conn`, k), row(`  node:http on host, ${conns} conn`, r));
    }
    console.log(`median of ${rounds} alternating rounds; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} CPUs`);
    for (const r of rows) console.log(r);
  } finally {
    ref.child.kill();
    await c.stop();
  }
}

await main();
