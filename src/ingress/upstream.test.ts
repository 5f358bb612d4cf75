/**
 * @module ingress/upstream.test
 * The proxy's upstream side against scripted raw backends over in-memory pipes:
 * the request bytes node:http's client used to send, connection reuse and when
 * a connection is not reused (Connection: close, Keep-Alive hints, closed while
 * idle), an upstream breaking before or after the head, and the read timeout
 * measured between reads rather than over the whole response.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { compileRouteTable } from './route-table.js';
import { IngressProxy } from './proxy.js';
import { createIngressServer } from './listeners.js';
import { ingress, nginxClass, pipePair, request, service, type PipeEnd } from './test-support.js';
import { UpstreamConnection, UpstreamPool } from './upstream.js';

const A = 'nginx.ingress.kubernetes.io/';

/** Answers each request head on a connection with `reply(head, conn)`. */
type Script = (head: string, conn: PipeEnd, connIndex: number) => void;

interface RawHarness {
  readonly port: number;
  readonly heads: string[];
  readonly bodies: string[];
  readonly dials: () => number;
  close(): Promise<void>;
}

async function rawHarness(script: Script, annotations: Record<string, string> = {}): Promise<RawHarness> {
  const table = compileRouteTable({ ingresses: [ingress({ name: 'u', annotations, rules: [{ host: 'u.local', paths: [{ service: 'web' }] }] })], ingressClasses: [nginxClass()], services: [service('web')], secrets: [] });
  const heads: string[] = [];
  const bodies: string[] = [];
  let dials = 0;
  const proxy = new IngressProxy({
    routes: () => table,
    connect: () => {
      const [client, server] = pipePair();
      const index = dials++;
      let buf = '';
      server.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
          const head = buf.slice(0, end + 4);
          buf = buf.slice(end + 4);
          if (!/^[A-Z]+ /.test(head)) {
            bodies.push(head); // an empty chunked body ends with a blank line too
            continue;
          }
          heads.push(head);
          script(head, server, index);
        }
      });
      server.on('error', () => undefined);
      return Promise.resolve(client);
    },
  });
  const server = createIngressServer(proxy, 'http');
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    heads,
    bodies,
    dials: () => dials,
    async close() {
      proxy.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const ok = (_head: string, conn: PipeEnd): void => {
  conn.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
};

function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => c.write(text));
    let out = '';
    c.on('data', (d: Buffer) => (out += d.toString('latin1')));
    c.on('close', () => resolve(out));
    c.on('error', reject);
  });
}

test('the upstream request is what node:http sent: forwarded headers, Connection: keep-alive, body framing', async () => {
  const h = await rawHarness(ok);
  try {
    await request(h.port, { path: '/a?b=1', headers: { host: 'u.local', 'x-custom': 'kept' } });
    assert.match(h.heads[0]!, /^GET \/a\?b=1 HTTP\/1\.1\r\nHost: u\.local\r\nX-Request-ID: [0-9a-f]{32}\r\nX-Real-IP: 127\.0\.0\.1\r\n/);
    assert.match(h.heads[0]!, /\r\nx-custom: kept\r\nConnection: keep-alive\r\n\r\n$/);
    // a body-less POST goes out with an empty chunked body, as node:http's client sent it
    await raw(h.port, 'POST / HTTP/1.1\r\nHost: u.local\r\nConnection: close\r\n\r\n');
    assert.match(h.heads[1]!, /\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n$/);
    await request(h.port, { method: 'PUT', headers: { host: 'u.local' }, body: 'abc' });
    assert.deepEqual(h.bodies, ['0\r\n\r\n']);
    assert.match(h.heads[2]!, /\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\n$/);
    assert.equal(h.dials(), 1, 'one connection carries them all');
  } finally {
    await h.close();
  }
});

test('Connection: close and a Keep-Alive timeout of one second or less end the upstream connection', async () => {
  const h = await rawHarness((head, conn) => {
    if (head.startsWith('GET /close ')) conn.write('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok');
    else if (head.startsWith('GET /short ')) conn.write('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Length: 2\r\n\r\nok');
    else ok(head, conn);
  });
  try {
    for (const path of ['/close', '/', '/short', '/', '/']) assert.equal((await request(h.port, { path, headers: { host: 'u.local' } })).body, 'ok');
    assert.equal(h.dials(), 3);
  } finally {
    await h.close();
  }
});

test('an idle connection the upstream closed is not used again', async () => {
  const conns: PipeEnd[] = [];
  const h = await rawHarness((head, conn) => {
    conns.push(conn);
    ok(head, conn);
  });
  try {
    await request(h.port, { headers: { host: 'u.local' } });
    conns[0]!.end();
    await new Promise((r) => setImmediate(r));
    assert.equal((await request(h.port, { headers: { host: 'u.local' } })).body, 'ok');
    assert.equal(h.dials(), 2);
  } finally {
    await h.close();
  }
});

test('an upstream that breaks before its head gets 502; after it, the client connection is cut', async () => {
  const h = await rawHarness((head, conn) => {
    if (head.startsWith('GET /before ')) conn.destroy();
    else {
      conn.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial');
      setTimeout(() => conn.destroy(), 20);
    }
  });
  try {
    assert.match(await raw(h.port, 'GET /before HTTP/1.1\r\nHost: u.local\r\nConnection: close\r\n\r\n'), /^HTTP\/1\.1 502 Bad Gateway\r\n/);
    const cut = await raw(h.port, 'GET /after HTTP/1.1\r\nHost: u.local\r\nConnection: close\r\n\r\n');
    assert.match(cut, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\npartial$/);
  } finally {
    await h.close();
  }
});

test('proxy-read-timeout is the time between reads, not the whole response', async () => {
  const h = await rawHarness((_head, conn) => {
    // 5 x 250 ms: longer than the 1 s timeout in all, each gap well under it
    conn.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
    let n = 0;
    const drip = setInterval(() => {
      conn.write('x');
      if (++n === 5) clearInterval(drip);
    }, 250);
  }, { [A + 'proxy-read-timeout']: '1' });
  try {
    const r = await request(h.port, { headers: { host: 'u.local' } });
    assert.equal(r.status, 200);
    assert.equal(r.body, 'xxxxx');
  } finally {
    await h.close();
  }
});

test('the pool hands out the most recent idle connection and skips expired ones', () => {
  const pool = new UpstreamPool(() => Promise.reject(new Error('unused')), { tls: false });
  const conns = [0, 1].map(() => new UpstreamConnection(pipePair()[0], 'k', pool));
  for (const c of conns) pool.release(c);
  assert.equal(pool.take('k'), conns[1]);
  pool.release(conns[1]!);
  conns[1]!.keepAliveHint(2000);
  conns[1]!.idleSince = Date.now() - 1500;
  assert.equal(pool.take('k'), conns[0], 'idle longer than the hint less a second');
  assert.equal(conns[1]!.socket.destroyed, true);
  assert.equal(pool.take('k'), undefined);
  pool.destroy();
  for (const c of conns) c.destroy();
});
