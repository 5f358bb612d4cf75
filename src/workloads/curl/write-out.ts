/**
 * @module workloads/curl/write-out
 *
 * `-w/--write-out FORMAT`: %{variable} substitution (http_code, remote_ip,
 * time_total, size_download, url_effective, ... and %header{name}), the
 * escapes \n \r \t \\, and %{stderr}/%{stdout} to switch the stream. Unknown
 * variables warn as curl does. Pure.
 */

export interface TransferInfo {
  readonly httpCode: number;
  readonly httpVersion: string;
  readonly remoteIp: string;
  readonly remotePort: number;
  readonly localIp: string;
  readonly localPort: number;
  readonly timeNamelookup: number;
  readonly timeConnect: number;
  /** TLS handshake done, 0 without TLS. */
  readonly timeAppconnect: number;
  readonly timePretransfer: number;
  readonly timeStarttransfer: number;
  readonly timeTotal: number;
  readonly timeRedirect: number;
  readonly sizeDownload: number;
  readonly sizeUpload: number;
  readonly sizeHeader: number;
  readonly sizeRequest: number;
  readonly contentType: string;
  readonly urlEffective: string;
  readonly url: string;
  readonly numRedirects: number;
  readonly redirectUrl: string;
  readonly exitcode: number;
  readonly errormsg: string;
  readonly method: string;
  readonly scheme: string;
  readonly numConnects: number;
  readonly filenameEffective: string;
  /** X509 verification result of the TLS connection (0: ok or no TLS). */
  readonly sslVerifyResult: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
}

export interface WriteOutResult {
  /** Pieces in order, each for stdout or stderr. */
  readonly pieces: ReadonlyArray<{ readonly stream: 'stdout' | 'stderr'; readonly text: string }>;
  readonly warnings: ReadonlyArray<string>;
}

const secs = (n: number): string => n.toFixed(6);

function variable(name: string, t: TransferInfo): string | undefined {
  switch (name) {
    case 'http_code':
    case 'response_code':
      return String(t.httpCode).padStart(3, '0');
    case 'http_version':
      return t.httpCode ? t.httpVersion : '0';
    case 'remote_ip':
      return t.remoteIp;
    case 'remote_port':
      return t.remotePort ? String(t.remotePort) : '';
    case 'local_ip':
      return t.localIp;
    case 'local_port':
      return t.localPort ? String(t.localPort) : '';
    case 'time_namelookup':
      return secs(t.timeNamelookup);
    case 'time_connect':
      return secs(t.timeConnect);
    case 'time_appconnect':
      return secs(t.timeAppconnect);
    case 'time_pretransfer':
      return secs(t.timePretransfer);
    case 'time_starttransfer':
      return secs(t.timeStarttransfer);
    case 'time_total':
      return secs(t.timeTotal);
    case 'time_redirect':
      return secs(t.timeRedirect);
    case 'size_download':
      return String(t.sizeDownload);
    case 'size_upload':
      return String(t.sizeUpload);
    case 'size_header':
      return String(t.sizeHeader);
    case 'size_request':
      return String(t.sizeRequest);
    case 'speed_download':
      return String(t.timeTotal > 0 ? Math.floor(t.sizeDownload / t.timeTotal) : 0);
    case 'speed_upload':
      return String(t.timeTotal > 0 ? Math.floor(t.sizeUpload / t.timeTotal) : 0);
    case 'content_type':
      return t.contentType;
    case 'url_effective':
      return t.urlEffective;
    case 'url':
      return t.url;
    case 'num_redirects':
      return String(t.numRedirects);
    case 'redirect_url':
      return t.redirectUrl;
    case 'exitcode':
      return String(t.exitcode);
    case 'errormsg':
      return t.errormsg;
    case 'method':
      return t.method;
    case 'scheme':
      return t.scheme;
    case 'num_connects':
      return String(t.numConnects);
    case 'filename_effective':
      return t.filenameEffective;
    case 'ssl_verify_result':
      return String(t.sslVerifyResult);
    case 'proxy_ssl_verify_result':
      return '0';
    default:
      return undefined;
  }
}

/** Expands a -w format for a finished transfer. */
export function writeOut(format: string, t: TransferInfo): WriteOutResult {
  const pieces: Array<{ stream: 'stdout' | 'stderr'; text: string }> = [];
  const warnings: string[] = [];
  let stream: 'stdout' | 'stderr' = 'stdout';
  let buf = '';
  const flush = (): void => {
    if (buf) pieces.push({ stream, text: buf });
    buf = '';
  };
  for (let i = 0; i < format.length; i++) {
    const c = format[i] ?? '';
    if (c === '\\' && i + 1 < format.length) {
      const n = format[i + 1] ?? '';
      const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\' };
      const rep = map[n];
      if (rep !== undefined) {
        buf += rep;
        i++;
        continue;
      }
      buf += c;
      continue;
    }
    if (c === '%') {
      if (format[i + 1] === '%') {
        buf += '%';
        i++;
        continue;
      }
      const hv = /^%header\{([^}]*)\}/.exec(format.slice(i));
      if (hv) {
        const want = (hv[1] ?? '').toLowerCase();
        buf += t.headers.filter(([k]) => k.toLowerCase() === want).map(([, v]) => v).join(', ');
        i += hv[0].length - 1;
        continue;
      }
      const m = /^%\{([^}]*)\}/.exec(format.slice(i));
      if (m) {
        const name = m[1] ?? '';
        i += m[0].length - 1;
        if (name === 'stderr' || name === 'stdout') {
          flush();
          stream = name;
          continue;
        }
        const v = variable(name, t);
        if (v === undefined) warnings.push(`unknown --write-out variable: '${name}'`);
        else buf += v;
        continue;
      }
    }
    buf += c;
  }
  flush();
  return { pieces, warnings };
}
