/**
 * @module workloads/streams
 *
 * Small stream helpers shared by the programs: writing text without caring
 * whether the peer went away, reading a whole input, sinks that discard,
 * capture or land in a FileMap file, and forwarders that never end the stream
 * they forward to (a program's stdout is not the program's to close).
 */
import { PassThrough, Readable, Writable } from 'node:stream';
import type { FileMap } from './process.js';
import { abortError } from './process.js';

/** Writes text or bytes; silently drops them when the stream is gone (EPIPE-like). */
export function put(w: Writable, data: string | Buffer): void {
  if (w.destroyed || w.writableEnded) return;
  try {
    w.write(data);
  } catch {
    /* the reader went away */
  }
}

/** A Readable that is already at EOF. */
export function emptyReadable(): Readable {
  return Readable.from([]);
}

/** A Readable with the given bytes, then EOF. */
export function readableOf(data: Buffer | string): Readable {
  const r = new PassThrough();
  r.end(typeof data === 'string' ? Buffer.from(data) : data);
  return r;
}

/** A Writable that throws everything away (/dev/null). */
export function nullWritable(): Writable {
  return new Writable({
    write(_chunk, _enc, cb) {
      cb();
    },
  });
}

/** A Writable that keeps everything; `text()` / `bytes()` read it back. */
export class CaptureWritable extends Writable {
  private readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    cb();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
  text(): string {
    return this.bytes().toString('utf8');
  }
}

/**
 * A Writable that lands in a file of the FileMap: the file is created (or
 * truncated) at once, chunks are appended as they come. Throws FsError at
 * creation when the file cannot be written.
 */
export function fileWritable(files: FileMap, path: string, mode: 'truncate' | 'append'): Writable {
  files.write(path, Buffer.alloc(0), mode);
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      try {
        files.write(path, Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk), 'append');
        cb();
      } catch (e) {
        cb(e instanceof Error ? e : new Error(String(e)));
      }
    },
  });
}

/** A Writable that forwards to `target` and never ends or destroys it. */
export function forwardTo(target: Writable): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      put(target, chunk);
      cb();
    },
  });
}

/**
 * Reads a stream to its end. Rejects with an AbortError when `signal` aborts
 * first. Errors on the stream end the read (what came before is returned).
 */
export function readAll(r: Readable, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const done = (): void => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onData = (c: Buffer | string): void => {
      chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
    };
    const onAbort = (): void => {
      cleanup();
      reject(abortError());
    };
    const cleanup = (): void => {
      r.off('data', onData);
      r.off('end', done);
      r.off('error', done);
      r.off('close', done);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    if (r.readableEnded) {
      resolve(Buffer.alloc(0));
      return;
    }
    r.on('data', onData);
    r.once('end', done);
    r.once('error', done);
    r.once('close', done);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Iterates the lines of a stream (without their "\n"); a last line without a
 * newline is yielded too. Stops (returns) when `signal` aborts.
 */
export async function* readLines(r: Readable, signal?: AbortSignal): AsyncGenerator<string> {
  let buf = '';
  const queue: Array<string | null> = [];
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onData = (c: Buffer | string): void => {
    buf += typeof c === 'string' ? c : c.toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      queue.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    notify();
  };
  const onEnd = (): void => {
    if (buf) queue.push(buf);
    buf = '';
    queue.push(null);
    notify();
  };
  r.on('data', onData);
  r.once('end', onEnd);
  r.once('error', onEnd);
  r.once('close', onEnd);
  signal?.addEventListener('abort', notify, { once: true });
  try {
    if (r.readableEnded) onEnd();
    for (;;) {
      if (signal?.aborted) return;
      const next = queue.shift();
      if (next === null) return;
      if (next !== undefined) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    r.off('data', onData);
    r.off('end', onEnd);
    r.off('error', onEnd);
    r.off('close', onEnd);
    signal?.removeEventListener('abort', notify);
  }
}
