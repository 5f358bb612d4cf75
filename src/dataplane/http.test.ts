/**
 * @module dataplane/http.test
 * node:http on both ends of the virtual network: GET, streamed chunked bodies
 * both ways, keep-alive reuse, servers closing connections, aborts, timeouts,
 * connection errors, name resolution through the caller's resolver.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { serveHttp, VirtualHttpAgent, virtualConnector } from './http.js';
import type { PodNetwork } from './pod-network.js';
import { delay, fixtureNetwork, POD_A, POD_B, readAll, waitFor } from './test-support.js';

interface Response {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly reused: boolean;
  readonly localPort: number | undefined;
}

function request(opts: http.RequestOptions, body?: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(opts, (res) => {
      readAll(res).then(
        (b) =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: b.toString(),
            reused: req.reusedSocket,
            localPort: req.socket?.localPort,
          }),
        reject,
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

function echoServer(net: PodNetwork): ReturnType<typeof serveHttp> {
  return serveHttp(net, POD_A, 8080, (req, res) => {
    res.setHeader('x-remote', `${req.socket.remoteAddress}:${req.socket.remotePort}`);
    res.end(`${req.method} ${req.url}`);
  });
}

test('GET over the virtual network; the server sees the client pod IP', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const serving = echoServer(net);
  const agent = new VirtualHttpAgent(net, { srcIp: POD_B });
  try {
    const r = await request({ host: POD_A, port: 8080, path: '/hello', agent });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'GET /hello');
    assert.equal(r.headers['x-remote'], `${POD_B}:${r.localPort}`);
    const flows = net.recent();
    assert.equal(flows.length, 1);
    assert.equal(flows[0]?.verdict, 'forwarded');
  } finally {
    agent.destroy();
    serving.close();
  }
});

test('POST with a streamed chunked body both ways, 1 MiB, arriving incrementally', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  let firstChunkBeforeClientEnd = false;
  let clientEnded = false;
  const serving = serveHttp(net, POD_A, 8080, (req, res) => {
    assert.equal(req.headers['transfer-encoding'], 'chunked');
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    let first = true;
    req.on('data', (c: Buffer) => {
      if (first) firstChunkBeforeClientEnd = !clientEnded;
      first = false;
      // Echo each chunk reversed byte-wise flipped, streaming.
      const out = Buffer.allocUnsafe(c.length);
      for (let i = 0; i < c.length; i++) out[i] = (c[i] as number) ^ 0xff;
      if (!res.write(out)) {
        req.pause();
        res.once('drain', () => req.resume());
      }
    });
    req.on('end', () => res.end());
  });
  const agent = new VirtualHttpAgent(net, { srcIp: POD_B, keepAlive: true });
  try {
    const chunk = Buffer.alloc(16 * 1024);
    const total = 64;
    const sent: Buffer[] = [];
    const response = new Promise<{ res: http.IncomingMessage; body: Buffer }>((resolve, reject) => {
      const req = http.request({ host: POD_A, port: 8080, method: 'POST', path: '/upload', agent }, (res) => {
        readAll(res).then((body) => resolve({ res, body }), reject);
      });
      req.on('error', reject);
      void (async () => {
        for (let i = 0; i < total; i++) {
          const b = Buffer.from(chunk.fill(i));
          sent.push(b);
          if (!req.write(b)) await once(req, 'drain');
          if (i === 0) await delay(5); // let the first chunk arrive before the rest is written
        }
        clientEnded = true;
        req.end();
      })();
    });
    const { res, body } = await response;
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    assert.ok(firstChunkBeforeClientEnd, 'the server saw data before the client finished sending');
    const expected = Buffer.concat(sent);
    assert.equal(body.length, expected.length);
    for (let i = 0; i < expected.length; i += 4099) assert.equal(body[i], (expected[i] as number) ^ 0xff);
  } finally {
    agent.destroy();
    serving.close();
  }
});

test('keep-alive: 25 requests reuse one virtual connection', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const serving = echoServer(net);
  let connections = 0;
  serving.server.on('connection', () => connections++);
  const agent = new VirtualHttpAgent(net, { srcIp: POD_B, keepAlive: true, maxSockets: 1 });
  try {
    const ports = new Set<number | undefined>();
    for (let i = 0; i < 25; i++) {
      const r = await request({ host: POD_A, port: 8080, path: `/${i}`, agent });
      assert.equal(r.body, `GET /${i}`);
      assert.equal(r.reused, i > 0);
      ports.add(r.localPort);
    }
    // Concurrent requests queue on the single socket too.
    const many = await Promise.all(Array.from({ length: 10 }, (_, i) => request({ host: POD_A, port: 8080, path: `/c${i}`, agent })));
    assert.deepEqual(many.map((r) => r.body), Array.from({ length: 10 }, (_, i) => `GET /c${i}`));
    for (const r of many) ports.add(r.localPort);
    assert.equal(ports.size, 1);
    assert.equal(connections, 1);
    assert.equal(net.recent().length, 1, 'one connection, one flow record');
  } finally {
    agent.destroy();
    serving.close();
  }
});

test('server closing: Connection: close, then an idle keep-alive timeout; the client recovers', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const server = http.createServer((req, res) => {
    // An explicit Connection header stops node adding "Keep-Alive: timeout=0",
    // which would make the agent refuse to pool the socket at all.
    res.setHeader('connection', req.url === '/bye' ? 'close' : 'keep-alive');
    res.end('ok');
  });
  server.keepAliveTimeout = 30;
  const serving = serveHttp(net, POD_A, 8080, server);
  const agent = new VirtualHttpAgent(net, { srcIp: POD_B, keepAlive: true, maxSockets: 1 });
  try {
    const a = await request({ host: POD_A, port: 8080, path: '/bye', agent });
    assert.equal(a.headers.connection, 'close');
    const b = await request({ host: POD_A, port: 8080, path: '/', agent });
    assert.equal(b.reused, false, 'a new connection after Connection: close');
    assert.notEqual(a.localPort, b.localPort);
    // The server's 30 ms keep-alive timeout closes the idle socket; the agent notices.
    const free = (): number => Object.values(agent.freeSockets).reduce((n, l) => n + (l?.length ?? 0), 0);
    await waitFor(() => free() === 1, 2_000, 'the socket to be pooled');
    await waitFor(() => free() === 0, 2_000, 'the agent to drop the closed socket');
    const c = await request({ host: POD_A, port: 8080, path: '/', agent });
    assert.equal(c.status, 200);
    assert.equal(c.reused, false);
    assert.equal(net.recent().length, 3);
  } finally {
    agent.destroy();
    serving.close();
  }
});

test('a server destroying the socket mid-response aborts the client response', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const serving = serveHttp(net, POD_A, 8080, (req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial');
    setImmediate(() => req.socket.destroy());
  });
  const agent = new VirtualHttpAgent(net, { srcIp: POD_B });
  try {
    const { res, err } = await new Promise<{ res: http.IncomingMessage; err: Error & { code?: string } }>((resolve, reject) => {
      http
        .get({ host: POD_A, port: 8080, agent }, (res) => {
          readAll(res).then(
            () => reject(new Error('the truncated body should not end cleanly')),
            (err: Error) => resolve({ res, err }),
          );
        })
        .on('error', reject);
    });
    assert.equal(err.code, 'ECONNRESET');
    assert.equal(res.complete, false);
  } finally {
    agent.destroy();
    serving.close();
  }
});

test('a client aborting mid-upload closes the server request incomplete', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  let resolveServer: (complete: boolean) => void = () => undefined;
  const serverSaw = new Promise<boolean>((r) => (resolveServer = r));
  const serving = serveHttp(net, POD_A, 8080, (req) => {
    req.on('close', () => resolveServer(req.complete));
    req.resume();
  });
  const agent = new VirtualHttpAgent(net, { srcIp: POD_B });
  try {
    const req = http.request({ host: POD_A, port: 8080, method: 'PUT', agent });
    req.on('error', () => undefined);
    req.write('part one');
    await delay(10);
    req.destroy();
    assert.equal(await serverSaw, false);
  } finally {
    agent.destroy();
    serving.close();
  }
});

test('connection errors surface on the request: ECONNREFUSED, ETIMEDOUT, timeout event', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork({
    policy: { decide: ({ dst }) => (dst.port === 81 ? { verdict: 'drop', policies: ['default/deny'] } : { verdict: 'allow', policies: [] }) },
  });
  const refused = new VirtualHttpAgent(net, { srcIp: POD_B });
  const timed = new VirtualHttpAgent(net, { srcIp: POD_B, connectTimeoutMs: 20 });
  try {
    await assert.rejects(request({ host: POD_A, port: 80, agent: refused }), {
      code: 'ECONNREFUSED',
      message: `connect ECONNREFUSED ${POD_A}:80`,
    });
    await assert.rejects(request({ host: POD_A, port: 81, agent: timed }), { code: 'ETIMEDOUT' });
    // curl --max-time style: the request's own timeout covers connecting, as with net.
    const req = http.request({ host: POD_A, port: 81, agent: refused, timeout: 20 });
    const errored = once(req, 'error');
    req.end();
    await once(req, 'timeout');
    req.destroy(new Error('gave up'));
    const [err] = (await errored) as [Error];
    assert.equal(err.message, 'gave up');
    const verdicts = net.recent().map((r) => `${r.verdict}:${r.dst.port}`);
    assert.deepEqual(verdicts, ['refused:80', 'dropped:81', 'dropped:81']);
  } finally {
    refused.destroy();
    timed.destroy();
  }
});

test('host names go through the caller resolver; without one they fail with ENOTFOUND', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork({
    translator: {
      translate: ({ dst }) =>
        dst.ip === '10.96.0.20' ? { kind: 'forward', dst: { ip: POD_A, port: 8080 }, service: { namespace: 'default', name: 'web' } } : undefined,
    },
  });
  const serving = echoServer(net);
  const resolving = new VirtualHttpAgent(net, {
    srcIp: POD_B,
    resolve: async (name) => {
      if (name === 'web.default.svc.cluster.local') return '10.96.0.20';
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    },
  });
  const plain = new VirtualHttpAgent(net, { srcIp: POD_B });
  try {
    const r = await request({ host: 'web.default.svc.cluster.local', port: 80, path: '/svc', agent: resolving });
    assert.equal(r.body, 'GET /svc');
    assert.deepEqual(net.recent()[0]?.service, { namespace: 'default', name: 'web' });
    await assert.rejects(request({ host: 'nope', port: 80, agent: resolving }), { code: 'ENOTFOUND' });
    await assert.rejects(request({ host: 'web', port: 80, agent: plain }), {
      code: 'ENOTFOUND',
      message: 'getaddrinfo ENOTFOUND web',
    });
  } finally {
    resolving.destroy();
    plain.destroy();
    serving.close();
  }
});

test('http.request with createConnection and no agent (Connection: close)', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const serving = echoServer(net);
  try {
    const r = await request({
      host: POD_A,
      port: 8080,
      path: '/direct',
      createConnection: virtualConnector(net, { srcIp: POD_B }),
    });
    assert.equal(r.body, 'GET /direct');
    assert.equal(r.headers.connection, 'close');
  } finally {
    serving.close();
  }
});
