/**
 * @module cli/lab/exec
 * Runs the programs a lab uses (kubectl, curl, kwire itself) as child processes,
 * in a given folder and environment, collecting their output and how long they
 * took; and shows a command line the way a person would type it.
 */
import { spawn } from 'node:child_process';

export interface RunResult {
  /** The exit code; 127 when the program is not installed, -1 when killed. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr interleaved as they arrived, as a terminal shows them. */
  readonly output: string;
  /** Wall-clock milliseconds. */
  readonly ms: number;
}

export interface ExecOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly input?: string;
  /** Killed after this long (default 60 s); the result then has code -1 and says so in stderr. */
  readonly timeoutMs?: number;
}

/** Runs `program args...`; never rejects (a missing program gives code 127). */
export function exec(program: string, args: ReadonlyArray<string>, opts: ExecOptions = {}): Promise<RunResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(program, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let output = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      output += d.toString();
    });
    const limit = opts.timeoutMs ?? 60_000;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, limit);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const missing = e.code === 'ENOENT';
      const why = missing ? `${program}: command not found\n` : `${program}: ${e.message}\n`;
      resolve({ code: missing ? 127 : -1, stdout, stderr: stderr + why, output: output + why, ms: Date.now() - t0 });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const why = killed ? `(killed after ${Math.round(limit / 1000)} s)\n` : '';
      resolve({ code: killed ? -1 : code ?? -1, stdout, stderr: stderr + why, output: output + why, ms: Date.now() - t0 });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument as a POSIX shell would need it written. */
export function shellQuote(arg: string): string {
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A command line as a person types it. */
export function commandLine(program: string, args: ReadonlyArray<string>): string {
  return [program, ...args].map(shellQuote).join(' ');
}
