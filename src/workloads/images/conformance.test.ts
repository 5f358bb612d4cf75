/**
 * @module workloads/images/conformance.test
 * One suite, every emulation (as hono's routers share common.case.test.ts):
 * each server image starts from its ENTRYPOINT/CMD (plus the args a lab
 * gives it), listens where it says, answers, stops on the kubelet's SIGTERM
 * with the exit code the real image gives, releases its sockets (peers are
 * refused, the port can be bound again), and dies at once with 137 on
 * SIGKILL. Run-to-completion images exit with their real codes.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPodNetwork, type PodNetwork } from '../../dataplane/index.js';
import { workloadsToolHost } from './default-tools.js';
import { httpRequest, startTestPod, testRuntime, waitListening } from './testing.js';

const CLIENT = '10.244.9.9';
const POD = '10.244.1.5';

interface ServerCase {
  readonly name: string;
  readonly image: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly env?: Record<string, string>;
  readonly tcp: ReadonlyArray<number>;
  readonly udp?: ReadonlyArray<number>;
  readonly probe?: { readonly port: number; readonly path: string; readonly status: number; readonly body: RegExp };
  /** Exit code after SIGTERM; undefined when the image keeps running until SIGKILL. */
  readonly sigterm: number | undefined;
}

const HOST = 'pod-under-test';

const SERVERS: ReadonlyArray<ServerCase> = [
  {
    name: 'http-echo (lab backend)',
    image: 'hashicorp/http-echo:latest',
    args: ['-text=Hello from Backend Pod: $(HOSTNAME)', '-listen=:8080'],
    env: { HOSTNAME: HOST },
    tcp: [8080],
    probe: { port: 8080, path: '/', status: 200, body: /^Hello from Backend Pod: pod-under-test\n$/ },
    sigterm: 2,
  },
  {
    name: 'http-echo (defaults, ECHO_TEXT)',
    image: 'hashicorp/http-echo',
    env: { ECHO_TEXT: 'hi' },
    tcp: [5678],
    probe: { port: 5678, path: '/anything', status: 200, body: /^hi\n$/ },
    sigterm: 2,
  },
  { name: 'nginx:1.21', image: 'nginx:1.21', tcp: [80], probe: { port: 80, path: '/', status: 200, body: /<h1>Welcome to nginx!<\/h1>/ }, sigterm: 0 },
  { name: 'nginx:1.25-alpine', image: 'nginx:1.25-alpine', tcp: [80], probe: { port: 80, path: '/index.html', status: 200, body: /Welcome to nginx!/ }, sigterm: 0 },
  // A Go binary as PID 1 without a SIGTERM handler: the runtime's re-raise is ignored, it exits 2.
  { name: 'traefik/whoami', image: 'traefik/whoami', tcp: [80], probe: { port: 80, path: '/', status: 200, body: /^Hostname: pod-under-test\n/ }, sigterm: 2 },
  {
    name: 'traefik/whoami --port',
    image: 'traefik/whoami:v1.10.1',
    args: ['--port', '8000'],
    tcp: [8000],
    probe: { port: 8000, path: '/health', status: 200, body: /^$/ },
    sigterm: 2,
  },
  {
    name: 'agnhost netexec',
    image: 'registry.k8s.io/e2e-test-images/agnhost:2.47',
    args: ['netexec', '--http-port=8080', '--udp-port=8081'],
    tcp: [8080],
    udp: [8081],
    probe: { port: 8080, path: '/hostname', status: 200, body: /^pod-under-test$/ },
    sigterm: 2,
  },
  {
    name: 'agnhost serve-hostname',
    image: 'registry.k8s.io/e2e-test-images/agnhost:2.47',
    args: ['serve-hostname'],
    tcp: [9376],
    probe: { port: 9376, path: '/', status: 200, body: /^pod-under-test$/ },
    sigterm: undefined,
  },
  {
    name: 'agnhost porter',
    image: 'registry.k8s.io/e2e-test-images/agnhost:2.47',
    args: ['porter'],
    env: { SERVE_PORT_9001: 'foo', SERVE_UDP_PORT_9002: 'bar' },
    tcp: [9001],
    udp: [9002],
    probe: { port: 9001, path: '/x', status: 200, body: /^foo$/ },
    sigterm: 2,
  },
  { name: 'agnhost pause (the image CMD)', image: 'registry.k8s.io/e2e-test-images/agnhost:2.47', tcp: [], sigterm: 2 },
  // busybox sleep as PID 1 has no SIGTERM handler: it ignores it until SIGKILL, as `kubectl delete` shows (30 s).
  { name: 'busybox sleep', image: 'busybox:1.36', command: ['sleep', '3600'], tcp: [], sigterm: undefined },
];

function start(net: PodNetwork, c: ServerCase): ReturnType<typeof startTestPod> {
  return startTestPod(net, testRuntime({ tools: workloadsToolHost }), {
    image: c.image,
    ip: POD,
    name: HOST,
    ...(c.command ? { command: c.command } : {}),
    ...(c.args ? { args: c.args } : {}),
    ...(c.env ? { env: c.env } : {}),
  });
}

async function assertReleased(net: PodNetwork, c: ServerCase): Promise<void> {
  for (const port of c.tcp) {
    await assert.rejects(net.connect({ srcIp: CLIENT, dstIp: POD, dstPort: port, timeoutMs: 1000 }), { code: 'ECONNREFUSED' });
    const again = net.listen(POD, port, () => undefined);
    again.close();
  }
  for (const port of c.udp ?? []) net.bindUdp(POD, port, () => undefined).close();
}

describe('conformance: every emulation', () => {
  for (const c of SERVERS) {
    test(`${c.name}: starts, listens, answers, stops on SIGTERM, releases its sockets`, { timeout: 10_000 }, async () => {
      const net = createPodNetwork();
      net.registerAddress(CLIENT, { kind: 'pod', namespace: 'default', name: 'client' });
      const pod = start(net, c);
      assert.ok(pod.result.ok, pod.result.ok ? '' : pod.result.message);
      const container = pod.container;
      for (const port of c.tcp) await waitListening(container, port, 'TCP');
      for (const port of c.udp ?? []) await waitListening(container, port, 'UDP');
      const listening = container.listening().map((l) => `${l.protocol}/${l.port}`).sort();
      assert.deepEqual(listening, [...c.tcp.map((p) => `TCP/${p}`), ...(c.udp ?? []).map((p) => `UDP/${p}`)].sort());
      if (c.probe) {
        const r = await httpRequest(net, CLIENT, POD, c.probe.port, c.probe.path);
        assert.equal(r.status, c.probe.status);
        assert.match(r.body, c.probe.body);
      }
      assert.equal(container.exitCode, undefined);
      if (c.sigterm !== undefined) {
        await container.stop('SIGTERM');
        assert.equal(await container.exited, c.sigterm);
      } else {
        const stopped = container.stop('SIGTERM');
        await new Promise((r) => setTimeout(r, 30));
        assert.equal(container.exitCode, undefined, 'keeps running after SIGTERM');
        await container.stop('SIGKILL');
        await stopped;
        assert.equal(await container.exited, 137);
      }
      assert.deepEqual(container.listening(), []);
      for (const port of c.tcp) assert.equal(container.isListening(port), false);
      await assertReleased(net, c);
      assert.equal(pod.stdout.writableEnded, false, 'the log stream is the kubelet\'s to end');
    });

    test(`${c.name}: SIGKILL ends it at once with 137`, { timeout: 10_000 }, async () => {
      const net = createPodNetwork();
      net.registerAddress(CLIENT, { kind: 'pod', namespace: 'default', name: 'client' });
      const pod = start(net, c);
      const container = pod.container;
      for (const port of c.tcp) await waitListening(container, port, 'TCP');
      await container.stop('SIGKILL');
      assert.equal(await container.exited, 137);
      assert.equal(container.exitCode, 137);
      await assertReleased(net, c);
      const after = await container.exec(['sh'], { stdout: pod.stdout, stderr: pod.stderr });
      assert.equal(after.kind, 'start-failed');
    });
  }
});

describe('conformance: run-to-completion', () => {
  const rows: ReadonlyArray<{ name: string; image: string; command?: string[]; args?: string[]; exit: number; stdout?: RegExp; stderr?: RegExp }> = [
    { name: 'busybox without a terminal: sh reads EOF and exits 0', image: 'busybox', exit: 0 },
    { name: 'busybox echo', image: 'busybox:1.36', command: ['sh', '-c', 'echo hello; exit 3'], exit: 3, stdout: /^hello\n$/ },
    { name: 'http-echo without text', image: 'hashicorp/http-echo', exit: 127, stderr: /^Missing -text option or ECHO_TEXT env var!\n$/ },
    { name: 'http-echo with extra args', image: 'hashicorp/http-echo', args: ['-text=x', 'extra'], exit: 127, stderr: /^Too many arguments!\n$/ },
    { name: 'http-echo bad flag', image: 'hashicorp/http-echo', args: ['-nope'], exit: 2, stderr: /^flag provided but not defined: -nope\nUsage of \/http-echo:\n/ },
    { name: 'agnhost unknown subcommand', image: 'registry.k8s.io/e2e-test-images/agnhost:2.47', args: ['frobnicate'], exit: 1, stderr: /^Error: unknown command "frobnicate" for "app"\n/ },
    { name: 'nginx -v', image: 'nginx:1.21', args: ['nginx', '-v'], exit: 0, stderr: /^nginx version: nginx\/1\.21\.6\n$/ },
    { name: 'curlimages/curl without arguments', image: 'curlimages/curl:8.5.0', exit: 2, stderr: /curl: try 'curl --help'/ },
  ];
  for (const r of rows) {
    test(r.name, { timeout: 10_000 }, async () => {
      const net = createPodNetwork();
      const pod = startTestPod(net, testRuntime({ tools: workloadsToolHost }), {
        image: r.image,
        ip: POD,
        ...(r.command ? { command: r.command } : {}),
        ...(r.args ? { args: r.args } : {}),
      });
      assert.equal(await pod.container.exited, r.exit, pod.stderr.text());
      if (r.stdout) assert.match(pod.stdout.text(), r.stdout);
      if (r.stderr) assert.match(pod.stderr.text(), r.stderr);
      assert.deepEqual(pod.container.listening(), []);
    });
  }

  test('a command that is not in the image fails to start with StartError', () => {
    const net = createPodNetwork();
    const pod = startTestPod(net, testRuntime(), { image: 'nginx:1.21', ip: POD, command: ['foo'] });
    assert.ok(!pod.result.ok);
    assert.equal(pod.result.reason, 'StartError');
    assert.equal(
      pod.result.message,
      'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: ' +
        'unable to start container process: exec: "foo": executable file not found in $PATH: unknown',
    );
  });

  test('an image without an emulation is not started', () => {
    const net = createPodNetwork();
    const pod = startTestPod(net, testRuntime(), { image: 'redis:7', ip: POD });
    assert.ok(!pod.result.ok);
    assert.equal(pod.result.reason, 'ErrImagePull');
    assert.match(pod.result.message, /kwire has no emulation of image "docker.io\/library\/redis:7"/);
  });
});
