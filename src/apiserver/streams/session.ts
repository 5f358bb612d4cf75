/**
 * @module apiserver/streams/session
 * Turns a transport's channels (WebSocket channel protocol or SPDY streams) into the
 * uniform `StreamSession` the backend sees: a null sink when stdout was not asked
 * for, resize decoding with replay of the latest size, an AbortSignal for a client
 * that went away, and an idempotent `finish()` that flushes output, writes the
 * Status in the protocol's format and closes the transport.
 */
import { Writable, type Readable } from 'node:stream';
import type { StreamSession } from './backend.js';
import { resizeDecoder, type TerminalSize } from './resize.js';
import { resultStatus, type ExecResult, type StreamStatus } from './status.js';

/** What a transport provides for one exec/attach. */
export interface Channels {
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  /** Registers the sink for raw resize bytes (JSON objects, arbitrary boundaries). */
  onResizeBytes(cb: (chunk: Buffer) => void): void;
  /** Writes the final Status (after stdout/stderr were flushed). */
  writeStatus(status: StreamStatus): Promise<void>;
  /** Closes the transport gracefully (v5 close frame / SPDY FIN + GOAWAY). */
  close(): Promise<void>;
  /** Aborted when the client went away. */
  readonly closed: AbortSignal;
}

function nullSink(): Writable {
  return new Writable({
    write(_c, _e, cb) {
      cb();
    },
  });
}

/** Ends a writable and waits until it flushed (or failed / was destroyed). */
function endAndFlush(w: Writable | undefined): Promise<void> {
  if (!w || w.writableFinished || w.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => resolve();
    w.once('finish', done);
    w.once('close', done);
    w.once('error', done);
    if (!w.writableEnded) w.end();
  });
}

export interface SessionOptions {
  readonly kind: 'exec' | 'attach';
  readonly tty: boolean;
  readonly command?: ReadonlyArray<string>;
}

export function createSession(ch: Channels, opts: SessionOptions): StreamSession {
  const stdout = ch.stdout ?? nullSink();
  // A backend that writes after finish() must not crash the process.
  stdout.on('error', () => {});
  ch.stderr?.on('error', () => {});
  ch.stdin?.on('error', () => {});
  const listeners: Array<(s: TerminalSize) => void> = [];
  let last: TerminalSize | undefined;
  ch.onResizeBytes(
    resizeDecoder((size) => {
      last = size;
      for (const l of listeners) l(size);
    }),
  );
  let finishing: Promise<void> | undefined;
  return {
    stdin: ch.stdin,
    stdout,
    stderr: ch.stderr,
    tty: opts.tty,
    signal: ch.closed,
    onResize(cb) {
      listeners.push(cb);
      if (last) cb(last);
    },
    finish(result: ExecResult): Promise<void> {
      finishing ??= (async () => {
        if (!ch.closed.aborted) {
          await Promise.all([endAndFlush(stdout), endAndFlush(ch.stderr)]);
          await ch.writeStatus(resultStatus(opts.kind, result, opts.command));
        }
        await ch.close();
      })().catch(() => {});
      return finishing;
    },
  };
}
