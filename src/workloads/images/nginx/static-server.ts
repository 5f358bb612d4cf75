/**
 * @module workloads/images/nginx/static-server
 *
 * The image's default server: `location / { root /usr/share/nginx/html;
 * index index.html index.htm; }`, served from the container's files (so a
 * page written with `kubectl exec ... -- sh -c 'echo hi > /usr/share/nginx/html/index.html'`
 * is what nginx serves next). Responses carry nginx's exact headers in
 * nginx's order:
 *
 * ```
 *   Server: nginx/1.21.6 | Date | Content-Type | Content-Length | Last-Modified
 *   | Connection: keep-alive | ETag: "61f01158-267" | Accept-Ranges: bytes
 * ```
 *
 * GET/HEAD/POST as the static module allows (POST to a file: 405), other
 * methods 405, missing files 404 (+ the error log line), directories without
 * a slash 301, directories without an index 403, If-None-Match /
 * If-Modified-Since 304, a single byte range 206/416. Each request leaves a
 * `main`-format access log line on stdout.
 */
import type http from 'node:http';
import type { Duplex, Writable } from 'node:stream';
import { resolvePath } from '../../fs.js';
import type { FileMap } from '../../process.js';
import { put } from '../../streams.js';
import { httpDate, monthName } from '../go/format.js';
import { errorPage, mimeType, NGINX_STATUS } from './pages.js';

export const HTML_ROOT = '/usr/share/nginx/html';

/** What the server needs from its surroundings. */
export interface StaticServerEnv {
  readonly version: string;
  readonly files: FileMap;
  /** mtime of the image's own files. */
  readonly imageMtime: number;
  /** The image's files as shipped (by identity: a rewritten file gets a new mtime). */
  readonly imageFiles: ReadonlyMap<string, Buffer>;
  readonly now: () => number;
  /** access log */
  readonly stdout: Writable;
  /** error log */
  readonly stderr: Writable;
  /** "29#29": the worker that logs. */
  readonly workerTag: string;
  /** The port nginx listens on (for redirects). */
  readonly port: number;
}

const pad = (n: number): string => String(n).padStart(2, '0');

const BEFORE_CONNECTION: ReadonlyArray<string> = ['Content-Type', 'Content-Length', 'Last-Modified', 'Location'];

/** nginx's $time_local: "06/Oct/2025:12:00:00 +0000". */
export function timeLocal(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${monthName(d.getUTCMonth())}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** The error log's time: "2025/10/06 12:00:00". */
export function errorLogTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

interface Reply {
  readonly status: number;
  readonly headers: Array<[string, string]>;
  readonly body: Buffer;
}

function keepAlive(req: http.IncomingMessage): boolean {
  const c = (req.headers.connection ?? '').toLowerCase();
  return req.httpVersion === '1.0' ? /\bkeep-alive\b/.test(c) : !/\bclose\b/.test(c);
}

function decodePath(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/** One nginx worker's request handling over `env`. */
export class StaticServer {
  #connections = 0;
  readonly #mtimes = new Map<string, { buf: Buffer; mtime: number }>();
  readonly #connIds = new WeakMap<object, number>();

  constructor(private readonly env: StaticServerEnv) {}

  /** The connection number nginx logs as "*N". */
  connectionId(socket: Duplex): number {
    let id = this.#connIds.get(socket);
    if (id === undefined) {
      id = ++this.#connections;
      this.#connIds.set(socket, id);
    }
    return id;
  }

  #mtimeOf(path: string, buf: Buffer): number {
    if (this.env.imageFiles.get(path) === buf) return this.env.imageMtime;
    const seen = this.#mtimes.get(path);
    if (seen && seen.buf === buf) return seen.mtime;
    const mtime = Math.floor(this.env.now() / 1000) * 1000;
    this.#mtimes.set(path, { buf, mtime });
    return mtime;
  }

  #errorLog(req: http.IncomingMessage, message: string): void {
    const conn = this.connectionId(req.socket);
    const host = req.headers.host !== undefined ? `, host: "${req.headers.host}"` : '';
    put(
      this.env.stderr,
      `${errorLogTime(this.env.now())} [error] ${this.env.workerTag}: *${conn} ${message}, client: ${req.socket.remoteAddress ?? ''}, server: localhost, request: "${req.method ?? ''} ${req.url ?? ''} HTTP/${req.httpVersion}"${host}\n`,
    );
  }

  #error(status: number, extra: Array<[string, string]> = []): Reply {
    const body = errorPage(status, this.env.version);
    return { status, headers: [['Content-Type', 'text/html'], ['Content-Length', String(body.length)], ...extra], body };
  }

  /** Decides the response (no I/O besides the error log). */
  respond(req: http.IncomingMessage): Reply {
    const method = req.method ?? 'GET';
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const decoded = decodePath(rawPath);
    if (decoded === undefined || !decoded.startsWith('/')) return this.#error(400);
    // ".." above the root is a client error in nginx.
    let depth = 0;
    for (const seg of decoded.split('/')) {
      if (seg === '..') depth--;
      else if (seg !== '' && seg !== '.') depth++;
      if (depth < 0) return this.#error(400);
    }
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') return this.#error(405);
    const uri = resolvePath('/', decoded) + (decoded.endsWith('/') && decoded !== '/' ? '/' : '');
    const files = this.env.files;
    if (uri.endsWith('/')) {
      for (const index of ['index.html', 'index.htm']) {
        const p = resolvePath(HTML_ROOT, `.${uri}${index}`);
        if (files.stat(p) === 'file') return this.#file(req, method, p);
      }
      const dir = resolvePath(HTML_ROOT, `.${uri}`);
      if (files.stat(dir) === 'dir') {
        this.#errorLog(req, `directory index of "${dir}/" is forbidden`.replace('//"', '/"'));
        return this.#error(403);
      }
      this.#errorLog(req, `"${resolvePath(HTML_ROOT, `.${uri}`)}/index.html" is not found (2: No such file or directory)`);
      return this.#error(404);
    }
    const p = resolvePath(HTML_ROOT, `.${uri}`);
    const kind = files.stat(p);
    if (kind === 'file') return this.#file(req, method, p);
    if (kind === 'dir') {
      const hostHeader = req.headers.host ?? 'localhost';
      const host = hostHeader.replace(/:\d+$/, '');
      const port = this.env.port === 80 ? '' : `:${this.env.port}`;
      return this.#error(301, [['Location', `http://${host}${port}${rawPath}/`]]);
    }
    this.#errorLog(req, `open() "${p}" failed (2: No such file or directory)`);
    return this.#error(404);
  }

  #file(req: http.IncomingMessage, method: string, path: string): Reply {
    if (method === 'POST') return this.#error(405);
    const buf = this.env.files.read(path) ?? Buffer.alloc(0);
    const mtime = this.#mtimeOf(path, buf);
    const lastModified = httpDate(mtime);
    const etag = `"${Math.floor(mtime / 1000).toString(16)}-${buf.length.toString(16)}"`;
    const inm = req.headers['if-none-match'];
    const ims = req.headers['if-modified-since'];
    if ((inm !== undefined && (inm === '*' || inm.split(',').some((t) => t.trim() === etag))) || (inm === undefined && ims === lastModified)) {
      return { status: 304, headers: [['Last-Modified', lastModified], ['ETag', etag]], body: Buffer.alloc(0) };
    }
    const type = mimeType(path);
    const range = req.headers.range;
    const m = range !== undefined ? /^bytes=(\d*)-(\d*)$/.exec(range.trim()) : null;
    if (m && (m[1] !== '' || m[2] !== '')) {
      const size = buf.length;
      let start: number;
      let end: number;
      if (m[1] === '') {
        start = Math.max(0, size - Number(m[2]));
        end = size - 1;
      } else {
        start = Number(m[1]);
        end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
      }
      if (start >= size || start > end) return this.#error(416, [['Content-Range', `bytes */${size}`]]);
      const part = buf.subarray(start, end + 1);
      return {
        status: 206,
        headers: [
          ['Content-Type', type],
          ['Content-Length', String(part.length)],
          ['Last-Modified', lastModified],
          ['ETag', etag],
          ['Content-Range', `bytes ${start}-${end}/${size}`],
        ],
        body: part,
      };
    }
    return {
      status: 200,
      headers: [
        ['Content-Type', type],
        ['Content-Length', String(buf.length)],
        ['Last-Modified', lastModified],
        ['ETag', etag],
        ['Accept-Ranges', 'bytes'],
      ],
      body: buf,
    };
  }

  /** Handles one request: writes the response and the access log line. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    this.connectionId(req.socket);
    req.resume();
    const reply = this.respond(req);
    const ka = keepAlive(req) && reply.status !== 400;
    // ngx_http_header_filter order: these before Connection, the rest (ETag, Accept-Ranges, ...) after.
    const flat: string[] = ['Server', `nginx/${this.env.version}`, 'Date', httpDate(this.env.now())];
    for (const name of BEFORE_CONNECTION) {
      const h = reply.headers.find(([k]) => k === name);
      if (h) flat.push(h[0], h[1]);
    }
    flat.push('Connection', ka ? 'keep-alive' : 'close');
    for (const [k, v] of reply.headers) if (!BEFORE_CONNECTION.includes(k)) flat.push(k, v);
    res.removeHeader('Connection');
    res.sendDate = false;
    res.writeHead(reply.status, NGINX_STATUS[reply.status] ?? '', flat);
    const sendBody = req.method !== 'HEAD' && reply.status !== 304;
    res.end(sendBody ? reply.body : undefined);
    const sent = sendBody ? reply.body.length : 0;
    const h = (name: string): string => {
      const v = req.headers[name];
      return typeof v === 'string' && v !== '' ? v : '-';
    };
    put(
      this.env.stdout,
      `${req.socket.remoteAddress ?? '-'} - - [${timeLocal(this.env.now())}] "${req.method ?? ''} ${req.url ?? ''} HTTP/${req.httpVersion}" ${reply.status} ${sent} "${h('referer')}" "${h('user-agent')}" "${h('x-forwarded-for')}"\n`,
    );
  }

  /** nginx's answer to a request it cannot parse. */
  badRequest(): Buffer {
    const body = errorPage(400, this.env.version);
    return Buffer.concat([
      Buffer.from(
        `HTTP/1.1 400 Bad Request\r\nServer: nginx/${this.env.version}\r\nDate: ${httpDate(this.env.now())}\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
      ),
      body,
    ]);
  }
}
