/**
 * @module ingress/response-parser
 * Reads an upstream's HTTP/1.x response incrementally, for the proxy's pooled
 * upstream connections (node:http's client costs more per request than the rest
 * of the proxy together). As strict as node's llhttp where a proxy must be:
 *
 * - CRLF line ends, header names are tokens, no control bytes, no obs-fold, a
 *   16 KiB head, a 3-digit status, HTTP/1.0 or 1.1;
 * - one Content-Length (digits only), never with Transfer-Encoding;
 * - framing: no body after HEAD or for 204/304; chunked when it is the last
 *   transfer coding; else Content-Length; else until the connection closes;
 * - 1xx interim responses are skipped; 101 is an error (nothing asked to upgrade).
 *
 * Header values keep their bytes (latin1 strings, one char per byte) with the
 * surrounding spaces and tabs removed. Errors are thrown as `ResponseParseError`.
 * No I/O.
 */

/** A final response's status line and headers. */
export interface ResponseHead {
  readonly status: number;
  readonly reason: string;
  /** [name, value, ...] as received. */
  readonly rawHeaders: string[];
  /** `Keep-Alive: timeout=N` in milliseconds, when the upstream sends one. */
  readonly keepAliveHintMs: number | undefined;
}

/** What the parser reports for the response it reads. */
export interface ResponseEvents {
  onHead(head: ResponseHead): void;
  onBody(chunk: Buffer): void;
  /** The response is complete; `reusable`: the connection can carry another request. */
  onComplete(reusable: boolean): void;
}

export class ResponseParseError extends Error {
  readonly code = 'HPE_INVALID_RESPONSE';
}

/** node:http's default --max-http-header-size. */
export const MAX_HEAD_BYTES = 16 * 1024;
const MAX_CHUNK_LINE = 4096;
const CRLF2 = Buffer.from('\r\n\r\n', 'latin1');

// Status line, then header lines, each ending in CRLF (the blank line excluded).
const HEAD_RE = /^HTTP\/1\.[01] [0-9]{3}(?: [\t\x20-\x7e\x80-\xff]*)?\r\n(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*\r\n)*$/;
const DIGITS_RE = /^[0-9]{1,15}$/;
const CHUNK_SIZE_RE = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;[\t\x20-\x7e\x80-\xff]*)?$/;

const IDLE = 0;
const HEAD = 1;
const LENGTH = 2;
const CHUNK_SIZE = 3;
const CHUNK_DATA = 4;
const CHUNK_END = 5;
const TRAILERS = 6;
const UNTIL_CLOSE = 7;

function fail(message: string): never {
  throw new ResponseParseError(message);
}

/** `s.slice(from, to)` without surrounding spaces and tabs (HTTP's OWS only). */
function trimOws(s: string, from: number, to: number): string {
  let a = from;
  let b = to;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return s.slice(a, b);
}

function hasToken(list: string, token: string): boolean {
  if (list.length === token.length) return list.toLowerCase() === token; // the usual single value
  for (const part of list.split(',')) if (part.trim().toLowerCase() === token) return true;
  return false;
}

function lastToken(list: string): string {
  const parts = list.split(',');
  return (parts[parts.length - 1] ?? '').trim().toLowerCase();
}

/** The framing headers of one response head. */
interface Framing {
  contentLength: number | undefined;
  transferEncoding: string | undefined;
  connection: string | undefined;
  keepAlive: string | undefined;
}

/** Splits the header lines of `text` (after the status line) into `raw`, noting the framing headers. */
function readHeaders(text: string, from: number, raw: string[]): Framing {
  const f: Framing = { contentLength: undefined, transferEncoding: undefined, connection: undefined, keepAlive: undefined };
  let i = from;
  while (i < text.length) {
    const eol = text.indexOf('\r\n', i);
    const colon = text.indexOf(':', i);
    const name = text.slice(i, colon);
    const value = trimOws(text, colon + 1, eol);
    raw.push(name, value);
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      if (f.contentLength !== undefined || !DIGITS_RE.test(value)) fail('bad or repeated Content-Length');
      f.contentLength = Number(value);
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      f.transferEncoding = f.transferEncoding === undefined ? value : `${f.transferEncoding}, ${value}`;
    } else if (name.length === 10) {
      const l = name.toLowerCase();
      if (l === 'connection') f.connection = f.connection === undefined ? value : `${f.connection}, ${value}`;
      else if (l === 'keep-alive') f.keepAlive = value;
    }
    i = eol + 2;
  }
  return f;
}

function keepAliveHint(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /(?:^|[\s,])timeout=(\d+)/i.exec(value);
  return m === null ? undefined : Number(m[1]) * 1000;
}

/** One response at a time; `begin` before each request's response. */
export class ResponseParser {
  #events: ResponseEvents | undefined;
  #mode = IDLE;
  /** Bytes of an unfinished head, chunk-size line or trailer section. */
  #pending: Buffer | undefined;
  #remaining = 0;
  #headRequest = false;
  #keepAlive = true;

  /** True while a response is being read. */
  get active(): boolean {
    return this.#mode !== IDLE;
  }

  /** Expects the response to a request (`headRequest`: it was HEAD, so no body). */
  begin(events: ResponseEvents, headRequest: boolean): void {
    this.#events = events;
    this.#mode = HEAD;
    this.#pending = undefined;
    this.#headRequest = headRequest;
    this.#keepAlive = true;
  }

  /** Stops reading (the exchange gave up); later bytes are not reported. */
  abort(): void {
    this.#events = undefined;
    this.#mode = IDLE;
    this.#pending = undefined;
  }

  /** Reads bytes from the connection. Throws ResponseParseError; bytes while idle are an error too. */
  execute(input: Buffer): void {
    if (this.#mode === IDLE) fail('data from the upstream without a request');
    let buf = input;
    if (this.#pending !== undefined) {
      buf = Buffer.concat([this.#pending, input]);
      this.#pending = undefined;
    }
    let pos = 0;
    while (pos < buf.length && this.#mode !== IDLE) pos = this.#step(buf, pos);
  }

  /** The upstream closed its side: completes a body read until close, else it is an error. */
  finish(): void {
    if (this.#mode === UNTIL_CLOSE) {
      this.#complete(false);
      return;
    }
    if (this.#mode !== IDLE) fail('upstream closed the connection before the response was complete');
  }

  #step(buf: Buffer, pos: number): number {
    switch (this.#mode) {
      case HEAD:
        return this.#head(buf, pos);
      case LENGTH:
        return this.#length(buf, pos);
      case CHUNK_SIZE:
        return this.#chunkSize(buf, pos);
      case CHUNK_DATA:
        return this.#chunkData(buf, pos);
      case CHUNK_END:
        return this.#chunkEnd(buf, pos);
      case TRAILERS:
        return this.#trailers(buf, pos);
      default:
        this.#events?.onBody(buf.subarray(pos));
        return buf.length;
    }
  }

  /** Keeps `buf[pos..]` for the next read (copied: the reader may not own the buffer). */
  #wait(buf: Buffer, pos: number, limit: number): number {
    if (buf.length - pos > limit) fail('response head or chunk line too long');
    this.#pending = Buffer.from(buf.subarray(pos));
    return buf.length;
  }

  /** An unfinished head or trailer section: wait for more, unless a bare LF already makes it invalid. */
  #waitLines(buf: Buffer, pos: number): number {
    for (let lf = buf.indexOf(10, pos); lf >= 0; lf = buf.indexOf(10, lf + 1)) {
      if (lf === pos || buf[lf - 1] !== 13) fail('bare LF in the response head');
    }
    return this.#wait(buf, pos, MAX_HEAD_BYTES);
  }

  #head(buf: Buffer, pos: number): number {
    const end = buf.indexOf(CRLF2, pos);
    if (end < 0) return this.#waitLines(buf, pos);
    if (end - pos > MAX_HEAD_BYTES) fail('response head too long');
    const text = buf.toString('latin1', pos, end + 2);
    if (!HEAD_RE.test(text)) fail('malformed response head');
    const next = end + 4;
    const status = Number(text.slice(9, 12));
    if (status < 200) {
      if (status === 101) fail('101 Switching Protocols without an upgrade request');
      return next; // interim (100 Continue, 103 Early Hints): the final response follows
    }
    const eol = text.indexOf('\r\n');
    const reason = eol > 13 ? text.slice(13, eol) : '';
    const rawHeaders: string[] = [];
    const f = readHeaders(text, eol + 2, rawHeaders);
    if (f.contentLength !== undefined && f.transferEncoding !== undefined) fail('both Content-Length and Transfer-Encoding');
    const http11 = text.charCodeAt(7) === 49;
    this.#keepAlive = f.connection === undefined ? http11 : http11 ? !hasToken(f.connection, 'close') : hasToken(f.connection, 'keep-alive');
    this.#events?.onHead({ status, reason, rawHeaders, keepAliveHintMs: keepAliveHint(f.keepAlive) });
    if (this.#mode === IDLE) return next;
    return this.#startBody(status, f, next, buf.length);
  }

  #startBody(status: number, f: Framing, next: number, size: number): number {
    if (this.#headRequest || status === 204 || status === 304) {
      this.#complete(next === size);
      return next;
    }
    if (f.transferEncoding !== undefined) {
      if (lastToken(f.transferEncoding) === 'chunked') this.#mode = CHUNK_SIZE;
      else this.#untilClose();
      return next;
    }
    if (f.contentLength === undefined) {
      this.#untilClose();
      return next;
    }
    if (f.contentLength === 0) {
      this.#complete(next === size);
      return next;
    }
    this.#mode = LENGTH;
    this.#remaining = f.contentLength;
    return next;
  }

  #untilClose(): void {
    this.#mode = UNTIL_CLOSE;
    this.#keepAlive = false;
  }

  #length(buf: Buffer, pos: number): number {
    const n = Math.min(this.#remaining, buf.length - pos);
    this.#remaining -= n;
    const end = pos + n;
    this.#events?.onBody(pos === 0 && end === buf.length ? buf : buf.subarray(pos, end));
    if (this.#remaining === 0 && this.#mode === LENGTH) this.#complete(end === buf.length);
    return end;
  }

  #chunkSize(buf: Buffer, pos: number): number {
    const eol = buf.indexOf(10, pos);
    if (eol < 0) return this.#wait(buf, pos, MAX_CHUNK_LINE);
    if (eol === pos || buf[eol - 1] !== 13 || eol - pos > MAX_CHUNK_LINE) fail('bad chunk size line');
    const m = CHUNK_SIZE_RE.exec(buf.toString('latin1', pos, eol - 1));
    if (m === null) fail('bad chunk size');
    const size = parseInt(m[1]!, 16);
    if (size === 0) this.#mode = TRAILERS;
    else {
      this.#mode = CHUNK_DATA;
      this.#remaining = size;
    }
    return eol + 1;
  }

  #chunkData(buf: Buffer, pos: number): number {
    const n = Math.min(this.#remaining, buf.length - pos);
    this.#remaining -= n;
    this.#events?.onBody(buf.subarray(pos, pos + n));
    if (this.#remaining === 0 && this.#mode === CHUNK_DATA) this.#mode = CHUNK_END;
    return pos + n;
  }

  #chunkEnd(buf: Buffer, pos: number): number {
    if (buf.length - pos < 2) return this.#wait(buf, pos, 1);
    if (buf[pos] !== 13 || buf[pos + 1] !== 10) fail('chunk data not followed by CRLF');
    this.#mode = CHUNK_SIZE;
    return pos + 2;
  }

  /** Trailer fields after the last chunk are read and dropped, as node:http's response would not pass them on. */
  #trailers(buf: Buffer, pos: number): number {
    if (buf.length - pos >= 2 && buf[pos] === 13 && buf[pos + 1] === 10) {
      this.#complete(pos + 2 === buf.length);
      return pos + 2;
    }
    const end = buf.indexOf(CRLF2, pos);
    if (end < 0) return this.#waitLines(buf, pos);
    const text = buf.toString('latin1', pos, end + 2);
    if (!/^(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*\r\n)*$/.test(text)) fail('malformed trailer');
    this.#complete(end + 4 === buf.length);
    return end + 4;
  }

  /** Ends the response; trailing bytes in the same read make the connection unusable. */
  #complete(atEnd: boolean): void {
    const events = this.#events;
    const reusable = this.#keepAlive && atEnd;
    this.#events = undefined;
    this.#mode = IDLE;
    events?.onComplete(reusable);
  }
}
