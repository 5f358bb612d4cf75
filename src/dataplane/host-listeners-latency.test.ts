/**
 * @module dataplane/host-listeners-latency.test
 * Request latency through a host listener (NodePort, LoadBalancer, ingress):
 * a keep-alive client whose answers come back in two writes (headers, then
 * body, as http-echo and most servers send them) must not wait on Nagle and
 * the client's delayed ACK, which costs ~40 ms per request on Linux.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createPodNetwork } from './index.js';
import { HostListeners } from './host-listeners.js';

test('keep-alive requests through a host listener answer in well under the delayed-ACK time', async () => {
  const net = createPodNetwork();
  const nodeIp = '127.0.96.3';
  net.registerAddress(nodeIp, { kind: 'node', name: 'n1' });
  // A pod-side server that answers each line with two writes in separate turns.
  const listener = net.listen(nodeIp, 30081, (sock) => {
    sock.on('error', () => undefined); // the client's reset at the end
    sock.on('data', () => {
      sock.write('HEAD ');
      setImmediate(() => sock.write('BODY\n'));
    });
  });
  const hl = new HostListeners(net);
  await hl.sync([{ ip: nodeIp, port: 30081, protocol: 'TCP', what: 'NodePort test/latency' }]);
  const client = connect(30081, nodeIp);
  try {
    await new Promise<void>((r, j) => {
      client.once('connect', () => r());
      client.once('error', j);
    });
    client.setNoDelay(true);
    let buf = '';
    let wake: (() => void) | undefined;
    client.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.endsWith('BODY\n')) wake?.();
    });
    const times: number[] = [];
    for (let i = 0; i < 25; i++) {
      buf = '';
      const t0 = performance.now();
      const done = new Promise<void>((r) => (wake = r));
      client.write('GET\n');
      await done;
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    assert.ok(median < 20, `median ${median.toFixed(1)} ms per request: the reply waited for a delayed ACK`);
  } finally {
    client.destroy();
    listener.close();
    await hl.closeAll();
  }
});
