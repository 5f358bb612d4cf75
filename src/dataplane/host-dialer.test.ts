/**
 * @module dataplane/host-dialer.test
 * Service endpoints on host addresses: a flow a Service translated to
 * 127.0.0.1:port reaches a real TCP server started here, bytes both ways with
 * half-closes and backpressure, one flow record each; and everything the door
 * must keep shut: other real addresses, dialled (untranslated) loopback,
 * excluded (node) addresses, policy drops, UDP, nothing listening.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { PolicyHook, Translator } from './hooks.js';
import { LoopbackHostDialer, isLoopbackIPv4 } from './host-dialer.js';
import { FakeTimers, POD_B, fixtureNetwork, nextError, readAll } from './test-support.js';
import type { ServiceRef } from './types.js';

const HOST_SVC: ServiceRef = { namespace: 'default', name: 'host-api' };
const VIP = '10.96.0.60';
const VIP_REMOTE = '10.96.0.61';
const VIP_EXCLUDED = '10.96.0.62';
const VIP_UDP = '10.96.0.63';
const EXCLUDED_IP = '127.0.10.9';

/** A translator sending VIP:80 to the host server's 127.0.0.1:port, and the forbidden cases elsewhere. */
function translatorTo(port: () => number): Translator {
  return {
    translate({ dst }) {
      if (dst.ip === VIP || dst.ip === VIP_UDP) return { kind: 'forward', dst: { ip: '127.0.0.1', port: port() }, service: HOST_SVC };
      if (dst.ip === VIP_REMOTE) return { kind: 'forward', dst: { ip: '192.0.2.10', port: 80 }, service: HOST_SVC };
      if (dst.ip === VIP_EXCLUDED) return { kind: 'forward', dst: { ip: EXCLUDED_IP, port: port() }, service: HOST_SVC };
      return undefined;
    },
  };
}

const accepted = new WeakMap<Server, Set<Socket>>();

async function startEcho(onSocket?: (s: Socket) => void): Promise<{ server: Server; port: number; peers: string[] }> {
  const peers: string[] = [];
  const open = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (s) => {
    open.add(s);
    s.once('close', () => open.delete(s));
    peers.push(`${s.remoteAddress}:${s.remotePort}`);
    if (onSocket !== undefined) onSocket(s);
    else s.pipe(s);
  });
  accepted.set(server, open);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, peers };
}

function stop(server: Server): Promise<void> {
  return new Promise((r) => {
    server.close(() => r());
    for (const s of accepted.get(server) ?? []) s.destroy();
  });
}

test('isLoopbackIPv4: 127.0.0.0/8 only', () => {
  for (const ip of ['127.0.0.1', '127.0.10.3', '127.255.255.254']) assert.equal(isLoopbackIPv4(ip), true, ip);
  for (const ip of ['10.244.1.5', '128.0.0.1', '1.127.0.0', '127.0.0', '127.0.0.256', 'localhost', '::1', '']) assert.equal(isLoopbackIPv4(ip), false, ip);
});

test('a Service endpoint on 127.0.0.1 is reached with a real connection: echo, half-close, flow record', async () => {
  const echo = await startEcho();
  const dialer = new LoopbackHostDialer();
  const net = fixtureNetwork({ translator: translatorTo(() => echo.port), hostDialer: dialer });
  try {
    const c = await net.connect({ srcIp: POD_B, dstIp: VIP, dstPort: 80 });
    assert.equal(c.remoteAddress, VIP, 'the client still sees what it dialled');
    c.end('hello host');
    assert.equal((await readAll(c)).toString(), 'hello host');
    const [r] = net.recent({ service: 'default/host-api' });
    assert.ok(r !== undefined);
    assert.equal(r.verdict, 'forwarded');
    assert.equal(r.reason, `established (host 127.0.0.1:${echo.port})`);
    assert.deepEqual(r.endpoint, { ip: '127.0.0.1', port: echo.port });
    assert.deepEqual(r.dst, { ip: VIP, port: 80 });
    assert.equal(r.src.ip, POD_B);
    assert.equal(`${r.snat?.ip}:${r.snat?.port}`, echo.peers[0], 'the record names the source the host server saw');
    await new Promise((r2) => setImmediate(r2));
    await new Promise((r2) => setTimeout(r2, 20));
    assert.equal(dialer.open, 0, 'the real socket is closed once both sides ended');
  } finally {
    dialer.closeAll();
    await stop(echo.server);
  }
});

test('server speaks after the client half-closes; 1 MiB each way keeps its order (backpressure)', async () => {
  const big = Buffer.alloc(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
  const echo = await startEcho((s) => {
    const got: Buffer[] = [];
    s.on('data', (d: Buffer) => got.push(d));
    s.on('end', () => {
      const all = Buffer.concat(got);
      s.end(Buffer.concat([Buffer.from(`${all.length}:`), all]));
    });
  });
  const dialer = new LoopbackHostDialer();
  const net = fixtureNetwork({ translator: translatorTo(() => echo.port), hostDialer: dialer });
  try {
    const c = await net.connect({ srcIp: POD_B, dstIp: VIP, dstPort: 80 });
    c.end(big);
    const reply = await readAll(c);
    const head = `${big.length}:`;
    assert.equal(reply.subarray(0, head.length).toString(), head);
    assert.ok(reply.subarray(head.length).equals(big));
  } finally {
    dialer.closeAll();
    await stop(echo.server);
  }
});

test('nothing listening on the host port: ECONNREFUSED at once, record refused', async () => {
  const probe = await startEcho();
  const port = probe.port;
  await stop(probe.server);
  const net = fixtureNetwork({ translator: translatorTo(() => port), hostDialer: new LoopbackHostDialer() });
  const err = await net.connect({ srcIp: POD_B, dstIp: VIP, dstPort: 80 }).then(
    () => assert.fail('connected'),
    (e: Error & { code?: string }) => e,
  );
  assert.equal(err.code, 'ECONNREFUSED');
  assert.equal(err.message, `connect ECONNREFUSED ${VIP}:80`);
  const [r] = net.recent();
  assert.equal(r?.verdict, 'refused');
  assert.equal(r?.reason, `nothing listens on host 127.0.0.1:${port}`);
});

test('the door stays shut: other real addresses, dialled loopback, excluded addresses, UDP, policy drops', async () => {
  const echo = await startEcho();
  const timers = new FakeTimers();
  const dialed: string[] = [];
  const real = new LoopbackHostDialer({ exclude: (ip) => ip === EXCLUDED_IP });
  const spy = {
    accepts: (ip: string) => real.accepts(ip),
    dial: (req: Parameters<LoopbackHostDialer['dial']>[0]) => {
      dialed.push(`${req.ip}:${req.port}`);
      return real.dial(req);
    },
  };
  const net = fixtureNetwork({ translator: translatorTo(() => echo.port), hostDialer: spy, timers });
  try {
    // A Service endpoint on a routable address: never dialled on the host, lost like any unowned address.
    const remote = net.createConnection({ srcIp: POD_B, dstIp: VIP_REMOTE, dstPort: 80, timeoutMs: 1000 });
    const remoteErr = nextError(remote);
    timers.advance(1000);
    assert.equal((await remoteErr).code, 'ETIMEDOUT');
    // An excluded loopback address (a node IP not registered yet): lost too.
    const excluded = net.createConnection({ srcIp: POD_B, dstIp: VIP_EXCLUDED, dstPort: 80, timeoutMs: 1000 });
    const excludedErr = nextError(excluded);
    timers.advance(1000);
    assert.equal((await excludedErr).code, 'ETIMEDOUT');
    // 127.0.0.1 dialled directly (no Service rewrote it) is not the host.
    const direct = net.createConnection({ srcIp: POD_B, dstIp: '127.0.0.1', dstPort: echo.port, timeoutMs: 1000 });
    const directErr = nextError(direct);
    timers.advance(1000);
    assert.equal((await directErr).code, 'ETIMEDOUT');
    // UDP through the Service to the host address: lost, no real datagram.
    assert.equal(net.sendUdp({ srcIp: POD_B, dstIp: VIP_UDP, dstPort: 53 }, Buffer.from('x')), 'dropped');
    assert.deepEqual(dialed, [], 'nothing was dialled on the host');
    const reasons = net.recent().map((r) => `${r.protocol} ${r.verdict} ${r.reason}`);
    assert.deepEqual(reasons, [
      'TCP dropped no pod or node owns 192.0.2.10',
      `TCP dropped no pod or node owns ${EXCLUDED_IP}`,
      'TCP dropped no pod or node owns 127.0.0.1',
      'UDP dropped no pod or node owns 127.0.0.1',
    ]);
    // The dialer itself refuses anything outside 127.0.0.0/8, without I/O.
    const refused = await real.dial({ ip: '10.244.1.5', port: 80, signal: new AbortController().signal }).then(
      () => assert.fail('dialled a pod IP on the host'),
      (e: Error) => e,
    );
    assert.match(refused.message, /only dials host addresses in 127\.0\.0\.0\/8 \(not 10\.244\.1\.5\)/);
    assert.equal(real.open, 0);

    // Policy judges the host endpoint like any address outside the pod network: a drop stops the dial.
    const deny: PolicyHook = {
      decide: ({ dst }) => (dst.ip === '127.0.0.1' ? { verdict: 'drop', policies: ['default/no-host'] } : { verdict: 'allow', policies: [] }),
    };
    net.setPolicy(deny);
    const denied = net.createConnection({ srcIp: POD_B, dstIp: VIP, dstPort: 80, timeoutMs: 1000 });
    const deniedErr = nextError(denied);
    timers.advance(1000);
    assert.equal((await deniedErr).code, 'ETIMEDOUT');
    assert.deepEqual(dialed, []);
    const last = net.recent().at(-1);
    assert.equal(last?.verdict, 'dropped');
    assert.deepEqual(last?.policies, ['default/no-host']);
    assert.deepEqual(last?.endpoint, { ip: '127.0.0.1', port: echo.port });
  } finally {
    real.closeAll();
    await stop(echo.server);
  }
});

test('without a host dialer (the default) a host endpoint is lost as before', async () => {
  const timers = new FakeTimers();
  const net = fixtureNetwork({ translator: translatorTo(() => 8080), timers });
  const c = net.createConnection({ srcIp: POD_B, dstIp: VIP, dstPort: 80, timeoutMs: 500 });
  const err = nextError(c);
  timers.advance(500);
  assert.equal((await err).code, 'ETIMEDOUT');
  assert.equal(net.recent()[0]?.reason, 'no pod or node owns 127.0.0.1');
});

test('closeAll ends open host connections; the virtual client sees the connection end', async () => {
  const echo = await startEcho();
  const dialer = new LoopbackHostDialer();
  const net = fixtureNetwork({ translator: translatorTo(() => echo.port), hostDialer: dialer });
  try {
    const c = await net.connect({ srcIp: POD_B, dstIp: VIP, dstPort: 80 });
    c.write('ping');
    const [first] = (await once(c, 'data')) as [Buffer];
    assert.equal(first.toString(), 'ping');
    assert.equal(dialer.open, 1);
    const closed = once(c, 'close');
    c.on('error', () => undefined);
    dialer.closeAll();
    await closed;
    assert.equal(dialer.open, 0);
  } finally {
    await stop(echo.server);
  }
});
