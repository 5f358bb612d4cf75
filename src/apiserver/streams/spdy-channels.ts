/**
 * @module apiserver/streams/spdy-channels
 * exec/attach over SPDY/3.1 (kubectl 1.27-1.29, and 1.30+ after a refused WebSocket).
 * The client opens one stream per channel, typed by the `streamtype` header
 * (`error`, `stdin`, `stdout`, `stderr`, `resize`); each gets a SYN_REPLY. As the
 * kubelet's v4 handler does, kwire waits for all expected streams (error + each
 * requested std stream + resize with a tty), then runs the session. Stdout/stderr
 * bytes travel as plain DATA; the session ends with FIN on stdout/stderr, the Status
 * on `error` + FIN, then GOAWAY.
 */
import { PassThrough, Writable, type Duplex } from 'node:stream';
import type { Channels } from './session.js';
import { streamHeader, writeEnded, type SpdyConnection, type SpdyStream } from './spdy-facade.js';
import { encodeStatus, type StreamStatus } from './status.js';

export interface SpdyChannelOptions {
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
  /** v4/v5: JSON Status on the error stream; v2/v3: failure text only. */
  readonly jsonStatus: boolean;
  /** v3+: a resize stream comes with a tty. */
  readonly resize: boolean;
  /** The kubelet's stream creation timeout (30 s). */
  readonly timeoutMs?: number;
}

interface StreamSet {
  error?: SpdyStream;
  stdin?: SpdyStream;
  stdout?: SpdyStream;
  stderr?: SpdyStream;
  resize?: SpdyStream;
}

function writerFor(s: SpdyStream): Writable {
  let gone = false;
  s.once('close', () => (gone = true));
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (gone) return cb();
      s.write(chunk, () => cb());
    },
    final(cb) {
      if (gone) return cb();
      s.once('finish', () => cb());
      s.end();
    },
  });
}

function endQuietly(s: SpdyStream | undefined): void {
  if (!s) return;
  try {
    if (!writeEnded(s)) s.end();
  } catch {
    /* already torn down */
  }
}

/** Waits for the client's streams on `conn`, then exposes them as Channels. */
export function spdyChannels(conn: SpdyConnection, socket: Duplex, opts: SpdyChannelOptions): Promise<Channels> {
  const expected = 1 + (opts.stdin ? 1 : 0) + (opts.stdout ? 1 : 0) + (opts.stderr ? 1 : 0) + (opts.tty && opts.resize ? 1 : 0);
  const closed = new AbortController();
  socket.once('close', () => closed.abort());
  conn.on('error', () => {});
  const set: StreamSet = {};
  let received = 0;
  return new Promise<Channels>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error('timed out waiting for client to create streams'));
    }, opts.timeoutMs ?? 30_000);
    timer.unref();
    closed.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('connection closed before the streams were created'));
    });
    conn.on('stream', (s) => {
      s.on('error', () => {});
      const type = streamHeader(s, 'streamtype');
      if (type === 'error' || type === 'stdin' || type === 'stdout' || type === 'stderr' || type === 'resize') {
        if (!set[type]) set[type] = s;
      }
      // As the kubelet (waitStreamReply): a stream counts once its SYN_REPLY is out.
      s.respond(200, {}, () => {
        received++;
        if (received !== expected) return;
        clearTimeout(timer);
        resolve(toChannels(conn, socket, set, opts, closed.signal));
      });
    });
  });
}

function toChannels(conn: SpdyConnection, socket: Duplex, set: StreamSet, opts: SpdyChannelOptions, closed: AbortSignal): Channels {
  let stdin: PassThrough | undefined;
  if (opts.stdin) {
    stdin = new PassThrough();
    if (set.stdin) set.stdin.pipe(stdin);
    else stdin.end();
    closed.addEventListener('abort', () => stdin?.end());
  }
  return {
    stdin,
    stdout: opts.stdout && set.stdout ? writerFor(set.stdout) : undefined,
    stderr: opts.stderr && set.stderr ? writerFor(set.stderr) : undefined,
    closed,
    onResizeBytes(cb) {
      set.resize?.on('data', (d: Buffer) => cb(d));
    },
    writeStatus(status: StreamStatus) {
      return new Promise<void>((resolve) => {
        const err = set.error;
        if (!err || writeEnded(err)) return resolve();
        const bytes = encodeStatus(status, opts.jsonStatus);
        if (bytes) err.write(bytes);
        err.once('finish', () => resolve());
        err.end();
      });
    },
    close() {
      endQuietly(set.stdin);
      endQuietly(set.resize);
      if (!closed.aborted) {
        try {
          conn.end();
        } catch {
          /* socket already gone */
        }
        // The client closes the connection once it has read everything; do not wait forever.
        const t = setTimeout(() => socket.destroy(), 10_000);
        t.unref();
        socket.once('close', () => clearTimeout(t));
      }
      return Promise.resolve();
    },
  };
}
