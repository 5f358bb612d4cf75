/**
 * @module bench/ingress-wrk
 * The ingress proxy under `wrk`, against Debian's nginx as the same reverse proxy.
 * One backend (a node:http server in a child process on 127.0.0.1) serves both:
 *
 *   wrk -> kwire IngressProxy (this process; route table + UpstreamPool, the
 *          connector dials the backend on 127.0.0.1) -> backend
 *   wrk -> nginx (child process, 1 worker, upstream keepalive) -> backend
 *
 * Prints requests/s and p99 latency for each and the kwire/nginx ratios
 * (goal: throughput >= 0.5x nginx, p99 <= 2x nginx), and each proxy's CPU time
 * per request (user + system, from process.cpuUsage and /proc): on a shared
 * machine that figure moves much less with other people's load than req/s.
 *
 *   bash scripts/ingress-tools.sh     # wrk and nginx (Debian packages)
 *   node --import tsx bench/ingress-wrk.ts [--seconds=5] [--connections=32] [--threads=2] [--body=64] [--rounds=3]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { compileRouteTable } from '../src/ingress/route-table.js';
import { IngressProxy } from '../src/ingress/proxy.js';
import type { ConnectToService } from '../src/ingress/upstream.js';

function arg(name: string, dflt: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.slice(name.length + 3));
}
const seconds = arg('seconds', 5);
const connections = arg('connections', 32);
const threads = arg('threads', 2);
const bodySize = arg('body', 64);
const rounds = arg('rounds', 3);

function which(bin: string): string | undefined {
  for (const p of [`/usr/bin/${bin}`, `/usr/sbin/${bin}`, `/usr/local/bin/${bin}`]) if (existsSync(p)) return p;
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function startBackend(): Promise<{ port: number; child: ChildProcess }> {
  const code = `
    const http = require('node:http');
    const body = Buffer.alloc(${bodySize}, 'x');
    const s = http.createServer((req, res) => { res.writeHead(200, {'content-type': 'text/plain', 'content-length': body.length}); res.end(body); });
    s.keepAliveTimeout = 75000;
    s.listen(0, '127.0.0.1', () => process.send(s.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [port] = (await once(child, 'message')) as [number];
  return { port, child };
}

interface WrkResult {
  readonly rps: number;
  readonly p99ms: number;
  readonly p50ms: number;
  readonly errors: string;
  /** The proxy's CPU time per request in µs, when it could be read. */
  readonly cpuUs?: number;
}

/** CPU time (user + system) of a process so far, in µs; undefined off Linux. */
function procCpuUs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

const selfCpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

function toMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (m === null) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

/** Runs wrk as a child process without blocking this process (the kwire proxy runs here); `cpu` reads the proxy's CPU µs. */
async function runWrk(wrk: string, port: number, cpu: () => number | undefined): Promise<WrkResult> {
  const child = spawn(wrk, [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', '-H', 'Host: bench.local', `http://127.0.0.1:${port}/`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const cpu0 = cpu();
  const [code] = (await once(child, 'exit')) as [number | null];
  const cpu1 = cpu();
  if (code !== 0) throw new Error(`wrk failed: ${err}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 'NaN');
  const p99 = toMs(/\n\s+99%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p50 = toMs(/\n\s+50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const errors = [/Socket errors:[^\n]*/.exec(out)?.[0], /Non-2xx or 3xx responses:[^\n]*/.exec(out)?.[0]].filter((x) => x !== undefined).join('; ');
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 'NaN');
  const cpuUs = cpu0 !== undefined && cpu1 !== undefined && requests > 0 ? (cpu1 - cpu0) / requests : undefined;
  return { rps, p99ms: p99, p50ms: p50, errors, ...(cpuUs !== undefined ? { cpuUs } : {}) };
}

/** The round with the median throughput (its p99 goes with it). */
function median(rs: ReadonlyArray<WrkResult>): WrkResult {
  const sorted = [...rs].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function startKwire(backendPort: number): Promise<{ port: number; close(): Promise<void> }> {
  const table = compileRouteTable({
    ingresses: [
      {
        metadata: { name: 'bench', namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z' },
        spec: { ingressClassName: 'nginx', rules: [{ host: 'bench.local', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
      },
    ],
    ingressClasses: [{ metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } }],
    services: [{ metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 80 }] } }],
    secrets: [],
  });
  // The lead's connector dials the virtual pod network; here it dials the host backend.
  const connect: ConnectToService = () =>
    new Promise<Duplex>((resolve, reject) => {
      const s = net.connect(backendPort, '127.0.0.1');
      s.setNoDelay(true);
      s.once('connect', () => {
        s.off('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
  const proxy = new IngressProxy({ routes: () => table, connect });
  const server = http.createServer(IngressProxy.serverOptions());
  proxy.attach(server, 'http');
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      proxy.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The nginx master's one worker process (Linux), for its CPU time. */
function workerPid(master: number | undefined): number | undefined {
  if (master === undefined) return undefined;
  try {
    const pid = Number(readFileSync(`/proc/${master}/task/${master}/children`, 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function startNginx(nginx: string, backendPort: number): Promise<{ port: number; cpuUs(): number | undefined; close(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'kwire-nginx-'));
  const port = await freePort();
  const conf = `
daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  server_tokens off;
  client_body_temp_path ${dir}/client-body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_timeout 75s;
  keepalive_requests 100000;
  upstream upstream_balancer {
    server 127.0.0.1:${backendPort};
    keepalive 320;
    keepalive_requests 100000;
  }
  server {
    listen 127.0.0.1:${port};
    server_name bench.local;
    location / {
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Request-ID $request_id;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Port $server_port;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Scheme $scheme;
      proxy_set_header X-Scheme $scheme;
      proxy_buffering off;
      proxy_pass http://upstream_balancer;
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn(nginx, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: ['ignore', 'inherit', 'inherit'] });
  // wait until it accepts
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    cpuUs: () => {
      const worker = workerPid(child.pid);
      return worker === undefined ? undefined : procCpuUs(worker);
    },
    close: async () => {
      child.kill('SIGQUIT');
      await once(child, 'exit');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const wrk = which('wrk');
  const nginx = which('nginx');
  if (wrk === undefined || nginx === undefined) {
    console.error('wrk and nginx are needed: run `bash scripts/ingress-tools.sh` first');
    process.exit(2);
  }
  const backend = await startBackend();
  try {
    console.log(`wrk -t${threads} -c${connections} -d${seconds}s, ${bodySize}-byte responses, backend on 127.0.0.1:${backend.port}`);
    const kw = await startKwire(backend.port);
    const ng = await startNginx(nginx, backend.port);
    await runWrk(wrk, kw.port, selfCpuUs); // warm-up (JIT, pools)
    await runWrk(wrk, ng.port, ng.cpuUs);
    // alternate the two so background load on the machine hits both alike
    const ks: WrkResult[] = [];
    const ns: WrkResult[] = [];
    for (let i = 0; i < rounds; i++) {
      ks.push(await runWrk(wrk, kw.port, selfCpuUs));
      ns.push(await runWrk(wrk, ng.port, ng.cpuUs));
    }
    await kw.close();
    await ng.close();
    const k = median(ks);
    const n = median(ns);
    console.log(`median of ${rounds} alternating rounds; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} on ${cpus().length} CPUs`);
    const cpu = (r: WrkResult): string => (r.cpuUs !== undefined ? `   CPU ${r.cpuUs.toFixed(1).padStart(5)} µs/req` : '');
    const row = (name: string, r: WrkResult): string =>
      `${name.padEnd(16)} ${r.rps.toFixed(0).padStart(9)} req/s   p50 ${r.p50ms.toFixed(2).padStart(7)} ms   p99 ${r.p99ms.toFixed(2).padStart(7)} ms${cpu(r)}${r.errors ? `   (${r.errors})` : ''}`;
    console.log(row('kwire ingress', k));
    console.log(row('nginx (1 worker)', n));
    const ratio = k.rps / n.rps;
    const p99ratio = k.p99ms / n.p99ms;
    console.log(`throughput kwire/nginx = ${ratio.toFixed(2)}x (goal >= 0.5x: ${ratio >= 0.5 ? 'met' : 'NOT met'})`);
    console.log(`p99 kwire/nginx        = ${p99ratio.toFixed(2)}x (goal <= 2x: ${p99ratio <= 2 ? 'met' : 'NOT met'})`);
  } finally {
    backend.child.kill();
  }
}

await main();
