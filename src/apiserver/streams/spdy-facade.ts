/**
 * @module apiserver/streams/spdy-facade
 * A small typed facade over `spdy-transport@3.0.0`, the SPDY/3.1 server kwire uses
 * for kubectl's SPDY exec/attach and for port-forward.
 *
 * Why a facade: the package ships no TypeScript types, so this module loads it with
 * `createRequire`, checks the few members kwire touches at runtime, and exposes them
 * through narrow interfaces. It also carries the two runtime adjustments kubectl's
 * client (Go's moby/spdystream) needs, applied per connection without touching the
 * package's files:
 *
 * 1. The parser rejects a SYN_STREAM without `:method` and `:path` (an HTTP-over-SPDY
 *    rule); kubectl's streams carry only `streamtype`/`port`/`requestid`. We fill the
 *    two pseudo-headers in before the check, for SYN_STREAM frames only.
 * 2. spdystream implements no flow control: it never sends WINDOW_UPDATE. Left alone,
 *    spdy-transport would stop sending on a stream after its 64 KiB window. Each
 *    stream's send window is therefore made never-empty.
 */
import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';

/** One SPDY stream as kwire uses it (spdy-transport's Stream is a readable-stream v3 Duplex). */
export interface SpdyStream extends Duplex {
  readonly id: number;
  /** Request headers of the SYN_STREAM, names lower-cased. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Sends SYN_REPLY. */
  respond(status: number, headers: Record<string, string>, cb?: (err?: Error | null) => void): void;
  /** Sends RST_STREAM (CANCEL by default). */
  abort(code?: string, cb?: () => void): void;
}

/** A server-side SPDY connection. */
export interface SpdyConnection extends EventEmitter {
  on(event: 'stream', listener: (stream: SpdyStream) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  on(event: 'close', listener: (err?: Error) => void): this;
  on(event: string | symbol, listener: (...args: unknown[]) => void): this;
  /** Sends GOAWAY and closes once every stream has closed. */
  end(cb?: () => void): void;
  destroyStreams(err?: Error): void;
}

interface SideLike {
  isEmpty(): boolean;
}

interface ParserLike {
  parseKVs(buf: unknown, cb: (err: Error | null, headers?: Record<string, unknown>) => void): void;
  onSynHeadFrame(type: number, flags: number, body: unknown, cb: (err: Error | null, frame?: unknown) => void): void;
}

interface TransportModule {
  connection: { create(socket: Duplex, options: { protocol: 'spdy'; isServer: true }): unknown };
}

const require = createRequire(import.meta.url);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function loadTransport(): TransportModule {
  const mod: unknown = require('spdy-transport');
  const conn = isObject(mod) ? mod['connection'] : undefined;
  if ((typeof conn !== 'function' && !isObject(conn)) || typeof (conn as { create?: unknown }).create !== 'function') {
    throw new Error('spdy-transport: unexpected module shape (kwire expects version 3.0.0)');
  }
  return mod as unknown as TransportModule;
}

let transport: TransportModule | undefined;

/** Loads and checks spdy-transport now (throws if it is missing or of an unexpected shape). */
export function ensureSpdyTransport(): void {
  transport ??= loadTransport();
}

function stateOf(o: unknown): Record<string, unknown> {
  if (!isObject(o) || !isObject(o['_spdyState'])) throw new Error('spdy-transport: missing _spdyState (kwire expects version 3.0.0)');
  return o['_spdyState'];
}

/** Lets SYN_STREAM frames without `:method`/`:path` through (kubectl never sends them). */
function patchParser(parserValue: unknown): void {
  if (!isObject(parserValue) || typeof parserValue['onSynHeadFrame'] !== 'function' || typeof parserValue['parseKVs'] !== 'function') {
    throw new Error('spdy-transport: parser has no onSynHeadFrame/parseKVs (kwire expects version 3.0.0)');
  }
  const parser = parserValue as unknown as ParserLike;
  const originalSyn = parser.onSynHeadFrame;
  const originalParse = parser.parseKVs;
  parser.onSynHeadFrame = function (type, flags, body, cb) {
    if (type !== 0x01) return originalSyn.call(this, type, flags, body, cb);
    // parseKVs is called synchronously from onSynHeadFrame; swap it for the call's duration.
    this.parseKVs = (buf, done) =>
      originalParse.call(this, buf, (err, headers) => {
        if (!err && headers) {
          if (headers[':method'] === undefined) headers[':method'] = 'POST';
          if (headers[':path'] === undefined) headers[':path'] = '/';
        }
        done(err, headers);
      });
    try {
      originalSyn.call(this, type, flags, body, cb);
    } finally {
      this.parseKVs = originalParse;
    }
  };
}

/** Makes a stream's send window never block (spdystream sends no WINDOW_UPDATE). */
function unlimitSendWindow(stream: unknown): void {
  const win = stateOf(stream)['window'];
  if (!isObject(win) || !isObject(win['send']) || typeof win['send']['isEmpty'] !== 'function') {
    throw new Error('spdy-transport: stream has no send window (kwire expects version 3.0.0)');
  }
  (win['send'] as unknown as SideLike).isEmpty = () => false;
}

/** Whether our side of the stream was ended (readable-stream v3 has no `writableEnded`). */
export function writeEnded(stream: SpdyStream): boolean {
  const ws: unknown = (stream as unknown as { _writableState?: unknown })._writableState;
  return isObject(ws) && (ws['ending'] === true || ws['ended'] === true || ws['finished'] === true);
}

/** A header of the client's SYN_STREAM (first value), e.g. `streamtype`, `port`, `requestid`. */
export function streamHeader(stream: SpdyStream, name: string): string | undefined {
  const v = stream.headers[name.toLowerCase()];
  if (Array.isArray(v)) return v[0];
  return v;
}

/**
 * Starts a SPDY/3 server connection on `socket` (after the 101 answer was written).
 * Listen for 'stream' on the result; every stream the client opens must get a
 * `respond()` (SYN_REPLY) or an `abort()`.
 */
export function createSpdyServer(socket: Duplex): SpdyConnection {
  transport ??= loadTransport();
  const conn = transport.connection.create(socket, { protocol: 'spdy', isServer: true });
  patchParser(stateOf(conn)['parser']);
  const c = conn as SpdyConnection;
  // Registered first, so every later 'stream' listener sees an unthrottled stream.
  c.on('stream', (s: SpdyStream) => unlimitSendWindow(s));
  c.on('error', () => {});
  return c;
}
