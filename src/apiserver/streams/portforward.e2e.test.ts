/**
 * @module apiserver/streams/portforward.e2e.test
 * `kubectl port-forward pod/p 0:8080` with the real kubectl (SPDY up to 1.30, SPDY
 * tunnelled in a WebSocket from 1.31) against kwire, the fake backend dialling a
 * real HTTP server: requests with curl and node:http through the printed local port,
 * a 2 MB download, and a refused port's error text.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { run } from '../../testing/kubectl.js';
import { FakeBackend } from './test-backend.js';
import { runningPod, startHarness, type Harness } from './test-harness.js';

const VERSIONS = ['1.27', '1.30', '1.31', '1.33'];
const TUNNELLED = new Set(['1.31', '1.33']);
const BIG = Buffer.alloc(2 * 1024 * 1024, 'z');

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function fetchText(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

interface Forward {
  readonly child: ChildProcessWithoutNullStreams;
  readonly localPort: number;
  readonly output: () => { stdout: string; stderr: string };
  readonly exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

async function portForward(h: Harness, v: string, spec: string): Promise<Forward> {
  const k = h.kubectlArgs(v, ['port-forward', 'pod/p', spec]);
  const child = spawn(k.cmd, k.args, { env: k.env });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  const localPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "Forwarding from" line: ${stdout} ${stderr}`)), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+) -> \d+/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then(() => reject(new Error(`kubectl exited: ${stdout} ${stderr}`)));
  });
  return {
    child,
    localPort,
    exited,
    output: () => ({ stdout, stderr }),
    async stop() {
      if (child.exitCode === null) child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
}

for (const v of VERSIONS) {
  describe(`kubectl ${v} port-forward`, { timeout: 120_000 }, () => {
    let h: Harness;
    let web: Server;
    before(async () => {
      web = createServer((req, res) => {
        if (req.url === '/big') res.end(BIG);
        else res.end(`hello from pod ${req.url ?? ''}\n`);
      });
      const webPort = await listen(web);
      const refusing = createServer();
      const closedPort = await listen(refusing);
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
      h = await startHarness(new FakeBackend({ ports: { 8080: webPort }, closedPort }), [runningPod('p')]);
    });
    after(async () => {
      await h.close();
      await new Promise<void>((resolve) => web.close(() => resolve()));
    });

    it('forwards connections to the pod port (curl, node:http, 2 MB)', async () => {
      const f = await portForward(h, v, '0:8080');
      try {
        assert.match(f.output().stdout, new RegExp(`Forwarding from 127\\.0\\.0\\.1:${f.localPort} -> 8080`));
        const c = await run('curl', ['-sS', '--max-time', '10', `http://127.0.0.1:${f.localPort}/curl`], { timeoutMs: 15_000 });
        assert.equal(c.code, 0, c.stderr);
        assert.equal(c.stdout, 'hello from pod /curl\n');
        const a = await fetchText(f.localPort, '/a');
        assert.deepEqual(a, { status: 200, body: 'hello from pod /a\n' });
        const big = await fetchText(f.localPort, '/big');
        assert.equal(big.body.length, BIG.length);
        const [x, y] = await Promise.all([fetchText(f.localPort, '/x'), fetchText(f.localPort, '/y')]);
        assert.equal(x.body, 'hello from pod /x\n');
        assert.equal(y.body, 'hello from pod /y\n');
        assert.equal(f.child.exitCode, null, 'kubectl keeps forwarding');
        const last = h.upgrades.at(-1) ?? '';
        if (TUNNELLED.has(v)) assert.match(last, /^GET websocket SPDY\/3\.1\+portforward\.k8s\.io \/api\/v1\/namespaces\/lab\/pods\/p\/portforward$/);
        else assert.match(last, /^POST SPDY\/3\.1 \/api\/v1\/namespaces\/lab\/pods\/p\/portforward$/);
      } finally {
        await f.stop();
      }
      assert.equal(f.output().stderr, '');
    });

    it('reports a refused port with containerd\'s message', async () => {
      const f = await portForward(h, v, '0:9999');
      try {
        await assert.rejects(fetchText(f.localPort, '/'));
        let timer: NodeJS.Timeout | undefined;
        const code = await Promise.race([f.exited, new Promise<'running'>((resolve) => (timer = setTimeout(() => resolve('running'), 10_000)))]);
        clearTimeout(timer);
        const { stderr } = f.output();
        // The text the kubelet wrote on the error stream, as kubectl prints it.
        assert.match(stderr, /an error occurred forwarding \d+ -> 9999: error forwarding port 9999 to pod [0-9a-f]{64}, uid : failed to execute portforward in network namespace \\?"\/var\/run\/netns\/cni-[0-9a-f-]{36}\\?": failed to connect to localhost:9999 inside namespace \\?"[0-9a-f]{64}\\?", IPv4: dial tcp4 127\.0\.0\.1:9999: connect: connection refused IPv6 dial tcp6 \[::1\]:9999: connect: connection refused/);
        // kubectl 1.27-1.33 close the whole session on any error-stream message.
        assert.equal(code, 1);
        assert.match(stderr, /error: lost connection to pod\n$/);
      } finally {
        await f.stop();
      }
    });
  });
}
