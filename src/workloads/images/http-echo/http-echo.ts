/**
 * @module workloads/images/http-echo/http-echo
 *
 * hashicorp/http-echo (main.go, handlers.go of 1.0.x): serves `-text` (or
 * $ECHO_TEXT) plus "\n" on every path with `-status-code` (default 200) and
 * the X-App-Name / X-App-Version headers; `/health` answers `{"status":"ok"}`.
 *
 * ```
 *   stderr: 2025/10/06 12:00:00 [INFO] server is listening on :8080
 *   stdout: 2025/10/06 12:00:01 10.96.0.20 10.244.2.3:40000 "GET / HTTP/1.1" 200 36 "curl/8.5.0" 43.211µs
 *   SIGTERM/SIGINT: "[INFO] received interrupt, shutting down..." then exit 2
 * ```
 *
 * Errors as upstream: no text -> "Missing -text option or ECHO_TEXT env var!"
 * (exit 127), extra arguments -> "Too many arguments!" (127), bad flags ->
 * Go's flag usage (exit 2), port taken -> "[ERR] server exited with: ..." (1).
 * Version 0.2.x behaves as 0.2.3: no -status-code, only SIGINT is handled.
 */
import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import { put } from '../../streams.js';
import { canonicalHeaderKey, durationString, logLine, logPrefix } from '../go/format.js';
import { goUsageText, parseGoFlags, type FlagDefs } from '../go/flags.js';
import { createGoServer, sendGoResponse } from '../go/http.js';
import { goLog, goUnhandledSignal, serveOn, splitListenAddress, untilAborted } from '../program-kit.js';
import type { ContainerContext, ImageProgram, Listening } from '../types.js';

/** Options that differ between http-echo releases. */
export interface HttpEchoVersion {
  /** X-App-Version. */
  readonly version: string;
  /** 1.0: -status-code, ECHO_TEXT, SIGTERM handled. */
  readonly modern: boolean;
}

function flagDefs(modern: boolean): FlagDefs {
  const defs: Record<string, FlagDefs[string]> = {
    listen: { kind: 'string', default: ':5678', usage: 'address and port to listen' },
    text: { kind: 'string', default: '', usage: 'text to put on the webpage' },
    version: { kind: 'bool', default: false, usage: 'display version information' },
  };
  if (modern) defs['status-code'] = { kind: 'int', default: 200, usage: 'http response code, e.g.: 200' };
  return defs;
}

/** The http-echo program of one image version. */
export function httpEcho(v: HttpEchoVersion): ImageProgram {
  return async (ctx: ContainerContext, argv) => {
    const defs = flagDefs(v.modern);
    const parsed = parseGoFlags(argv.slice(1), defs);
    if (!parsed.ok) {
      put(ctx.stderr, goUsageText(argv[0] ?? '/http-echo', defs, parsed.help ? undefined : parsed.error));
      return parsed.help ? 0 : 2;
    }
    const values = parsed.values;
    if (values['version'] === true) {
      put(v.modern ? ctx.stdout : ctx.stderr, `http-echo v${v.version} ()\n`);
      return 0;
    }
    let text = String(values['text']);
    if (text === '' && v.modern) text = ctx.env['ECHO_TEXT'] ?? '';
    if (text === '') {
      put(ctx.stderr, v.modern ? 'Missing -text option or ECHO_TEXT env var!\n' : 'Missing -text option!\n');
      return 127;
    }
    if (parsed.args.length > 0) {
      put(ctx.stderr, 'Too many arguments!\n');
      return 127;
    }
    const status = v.modern ? Number(values['status-code']) : 200;
    const listenFlag = String(values['listen']);
    const addr = splitListenAddress(listenFlag);
    if (!addr.ok) {
      goLog(ctx, `[INFO] server is listening on ${listenFlag}`);
      put(ctx.stderr, logLine(ctx.clock.now(), `[ERR] server exited with: ${addr.error}`));
      return 1;
    }
    const appHeaders = (): Array<[string, string]> => [
      ['X-App-Name', 'http-echo'],
      ['X-App-Version', v.version],
    ];
    const body = `${text}\n`;
    const server = createGoServer((req: http.IncomingMessage, res: http.ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      req.resume();
      if (path === '/health') {
        sendGoResponse(req, res, { status: 200, header: appHeaders(), body: '{"status":"ok"}\n' }, ctx.clock.now());
        return;
      }
      const start = performance.now();
      const sent = sendGoResponse(req, res, { status, header: appHeaders(), body }, ctx.clock.now());
      const length = req.method === 'HEAD' ? Buffer.byteLength(body) : sent;
      const ua = userAgent(req);
      const dur = durationString(Math.max(1, Math.round((performance.now() - start) * 1e6)));
      put(
        ctx.stdout,
        `${logPrefix(ctx.clock.now())}${req.headers.host ?? ''} ${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? ''} "${req.method ?? ''} ${path} HTTP/${req.httpVersion}" ${status} ${length} "${ua}" ${dur}\n`,
      );
    });
    goLog(ctx, `[INFO] server is listening on ${listenFlag}`);
    let listening: Listening;
    try {
      listening = serveOn(ctx, addr.addr, server);
    } catch (e) {
      goLog(ctx, `[ERR] server exited with: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    }
    const reason = await untilAborted(ctx.signal);
    const handled = v.modern ? reason === 'SIGTERM' || reason === 'SIGINT' : reason === 'SIGINT';
    if (!handled) {
      listening.close();
      return goUnhandledSignal(ctx, reason);
    }
    goLog(ctx, '[INFO] received interrupt, shutting down...');
    listening.close();
    server.closeIdleConnections();
    return 2;
  };
}

/** r.UserAgent(): the first User-Agent value as sent. */
function userAgent(req: http.IncomingMessage): string {
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (canonicalHeaderKey(req.rawHeaders[i] ?? '') === 'User-Agent') return req.rawHeaders[i + 1] ?? '';
  }
  return '';
}
