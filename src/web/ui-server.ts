/**
 * @module web/ui-server
 * The web UI's front door: plain HTTP on 127.0.0.1 (a browser trusts
 * loopback HTTP; it would warn about the API server's self-made CA), in front
 * of the very same API handler. It adds no authority of its own: it only
 * carries the browser's credential to the API server as the bearer token
 * kubectl could send, and the API server decides (401 without it).
 *
 *   GET /?token=T  (the URL `kwire up` prints and `kwire ui` opens)
 *      -> T correct: 303 to /kwire/ui/ + Set-Cookie kwire-ui-PORT=T (HttpOnly, SameSite=Strict)
 *   any request: Authorization header as sent, else ?token=, else the cookie
 *      -> "Authorization: Bearer ..." -> ApiServer.handle (auth, /kwire/ routes, the API)
 *
 * Guards for a credential a browser sends by itself: the Host header must
 * name this listener (no DNS rebinding), and a write carried by the cookie
 * must come from this origin (Origin header; the cookie is SameSite=Strict
 * too). The cookie is named after the port: cookies ignore ports, and two
 * clusters may run side by side.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { errors } from '../errors.js';
import { sendStatus } from '../apiserver/http-util.js';

export interface UiServerOptions {
  /** The API server's request handler (ApiServer.handle). */
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** The API's bearer token (what the login URL carries). */
  readonly token: string;
  /** 0 or absent: a free port chosen by the system. */
  readonly port?: number;
}

export interface UiServer {
  readonly port: number;
  /** `http://127.0.0.1:PORT/kwire/ui/`, without credentials. */
  readonly url: string;
  /** The URL to open: `http://127.0.0.1:PORT/?token=...`. */
  readonly loginUrl: string;
  close(): Promise<void>;
}

/** Cookies from a Cookie header. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    const name = i < 0 ? '' : part.slice(0, i).trim();
    if (name === '') continue;
    try {
      out.set(name, decodeURIComponent(part.slice(i + 1).trim()));
    } catch {
      /* a malformed value is no credential */
    }
  }
  return out;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieName(port: number): string {
  return `kwire-ui-${port}`;
}

/** The request handler of the front door listening on `port` (exported for in-process tests). */
export function uiFrontDoor(opts: UiServerOptions, port: () => number): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    try {
      const p = port();
      const hosts = [`127.0.0.1:${p}`, `localhost:${p}`];
      if (!hosts.includes(req.headers.host ?? '')) {
        req.resume();
        throw errors.forbidden(`the web UI answers at http://127.0.0.1:${p}/ only`);
      }
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${p}`);
      const method = req.method ?? 'GET';
      const queryToken = url.searchParams.get('token');
      if (queryToken !== null && (method === 'GET' || method === 'HEAD') && (url.pathname === '/' || url.pathname.startsWith('/kwire/ui'))) {
        if (!same(queryToken, opts.token)) {
          req.resume();
          throw errors.unauthorized();
        }
        url.searchParams.delete('token');
        const to = url.pathname === '/' ? '/kwire/ui/' : url.pathname + url.search;
        res.writeHead(303, {
          Location: to,
          'Set-Cookie': `${cookieName(p)}=${encodeURIComponent(opts.token)}; Path=/; HttpOnly; SameSite=Strict`,
          'Cache-Control': 'no-store',
          'Referrer-Policy': 'no-referrer',
        });
        res.end();
        return;
      }
      if (req.headers.authorization === undefined) {
        const cookie = parseCookies(req.headers.cookie).get(cookieName(p));
        const credential = queryToken ?? cookie;
        if (cookie !== undefined && queryToken === null && method !== 'GET' && method !== 'HEAD') {
          const origin = req.headers.origin;
          if (origin !== `http://${req.headers.host}`) {
            req.resume();
            throw errors.forbidden('a write from the web UI must come from its own page');
          }
        }
        if (credential !== undefined) req.headers.authorization = `Bearer ${credential}`;
      }
      if (url.pathname === '/') {
        req.url = '/kwire/ui/';
      }
      opts.handler(req, res);
    } catch (e) {
      sendStatus(res, e);
    }
  };
}

/** Starts the front door on 127.0.0.1. */
export async function startUiServer(opts: UiServerOptions): Promise<UiServer> {
  let bound = 0;
  const server: Server = createServer({ keepAliveTimeout: 60_000 }, uiFrontDoor(opts, () => bound));
  server.on('clientError', (_e, sock) => sock.destroy());
  bound = await new Promise<number>((resolve, reject) => {
    const onErr = (e: NodeJS.ErrnoException): void => {
      if (e.code === 'EADDRINUSE' && opts.port) {
        server.removeListener('error', onErr);
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
      } else reject(e);
    };
    server.once('error', onErr);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.removeListener('error', onErr);
      resolve((server.address() as AddressInfo).port);
    });
  });
  const base = `http://127.0.0.1:${bound}`;
  return {
    port: bound,
    url: `${base}/kwire/ui/`,
    loginUrl: `${base}/?token=${encodeURIComponent(opts.token)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
