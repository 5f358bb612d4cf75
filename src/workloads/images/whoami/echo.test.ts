/**
 * @module workloads/images/whoami/echo.test
 * whoami's /echo WebSocket (gorilla's upgrader and echo loop) on the virtual pod
 * network: gorilla's handshake refusals, the 101 with Sec-WebSocket-Accept (the
 * RFC 6455 example key), echoed text/binary and fragmented messages, ping/pong,
 * the closing handshake, protocol errors (unmasked client frame -> close 1002),
 * printBinary on stdout, and an upgrade request to another path served as a
 * plain request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPodNetwork } from '../../../dataplane/index.js';
import { FakeClock } from '../../testing/fake-clock.js';
import { startTestPod, testRuntime, waitListening } from '../testing.js';
import { websocketAccept } from './echo.js';

const CLIENT = '10.244.9.9';
const IP = '10.244.1.5';
const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** Sends `request` (bytes) from the client pod and collects the reply until the server ends or goes quiet. */
async function exchange(net: ReturnType<typeof createPodNetwork>, request: Buffer | string, idleMs = 200): Promise<Buffer> {
  const socket = await net.connect({ srcIp: CLIENT, dstIp: IP, dstPort: 80 });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (timer) clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks));
    };
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(finish, idleMs);
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      arm();
    });
    socket.on('end', finish);
    socket.on('error', finish);
    socket.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request);
    arm();
  });
}

async function whoamiPod() {
  const net = createPodNetwork();
  net.registerAddress(CLIENT, { kind: 'pod', namespace: 'default', name: 'client' });
  const pod = startTestPod(net, testRuntime(), { image: 'traefik/whoami', ip: IP, name: 'whoami-5d7f', args: [], env: {}, clock: new FakeClock({ autoAdvance: false }) });
  await waitListening(pod.container, 80);
  return { net, pod };
}

function masked(opcode: number, payload: Buffer, fin = true): Buffer {
  const key = Buffer.from([1, 2, 3, 4]);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i] = body[i]! ^ key[i % 4]!;
  const len = body.length < 126 ? [body.length | 0x80] : [126 | 0x80, body.length >> 8, body.length & 0xff];
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, ...len]), key, body]);
}

/** Server frames (unmasked) in `bytes`, after the HTTP head. */
function frames(bytes: Buffer): Array<{ fin: boolean; opcode: number; payload: Buffer }> {
  const out: Array<{ fin: boolean; opcode: number; payload: Buffer }> = [];
  let b = bytes;
  while (b.length >= 2) {
    let len = b[1]! & 0x7f;
    let off = 2;
    if (len === 126) {
      len = b.readUInt16BE(2);
      off = 4;
    }
    out.push({ fin: (b[0]! & 0x80) !== 0, opcode: b[0]! & 0x0f, payload: b.subarray(off, off + len) });
    b = b.subarray(off + len);
  }
  return out;
}

const upgrade = (extra = '', method = 'GET', path = '/echo') =>
  `${method} ${path} HTTP/1.1\r\nHost: ws\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${KEY}\r\n${extra}\r\n`;

test('the accept key of RFC 6455 section 1.3', () => {
  assert.equal(websocketAccept(KEY), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
});

test('gorilla refuses what is not a WebSocket handshake, with its status and log line', { timeout: 5000 }, async () => {
  const { net, pod } = await whoamiPod();
  const cases: Array<[string, RegExp, string]> = [
    ['GET /echo HTTP/1.1\r\nHost: ws\r\nConnection: close\r\n\r\n', /^HTTP\/1\.1 400 Bad Request\r\n/, "'upgrade' token not found in 'Connection' header"],
    [upgrade('', 'POST'), /^HTTP\/1\.1 405 Method Not Allowed\r\n/, 'request method is not GET'],
    [upgrade().replace('Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 8'), /^HTTP\/1\.1 400 Bad Request\r\n/, "13 not found in 'Sec-Websocket-Version' header"],
    [upgrade().replace(KEY, 'c2hvcnQ='), /^HTTP\/1\.1 400 Bad Request\r\n/, "'Sec-WebSocket-Key' header must be Base64 encoded value of 16-byte in length"],
  ];
  for (const [req, status, log] of cases) {
    const raw = (await exchange(net, req)).toString('latin1');
    assert.match(raw, status);
    assert.match(raw, /\r\nSec-Websocket-Version: 13\r\n/);
    assert.match(raw, /\r\nX-Content-Type-Options: nosniff\r\n/);
    assert.ok(pod.stderr.text().includes(log), pod.stderr.text());
  }
  await pod.container.stop('SIGKILL');
});

test('/echo upgrades and echoes text, binary and fragmented messages; ping/pong; close', { timeout: 5000 }, async () => {
  const { net, pod } = await whoamiPod();
  const req = Buffer.concat([
    Buffer.from(upgrade()),
    masked(1, Buffer.from('hello')),
    masked(2, Buffer.from([0, 255])),
    masked(1, Buffer.from('frag'), false),
    masked(9, Buffer.from('p')),
    masked(0, Buffer.from('mented')),
    masked(1, Buffer.alloc(200, 0x61)),
    masked(8, Buffer.from([0x03, 0xe8])),
  ]);
  const raw = await exchange(net, req);
  const end = raw.indexOf('\r\n\r\n');
  assert.equal(raw.subarray(0, end).toString(), `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${websocketAccept(KEY)}`);
  const f = frames(raw.subarray(end + 4));
  assert.deepEqual(
    f.map((x) => [x.opcode, x.fin, x.opcode === 2 ? [...x.payload].join(',') : x.payload.toString('latin1')]),
    [
      [1, true, 'hello'],
      [2, true, '0,255'],
      [10, true, 'p'],
      [1, true, 'fragmented'],
      [1, true, 'a'.repeat(200)],
      [8, true, '\x03\xe8'],
    ],
  );
  assert.match(pod.stdout.text(), /^Received b:104,101,108,108,111,\nReceived b:0,255,\nReceived b:102,114,97,103,109,101,110,116,101,100,\n/);
  await pod.container.stop('SIGKILL');
});

test('an unmasked client frame is a protocol error: close 1002 with gorilla text', { timeout: 5000 }, async () => {
  const { net, pod } = await whoamiPod();
  const raw = await exchange(net, Buffer.concat([Buffer.from(upgrade()), Buffer.from([0x81, 0x02, 0x68, 0x69])]));
  const f = frames(raw.subarray(raw.indexOf('\r\n\r\n') + 4));
  assert.equal(f.length, 1);
  assert.equal(f[0]!.opcode, 8);
  assert.equal(f[0]!.payload.readUInt16BE(0), 1002);
  assert.equal(f[0]!.payload.subarray(2).toString(), 'incorrect mask flag');
  await pod.container.stop('SIGKILL');
});

test('an upgrade request to another path is served as a plain request', { timeout: 5000 }, async () => {
  const { net, pod } = await whoamiPod();
  const raw = (await exchange(net, upgrade('', 'GET', '/other'))).toString('latin1');
  assert.match(raw, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(raw, /\nGET \/other HTTP\/1\.1\r\nHost: ws\r\n/);
  assert.match(raw, /\r\nUpgrade: websocket\r\n/);
  await pod.container.stop('SIGKILL');
});
