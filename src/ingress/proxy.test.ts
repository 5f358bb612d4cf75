/**
 * @module ingress/proxy.test
 * The proxy shell over real 127.0.0.1 sockets with a fake connector (backends are
 * node:http servers fed over in-memory pipes; nothing dials a pod address):
 * forwarded headers, streaming both ways, keep-alive reuse, WebSocket echo,
 * ingress-nginx's 404/413/502/503/504 pages, and bad input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { compileRouteTable, type RouteTable } from './route-table.js';
import { IngressProxy } from './proxy.js';
import { createIngressServer } from './listeners.js';
import { nginxPage } from './error-pages.js';
import { FakeBackends, ingress, nginxClass, request, service } from './test-support.js';
import type { Ingress } from './types.js';

const A = 'nginx.ingress.kubernetes.io/';

interface Harness {
  readonly port: number;
  readonly backends: FakeBackends;
  readonly proxy: IngressProxy;
  setIngresses(ings: Ingress[]): void;
  close(): Promise<void>;
}

async function harness(ings: Ingress[], services = ['web', 'echo', 'slow', 'ws', 'refuse', 'hang', 'frontend-service', 'backend-clusterip'].map((n) => service(n))): Promise<Harness> {
  let table: RouteTable = compileRouteTable({ ingresses: ings, ingressClasses: [nginxClass()], services, secrets: [] });
  const backends = new FakeBackends();
  const proxy = new IngressProxy({ routes: () => table, connect: backends.connect });
  const server = createIngressServer(proxy, 'http');
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    backends,
    proxy,
    setIngresses(next) {
      table = compileRouteTable({ ingresses: next, ingressClasses: [nginxClass()], services, secrets: [] });
    },
    async close() {
      proxy.close();
      backends.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const echoHandler: http.RequestListener = (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('server', 'backend/1.0');
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks).toString() }));
  });
};

test('forwarded headers are set as ingress-nginx sets them', async () => {
  const h = await harness([ingress({ name: 'e', rules: [{ host: 'echo.local', paths: [{ service: 'echo' }] }] })]);
  try {
    h.backends.add('default/echo:80', echoHandler);
    const r = await request(h.port, { path: '/a/b?x=1', headers: { host: 'echo.local', 'x-forwarded-for': '203.0.113.9', my_header: 'dropped', 'x-custom': 'kept' } });
    assert.equal(r.status, 200);
    assert.equal(r.headers['server'], undefined, 'ingress-nginx sends no Server header');
    const body = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
    assert.equal(body.url, '/a/b?x=1');
    const hd = body.headers;
    assert.equal(hd['host'], 'echo.local');
    assert.equal(hd['x-real-ip'], '127.0.0.1');
    assert.equal(hd['x-forwarded-for'], '127.0.0.1');
    assert.equal(hd['x-original-forwarded-for'], '203.0.113.9');
    assert.equal(hd['x-forwarded-host'], 'echo.local');
    assert.equal(hd['x-forwarded-port'], String(h.port));
    assert.equal(hd['x-forwarded-proto'], 'http');
    assert.equal(hd['x-forwarded-scheme'], 'http');
    assert.equal(hd['x-scheme'], 'http');
    assert.match(hd['x-request-id'] ?? '', /^[0-9a-f]{32}$/);
    assert.equal(hd['x-custom'], 'kept');
    assert.equal(hd['my_header'], undefined, 'underscored headers are dropped');
    const again = await request(h.port, { headers: { host: 'echo.local', 'x-request-id': 'given-id' } });
    assert.equal((JSON.parse(again.body) as { headers: Record<string, string> }).headers['x-request-id'], 'given-id');
  } finally {
    await h.close();
  }
});

test('lab step 8 through the proxy: /frontend and /backend both reach "/" of their Service', async () => {
  const h = await harness([
    ingress({
      name: 'path-based-ingress',
      namespace: 'networking-lab',
      annotations: { [A + 'rewrite-target']: '/' },
      rules: [{ host: 'app.local', paths: [{ path: '/frontend', service: 'frontend-service' }, { path: '/backend', service: 'backend-clusterip' }] }],
    }),
  ], [service('frontend-service', [{ port: 80 }], 'networking-lab'), service('backend-clusterip', [{ port: 80 }], 'networking-lab')]);
  try {
    h.backends.add('networking-lab/frontend-service:80', (req, res) => res.end(req.url === '/' ? '<h1>Welcome to nginx!</h1>' : `frontend 404 ${req.url}`));
    h.backends.add('networking-lab/backend-clusterip:80', (req, res) => res.end(req.url === '/' ? 'Hello from backend' : `backend 404 ${req.url}`));
    assert.equal((await request(h.port, { path: '/frontend', headers: { host: 'app.local' } })).body, '<h1>Welcome to nginx!</h1>');
    assert.equal((await request(h.port, { path: '/backend', headers: { host: 'app.local' } })).body, 'Hello from backend');
  } finally {
    await h.close();
  }
});

test('default backend 404 page, exact bytes; HEAD has no body', async () => {
  const h = await harness([]);
  try {
    const r = await request(h.port, { path: '/', headers: { host: 'nothing.local' } });
    assert.equal(r.status, 404);
    assert.equal(r.headers['content-type'], 'text/html');
    assert.equal(
      r.body,
      '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    );
    assert.equal(r.headers['content-length'], '146');
    const head = await request(h.port, { method: 'HEAD', headers: { host: 'nothing.local' } });
    assert.equal(head.status, 404);
    assert.equal(head.body, '');
  } finally {
    await h.close();
  }
});

test('503 for a missing Service (its routes only), 502 on refusal, 504 on connect and read timeouts', async () => {
  const h = await harness([
    ingress({
      name: 'errs',
      annotations: { [A + 'proxy-connect-timeout']: '1', [A + 'proxy-read-timeout']: '1' },
      rules: [
        {
          host: 'e.local',
          paths: [
            { path: '/missing', service: 'does-not-exist' },
            { path: '/refuse', service: 'refuse' },
            { path: '/hang', service: 'hang' },
            { path: '/slow', service: 'slow' },
            { path: '/', service: 'web' },
          ],
        },
      ],
    }),
  ]);
  try {
    h.backends.add('default/web:80', (_req, res) => res.end('ok'));
    h.backends.add('default/slow:80', () => undefined); // never answers
    h.backends.failures.set('default/refuse:80', 'ECONNREFUSED');
    h.backends.hang.add('default/hang:80');
    const missing = await request(h.port, { path: '/missing', headers: { host: 'e.local' } });
    assert.equal(missing.status, 503);
    assert.equal(missing.body, nginxPage(503).body);
    assert.match(missing.body, /503 Service Temporarily Unavailable/);
    assert.equal((await request(h.port, { path: '/', headers: { host: 'e.local' } })).body, 'ok');
    const refused = await request(h.port, { path: '/refuse', headers: { host: 'e.local' } });
    assert.equal(refused.status, 502);
    assert.equal(refused.body, nginxPage(502).body);
    const t0 = Date.now();
    const hang = await request(h.port, { path: '/hang', headers: { host: 'e.local' } });
    assert.equal(hang.status, 504);
    assert.match(hang.body, /504 Gateway Time-out/);
    assert.ok(Date.now() - t0 >= 900);
    const slow = await request(h.port, { path: '/slow', headers: { host: 'e.local' } });
    assert.equal(slow.status, 504);
    // and the proxy keeps serving
    assert.equal((await request(h.port, { path: '/', headers: { host: 'e.local' } })).body, 'ok');
  } finally {
    await h.close();
  }
});

test('chunked bodies stream in both directions', async () => {
  const h = await harness([ingress({ name: 's', rules: [{ host: 's.local', paths: [{ service: 'echo' }] }] })]);
  try {
    let sawFirstBeforeEnd = false;
    let clientEnded = false;
    h.backends.add('default/echo:80', (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      req.on('data', (c: Buffer) => {
        if (!clientEnded) sawFirstBeforeEnd = true;
        res.write(`got:${c.toString()};`);
      });
      req.on('end', () => res.end('done'));
    });
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: h.port, method: 'POST', path: '/up', headers: { host: 's.local', 'transfer-encoding': 'chunked' } }, (res) => {
        assert.equal(res.headers['transfer-encoding'], 'chunked');
        res.on('data', (c: Buffer) => {
          received.push(c.toString());
          // the first echoed chunk arrives while the request is still open
          if (received.length === 1) {
            assert.equal(clientEnded, false);
            req.write('two');
            clientEnded = true;
            req.end();
          }
        });
        res.on('end', () => resolve());
        res.on('error', reject);
      });
      req.on('error', reject);
      req.write('one');
    });
    assert.equal(sawFirstBeforeEnd, true);
    assert.equal(received.join(''), 'got:one;got:two;done');
  } finally {
    await h.close();
  }
});

test('upstream keep-alive: sequential requests reuse one connection', async () => {
  const h = await harness([ingress({ name: 'k', rules: [{ host: 'k.local', paths: [{ service: 'web' }] }] })]);
  try {
    h.backends.add('default/web:80', (_req, res) => res.end('ok'));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 5; i++) assert.equal((await request(h.port, { agent, headers: { host: 'k.local' } })).body, 'ok');
    agent.destroy();
    assert.equal(h.backends.connects.length, 1, `connects: ${h.backends.connects.join(',')}`);
  } finally {
    await h.close();
  }
});

test('with the endpoints known, requests go round-robin over them, one keep-alive pool per endpoint', async () => {
  const table = compileRouteTable({ ingresses: [ingress({ name: 'rr', rules: [{ host: 'rr.local', paths: [{ service: 'web' }] }] })], ingressClasses: [nginxClass()], services: [service('web')], secrets: [] });
  const backends = new FakeBackends();
  const dialled: string[] = [];
  const eps = ['10.244.1.5:8080', '10.244.2.7:8080', '10.244.3.9:8080'];
  const proxy = new IngressProxy({
    routes: () => table,
    connect: (t) => {
      dialled.push(t.endpoint ?? 'service');
      return backends.connect(t);
    },
    endpoints: (t) => (t.namespace === 'default' && t.name === 'web' && t.port === 80 ? eps : []),
  });
  const server = createIngressServer(proxy, 'http');
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  try {
    // Each upstream connection answers with its own (fake) remote port.
    backends.add('default/web:80', (req, res) => res.end(String(req.socket.remotePort)));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const conns: string[] = [];
    for (let i = 0; i < 9; i++) conns.push((await request(port, { agent, headers: { host: 'rr.local' } })).body);
    agent.destroy();
    // One upstream connection per endpoint, reused: three dials for nine requests, each endpoint once...
    assert.deepEqual([...dialled].sort(), [...eps].sort());
    // ...and the requests take them in turn.
    assert.equal(new Set(conns.slice(0, 3)).size, 3, conns.join(','));
    for (let i = 3; i < 9; i++) assert.equal(conns[i], conns[i - 3], conns.join(','));
  } finally {
    proxy.close();
    backends.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('request body over proxy-body-size gets 413', async () => {
  const h = await harness([ingress({ name: 'b', annotations: { [A + 'proxy-body-size']: '1k' }, rules: [{ host: 'b.local', paths: [{ service: 'echo' }] }] })]);
  try {
    h.backends.add('default/echo:80', echoHandler);
    const big = await request(h.port, { method: 'POST', headers: { host: 'b.local', 'content-type': 'text/plain' }, body: 'x'.repeat(2048) });
    assert.equal(big.status, 413);
    assert.match(big.body, /413 Request Entity Too Large/);
    const ok = await request(h.port, { method: 'POST', headers: { host: 'b.local' }, body: 'x'.repeat(512) });
    assert.equal(ok.status, 200);
  } finally {
    await h.close();
  }
});

test('WebSocket upgrades pass through (echo with ws)', async () => {
  const h = await harness([ingress({ name: 'w', rules: [{ host: 'ws.local', paths: [{ path: '/socket', service: 'ws' }] }] })]);
  const wss = new WebSocketServer({ noServer: true });
  try {
    const backend = h.backends.add('default/ws:80', (_req, res) => res.end('not a websocket'));
    let upgradeHeaders: http.IncomingHttpHeaders = {};
    backend.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      upgradeHeaders = req.headers;
      wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m, isBinary) => ws.send(isBinary ? m : `echo:${m.toString()}`)));
    });
    const ws = new WebSocket(`ws://127.0.0.1:${h.port}/socket`, { headers: { host: 'ws.local' } });
    await once(ws, 'open');
    ws.send('hello');
    const [msg] = (await once(ws, 'message')) as [Buffer];
    assert.equal(msg.toString(), 'echo:hello');
    assert.equal(upgradeHeaders['x-forwarded-for'], '127.0.0.1');
    assert.equal(upgradeHeaders['upgrade'], 'websocket');
    ws.close();
    await once(ws, 'close');
    // an upgrade on a path with no route gets nginx's 404
    const bad = new WebSocket(`ws://127.0.0.1:${h.port}/nowhere`, { headers: { host: 'ws.local' } });
    const [, res] = (await once(bad, 'unexpected-response')) as [unknown, http.IncomingMessage];
    assert.equal(res.statusCode, 404);
    res.resume();
    bad.on('error', () => undefined); // ws reports the aborted handshake
    bad.terminate();
  } finally {
    wss.close();
    await h.close();
  }
});

function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => c.write(text));
    let out = '';
    c.on('data', (d: Buffer) => (out += d.toString('latin1')));
    c.on('end', () => resolve(out));
    c.on('error', reject);
    setTimeout(() => {
      c.destroy();
      resolve(out);
    }, 2000).unref();
  });
}

test('bad input is refused as nginx refuses it, and the proxy keeps serving', async () => {
  const h = await harness([ingress({ name: 'x', rules: [{ host: 'x.local', paths: [{ service: 'web' }] }] })]);
  try {
    h.backends.add('default/web:80', (_req, res) => res.end('ok'));
    const dup = await raw(h.port, 'GET / HTTP/1.1\r\nHost: x.local\r\nHost: other\r\n\r\n');
    assert.match(dup, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(dup, /<center><h1>400 Bad Request<\/h1><\/center>/);
    const bigHeader = await raw(h.port, `GET / HTTP/1.1\r\nHost: x.local\r\nX-Big: ${'a'.repeat(9000)}\r\n\r\n`);
    assert.match(bigHeader, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(bigHeader, /<center>Request Header Or Cookie Too Large<\/center>/);
    const longUri = await raw(h.port, `GET /${'a'.repeat(9000)} HTTP/1.1\r\nHost: x.local\r\n\r\n`);
    assert.match(longUri, /^HTTP\/1\.1 414 Request-URI Too Large\r\n/);
    const huge = await raw(h.port, `GET / HTTP/1.1\r\nHost: x.local\r\nX-Huge: ${'a'.repeat(70000)}\r\n\r\n`);
    assert.match(huge, /^HTTP\/1\.1 400 Bad Request\r\n/);
    const dots = await raw(h.port, 'GET /../../etc/passwd HTTP/1.1\r\nHost: x.local\r\nConnection: close\r\n\r\n');
    assert.match(dots, /^HTTP\/1\.1 400 Bad Request\r\n/);
    const noHost = await raw(h.port, 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n');
    assert.match(noHost, /^HTTP\/1\.1 400 Bad Request\r\n/);
    const encSlash = await raw(h.port, 'GET /a%2Fb HTTP/1.1\r\nHost: x.local\r\nConnection: close\r\n\r\n');
    assert.match(encSlash, /^HTTP\/1\.1 200 OK\r\n/);
    assert.equal((await request(h.port, { headers: { host: 'x.local' } })).body, 'ok');
  } finally {
    await h.close();
  }
});

test('a recompiled table applies to the next request', async () => {
  const h = await harness([]);
  try {
    h.backends.add('default/web:80', (_req, res) => res.end('ok'));
    assert.equal((await request(h.port, { headers: { host: 'late.local' } })).status, 404);
    h.setIngresses([ingress({ name: 'late', rules: [{ host: 'late.local', paths: [{ service: 'web' }] }] })]);
    assert.equal((await request(h.port, { headers: { host: 'late.local' } })).body, 'ok');
  } finally {
    await h.close();
  }
});
