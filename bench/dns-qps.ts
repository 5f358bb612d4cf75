/**
 * @module bench/dns-qps
 * Cluster DNS throughput and latency with dnsperf: kwire's host DNS server (in
 * this process) against dnsmasq (a child process on its own 127.0.0.1 port)
 * serving the same names from a hosts file. Two dnsperf runs per server:
 *
 *   saturation  -l <seconds> -c <clients> -q <outstanding>   -> queries/s, mean latency
 *   fixed rate  -Q <rate> -v                                  -> p50 / p99 latency at equal load
 *
 *   node --import tsx bench/dns-qps.ts [--seconds=5] [--clients=4] [--outstanding=100] [--rate=5000]
 *
 * Needs dnsperf and dnsmasq: `bash scripts/dns-tools.sh` installs them.
 * Everything stays on 127.0.0.1.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dgram from 'node:dgram';
import { createClusterDns } from '../src/dns/cluster-dns.js';
import { startHostDnsServer } from '../src/dns/host-server.js';
import { queryServer, type ServerAddress } from '../src/dns/upstream-client.js';
import { endpointSlice, namespace, queryPacket, service } from '../src/dns/testing.js';

function arg(name: string, dflt: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.slice(name.length + 3));
}
const seconds = arg('seconds', 5);
const clients = arg('clients', 4);
const outstanding = arg('outstanding', 100);
const rate = arg('rate', 5000);
const HOST = '127.0.0.1';

function which(bin: string): Promise<boolean> {
  return new Promise((resolve) => execFile('sh', ['-c', `command -v ${bin}`], (err) => resolve(!err)));
}

function run(bin: string, args: ReadonlyArray<string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(bin, [...args], { timeout: timeoutMs, maxBuffer: 512 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${bin} failed: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, HOST, () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** The names both servers serve: ClusterIP Services, and headless ones with 3 endpoints. */
function dataset() {
  const dns = createClusterDns();
  const hosts: string[] = [];
  const names: string[] = [];
  for (let n = 0; n < 10; n++) {
    const ns = `bench${n}`;
    dns.table.upsertNamespace(namespace(ns));
    for (let i = 0; i < 50; i++) {
      const ip = `10.96.${n}.${i + 1}`;
      dns.table.upsertService(service(ns, `svc${i}`, { clusterIP: ip, ports: [{ name: 'http', port: 80 }] }));
      const name = `svc${i}.${ns}.svc.cluster.local`;
      hosts.push(`${ip} ${name}`);
      names.push(name);
    }
    for (let h = 0; h < 2; h++) {
      const eps = [1, 2, 3].map((k) => ({ ip: `10.244.${n}.${h * 10 + k}` }));
      dns.table.upsertService(service(ns, `hdls${h}`, { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
      dns.table.upsertEndpointSlice(endpointSlice(ns, `hdls${h}-x`, `hdls${h}`, eps, [{ name: 'http', port: 80 }]));
      const name = `hdls${h}.${ns}.svc.cluster.local`;
      for (const e of eps) hosts.push(`${e.ip} ${name}`);
      names.push(name);
    }
  }
  return { dns, hosts, names };
}

interface Saturation {
  readonly qps: number;
  readonly meanMs: number;
  readonly completed: string;
}

async function saturation(server: ServerAddress, file: string): Promise<Saturation> {
  const out = await run('dnsperf', ['-s', server.host, '-p', String(server.port), '-d', file, '-l', String(seconds), '-c', String(clients), '-q', String(outstanding), '-t', '2'], (seconds + 30) * 1000);
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const mean = Number(/Average Latency \(s\):\s+([\d.]+)/.exec(out)?.[1] ?? NaN) * 1000;
  const completed = /Queries completed:\s+(.*)/.exec(out)?.[1]?.trim() ?? '?';
  return { qps, meanMs: mean, completed };
}

async function fixedRate(server: ServerAddress, file: string): Promise<{ p50: number; p99: number; n: number }> {
  const out = await run('dnsperf', ['-s', server.host, '-p', String(server.port), '-d', file, '-l', String(seconds), '-Q', String(rate), '-t', '2', '-v'], (seconds + 30) * 1000);
  const lat: number[] = [];
  for (const line of out.split('\n')) {
    const m = /^> NOERROR .* ([\d.]+)$/.exec(line);
    if (m) lat.push(Number(m[1]) * 1000);
  }
  lat.sort((a, b) => a - b);
  const pct = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]! : NaN);
  return { p50: pct(50), p99: pct(99), n: lat.length };
}

async function waitReady(server: ServerAddress, name: string): Promise<string[]> {
  for (let i = 0; i < 50; i++) {
    const r = await queryServer(server, queryPacket(name, 'A'), { timeoutMs: 200 }).catch(() => undefined);
    if (r?.answers?.length) return r.answers.map((a) => (a.type === 'A' ? a.data : '')).sort();
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`${server.host}:${server.port} never answered ${name}`);
}

async function main(): Promise<void> {
  for (const bin of ['dnsperf', 'dnsmasq']) {
    if (!(await which(bin))) {
      console.error(`${bin} is not installed: run \`bash scripts/dns-tools.sh\``);
      process.exit(1);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'kwire-dns-bench-'));
  const { dns, hosts, names } = dataset();
  const queries = join(dir, 'queries.txt');
  writeFileSync(queries, names.map((n) => `${n} A`).join('\n') + '\n');
  const hostsFile = join(dir, 'hosts');
  writeFileSync(hostsFile, hosts.join('\n') + '\n');

  const kwire = await startHostDnsServer({ handler: dns.handler });
  const dnsmasqPort = await freeUdpPort();
  let dnsmasq: ChildProcess | undefined;
  try {
    dnsmasq = spawn(
      'dnsmasq',
      ['--no-daemon', '--no-resolv', '--no-hosts', `--addn-hosts=${hostsFile}`, '--conf-file=/dev/null', `--listen-address=${HOST}`, '--bind-interfaces', `--port=${dnsmasqPort}`, '--pid-file=', '--user=root', '--cache-size=10000', '--log-facility=-'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let dnsmasqErr = '';
    dnsmasq.stderr?.on('data', (d: Buffer) => (dnsmasqErr += d.toString()));
    const dm: ServerAddress = { host: HOST, port: dnsmasqPort };
    const sample = 'hdls1.bench3.svc.cluster.local';
    const a = await waitReady(kwire, sample);
    const b = await waitReady(dm, sample).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${dnsmasqErr}`);
    });
    if (a.join() !== b.join()) throw new Error(`the servers disagree on ${sample}: ${a} vs ${b}`);

    console.log(`dnsperf: ${names.length} names (A), ${seconds}s per run; saturation -c ${clients} -q ${outstanding}; latency at -Q ${rate}`);
    const results: Array<{ name: string; sat: Saturation; lat: { p50: number; p99: number; n: number } }> = [];
    for (const [name, server] of [
      ['kwire', kwire],
      ['dnsmasq', dm],
    ] as const) {
      const sat = await saturation(server, queries);
      const lat = await fixedRate(server, queries);
      results.push({ name, sat, lat });
    }
    const f = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
    console.log('server    queries/s   mean ms (saturated)   completed             p50 ms   p99 ms  (at fixed rate, n)');
    for (const r of results) {
      console.log(
        `${r.name.padEnd(9)} ${f(r.sat.qps).padStart(9)}   ${f(r.sat.meanMs, 3).padStart(19)}   ${r.sat.completed.padEnd(20)}  ${f(r.lat.p50, 3).padStart(6)}   ${f(r.lat.p99, 3).padStart(6)}  (${r.lat.n})`,
      );
    }
    const [k, d] = results;
    console.log(`ratio kwire/dnsmasq: throughput ${f(k!.sat.qps / d!.sat.qps, 2)}x, p99 ${f(k!.lat.p99 / d!.lat.p99, 2)}x`);
  } finally {
    if (dnsmasq?.pid !== undefined && dnsmasq.exitCode === null) dnsmasq.kill('SIGTERM');
    await kwire.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
