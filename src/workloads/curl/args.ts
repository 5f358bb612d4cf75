/**
 * @module workloads/curl/args
 *
 * curl's command line, parsed as curl does: short flags bundle ("-sSfL",
 * "-so /dev/null", "-o/dev/null"), long options take their value as the next
 * argument (curl has no "--opt=value"), "--no-" turns a boolean off, and
 * anything else is a URL. Pure.
 */

export interface CurlOptions {
  readonly urls: string[];
  silent: boolean;
  showError: boolean;
  verbose: boolean;
  include: boolean;
  head: boolean;
  fail: boolean;
  failWithBody: boolean;
  location: boolean;
  get: boolean;
  noProgress: boolean;
  /** -o per URL, in order. */
  readonly outputs: string[];
  /** -O count (applies to URLs in order). */
  remoteName: number;
  writeOut?: string;
  readonly headers: string[];
  method?: string;
  /** -d/--data* pieces, joined with "&". */
  readonly data: string[];
  maxTime?: number;
  connectTimeout?: number;
  readonly resolve: string[];
  maxRedirs: number;
  userAgent?: string;
  user?: string;
  referer?: string;
  retry: number;
  retryDelay?: number;
  retryConnrefused: boolean;
  proxy?: string;
  /** -k/--insecure: no chain or name verification. */
  insecure: boolean;
  /** --cacert FILE (a path in the pod's files). */
  cacert?: string;
  help: boolean;
  version: boolean;
}

type Kind = 'bool' | 'arg';

interface Spec {
  readonly long: string;
  readonly short?: string;
  readonly kind: Kind;
  readonly apply: (o: CurlOptions, v: string, on: boolean) => string | void;
}

const num = (v: string): number | string => {
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n : `expected a proper numerical parameter`;
};

const SPECS: ReadonlyArray<Spec> = [
  { long: 'silent', short: 's', kind: 'bool', apply: (o, _v, on) => void (o.silent = on) },
  { long: 'show-error', short: 'S', kind: 'bool', apply: (o, _v, on) => void (o.showError = on) },
  { long: 'verbose', short: 'v', kind: 'bool', apply: (o, _v, on) => void (o.verbose = on) },
  { long: 'include', short: 'i', kind: 'bool', apply: (o, _v, on) => void (o.include = on) },
  { long: 'show-headers', kind: 'bool', apply: (o, _v, on) => void (o.include = on) },
  { long: 'head', short: 'I', kind: 'bool', apply: (o, _v, on) => void (o.head = on) },
  { long: 'fail', short: 'f', kind: 'bool', apply: (o, _v, on) => void (o.fail = on) },
  { long: 'fail-with-body', kind: 'bool', apply: (o, _v, on) => void (o.failWithBody = on) },
  { long: 'location', short: 'L', kind: 'bool', apply: (o, _v, on) => void (o.location = on) },
  { long: 'get', short: 'G', kind: 'bool', apply: (o, _v, on) => void (o.get = on) },
  { long: 'insecure', short: 'k', kind: 'bool', apply: (o, _v, on) => void (o.insecure = on) },
  { long: 'ipv4', short: '4', kind: 'bool', apply: () => undefined },
  { long: 'ipv6', short: '6', kind: 'bool', apply: () => undefined },
  { long: 'http1.1', kind: 'bool', apply: () => undefined },
  { long: 'http1.0', short: '0', kind: 'bool', apply: () => undefined },
  { long: 'compressed', kind: 'bool', apply: () => undefined },
  { long: 'no-buffer', short: 'N', kind: 'bool', apply: () => undefined },
  { long: 'no-keepalive', kind: 'bool', apply: () => undefined },
  { long: 'tcp-nodelay', kind: 'bool', apply: () => undefined },
  { long: 'progress-bar', short: '#', kind: 'bool', apply: () => undefined },
  { long: 'no-progress-meter', kind: 'bool', apply: (o, _v, on) => void (o.noProgress = on) },
  { long: 'retry-connrefused', kind: 'bool', apply: (o, _v, on) => void (o.retryConnrefused = on) },
  { long: 'help', short: 'h', kind: 'bool', apply: (o, _v, on) => void (o.help = on) },
  { long: 'version', short: 'V', kind: 'bool', apply: (o, _v, on) => void (o.version = on) },
  { long: 'remote-name', short: 'O', kind: 'bool', apply: (o) => void o.remoteName++ },
  { long: 'output', short: 'o', kind: 'arg', apply: (o, v) => void o.outputs.push(v) },
  { long: 'write-out', short: 'w', kind: 'arg', apply: (o, v) => void (o.writeOut = v) },
  { long: 'header', short: 'H', kind: 'arg', apply: (o, v) => void o.headers.push(v) },
  { long: 'request', short: 'X', kind: 'arg', apply: (o, v) => void (o.method = v) },
  { long: 'data', short: 'd', kind: 'arg', apply: (o, v) => void o.data.push(v) },
  { long: 'data-ascii', kind: 'arg', apply: (o, v) => void o.data.push(v) },
  { long: 'data-raw', kind: 'arg', apply: (o, v) => void o.data.push(`\u0000raw${v}`) },
  { long: 'data-binary', kind: 'arg', apply: (o, v) => void o.data.push(`\u0000bin${v}`) },
  { long: 'data-urlencode', kind: 'arg', apply: (o, v) => void o.data.push(`\u0000enc${v}`) },
  { long: 'url', kind: 'arg', apply: (o, v) => void o.urls.push(v) },
  {
    long: 'max-time',
    short: 'm',
    kind: 'arg',
    apply: (o, v) => {
      const n = num(v);
      if (typeof n === 'string') return n;
      o.maxTime = n;
    },
  },
  {
    long: 'connect-timeout',
    kind: 'arg',
    apply: (o, v) => {
      const n = num(v);
      if (typeof n === 'string') return n;
      o.connectTimeout = n;
    },
  },
  { long: 'resolve', kind: 'arg', apply: (o, v) => void o.resolve.push(v) },
  {
    long: 'max-redirs',
    kind: 'arg',
    apply: (o, v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < -1) return 'expected a proper numerical parameter';
      o.maxRedirs = n;
    },
  },
  { long: 'user-agent', short: 'A', kind: 'arg', apply: (o, v) => void (o.userAgent = v) },
  { long: 'user', short: 'u', kind: 'arg', apply: (o, v) => void (o.user = v) },
  { long: 'referer', short: 'e', kind: 'arg', apply: (o, v) => void (o.referer = v) },
  {
    long: 'retry',
    kind: 'arg',
    apply: (o, v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) return 'expected a proper numerical parameter';
      o.retry = n;
    },
  },
  {
    long: 'retry-delay',
    kind: 'arg',
    apply: (o, v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) return 'expected a proper numerical parameter';
      o.retryDelay = n;
    },
  },
  { long: 'retry-max-time', kind: 'arg', apply: () => undefined },
  { long: 'proxy', short: 'x', kind: 'arg', apply: (o, v) => void (o.proxy = v) },
  { long: 'noproxy', kind: 'arg', apply: () => undefined },
  { long: 'cacert', kind: 'arg', apply: (o, v) => void (o.cacert = v) },
  { long: 'capath', kind: 'arg', apply: () => undefined },
];

export type CurlArgs = { readonly ok: true; readonly opts: CurlOptions } | { readonly ok: false; readonly message: string };

/** Parses curl's argv (without argv[0]). `message` is the text after "curl: ". */
export function parseCurlArgs(args: ReadonlyArray<string>): CurlArgs {
  const o: CurlOptions = {
    urls: [],
    silent: false,
    showError: false,
    verbose: false,
    include: false,
    head: false,
    fail: false,
    failWithBody: false,
    location: false,
    get: false,
    noProgress: false,
    outputs: [],
    remoteName: 0,
    headers: [],
    data: [],
    resolve: [],
    maxRedirs: 50,
    retry: 0,
    retryConnrefused: false,
    insecure: false,
    help: false,
    version: false,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a.startsWith('--') && a.length > 2) {
      let name = a.slice(2);
      let on = true;
      let spec = SPECS.find((s) => s.long === name);
      if (!spec && name.startsWith('no-')) {
        const base = SPECS.find((s) => s.long === name.slice(3) && s.kind === 'bool');
        if (base) {
          spec = base;
          on = false;
          name = name.slice(3);
        }
      }
      if (!spec) return { ok: false, message: `option ${a}: is unknown` };
      if (spec.kind === 'arg') {
        const v = args[i + 1];
        if (v === undefined) return { ok: false, message: `option ${a}: requires parameter` };
        i++;
        const e = spec.apply(o, v, true);
        if (e) return { ok: false, message: `option ${a}: ${e}` };
      } else spec.apply(o, '', on);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j] ?? '';
        const spec = SPECS.find((s) => s.short === c);
        if (!spec) return { ok: false, message: `option -${c}: is unknown` };
        if (spec.kind === 'bool') {
          spec.apply(o, '', true);
          continue;
        }
        let v = a.slice(j + 1);
        if (!v) {
          const next = args[i + 1];
          if (next === undefined) return { ok: false, message: `option -${c}: requires parameter` };
          v = next;
          i++;
        }
        const e = spec.apply(o, v, true);
        if (e) return { ok: false, message: `option -${c}: ${e}` };
        break;
      }
      continue;
    }
    o.urls.push(a);
  }
  return { ok: true, opts: o };
}
