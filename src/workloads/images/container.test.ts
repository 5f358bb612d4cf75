/**
 * @module workloads/images/container.test
 * The runtime around the programs: the environment and user a container
 * gets, a FileMap given by the kubelet, sockets on the pod IP vs loopback,
 * a terminal session (`kubectl run -it`), exec'd processes dying with the
 * container, PID 1 ignoring SIGTERM for C programs, spawn from a program.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createPodNetwork } from '../../dataplane/index.js';
import { createFileMap } from '../fs.js';
import { kubeletFiles } from '../pod-files.js';
import { CaptureWritable } from '../streams.js';
import { workloadsToolHost } from './default-tools.js';
import { ContainerSockets } from './sockets.js';
import { httpRequest, startTestPod, testRuntime, waitForText, waitListening } from './testing.js';

const IP = '10.244.1.5';

test('environment: image ENV under the kubelet\'s, HOSTNAME and HOME; runAsUser and workingDir apply', { timeout: 10_000 }, async () => {
  const net = createPodNetwork();
  const rt = testRuntime({ tools: workloadsToolHost });
  const pod = startTestPod(net, rt, { image: 'nginx:1.21', ip: IP, name: 'web-1', command: ['sh', '-c', 'echo $PATH $NGINX_VERSION $HOSTNAME $HOME $EXTRA; cat /etc/hostname'], env: { EXTRA: 'x', NGINX_VERSION: 'override' } });
  assert.equal(await pod.container.exited, 0, pod.stderr.text());
  assert.equal(pod.stdout.text(), '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin override web-1 /root x\nweb-1\n');
  const log = new CaptureWritable();
  const r = rt.startContainer({
    image: 'busybox',
    command: ['sh', '-c', 'id -u; pwd'],
    env: {},
    ports: [],
    podIp: '10.244.1.6',
    hostname: 'u',
    podName: 'u',
    namespace: 'default',
    net,
    files: createFileMap(kubeletFiles({ podIp: '10.244.1.6', hostname: 'u', namespace: 'default' })),
    stdout: log,
    stderr: log,
    runAsUser: 1000,
    workingDir: '/tmp',
  });
  assert.ok(r.ok);
  assert.equal(await r.container.exited, 0);
  assert.equal(log.text(), '1000\n/tmp\n');
});

test('a kubelet FileMap gets the image files underneath; the writable layer is shared by exec\'d processes', { timeout: 10_000 }, async () => {
  const net = createPodNetwork();
  net.registerAddress('10.244.9.9', { kind: 'pod', namespace: 'default', name: 'c' });
  const files = createFileMap({ ...kubeletFiles({ podIp: IP, hostname: 'w', namespace: 'default' }), '/usr/share/nginx/html/index.html': 'from a ConfigMap\n' });
  const out = new CaptureWritable();
  const r = testRuntime({ tools: workloadsToolHost }).startContainer({ image: 'nginx:1.25-alpine', env: {}, ports: [], podIp: IP, hostname: 'w', podName: 'w', namespace: 'default', net, files, stdout: out, stderr: out });
  assert.ok(r.ok);
  net.registerAddress(IP, { kind: 'pod', namespace: 'default', name: 'w' });
  await waitListening(r.container, 80);
  assert.equal((await httpRequest(net, '10.244.9.9', IP, 80, '/')).body, 'from a ConfigMap\n');
  assert.equal(files.stat('/usr/share/nginx/html/50x.html'), 'file');
  const e = new CaptureWritable();
  await r.container.exec(['sh', '-c', 'echo shared > /tmp/f'], { stdout: e, stderr: e });
  await r.container.exec(['cat', '/tmp/f'], { stdout: e, stderr: e });
  assert.equal(e.text(), 'shared\n');
  await r.container.stop('SIGKILL');
});

test('sockets: listening on all addresses reaches both the pod IP and loopback; errors in Go wording', async () => {
  const net = createPodNetwork();
  const s = new ContainerSockets(net, IP);
  const all = s.listenTcp({ host: '', port: 80 }, (sock) => sock.end('hi'), false);
  assert.throws(() => s.listenTcp({ host: '0.0.0.0', port: 80 }, () => undefined, false), { code: 'EADDRINUSE', message: 'listen tcp 0.0.0.0:80: bind: address already in use' });
  assert.throws(() => s.listenTcp({ host: '10.9.9.9', port: 81 }, () => undefined, false), { code: 'EADDRNOTAVAIL', message: 'listen tcp 10.9.9.9:81: bind: cannot assign requested address' });
  const client = await s.connectLoopback(80);
  const text = await new Promise<string>((resolve) => {
    let t = '';
    client.on('data', (b: Buffer) => (t += b.toString()));
    client.on('end', () => resolve(t));
  });
  assert.equal(text, 'hi');
  assert.deepEqual(s.listening(), [{ port: 80, protocol: 'TCP', address: '0.0.0.0' }]);
  all.close();
  await assert.rejects(s.connectLoopback(80), { code: 'ECONNREFUSED' });
  assert.equal(s.isListening(80, 'TCP'), false);
});

test('kubectl run -it busybox -- sh: a terminal session with the prompt, echo and exit', { timeout: 10_000 }, async () => {
  const net = createPodNetwork();
  const stdin = new PassThrough();
  const pod = startTestPod(net, testRuntime({ tools: workloadsToolHost }), { image: 'busybox', ip: IP, name: 'test-pod', args: ['sh'], stdin, tty: true });
  await waitForText(pod.stdout, '/ # ');
  stdin.write('hostname\r');
  await waitForText(pod.stdout, 'test-pod\r\n');
  stdin.write('exit\r');
  assert.equal(await pod.container.exited, 0);
  assert.equal(pod.stderr.text(), '', 'with a tty, stderr is the terminal');
});

test('exec\'d processes die with the container; PID 1 busybox ignores SIGTERM until SIGKILL', { timeout: 10_000 }, async () => {
  const net = createPodNetwork();
  const pod = startTestPod(net, testRuntime({ tools: workloadsToolHost }), { image: 'busybox', ip: IP, command: ['sleep', '3600'] });
  const out = new CaptureWritable();
  const session = new AbortController();
  const execd = pod.container.exec(['sleep', '3600'], { stdout: out, stderr: out, signal: session.signal });
  await new Promise((r) => setTimeout(r, 20));
  const stopping = pod.container.stop('SIGTERM');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(pod.container.exitCode, undefined, 'PID 1 sleep has no SIGTERM handler: the kernel ignores it');
  await pod.container.stop('SIGKILL');
  await stopping;
  assert.equal(await pod.container.exited, 137);
  assert.deepEqual(await execd, { kind: 'exited', exitCode: 137 });
  const again = await pod.container.exec(['true'], { stdout: out, stderr: out });
  assert.deepEqual(again, { kind: 'start-failed', message: 'error executing command in container: failed to exec in container: container is in CONTAINER_EXITED state' });
});
