/**
 * @module workloads/images/agnhost.test
 * agnhost as the upstream network tests drive it: `connect` exit codes and
 * stderr prefixes against a listener, a closed port, a policy drop and a bad
 * name; netexec's endpoints (/hostname, /clientip, /echo, /dial over HTTP and
 * UDP, /shell, /exit, /healthz) and UDP commands; serve-hostname; porter;
 * pause; cobra's errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPodNetwork, type PodNetwork, type PolicyVerdict } from '../../dataplane/index.js';
import { CaptureWritable } from '../streams.js';
import { FakeClock } from '../testing/fake-clock.js';
import { workloadsToolHost } from './default-tools.js';
import { httpRequest, serveClusterDns, startTestPod, testRuntime, waitListening } from './testing.js';

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.47';
const CLIENT = '10.244.9.9';
const A = '10.244.1.5';
const B = '10.244.2.7';
const ALLOW: PolicyVerdict = { verdict: 'allow', policies: [] };

interface Cluster {
  readonly net: PodNetwork;
  readonly server: ReturnType<typeof startTestPod>;
  readonly client: ReturnType<typeof startTestPod>;
}

/** Pod A runs netexec; pod B runs pause (the image CMD) and is where we exec from. */
async function cluster(): Promise<Cluster> {
  const net = createPodNetwork();
  net.registerAddress(CLIENT, { kind: 'pod', namespace: 'default', name: 'client' });
  const rt = testRuntime({ tools: workloadsToolHost });
  const clock = new FakeClock();
  const server = startTestPod(net, rt, { image: AGNHOST, ip: A, name: 'server-a', args: ['netexec', '--http-port=8080', '--udp-port=8081'], clock });
  const client = startTestPod(net, rt, { image: AGNHOST, ip: B, name: 'client-b', clock });
  await waitListening(server.container, 8080);
  await waitListening(server.container, 8081, 'UDP');
  return { net, server, client };
}

async function exec(c: ReturnType<typeof startTestPod>, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new CaptureWritable();
  const err = new CaptureWritable();
  const r = await c.container.exec(argv, { stdout: out, stderr: err });
  assert.equal(r.kind, 'exited', JSON.stringify(r));
  return { code: r.kind === 'exited' ? r.exitCode : -1, out: out.text(), err: err.text() };
}

async function stopAll(c: Cluster): Promise<void> {
  await c.server.container.stop('SIGKILL');
  await c.client.container.stop('SIGKILL');
}

test('connect: exit 0 to a listener, REFUSED for a closed port, TIMEOUT when policy drops, as connect.go prints them', { timeout: 10_000 }, async () => {
  const c = await cluster();
  assert.deepEqual(await exec(c.client, ['/agnhost', 'connect', `${A}:8080`, '--timeout=1s']), { code: 0, out: '', err: '' });
  assert.deepEqual(await exec(c.client, ['/agnhost', 'connect', `${A}:9999`, '--timeout=1s']), { code: 1, out: '', err: 'REFUSED\n' });
  c.net.setPolicy({ decide: (req): PolicyVerdict => (req.dst.port === 8080 ? { verdict: 'drop', policies: ['default/deny-all'] } : ALLOW) });
  assert.deepEqual(await exec(c.client, ['/agnhost', 'connect', `${A}:8080`, '--timeout=1s', '--protocol=tcp']), { code: 1, out: '', err: 'TIMEOUT\n' });
  const dropped = c.net.recent().filter((f) => f.verdict === 'dropped');
  assert.equal(dropped.length, 1);
  c.net.setPolicy(undefined);
  assert.deepEqual(await exec(c.client, ['/agnhost', 'connect', 'no-port', '--timeout=1s']), { code: 1, out: '', err: 'UNKNOWN: address no-port: missing port in address\n' });
  await stopAll(c);
});

test('connect: names resolve through cluster DNS; an unknown name is DNS:', { timeout: 10_000 }, async () => {
  const c = await cluster();
  serveClusterDns(c.net, { 's-a.networking-lab.svc.cluster.local': { A: [A] } });
  assert.deepEqual(await exec(c.client, ['/agnhost', 'connect', 's-a.networking-lab.svc.cluster.local:8080', '--timeout=5s']), { code: 0, out: '', err: '' });
  assert.deepEqual(await exec(c.client, ['/agnhost', 'connect', 's-a:8080', '--timeout=5s']), { code: 0, out: '', err: '' });
  const r = await exec(c.client, ['/agnhost', 'connect', 'nope.default.svc.cluster.local:80', '--timeout=5s']);
  assert.deepEqual(r, { code: 1, out: '', err: 'DNS: lookup nope.default.svc.cluster.local on 10.96.0.10:53: no such host\n' });
  await stopAll(c);
});

test('connect --protocol=udp: a reply is success; no socket is REFUSED; a drop is TIMEOUT', { timeout: 10_000 }, async () => {
  const c = await cluster();
  assert.deepEqual(await exec(c.client, ['/agnhost', 'connect', `${A}:8081`, '--protocol=udp', '--timeout=1s']), { code: 0, out: '', err: '' });
  const refused = await exec(c.client, ['/agnhost', 'connect', `${A}:9999`, '--protocol=udp', '--timeout=1s']);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /^REFUSED: read udp 10\.244\.2\.7:\d+->10\.244\.1\.5:9999: read: connection refused\n$/);
  c.net.setPolicy({ decide: (req): PolicyVerdict => (req.protocol === 'UDP' ? { verdict: 'drop', policies: ['default/deny'] } : ALLOW) });
  const t = await exec(c.client, ['/agnhost', 'connect', `${A}:8081`, '--protocol=udp', '--timeout=1s']);
  assert.equal(t.code, 1);
  assert.match(t.err, /^TIMEOUT: read udp 10\.244\.2\.7:\d+->10\.244\.1\.5:8081: i\/o timeout\n$/);
  await stopAll(c);
});

test('netexec endpoints: /hostname, /clientip, /echo, /healthz, / and Go\'s headers', { timeout: 10_000 }, async () => {
  const c = await cluster();
  const h = await httpRequest(c.net, CLIENT, A, 8080, '/hostname');
  assert.equal(h.body, 'server-a');
  assert.equal(h.headers['content-type'], 'text/plain; charset=utf-8');
  const ip = await httpRequest(c.net, CLIENT, A, 8080, '/clientip');
  assert.match(ip.body, /^10\.244\.9\.9:\d+$/);
  const echo = await httpRequest(c.net, CLIENT, A, 8080, '/echo?msg=hello%20world');
  assert.equal(echo.body, 'hello world');
  const code = await httpRequest(c.net, CLIENT, A, 8080, '/echo?msg=teapot&code=418');
  assert.equal(code.status, 418);
  assert.equal(code.body, 'teapot');
  assert.equal((await httpRequest(c.net, CLIENT, A, 8080, '/healthz')).status, 200);
  const root = await httpRequest(c.net, CLIENT, A, 8080, '/whatever');
  assert.match(root.body, /^NOW: 2025-10-06 12:00:00 \+0000 UTC m=\+\d+\.\d{9}$/);
  assert.match(c.server.stderr.text(), /^2025\/10\/06 12:00:00 Started HTTP server on port 8080\n2025\/10\/06 12:00:00 Started UDP server on port  8081\n/);
  assert.match(c.server.stderr.text(), /GET \/hostname\n.*GET \/clientip\n.*GET \/echo\?msg=hello world&code=\n/s);
  await stopAll(c);
});

test('netexec /dial: HTTP and UDP from the pod, responses and errors as JSON', { timeout: 10_000 }, async () => {
  const c = await cluster();
  const peer = startTestPod(c.net, testRuntime(), { image: AGNHOST, ip: '10.244.3.3', name: 'peer-c', args: ['netexec'] });
  await waitListening(peer.container, 8080);
  await waitListening(peer.container, 8081, 'UDP');
  const http = await httpRequest(c.net, CLIENT, A, 8080, '/dial?request=hostname&protocol=http&host=10.244.3.3&port=8080&tries=2');
  assert.equal(http.body, '{"responses":["peer-c","peer-c"]}');
  const udp = await httpRequest(c.net, CLIENT, A, 8080, '/dial?request=hostname&protocol=udp&host=10.244.3.3&port=8081&tries=1');
  assert.equal(udp.body, '{"responses":["peer-c"]}');
  const clientip = await httpRequest(c.net, CLIENT, A, 8080, '/dial?request=clientip&protocol=http&host=10.244.3.3&port=8080&tries=1');
  assert.match(clientip.body, /^\{"responses":\["10\.244\.1\.5:\d+"\]\}$/);
  const refused = await httpRequest(c.net, CLIENT, A, 8080, '/dial?request=hostname&protocol=http&host=10.244.3.3&port=9999&tries=1');
  assert.equal(refused.body, '{"errors":["Get \\"http://10.244.3.3:9999/hostname\\": dial tcp 10.244.3.3:9999: connect: connection refused"]}');
  const bad = await httpRequest(c.net, CLIENT, A, 8080, '/dial?protocol=http&host=10.244.3.3&port=8080');
  assert.equal(bad.status, 400);
  assert.equal(bad.body, 'request parameter not specified. <nil>\n');
  c.net.setPolicy({ decide: (req): PolicyVerdict => (req.dst.ip === '10.244.3.3' && req.protocol === 'TCP' ? { verdict: 'drop', policies: ['default/deny'] } : ALLOW) });
  const dropped = await httpRequest(c.net, CLIENT, A, 8080, '/dial?request=hostname&protocol=http&host=10.244.3.3&port=8080&tries=1');
  assert.equal(dropped.body, '{"errors":["Get \\"http://10.244.3.3:8080/hostname\\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)"]}');
  await peer.container.stop('SIGKILL');
  await stopAll(c);
});

test('netexec UDP commands: hostname, echo (lowercased, as upstream), clientip', { timeout: 10_000 }, async () => {
  const c = await cluster();
  const ask = async (msg: string): Promise<string> => (await c.net.udpExchange({ srcIp: CLIENT, dstIp: A, dstPort: 8081, timeoutMs: 2000 }, Buffer.from(msg))).toString();
  assert.equal(await ask('hostname\n'), 'server-a');
  assert.equal(await ask('echo Hello There'), 'hello there');
  assert.match(await ask('clientip'), /^10\.244\.9\.9:\d+$/);
  await stopAll(c);
});

test('netexec /shell runs /bin/sh -c; /exit ends the container with the code; --udp-port=-1 makes /healthz 412', { timeout: 10_000 }, async () => {
  const c = await cluster();
  const sh = await httpRequest(c.net, CLIENT, A, 8080, `/shell?cmd=${encodeURIComponent("echo 'hi <there>'")}`);
  assert.equal(sh.body, '{"output":"hi \\u003cthere\\u003e\\n"}');
  const fail = await httpRequest(c.net, CLIENT, A, 8080, '/shell?cmd=exit%203');
  assert.equal(fail.body, '{"error":"exit status 3"}');
  await assert.rejects(httpRequest(c.net, CLIENT, A, 8080, '/exit?code=3'));
  assert.equal(await c.server.container.exited, 3);
  const noUdp = startTestPod(c.net, testRuntime(), { image: AGNHOST, ip: '10.244.3.4', args: ['netexec', '--udp-port=-1'] });
  await waitListening(noUdp.container, 8080);
  assert.equal((await httpRequest(c.net, CLIENT, '10.244.3.4', 8080, '/healthz')).status, 412);
  await noUdp.container.stop('SIGKILL');
  await c.client.container.stop('SIGKILL');
});

test('serve-hostname over HTTP, TCP and UDP; HTTP with UDP is refused', { timeout: 10_000 }, async () => {
  const net = createPodNetwork();
  net.registerAddress(CLIENT, { kind: 'pod', namespace: 'default', name: 'client' });
  const rt = testRuntime();
  const httpPod = startTestPod(net, rt, { image: AGNHOST, ip: A, name: 'web-0', args: ['serve-hostname'] });
  await waitListening(httpPod.container, 9376);
  const r = await httpRequest(net, CLIENT, A, 9376, '/');
  assert.equal(r.body, 'web-0');
  assert.match(httpPod.stderr.text(), /Serving on port 9376\.\n.*HTTP request from 10\.244\.9\.9:\d+\n/s);
  const udpPod = startTestPod(net, rt, { image: AGNHOST, ip: B, name: 'udp-0', args: ['serve-hostname', '--udp', '--http=false', '--port=9999'] });
  await waitListening(udpPod.container, 9999, 'UDP');
  const reply = await net.udpExchange({ srcIp: CLIENT, dstIp: B, dstPort: 9999, timeoutMs: 2000 }, Buffer.from('x'));
  assert.equal(reply.toString(), 'udp-0');
  const tcpPod = startTestPod(net, rt, { image: AGNHOST, ip: '10.244.3.3', name: 'tcp-0', args: ['serve-hostname', '--tcp', '--http=false'] });
  await waitListening(tcpPod.container, 9376);
  const s = await net.connect({ srcIp: CLIENT, dstIp: '10.244.3.3', dstPort: 9376 });
  const got = await new Promise<string>((resolve) => {
    let t = '';
    s.on('data', (b: Buffer) => (t += b.toString()));
    s.on('end', () => resolve(t));
  });
  s.destroy();
  assert.equal(got, 'tcp-0');
  const both = startTestPod(net, rt, { image: AGNHOST, ip: '10.244.3.4', args: ['serve-hostname', '--udp'] });
  assert.equal(await both.container.exited, 1);
  assert.match(both.stderr.text(), /Can't server TCP\/UDP mode and HTTP mode at the same time\n$/);
  for (const p of [httpPod, udpPod, tcpPod]) await p.container.stop('SIGKILL');
});

test('porter serves SERVE_PORT_* values, --json-response wraps them', { timeout: 10_000 }, async () => {
  const net = createPodNetwork();
  net.registerAddress(CLIENT, { kind: 'pod', namespace: 'default', name: 'client' });
  const pod = startTestPod(net, testRuntime(), { image: AGNHOST, ip: A, args: ['porter', '--json-response'], env: { SERVE_PORT_80: 'foo', SERVE_TCP_PORT_81: 'bar' } });
  await waitListening(pod.container, 80);
  await waitListening(pod.container, 81);
  const r = await httpRequest(net, CLIENT, A, 80, '/', { method: 'POST', body: 'x' });
  assert.equal(r.body, '{"Method":"POST","Body":"foo"}');
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal((await httpRequest(net, CLIENT, A, 81, '/')).body, '{"Method":"GET","Body":"bar"}');
  await pod.container.stop('SIGKILL');
});

test('pause and cobra: "Paused", an exec\'d pause ends with the hang-up, flag and argument errors', { timeout: 10_000 }, async () => {
  const net = createPodNetwork();
  const pod = startTestPod(net, testRuntime(), { image: AGNHOST, ip: A });
  assert.deepEqual(pod.container.argv, ['/agnhost', 'pause']);
  await new Promise((r) => setImmediate(r));
  assert.equal(pod.stdout.text(), 'Paused\n');
  const session = new AbortController();
  const out = new CaptureWritable();
  const running = pod.container.exec(['/agnhost', 'pause'], { stdout: out, stderr: out, signal: session.signal });
  await new Promise((r) => setImmediate(r));
  session.abort();
  assert.deepEqual(await running, { kind: 'exited', exitCode: 129 });
  const flag = await exec(pod, ['/agnhost', 'netexec', '--bogus']);
  assert.equal(flag.code, 1);
  assert.match(flag.err, /^Error: unknown flag: --bogus\nUsage:\n {2}app netexec \[flags\]\n\nFlags:\n/);
  assert.match(flag.err, / {6}--http-port int {2,}HTTP Listen Port \(default 8080\)\n/);
  const args = await exec(pod, ['/agnhost', 'connect']);
  assert.match(args.err, /^Error: accepts 1 arg\(s\), received 0\n/);
  const version = await exec(pod, ['/agnhost', '--version']);
  assert.equal(version.out, 'app version 2.47\n');
  const other = await exec(pod, ['/agnhost', 'liveness']);
  assert.equal(other.code, 1);
  assert.match(other.err, /^kwire: "agnhost liveness" is not emulated \(emulated: connect, dns-server-list, dns-suffix, etc-hosts, netexec, pause, porter, serve-hostname\)\n$/);
  const suffix = await exec(pod, ['/agnhost', 'dns-suffix']);
  assert.equal(suffix.out, 'networking-lab.svc.cluster.local,svc.cluster.local,cluster.local\n');
  await pod.container.stop('SIGTERM');
  assert.equal(await pod.container.exited, 2);
});
