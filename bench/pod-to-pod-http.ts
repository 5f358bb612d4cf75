/**
 * @module bench/pod-to-pod-http
 * Pod-to-pod HTTP over the virtual network: one node:http server on a pod IP,
 * N client pods each with a keep-alive agent, each looping GET -> full response
 * -> next GET for a bounded time. Prints requests/s and latency percentiles.
 *
 *   node --import tsx bench/pod-to-pod-http.ts [--seconds=5] [--clients=32] [--body=2] [--loopback]
 *
 * `--loopback` runs the same loop over real 127.0.0.1 TCP sockets, for comparison.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createPodNetwork, serveHttp, VirtualHttpAgent } from '../src/dataplane/index.js';

function arg(name: string, dflt: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : Number(a.slice(name.length + 3));
}
const seconds = arg('seconds', 5);
const clients = arg('clients', 32);
const bodySize = arg('body', 2);
const loopback = process.argv.includes('--loopback');
const warmupMs = 500;

const body = Buffer.alloc(bodySize, 'x');
const handler: http.RequestListener = (_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
  res.end(body);
};

interface Target {
  readonly host: string;
  readonly port: number;
  agent(i: number): http.Agent;
  close(): Promise<void>;
}

async function virtualTarget(): Promise<Target> {
  const net = createPodNetwork();
  net.registerAddress('10.244.1.5', { kind: 'pod', namespace: 'bench', name: 'server' });
  const serving = serveHttp(net, '10.244.1.5', 8080, handler);
  return {
    host: '10.244.1.5',
    port: 8080,
    agent(i) {
      const ip = `10.244.${2 + Math.floor(i / 250)}.${1 + (i % 250)}`;
      net.registerAddress(ip, { kind: 'pod', namespace: 'bench', name: `client-${i}` });
      return new VirtualHttpAgent(net, { srcIp: ip, keepAlive: true, maxSockets: 1 });
    },
    close: async () => serving.close(),
  };
}

async function loopbackTarget(): Promise<Target> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    host: '127.0.0.1',
    port,
    agent: () => new http.Agent({ keepAlive: true, maxSockets: 1 }),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function get(t: Target, agent: http.Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: t.host, port: t.port, path: '/', agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', resolve);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const t = loopback ? await loopbackTarget() : await virtualTarget();
  const agents = Array.from({ length: clients }, (_, i) => t.agent(i));
  const latencies: number[] = [];
  let measuring = false;
  let stop = false;
  let count = 0;
  const loop = async (agent: http.Agent): Promise<void> => {
    while (!stop) {
      const t0 = performance.now();
      await get(t, agent);
      if (measuring) {
        latencies.push(performance.now() - t0);
        count++;
      }
    }
  };
  const runners = agents.map((a) => loop(a));
  await new Promise((r) => setTimeout(r, warmupMs));
  measuring = true;
  const start = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - start) / 1000;
  stop = true;
  await Promise.all(runners);
  for (const a of agents) a.destroy();
  await t.close();

  latencies.sort((a, b) => a - b);
  const pct = (p: number): string => (latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN).toFixed(3);
  console.log(
    `${loopback ? 'loopback' : 'virtual'} pod-to-pod http: ${clients} keep-alive clients, ${seconds}s, ${bodySize}-byte body`,
  );
  console.log(`requests: ${count}  rate: ${Math.round(count / elapsed)} req/s  p50: ${pct(50)} ms  p99: ${pct(99)} ms`);
}

await main();
