/**
 * Helpers for the "pods that run" end-to-end tests (test/e2e/workloads-*.test.ts):
 * long-running kubectl processes read as their output comes (port-forward, logs -f),
 * kubectl inside a real pseudo-terminal (util-linux `script`) typed into over time,
 * and the lab's backend/frontend Deployments brought up and waited for.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import type { TestCluster } from '../../src/testing/test-cluster.js';
import { kubectlBinary } from '../../src/testing/kubectl.js';
import { labFile, waitFor } from './lab-scenario.js';

export { waitFor };

export const NS = ['-n', 'networking-lab'] as const;

/** The kubectl flavours the stream tests run with: PATH (the dispatcher: 1.31 for this server), SPDY 1.27, WebSocket 1.33. */
export const KUBECTLS: ReadonlyArray<string | undefined> = [undefined, '1.27', '1.33'];

export function label(version: string | undefined): string {
  return version ? `kubectl ${version}` : 'kubectl (PATH)';
}

function kubectlCommand(c: TestCluster, version: string | undefined, args: ReadonlyArray<string>): { cmd: string; args: string[]; env: NodeJS.ProcessEnv } {
  return {
    cmd: kubectlBinary(version),
    args: [`--cache-dir=${join(c.dir, 'kube-cache', version ?? 'path')}`, ...args],
    env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: c.dir, SHELL: '/bin/sh' },
  };
}

/** A process whose output is read as it comes. */
export interface LiveProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `re` in stdout (+ stderr with `both`), or rejects after `ms`. */
  waitFor(re: RegExp, ms?: number, both?: boolean): Promise<RegExpExecArray>;
  write(s: string): void;
  /** The exit code (null after a signal). */
  readonly exited: Promise<number | null>;
  /** SIGTERM (SIGKILL after 3 s); resolves with the exit code. */
  stop(): Promise<number | null>;
}

function live(cmd: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv): LiveProcess {
  const child = spawn(cmd, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const poke = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    poke();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    poke();
  });
  child.stdin.on('error', () => {});
  let code: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (c) => {
      code = c;
      poke();
      resolve(c);
    }),
  );
  const describe = () => `${cmd} ${args.join(' ')}\nstdout: ${JSON.stringify(out)}\nstderr: ${JSON.stringify(err)}`;
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    waitFor(re, ms = 15_000, both = false) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(both ? out + err : out);
          if (m) {
            done();
            resolve(m);
          } else if (code !== undefined) {
            done();
            reject(new Error(`exited (${code}) before ${re} was seen: ${describe()}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`${re} not seen within ${ms} ms: ${describe()}`));
        }, ms);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    write(s) {
      child.stdin.write(s);
    },
    exited,
    async stop() {
      if (code !== undefined) return code;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      const c = await exited;
      clearTimeout(t);
      return c;
    },
  };
}

/** kubectl with its output read as it comes (port-forward, logs -f). */
export function kubectlLive(c: TestCluster, version: string | undefined, args: ReadonlyArray<string>): LiveProcess {
  const k = kubectlCommand(c, version, args);
  return live(k.cmd, k.args, k.env);
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * kubectl on a real pseudo-terminal: `script -q -e -E never -c "kubectl ..." /dev/null`
 * (util-linux). What is written goes to the terminal as typed keys (end lines with
 * "\r", as a terminal sends Enter); stdout is what the terminal shows. `-e` passes on
 * kubectl's exit status; `-E never` keeps the terminal from echoing before kubectl
 * puts it in raw mode (the remote shell echoes, as on a real cluster).
 */
export function kubectlPty(c: TestCluster, version: string | undefined, args: ReadonlyArray<string>): LiveProcess {
  const k = kubectlCommand(c, version, args);
  const line = [k.cmd, ...k.args].map(shellQuote).join(' ');
  return live('script', ['-q', '-e', '-E', 'never', '-c', line, '/dev/null'], k.env);
}

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string; labels?: Record<string, string> };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; conditions?: Array<{ type: string; status: string }> };
}

export async function podsOf(c: TestCluster, selector: string): Promise<PodJson[]> {
  const out = await c.kubectlOk(['get', 'pods', ...NS, '-l', selector, '-o', 'json']);
  return (JSON.parse(out) as { items: PodJson[] }).items;
}

export function isReady(p: PodJson): boolean {
  return !p.metadata.deletionTimestamp && !!p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
}

/** Waits until exactly `n` pods match, all ready; returns them. */
export function readyPods(c: TestCluster, selector: string, n: number, ms = 30_000): Promise<PodJson[]> {
  return waitFor(
    `${n} ready ${selector} pods`,
    async () => {
      const pods = await podsOf(c, selector);
      return pods.length === n && pods.every(isReady) ? pods : undefined;
    },
    ms,
  );
}

/** The lab's namespace, backend Deployment (http-echo on 8080) and ClusterIP Service, and nginx:1.21 frontend. */
export async function startLabWorkloads(c: TestCluster, opts: { frontend?: boolean; service?: boolean } = {}): Promise<{ backends: PodJson[] }> {
  await c.kubectlOk(['create', 'namespace', 'networking-lab']);
  const files = [labFile('backend-deployment.yaml')];
  if (opts.service) files.push(labFile('clusterip-service.yaml'));
  if (opts.frontend) files.push(labFile('frontend-deployment.yaml'));
  await c.kubectlOk(['apply', ...files.flatMap((f) => ['-f', f])]);
  const backends = await readyPods(c, 'app=backend', 3);
  if (opts.frontend) await readyPods(c, 'app=frontend', 2);
  return { backends };
}

/** Waits until `kubectl get pod name` says NotFound. */
export async function podGone(c: TestCluster, name: string, ms = 15_000): Promise<void> {
  await waitFor(
    `pod ${name} to be gone`,
    async () => {
      const r = await c.kubectl(['get', 'pod', name, ...NS]);
      return r.code !== 0 && r.stderr.includes(`pods "${name}" not found`) ? true : undefined;
    },
    ms,
  );
}
