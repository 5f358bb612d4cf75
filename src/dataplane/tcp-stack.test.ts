/**
 * @module dataplane/tcp-stack.test
 * The TCP connect path, one table row per packet: source, destination, what
 * the caller sees, and the flow record left behind. Then listeners, aborts and
 * the hooks' edge cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { FlowRecord } from './flow-log.js';
import type { PolicyHook, Translator } from './hooks.js';
import { acceptQueue, delay, FakeTimers, fixtureNetwork, NODE_IP, POD_A, POD_B, POD_C } from './test-support.js';
import type { ServiceRef } from './types.js';

const WEB: ServiceRef = { namespace: 'default', name: 'web', port: 'http' };
const EMPTY: ServiceRef = { namespace: 'default', name: 'empty' };
const LOCAL: ServiceRef = { namespace: 'default', name: 'local-only' };
const VIP_WEB = '10.96.0.20';
const VIP_EMPTY = '10.96.0.30';
const VIP_LOCAL = '10.96.0.40';
const VIP_BROKEN = '10.96.0.50';

/** A tiny service proxy: ClusterIPs, a NodePort with SNAT, and a broken rule. */
const proxy: Translator = {
  translate({ dst }) {
    if (dst.ip === VIP_WEB && dst.port === 80) return { kind: 'forward', dst: { ip: POD_A, port: 8080 }, service: WEB };
    if (dst.ip === VIP_EMPTY) return { kind: 'reject', service: EMPTY, reason: 'service default/empty has no endpoints' };
    if (dst.ip === VIP_LOCAL) return { kind: 'drop', service: LOCAL, reason: 'no local endpoints' };
    if (dst.ip === NODE_IP && dst.port === 30080) {
      return { kind: 'forward', dst: { ip: POD_A, port: 8080 }, service: WEB, snat: { ip: NODE_IP } };
    }
    if (dst.ip === VIP_BROKEN) throw new Error('proxy bug');
    return undefined;
  },
};

/** A tiny policy engine: namespace "other" may not reach default/web. */
const policy: PolicyHook = {
  decide({ src, dst }) {
    if (src.owner?.kind === 'pod' && src.owner.namespace === 'other' && dst.ip === POD_A) {
      return { verdict: 'drop', policies: ['default/deny-from-other'] };
    }
    if (dst.ip === POD_A) return { verdict: 'allow', policies: ['default/allow-web'] };
    return { verdict: 'allow', policies: [] };
  },
};

interface Row {
  readonly name: string;
  readonly src: string;
  readonly dst: string;
  readonly port: number;
  /** What the caller sees. */
  readonly expect: 'connect' | 'ECONNREFUSED' | 'ETIMEDOUT' | 'proxy bug';
  readonly verdict: FlowRecord['verdict'];
  readonly reason?: string;
  readonly service?: ServiceRef;
  readonly endpoint?: string;
  readonly snat?: string;
  readonly policies: ReadonlyArray<string>;
  /** remoteAddress the server sees. */
  readonly seenAs?: string;
}

const TIMEOUT = 40;

const rows: ReadonlyArray<Row> = [
  { name: 'pod to pod', src: POD_B, dst: POD_A, port: 8080, expect: 'connect', verdict: 'forwarded', reason: 'established', endpoint: `${POD_A}:8080`, policies: ['default/allow-web'], seenAs: POD_B },
  { name: 'pod to closed port', src: POD_B, dst: POD_A, port: 9999, expect: 'ECONNREFUSED', verdict: 'refused', reason: `no listener on ${POD_A}:9999`, endpoint: `${POD_A}:9999`, policies: ['default/allow-web'] },
  { name: 'IP nobody owns', src: POD_B, dst: '10.244.9.9', port: 80, expect: 'ETIMEDOUT', verdict: 'dropped', reason: 'no pod or node owns 10.244.9.9', endpoint: '10.244.9.9:80', policies: [] },
  { name: 'ClusterIP to endpoint', src: POD_B, dst: VIP_WEB, port: 80, expect: 'connect', verdict: 'forwarded', service: WEB, endpoint: `${POD_A}:8080`, policies: ['default/allow-web'], seenAs: POD_B },
  { name: 'ClusterIP without endpoints', src: POD_B, dst: VIP_EMPTY, port: 80, expect: 'ECONNREFUSED', verdict: 'refused', reason: 'service default/empty has no endpoints', service: EMPTY, policies: [] },
  { name: 'proxy drop', src: POD_B, dst: VIP_LOCAL, port: 80, expect: 'ETIMEDOUT', verdict: 'dropped', reason: 'no local endpoints', service: LOCAL, policies: [] },
  { name: 'policy drop, direct', src: POD_C, dst: POD_A, port: 8080, expect: 'ETIMEDOUT', verdict: 'dropped', reason: 'denied by network policy', endpoint: `${POD_A}:8080`, policies: ['default/deny-from-other'] },
  { name: 'policy drop, judged after translation', src: POD_C, dst: VIP_WEB, port: 80, expect: 'ETIMEDOUT', verdict: 'dropped', service: WEB, endpoint: `${POD_A}:8080`, policies: ['default/deny-from-other'] },
  { name: 'NodePort with SNAT to the node IP', src: '127.0.0.1', dst: NODE_IP, port: 30080, expect: 'connect', verdict: 'forwarded', service: WEB, endpoint: `${POD_A}:8080`, snat: NODE_IP, policies: ['default/allow-web'], seenAs: NODE_IP },
  { name: 'translate hook throws', src: POD_B, dst: VIP_BROKEN, port: 80, expect: 'proxy bug', verdict: 'error', reason: 'translate hook failed: proxy bug', policies: [] },
];

for (const row of rows) {
  test(`connect path: ${row.name}`, { timeout: 10_000 }, async () => {
    const net = fixtureNetwork({ translator: proxy, policy, clock: () => 1_700_000_000_000 });
    const q = acceptQueue(net, POD_A, 8080);
    const t0 = performance.now();
    // Only drops get a timeout: anything else must settle without one (refusals are immediate).
    const attempt = net.connect({ srcIp: row.src, dstIp: row.dst, dstPort: row.port, ...(row.expect === 'ETIMEDOUT' ? { timeoutMs: TIMEOUT } : {}) });
    try {
      if (row.expect === 'connect') {
        const client = await attempt;
        const { socket: server, info } = await q.next();
        assert.equal(server.remoteAddress, row.seenAs);
        assert.equal(info.src.ip, row.seenAs);
        assert.equal(info.origin.ip, row.src);
        assert.equal(client.remoteAddress, row.dst, 'the client still sees what it dialled');
        assert.equal(client.remotePort, row.port);
        if (row.snat !== undefined) {
          assert.equal(server.remotePort, info.src.port);
          assert.deepEqual(info.src.owner, { kind: 'node', name: 'kwire-worker' });
        } else {
          assert.equal(server.remotePort, client.localPort);
        }
        client.destroy();
        server.destroy();
      } else {
        const err = (await attempt.then(
          () => assert.fail('should not connect'),
          (e: unknown) => e,
        )) as Error & { code?: string; syscall?: string; address?: string; port?: number };
        const elapsed = performance.now() - t0;
        if (row.expect === 'ETIMEDOUT') {
          assert.equal(err.code, 'ETIMEDOUT');
          assert.equal(err.message, `connect ETIMEDOUT ${row.dst}:${row.port}`);
          assert.ok(elapsed >= TIMEOUT - 2, `waited out the timeout (${elapsed.toFixed(1)}ms)`);
        } else if (row.expect === 'ECONNREFUSED') {
          assert.equal(err.code, 'ECONNREFUSED');
          assert.equal(err.message, `connect ECONNREFUSED ${row.dst}:${row.port}`);
          assert.equal(err.syscall, 'connect');
          assert.equal(err.address, row.dst);
          assert.equal(err.port, row.port);
        } else {
          assert.equal(err.message, row.expect);
        }
      }
      const records = net.recent();
      assert.equal(records.length, 1, 'one record per attempt');
      const r = records[0] as FlowRecord;
      assert.equal(r.protocol, 'TCP');
      assert.equal(r.time, 1_700_000_000_000);
      assert.equal(r.verdict, row.verdict);
      if (row.reason !== undefined) assert.equal(r.reason, row.reason);
      assert.equal(r.src.ip, row.src);
      assert.ok(r.src.port >= 32768);
      assert.deepEqual(r.dst, { ip: row.dst, port: row.port });
      assert.deepEqual(r.service, row.service);
      assert.equal(r.endpoint === undefined ? undefined : `${r.endpoint.ip}:${r.endpoint.port}`, row.endpoint);
      assert.equal(r.snat?.ip, row.snat);
      assert.deepEqual(r.policies, row.policies);
      if (r.endpoint?.ip === POD_A) assert.deepEqual(r.endpoint.owner, { kind: 'pod', namespace: 'default', name: 'web' });
      if (row.src === POD_B) assert.deepEqual(r.src.owner, { kind: 'pod', namespace: 'default', name: 'client' });
    } finally {
      q.listener.close();
    }
  });
}

test('a dropped attempt without a timeout stays pending until aborted', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork({ policy });
  const q = acceptQueue(net, POD_A, 8080);
  const ac = new AbortController();
  let settled = false;
  const attempt = net.connect({ srcIp: POD_C, dstIp: POD_A, dstPort: 8080, signal: ac.signal }).finally(() => {
    settled = true;
  });
  await delay(30);
  assert.equal(settled, false, 'still pending');
  ac.abort();
  const err = (await attempt.catch((e: unknown) => e)) as Error & { code?: string };
  assert.equal(err.name, 'AbortError');
  assert.equal(err.code, 'ABORT_ERR');
  q.listener.close();
});

test('destroying a connecting socket aborts it; an already-aborted signal fails at once', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const s = net.createConnection({ srcIp: POD_B, dstIp: '10.244.9.9', dstPort: 80 });
  assert.equal(s.connecting, true);
  const closed = once(s, 'close');
  s.destroy();
  await closed;
  assert.equal(s.connecting, false);
  const err = (await net
    .connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 1, signal: AbortSignal.abort() })
    .catch((e: unknown) => e)) as Error;
  assert.equal(err.name, 'AbortError');
});

test('listen: EADDRINUSE on a taken ip:port, port 0 picks a free one, close frees it', { timeout: 10_000 }, () => {
  const net = fixtureNetwork();
  const l = net.listen(POD_A, 8080, () => undefined);
  assert.throws(
    () => net.listen(POD_A, 8080, () => undefined),
    (e: Error & { code?: string; syscall?: string; address?: string; port?: number }) =>
      e.code === 'EADDRINUSE' &&
      e.syscall === 'listen' &&
      e.address === POD_A &&
      e.port === 8080 &&
      e.message === `listen EADDRINUSE: address already in use ${POD_A}:8080`,
  );
  const other = net.listen(POD_B, 8080, () => undefined); // same port, other IP: fine
  const e1 = net.listen(POD_A, 0, () => undefined);
  const e2 = net.listen(POD_A, 0, () => undefined);
  assert.ok(e1.port >= 32768 && e2.port >= 32768 && e1.port !== e2.port);
  l.close();
  const again = net.listen(POD_A, 8080, () => undefined);
  for (const x of [other, e1, e2, again]) x.close();
  assert.equal(again.closed, true);
});

test('listener close: new dials are refused, open connections carry on; destroyConnections ends them', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const q = acceptQueue(net, POD_A, 8080);
  const client = await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 8080 });
  const { socket: server } = await q.next();
  assert.equal(q.listener.connections, 1);
  q.listener.close();
  const err = (await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 8080 }).catch((e: unknown) => e)) as Error & {
    code?: string;
  };
  assert.equal(err.code, 'ECONNREFUSED');
  client.write('still here');
  const [d] = (await once(server, 'data')) as [Buffer];
  assert.equal(d.toString(), 'still here');
  const clientEnded = once(client, 'end');
  client.resume();
  q.listener.destroyConnections();
  await clientEnded;
  assert.equal(q.listener.connections, 0);
  client.destroy();
});

test('ephemeral source ports are distinct per connection and released on close', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const q = acceptQueue(net, POD_A, 8080);
  const a = await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 8080 });
  const b = await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 8080 });
  assert.notEqual(a.localPort, b.localPort);
  await assert.rejects(net.connect({ srcIp: POD_B, srcPort: a.localPort, dstIp: POD_A, dstPort: 8080 }), { code: 'EADDRINUSE' });
  const port = a.localPort;
  const closed = once(a, 'close');
  a.destroy();
  await closed;
  const c = await net.connect({ srcIp: POD_B, srcPort: port, dstIp: POD_A, dstPort: 8080 });
  assert.equal(c.localPort, port);
  for (const s of [b, c]) s.destroy();
  for (let i = 0; i < 3; i++) (await q.next()).socket.destroy();
  q.listener.close();
});

test('hooks can be swapped at run time; unregistering an IP makes it unreachable', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork();
  const q = acceptQueue(net, POD_A, 8080);
  net.setPolicy(policy);
  await assert.rejects(net.connect({ srcIp: POD_C, dstIp: POD_A, dstPort: 8080, timeoutMs: 10 }), { code: 'ETIMEDOUT' });
  net.setPolicy(undefined);
  const s = await net.connect({ srcIp: POD_C, dstIp: POD_A, dstPort: 8080, timeoutMs: 10 });
  s.destroy();
  (await q.next()).socket.destroy();
  net.setTranslator(proxy);
  const v = await net.connect({ srcIp: POD_B, dstIp: VIP_WEB, dstPort: 80 });
  v.destroy();
  (await q.next()).socket.destroy();
  net.unregisterAddress(POD_A);
  assert.equal(net.ownerOf(POD_A), undefined);
  await assert.rejects(net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 8080, timeoutMs: 10 }), { code: 'ETIMEDOUT' });
  assert.deepEqual(
    net.recent().map((r) => r.verdict),
    ['dropped', 'forwarded', 'forwarded', 'dropped'],
  );
  q.listener.close();
});

test('a connection handler that throws resets the client and is reported', { timeout: 10_000 }, async () => {
  const reported: Error[] = [];
  const net = fixtureNetwork({ onHandlerError: (e) => reported.push(e) });
  const l = net.listen(POD_A, 8080, () => {
    throw new Error('workload bug');
  });
  const client = await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 8080 });
  const [err] = (await once(client, 'error')) as [Error & { code?: string }];
  assert.equal(err.code, 'ECONNRESET');
  assert.equal(reported[0]?.message, 'workload bug');
  l.close();
});

test('bad arguments throw synchronously', { timeout: 10_000 }, () => {
  const net = fixtureNetwork();
  assert.throws(() => net.createConnection({ srcIp: POD_B, dstIp: POD_A, dstPort: 0 }), { code: 'ERR_SOCKET_BAD_PORT' });
  assert.throws(() => net.createConnection({ srcIp: POD_B, dstIp: 'web.default', dstPort: 80 }), TypeError);
  assert.throws(() => net.listen('10.244.1', 80, () => undefined), TypeError);
});

test('injected timers: a kernel-like 127 s connect timeout elapses on a fake clock, and a connect clears its timer', { timeout: 10_000 }, async () => {
  const timers = new FakeTimers();
  const net = fixtureNetwork({ policy, timers, clock: () => timers.now });
  const q = acceptQueue(net, POD_A, 8080);
  let settled = false;
  const attempt = net.connect({ srcIp: POD_C, dstIp: POD_A, dstPort: 8080, timeoutMs: 127_000 }).finally(() => {
    settled = true;
  });
  timers.advance(126_999);
  await delay(1);
  assert.equal(settled, false);
  timers.advance(1);
  await assert.rejects(attempt, { code: 'ETIMEDOUT' });
  const ok = await net.connect({ srcIp: POD_B, dstIp: POD_A, dstPort: 8080, timeoutMs: 127_000 });
  assert.equal(timers.pending, 0, 'the connect timer was cleared once connected');
  ok.destroy();
  (await q.next()).socket.destroy();
  q.listener.close();
});
