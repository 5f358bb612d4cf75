import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createHttpServer, get } from 'node:http';
import { createServer } from 'node:net';
import { createPodNetwork, serveHttp } from './index.js';
import { HostListeners } from './host-listeners.js';

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
