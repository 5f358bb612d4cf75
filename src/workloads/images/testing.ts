/**
 * @module workloads/images/testing
 *
 * Test doubles for the image emulations, over a real `createPodNetwork()`:
 * a pod (registered address, kubelet files, captured logs), HTTP requests
 * from another pod through `VirtualHttpAgent`, raw request/response bytes
 * (to check header order on the wire), and waiting for log text. Shipped in
 * src/ so the kubelet's tests can use them too. Never opens a real socket.
 */
import http from 'node:http';
import type { PodNetwork } from '../../dataplane/index.js';
import { VirtualHttpAgent } from '../../dataplane/index.js';
import { kubeletFiles } from '../pod-files.js';
import { CaptureWritable } from '../streams.js';
import type { Clock } from '../process.js';
import { fakeDns, type FakeDns, type FakeRecords } from '../testing/fake-dns.js';
import { ContainerRuntime, type RuntimeOptions } from './runtime.js';
import type { ContainerSpec, RunningContainer, StartResult } from './types.js';

/** A pod under test. */
export interface TestPod {
  readonly ip: string;
  readonly spec: ContainerSpec;
  readonly stdout: CaptureWritable;
  readonly stderr: CaptureWritable;
  readonly result: StartResult;
  /** The container; throws when it did not start. */
  readonly container: RunningContainer;
}

export interface TestPodOptions {
  readonly image: string;
  readonly ip: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly command?: ReadonlyArray<string>;
  readonly args?: ReadonlyArray<string>;
  readonly env?: Readonly<Record<string, string>>;
  readonly clock?: Clock;
  readonly stdin?: ContainerSpec['stdin'];
  readonly tty?: boolean;
}

/** Registers the pod IP and starts its container. */
export function startTestPod(net: PodNetwork, runtime: ContainerRuntime, o: TestPodOptions): TestPod {
  const name = o.name ?? `pod-${o.ip.replace(/\./g, '-')}`;
  const namespace = o.namespace ?? 'networking-lab';
  net.registerAddress(o.ip, { kind: 'pod', namespace, name });
  const stdout = new CaptureWritable();
  const stderr = new CaptureWritable();
  const spec: ContainerSpec = {
    image: o.image,
    ...(o.command ? { command: o.command } : {}),
    ...(o.args ? { args: o.args } : {}),
    env: o.env ?? {},
    ports: [],
    podIp: o.ip,
    hostname: name,
    podName: name,
    namespace,
    net,
    files: kubeletFiles({ podIp: o.ip, hostname: name, namespace }),
    stdout,
    stderr,
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.stdin ? { stdin: o.stdin } : {}),
    ...(o.tty ? { tty: true } : {}),
  };
  const result = runtime.startContainer(spec);
  return {
    ip: o.ip,
    spec,
    stdout,
    stderr,
    result,
    get container(): RunningContainer {
      if (!result.ok) throw new Error(`container did not start: ${result.reason}: ${result.message}`);
      return result.container;
    },
  };
}

/** A runtime for tests (pass the real tool host for busybox/curl). */
export function testRuntime(opts: RuntimeOptions = {}): ContainerRuntime {
  return new ContainerRuntime({ execId: () => 'e'.repeat(64), ...opts });
}

export interface HttpResult {
  readonly status: number;
  readonly statusMessage: string;
  readonly headers: http.IncomingHttpHeaders;
  /** Header names and values as received, in order. */
  readonly rawHeaders: ReadonlyArray<string>;
  readonly body: string;
}

/** One HTTP request from `srcIp` to ip:port over the virtual network. */
export function httpRequest(
  net: PodNetwork,
  srcIp: string,
  ip: string,
  port: number,
  path = '/',
  opts: { readonly method?: string; readonly headers?: Readonly<Record<string, string>>; readonly body?: string; readonly timeoutMs?: number } = {},
): Promise<HttpResult> {
  const agent = new VirtualHttpAgent(net, { srcIp, ...(opts.timeoutMs !== undefined ? { connectTimeoutMs: opts.timeoutMs } : {}) });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: ip, port, path, method: opts.method ?? 'GET', agent, headers: opts.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        agent.destroy();
        resolve({
          status: res.statusCode ?? 0,
          statusMessage: res.statusMessage ?? '',
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', reject);
    });
    req.on('error', (e) => {
      agent.destroy();
      reject(e);
    });
    req.end(opts.body);
  });
}

/**
 * Sends raw request bytes from `srcIp` and resolves with everything the
 * server sent until it closed or `idleMs` passed without data.
 */
export async function rawExchange(net: PodNetwork, srcIp: string, ip: string, port: number, request: string, idleMs = 200): Promise<string> {
  const socket = await net.connect({ srcIp, dstIp: ip, dstPort: port });
  return new Promise((resolve) => {
    let out = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (timer) clearTimeout(timer);
      socket.destroy();
      resolve(out);
    };
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(finish, idleMs);
    };
    socket.on('data', (c: Buffer) => {
      out += c.toString('latin1');
      arm();
    });
    socket.on('end', finish);
    socket.on('error', finish);
    socket.write(request);
    arm();
  });
}

/** Waits (polling briefly) until `capture` contains `text`; fails after `maxMs`. */
export async function waitForText(capture: CaptureWritable, text: string | RegExp, maxMs = 2000): Promise<void> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const t = capture.text();
    if (typeof text === 'string' ? t.includes(text) : text.test(t)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(text)} in:\n${t}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Waits until the container listens on `port`. */
export async function waitListening(c: RunningContainer, port: number, protocol: 'TCP' | 'UDP' = 'TCP', maxMs = 2000): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!c.isListening(port, protocol)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${protocol} ${port}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Cluster DNS at 10.96.0.10:53 on the virtual network, answering from `records` (fully qualified names). */
export function serveClusterDns(net: PodNetwork, records: Readonly<Record<string, FakeRecords>>): FakeDns {
  const dns = fakeDns(records);
  net.registerAddress('10.96.0.10', { kind: 'pod', namespace: 'kube-system', name: 'coredns' });
  net.bindUdp('10.96.0.10', 53, (msg, rinfo, reply) => {
    void Promise.resolve(dns.responder(msg, rinfo.address)).then((answer) => {
      if (answer) reply(answer);
    });
  });
  return dns;
}
