/**
 * @module workloads/images/agnhost/netexec
 *
 * `agnhost netexec` (netexec/netexec.go): an HTTP server on --http-port
 * (8080) and a UDP server on --udp-port (8081, -1 disables it).
 *
 * ```
 *   /             NOW: <time.Now()>
 *   /hostname     the pod hostname (also /hostName)
 *   /clientip     "ip:port" of the client as the server sees it (SNAT shows here)
 *   /echo?msg=&code=            /redirect?location=&code=
 *   /healthz      200 while the UDP server runs, else 412
 *   /dial?request=hostname&protocol=http|udp&host=&port=&tries=
 *                 {"responses":[...]} / {"errors":[...]} from dialling from this pod
 *   /shell?cmd=   runs /bin/sh -c, {"output":...,"error":...}
 *   /exit?code=&timeout=&wait=   exits the container;  /shutdown: exit 0
 *   UDP           "hostname", "echo <msg>", "clientip"
 * ```
 *
 * Logs go to stderr through Go's log package. Not emulated: /upload (answers
 * "Unable to upload file."), HTTPS (--tls-cert-file), SCTP (--sctp-port).
 */
import type http from 'node:http';
import { startHttp, readBody } from '../../http/client.js';
import { isAbortError, isNetError } from '../../process.js';
import { CaptureWritable } from '../../streams.js';
import { goJson, parseDuration, sortedObject, timeNowString } from '../go/format.js';
import type { FlagDefs, FlagValue } from '../go/flags.js';
import { createGoServer, goError, sendGoResponse, type GoResponse } from '../go/http.js';
import { dialTcp, ephemeralPort, goResolve } from '../go/net.js';
import { exitLatch, goLog, goUnhandledSignal, serveOn, untilAborted, type ExitLatch } from '../program-kit.js';
import type { ContainerContext, Listening } from '../types.js';

export const NETEXEC_FLAGS: FlagDefs = {
  'http-port': { kind: 'int', default: 8080, usage: 'HTTP Listen Port' },
  'tls-cert-file': { kind: 'string', default: '', usage: 'File containing an x509 certificate for HTTPS. (CA cert, if any, concatenated after server cert)' },
  'tls-private-key-file': { kind: 'string', default: '', usage: 'File containing an x509 private key matching --tls-cert-file' },
  'udp-port': { kind: 'int', default: 8081, usage: 'UDP Listen Port' },
  'sctp-port': { kind: 'int', default: -1, usage: 'SCTP Listen Port' },
  'http-override': { kind: 'string', default: '', usage: 'Override the HTTP handler to always respond as if it were a GET with this path & params' },
  'udp-listen-addresses': { kind: 'string', default: '', usage: 'A comma separated list of ip addresses the udp servers listen from' },
};

const ROUTES = new Set(['/clientip', '/dial', '/echo', '/exit', '/healthz', '/hostname', '/redirect', '/shell', '/upload', '/hostName', '/shutdown']);

/** Go's path.Clean for the mux's redirect of unclean paths. */
function cleanPath(p: string): string {
  if (p === '') return '/';
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  let c = `/${out.join('/')}`;
  if (p.endsWith('/') && c !== '/') c += '/';
  return c;
}

interface NetexecState {
  udpReady: boolean;
  readonly latch: ExitLatch;
  readonly start: number;
}

/** `agnhost netexec`. */
export async function netexec(ctx: ContainerContext, flags: Readonly<Record<string, FlagValue>>): Promise<number> {
  const httpPort = Number(flags['http-port']);
  const udpPort = Number(flags['udp-port']);
  const sctpPort = Number(flags['sctp-port']);
  const override = String(flags['http-override']);
  if (String(flags['tls-cert-file']) !== '') {
    goLog(ctx, 'kwire: HTTPS (--tls-cert-file) is not emulated by the agnhost emulation');
    return 1;
  }
  const state: NetexecState = { udpReady: false, latch: exitLatch(), start: performance.now() };
  const sockets: Listening[] = [];
  const closeAll = (): void => {
    for (const s of sockets) s.close();
  };

  const server = createGoServer((req, res) => {
    void handle(ctx, state, req, res, override).catch((e: unknown) => {
      goLog(ctx, `http: panic serving ${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? ''}: ${e instanceof Error ? e.message : String(e)}`);
      res.destroy();
    });
  });

  goLog(ctx, `Started HTTP server on port ${httpPort}`);
  try {
    sockets.push(serveOn(ctx, { host: '', port: httpPort }, server));
  } catch (e) {
    goLog(ctx, e instanceof Error ? e.message : String(e));
    return 1;
  }
  if (udpPort !== -1) {
    const addresses = String(flags['udp-listen-addresses']);
    for (const address of addresses === '' ? [''] : [...new Set(addresses.split(','))].sort()) {
      try {
        sockets.push(ctx.pod.bindUdp({ host: address, port: udpPort }, (msg, rinfo, reply) => udpCommand(ctx, msg, `${rinfo.address}:${rinfo.port}`, reply)));
        goLog(ctx, `Started UDP server on port ${address} ${udpPort}`);
        state.udpReady = true;
      } catch (e) {
        goLog(ctx, `Error occurred: failed to create listener for UDP address ${address}:${udpPort}:${e instanceof Error ? e.message : String(e)}`);
        closeAll();
        return 1;
      }
    }
  }
  if (sctpPort !== -1) goLog(ctx, `kwire: SCTP is not emulated; --sctp-port=${sctpPort} ignored`);

  const outcome = await Promise.race([
    untilAborted(ctx.signal).then((reason) => ({ kind: 'signal' as const, reason })),
    state.latch.exited.then((code) => ({ kind: 'exit' as const, code })),
  ]);
  closeAll();
  server.closeIdleConnections();
  if (outcome.kind === 'exit') return outcome.code & 0xff;
  return goUnhandledSignal(ctx, outcome.reason);
}

function udpCommand(ctx: ContainerContext, msg: Buffer, client: string, reply: (b: Buffer) => void): void {
  const text = msg.toString('utf8').trim().toLowerCase();
  if (text === 'hostname') {
    goLog(ctx, 'Sending udp hostName response');
    reply(Buffer.from(ctx.hostname));
  } else if (text.startsWith('echo ')) {
    const resp = text.slice(5);
    goLog(ctx, `Echoing ${resp} to UDP client ${client}`);
    reply(Buffer.from(resp));
  } else if (text === 'clientip') {
    goLog(ctx, `Sending clientip back to UDP client ${client}`);
    reply(Buffer.from(client));
  } else if (text.length > 0) {
    goLog(ctx, `Unknown UDP command received from ${client}: ${text}`);
  }
}

function readAll(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(Buffer.concat(chunks)));
  });
}

async function handle(ctx: ContainerContext, state: NetexecState, req: http.IncomingMessage, res: http.ServerResponse, override: string): Promise<void> {
  const body = await readAll(req);
  const target = override !== '' ? override : (req.url ?? '/');
  const url = new URL(target, 'http://x');
  const form = new URLSearchParams(url.search);
  if (req.method === 'POST' && (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) if (!form.has(k)) form.append(k, v);
  }
  const value = (k: string): string => form.get(k) ?? '';
  const send = (r: GoResponse): void => {
    sendGoResponse(req, res, r, ctx.clock.now());
  };
  const rawPath = url.pathname;
  const clean = cleanPath(rawPath);
  if (clean !== rawPath && override === '') {
    const loc = clean + url.search;
    send({ status: 301, header: [['Content-Type', 'text/html; charset=utf-8'], ['Location', loc]], body: `<a href="${loc}">Moved Permanently</a>.\n\n` });
    return;
  }
  const path = ROUTES.has(rawPath) ? rawPath : '/';
  switch (path) {
    case '/': {
      goLog(ctx, 'GET /');
      send({ status: 200, body: `NOW: ${timeNowString(ctx.clock.now(), (performance.now() - state.start) * 1e6)}` });
      return;
    }
    case '/clientip':
      goLog(ctx, 'GET /clientip');
      send({ status: 200, body: `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? ''}` });
      return;
    case '/hostname':
    case '/hostName':
      goLog(ctx, `GET ${path}`);
      send({ status: 200, body: ctx.hostname });
      return;
    case '/healthz':
      goLog(ctx, 'GET /healthz');
      send({ status: state.udpReady ? 200 : 412 });
      return;
    case '/echo': {
      const msg = value('msg');
      const code = value('code');
      goLog(ctx, `GET /echo?msg=${msg}&code=${code}`);
      if (code !== '') {
        if (!/^[+-]?\d+$/.test(code)) {
          send({ status: 200, body: `argument 'code' must be an integer or empty, got ${JSON.stringify(code)}\n` });
          return;
        }
        send({ status: Number(code), body: msg });
        return;
      }
      send({ status: 200, body: msg });
      return;
    }
    case '/redirect': {
      const location = value('location');
      const code = value('code');
      goLog(ctx, `${req.method ?? 'GET'} /redirect?msg=${location}&code=${code}`);
      if (code !== '' && !/^[+-]?\d+$/.test(code)) {
        send({ status: 200, body: `argument 'code' must be an integer or empty, got ${JSON.stringify(code)}\n` });
        return;
      }
      const status = code === '' ? 302 : Number(code);
      const text = status === 301 ? 'Moved Permanently' : status === 302 ? 'Found' : status === 303 ? 'See Other' : status === 307 ? 'Temporary Redirect' : 'Permanent Redirect';
      const withBody = req.method === 'GET' || req.method === 'HEAD';
      send({
        status,
        header: [...(withBody ? ([['Content-Type', 'text/html; charset=utf-8']] as Array<[string, string]>) : []), ['Location', location]],
        body: withBody ? `<a href="${location.replace(/&/g, '&amp;').replace(/"/g, '&#34;')}">${text}</a>.\n\n` : '',
      });
      return;
    }
    case '/shutdown':
      goLog(ctx, 'GET /shutdown');
      state.latch.exit(0);
      return;
    case '/exit':
      return exitHandler(ctx, state, value, send);
    case '/shell':
      return shellHandler(ctx, value, send);
    case '/dial':
      return dialHandler(ctx, form, send);
    case '/upload':
      goLog(ctx, 'GET /upload');
      send({ status: 200, body: goJson({ error: 'Unable to upload file.' }) });
      goLog(ctx, 'Unable to upload file: kwire does not emulate /upload');
      return;
    default:
      send(goError('404 page not found', 404));
  }
}

async function exitHandler(ctx: ContainerContext, state: NetexecState, value: (k: string) => string, send: (r: GoResponse) => void): Promise<void> {
  const waitS = value('wait');
  const timeoutS = value('timeout');
  const codeS = value('code');
  goLog(ctx, `GET /exit?code=${codeS}&timeout=${timeoutS}&wait=${waitS}`);
  const timeout = timeoutS === '' ? { ok: true as const, nanos: 0 } : parseDuration(timeoutS);
  if (!timeout.ok) {
    send({ status: 200, body: `argument 'timeout' must be a valid golang duration or empty, got ${JSON.stringify(timeoutS)}\n` });
    return;
  }
  const wait = waitS === '' ? { ok: true as const, nanos: 0 } : parseDuration(waitS);
  if (!wait.ok) {
    send({ status: 200, body: `argument 'wait' must be a valid golang duration or empty, got ${JSON.stringify(waitS)}\n` });
    return;
  }
  if (codeS !== '' && !/^[+-]?\d+$/.test(codeS)) {
    send({ status: 200, body: `argument 'code' must be an integer [0-127] or empty, got ${JSON.stringify(codeS)}\n` });
    return;
  }
  const code = codeS === '' ? 0 : Number(codeS);
  const dur = (n: number): string => (n === 0 ? '0s' : `${n / 1e9}s`);
  goLog(ctx, `Will begin shutdown in ${dur(wait.nanos)}, allowing ${dur(timeout.nanos)} for connections to close, then will exit with ${code}`);
  if (wait.nanos > 0) await ctx.clock.sleep(wait.nanos / 1e6, ctx.pod.killed).catch(() => undefined);
  if (timeout.nanos === 0) {
    state.latch.exit(code);
    return;
  }
  send({ status: 200 });
  goLog(ctx, 'Graceful shutdown completed with: <nil>');
  setImmediate(() => state.latch.exit(code));
}

async function shellHandler(ctx: ContainerContext, value: (k: string) => string, send: (r: GoResponse) => void): Promise<void> {
  const cmd = value('shellCommand') || value('cmd');
  goLog(ctx, `GET /shell?cmd=${cmd}`);
  const out = new CaptureWritable();
  const code = await ctx.pod.spawn(['/bin/sh', '-c', cmd], { stdout: out, stderr: out });
  const output: Record<string, string> = {};
  const text = out.text();
  if (code === undefined) output['error'] = 'fork/exec /bin/sh: no such file or directory';
  else if (code !== 0) output['error'] = `exit status ${code}`;
  if (text.length > 0) output['output'] = text;
  const sorted = sortedObject(Object.entries(output));
  goLog(ctx, `Output: map[${Object.entries(sorted).map(([k, v]) => `${k}:${v}`).join(' ')}]`);
  send({ status: 200, body: goJson(sorted) });
}

async function dialHandler(ctx: ContainerContext, form: URLSearchParams, send: (r: GoResponse) => void): Promise<void> {
  const host = form.get('host') ?? '';
  const port = form.get('port') ?? '';
  const request = form.get('request') ?? '';
  const protocol = form.get('protocol') ?? '';
  const tryParam = form.get('tries') ?? '';
  goLog(ctx, `GET /dial?host=${host}&protocol=${protocol}&port=${port}&request=${request}&tries=${tryParam}`);
  let tries = 1;
  if (tryParam !== '') {
    if (!/^[+-]?\d+$/.test(tryParam)) {
      send(goError(`tries parameter is invalid. strconv.Atoi: parsing ${JSON.stringify(tryParam)}: invalid syntax`, 400));
      return;
    }
    tries = Number(tryParam);
  }
  if (request === '') {
    send(goError('request parameter not specified. <nil>', 400));
    return;
  }
  const proto = protocol.toLowerCase();
  if (proto !== '' && proto !== 'http' && proto !== 'udp' && proto !== 'sctp') {
    send(goError(`unsupported protocol. ${protocol}`, 400));
    return;
  }
  if (!/^[0-9]+$/.test(port) || Number(port) > 65535) {
    send(goError(`host and/or port param are invalid. address ${port}: invalid port`, 400));
    return;
  }
  const resolved = await goResolve(ctx, host, ctx.signal);
  if (!resolved.ok) {
    send(goError(`host and/or port param are invalid. ${resolved.error}`, 400));
    return;
  }
  const ip = resolved.ip;
  const p = Number(port);
  const responses: string[] = [];
  const errors: string[] = [];
  let last = '';
  for (let i = 0; i < tries; i++) {
    let r: { ok: true; body: string } | { ok: false; error: string };
    if (proto === 'udp') r = await dialUdp(ctx, request, ip, p);
    else if (proto === 'sctp') r = { ok: false, error: 'sctp dial failed. err:kwire does not emulate SCTP' };
    else r = await dialHttp(ctx, request, ip, p);
    if (r.ok) {
      responses.push(r.body);
      last = r.body;
    } else {
      errors.push(r.error);
      last = '';
    }
  }
  const output: Record<string, string[]> = {};
  if (errors.length > 0) output['errors'] = errors;
  if (last.length > 0) output['responses'] = responses;
  send({ status: 200, body: goJson(output) });
}

const CLIENT_TIMEOUT_MS = 5000;

/** netexec's dialHTTP: GET http://ip:port/<request> with a 5 s client timeout, following redirects. */
export async function dialHttp(ctx: ContainerContext, request: string, ip: string, port: number): Promise<{ ok: true; body: string } | { ok: false; error: string }> {
  const hostPort = `${ip}:${port}`;
  let path = `/${request}`;
  const url = (): string => `http://${hostPort}${path}`;
  const deadline = new AbortController();
  let expired = false;
  const timer = new AbortController();
  ctx.clock.sleep(CLIENT_TIMEOUT_MS, timer.signal).then(
    () => {
      expired = true;
      deadline.abort();
    },
    () => undefined,
  );
  const timeoutError = (): string => `Get ${JSON.stringify(url())}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
  try {
    for (let redirects = 0; redirects <= 10; redirects++) {
      const dial = await dialTcp(ctx, ip, port, 0, deadline.signal);
      if (dial.kind !== 'connected') {
        if (expired || dial.kind === 'timeout') return { ok: false, error: timeoutError() };
        if (dial.kind === 'refused') return { ok: false, error: `Get ${JSON.stringify(url())}: dial tcp ${hostPort}: connect: connection refused` };
        if (dial.kind === 'aborted') return { ok: false, error: `Get ${JSON.stringify(url())}: context canceled` };
        return { ok: false, error: `Get ${JSON.stringify(url())}: ${dial.error}` };
      }
      const socket = dial.socket;
      const onExpire = (): void => {
        socket.destroy();
      };
      deadline.signal.addEventListener('abort', onExpire, { once: true });
      const ex = startHttp(socket, {
        method: 'GET',
        path,
        headers: [
          ['Host', hostPort],
          ['User-Agent', 'Go-http-client/1.1'],
          ['Accept-Encoding', 'gzip'],
        ],
      });
      const res = await ex.response;
      if (!res.ok) {
        deadline.signal.removeEventListener('abort', onExpire);
        socket.destroy();
        if (expired) return { ok: false, error: timeoutError() };
        if (res.failure.kind === 'empty') return { ok: false, error: `Get ${JSON.stringify(url())}: EOF` };
        if (res.failure.kind === 'reset') return { ok: false, error: `Get ${JSON.stringify(url())}: read tcp ${ctx.net.localIp}:${ephemeralPort()}->${hostPort}: read: connection reset by peer` };
        return { ok: false, error: `Get ${JSON.stringify(url())}: net/http: HTTP/1.x transport connection broken: ${res.failure.detail}` };
      }
      const chunks: Buffer[] = [];
      const end = await readBody(res.body, { onData: (c) => chunks.push(c) });
      deadline.signal.removeEventListener('abort', onExpire);
      socket.destroy();
      if (expired) return { ok: false, error: `Get ${JSON.stringify(url())}: context deadline exceeded (Client.Timeout exceeded while reading body)` };
      const status = res.head.status;
      const location = res.head.headers.find(([k]) => k.toLowerCase() === 'location')?.[1];
      if ([301, 302, 303, 307, 308].includes(status) && location !== undefined) {
        path = new URL(location, url()).pathname + new URL(location, url()).search;
        continue;
      }
      if (end !== 'complete') return { ok: false, error: `Get ${JSON.stringify(url())}: unexpected EOF` };
      return { ok: true, body: Buffer.concat(chunks).toString('utf8') };
    }
    return { ok: false, error: `Get ${JSON.stringify(url())}: stopped after 10 redirects` };
  } finally {
    timer.abort();
  }
}

/** netexec's dialUDP: one datagram, 5 s for the reply. */
export async function dialUdp(ctx: ContainerContext, request: string, ip: string, port: number): Promise<{ ok: true; body: string } | { ok: false; error: string }> {
  const conn = `${ctx.net.localIp}:${ephemeralPort()}->${ip}:${port}`;
  try {
    const reply = await ctx.net.udpExchange(ip, port, Buffer.from(request), { timeoutMs: CLIENT_TIMEOUT_MS, signal: ctx.signal });
    if (reply.length === 0) return { ok: false, error: "reading from udp connection failed. err:'<nil>'" };
    return { ok: true, body: reply.toString('utf8') };
  } catch (e) {
    if (isNetError(e) && e.code === 'ECONNREFUSED') return { ok: false, error: `reading from udp connection failed. err:'read udp ${conn}: read: connection refused'` };
    if (isAbortError(e)) return { ok: false, error: `reading from udp connection failed. err:'read udp ${conn}: use of closed network connection'` };
    return { ok: false, error: `reading from udp connection failed. err:'read udp ${conn}: i/o timeout'` };
  }
}

