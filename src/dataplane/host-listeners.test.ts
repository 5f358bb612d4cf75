import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, get } from 'node:http';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { createPodNetwork, serveHttp } from './index.js';
import { HostListeners } from './host-listeners.js';
import { FakeTimers, waitFor } from './test-support.js';

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

test('a real socket on a node IP forwards into the virtual network; the pod sees the client', async () => {
  const net = createPodNetwork();
  const nodeIp = '127.0.97.3';
  net.registerAddress(nodeIp, { kind: 'node', name: 'n1' });
  const seen: string[] = [];
  const served = serveHttp(net, nodeIp, 30080, createHttpServer((req, res) => {
    seen.push(req.socket.remoteAddress ?? '');
    res.end('from the virtual side\n');
  }));
  const hl = new HostListeners(net);
  try {
    await hl.sync([{ ip: nodeIp, port: 30080, protocol: 'TCP', what: 'NodePort test/svc' }]);
    assert.deepEqual(hl.state(), [{ ip: nodeIp, port: 30080, protocol: 'TCP', what: 'NodePort test/svc' }]);
    const r = await httpGet(`http://${nodeIp}:30080/`);
    assert.equal(r.body, 'from the virtual side\n');
    assert.deepEqual(seen, ['127.0.0.1']);
    const flows = net.recent({ protocol: 'TCP' });
    assert.ok(flows.some((f) => f.dst.ip === nodeIp && f.dst.port === 30080 && f.verdict === 'forwarded'));
    await hl.sync([]);
    await assert.rejects(httpGet(`http://${nodeIp}:30080/`), /ECONNREFUSED/);
  } finally {
    served.close();
    await hl.closeAll();
  }
});

test('a port already taken is reported with the remedy, not skipped silently', async () => {
  const net = createPodNetwork();
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.97.4', () => r()));
  const port = (blocker.address() as { port: number }).port;
  const hl = new HostListeners(net);
  try {
    await hl.sync([{ ip: '127.0.97.4', port, protocol: 'TCP', what: 'NodePort x/y' }]);
    const [st] = hl.state();
    assert.match(st!.error ?? '', /already in use/);
  } finally {
    await hl.closeAll();
    await new Promise<void>((r) => blocker.close(() => r()));
  }
});

test('no virtual listener: the client connection is reset at once', async () => {
  const net = createPodNetwork();
  net.registerAddress('127.0.97.5', { kind: 'node', name: 'n2' });
  const hl = new HostListeners(net);
  try {
    await hl.sync([{ ip: '127.0.97.5', port: 30081, protocol: 'TCP', what: 'NodePort x/z' }]);
    await assert.rejects(httpGet('http://127.0.97.5:30081/'), /ECONNRESET|socket hang up/);
  } finally {
    await hl.closeAll();
  }
});

// Retries of a failed bind. Each test holds a real port on a loopback address of its own
// (127.0.97.1x) with a blocker socket, and frees it to let kwire's retry bind it.

/** A TCP server on ip (a free port when none is given), as another program holding the port. */
async function holdTcp(ip: string, port = 0): Promise<{ port: number; close(): Promise<void> }> {
  const s = createServer();
  await new Promise<void>((r, j) => {
    s.once('error', j);
    s.listen(port, ip, () => r());
  });
  return { port: (s.address() as { port: number }).port, close: () => new Promise<void>((r) => s.close(() => r())) };
}

async function holdUdp(ip: string): Promise<{ port: number; close(): Promise<void> }> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, ip, () => r()));
  return { port: s.address().port, close: () => new Promise<void>((r) => s.close(() => r())) };
}

/** Whether this process can bind ip:port itself, i.e. nobody (kwire included) holds it. */
async function bindable(ip: string, port: number): Promise<boolean> {
  try {
    await (await holdTcp(ip, port)).close();
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return false;
    throw e;
  }
}

/** Fake timers that also record the delay of every timer set. */
function recordingTimers(): { timers: FakeTimers; delays: number[] } {
  const timers = new FakeTimers();
  const delays: number[] = [];
  const set = timers.set.bind(timers);
  timers.set = (fn, ms) => {
    delays.push(ms);
    return set(fn, ms);
  };
  return { timers, delays };
}

/**
 * Resolves at the next onChange. Retry timers are unref'd (they keep no process alive),
 * so while a test waits for one, a ref'd interval keeps the test's event loop running.
 */
function changes(): { onChange: () => void; next(): Promise<void> } {
  let wake: (() => void) | undefined;
  return {
    onChange: () => wake?.(),
    next: () => {
      const keepAlive = setInterval(() => undefined, 1000);
      return new Promise<void>((r) => (wake = r)).finally(() => clearInterval(keepAlive));
    },
  };
}

test('a port held by another program is bound by a retry once it is freed, and onChange says so', { timeout: 10_000 }, async () => {
  const ip = '127.0.97.11';
  const blocker = await holdTcp(ip);
  const ch = changes();
  const hl = new HostListeners(createPodNetwork(), { retryMs: 5, maxRetryMs: 20, onChange: ch.onChange });
  try {
    await hl.sync([{ ip, port: blocker.port, protocol: 'TCP', what: 'NodePort x/retry' }]);
    assert.match(hl.state()[0]!.error ?? '', /already in use/);
    const changed = ch.next();
    await blocker.close();
    await changed;
    assert.deepEqual(hl.state(), [{ ip, port: blocker.port, protocol: 'TCP', what: 'NodePort x/retry' }]);
    assert.equal(await bindable(ip, blocker.port), false, 'kwire holds the port now');
  } finally {
    await hl.closeAll();
  }
  assert.equal(await bindable(ip, blocker.port), true, 'closeAll released it');
});

test('retries back off: 1 s doubling to the cap, and stop once bound', async () => {
  const ip = '127.0.97.12';
  const blocker = await holdTcp(ip);
  const { timers, delays } = recordingTimers();
  const ch = changes();
  const hl = new HostListeners(createPodNetwork(), { retryMs: 1000, maxRetryMs: 4000, timers, onChange: ch.onChange });
  let released = false;
  try {
    await hl.sync([{ ip, port: blocker.port, protocol: 'TCP', what: 'NodePort x/backoff' }]);
    assert.deepEqual(delays, [1000]);
    for (const [due, want] of [[1000, [1000, 2000]], [2000, [1000, 2000, 4000]], [4000, [1000, 2000, 4000, 4000]]] as const) {
      timers.advance(due);
      await waitFor(() => delays.length === want.length, 2000, `retry after ${due} ms`);
      assert.deepEqual(delays, want);
    }
    assert.match(hl.state()[0]!.error ?? '', /already in use/);
    await blocker.close();
    released = true;
    const changed = ch.next();
    timers.advance(4000);
    await changed;
    assert.equal(hl.state()[0]!.error, undefined);
    assert.equal(timers.pending, 0, 'no retry once bound');
    assert.equal(delays.length, 4);
  } finally {
    await hl.closeAll();
    if (!released) await blocker.close();
  }
});

test('a listener sync() no longer wants stops retrying', async () => {
  const ip = '127.0.97.13';
  const blocker = await holdTcp(ip);
  const { timers } = recordingTimers();
  const hl = new HostListeners(createPodNetwork(), { timers });
  try {
    await hl.sync([{ ip, port: blocker.port, protocol: 'TCP', what: 'NodePort x/removed' }]);
    assert.equal(timers.pending, 1);
    await hl.sync([]);
    assert.equal(timers.pending, 0);
    await blocker.close();
    timers.advance(60_000);
    assert.deepEqual(hl.state(), []);
    assert.equal(await bindable(ip, blocker.port), true, 'kwire did not take the freed port');
  } finally {
    await hl.closeAll();
  }
});

test('closeAll cancels pending retries', async () => {
  const ip = '127.0.97.14';
  const one = await holdTcp(ip);
  const two = await holdTcp(ip);
  const { timers } = recordingTimers();
  const hl = new HostListeners(createPodNetwork(), { timers });
  try {
    await hl.sync([
      { ip, port: one.port, protocol: 'TCP', what: 'NodePort x/a' },
      { ip, port: two.port, protocol: 'TCP', what: 'NodePort x/b' },
    ]);
    assert.equal(timers.pending, 2);
    await hl.closeAll();
    assert.equal(timers.pending, 0);
    assert.deepEqual(hl.state(), []);
  } finally {
    await hl.closeAll();
    await one.close();
    await two.close();
  }
});

test('a retry still binding when its listener is removed closes the socket it gets', async () => {
  const ip = '127.0.97.15';
  const blocker = await holdTcp(ip);
  const { timers } = recordingTimers();
  const hl = new HostListeners(createPodNetwork(), { timers });
  try {
    await hl.sync([{ ip, port: blocker.port, protocol: 'TCP', what: 'NodePort x/late' }]);
    await blocker.close();
    timers.advance(1000); // the retry starts binding now ...
    await hl.sync([]); // ... and the listener goes away before the bind settles
    assert.equal(timers.pending, 0);
    assert.equal(await bindable(ip, blocker.port), true, 'the late socket was closed');
  } finally {
    await hl.closeAll();
  }
});

test('UDP: a held port is bound by a retry once freed', { timeout: 10_000 }, async () => {
  const ip = '127.0.97.16';
  const blocker = await holdUdp(ip);
  const ch = changes();
  const hl = new HostListeners(createPodNetwork(), { retryMs: 5, maxRetryMs: 20, onChange: ch.onChange });
  try {
    await hl.sync([{ ip, port: blocker.port, protocol: 'UDP', what: 'NodePort x/dns' }]);
    assert.match(hl.state()[0]!.error ?? '', /already in use/);
    const changed = ch.next();
    await blocker.close();
    await changed;
    assert.equal(hl.state()[0]!.error, undefined);
  } finally {
    await hl.closeAll();
  }
});

test('fallback port: both held, the error names both; freeing the fallback binds it by a retry', { timeout: 10_000 }, async () => {
  const ip = '127.0.97.17';
  const main = await holdTcp(ip);
  const spare = await holdTcp(ip);
  const ch = changes();
  const hl = new HostListeners(createPodNetwork(), { retryMs: 5, maxRetryMs: 20, onChange: ch.onChange });
  try {
    await hl.sync([{ ip, port: main.port, protocol: 'TCP', what: 'ingress http', fallbackPort: spare.port }]);
    const [st] = hl.state();
    assert.equal(st!.error, `${ip}:${main.port} is already in use by another program on this machine; stop it or choose another port; the fallback port ${spare.port} failed too: ${ip}:${spare.port} is already in use by another program on this machine; stop it or choose another port`);
    assert.equal(st!.boundPort, undefined);
    const changed = ch.next();
    await spare.close();
    await changed;
    const [after] = hl.state();
    assert.equal(after!.boundPort, spare.port);
    assert.equal(after!.error, `${ip}:${main.port} is already in use by another program on this machine; stop it or choose another port; listening on port ${spare.port} instead`);
  } finally {
    await hl.closeAll();
    await main.close();
  }
});
