/**
 * Benchmark (issue: foundation): `kwire up` to the first successful `kubectl get nodes`,
 * then 5,000 Pod creates through the API with persistence on, a list of them, and a
 * watch that receives them all; prints creates/s, list latency, watch delivery, RSS.
 * Run: node --import tsx bench/api-store.ts   (or `npm run bench`)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { kubectlBinary } from '../src/testing/kubectl.js';

const BIN = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../bin/kwire.js' : '../bin/kwire.js', import.meta.url));
const N = Number(process.env['KWIRE_BENCH_N'] ?? 5000);

const home = mkdtempSync(join(tmpdir(), 'kwire-bench-'));
const env = { ...process.env, KWIRE_HOME: join(home, 'h'), KUBECONFIG: join(home, 'kc'), HOME: home };

function kw(args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
}

try {
  const t0 = performance.now();
  const up = kw(['up', '-d', '--nodes', '3']);
  if (up.status !== 0) throw new Error(up.stderr);
  const k = spawnSync(kubectlBinary('1.31'), [`--cache-dir=${join(home, 'cache')}`, 'get', 'nodes'], { env, encoding: 'utf8' });
  const upMs = performance.now() - t0;
  if (k.status !== 0) throw new Error(k.stderr);
  console.log(`kwire up -d -> first kubectl get nodes (cold kubectl cache): ${upMs.toFixed(0)} ms   (goal < 1000 ms)`);

  const dir = join(home, 'h', 'kwire');
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { apiServer: string; pid: number };
  const u = new URL(state.apiServer);
  const agent = new Agent({ keepAlive: true, maxSockets: 16, ca: readFileSync(join(dir, 'pki', 'ca.crt')), cert: readFileSync(join(dir, 'pki', 'admin.crt')), key: readFileSync(join(dir, 'pki', 'admin.key')) });
  const call = (method: string, path: string, body?: unknown, onData?: (chunk: Buffer) => boolean) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const req = request({ host: u.hostname, port: u.port, path, method, agent, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (onData) {
            if (onData(c)) req.destroy();
          } else chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('close', () => resolve({ status: res.statusCode ?? 0, body: '' }));
      });
      req.on('error', (e) => (onData ? resolve({ status: 0, body: '' }) : reject(e)));
      req.end(data);
    });
  await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
  // A watch started before the creates must receive every one of them.
  let seen = 0;
  let lastSeenAt = 0;
  const watchDone = call('GET', '/api/v1/namespaces/bench/pods?watch=true&resourceVersion=1', undefined, (c) => {
    seen += c.toString().split('\n').filter((l) => l.includes('"ADDED"')).length;
    lastSeenAt = performance.now();
    return seen >= N;
  });
  const pod = (i: number) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${i}`, labels: { app: 'bench' } }, spec: { nodeName: 'unscheduled-bench', containers: [{ name: 'c', image: 'registry.example/none:1' }] } });
  const tc = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < N) {
        const i = next++;
        const r = await call('POST', '/api/v1/namespaces/bench/pods', pod(i));
        if (r.status !== 201) throw new Error(`create ${i}: ${r.status} ${r.body}`);
      }
    }),
  );
  const createMs = performance.now() - tc;
  await watchDone;
  console.log(`${N} pod creates (persistence on, 16 clients): ${createMs.toFixed(0)} ms = ${((N / createMs) * 1000).toFixed(0)} creates/s   (goal >= 2000/s)`);
  console.log(`watch received ${seen} ADDED events; last one ${(lastSeenAt - tc - createMs).toFixed(1)} ms after the last create was acknowledged`);
  const lists: number[] = [];
  for (let i = 0; i < 5; i++) {
    const tl = performance.now();
    const r = await call('GET', '/api/v1/namespaces/bench/pods');
    lists.push(performance.now() - tl);
    if (JSON.parse(r.body).items.length !== N) throw new Error('list is short');
  }
  lists.sort((a, b) => a - b);
  console.log(`list of ${N} pods (JSON): median ${lists[2]!.toFixed(0)} ms, best ${lists[0]!.toFixed(0)} ms   (goal < 200 ms)`);
  const rss = Number(readFileSync(`/proc/${state.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
  console.log(`server RSS with ${N} pods stored: ${rss.toFixed(0)} MB   (goal < 200 MB)`);
  agent.destroy();
} finally {
  kw(['delete']);
  rmSync(home, { recursive: true, force: true });
}
