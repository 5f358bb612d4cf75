/**
 * @module workloads/busybox/wget
 *
 * busybox 1.36 `wget` over the pod network, with its exact messages:
 *
 * ```
 * Connecting to backend-clusterip (10.96.12.34:80)        (not with -q)
 * saving to 'index.html'   | writing to stdout
 * index.html           100% |*****...*****|    37  0:00:00 ETA
 * 'index.html' saved       | written to stdout
 * wget: bad address 'x'                                   (resolver failure)
 * wget: can't connect to remote host (10.0.0.1): Connection refused
 * wget: download timed out                                (-T/--timeout, default 900 s)
 * wget: server returned error: HTTP/1.1 404 Not Found
 * wget: note: TLS certificate validation not implemented   (https, once, unless --no-check-certificate)
 * wget: got bad TLS record (len:47) while expecting handshake record   (https to a plain-HTTP port;
 *  48 54 54 50 2f ...                                                   then the bytes received)
 * wget: TLS error from peer (alert code 40): handshake failure
 * wget: error getting response: Connection reset by peer     (after either TLS failure)
 * ```
 *
 * Flags: -q -O FILE (-O- stdout) -T SEC/--timeout -S -U AGENT --spider
 * --header 'K: V' --post-data STR -P DIR -c -Y -t -n* --no-check-certificate.
 * Follows 301/302/303/307/308 (16 hops). The timeout covers the connect and
 * every read, not DNS (as in busybox). Without -O the file name comes from
 * the URL and an existing file is not overwritten.
 *
 * https:// is busybox's own TLS client (FEATURE_WGET_HTTPS, no openssl in
 * the image), emulated with Node's TLS over the same virtual connection:
 * TLS 1.2 only, SNI = the URL's host (not for an IP), no ALPN, and no
 * certificate verification at all, as in busybox. The handshake runs in a
 * helper process while wget waits for the response line under -T, so the
 * timeout covers the handshake and the response head together.
 */
import type { ProcessContext } from '../process.js';
import { NET_ERROR_TEXT, isNetError, isatty, signalExitCode } from '../process.js';
import { basename, fsErrorText, resolvePath } from '../fs.js';
import { resolveHost } from '../resolver/resolver.js';
import { startHttp, headerValue, statusLine, readBody } from '../http/client.js';
import type { HttpHead } from '../http/client.js';
import { race } from '../timing.js';
import { err, out, showUsage } from './applet.js';
import { lastOpt, parseArgs } from './getopt.js';
import type { OptDef } from './getopt.js';
import { ProgressBar } from './progress.js';
import type { Duplex } from 'node:stream';
import { startTls, trustContext } from '../http/tls-client.js';
import { ipFamily } from '../resolver/ip.js';

export const WGET_USAGE = `wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]
	[--post-data STR | --post-file FILE] [-Y on/off]
	[--no-check-certificate] [-P DIR] [-U AGENT] [-T SEC] URL...

Retrieve files via HTTP or FTP

	--spider	Only check URL existence: $? is 0 if exists
	--header STR	Add STR (of form 'header: value') to headers
	--post-data STR	Send STR using POST method
	--post-file FILE	Send FILE using POST method
	--no-check-certificate	Don't validate the server's certificate
	-c		Continue retrieval of aborted transfer
	-q		Quiet
	-P DIR		Save to DIR (default .)
	-S    		Show server response
	-T SEC		Network read timeout is SEC seconds
	-O FILE		Save to FILE ('-' for stdout)
	-o LOGFILE	Log messages to FILE
	-U STR		Use STR for User-Agent header
	-Y on/off	Use proxy`;

const OPTS: ReadonlyArray<OptDef> = [
  { name: 'c', short: 'c', long: 'continue' },
  { name: 'q', short: 'q', long: 'quiet' },
  { name: 'S', short: 'S', long: 'server-response' },
  { name: 'O', short: 'O', long: 'output-document', arg: 'required' },
  { name: 'o', short: 'o', long: 'output-file', arg: 'required' },
  { name: 'P', short: 'P', long: 'directory-prefix', arg: 'required' },
  { name: 'Y', short: 'Y', long: 'proxy', arg: 'required' },
  { name: 'U', short: 'U', long: 'user-agent', arg: 'required' },
  { name: 'T', short: 'T', long: 'timeout', arg: 'required' },
  { name: 't', short: 't', long: 'tries', arg: 'required' },
  { name: 'n', short: 'n', arg: 'optional' },
  { name: 'header', long: 'header', arg: 'required' },
  { name: 'post-data', long: 'post-data', arg: 'required' },
  { name: 'post-file', long: 'post-file', arg: 'required' },
  { name: 'spider', long: 'spider' },
  { name: 'no-check-certificate', long: 'no-check-certificate' },
  { name: 'ignored', long: 'passive-ftp' },
  { name: 'ignored', long: 'no-cache' },
  { name: 'ignored', long: 'no-verbose' },
  { name: 'ignored', long: 'no-clobber' },
  { name: 'ignored', long: 'no-host-directories' },
  { name: 'ignored', long: 'no-parent' },
];

/** A fatal error: printed as "wget: <message>", exit 1. */
class Die extends Error {}

/** An interrupted run: exit with the signal's status. */
class Killed extends Error {}

interface Target {
  readonly protocol: 'http' | 'https' | 'ftp';
  /** host[:port] as written in the URL (used for Host: and messages). */
  readonly host: string;
  readonly hostname: string;
  readonly port: number;
  /** Path without the leading "/", query included. */
  readonly path: string;
}

function parseUrl(url: string): Target {
  let rest: string;
  let protocol: Target['protocol'] = 'http';
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(url);
  if (m) {
    const scheme = (m[1] ?? '').toLowerCase();
    if (scheme !== 'http' && scheme !== 'https' && scheme !== 'ftp') throw new Die(`not an http or ftp url: ${url}`);
    protocol = scheme;
    rest = url.slice(m[0].length);
  } else rest = url;
  let cut = rest.length;
  for (const ch of ['/', '?', '#']) {
    const i = rest.indexOf(ch);
    if (i >= 0 && i < cut) cut = i;
  }
  let host = rest.slice(0, cut);
  let path = '';
  const sep = rest[cut];
  if (sep === '/') path = rest.slice(cut + 1);
  else if (sep === '?' || sep === '#') path = rest.slice(cut + 1);
  const hashAt = path.indexOf('#');
  if (sep !== '#' && hashAt >= 0) path = path.slice(0, hashAt);
  if (sep === '#') path = '';
  const at = host.lastIndexOf('@');
  if (at >= 0) host = host.slice(at + 1);
  const defPort = protocol === 'https' ? 443 : protocol === 'ftp' ? 21 : 80;
  let hostname = host;
  let port = defPort;
  const v6 = /^\[([^\]]*)\](?::(\d*))?$/.exec(host);
  if (v6) {
    hostname = v6[1] ?? '';
    if (v6[2]) port = Number(v6[2]);
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0 && host.indexOf(':') === colon) {
      hostname = host.slice(0, colon);
      const p = host.slice(colon + 1);
      if (!/^\d+$/.test(p) || Number(p) > 65535) throw new Die(`bad port spec '${p}'`);
      port = Number(p);
    }
  }
  return { protocol, host, hostname, port, path };
}

function dotted(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

class Wget {
  private readonly quiet: boolean;
  private readonly serverResponse: boolean;
  private readonly spider: boolean;
  private readonly timeoutSec: number;
  private readonly userAgent: string;
  private readonly headers: ReadonlyArray<string>;
  private readonly postData: string | undefined;
  private readonly outName: string | undefined;
  private readonly dirPrefix: string | undefined;
  private readonly columns: number;
  private readonly noCheckCertificate: boolean;
  /** The "validation not implemented" note is printed once per run. */
  private notedNoValidation = false;

  constructor(
    private readonly ctx: ProcessContext,
    opts: ReadonlyMap<string, ReadonlyArray<string>>,
  ) {
    const last = (k: string): string | undefined => lastOpt({ opts }, k);
    this.quiet = opts.has('q');
    this.serverResponse = opts.has('S');
    this.spider = opts.has('spider');
    this.noCheckCertificate = opts.has('no-check-certificate');
    const t = last('T');
    if (t !== undefined && !/^\d+$/.test(t)) throw new Die(`invalid number '${t}'`);
    this.timeoutSec = t === undefined ? 900 : Number(t);
    this.userAgent = last('U') ?? 'Wget';
    this.headers = opts.get('header') ?? [];
    const pf = last('post-file');
    if (pf !== undefined) {
      const data = ctx.files.read(resolvePath(ctx.cwd, pf));
      if (!data) throw new Die(`can't open '${pf}': No such file or directory`);
      this.postData = data.toString('utf8');
    } else this.postData = last('post-data');
    this.outName = last('O');
    this.dirPrefix = last('P');
    this.columns = Number(ctx.env['COLUMNS']) > 0 ? Number(ctx.env['COLUMNS']) : 80;
  }

  private say(s: string): void {
    if (!this.quiet) err(this.ctx, s);
  }

  private alarmMs(): number | undefined {
    return this.timeoutSec > 0 ? this.timeoutSec * 1000 : undefined;
  }

  /** The clock time -T runs out at, from now (undefined: no limit). */
  private deadline(): number | undefined {
    const ms = this.alarmMs();
    return ms === undefined ? undefined : this.ctx.clock.now() + ms;
  }

  private left(deadline: number | undefined): number | undefined {
    return deadline === undefined ? undefined : Math.max(0, deadline - this.ctx.clock.now());
  }

  /**
   * busybox's spawn_ssl_client(): the note, then the handshake. A failure is
   * printed as the TLS helper prints it, and wget itself then finds the
   * helper gone while reading the response.
   */
  private async startTls(raw: Duplex, target: Target, deadline: number | undefined): Promise<Duplex> {
    if (!this.noCheckCertificate && !this.notedNoValidation) {
      this.notedNoValidation = true;
      err(this.ctx, 'wget: note: TLS certificate validation not implemented\n');
    }
    const hs = startTls(raw, {
      servername: ipFamily(target.hostname) === undefined ? target.hostname : undefined,
      secureContext: trustContext([], 'TLSv1.2'),
    });
    const r = await race(this.ctx.clock, this.left(deadline), this.ctx.signal, hs.done, () => hs.abort());
    if (r.kind === 'timeout') throw new Die('download timed out');
    if (r.kind === 'aborted') throw new Killed();
    const done = r.value;
    if (done.ok) return done.socket;
    err(this.ctx, tlsFailureText(done.received.subarray(0, done.firstChunk), done.error.message));
    throw new Die('error getting response: Connection reset by peer');
  }

  private userHeader(prefix: string): boolean {
    return this.headers.some((h) => h.startsWith(prefix));
  }

  private async resolve(host: string, hostname: string): Promise<string> {
    const r = await resolveHost(this.ctx, hostname, { signal: this.ctx.signal });
    if (!r.ok) {
      if (r.error === 'aborted') throw new Killed();
      throw new Die(`bad address '${host}'`);
    }
    const first = r.addresses[0];
    if (!first) throw new Die(`bad address '${host}'`);
    return first.address;
  }

  private async connect(ip: string, port: number): Promise<Duplex> {
    const ctl = new AbortController();
    const r = await race(this.ctx.clock, this.alarmMs(), this.ctx.signal, this.ctx.net.connectTcp(ip, port, { signal: ctl.signal }), () => ctl.abort()).catch(
      (e: unknown) => {
        if (isNetError(e)) throw new Die(`can't connect to remote host (${ip}): ${NET_ERROR_TEXT[e.code]}`);
        throw e;
      },
    );
    if (r.kind === 'timeout') throw new Die('download timed out');
    if (r.kind === 'aborted') throw new Killed();
    return r.value;
  }

  async downloadOne(url: string): Promise<void> {
    let target = parseUrl(url);
    let fname: string;
    if (this.outName === undefined) {
      let last = target.path.slice(target.path.lastIndexOf('/') + 1);
      if (!last) last = 'index.html';
      fname = this.dirPrefix ? `${this.dirPrefix.replace(/\/$/, '')}/${last}` : last;
    } else fname = this.outName;
    const toStdout = fname === '-';
    const curfile = toStdout ? '-' : basename(fname);
    let redirLimit = 16;

    let ip = await this.resolve(target.host, target.hostname);
    this.say(`Connecting to ${target.host} (${dotted(ip, target.port)})\n`);
    for (;;) {
      if (target.protocol === 'ftp') throw new Die(`can't use ftp://${target.host}: kwire does not emulate FTP`);
      const raw = await this.connect(ip, target.port);
      const deadline = this.deadline();
      const socket = target.protocol === 'https' ? await this.startTls(raw, target, deadline) : raw;
      const reqHeaders: Array<[string, string]> = [];
      if (!this.userHeader('Host:')) reqHeaders.push(['Host', target.host]);
      if (!this.userHeader('User-Agent:')) reqHeaders.push(['User-Agent', this.userAgent]);
      reqHeaders.push(['Connection', 'close']);
      for (const h of this.headers) {
        const colon = h.indexOf(':');
        if (colon > 0) reqHeaders.push([h.slice(0, colon), h.slice(colon + 1).trim()]);
      }
      let body: Buffer | undefined;
      if (this.postData !== undefined) {
        reqHeaders.push(['Content-Type', 'application/x-www-form-urlencoded']);
        reqHeaders.push(['Content-Length', String(Buffer.byteLength(this.postData))]);
        body = Buffer.from(this.postData);
      }
      const ex = startHttp(socket, {
        method: this.postData !== undefined ? 'POST' : 'GET',
        path: `/${target.path}`,
        headers: reqHeaders,
        body,
      });
      const destroy = (): void => {
        ex.destroy();
        raw.destroy();
      };
      const got = await race(this.ctx.clock, this.left(deadline), this.ctx.signal, ex.response, destroy);
      if (got.kind === 'timeout') throw new Die('download timed out');
      if (got.kind === 'aborted') throw new Killed();
      const resp = got.value;
      if (!resp.ok) {
        destroy();
        if (resp.failure.kind === 'malformed') throw new Die(`bad header line: ${resp.failure.detail}`);
        throw new Die('error getting response: Connection reset by peer');
      }
      const head = resp.head;
      this.showResponse(head);
      const status = head.status;
      if ([300, 301, 302, 303, 307, 308].includes(status)) {
        const location = headerValue(head, 'location')?.trim();
        if (location) {
          destroy();
          if (--redirLimit === 0) throw new Die('too many redirections');
          if (location.startsWith('/')) {
            target = { ...target, path: location.slice(1) };
          } else {
            target = parseUrl(location);
            ip = await this.resolve(target.host, target.hostname);
            this.say(`Connecting to ${target.host} (${dotted(ip, target.port)})\n`);
          }
          continue;
        }
      } else if (!(status >= 200 && status <= 204)) {
        destroy();
        throw new Die(`server returned error: ${statusLine(head)}`);
      }
      if (this.spider) {
        destroy();
        this.say('remote file exists\n');
        return;
      }
      await this.retrieve(destroy, resp.body, head, toStdout, fname, curfile);
      return;
    }
  }

  private showResponse(head: HttpHead): void {
    if (!this.serverResponse) return;
    let s = `  ${statusLine(head)}\n`;
    for (const [k, v] of head.headers) s += `  ${k}: ${v}\n`;
    err(this.ctx, s);
  }

  private async retrieve(
    destroy: () => void,
    body: import('node:http').IncomingMessage,
    head: HttpHead,
    toStdout: boolean,
    fname: string,
    curfile: string,
  ): Promise<void> {
    const ctx = this.ctx;
    const path = resolvePath(ctx.cwd, fname);
    if (!toStdout) {
      const exists = ctx.files.stat(path) !== undefined;
      try {
        if (exists && this.outName === undefined) throw Object.assign(new Error('File exists'), { code: 'EEXIST' });
        ctx.files.write(path, Buffer.alloc(0), 'truncate');
      } catch (e) {
        destroy();
        throw new Die(`can't open '${fname}': ${fsErrorText(e)}`);
      }
    }
    this.say(toStdout ? 'writing to stdout\n' : `saving to '${fname}'\n`);
    const clen = headerValue(head, 'content-length');
    const chunked = (headerValue(head, 'transfer-encoding') ?? '').toLowerCase() === 'chunked';
    const total = clen !== undefined && !chunked ? Number(clen) : 0;
    const sec = (): number => Math.floor(ctx.clock.now() / 1000);
    const bar = this.quiet ? undefined : new ProgressBar(curfile, isatty(ctx, 2), this.columns, sec());
    let transferred = 0;
    // 'bump': a read-loop update; 'done': the last one, drawn as complete
    // (busybox sets got_clen before it); 'cut': the last one of a failed read.
    const draw = (kind: 'bump' | 'done' | 'cut'): void => {
      if (!bar) return;
      const s = bar.update(sec(), transferred, kind === 'done' ? transferred : total);
      if (s) err(ctx, s);
      if (kind !== 'bump') err(ctx, bar.finish());
    };
    draw('bump');

    const queue: Buffer[] = [];
    let wake: (() => void) | undefined;
    const ended = readBody(body, {
      onData: (c) => {
        queue.push(c);
        const w = wake;
        wake = undefined;
        w?.();
      },
    });
    let endState: 'complete' | 'closed-early' | 'reset' | undefined;
    void ended.then((how) => {
      endState = how;
      const w = wake;
      wake = undefined;
      w?.();
    });
    let secondCnt = this.timeoutSec;
    for (;;) {
      const chunk = queue.shift();
      if (chunk) {
        if (toStdout) out(ctx, chunk);
        else ctx.files.write(path, chunk, 'append');
        transferred += chunk.length;
        secondCnt = this.timeoutSec;
        if (total === 0 || transferred < total) draw('bump');
        continue;
      }
      if (endState) break;
      const r = await race(
        ctx.clock,
        1000,
        ctx.signal,
        new Promise<void>((resolve) => {
          wake = resolve;
        }),
      );
      if (r.kind === 'aborted') {
        destroy();
        throw new Killed();
      }
      if (r.kind === 'timeout') {
        if (secondCnt !== 0 && --secondCnt === 0) {
          draw('cut');
          destroy();
          throw new Die('download timed out');
        }
        draw('bump');
      }
    }
    destroy();
    draw('done');
    if (endState !== 'complete' || (total && transferred < total)) throw new Die('connection closed prematurely');
    this.say(toStdout ? 'written to stdout\n' : `'${fname}' saved\n`);
  }
}

/** alert_text() of busybox's tls.c. */
function alertText(code: number): string {
  const T: Readonly<Record<number, string>> = { 20: 'bad MAC', 50: 'decode error', 40: 'handshake failure', 51: 'decrypt error', 80: 'internal error', 112: 'unrecognized name' };
  return T[code] ?? String(code);
}

/**
 * What busybox's TLS client prints when the handshake fails, from the first
 * bytes the server sent (its first read) or the alert Node reports:
 * tls_xread_record()'s record-header check (bad_record_die, with up to 99
 * bytes in hex), a fatal alert, or nothing at all (len:0).
 */
function tlsFailureText(first: Buffer, nodeMessage: string): string {
  const bad = (len: number): string => {
    const dump = len > 0 ? `${[...first.subarray(0, Math.min(len, 99))].map((b) => ` ${b.toString(16).padStart(2, '0')}`).join('')}\n` : '';
    return `wget: got bad TLS record (len:${len}) while expecting handshake record\n${dump}`;
  };
  if (first.length >= 5) {
    const target = 5 + (((first[3] ?? 0) << 8) | (first[4] ?? 0));
    if (target > 5 + (1 << 14) + 2048 || first[1] !== 3 || first[2] !== 3) return bad(Math.min(first.length, target));
    if (first[0] === 0x15 && first.length >= 7 && first[5] === 2) return `wget: TLS error from peer (alert code ${first[6] ?? 0}): ${alertText(first[6] ?? 0)}\n`;
  }
  const alert = /SSL alert number (\d+)/.exec(nodeMessage);
  if (alert) return `wget: TLS error from peer (alert code ${alert[1] ?? ''}): ${alertText(Number(alert[1]))}\n`;
  return bad(0);
}

/** The wget applet. */
export async function wget(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const parsed = parseArgs('wget', argv.slice(1), OPTS, { libc: ctx.libc });
  if (!parsed.ok) return showUsage(ctx, WGET_USAGE, parsed.message);
  if (parsed.operands.length === 0) return showUsage(ctx, WGET_USAGE);
  try {
    const w = new Wget(ctx, parsed.opts);
    for (const url of parsed.operands) await w.downloadOne(url);
    return 0;
  } catch (e) {
    if (e instanceof Killed || ctx.signal.aborted) return signalExitCode(ctx.signal.reason);
    if (e instanceof Die) {
      err(ctx, `wget: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
