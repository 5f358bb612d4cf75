/**
 * @module ingress/exchange
 * One proxied request, from the route decision to the end of the response:
 *
 * ```
 *  pooled connection (or a new one) -> request head + body (streamed: as sent,
 *  or re-chunked) -> response head -> ServerResponse.writeHead -> body chunks
 *  (backpressure both ways) -> res.end(); the connection goes back to the pool
 *  when the response allows it and the request was sent whole
 * ```
 *
 * What goes wrong gets ingress-nginx's answers: 502 for a failed or broken
 * upstream, 504 on connect or read timeout (proxy-read-timeout: time without
 * bytes from the upstream since the request went out), 503 without endpoints,
 * 413 over proxy-body-size; after the head was sent the client connection is
 * cut instead, and a client that leaves is logged as 499.
 */
import type http from 'node:http';
import { nginxPage, nginxReason } from './error-pages.js';
import { downstreamResponseHeaders, type BodyFraming } from './forward-headers.js';
import type { ResponseHead } from './response-parser.js';
import type { ServiceTarget } from './types.js';
import type { UpstreamConnection, UpstreamPool, UpstreamUser } from './upstream.js';

/** What one exchange needs besides the request and the response. */
export interface ExchangeOptions {
  readonly pool: UpstreamPool;
  readonly key: string;
  readonly target: ServiceTarget;
  /** The request head, latin1 (forward-headers' `upstreamRequestHead`). */
  readonly head: string;
  readonly framing: BodyFraming;
  readonly bodySizeLimit: number;
  readonly connectTimeoutMs: number;
  readonly readTimeoutMs: number;
  /** Response headers the controller sets (HSTS), replacing the upstream's of the same name. */
  readonly extraHeaders?: ReadonlyArray<readonly [string, string]>;
  /** Called once with the status logged for the request. */
  readonly done: (status: number) => void;
}

/** Body bytes read before the connection is ready; over this the client is paused (as a pipe would). */
const QUEUE_LIMIT = 16 * 1024;

/** Maps an upstream failure to nginx's status: 504 on timeouts, 503 without endpoints, else 502. */
export function failureStatus(err: unknown): 502 | 503 | 504 {
  const code = typeof err === 'object' && err !== null && 'code' in err ? (err as { code?: unknown }).code : undefined;
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return 504;
  if (code === 'ENOENDPOINTS') return 503;
  return 502;
}

/** The upstream's headers (a flat name/value list) with `extra` in place of any of the same name. */
export function withExtraHeaders(headers: string[], extra: ReadonlyArray<readonly [string, string]> | undefined): string[] {
  if (!extra || extra.length === 0) return headers;
  const names = new Set(extra.map(([n]) => n.toLowerCase()));
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) if (!names.has(headers[i]!.toLowerCase())) out.push(headers[i]!, headers[i + 1]!);
  for (const [n, v] of extra) out.push(n, v);
  return out;
}

/** Sends one of nginx's pages (no body for HEAD); `close` adds Connection: close. */
export function sendPage(req: http.IncomingMessage, res: http.ServerResponse, status: number, close: boolean): void {
  const p = nginxPage(status);
  res.statusCode = p.status;
  res.statusMessage = p.reason;
  res.setHeader('Content-Type', 'text/html');
  res.setHeader('Content-Length', Buffer.byteLength(p.body));
  if (close) res.setHeader('Connection', 'close');
  res.end(req.method === 'HEAD' ? undefined : p.body);
}

function withoutTrailer(raw: ReadonlyArray<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() !== 'trailer') out.push(raw[i]!, raw[i + 1]!);
  return out;
}

export class ProxyExchange implements UpstreamUser {
  readonly #req: http.IncomingMessage;
  readonly #res: http.ServerResponse;
  readonly #o: ExchangeOptions;
  #conn: UpstreamConnection | undefined;
  #finished = false;
  #status = 0;
  /** The whole request (head and body) is written to the connection. */
  #requestSent = false;
  #requestEnded = false;
  #queue: Buffer[] | undefined;
  #queued = 0;
  #pausedForQueue = false;
  #received = 0;
  #timer: NodeJS.Timeout | undefined;
  #lastRead = 0;

  constructor(req: http.IncomingMessage, res: http.ServerResponse, opts: ExchangeOptions) {
    this.#req = req;
    this.#res = res;
    this.#o = opts;
  }

  start(): void {
    this.#res.on('close', () => this.#clientGone());
    if (this.#hasBody()) {
      this.#req.on('data', (chunk: Buffer) => this.#requestData(chunk));
      this.#req.on('end', () => this.#requestEnd());
    }
    const conn = this.#o.pool.take(this.#o.key);
    if (conn !== undefined) {
      this.#attach(conn);
      return;
    }
    this.#o.pool.dial(this.#o.key, this.#o.target, this.#o.connectTimeoutMs).then(
      (c) => this.#attach(c),
      (err: unknown) => this.#fail(failureStatus(err)),
    );
  }

  #hasBody(): boolean {
    return this.#o.framing === 'length' || this.#o.framing === 'chunked';
  }

  #attach(conn: UpstreamConnection): void {
    if (this.#finished) {
      conn.done(true); // the client left while we dialled: keep the fresh connection
      return;
    }
    this.#conn = conn;
    conn.begin(this, this.#req.method === 'HEAD');
    this.#armTimer();
    // An in-process upstream may answer inside a write: state first, and check we still own the connection after.
    if (!this.#hasBody()) {
      this.#requestSent = true;
      conn.socket.write(this.#o.framing === 'empty-chunked' ? `${this.#o.head}0\r\n\r\n` : this.#o.head, 'latin1');
      return;
    }
    conn.socket.write(this.#o.head, 'latin1');
    this.#flushQueue(conn);
    if (this.#conn === conn && this.#requestEnded) this.#endBody(conn);
  }

  #flushQueue(conn: UpstreamConnection): void {
    const queue = this.#queue;
    this.#queue = undefined;
    if (queue === undefined) return;
    this.#queued = 0;
    for (const chunk of queue) if (this.#conn === conn) this.#writeBody(conn, chunk);
    if (this.#pausedForQueue) {
      this.#pausedForQueue = false;
      if (!conn.socket.writableNeedDrain) this.#req.resume();
    }
  }

  // ------------------------------------------------------------ request body

  #requestData(chunk: Buffer): void {
    this.#received += chunk.length;
    if (this.#o.bodySizeLimit > 0 && this.#received > this.#o.bodySizeLimit) {
      this.#fail(413);
      return;
    }
    if (this.#finished) return; // answered already (early response, failure): the rest is dropped
    const conn = this.#conn;
    if (conn === undefined) {
      (this.#queue ??= []).push(chunk);
      this.#queued += chunk.length;
      if (this.#queued >= QUEUE_LIMIT && !this.#pausedForQueue) {
        this.#pausedForQueue = true;
        this.#req.pause();
      }
      return;
    }
    this.#writeBody(conn, chunk);
  }

  #requestEnd(): void {
    this.#requestEnded = true;
    const conn = this.#conn;
    if (conn !== undefined && !this.#finished) this.#endBody(conn);
  }

  #writeBody(conn: UpstreamConnection, chunk: Buffer): void {
    const s = conn.socket;
    let ok: boolean;
    if (this.#o.framing === 'chunked') {
      s.cork();
      s.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
      s.write(chunk);
      ok = s.write('\r\n', 'latin1');
      s.uncork();
    } else ok = s.write(chunk);
    if (!ok) {
      this.#req.pause();
      s.once('drain', () => this.#req.resume());
    }
  }

  #endBody(conn: UpstreamConnection): void {
    this.#requestSent = true;
    if (this.#o.framing === 'chunked') conn.socket.write('0\r\n\r\n', 'latin1');
  }

  // ------------------------------------------------------------ response (UpstreamUser)

  onHead(h: ResponseHead): void {
    this.#lastRead = Date.now();
    this.#status = h.status;
    if (h.keepAliveHintMs !== undefined) this.#conn?.keepAliveHint(h.keepAliveHintMs);
    const reason = nginxReason(h.status) ?? h.reason;
    const headers = withExtraHeaders(downstreamResponseHeaders(h.rawHeaders), this.#o.extraHeaders);
    try {
      this.#res.writeHead(h.status, reason, headers);
    } catch (err) {
      // node:http refuses a Trailer header where it cannot chunk (HEAD, 204/304, HTTP/1.0 clients)
      if ((err as { code?: unknown }).code !== 'ERR_HTTP_TRAILER_INVALID') {
        this.#fail(502);
        return;
      }
      this.#res.writeHead(h.status, reason, withoutTrailer(headers));
    }
  }

  onBody(chunk: Buffer): void {
    this.#lastRead = Date.now();
    if (this.#res.write(chunk)) return;
    const conn = this.#conn;
    if (conn === undefined) return;
    conn.pause();
    this.#res.once('drain', () => {
      if (this.#conn === conn) conn.resume();
    });
  }

  onComplete(reusable: boolean): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#clearTimer();
    const conn = this.#conn;
    this.#conn = undefined;
    conn?.done(reusable && this.#requestSent);
    this.#res.end();
    this.#o.done(this.#status);
  }

  onFailure(err: Error): void {
    this.#conn = undefined; // the connection is already closed
    this.#fail(failureStatus(err));
  }

  // ------------------------------------------------------------ endings

  #fail(status: number): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#clearTimer();
    this.#conn?.destroy();
    this.#conn = undefined;
    if (!this.#res.headersSent) {
      for (const [name, value] of this.#o.extraHeaders ?? []) this.#res.setHeader(name, value);
      sendPage(this.#req, this.#res, status, false);
      this.#o.done(status);
    } else {
      this.#res.destroy();
      this.#o.done(this.#res.statusCode);
    }
  }

  #clientGone(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#clearTimer();
    this.#conn?.destroy();
    this.#conn = undefined;
    this.#o.done(499);
  }

  // ------------------------------------------------------------ read timeout

  /** One timer per exchange, re-armed lazily: reads only note the time. */
  #armTimer(): void {
    this.#lastRead = Date.now();
    this.#timer = setTimeout(() => this.#timerFired(), this.#o.readTimeoutMs);
    this.#timer.unref();
  }

  #timerFired(): void {
    this.#timer = undefined;
    if (this.#finished) return;
    const idle = Date.now() - this.#lastRead;
    if (idle < this.#o.readTimeoutMs) {
      this.#timer = setTimeout(() => this.#timerFired(), this.#o.readTimeoutMs - idle);
      this.#timer.unref();
      return;
    }
    this.#fail(504);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
