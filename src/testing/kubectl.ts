/**
 * @module testing/kubectl
 * Finds and runs the real kubectl binaries for end-to-end tests: the `kubectl` on
 * PATH (a dispatcher that picks the client matching the server's minor) and the
 * versioned `kubectl.1.27` ... `kubectl.1.33` that sit beside it. A missing binary
 * fails with a clear message instead of a skipped test.
 */
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, delimiter } from 'node:path';

function onPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const p = join(dir, name);
    if (dir && existsSync(p)) return p;
  }
  return undefined;
}

/** The kubectl binary: "kubectl" (PATH) or a version "1.27" ... "1.33". */
export function kubectlBinary(version?: string): string {
  const base = onPath('kubectl');
  if (!base) throw new Error('kubectl is not on PATH: install it (the Cloud SDK kubectl package provides kubectl and kubectl.1.27 ... kubectl.1.33)');
  if (!version) return base;
  const name = `kubectl.${version}`;
  const direct = onPath(name);
  if (direct) return direct;
  const beside = join(dirname(realpathSync(base)), name);
  if (existsSync(beside)) return beside;
  throw new Error(`${name} was not found on PATH or beside ${realpathSync(base)}; the end-to-end tests need it`);
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(cmd: string, args: ReadonlyArray<string>, opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 60_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    // A command that exits without reading its stdin makes this write fail with EPIPE:
    // not an error of the test (its exit status says what happened).
    child.stdin.on('error', () => {});
    child.stdin.end(opts.input ?? '');
  });
}
