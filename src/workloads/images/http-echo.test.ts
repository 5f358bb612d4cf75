/**
 * @module workloads/images/http-echo.test
 * hashicorp/http-echo as the lab runs it (args with $(HOSTNAME), -listen=:8080),
 * byte for byte on the wire, its logs, /health, -status-code, bind errors,
 * loopback-only listening, and exec into a shell-less image.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPodNetwork } from '../../dataplane/index.js';
import { CaptureWritable } from '../streams.js';
import { FakeClock } from '../testing/fake-clock.js';
import { httpRequest, rawExchange, startTestPod, testRuntime, waitForText, waitListening } from './testing.js';

const CLIENT = '10.244.9.9';
const LAB_ARGS = ['-text=Hello from Backend Pod: $(HOSTNAME)', '-listen=:8080'];

function lab(clock = new FakeClock({ autoAdvance: false })): { net: ReturnType<typeof createPodNetwork>; pod: ReturnType<typeof startTestPod> } {
  const net = createPodNetwork();
  net.registerAddress(CLIENT, { kind: 'pod', namespace: 'networking-lab', name: 'client' });
  const pod = startTestPod(net, testRuntime(), {
    image: 'hashicorp/http-echo:latest',
    ip: '10.244.1.5',
    name: 'backend-abc',
    args: LAB_ARGS,
    env: { HOSTNAME: 'backend-abc' },
    clock,
  });
  return { net, pod };
}

test('the lab backend answers exactly "Hello from Backend Pod: backend-abc\\n", with Go\'s headers in Go\'s order', { timeout: 5000 }, async () => {
  const { net, pod } = lab();
  await waitListening(pod.container, 8080);
  assert.deepEqual(pod.container.argv, ['/http-echo', '-text=Hello from Backend Pod: backend-abc', '-listen=:8080']);
  const raw = await rawExchange(net, CLIENT, '10.244.1.5', 8080, 'GET / HTTP/1.1\r\nHost: backend-clusterip\r\nUser-Agent: Wget\r\nConnection: close\r\n\r\n');
  assert.equal(
    raw,
    'HTTP/1.1 200 OK\r\nX-App-Name: http-echo\r\nX-App-Version: 1.0.0\r\nDate: Mon, 06 Oct 2025 12:00:00 GMT\r\n' +
      'Content-Length: 36\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nHello from Backend Pod: backend-abc\n',
  );
  const r = await httpRequest(net, CLIENT, '10.244.1.5', 8080, '/any/path?x=1');
  assert.equal(r.body, 'Hello from Backend Pod: backend-abc\n');
  assert.equal(r.headers['x-app-name'], 'http-echo');
  await pod.container.stop();
  assert.equal(await pod.container.exited, 2);
  assert.equal(
    pod.stderr.text(),
    '2025/10/06 12:00:00 [INFO] server is listening on :8080\n2025/10/06 12:00:00 [INFO] received interrupt, shutting down...\n',
  );
  const lines = pod.stdout.text().split('\n').filter(Boolean);
  assert.equal(lines.length, 2);
  assert.match(lines[0] ?? '', /^2025\/10\/06 12:00:00 backend-clusterip 10\.244\.9\.9:\d+ "GET \/ HTTP\/1\.1" 200 36 "Wget" \d+(\.\d+)?(ns|µs|ms|s)$/);
  assert.match(lines[1] ?? '', /^2025\/10\/06 12:00:00 10\.244\.1\.5:8080 10\.244\.9\.9:\d+ "GET \/any\/path HTTP\/1\.1" 200 36 "" /);
});

test('/health answers {"status":"ok"} with the app headers and no access log', { timeout: 5000 }, async () => {
  const { net, pod } = lab();
  await waitListening(pod.container, 8080);
  const r = await httpRequest(net, CLIENT, '10.244.1.5', 8080, '/health');
  assert.equal(r.status, 200);
  assert.equal(r.body, '{"status":"ok"}\n');
  assert.equal(r.headers['x-app-version'], '1.0.0');
  assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(pod.stdout.text(), '');
  const head = await httpRequest(net, CLIENT, '10.244.1.5', 8080, '/', { method: 'HEAD' });
  assert.equal(head.body, '');
  assert.equal(head.headers['content-length'], '36');
  await pod.container.stop('SIGKILL');
});

test('-status-code answers with that status; 0.2.3 has no such flag', { timeout: 5000 }, async () => {
  const net = createPodNetwork();
  net.registerAddress(CLIENT, { kind: 'pod', namespace: 'default', name: 'client' });
  const rt = testRuntime();
  const pod = startTestPod(net, rt, { image: 'hashicorp/http-echo', ip: '10.244.1.5', args: ['-text=gone', '-status-code=404', '--listen=:9000'] });
  await waitListening(pod.container, 9000);
  const r = await httpRequest(net, CLIENT, '10.244.1.5', 9000, '/');
  assert.equal(r.status, 404);
  assert.equal(r.statusMessage, 'Not Found');
  assert.equal(r.body, 'gone\n');
  await pod.container.stop('SIGKILL');
  const old = startTestPod(net, rt, { image: 'hashicorp/http-echo:0.2.3', ip: '10.244.1.6', args: ['-text=x', '-status-code=404'] });
  assert.equal(await old.container.exited, 2);
  assert.match(old.stderr.text(), /^flag provided but not defined: -status-code\nUsage of \/http-echo:\n  -listen string\n    \taddress and port to listen \(default ":5678"\)\n/);
});

test('a taken port fails like Go: "[ERR] server exited with: listen tcp :8080: bind: address already in use"', { timeout: 5000 }, async () => {
  const net = createPodNetwork();
  const rt = testRuntime();
  const first = startTestPod(net, rt, { image: 'hashicorp/http-echo', ip: '10.244.1.5', args: ['-text=a', '-listen=:8080'] });
  await waitListening(first.container, 8080);
  const second = first.container;
  const out = new CaptureWritable();
  const err = new CaptureWritable();
  const r = await second.exec(['/http-echo', '-text=b', '-listen=:8080'], { stdout: out, stderr: err });
  assert.deepEqual(r, { kind: 'exited', exitCode: 1 });
  assert.match(err.text(), /\[INFO\] server is listening on :8080\n\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[ERR\] server exited with: listen tcp :8080: bind: address already in use\n$/);
  await first.container.stop('SIGKILL');
});

test('-listen=127.0.0.1:8080 is reachable only from inside the pod', { timeout: 5000 }, async () => {
  const net = createPodNetwork();
  net.registerAddress(CLIENT, { kind: 'pod', namespace: 'default', name: 'client' });
  const pod = startTestPod(net, testRuntime(), { image: 'hashicorp/http-echo', ip: '10.244.1.5', args: ['-text=local', '-listen=127.0.0.1:8080'] });
  await waitForText(pod.stderr, 'server is listening on 127.0.0.1:8080');
  assert.deepEqual(pod.container.listening(), [{ port: 8080, protocol: 'TCP', address: '127.0.0.1' }]);
  assert.equal(pod.container.isListening(8080), false);
  await assert.rejects(net.connect({ srcIp: CLIENT, dstIp: '10.244.1.5', dstPort: 8080 }), { code: 'ECONNREFUSED' });
  await pod.container.stop('SIGKILL');
  const bad = startTestPod(net, testRuntime(), { image: 'hashicorp/http-echo', ip: '10.244.1.6', args: ['-text=x', '-listen=10.1.2.3:80'] });
  assert.equal(await bad.container.exited, 1);
  assert.match(bad.stderr.text(), /\[ERR\] server exited with: listen tcp 10\.1\.2\.3:80: bind: cannot assign requested address\n$/);
});

test('exec into the shell-less image: only /http-echo exists', { timeout: 5000 }, async () => {
  const { pod } = lab();
  await waitListening(pod.container, 8080);
  const out = new CaptureWritable();
  const sh = await pod.container.exec(['sh'], { stdout: out, stderr: out });
  assert.deepEqual(sh, {
    kind: 'start-failed',
    message: `error executing command in container: failed to exec in container: failed to start exec "${'e'.repeat(64)}": OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in $PATH: unknown`,
  });
  const version = await pod.container.exec(['/http-echo', '-version'], { stdout: out, stderr: out });
  assert.deepEqual(version, { kind: 'exited', exitCode: 0 });
  assert.equal(out.text(), 'http-echo v1.0.0 ()\n');
  await pod.container.stop('SIGKILL');
});
