/**
 * @module workloads/busybox/input
 *
 * Reading an applet's inputs: named files from the FileMap ("-" meaning
 * stdin) or stdin when none are named, with busybox's "can't open" wording.
 */
import type { ProcessContext } from '../process.js';
import { resolvePath } from '../fs.js';
import { readAll } from '../streams.js';

export type InputResult = { readonly ok: true; readonly name: string; readonly data: Buffer } | { readonly ok: false; readonly name: string; readonly reason: string };

/** Reads one input: "-" is stdin, anything else a file relative to cwd. */
export async function readInput(ctx: ProcessContext, name: string): Promise<InputResult> {
  if (name === '-') return { ok: true, name, data: await readAll(ctx.stdin, ctx.signal).catch(() => Buffer.alloc(0)) };
  const path = resolvePath(ctx.cwd, name);
  try {
    const kind = ctx.files.stat(path);
    if (kind === 'dir') return { ok: false, name, reason: 'Is a directory' };
    const data = ctx.files.read(path);
    if (!data) return { ok: false, name, reason: 'No such file or directory' };
    return { ok: true, name, data };
  } catch (e) {
    return { ok: false, name, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** The inputs named by `operands`, or stdin when there are none. */
export async function readInputs(ctx: ProcessContext, operands: ReadonlyArray<string>): Promise<InputResult[]> {
  const names = operands.length ? operands : ['-'];
  const out: InputResult[] = [];
  for (const n of names) out.push(await readInput(ctx, n));
  return out;
}

/**
 * Feeds stdin to `onChunk` as it arrives, until EOF, the signal, or
 * `onChunk` returning false (the applet has what it needs; the rest stays
 * unread, as when head exits early).
 */
export function streamStdin(ctx: ProcessContext, onChunk: (c: Buffer) => boolean | void): Promise<void> {
  return new Promise((resolve) => {
    const stdin = ctx.stdin;
    const done = (): void => {
      stdin.off('data', onData);
      stdin.off('end', done);
      stdin.off('close', done);
      ctx.signal.removeEventListener('abort', done);
      stdin.pause();
      resolve();
    };
    const onData = (c: Buffer | string): void => {
      if (onChunk(Buffer.isBuffer(c) ? c : Buffer.from(c)) === false) done();
    };
    if (stdin.readableEnded || ctx.signal.aborted) {
      resolve();
      return;
    }
    stdin.on('data', onData);
    stdin.once('end', done);
    stdin.once('close', done);
    ctx.signal.addEventListener('abort', done, { once: true });
  });
}

/** Splits text into lines, keeping whether the last one had a newline. */
export function splitLines(text: string): { lines: string[]; trailingNewline: boolean } {
  if (text === '') return { lines: [], trailingNewline: false };
  const trailingNewline = text.endsWith('\n');
  const lines = (trailingNewline ? text.slice(0, -1) : text).split('\n');
  return { lines, trailingNewline };
}
