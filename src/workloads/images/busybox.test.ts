/**
 * @module workloads/images/busybox.test
 * busybox and curlimages/curl as the lab uses them: `kubectl run -i ... -- sh`
 * reading commands from stdin, `-- wget -qO- http://svc --timeout=5` timing
 * out on a dropped flow, exec into a running busybox, curlimages' entrypoint
 * rules and its non-root user.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createPodNetwork, type PolicyVerdict } from '../../dataplane/index.js';
import { CaptureWritable } from '../streams.js';
import { FakeClock } from '../testing/fake-clock.js';
import { workloadsToolHost } from './default-tools.js';
import { serveClusterDns, startTestPod, testRuntime, waitListening } from './testing.js';

const BACKEND = '10.244.1.5';

async function lab(): Promise<{ net: ReturnType<typeof createPodNetwork>; rt: ReturnType<typeof testRuntime>; backend: ReturnType<typeof startTestPod> }> {
  const net = createPodNetwork();
  serveClusterDns(net, { 'backend-clusterip.networking-lab.svc.cluster.local': { A: [BACKEND] } });
  const rt = testRuntime({ tools: workloadsToolHost });
  const backend = startTestPod(net, rt, { image: 'hashicorp/http-echo:latest', ip: BACKEND, name: 'backend-abc', args: ['-text=Hello from Backend Pod: $(HOSTNAME)', '-listen=:80'], env: { HOSTNAME: 'backend-abc' } });
  await waitListening(backend.container, 80);
  return { net, rt, backend };
}

test('kubectl run -i busybox -- sh: commands from stdin, wget the Service by name', { timeout: 10_000 }, async () => {
  const { net, rt, backend } = await lab();
  const stdin = new PassThrough();
  const pod = startTestPod(net, rt, { image: 'busybox', ip: '10.244.2.2', name: 'test-pod', args: ['sh'], stdin });
  stdin.end('wget -qO- http://backend-clusterip\nhostname\nexit 4\n');
  assert.equal(await pod.container.exited, 4, pod.stderr.text());
  assert.equal(pod.stdout.text(), 'Hello from Backend Pod: backend-abc\ntest-pod\n');
  await backend.container.stop('SIGKILL');
});

test('kubectl run busybox -- wget --timeout=5 times out when policy drops the flow', { timeout: 10_000 }, async () => {
  const { net, rt, backend } = await lab();
  net.setPolicy({ decide: (req): PolicyVerdict => (req.protocol === 'TCP' ? { verdict: 'drop', policies: ['networking-lab/deny-all'] } : { verdict: 'allow', policies: [] }) });
  const pod = startTestPod(net, rt, { image: 'busybox', ip: '10.244.2.2', name: 'test-pod', args: ['wget', '-qO-', 'http://backend-clusterip', '--timeout=5'], clock: new FakeClock() });
  assert.equal(await pod.container.exited, 1);
  assert.equal(pod.stderr.text(), 'wget: download timed out\n');
  await backend.container.stop('SIGKILL');
});

test('exec into a running busybox; busybox applets kwire lacks say so', { timeout: 10_000 }, async () => {
  const { net, rt, backend } = await lab();
  const pod = startTestPod(net, rt, { image: 'busybox:1.36', ip: '10.244.2.2', name: 'bb', command: ['sleep', '3600'] });
  const out = new CaptureWritable();
  const r = await pod.container.exec(['sh', '-c', 'cat /etc/resolv.conf; wget -qO- http://backend-clusterip.networking-lab.svc.cluster.local'], { stdout: out, stderr: out });
  assert.deepEqual(r, { kind: 'exited', exitCode: 0 });
  assert.equal(out.text(), 'search networking-lab.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\nHello from Backend Pod: backend-abc\n');
  const vi = new CaptureWritable();
  const viR = await pod.container.exec(['vi'], { stdout: vi, stderr: vi });
  assert.deepEqual(viR, { kind: 'exited', exitCode: 127 });
  assert.match(vi.text(), /^kwire: \/bin\/vi is in the image but not emulated/);
  await pod.container.stop('SIGKILL');
  await backend.container.stop('SIGKILL');
});

test('curlimages/curl: options go to curl, commands run as themselves, the user is curl_user', { timeout: 10_000 }, async () => {
  const { net, rt, backend } = await lab();
  const opts = startTestPod(net, rt, { image: 'curlimages/curl:8.5.0', ip: '10.244.2.3', args: ['-s', 'http://backend-clusterip'] });
  assert.equal(await opts.container.exited, 0, opts.stderr.text());
  assert.equal(opts.stdout.text(), 'Hello from Backend Pod: backend-abc\n');
  const url = startTestPod(net, rt, { image: 'curlimages/curl:8.5.0', ip: '10.244.2.4', args: ['http://backend-clusterip'] });
  assert.equal(await url.container.exited, 0);
  assert.equal(url.stdout.text(), 'Hello from Backend Pod: backend-abc\n');
  const id = startTestPod(net, rt, { image: 'curlimages/curl', ip: '10.244.2.5', args: ['sh', '-c', 'id; pwd'] });
  assert.equal(await id.container.exited, 0);
  assert.equal(id.stdout.text(), 'uid=100(curl_user) gid=101(curl_group) groups=101(curl_group)\n/home/curl_user\n');
  await backend.container.stop('SIGKILL');
});
