/**
 * @module workloads/curl/curl
 *
 * `curl` over the pod network, with curl's own texts and exit codes:
 *
 * ```
 * curl: (3) URL rejected: Malformed input to a URL function
 * curl: (6) Could not resolve host: x
 * curl: (7) Failed to connect to x port 80 after 0 ms: Couldn't connect to server
 * curl: (22) The requested URL returned error: 404            (-f)
 * curl: (28) Connection timed out after 5000 milliseconds     (-m / --connect-timeout during connect)
 * curl: (28) Operation timed out after 5000 milliseconds with 0 bytes received
 * curl: (47) Maximum (50) redirects followed                  (-L)
 * curl: (52) Empty reply from server
 * curl: (60) SSL certificate problem: self-signed certificate   (https without -k; + the sslcerts paragraph)
 * curl: (35) OpenSSL/3.3.2: error:0A00010B:SSL routines::wrong version number   (https to a plain-HTTP port)
 * ```
 *
 * Flags: -s -S -v -i -I -o FILE -O -w FMT -H -X -d/--data-* -m/--max-time
 * --connect-timeout -k/--insecure --cacert FILE --resolve -L --max-redirs -f
 * --fail-with-body -A -u -e -G --retry --retry-delay --retry-connrefused,
 * -4/-6/--http1.1 (no-ops).
 * The progress meter goes to stderr when the body is not written to a
 * terminal and -s is absent (the usual `kubectl exec POD -- curl URL`
 * without -t shows it, as on a real cluster).
 *
 * https:// runs TLS (Node's, in process) over the same virtual connection
 * (./tls.ts words it as curl's OpenSSL backend does): SNI is the URL's host
 * unless it is an IP; the chain is verified against the image's CA bundle
 * (Node's Mozilla roots: neither kwire's CA nor the ingress controller's fake
 * certificate is in it) or the --cacert (else $CURL_CA_BUNDLE) file read
 * from the pod's files, and the name against the URL's host; -k skips both. Only http/1.1 is offered
 * over ALPN (kwire's curl speaks no HTTP/2). --connect-timeout and -m cover
 * the handshake. Proxies are refused.
 */
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { rootCertificates as nodeRoots } from 'node:tls';
import type { Program, ProcessContext } from '../process.js';
import { NET_ERROR_TEXT, isNetError, isatty, signalExitCode } from '../process.js';
import { basename, fsErrorText, resolvePath } from '../fs.js';
import { resolveHost } from '../resolver/resolver.js';
import { ipFamily } from '../resolver/ip.js';
import { headerValue, readBody, startHttp, statusLine } from '../http/client.js';
import type { HttpHead } from '../http/client.js';
import { pemCertificates, startTls, trustContext } from '../http/tls-client.js';
import { readAll, put } from '../streams.js';
import { race } from '../timing.js';
import { parseCurlArgs } from './args.js';
import type { CurlOptions } from './args.js';
import { Meter } from './meter.js';
import type { MeterState } from './meter.js';
import { CURL_7, CURL_8, helpHint } from './profile.js';
import type { CurlProfile } from './profile.js';
import { caCertHelp, certLevelLines, checkHost, connectionLines, handshakeErrorText, opensslVersion, oneline, trustAnchors, verifyResult } from './tls.js';
import { hostHeader, parseCurlUrl, resolveLocation } from './url.js';
import type { CurlUrl } from './url.js';
import { writeOut } from './write-out.js';
import type { TransferInfo } from './write-out.js';

/** A failed transfer: curl's exit code and message. */
class Fail {
  constructor(
    readonly code: number,
    readonly message: string,
  ) {}
}

/** The process was signalled. */
class Killed {}

interface Output {
  write(chunk: Buffer): void;
  readonly toStdout: boolean;
  readonly filename: string;
}

interface Mutable {
  httpCode: number;
  httpVersion: string;
  remoteIp: string;
  remotePort: number;
  timeNamelookup: number;
  timeConnect: number;
  /** TLS handshake done (0 for http). */
  timeAppconnect: number;
  /** X509 verification result of the last https connection (0: ok). */
  sslVerifyResult: number;
  timeStarttransfer: number;
  timeRedirect: number;
  sizeDownload: number;
  sizeUpload: number;
  sizeHeader: number;
  sizeRequest: number;
  contentType: string;
  urlEffective: string;
  numRedirects: number;
  redirectUrl: string;
  method: string;
  scheme: string;
  numConnects: number;
  headers: Array<readonly [string, string]>;
}

function urlencode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

class CurlRun {
  private readonly verbose: (line: string) => void;
  private readonly resolveMap = new Map<string, string[]>();

  constructor(
    private readonly ctx: ProcessContext,
    private readonly o: CurlOptions,
    private readonly p: CurlProfile,
  ) {
    this.verbose = o.verbose ? (line) => put(ctx.stderr, line) : () => undefined;
    for (const r of o.resolve) {
      const m = /^\+?([^:]+):(\d+):(.+)$/.exec(r);
      if (!m) continue;
      const addrs = (m[3] ?? '').split(',').map((a) => a.replace(/^\[|\]$/g, ''));
      this.resolveMap.set(`${(m[1] ?? '').toLowerCase()}:${m[2] ?? ''}`, addrs);
      this.verbose(`* Added ${m[1] ?? ''}:${m[2] ?? ''}:${addrs.join(',')} to DNS cache\n`);
    }
  }

  private get showErrors(): boolean {
    return !this.o.silent || this.o.showError;
  }

  private async requestBody(): Promise<Buffer | undefined> {
    if (this.o.data.length === 0) return undefined;
    const parts: string[] = [];
    for (const raw of this.o.data) {
      let kind = 'data';
      let v = raw;
      if (raw.startsWith('\u0000raw')) {
        kind = 'raw';
        v = raw.slice(4);
      } else if (raw.startsWith('\u0000bin')) {
        kind = 'bin';
        v = raw.slice(4);
      } else if (raw.startsWith('\u0000enc')) {
        kind = 'enc';
        v = raw.slice(4);
      }
      if (kind === 'enc') {
        const eq = v.indexOf('=');
        parts.push(eq > 0 ? `${v.slice(0, eq)}=${urlencode(v.slice(eq + 1))}` : urlencode(eq === 0 ? v.slice(1) : v));
        continue;
      }
      if ((kind === 'data' || kind === 'bin') && v.startsWith('@')) {
        const name = v.slice(1);
        let content: string;
        if (name === '-') content = (await readAll(this.ctx.stdin, this.ctx.signal).catch(() => Buffer.alloc(0))).toString('utf8');
        else {
          const data = this.ctx.files.read(resolvePath(this.ctx.cwd, name));
          if (!data) {
            put(this.ctx.stderr, `Warning: Couldn't read data from file "${name}", this makes an empty POST.\n`);
            content = '';
          } else content = data.toString('utf8');
        }
        if (kind === 'data') content = content.replace(/[\r\n]/g, '');
        parts.push(content);
        continue;
      }
      parts.push(v);
    }
    return Buffer.from(parts.join('&'));
  }

  private openOutput(url: CurlUrl, index: number): Output {
    const out = this.o.outputs[index];
    const remote = out === undefined && index < this.o.remoteName;
    let name = out;
    if (remote) {
      name = basename((url.pathQuery.split('?')[0] ?? '').replace(/\/+$/, '') === '' ? '' : (url.pathQuery.split('?')[0] ?? ''));
      if (!name || url.pathQuery.split('?')[0]?.endsWith('/')) throw new Fail(23, 'Remote file name has no length');
    }
    if (name === undefined || name === '-') {
      return { write: (c) => put(this.ctx.stdout, c), toStdout: true, filename: '' };
    }
    const path = resolvePath(this.ctx.cwd, name);
    const fname = name;
    let opened = false;
    return {
      toStdout: false,
      filename: fname,
      write: (c) => {
        try {
          this.ctx.files.write(path, c, opened ? 'append' : 'truncate');
          opened = true;
        } catch (e) {
          put(this.ctx.stderr, `Warning: Failed to open the file ${fname}: ${fsErrorText(e)}\n`);
          throw new Fail(23, 'Failure writing output to destination');
        }
      },
    };
  }

  /** Milliseconds left before -m, or undefined. */
  private left(t0: number, limitSec: number | undefined): number | undefined {
    if (limitSec === undefined || limitSec === 0) return undefined;
    return Math.max(0, t0 + limitSec * 1000 - this.ctx.clock.now());
  }

  private minLeft(a: number | undefined, b: number | undefined): number | undefined {
    if (a === undefined) return b;
    if (b === undefined) return a;
    return Math.min(a, b);
  }

  /** One URL, with --retry. */
  async run(urlText: string, index: number): Promise<number> {
    let retriesLeft = this.o.retry;
    let delay = (this.o.retryDelay ?? 1) * 1000;
    for (;;) {
      const r = await this.transfer(urlText, index);
      if (r.code === 0 || retriesLeft <= 0 || r.killed) return r.code;
      const reason =
        r.code === 28 ? 'timeout' : r.code === 7 && this.o.retryConnrefused ? 'connection refused' : r.transientHttp ? 'HTTP error' : undefined;
      if (!reason) return r.code;
      if (!this.o.silent) {
        const secs = Math.round(delay / 1000);
        put(
          this.ctx.stderr,
          `Warning: Problem : ${reason}. Will retry in ${secs} second${secs === 1 ? '' : 's'}. ${retriesLeft} retr${retriesLeft === 1 ? 'y' : 'ies'} left.\n`,
        );
      }
      retriesLeft--;
      try {
        await this.ctx.clock.sleep(delay, this.ctx.signal);
      } catch {
        return signalExitCode(this.ctx.signal.reason);
      }
      if (this.o.retryDelay === undefined) delay = Math.min(delay * 2, 600_000);
    }
  }

  private async transfer(urlText: string, index: number): Promise<{ code: number; killed?: boolean; transientHttp?: boolean }> {
    const ctx = this.ctx;
    const o = this.o;
    const t0 = ctx.clock.now();
    const elapsed = (): number => ctx.clock.now() - t0;
    const info: Mutable = {
      httpCode: 0,
      httpVersion: '1.1',
      remoteIp: '',
      remotePort: 0,
      timeNamelookup: 0,
      timeConnect: 0,
      timeAppconnect: 0,
      sslVerifyResult: 0,
      timeStarttransfer: 0,
      timeRedirect: 0,
      sizeDownload: 0,
      sizeUpload: 0,
      sizeHeader: 0,
      sizeRequest: 0,
      contentType: '',
      urlEffective: urlText,
      numRedirects: 0,
      redirectUrl: '',
      method: 'GET',
      scheme: 'http',
      numConnects: 0,
      headers: [],
    };
    let output: Output | undefined;
    let meter: Meter | undefined;
    let received = 0;
    let total: number | undefined;
    let sent = 0;
    const meterState = (): MeterState => ({ received, total, sent, elapsedMs: elapsed() });
    let ticker: { stop: () => void } | undefined;
    let code = 0;
    let message = '';
    let transientHttp = false;
    let killed = false;
    try {
      const parsed = parseCurlUrl(urlText);
      if (!parsed.ok) {
        throw new Fail(
          parsed.code,
          parsed.code === 1
            ? `${parsed.reason}${this.p.generation === 7 ? ' or disabled in libcurl' : ''}`
            : this.p.generation === 8
              ? `URL rejected: ${parsed.reason}`
              : 'URL using bad/illegal format or missing URL',
        );
      }
      let url = parsed.url;
      if (o.proxy) throw new Fail(5, `Could not resolve proxy: ${o.proxy} (proxies are not emulated by kwire)`);
      output = this.openOutput(url, index);
      const showMeter = !o.silent && !o.noProgress && !(output.toStdout && isatty(ctx, 1));
      if (showMeter) {
        const m = new Meter((s) => put(ctx.stderr, s));
        meter = m;
        m.update(meterState());
        ticker = this.startTicker(() => m.update(meterState()));
      }
      const body = await this.requestBody();
      let method = o.head ? 'HEAD' : body && !o.get ? 'POST' : 'GET';
      if (o.get && body) {
        const sep = url.pathQuery.includes('?') ? '&' : '?';
        const withQuery = parseCurlUrl(`${url.href}${sep}${body.toString('utf8')}`);
        if (withQuery.ok) url = withQuery.url;
      }
      let sendBody = o.get ? undefined : body;
      for (;;) {
        info.urlEffective = url.href;
        info.scheme = url.scheme;
        info.method = o.method ?? method;
        const head = await this.exchange(url, info, sendBody, t0, output, (n) => {
          received += n;
          info.sizeDownload = received;
        }, (t) => {
          total = t;
        }, (n) => {
          sent = n;
        });
        if (head.redirect && o.location) {
          if (info.numRedirects >= o.maxRedirs && o.maxRedirs !== -1) throw new Fail(47, `Maximum (${o.maxRedirs}) redirects followed`);
          const next = resolveLocation(url, head.redirect);
          if (!next.ok) throw new Fail(3, `URL rejected: ${next.reason}`);
          this.verbose(`* Issue another request to this URL: '${next.url.href}'\n`);
          info.numRedirects++;
          info.timeRedirect = elapsed() / 1000;
          if (head.status === 303 || ((head.status === 301 || head.status === 302) && method === 'POST')) {
            method = 'GET';
            sendBody = undefined;
          }
          url = next.url;
          received = 0;
          total = undefined;
          continue;
        }
        if (head.redirect) {
          const target = resolveLocation(url, head.redirect);
          info.redirectUrl = target.ok ? target.url.href : '';
        }
        if ((o.fail || o.failWithBody) && head.status >= 400) {
          transientHttp = [408, 429, 500, 502, 503, 504].includes(head.status);
          throw new Fail(22, `The requested URL returned error: ${head.status}${this.p.generation === 7 && head.reason ? ` ${head.reason}` : ''}`);
        }
        break;
      }
    } catch (e) {
      if (e instanceof Fail) {
        code = e.code;
        message = e.message;
      } else if (e instanceof Killed) {
        killed = true;
        code = signalExitCode(ctx.signal.reason);
      } else throw e;
    } finally {
      ticker?.stop();
    }
    if (killed) return { code, killed: true };
    meter?.finish(meterState());
    if (code !== 0 && this.showErrors) {
      put(ctx.stderr, `curl: (${code}) ${message}\n`);
      if (code === 60) put(ctx.stderr, caCertHelp(this.p));
    }
    if (o.writeOut !== undefined) {
      let fmt = o.writeOut;
      if (fmt.startsWith('@')) {
        const name = fmt.slice(1);
        fmt = name === '-' ? (await readAll(ctx.stdin, ctx.signal).catch(() => Buffer.alloc(0))).toString('utf8') : (ctx.files.read(resolvePath(ctx.cwd, name))?.toString('utf8') ?? '');
      }
      const t: TransferInfo = {
        ...info,
        localIp: info.numConnects ? ctx.net.localIp : '',
        localPort: info.numConnects ? 40000 + (info.numConnects % 20000) : 0,
        timePretransfer: info.timeAppconnect || info.timeConnect,
        timeTotal: elapsed() / 1000,
        url: urlText,
        exitcode: code,
        errormsg: message,
        filenameEffective: output?.filename ?? '',
      };
      const wo = writeOut(fmt, t);
      for (const w of wo.warnings) put(ctx.stderr, `curl: ${w}\n`);
      for (const piece of wo.pieces) put(piece.stream === 'stdout' ? ctx.stdout : ctx.stderr, piece.text);
    }
    return { code, transientHttp };
  }

  private startTicker(tick: () => void): { stop: () => void } {
    const ctl = new AbortController();
    void (async () => {
      for (;;) {
        try {
          await this.ctx.clock.sleep(1000, ctl.signal);
        } catch {
          return;
        }
        tick();
      }
    })();
    return { stop: () => ctl.abort() };
  }

  private async resolve(url: CurlUrl, t0: number): Promise<string[]> {
    const ctx = this.ctx;
    const cached = this.resolveMap.get(`${url.host.toLowerCase()}:${url.port}`);
    if (cached) {
      this.verbose(`* Hostname ${url.host} was found in DNS cache\n`);
      return cached;
    }
    const limit = this.minLeft(this.left(t0, this.o.maxTime), this.left(t0, this.o.connectTimeout));
    const r = await race(ctx.clock, limit, ctx.signal, resolveHost(ctx, url.host, { family: 'any', signal: ctx.signal }));
    if (r.kind === 'aborted') throw new Killed();
    if (r.kind === 'timeout') throw new Fail(28, `Resolving timed out after ${ctx.clock.now() - t0} milliseconds`);
    const res = r.value;
    if (!res.ok) {
      if (res.error === 'aborted') throw new Killed();
      throw new Fail(6, `Could not resolve host: ${url.host}`);
    }
    const v4 = res.addresses.filter((a) => a.family === 4).map((a) => a.address);
    const v6 = res.addresses.filter((a) => a.family === 6).map((a) => a.address);
    if (this.p.generation === 8 && ipFamily(url.host) === undefined) {
      this.verbose(`* Host ${url.host}:${url.port} was resolved.\n* IPv6: ${v6.length ? v6.join(', ') : '(none)'}\n* IPv4: ${v4.length ? v4.join(', ') : '(none)'}\n`);
    }
    return [...v4, ...v6];
  }

  private async connect(url: CurlUrl, addrs: ReadonlyArray<string>, t0: number): Promise<{ socket: Duplex; ip: string }> {
    const ctx = this.ctx;
    let lastErr: { code: number; text: string } | undefined;
    for (const ip of addrs) {
      const shown = ip.includes(':') ? `[${ip}]` : ip;
      this.verbose(`*   Trying ${shown}:${url.port}...\n`);
      const limit = this.minLeft(this.left(t0, this.o.maxTime), this.left(t0, this.o.connectTimeout ?? 300));
      const ctl = new AbortController();
      let r;
      try {
        r = await race(ctx.clock, limit, ctx.signal, ctx.net.connectTcp(ip, url.port, { signal: ctl.signal }), () => ctl.abort());
      } catch (e) {
        if (!isNetError(e)) throw e;
        const text = NET_ERROR_TEXT[e.code];
        this.verbose(
          this.p.generation === 8
            ? `* connect to ${ip} port ${url.port} from ${ctx.net.localIp} port ${40000 + (ctx.clock.now() % 20000)} failed: ${text}\n`
            : `* connect to ${ip} port ${url.port} failed: ${text}\n`,
        );
        lastErr = { code: e.code === 'ETIMEDOUT' ? 28 : 7, text };
        continue;
      }
      if (r.kind === 'aborted') throw new Killed();
      if (r.kind === 'timeout') throw new Fail(28, `Connection timed out after ${ctx.clock.now() - t0} milliseconds`);
      this.verbose(
        this.p.generation === 8
          ? `* Connected to ${url.host} (${ip}) port ${url.port}\n`
          : `* Connected to ${url.host} (${ip}) port ${url.port} (#0)\n`,
      );
      return { socket: r.value, ip };
    }
    const err = lastErr ?? { code: 7, text: 'Connection refused' };
    const msg =
      this.p.generation === 8
        ? `Failed to connect to ${url.host} port ${url.port} after ${ctx.clock.now() - t0} ms: Couldn't connect to server`
        : `Failed to connect to ${url.host} port ${url.port}: ${err.text}`;
    this.verbose(`* ${msg}\n`);
    this.verbose(this.p.generation === 8 ? '* Closing connection\n' : '* Closing connection 0\n');
    throw new Fail(err.code, msg);
  }

  /**
   * The TLS handshake of an https:// transfer on a connected socket, with
   * curl's -v lines (Curl_ossl_report_handshake, Curl_oss_check_peer_cert)
   * and failures: 77 (unreadable --cacert), 35 (handshake), 60 (chain or name),
   * 28 (connect timeout). Returns the TLS stream to speak HTTP on.
   */
  private async tlsHandshake(url: CurlUrl, raw: Duplex, info: Mutable, t0: number): Promise<Duplex> {
    const ctx = this.ctx;
    const o = this.o;
    const gen8 = this.p.generation === 8;
    const fail = (code: number, msg: string): Fail => {
      raw.destroy();
      this.verbose(`* ${msg}\n`);
      this.verbose(gen8 ? '* Closing connection\n' : '* Closing connection 0\n');
      return new Fail(code, msg);
    };
    this.verbose(gen8 ? '* ALPN: curl offers http/1.1\n' : '* ALPN, offering http/1.1\n');
    // The CA file: --cacert, else $CURL_CA_BUNDLE (curlimages/curl sets it
    // to its /cacert.pem, Mozilla's bundle, which the emulation stands for
    // with Node's Mozilla roots: a bundle file holding no certificate counts
    // as that). curl 8 (Alpine) has no CA path, so the file replaces the
    // bundle; Debian's 7.74 keeps its CA path (/etc/ssl/certs) beside it.
    let ca: 'system' | string[] = 'system';
    const caFile = o.cacert ?? ctx.env['CURL_CA_BUNDLE'];
    if (caFile !== undefined && caFile !== '') {
      let text: string | undefined;
      try {
        text = ctx.files.read(resolvePath(ctx.cwd, caFile))?.toString('utf8');
      } catch {
        text = undefined;
      }
      const pems = text === undefined ? [] : pemCertificates(text);
      if (pems.length > 0) ca = gen8 ? pems : [...nodeRoots, ...pems];
      else if (text !== undefined && o.cacert === undefined) ca = 'system';
      else if (!o.insecure) {
        throw fail(77, gen8 ? `error setting certificate file: ${caFile}` : `error setting certificate verify locations:\n  CAfile: ${caFile}\n  CApath: /etc/ssl/certs`);
      }
    }
    const host = url.host;
    const hs = startTls(raw, {
      servername: ipFamily(host) === undefined ? host.replace(/\.$/, '') : undefined,
      secureContext: trustContext(ca),
      alpn: ['http/1.1'],
    });
    const limit = this.minLeft(this.left(t0, o.maxTime), this.left(t0, o.connectTimeout ?? 300));
    const r = await race(ctx.clock, limit, ctx.signal, hs.done, () => hs.abort());
    if (r.kind === 'aborted') throw new Killed();
    if (r.kind === 'timeout') throw new Fail(28, `Connection timed out after ${ctx.clock.now() - t0} milliseconds`);
    const done = r.value;
    if (!done.ok) throw fail(35, handshakeErrorText(done.error, host, url.port, this.p));
    const sock = done.socket;
    const refuse = (msg: string): Fail => {
      sock.destroy();
      return fail(60, msg);
    };
    info.timeAppconnect = (ctx.clock.now() - t0) / 1000;
    const anchors = (): ReturnType<typeof trustAnchors> => trustAnchors(ca);
    // Once only: see verifyResult.
    const cert = sock.getPeerX509Certificate();
    const v = verifyResult(sock, cert, anchors, this.p);
    info.sslVerifyResult = v.code;
    // OpenSSL fails the handshake itself on a bad chain when verifying.
    if (!o.insecure && v.code !== 0) throw refuse(`SSL certificate problem: ${v.text}`);
    for (const line of connectionLines(sock, cert, this.p)) this.verbose(line);
    if (cert) {
      this.verbose('* Server certificate:\n');
      this.verbose(`*  subject: ${oneline(cert.subject)}\n`);
      this.verbose(`*  start date: ${cert.validFrom}\n`);
      this.verbose(`*  expire date: ${cert.validTo}\n`);
      if (!o.insecure) {
        const hc = checkHost(cert, host, this.p);
        if (!hc.ok) {
          for (const line of hc.lines) this.verbose(line);
          throw refuse(hc.message);
        }
        this.verbose(hc.line);
      }
      this.verbose(`*  issuer: ${oneline(cert.issuer)}\n`);
      this.verbose(v.code === 0 ? '*  SSL certificate verify ok.\n' : `*  SSL certificate verify result: ${v.text} (${v.code}), continuing anyway.\n`);
      if (gen8 && o.verbose) for (const line of certLevelLines(cert, v.code === 0, anchors())) this.verbose(line);
    }
    return sock;
  }

  /** One request/response; returns the status and a Location to follow. */
  private async exchange(
    url: CurlUrl,
    info: Mutable,
    body: Buffer | undefined,
    t0: number,
    output: Output,
    onBytes: (n: number) => void,
    onTotal: (t: number | undefined) => void,
    onSent: (n: number) => void,
  ): Promise<{ status: number; reason: string; redirect?: string }> {
    const ctx = this.ctx;
    const o = this.o;
    const addrs = await this.resolve(url, t0);
    info.timeNamelookup = (ctx.clock.now() - t0) / 1000;
    const { socket: raw, ip } = await this.connect(url, addrs, t0);
    info.numConnects++;
    info.remoteIp = ip;
    info.remotePort = url.port;
    info.timeConnect = (ctx.clock.now() - t0) / 1000;
    if (url.scheme === 'ftps' || url.scheme === 'ftp') {
      raw.destroy();
      throw new Fail(1, `Protocol "${url.scheme}" not supported by kwire`);
    }
    const socket = url.scheme === 'https' ? await this.tlsHandshake(url, raw, info, t0) : raw;
    if (this.p.generation === 8) this.verbose('* using HTTP/1.x\n');

    // the request head, in curl's order
    const method = info.method;
    const custom = o.headers.map((h) => {
      const colon = h.indexOf(':');
      const semi = h.indexOf(';');
      if (colon > 0) return { name: h.slice(0, colon), value: h.slice(colon + 1).trim(), remove: h.slice(colon + 1).trim() === '' };
      if (semi > 0 && semi === h.length - 1) return { name: h.slice(0, semi), value: '', remove: false };
      return undefined;
    });
    const overridden = (n: string): boolean => custom.some((c) => c && c.name.toLowerCase() === n.toLowerCase());
    const headers: Array<[string, string]> = [];
    if (!overridden('Host')) headers.push(['Host', hostHeader(url)]);
    const user = o.user ?? url.user;
    if (user !== undefined && !overridden('Authorization')) headers.push(['Authorization', `Basic ${Buffer.from(decodeURIComponent(user.includes(':') ? user : `${user}:`)).toString('base64')}`]);
    if (!overridden('User-Agent')) headers.push(['User-Agent', o.userAgent ?? `curl/${this.p.version}`]);
    if (!overridden('Accept')) headers.push(['Accept', '*/*']);
    if (o.referer && !overridden('Referer')) headers.push(['Referer', o.referer]);
    for (const c of custom) if (c && !c.remove) headers.push([c.name, c.value]);
    if (body) {
      if (!overridden('Content-Length')) headers.push(['Content-Length', String(body.length)]);
      if (!overridden('Content-Type')) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
    }
    const reqLine = `${method} ${url.pathQuery} HTTP/1.1`;
    const reqText = `${reqLine}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    info.sizeRequest = Buffer.byteLength(reqText) + (body?.length ?? 0);
    this.verbose(reqText.split('\r\n').slice(0, -1).map((l) => `> ${l}\r\n`).join(''));
    const ex = startHttp(socket, { method, path: url.pathQuery, headers, body });
    const destroy = (): void => {
      ex.destroy();
      raw.destroy();
    };
    if (body) {
      info.sizeUpload = body.length;
      onSent(body.length);
      if (!isatty(ctx, 1)) this.verbose(`} [${body.length} bytes data]\n`);
    }
    if (this.p.generation === 8) this.verbose(body ? `* upload completely sent off: ${body.length} bytes\n` : '* Request completely sent off\n');

    const limit = this.left(t0, o.maxTime);
    const got = await race(ctx.clock, limit, ctx.signal, ex.response, destroy);
    if (got.kind === 'aborted') throw new Killed();
    if (got.kind === 'timeout') throw new Fail(28, `Operation timed out after ${ctx.clock.now() - t0} milliseconds with 0 bytes received`);
    const resp = got.value;
    if (!resp.ok) {
      destroy();
      if (resp.failure.kind === 'empty') throw new Fail(52, 'Empty reply from server');
      if (resp.failure.kind === 'reset') throw new Fail(56, 'Recv failure: Connection reset by peer');
      throw new Fail(8, 'Weird server reply');
    }
    const head: HttpHead = resp.head;
    info.timeStarttransfer = (ctx.clock.now() - t0) / 1000;
    info.httpCode = head.status;
    info.httpVersion = head.version;
    info.headers = [...head.headers];
    info.contentType = headerValue(head, 'content-type') ?? '';
    const headText = `${statusLine(head)}\r\n${head.headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
    info.sizeHeader += Buffer.byteLength(headText);
    if (this.p.generation === 7) this.verbose('* Mark bundle as not supporting multiuse\n');
    this.verbose(headText.split('\r\n').slice(0, -1).map((l) => `< ${l}\r\n`).join(''));
    const location = headerValue(head, 'location');
    const isRedirect = [300, 301, 302, 303, 307, 308].includes(head.status) && location !== undefined;
    const clen = headerValue(head, 'content-length');
    const chunked = (headerValue(head, 'transfer-encoding') ?? '').toLowerCase() === 'chunked';
    const expected = clen !== undefined && !chunked && method !== 'HEAD' ? Number(clen) : undefined;
    onTotal(expected);
    const failing = o.fail && head.status >= 400;
    if ((o.include || o.head) && !failing) output.write(Buffer.from(headText));

    let bytes = 0;
    if (method !== 'HEAD' && !(isRedirect && o.location)) {
      const dataNote = !isatty(ctx, 1);
      let noted = false;
      const ended = readBody(resp.body as IncomingMessage, {
        onData: (c) => {
          bytes += c.length;
          onBytes(c.length);
          if (dataNote && !noted) {
            noted = true;
            this.verbose(`{ [${c.length} bytes data]\n`);
          }
          if (!failing) output.write(c);
        },
      });
      const rb = await race(ctx.clock, this.left(t0, o.maxTime), ctx.signal, ended, destroy);
      if (rb.kind === 'aborted') throw new Killed();
      if (rb.kind === 'timeout') {
        throw new Fail(
          28,
          expected !== undefined
            ? `Operation timed out after ${ctx.clock.now() - t0} milliseconds with ${bytes} out of ${expected} bytes received`
            : `Operation timed out after ${ctx.clock.now() - t0} milliseconds with ${bytes} bytes received`,
        );
      }
      if (rb.value === 'reset') throw new Fail(56, 'Recv failure: Connection reset by peer');
      if (rb.value === 'closed-early' || (expected !== undefined && bytes < expected)) {
        throw new Fail(18, `transfer closed with ${Math.max(0, (expected ?? bytes) - bytes)} bytes remaining to read`);
      }
    }
    destroy();
    const closing = (headerValue(head, 'connection') ?? '').toLowerCase() === 'close';
    if (this.p.generation === 8) this.verbose(closing ? '* shutting down connection #0\n' : `* Connection #0 to host ${url.host} left intact\n`);
    else this.verbose(closing ? '* Closing connection 0\n' : `* Connection #0 to host ${url.host} left intact\n`);
    return { status: head.status, reason: head.reason, redirect: isRedirect ? location : undefined };
  }
}

const HELP = `Usage: curl [options...] <url>
 -d, --data <data>           HTTP POST data
 -f, --fail                  Fail fast with no output on HTTP errors
 -h, --help <category>       Get help for commands
 -i, --include               Include response headers in output
 -o, --output <file>         Write to file instead of stdout
 -O, --remote-name           Write output to file named as remote file
 -s, --silent                Silent mode
 -T, --upload-file <file>    Transfer local FILE to destination
 -u, --user <user:password>  Server user and password
 -A, --user-agent <name>     Send User-Agent <name> to server
 -v, --verbose               Make the operation more talkative
 -V, --version               Show version number and quit

This is not the full help; this menu is split into categories.
`;

/** Builds a curl program for one build profile. */
export function makeCurl(profile: CurlProfile): Program {
  return async (ctx, argv) => {
    const parsed = parseCurlArgs(argv.slice(1));
    if (!parsed.ok) {
      put(ctx.stderr, `curl: ${parsed.message}\n${helpHint(profile)}`);
      return 2;
    }
    const o = parsed.opts;
    if (o.help) {
      put(ctx.stdout, HELP);
      return 0;
    }
    if (o.version) {
      const triple = ctx.libc === 'musl' ? 'x86_64-alpine-linux-musl' : 'x86_64-pc-linux-gnu';
      put(ctx.stdout, `curl ${profile.version} (${triple}) libcurl/${profile.version} OpenSSL/${opensslVersion(profile)}\nRelease-Date: kwire emulation\nProtocols: http https\nFeatures: IPv6 Largefile SSL\n`);
      return 0;
    }
    if (o.urls.length === 0) {
      put(ctx.stderr, `curl: no URL specified${profile.generation === 7 ? '!' : ''}\n${helpHint(profile)}`);
      return 2;
    }
    const run = new CurlRun(ctx, o, profile);
    let status = 0;
    for (let i = 0; i < o.urls.length; i++) {
      const code = await run.run(o.urls[i] ?? '', i);
      if (ctx.signal.aborted) return signalExitCode(ctx.signal.reason);
      if (code !== 0) status = code;
    }
    return status;
  };
}

/** curl as in curlimages/curl (8.x). */
export const curl: Program = makeCurl(CURL_8);

/** curl as in Debian bullseye images such as nginx:1.21 (7.74). */
export const debianCurl: Program = makeCurl(CURL_7);
