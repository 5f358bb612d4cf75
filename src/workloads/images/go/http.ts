/**
 * @module workloads/images/go/http
 *
 * Responses on the wire as Go's net/http server writes them, from node:http:
 *
 * ```
 *   HTTP/1.1 200 OK
 *   X-App-Name: http-echo          <- the handler's header map, keys sorted
 *   X-App-Version: 1.0.0
 *   Date: Mon, 06 Oct 2025 12:00:00 GMT
 *   Content-Length: 36             <- body buffered by the handler
 *   Content-Type: text/plain; charset=utf-8   <- sniffed unless the handler set one
 *   Connection: close              <- only when the client asked to close
 * ```
 *
 * Node's own Date/Connection/Keep-Alive headers are suppressed. Also Go's
 * answer to a malformed request (400, plain text) and `http.Error`.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { httpDate, statusText } from './format.js';

/** What a Go handler produced: status, its header map (canonical keys), the bytes it wrote. */
export interface GoResponse {
  readonly status: number;
  readonly header?: ReadonlyArray<readonly [string, string]>;
  readonly body?: Buffer | string;
}

/** Go's bufferBeforeChunkingSize. */
const CHUNKING_THRESHOLD = 2048;

function bodyAllowed(status: number): boolean {
  return !(status >= 100 && status <= 199) && status !== 204 && status !== 304;
}

const HTML_SIGS = ['<!DOCTYPE HTML', '<HTML', '<HEAD', '<SCRIPT', '<IFRAME', '<H1', '<DIV', '<FONT', '<TABLE', '<A', '<STYLE', '<TITLE', '<B', '<BODY', '<BR', '<P', '<!--'];

/** `http.DetectContentType` for the texts our programs write. */
export function detectContentType(body: Buffer): string {
  const head = body.subarray(0, 512);
  let i = 0;
  while (i < head.length && (head[i] === 0x09 || head[i] === 0x0a || head[i] === 0x0c || head[i] === 0x0d || head[i] === 0x20)) i++;
  const rest = head.subarray(i).toString('latin1');
  const upper = rest.toUpperCase();
  for (const sig of HTML_SIGS) {
    if (upper.startsWith(sig)) {
      const next = rest.charCodeAt(sig.length);
      if (next === 0x20 || next === 0x3e) return 'text/html; charset=utf-8';
    }
  }
  if (rest.startsWith('<?xml')) return 'text/xml; charset=utf-8';
  if (rest.startsWith('%PDF-')) return 'application/pdf';
  for (const b of head) {
    if (b <= 0x08 || b === 0x0b || (b >= 0x0e && b <= 0x1a) || (b >= 0x1c && b <= 0x1f)) return 'application/octet-stream';
  }
  return 'text/plain; charset=utf-8';
}

function wantsClose(req: http.IncomingMessage): boolean {
  const conn = (req.headers.connection ?? '').toLowerCase();
  if (req.httpVersion === '1.0') return !/\bkeep-alive\b/.test(conn);
  return /\bclose\b/.test(conn);
}

/** Writes `r` as Go would; returns the number of body bytes sent (0 for HEAD). */
export function sendGoResponse(req: http.IncomingMessage, res: http.ServerResponse, r: GoResponse, nowMs: number): number {
  const status = r.status;
  const body = r.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
  const header = [...(r.header ?? [])].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const has = (k: string): boolean => header.some(([h]) => h.toLowerCase() === k);
  const flat: string[] = [];
  for (const [k, v] of header) flat.push(k, v);
  if (!has('date')) flat.push('Date', httpDate(nowMs));
  const allowed = bodyAllowed(status);
  // Go buffers 2048 bytes before it must commit: a longer body goes out chunked (HTTP/1.1).
  const chunked = allowed && body.length > CHUNKING_THRESHOLD && req.httpVersion !== '1.0' && !has('content-length') && req.method !== 'HEAD';
  if (allowed && !chunked && !has('content-length') && !has('transfer-encoding')) flat.push('Content-Length', String(body.length));
  if (allowed && !has('content-type') && body.length > 0) flat.push('Content-Type', detectContentType(body));
  const close = wantsClose(req) || (req.httpVersion === '1.0' && allowed && body.length > CHUNKING_THRESHOLD);
  if (close && req.httpVersion !== '1.0') flat.push('Connection', 'close');
  else if (!close && req.httpVersion === '1.0') flat.push('Connection', 'keep-alive');
  if (chunked) flat.push('Transfer-Encoding', 'chunked');
  res.removeHeader('Connection');
  res.sendDate = false;
  res.writeHead(status, statusText(status), flat);
  const send = allowed && req.method !== 'HEAD';
  res.end(send ? body : undefined);
  return send ? body.length : 0;
}

/** `http.Error(w, msg, code)`: plain text with nosniff, body msg + "\n". */
export function goError(message: string, status: number): GoResponse {
  return {
    status,
    header: [
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['X-Content-Type-Options', 'nosniff'],
    ],
    body: `${message}\n`,
  };
}

const BAD_REQUEST = Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request');

/**
 * An http.Server with Go's connection behaviour: no idle timeout, Go's 400
 * for garbage. Never listens on a real socket: feed it connections with
 * `server.emit('connection', socket)`.
 */
export function createGoServer(handler: http.RequestListener): http.Server {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 0;
  server.on('clientError', (_err: Error, socket: Duplex) => {
    if (socket.writable) socket.end(BAD_REQUEST);
    else socket.destroy();
  });
  return server;
}
