/**
 * @module workloads/tty
 *
 * The terminal line discipline for tty sessions (kubectl exec -t / run -t),
 * which in a real pod the kernel's pty and busybox's line editor provide:
 *
 * ```
 *   raw stdin bytes ──> Terminal ──edit mode──> readLine(): the shell's prompt line
 *                           │                  (echo, backspace, ←/→, ↑/↓ history,
 *                           │                   Ctrl-C, Ctrl-D, Ctrl-U, Ctrl-W)
 *                           └──cooked mode──> a foreground program's stdin
 *                                              (echo, line buffering, Ctrl-C -> SIGINT,
 *                                               Ctrl-D -> EOF)
 *   program output "\n" ──onlcr()──> "\r\n" on the terminal
 * ```
 *
 * Not emulated: job control (Ctrl-Z), tab completion, terminal resizing.
 */
import { PassThrough, Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import type { ProcessContext } from './process.js';
import { put } from './streams.js';

/** Wraps a terminal output so "\n" leaves as "\r\n" (termios ONLCR). Never ends the target. */
export function onlcr(target: Writable): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      const s = Buffer.isBuffer(chunk) ? chunk.toString('latin1') : Buffer.from(chunk).toString('latin1');
      put(target, Buffer.from(s.replace(/\n/g, '\r\n'), 'latin1'));
      cb();
    },
  });
}

/** What readLine() got. */
export type LineResult =
  | { readonly kind: 'line'; readonly text: string }
  | { readonly kind: 'eof' }
  | { readonly kind: 'interrupt' };

/** A foreground program's side of the terminal while it runs. */
export interface ForegroundSession {
  /** Cooked input: whole lines (with "\n") as the user presses Enter; ends on Ctrl-D. */
  readonly stdin: Readable;
  /** Aborts with reason "SIGINT" when the user presses Ctrl-C. */
  readonly interrupt: AbortSignal;
  /** Gives the terminal back (call when the program has exited). */
  end(): void;
}

const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_U = 0x15;
const CTRL_W = 0x17;
const BS = 0x08;
const DEL = 0x7f;
const ESC = 0x1b;

/**
 * One terminal: consumes the raw input stream and writes echo/edits to the
 * raw output. Input typed while nobody reads is kept (type-ahead).
 */
export class Terminal {
  private pending: number[] = [];
  private closed = false;
  private wake: (() => void) | undefined;
  /** Foreground sessions, innermost last (a shell run from a shell nests). */
  private fgStack: Array<{ sink: PassThrough; ctl: AbortController; line: number[] }> = [];
  /** readLine() calls in progress: while editing, typed bytes belong to the line editor. */
  private editing = 0;

  /**
   * @param input raw terminal bytes
   * @param rawOut the terminal output, written as is (callers wrap programs' output with onlcr()).
   */
  constructor(
    input: Readable,
    private readonly rawOut: Writable,
  ) {
    input.on('data', (c: Buffer | string) => {
      const b = Buffer.isBuffer(c) ? c : Buffer.from(c);
      for (const byte of b) this.pending.push(byte);
      this.pump();
    });
    const onEnd = (): void => {
      this.closed = true;
      this.pump();
    };
    input.once('end', onEnd);
    input.once('close', onEnd);
  }

  /** True once the input ended and all typed bytes were consumed. */
  get atEof(): boolean {
    return this.closed && this.pending.length === 0;
  }

  /** Echoes a byte string (one char per byte, latin1), so multi-byte UTF-8 input echoes unchanged. */
  private echo(s: string): void {
    put(this.rawOut, Buffer.from(s, 'latin1'));
  }

  private get fg(): { sink: PassThrough; ctl: AbortController; line: number[] } | undefined {
    return this.fgStack[this.fgStack.length - 1];
  }

  private pump(): void {
    if (this.fg && this.editing === 0) this.pumpCooked();
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private pumpCooked(): void {
    const fg = this.fg;
    if (!fg) return;
    while (this.pending.length) {
      const b = this.pending.shift() as number;
      if (b === CTRL_C) {
        this.echo('^C');
        fg.line = [];
        fg.ctl.abort('SIGINT');
      } else if (b === CTRL_D) {
        if (fg.line.length) {
          fg.sink.write(Buffer.from(fg.line));
          fg.line = [];
        } else {
          fg.sink.end();
        }
      } else if (b === 0x0d || b === 0x0a) {
        this.echo('\r\n');
        fg.line.push(0x0a);
        if (!fg.sink.writableEnded) fg.sink.write(Buffer.from(fg.line));
        fg.line = [];
      } else if (b === DEL || b === BS) {
        if (fg.line.length) {
          fg.line.pop();
          this.echo('\b \b');
        }
      } else if (b === CTRL_U) {
        this.echo('\b \b'.repeat(fg.line.length));
        fg.line = [];
      } else {
        fg.line.push(b);
        this.echo(Buffer.from([b]).toString('latin1'));
      }
    }
    if (this.closed && !fg.sink.writableEnded) fg.sink.end();
  }

  /** Hands the terminal to a foreground program (cooked mode) until end(). */
  startForeground(): ForegroundSession {
    const sink = new PassThrough();
    const ctl = new AbortController();
    const fg = { sink, ctl, line: [] as number[] };
    this.fgStack.push(fg);
    queueMicrotask(() => this.pump());
    return {
      stdin: sink,
      interrupt: ctl.signal,
      end: () => {
        this.fgStack = this.fgStack.filter((x) => x !== fg);
        if (!sink.writableEnded) sink.end();
      },
    };
  }

  private async nextByte(signal?: AbortSignal): Promise<number | undefined> {
    for (;;) {
      const b = this.pending.shift();
      if (b !== undefined) return b;
      if (this.closed || signal?.aborted) return undefined;
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve();
        this.wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }

  /**
   * Edit mode: prints `prompt`, lets the user edit one line, returns it.
   * `history` is read for ↑/↓ (oldest first); the caller appends entries.
   */
  async readLine(prompt: string, history: ReadonlyArray<string> = [], signal?: AbortSignal): Promise<LineResult> {
    this.editing++;
    try {
      return await this.editLine(prompt, history, signal);
    } finally {
      this.editing--;
    }
  }

  private async editLine(prompt: string, history: ReadonlyArray<string>, signal?: AbortSignal): Promise<LineResult> {
    put(this.rawOut, prompt);
    const toBytes = (t: string): string[] => [...Buffer.from(t, 'utf8').toString('latin1')];
    const fromBytes = (l: string[]): string => Buffer.from(l.join(''), 'latin1').toString('utf8');
    let line: string[] = [];
    let cursor = 0;
    let histIdx = history.length;
    let saved: string[] = [];
    const replaceLine = (next: string[]): void => {
      // move to the line end, erase everything, print the new text
      this.echo(line.slice(cursor).join(''));
      this.echo('\b \b'.repeat(line.length));
      line = next;
      cursor = next.length;
      this.echo(next.join(''));
    };
    for (;;) {
      const b = await this.nextByte(signal);
      if (b === undefined) return { kind: 'eof' };
      if (b === 0x0d || b === 0x0a) {
        this.echo('\r\n');
        return { kind: 'line', text: fromBytes(line) };
      }
      if (b === CTRL_C) {
        this.echo('^C\r\n');
        return { kind: 'interrupt' };
      }
      if (b === CTRL_D) {
        if (line.length === 0) return { kind: 'eof' };
        if (cursor < line.length) {
          line.splice(cursor, 1);
          const tail = line.slice(cursor).join('');
          this.echo(`${tail} ${'\b'.repeat(tail.length + 1)}`);
        }
        continue;
      }
      if (b === DEL || b === BS) {
        if (cursor > 0) {
          // remove one character: a UTF-8 lead byte and its continuation bytes
          let start = cursor - 1;
          while (start > 0 && ((line[start] ?? '').charCodeAt(0) & 0xc0) === 0x80) start--;
          line.splice(start, cursor - start);
          cursor = start;
          const tail = line.slice(cursor).join('');
          this.echo(`\b${tail} ${'\b'.repeat(tail.length + 1)}`);
        }
        continue;
      }
      if (b === CTRL_U) {
        replaceLine(line.slice(cursor));
        // cursor at the end of the kept tail; move it to the start like readline
        this.echo('\b'.repeat(line.length));
        cursor = 0;
        continue;
      }
      if (b === CTRL_W) {
        let start = cursor;
        while (start > 0 && line[start - 1] === ' ') start--;
        while (start > 0 && line[start - 1] !== ' ') start--;
        const next = [...line.slice(0, start), ...line.slice(cursor)];
        const tailLen = line.length - cursor;
        replaceLine(next);
        this.echo('\b'.repeat(tailLen));
        cursor = start;
        continue;
      }
      if (b === ESC) {
        const b1 = await this.nextByte(signal);
        if (b1 !== 0x5b && b1 !== 0x4f) continue;
        let b2 = await this.nextByte(signal);
        // consume parameters like "1;5" of CSI sequences
        while (b2 !== undefined && ((b2 >= 0x30 && b2 <= 0x39) || b2 === 0x3b)) {
          const digit = b2;
          b2 = await this.nextByte(signal);
          if (digit === 0x33 && b2 === 0x7e && cursor < line.length) {
            // Delete key (ESC [ 3 ~)
            line.splice(cursor, 1);
            const tail = line.slice(cursor).join('');
            this.echo(`${tail} ${'\b'.repeat(tail.length + 1)}`);
            b2 = undefined;
            break;
          }
        }
        if (b2 === 0x41) {
          // up
          if (histIdx > 0) {
            if (histIdx === history.length) saved = line;
            histIdx--;
            replaceLine(toBytes(history[histIdx] ?? ''));
          }
        } else if (b2 === 0x42) {
          // down
          if (histIdx < history.length) {
            histIdx++;
            replaceLine(histIdx === history.length ? saved : toBytes(history[histIdx] ?? ''));
          }
        } else if (b2 === 0x43) {
          // right
          if (cursor < line.length) {
            this.echo(line[cursor] ?? '');
            cursor++;
          }
        } else if (b2 === 0x44) {
          // left
          if (cursor > 0) {
            this.echo('\b');
            cursor--;
          }
        } else if (b2 === 0x48) {
          this.echo('\b'.repeat(cursor));
          cursor = 0;
        } else if (b2 === 0x46) {
          this.echo(line.slice(cursor).join(''));
          cursor = line.length;
        }
        continue;
      }
      if (b === 0x09 || b < 0x20) continue; // tab completion and other controls: ignored
      const ch = Buffer.from([b]).toString('latin1');
      line.splice(cursor, 0, ch);
      cursor++;
      const tail = line.slice(cursor).join('');
      this.echo(ch + tail + '\b'.repeat(tail.length));
    }
  }
}

const terminals = new WeakMap<ProcessContext, Terminal>();

/**
 * Puts a line discipline between a tty context's raw streams and a program:
 * returns a context whose stdout/stderr translate "\n" to "\r\n" and a
 * Terminal reading the raw keystrokes (registered, so terminalOf() finds it).
 * A non-tty context comes back unchanged, without a Terminal.
 */
export function attachTerminal(ctx: ProcessContext): { readonly ctx: ProcessContext; readonly terminal?: Terminal } {
  if (!ctx.tty) return { ctx };
  const existing = terminals.get(ctx);
  if (existing) return { ctx, terminal: existing };
  const terminal = new Terminal(ctx.stdin, ctx.stdout);
  const stdout = onlcr(ctx.stdout);
  const stderr = ctx.stderr === ctx.stdout ? stdout : onlcr(ctx.stderr);
  const wrapped: ProcessContext = { ...ctx, stdout, stderr };
  terminals.set(wrapped, terminal);
  return { ctx: wrapped, terminal };
}

/** Makes `ctx` share `terminal` (a program started from a shell on that terminal, e.g. a nested sh). */
export function registerTerminal(ctx: ProcessContext, terminal: Terminal): void {
  terminals.set(ctx, terminal);
}

/** The Terminal attached to a context by attachTerminal(), if any. */
export function terminalOf(ctx: ProcessContext): Terminal | undefined {
  return terminals.get(ctx);
}
