/**
 * @module apiserver/streams/transports.test
 * Protocol-level tests with hand-driven clients, for what kubectl does not exercise
 * by itself: WebSocket v4 and legacy channel protocols, v5 stdin close and split
 * resize messages, a SPDY port-forward session that survives a refused port and
 * serves the next stream pair, and the HTTP refusals before an upgrade.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { FakeBackend } from './test-backend.js';
import { NS, runningPod, startHarness, type Harness } from './test-harness.js';

interface WsResult {
  readonly frames: Array<{ channel: number; text: string }>;
  readonly closeCode: number;
}

/** Runs a WebSocket exec: sends `send` frames after open, collects frames until close. */
function wsExec(h: Harness, query: string, protocols: string[], send: Buffer[] = []): Promise<WsResult> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${h.url.replace('http', 'ws')}/api/v1/namespaces/${NS}/pods/p/exec?${query}`, protocols);
    const frames: WsResult['frames'] = [];
    ws.on('open', () => {
      for (const b of send) ws.send(b);
    });
    ws.on('message', (data: Buffer) => frames.push({ channel: data[0]!, text: data.subarray(1).toString() }));
    ws.on('close', (code) => resolve({ frames, closeCode: code }));
    ws.on('error', reject);
  });
}

function frame(channel: number, payload: string | number[]): Buffer {
  return Buffer.concat([Buffer.from([channel]), typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload)]);
}

/** Sends a raw HTTP upgrade request and returns the response head plus the socket. */
function rawUpgrade(h: Harness, requestHead: string): Promise<{ head: string; body: string; socket: Socket; rest: Buffer }> {
  const { port } = new URL(h.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(requestHead));
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const head = buf.subarray(0, end).toString();
      const rest = buf.subarray(end + 4);
      if (head.startsWith('HTTP/1.1 101')) {
        socket.off('data', onData);
        resolve({ head, body: '', socket, rest });
        return;
      }
      const len = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? '0');
      if (rest.length >= len) {
        socket.off('data', onData);
        socket.destroy();
        resolve({ head, body: rest.subarray(0, len).toString(), socket, rest: Buffer.alloc(0) });
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}

// A minimal typed view of spdy-transport's client side, for this test only (the package has no types).
interface ClientStream extends Duplex {
  on(event: 'response', cb: (status: number) => void): this;
  on(event: string | symbol, cb: (...args: never[]) => void): this;
}
interface ClientConnection {
  start(version: number): void;
  request(opts: { method: string; path: string; headers: Record<string, string> }, cb: (err: Error | null, stream: ClientStream) => void): ClientStream;
  on(event: 'error', cb: (err: Error) => void): void;
}
const transport = createRequire(import.meta.url)('spdy-transport') as { connection: { create(s: Duplex, o: { protocol: 'spdy'; isServer: false }): ClientConnection } };

function openStream(conn: ClientConnection, headers: Record<string, string>): Promise<ClientStream> {
  return new Promise((resolve, reject) => {
    const s = conn.request({ method: 'POST', path: '/', headers }, (err) => (err ? reject(err) : undefined));
    s.on('response', () => resolve(s));
    s.on('error', reject);
  });
}

function readToEnd(s: Duplex): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.on('end', () => resolve(out));
  });
}

describe('streaming transports, hand-driven', { timeout: 60_000 }, () => {
  let h: Harness;
  let echo: Server;
  before(async () => {
    echo = createServer((req, res) => req.pipe(res));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const refusing = createServer();
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const closedPort = (refusing.address() as AddressInfo).port;
    await new Promise<void>((resolve) => refusing.close(() => resolve()));
    const unscheduled = runningPod('u');
    delete (unscheduled['spec'] as { nodeName?: string }).nodeName;
    h = await startHarness(new FakeBackend({ ports: { 8080: (echo.address() as AddressInfo).port }, closedPort }), [runningPod('p'), unscheduled]);
  });
  after(async () => {
    await h.close();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it('v4.channel.k8s.io: JSON Status with the exit code, then close 1000', async () => {
    const r = await wsExec(h, 'command=sh&command=-c&command=echo+hi%3B+exit+5&stdout=true&stderr=true', ['v4.channel.k8s.io']);
    assert.equal(r.closeCode, 1000);
    assert.deepEqual(r.frames[0], { channel: 1, text: 'hi\n' });
    const status = r.frames.find((f) => f.channel === 3);
    assert.ok(status);
    assert.deepEqual(JSON.parse(status.text), {
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [sh -c echo hi; exit 5], exit code 5',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '5' }] },
    });
  });

  it('legacy channel.k8s.io: no Status on success', async () => {
    const r = await wsExec(h, 'command=echo&command=ok&stdout=true', ['channel.k8s.io']);
    assert.deepEqual(r.frames, [{ channel: 1, text: 'ok\n' }]);
    assert.equal(r.closeCode, 1000);
  });

  it('v5: stdin ends on "ff 00"; resize JSON may be split across messages', async () => {
    const cat = await wsExec(h, 'command=cat&stdin=true&stdout=true', ['v5.channel.k8s.io'], [frame(0, 'abc'), frame(0, 'def'), frame(255, [0])]);
    assert.deepEqual(cat.frames, [
      { channel: 1, text: 'abcdef' },
      { channel: 3, text: '{"metadata":{},"status":"Success"}' },
    ]);
    const size = await wsExec(h, 'command=size&stdin=true&stdout=true&tty=true', ['v5.channel.k8s.io'], [frame(4, '{"Width":5'), frame(4, '0,"Height":6}\n')]);
    assert.equal(size.frames[0]?.text, 'tty=true size=50x6\r\n');
  });

  it('a SPDY port-forward session survives a refused port and serves the next pair', async () => {
    const up = await rawUpgrade(
      h,
      `POST /api/v1/namespaces/${NS}/pods/p/portforward HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n`,
    );
    assert.match(up.head, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(up.head, /X-Stream-Protocol-Version: portforward\.k8s\.io/);
    if (up.rest.length > 0) up.socket.unshift(up.rest);
    const conn = transport.connection.create(up.socket, { protocol: 'spdy', isServer: false });
    conn.on('error', () => {});
    conn.start(3);
    try {
      const err0 = await openStream(conn, { streamtype: 'error', port: '9999', requestid: '0' });
      const data0 = await openStream(conn, { streamtype: 'data', port: '9999', requestid: '0' });
      err0.end();
      data0.resume();
      assert.match(await readToEnd(err0), /^error forwarding port 9999 to pod [0-9a-f]{64}, uid : .*connect: connection refused $/);

      const err1 = await openStream(conn, { streamtype: 'error', port: '8080', requestid: '1' });
      const data1 = await openStream(conn, { streamtype: 'data', port: '8080', requestid: '1' });
      err1.end();
      const reply = readToEnd(data1);
      data1.end('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nConnection: close\r\n\r\nping');
      assert.match(await reply, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n4\r\nping\r\n0\r\n\r\n$/);
      assert.equal(await readToEnd(err1), '');
    } finally {
      up.socket.destroy();
    }
  });

  it('refuses before upgrading, with a Status or the handshake text', async () => {
    const noCommand = await rawUpgrade(
      h,
      `GET /api/v1/namespaces/${NS}/pods/p/exec?stdout=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n`,
    );
    assert.match(noCommand.head, /^HTTP\/1\.1 400 Bad Request/);
    assert.equal((JSON.parse(noCommand.body) as { message: string }).message, 'you must specify at least one command for the container');

    const noVersion = await rawUpgrade(h, `POST /api/v1/namespaces/${NS}/pods/p/exec?command=ls&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nContent-Length: 0\r\n\r\n`);
    assert.match(noVersion.head, /^HTTP\/1\.1 400 Bad Request/);
    assert.equal(noVersion.body, 'unable to upgrade: X-Stream-Protocol-Version is required');

    const unscheduled = await rawUpgrade(
      h,
      `POST /api/v1/namespaces/${NS}/pods/u/portforward HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n`,
    );
    assert.match(unscheduled.head, /^HTTP\/1\.1 400 Bad Request/);
    assert.equal((JSON.parse(unscheduled.body) as { message: string }).message, 'pod u does not have a host assigned');

    const wrongProto = await rawUpgrade(
      h,
      `GET /api/v1/namespaces/${NS}/pods/p/exec?command=ls&stdout=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v9.channel.k8s.io\r\n\r\n`,
    );
    assert.match(wrongProto.head, /^HTTP\/1\.1 400 Bad Request/);
  });
});
