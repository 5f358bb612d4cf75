/**
 * @module apiserver/streams/test-backend
 * Test-only: a fake `StreamBackend`. Exec understands a few commands (`echo`, `cat`,
 * `sh -c '<echo …[>&2]; exit N>'`, `bytes N`, `size`, `boom`, `wait`), attach greets
 * and echoes stdin, port-forward dials a real 127.0.0.1 TCP port per pod port, and
 * logs serve a fixed history plus a live feed the test pushes to and ends.
 */
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { KObject } from '../../store/store.js';
import type { AttachRequest, ExecRequest, ExecResult, LogEntry, LogRequest, LogSource, StreamBackend, StreamSession } from './backend.js';

/** A live log feed: `push()` lines, `end()` when the container stops. */
export class LiveLog implements AsyncIterable<LogEntry> {
  private readonly queue: LogEntry[] = [];
  private waiter: ((r: IteratorResult<LogEntry>) => void) | undefined;
  private ended = false;
  /** How many iterators were closed by the consumer (client went away). */
  returned = 0;
  subscribers = 0;

  push(data: string): void {
    const e: LogEntry = { time: new Date(), data };
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: e, done: false });
    } else this.queue.push(e);
  }

  end(): void {
    this.ended = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<LogEntry> {
    this.subscribers++;
    return {
      next: () => {
        const e = this.queue.shift();
        if (e) return Promise.resolve({ value: e, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => (this.waiter = resolve));
      },
      return: () => {
        this.returned++;
        if (this.waiter) {
          const w = this.waiter;
          this.waiter = undefined;
          w({ value: undefined, done: true });
        }
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}

function write(w: NodeJS.WritableStream | undefined, s: string | Buffer): void {
  w?.write(s);
}

/** A tiny `sh -c` for scripts like `echo hi; echo err >&2; exit 3`. */
function runScript(script: string, session: StreamSession): number {
  for (const raw of script.split(';')) {
    const part = raw.trim();
    if (part === '') continue;
    const exit = /^exit\s+(\d+)$/.exec(part);
    if (exit) return Number(exit[1]);
    const echo = /^echo\s+(.*?)(\s*>&2)?$/.exec(part);
    if (echo) {
      const text = echo[1]!.replace(/^['"]|['"]$/g, '') + '\n';
      write(echo[2] ? (session.stderr ?? session.stdout) : session.stdout, text);
      continue;
    }
    write(session.stderr ?? session.stdout, `sh: ${part.split(' ')[0]}: not found\n`);
    return 127;
  }
  return 0;
}

function readAll(r: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  return new Promise((resolve) => {
    if (!r) return resolve(Buffer.alloc(0));
    const chunks: Buffer[] = [];
    r.on('data', (c: Buffer) => chunks.push(c));
    r.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

export interface FakeBackendOptions {
  /** pod port -> local TCP port to dial (others are dialled on a closed port: ECONNREFUSED). */
  readonly ports: Record<number, number>;
  /** container -> log history lines (each "line\n"), stamped 1 s apart ending now. */
  readonly logs?: Record<string, string[]>;
  /** container -> live feed for follow. */
  readonly live?: Record<string, LiveLog>;
  /** A local port that refuses connections. */
  readonly closedPort: number;
}

export class FakeBackend implements StreamBackend {
  readonly execs: ExecRequest[] = [];
  readonly attaches: AttachRequest[] = [];
  readonly aborted: string[] = [];
  constructor(private readonly opts: FakeBackendOptions) {}

  async exec(_pod: Readonly<KObject>, req: ExecRequest, session: StreamSession): Promise<ExecResult> {
    this.execs.push(req);
    const [cmd, ...args] = req.command;
    session.signal.addEventListener('abort', () => this.aborted.push(req.command.join(' ')));
    switch (cmd) {
      case 'echo':
        write(session.stdout, args.join(' ') + '\n');
        return { exitCode: 0 };
      case 'sh':
        return { exitCode: args[0] === '-c' ? runScript(args.slice(1).join(' '), session) : 2 };
      case 'cat': {
        const input = await readAll(session.stdin);
        write(session.stdout, input);
        return { exitCode: 0 };
      }
      case 'bytes': {
        const n = Number(args[0] ?? '0');
        const chunk = Buffer.alloc(64 * 1024, 'x');
        for (let sent = 0; sent < n; sent += chunk.length) write(session.stdout, chunk.subarray(0, Math.min(chunk.length, n - sent)));
        return { exitCode: 0 };
      }
      case 'size': {
        // Reports the terminal: tty flag and the first size received (or none within 2 s).
        const size = await new Promise<string>((resolve) => {
          const t = setTimeout(() => resolve('none'), 2000);
          session.onResize((s) => {
            clearTimeout(t);
            resolve(`${s.width}x${s.height}`);
          });
        });
        write(session.stdout, `tty=${session.tty} size=${size}\r\n`);
        return { exitCode: 0 };
      }
      case 'boom':
        throw new Error('runtime exploded');
      case 'wait':
        await new Promise<void>((resolve) => session.signal.addEventListener('abort', () => resolve()));
        return { exitCode: 137 };
      default:
        write(session.stderr ?? session.stdout, `exec: "${cmd ?? ''}": executable file not found in $PATH\n`);
        return { exitCode: 127 };
    }
  }

  async attach(_pod: Readonly<KObject>, req: AttachRequest, session: StreamSession): Promise<void> {
    this.attaches.push(req);
    write(session.stdout, `attached to ${req.container}\n`);
    if (session.stdin) {
      const input = await readAll(session.stdin);
      write(session.stdout, `got: ${input.toString()}`);
    }
  }

  portForward(_pod: Readonly<KObject>, port: number, signal: AbortSignal): Promise<Duplex> {
    const local = this.opts.ports[port] ?? this.opts.closedPort;
    return new Promise((resolve, reject) => {
      const s = connect(local, '127.0.0.1');
      const onAbort = () => s.destroy();
      signal.addEventListener('abort', onAbort);
      s.once('connect', () => resolve(s));
      s.once('error', (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      });
    });
  }

  /** Signals of every logs() call, to check that a departing client aborts them. */
  readonly logSignals: AbortSignal[] = [];

  logs(_pod: Readonly<KObject>, req: LogRequest): LogSource {
    this.logSignals.push(req.signal);
    const lines = this.opts.logs?.[req.container] ?? [];
    const now = Date.now();
    const history = lines.map((data, i) => ({ time: new Date(now - (lines.length - i) * 1000), data }));
    const live = req.follow ? this.opts.live?.[req.container] : undefined;
    return live ? { history, live } : { history };
  }
}
