/**
 * @module workloads/images/go/format
 *
 * How Go programs print things, for the emulated Go binaries (http-echo,
 * agnhost, whoami): the `log` package's line prefix, `time.Duration` and
 * `time.Time` String(), `http.StatusText`, `http.TimeFormat`, and
 * `encoding/json`'s HTML escaping. Containers run in UTC. Pure functions.
 */

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `log.Printf`'s default prefix (LstdFlags): "2009/01/23 01:23:23 ". */
export function logPrefix(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} `;
}

/** One `log.Printf` line: prefix, message, and a newline unless it already ends with one. */
export function logLine(ms: number, message: string): string {
  return `${logPrefix(ms)}${message}${message.endsWith('\n') ? '' : '\n'}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `http.TimeFormat` (RFC 7231 IMF-fixdate): "Mon, 02 Jan 2006 15:04:05 GMT". */
export function httpDate(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()] ?? ''}, ${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()] ?? ''} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} GMT`;
}

/** Month abbreviation for nginx's and Go's formats. */
export function monthName(i: number): string {
  return MONTHS[i] ?? '';
}

function fmtFrac(v: bigint, prec: number): { text: string; rest: bigint } {
  // Go's fmtFrac: prints v/10^prec's fraction, omitting trailing zeros.
  let print = false;
  let s = '';
  let rest = v;
  for (let i = 0; i < prec; i++) {
    const digit = rest % 10n;
    print = print || digit !== 0n;
    if (print) s = String(digit) + s;
    rest /= 10n;
  }
  if (print) s = `.${s}`;
  return { text: s, rest };
}

/** `time.Duration.String()` for a duration in nanoseconds: "1.5s", "25.345µs", "1h2m3s", "0s". */
export function durationString(nanos: number | bigint): string {
  let d = typeof nanos === 'bigint' ? nanos : BigInt(Math.round(nanos));
  const neg = d < 0n;
  if (neg) d = -d;
  let out: string;
  if (d < 1_000_000_000n) {
    if (d === 0n) return '0s';
    let prec: number;
    let unit: string;
    if (d < 1_000n) {
      prec = 0;
      unit = 'ns';
    } else if (d < 1_000_000n) {
      prec = 3;
      unit = 'µs';
    } else {
      prec = 6;
      unit = 'ms';
    }
    const { text, rest } = fmtFrac(d, prec);
    out = `${rest}${text}${unit}`;
  } else {
    const { text, rest } = fmtFrac(d, 9);
    let secs = rest;
    const s = secs % 60n;
    secs /= 60n;
    out = `${s}${text}s`;
    if (secs > 0n) {
      const m = secs % 60n;
      secs /= 60n;
      out = `${m}m${out}`;
      if (secs > 0n) out = `${secs}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

const UNIT_NANOS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3,
  'μs': 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** `time.ParseDuration`: "1s", "500ms", "1m30s", "0". Returns nanoseconds, or undefined with Go's error text. */
export function parseDuration(s: string): { ok: true; nanos: number } | { ok: false; error: string } {
  const bad = { ok: false as const, error: `time: invalid duration ${JSON.stringify(s)}` };
  let rest = s;
  let neg = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    neg = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return { ok: true, nanos: 0 };
  if (rest === '') return bad;
  let total = 0;
  while (rest !== '') {
    const m = /^([0-9]*(?:\.[0-9]*)?)([a-zµμ]+)/.exec(rest);
    if (!m || m[1] === '' || m[1] === '.') return bad;
    const unit = UNIT_NANOS[m[2] ?? ''];
    if (unit === undefined) return { ok: false, error: `time: unknown unit ${JSON.stringify(m[2] ?? '')} in duration ${JSON.stringify(s)}` };
    total += Number(m[1]) * unit;
    rest = rest.slice(m[0].length);
  }
  return { ok: true, nanos: neg ? -total : total };
}

/**
 * `time.Now().String()` in UTC with the monotonic reading:
 * "2024-01-02 03:04:05.123456789 +0000 UTC m=+12.345678901".
 */
export function timeNowString(ms: number, sinceStartNanos: number): string {
  const d = new Date(ms);
  const frac = String((ms % 1000) * 1_000_000).padStart(9, '0').replace(/0+$/, '');
  const mono = (sinceStartNanos / 1e9).toFixed(9);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac ? `.${frac}` : ''} +0000 UTC m=+${mono}`
  );
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
  205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  305: 'Use Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Request Entity Too Large',
  414: 'Request URI Too Long', 415: 'Unsupported Media Type', 416: 'Requested Range Not Satisfiable',
  417: 'Expectation Failed', 418: "I'm a teapot", 421: 'Misdirected Request', 422: 'Unprocessable Entity',
  423: 'Locked', 424: 'Failed Dependency', 425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates',
  507: 'Insufficient Storage', 508: 'Loop Detected', 510: 'Not Extended', 511: 'Network Authentication Required',
};

/** The reason phrase Go's server writes: `http.StatusText(code)`, or "status code N" for unknown codes. */
export function statusText(code: number): string {
  return STATUS_TEXT[code] ?? `status code ${code}`;
}

/** `json.Marshal` of a string-keyed value: keys as given (sort maps yourself), `<`, `>`, `&`, U+2028/9 escaped. */
export function goJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A map's entries sorted by key, as `json.Marshal` orders map keys. */
export function sortedObject<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const arr = [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: Record<string, T> = {};
  for (const [k, v] of arr) out[k] = v;
  return out;
}

/** `textproto.CanonicalMIMEHeaderKey`: "x-forwarded-for" -> "X-Forwarded-For". */
export function canonicalHeaderKey(k: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(k)) return k;
  return k
    .split('-')
    .map((p) => (p === '' ? p : p[0]?.toUpperCase() + p.slice(1).toLowerCase()))
    .join('-');
}

/** strconv.ParseBool. */
export function parseBool(s: string): boolean | undefined {
  switch (s) {
    case '1': case 't': case 'T': case 'true': case 'TRUE': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'false': case 'FALSE': case 'False':
      return false;
    default:
      return undefined;
  }
}
