/**
 * @module ingress/forward-headers
 * The request headers ingress-nginx sends upstream and the response headers it
 * passes back (its location template plus nginx's proxy module defaults):
 *
 * - set: Host ($http_host), X-Request-ID (the client's, else 32 random hex
 *   digits), X-Real-IP and X-Forwarded-For (the client address; a client's
 *   X-Forwarded-For moves to X-Original-Forwarded-For), X-Forwarded-Host,
 *   X-Forwarded-Port, X-Forwarded-Proto, X-Forwarded-Scheme, X-Scheme, and
 *   X-Forwarded-Prefix when the annotation asks;
 * - dropped: hop-by-hop headers (Connection, Keep-Alive, TE, Upgrade unless
 *   upgrading, Expect, Proxy) and header names with an underscore (nginx's
 *   `underscores_in_headers off`);
 * - responses: hop-by-hop headers and the upstream's Server and Date are not
 *   passed (node:http adds its own Date; ingress-nginx sends no Server header).
 * No I/O.
 */
import { randomBytes } from 'node:crypto';

export interface ForwardContext {
  readonly remoteAddress: string;
  readonly scheme: 'http' | 'https';
  readonly serverPort: number;
  readonly xForwardedPrefix?: string;
  /** Keep Upgrade/Connection: upgrade (WebSocket pass-through). */
  readonly upgrade: boolean;
}

const DROP_REQUEST = new Set([
  'host',
  'connection',
  'keep-alive',
  'te',
  'upgrade',
  'expect',
  'proxy',
  'proxy-connection',
  'x-request-id',
  'x-real-ip',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-proto',
  'x-forwarded-scheme',
  'x-scheme',
  'x-original-forwarded-for',
  'x-forwarded-prefix',
]);

const DROP_RESPONSE = new Set(['connection', 'keep-alive', 'transfer-encoding', 'server', 'date', 'proxy-connection', 'x-accel-redirect', 'x-accel-expires', 'x-accel-limit-rate', 'x-accel-buffering', 'x-accel-charset', 'x-pad']);

let pool = Buffer.alloc(0);
let poolOffset = 0;

/** 32 random hex digits, like nginx's $request_id (random bytes drawn in batches). */
export function newRequestId(): string {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(4096);
    poolOffset = 0;
  }
  const id = pool.toString('hex', poolOffset, poolOffset + 16);
  poolOffset += 16;
  return id;
}

/** First value of a header in raw [name, value, ...] form. */
export function rawHeader(raw: ReadonlyArray<string>, lname: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === lname) return raw[i + 1];
  return undefined;
}

/** Upstream request headers in raw [name, value, ...] form. */
export function upstreamRequestHeaders(raw: ReadonlyArray<string>, ctx: ForwardContext): string[] {
  const out: string[] = [];
  let host: string | undefined;
  let requestId: string | undefined;
  let xff: string | undefined;
  let upgrade: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    const l = name.toLowerCase();
    if (l === 'host') host ??= value;
    else if (l === 'x-request-id') requestId ??= value;
    else if (l === 'x-forwarded-for') xff = xff === undefined ? value : `${xff}, ${value}`;
    else if (l === 'upgrade') upgrade ??= value;
    if (DROP_REQUEST.has(l) || l.includes('_')) continue;
    out.push(name, value);
  }
  const head: string[] = [];
  if (host !== undefined) head.push('Host', host);
  if (ctx.upgrade && upgrade !== undefined) head.push('Upgrade', upgrade, 'Connection', 'upgrade');
  head.push('X-Request-ID', requestId !== undefined && requestId !== '' ? requestId : newRequestId());
  head.push('X-Real-IP', ctx.remoteAddress);
  head.push('X-Forwarded-For', ctx.remoteAddress);
  if (host !== undefined) head.push('X-Forwarded-Host', host);
  head.push('X-Forwarded-Port', String(ctx.serverPort));
  head.push('X-Forwarded-Proto', ctx.scheme);
  head.push('X-Forwarded-Scheme', ctx.scheme);
  head.push('X-Scheme', ctx.scheme);
  if (xff !== undefined && xff !== '') head.push('X-Original-Forwarded-For', xff);
  if (ctx.xForwardedPrefix !== undefined) head.push('X-Forwarded-Prefix', ctx.xForwardedPrefix);
  for (let i = 0; i < out.length; i++) head.push(out[i]!);
  return head;
}

/**
 * How the request body goes upstream: none; as received (Content-Length);
 * chunked (the client sent chunked); or an empty chunked body, which node:http's
 * client sent for body-less POST/PUT/PATCH-like requests and backends may expect.
 */
export type BodyFraming = 'none' | 'length' | 'chunked' | 'empty-chunked';

export interface UpstreamHead {
  /** Request line, headers and the blank line, one char per byte (write it as latin1). */
  readonly head: string;
  readonly framing: BodyFraming;
}

const NO_DEFAULT_BODY = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);
const TE_CHUNKED = /(?:^|\W)chunked(?:$|\W)/i;

/**
 * The upstream request head, byte for byte what node:http's client (keep-alive
 * agent, array headers) wrote: the forwarded headers, `Connection: keep-alive`,
 * then `Transfer-Encoding: chunked` for a body-less request whose method has a body by default.
 */
export function upstreamRequestHead(method: string, path: string, raw: ReadonlyArray<string>, ctx: ForwardContext): UpstreamHead {
  const headers = upstreamRequestHeaders(raw, ctx);
  let head = `${method} ${path} HTTP/1.1\r\n`;
  let framing: BodyFraming | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!;
    const value = headers[i + 1]!;
    head += `${name}: ${value}\r\n`;
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') framing = TE_CHUNKED.test(value) ? 'chunked' : 'length';
    else if (name.length === 14 && framing === undefined && name.toLowerCase() === 'content-length') framing = 'length';
  }
  head += 'Connection: keep-alive\r\n';
  if (framing === undefined && !NO_DEFAULT_BODY.has(method)) {
    head += 'Transfer-Encoding: chunked\r\n';
    framing = 'empty-chunked';
  }
  return { head: `${head}\r\n`, framing: framing ?? 'none' };
}

/** Response headers to pass to the client, raw form. */
export function downstreamResponseHeaders(raw: ReadonlyArray<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const l = raw[i]!.toLowerCase();
    if (DROP_RESPONSE.has(l)) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}
