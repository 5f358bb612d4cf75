/**
 * @module dataplane/udp-stack.test
 * Virtual UDP: request/response through a Service VIP (replies come back from
 * the VIP), refusals, drops with a timeout, aborts, flow records once per flow
 * window (with an injected clock), bind conflicts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Translator } from './hooks.js';
import { FakeTimers, fixtureNetwork, NODE_IP, POD_A, POD_B, POD_C, waitFor } from './test-support.js';
import type { UdpRemoteInfo } from './udp-stack.js';

const DNS_VIP = '10.96.0.10';
const DNS = { namespace: 'kube-system', name: 'kube-dns', port: 'dns' };
const dnsProxy: Translator = {
  translate: ({ dst }) => {
    if (dst.ip === DNS_VIP && dst.port === 53) return { kind: 'forward', dst: { ip: POD_A, port: 53 }, service: DNS };
    if (dst.ip === '10.96.0.11') return { kind: 'reject', service: { namespace: 'kube-system', name: 'empty' }, reason: 'no endpoints' };
    if (dst.ip === NODE_IP && dst.port === 30053) return { kind: 'forward', dst: { ip: POD_A, port: 53 }, service: DNS, snat: { ip: NODE_IP } };
    return undefined;
  },
};

test('udpExchange through the DNS VIP: the server sees the client, the client hears the VIP', { timeout: 10_000 }, async () => {
  let now = 1_000;
  const net = fixtureNetwork({ translator: dnsProxy, clock: () => now });
  const seen: UdpRemoteInfo[] = [];
  const server = net.bindUdp(POD_A, 53, (msg, rinfo, reply) => {
    seen.push(rinfo);
    reply(Buffer.concat([Buffer.from('answer:'), msg]));
  });
  let heard: UdpRemoteInfo | undefined;
  const client = net.bindUdp(POD_B, 0, (msg, rinfo) => {
    heard = rinfo;
    assert.equal(msg.toString(), 'answer:q2');
  });
  try {
    const reply = await net.udpExchange({ srcIp: POD_B, dstIp: DNS_VIP, dstPort: 53, timeoutMs: 200 }, Buffer.from('q1'));
    assert.equal(reply.toString(), 'answer:q1');
    assert.equal(seen[0]?.address, POD_B);
    assert.ok((seen[0]?.port ?? 0) >= 32768);
    assert.equal(seen[0]?.size, 2);

    // A long-lived client socket: one record for the flow, replies from the VIP.
    assert.equal(client.send({ ip: DNS_VIP, port: 53 }, Buffer.from('q2')), 'forwarded');
    now += 1_000;
    assert.equal(client.send({ ip: DNS_VIP, port: 53 }, Buffer.from('q2')), 'forwarded');
    await waitFor(() => heard !== undefined, 2_000, 'the reply');
    assert.deepEqual(heard && { address: heard.address, port: heard.port }, { address: DNS_VIP, port: 53 });
    const records = net.recent({ protocol: 'UDP' });
    assert.equal(records.length, 2, 'one per flow: the exchange and the client socket');
    assert.deepEqual(records[1]?.service, DNS);
    assert.equal(records[1]?.endpoint?.ip, POD_A);
    assert.equal(records[1]?.src.port, client.port);
    assert.equal(records[1]?.verdict, 'forwarded');
    now += 60_000; // past the flow window: a new record
    client.send({ ip: DNS_VIP, port: 53 }, Buffer.from('q2'));
    assert.equal(net.recent({ protocol: 'UDP' }).length, 3);
  } finally {
    server.close();
    client.close();
  }
});

test('UDP refused (no binding, or a Service without endpoints) fails at once; dropped times out', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork({
    translator: dnsProxy,
    policy: { decide: ({ src }) => (src.ip === POD_C ? { verdict: 'drop', policies: ['kube-system/deny-probe'] } : { verdict: 'allow', policies: [] }) },
  });
  const server = net.bindUdp(POD_A, 53, (msg, _r, reply) => reply(msg));
  try {
    await assert.rejects(net.udpExchange({ srcIp: POD_B, dstIp: POD_A, dstPort: 5353, timeoutMs: 500 }, Buffer.from('x')), {
      code: 'ECONNREFUSED',
    });
    await assert.rejects(net.udpExchange({ srcIp: POD_B, dstIp: '10.96.0.11', dstPort: 53, timeoutMs: 500 }, Buffer.from('x')), {
      code: 'ECONNREFUSED',
    });
    const t0 = performance.now();
    await assert.rejects(net.udpExchange({ srcIp: POD_C, dstIp: DNS_VIP, dstPort: 53, timeoutMs: 30 }, Buffer.from('x')), {
      code: 'ETIMEDOUT',
      message: `recvmsg ETIMEDOUT ${DNS_VIP}:53`,
    });
    assert.ok(performance.now() - t0 >= 28);
    const ac = new AbortController();
    const pending = net.udpExchange({ srcIp: POD_C, dstIp: DNS_VIP, dstPort: 53, timeoutMs: 10_000, signal: ac.signal }, Buffer.from('x'));
    ac.abort();
    await assert.rejects(pending, { name: 'AbortError' });
    const r = net.recent();
    assert.deepEqual(
      r.map((x) => [x.verdict, x.reason, x.policies]),
      [
        ['refused', `no socket bound on ${POD_A}:5353`, []],
        ['refused', 'no endpoints', []],
        ['dropped', 'denied by network policy', ['kube-system/deny-probe']],
        ['dropped', 'denied by network policy', ['kube-system/deny-probe']],
      ],
    );
  } finally {
    server.close();
  }
});

test('UDP SNAT: the server sees the node IP, the reply still reaches the client', { timeout: 10_000 }, async () => {
  const net = fixtureNetwork({ translator: dnsProxy });
  let from = '';
  const server = net.bindUdp(POD_A, 53, (msg, rinfo, reply) => {
    from = rinfo.address;
    reply(msg);
  });
  try {
    const reply = await net.udpExchange({ srcIp: '127.0.0.1', dstIp: NODE_IP, dstPort: 30053, timeoutMs: 200 }, Buffer.from('hi'));
    assert.equal(reply.toString(), 'hi');
    assert.equal(from, NODE_IP);
    assert.equal(net.recent()[0]?.snat?.ip, NODE_IP);
  } finally {
    server.close();
  }
});

test('bindUdp: EADDRINUSE on a taken port; close frees it; a throwing handler is reported', { timeout: 10_000 }, async () => {
  const reported: Error[] = [];
  const net = fixtureNetwork({ onHandlerError: (e) => reported.push(e) });
  const a = net.bindUdp(POD_A, 53, () => {
    throw new Error('handler bug');
  });
  assert.throws(() => net.bindUdp(POD_A, 53, () => undefined), { code: 'EADDRINUSE', syscall: 'bind' });
  assert.equal(net.sendUdp({ srcIp: POD_B, dstIp: POD_A, dstPort: 53 }, Buffer.from('x')), 'forwarded');
  await new Promise((r) => setImmediate(r));
  assert.equal(reported[0]?.message, 'handler bug');
  a.close();
  assert.equal(a.closed, true);
  const b = net.bindUdp(POD_A, 53, () => undefined);
  b.close();
});

test('udpExchange timeouts run on injected timers (resolv.conf timeout:5 without waiting)', { timeout: 10_000 }, async () => {
  const timers = new FakeTimers();
  const net = fixtureNetwork({ timers });
  const silent = net.bindUdp(POD_A, 53, () => undefined); // never answers
  try {
    const q = net.udpExchange({ srcIp: POD_B, dstIp: POD_A, dstPort: 53, timeoutMs: 5_000 }, Buffer.from('q'));
    timers.advance(5_000);
    await assert.rejects(q, { code: 'ETIMEDOUT' });
    assert.equal(timers.pending, 0);
  } finally {
    silent.close();
  }
});
