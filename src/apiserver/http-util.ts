/**
 * @module apiserver/http-util
 * Small HTTP helpers for the API shell: reading a bounded body, sending JSON and
 * Status objects, and parsing query parameters kube-apiserver understands.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errors, type StatusObject } from '../errors.js';

/** kube-apiserver's request body limit (3 MiB). */
export const MAX_BODY = 3 * 1024 * 1024;

export function readBody(req: IncomingMessage, limit = MAX_BODY): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      reject(errors.tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(errors.tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

/** Responses whose JSON is indented (see prettyPrintFor). */
const PRETTY = new WeakSet<ServerResponse>();

/**
 * kube-apiserver's isPrettyPrint: `?pretty=` when given, else indented JSON for
 * user agents starting with curl, Wget or Mozilla/ (people reading it). Marks `res`
 * so that sendJson indents what it sends through it.
 */
export function prettyPrintFor(req: IncomingMessage, res: ServerResponse, q: URLSearchParams): void {
  const p = q.get('pretty');
  const ua = req.headers['user-agent'] ?? '';
  const pretty = p !== null && p !== '' ? boolParam(q, 'pretty') : ua.startsWith('curl') || ua.startsWith('Wget') || ua.startsWith('Mozilla/');
  if (pretty) PRETTY.add(res);
}

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json', headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = (PRETTY.has(res) ? JSON.stringify(body, null, 2) : JSON.stringify(body)) + '\n';
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private', ...headers });
  res.end(text);
}

export function sendStatus(res: ServerResponse, err: unknown): void {
  let status: StatusObject;
  if (err instanceof ApiError) status = err.toStatus();
  else {
    const msg = err instanceof Error ? err.message : String(err);
    status = errors.internal(msg).toStatus();
  }
  sendJson(res, status.code, status);
}

export function successStatus(details?: Record<string, unknown>): StatusObject {
  const s: StatusObject = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 };
  if (details) (s as { details?: unknown }).details = details;
  return s;
}

/** Boolean query parameter as Go's strconv.ParseBool reads it. */
export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1' || v === 'True' || v === 'TRUE' || v === 't' || v === 'T';
}

/** Warning headers as kube-apiserver sends them: `299 - "text"`. */
export function warningHeaders(warnings: ReadonlyArray<string>): Record<string, string[]> {
  if (warnings.length === 0) return {};
  return { Warning: warnings.map((w) => `299 - "${w.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`) };
}
