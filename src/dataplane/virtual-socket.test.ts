/**
 * @module dataplane/virtual-socket.test
 * Stream semantics of virtual TCP sockets: data both ways, half-close,
 * graceful and abortive close, backpressure, idle timeout, writes made while
 * connecting, net-like properties.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { acceptQueue, delay, fixtureNetwork, nextError, POD_A, POD_B, readAll, waitFor } from './test-support.js';

test('data flows both ways; addresses and ports look like net', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const q = acceptQueue(net, POD_A, 8080);
  const client = await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 8080 });
  const { socket: server, info } = await q.next();
  assert.equal(client.connecting, false);
  assert.equal(client.readyState, 'open');
  assert.equal(client.localAddress, POD_B);
  assert.ok((client.localPort ?? 0) >= 32768);
  assert.equal(client.remoteAddress, POD_A);
  assert.equal(client.remotePort, 8080);
  assert.equal(client.remoteFamily, 'IPv4');
  assert.equal(server.remoteAddress, POD_B);
  assert.equal(server.remotePort, client.localPort);
  assert.equal(server.localAddress, POD_A);
  assert.equal(server.localPort, 8080);
  assert.deepEqual(server.address(), { address: POD_A, family: 'IPv4', port: 8080 });
  assert.equal(info.src.ip, POD_B);
  assert.deepEqual(info.src.owner, { kind: 'pod', namespace: 'default', name: 'client' });

  client.write('ping');
  const [d1] = (await once(server, 'data')) as [Buffer];
  assert.equal(d1.toString(), 'ping');
  server.write(Buffer.from('pong'));
  const [d2] = (await once(client, 'data')) as [Buffer];
  assert.equal(d2.toString(), 'pong');
  assert.equal(client.bytesWritten, 4);
  assert.equal(server.bytesRead, 4);

  client.destroy();
  server.destroy();
  q.listener.close();
});

test('half-close: the client ends, the allowHalfOpen server still answers, then both close cleanly', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const q = acceptQueue(net, POD_A, 7, true);
  const client = net.createConnection({ srcIp: POD_B, dstIp: POD_A, dstPort: 7, allowHalfOpen: true });
  client.end('request body');
  const clientClosed = once(client, 'close');
  const { socket: server } = await q.next();
  const serverClosed = once(server, 'close');
  const got = await readAll(server); // ends at the client's EOF
  assert.equal(got.toString(), 'request body');
  assert.equal(server.writable, true, 'server may still write after the client EOF');
  server.end('answer');
  const answer = await readAll(client);
  assert.equal(answer.toString(), 'answer');
  await Promise.all([clientClosed, serverClosed]);
  assert.equal(client.readyState, 'closed');
  q.listener.close();
});

test('without allowHalfOpen the server side ends itself when the client ends', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const q = acceptQueue(net, POD_A, 7);
  const client = await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 7, allowHalfOpen: true });
  const { socket: server } = await q.next();
  const serverClosed = once(server, 'close');
  server.resume();
  client.end();
  const got = await readAll(client); // the server's automatic EOF ends our readable
  assert.equal(got.length, 0);
  await serverClosed;
  q.listener.close();
});

test('destroy with data unread resets the peer: ECONNRESET', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const q = acceptQueue(net, POD_A, 9000);
  const client = await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 9000 });
  const { socket: server } = await q.next();
  server.pause(); // leaves what arrives unread
  client.write('unread');
  await delay(5);
  server.destroy();
  const err = await nextError(client);
  assert.equal(err.code, 'ECONNRESET');
  assert.equal(err.message, 'read ECONNRESET');
  q.listener.close();
});

test('destroy(err) resets the peer; a plain destroy with nothing unread is a FIN', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const q = acceptQueue(net, POD_A, 9001);
  const c1 = await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 9001 });
  const { socket: s1 } = await q.next();
  s1.destroy(new Error('workload crashed'));
  s1.on('error', () => undefined);
  assert.equal((await nextError(c1)).code, 'ECONNRESET');

  const c2 = await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 9001 });
  const { socket: s2 } = await q.next();
  const c2Closed = once(c2, 'close');
  s2.destroy();
  const rest = await readAll(c2); // EOF, no error
  assert.equal(rest.length, 0);
  await c2Closed;
  q.listener.close();
});

test('writing to a peer that has closed gets ECONNRESET', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const q = acceptQueue(net, POD_A, 9002);
  const client = await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 9002, allowHalfOpen: true });
  const { socket: server } = await q.next();
  const ended = once(client, 'end');
  client.resume();
  server.destroy();
  await ended;
  client.write('too late');
  assert.equal((await nextError(client)).code, 'ECONNRESET');
  q.listener.close();
});

test('resetAndDestroy resets the peer at once', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const q = acceptQueue(net, POD_A, 9003);
  const client = await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 9003 });
  const { socket: server } = await q.next();
  client.resetAndDestroy();
  assert.equal((await nextError(server)).code, 'ECONNRESET');
  q.listener.close();
});

test('backpressure: a paused reader stops the writer; resuming drains everything intact', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const q = acceptQueue(net, POD_A, 9004);
  const client = await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 9004 });
  const { socket: server } = await q.next();
  server.pause();
  const chunk = Buffer.alloc(8192);
  let written = 0;
  let blocked = false;
  for (let i = 0; i < 200 && !blocked; i++) {
    chunk.fill(i % 251);
    blocked = !client.write(Buffer.from(chunk));
    written += chunk.length;
    await delay(0);
  }
  assert.ok(blocked, 'write() returned false once the reader stopped reading');
  assert.ok(written < 200 * 8192, 'the writer was held back');
  await delay(10);
  assert.ok(server.readableLength <= server.readableHighWaterMark + 8192 * 2, `reader buffer bounded, got ${server.readableLength}`);
  // Drain and verify.
  const drained = once(client, 'drain');
  const all = readAll(server);
  server.resume();
  await drained;
  client.end();
  const got = await all;
  assert.equal(got.length, written);
  for (let i = 0; i < written / 8192; i++) assert.equal(got[i * 8192], i % 251);
  client.destroy();
  q.listener.close();
});

test('writes made while connecting arrive once connected, in order, cork/uncork included', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const q = acceptQueue(net, POD_A, 9005);
  const client = net.createConnection({ srcIp: POD_B, dstIp: POD_A, dstPort: 9005 });
  assert.equal(client.connecting, true);
  assert.equal(client.readyState, 'opening');
  client.write('a');
  client.cork();
  client.write('b');
  client.write('c');
  client.uncork();
  client.end('d');
  const { socket: server } = await q.next();
  assert.equal((await readAll(server)).toString(), 'abcd');
  client.destroy();
  q.listener.close();
});

test('idle setTimeout emits timeout without destroying; activity postpones it; 0 disables', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const q = acceptQueue(net, POD_A, 9006);
  const client = await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 9006 });
  const { socket: server } = await q.next();
  server.resume();
  const fired: number[] = [];
  client.setTimeout(40, () => fired.push(performance.now()));
  assert.equal(client.timeout, 40);
  await delay(20);
  client.write('keepalive');
  const lastActivity = performance.now();
  await waitFor(() => fired.length > 0, 2_000, "'timeout'");
  assert.ok((fired[0] as number) - lastActivity >= 39, 'not before 40 ms of inactivity after the write');
  assert.equal(client.destroyed, false);
  client.setTimeout(0);
  client.write('again');
  await delay(80);
  assert.equal(fired.length, 1, 'disabled');
  client.destroy();
  server.destroy();
  q.listener.close();
});

test('destroySoon ends, then destroys once flushed; ref/unref/setNoDelay/setKeepAlive are chainable', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const q = acceptQueue(net, POD_A, 9007);
  const client = await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 9007 });
  assert.equal(client.setNoDelay(true).setKeepAlive(true, 1000).unref().ref(), client);
  const { socket: server } = await q.next();
  const closed = once(client, 'close');
  client.write('last words');
  client.destroySoon();
  assert.equal(client.writable, false);
  assert.equal((await readAll(server)).toString(), 'last words');
  await closed;
  q.listener.close();
});
