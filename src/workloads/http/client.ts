/**
 * @module workloads/http/client
 *
 * One HTTP/1.1 request over a stream the program got from
 * ProcessNet.connectTcp, through node:http (`createConnection` hands it the
 * socket). The request goes out with exactly the header lines given, in that
 * order and spelling (node adds nothing: no Host, no Connection), so a tool's
 * `-v` trace can print what went on the wire. The response head comes back
 * as plain data; the body is the node IncomingMessage to read.
 *
 * Not here: redirects, timeouts, retries (the tools own those policies).
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';

export interface HttpRequestSpec {
  readonly method: string;
  /** Request target: "/path?query" (or an absolute URL for a proxy). */
  readonly path: string;
  /** Header lines in wire order; names keep their spelling. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: Buffer;
}

export interface HttpHead {
  /** "1.1" or "1.0". */
  readonly version: string;
  readonly status: number;
  /** Reason phrase ("OK", "Not Found"). */
  readonly reason: string;
  /** Header lines as received, in order. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

/** Why no response head arrived. */
export type HttpFailure =
  | { readonly kind: 'empty' } // the server closed without a byte of response
  | { readonly kind: 'reset' } // connection reset
  | { readonly kind: 'malformed'; readonly detail: string }; // not HTTP

export interface HttpExchange {
  /** Resolves with the head, or a failure. */
  readonly response: Promise<{ readonly ok: true; readonly head: HttpHead; readonly body: http.IncomingMessage } | { readonly ok: false; readonly failure: HttpFailure }>;
  /** Tears the connection down. */
  destroy(): void;
}

/** The first value of a header (case-insensitive), or undefined. */
export function headerValue(head: HttpHead, name: string): string | undefined {
  const lower = name.toLowerCase();
  return head.headers.find(([k]) => k.toLowerCase() === lower)?.[1];
}

/** The status line as the server sent it: "HTTP/1.1 404 Not Found". */
export function statusLine(head: HttpHead): string {
  return `HTTP/${head.version} ${head.status}${head.reason ? ` ${head.reason}` : ''}`;
}

/** Sends the request on `socket` and starts reading the response. */
export function startHttp(socket: Duplex, spec: HttpRequestSpec): HttpExchange {
  const req = http.request({
    createConnection: () => socket as unknown as import('node:net').Socket, // node:http only needs a Duplex
    method: spec.method,
    path: spec.path,
    setHost: false,
    headers: {},
  });
  const grouped = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of spec.headers) {
    const key = name.toLowerCase();
    const g = grouped.get(key);
    if (g) g.values.push(value);
    else grouped.set(key, { name, values: [value] });
  }
  for (const { name, values } of grouped.values()) req.setHeader(name, values.length === 1 ? (values[0] ?? '') : values);
  if (!grouped.has('connection')) req.removeHeader('connection');
  if (spec.body && !grouped.has('content-length') && !grouped.has('transfer-encoding')) {
    req.setHeader('Content-Length', String(spec.body.length));
  }
  const response = new Promise<
    { ok: true; head: HttpHead; body: http.IncomingMessage } | { ok: false; failure: HttpFailure }
  >((resolve) => {
    req.on('response', (res: http.IncomingMessage) => {
      const headers: Array<[string, string]> = [];
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.push([res.rawHeaders[i] ?? '', res.rawHeaders[i + 1] ?? '']);
      resolve({
        ok: true,
        head: { version: res.httpVersion, status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers },
        body: res,
      });
    });
    req.on('error', (e: Error & { code?: string }) => {
      if (e.code === 'ECONNRESET' && e.message === 'socket hang up') resolve({ ok: false, failure: { kind: 'empty' } });
      else if (e.code === 'ECONNRESET') resolve({ ok: false, failure: { kind: 'reset' } });
      else resolve({ ok: false, failure: { kind: 'malformed', detail: e.message } });
    });
  });
  req.end(spec.body);
  return {
    response,
    destroy: () => {
      req.destroy();
      socket.destroy();
    },
  };
}

export interface BodyReadOptions {
  /** Called for each chunk as it arrives. */
  readonly onData: (chunk: Buffer) => void;
}

/** How a body read ended. */
export type BodyEnd = 'complete' | 'closed-early' | 'reset';

/** Reads `body` to its end, feeding onData; resolves with how it ended (never rejects). */
export function readBody(body: http.IncomingMessage, opts: BodyReadOptions): Promise<BodyEnd> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (how: BodyEnd): void => {
      if (settled) return;
      settled = true;
      resolve(how);
    };
    body.on('data', (c: Buffer) => opts.onData(c));
    body.on('end', () => done('complete'));
    body.on('aborted', () => done('closed-early'));
    body.on('error', () => done('reset'));
    body.on('close', () => done(body.complete ? 'complete' : 'closed-early'));
  });
}
