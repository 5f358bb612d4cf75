/**
 * @module workloads/testing/fake-context
 *
 * Builds a ProcessContext for tests: captured stdout/stderr, a writable
 * stdin, a pod-like file system (kubelet files + the busybox image's
 * /etc/passwd), the FakeNetwork and a FakeClock. Also the standard lab
 * cluster used by the tests: namespace networking-lab, cluster DNS at
 * 10.96.0.10 answering for backend-clusterip at 10.96.12.34.
 */
import { PassThrough } from 'node:stream';
import http from 'node:http';
import { createFileMap } from '../fs.js';
import { BUSYBOX_IMAGE_FILES, kubeletFiles } from '../pod-files.js';
import type { FileMap, Libc, ProcessContext } from '../process.js';
import { CaptureWritable } from '../streams.js';
import { FakeClock } from './fake-clock.js';
import type { FakeDns, FakeRecords } from './fake-dns.js';
import { fakeDns } from './fake-dns.js';
import { FakeNetwork } from './fake-net.js';

export interface FakeProcess {
  readonly ctx: ProcessContext;
  readonly stdin: PassThrough;
  readonly stdout: CaptureWritable;
  readonly stderr: CaptureWritable;
  /** Sends a signal (aborts ctx.signal with that reason). */
  kill(signal?: string): void;
}

export interface FakeProcessOptions {
  readonly net: FakeNetwork;
  readonly clock: FakeClock;
  readonly files?: FileMap;
  readonly tty?: boolean;
  readonly env?: Record<string, string>;
  readonly cwd?: string;
  readonly hostname?: string;
  readonly podIp?: string;
  readonly libc?: Libc;
  readonly uid?: number;
  readonly gid?: number;
  /** Text already typed on stdin; stdin is ended after it unless `keepStdinOpen`. */
  readonly input?: string;
  readonly keepStdinOpen?: boolean;
}

/** Makes one process context over the fakes. */
export function fakeProcess(o: FakeProcessOptions): FakeProcess {
  const stdin = new PassThrough();
  const stdout = new CaptureWritable();
  const stderr = new CaptureWritable();
  const ctl = new AbortController();
  const hostname = o.hostname ?? 'test-pod';
  const podIp = o.podIp ?? '10.244.1.5';
  const files =
    o.files ??
    createFileMap({ ...BUSYBOX_IMAGE_FILES, ...kubeletFiles({ podIp, hostname, namespace: 'networking-lab' }) });
  if (o.input !== undefined) stdin.write(o.input);
  if (!o.keepStdinOpen) stdin.end();
  const ctx: ProcessContext = {
    stdin,
    stdout,
    stderr: o.tty ? stdout : stderr,
    tty: o.tty ?? false,
    env: {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOSTNAME: hostname,
      HOME: '/root',
      ...(o.tty ? { TERM: 'xterm' } : {}),
      ...o.env,
    },
    cwd: o.cwd ?? '/',
    hostname,
    uid: o.uid ?? 0,
    gid: o.gid ?? 0,
    libc: o.libc ?? 'musl',
    files,
    net: o.net.netFor(podIp),
    signal: ctl.signal,
    clock: o.clock,
  };
  return { ctx, stdin, stdout, stderr, kill: (signal = 'SIGTERM') => ctl.abort(signal) };
}

export const LAB = {
  namespace: 'networking-lab',
  dnsIp: '10.96.0.10',
  backendVip: '10.96.12.34',
  backendFqdn: 'backend-clusterip.networking-lab.svc.cluster.local',
  frontendVip: '10.96.40.7',
  podIp: '10.244.1.5',
} as const;

export interface LabCluster {
  readonly clock: FakeClock;
  readonly net: FakeNetwork;
  readonly dns: FakeDns;
  /** Requests the backend received: "METHOD URL". */
  readonly backendRequests: string[];
  proc(o?: Partial<FakeProcessOptions>): FakeProcess;
}

/** The networking lab as the tests see it: DNS, the backend Service answering http-echo style. */
export function labCluster(extraRecords: Readonly<Record<string, FakeRecords>> = {}): LabCluster {
  const clock = new FakeClock();
  const net = new FakeNetwork(clock);
  const dns = fakeDns({
    [LAB.backendFqdn]: { A: [LAB.backendVip] },
    'frontend-service.networking-lab.svc.cluster.local': { A: [LAB.frontendVip] },
    'kubernetes.default.svc.cluster.local': { A: ['10.96.0.1'] },
    'kube-dns.kube-system.svc.cluster.local': { A: [LAB.dnsIp] },
    ...extraRecords,
  });
  net.listenUdp(LAB.dnsIp, 53, dns.responder);
  const backendRequests: string[] = [];
  let n = 0;
  const backend = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    backendRequests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    const pod = ['backend-7d4b9c-x2x9k', 'backend-7d4b9c-mq8zt', 'backend-7d4b9c-p4lsw'][n++ % 3] ?? '';
    if (req.url === '/missing') {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found\n');
      return;
    }
    if (req.url === '/old') {
      res.writeHead(301, { Location: '/new', 'Content-Type': 'text/plain' });
      res.end('moved\n');
      return;
    }
    const body = `Hello from Backend Pod: ${pod}\n`;
    res.writeHead(200, { 'X-App-Name': 'http-echo', 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  net.listenHttp(LAB.backendVip, 80, backend);
  return {
    clock,
    net,
    dns,
    backendRequests,
    proc: (o = {}) => fakeProcess({ net, clock, podIp: LAB.podIp, ...o }),
  };
}
