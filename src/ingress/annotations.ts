/**
 * @module ingress/annotations
 * The `nginx.ingress.kubernetes.io/*` annotations kwire implements, parsed into a
 * typed per-Ingress config with ingress-nginx's defaults and its parsing rules
 * (Go `strconv.ParseBool` for booleans, invalid values fall back to the default,
 * redirect codes clamped to 300..308). Every other annotation under that prefix is
 * reported by `unsupportedAnnotations` so the controller can raise a warning Event
 * naming it. No I/O; nothing here knows about requests.
 */

export const ANNOTATION_PREFIX = 'nginx.ingress.kubernetes.io/';

/** The upstream protocols ingress-nginx knows; kwire proxies HTTP and HTTPS. */
export type BackendProtocol = 'HTTP' | 'HTTPS';

export interface CanaryConfig {
  readonly enabled: boolean;
  /** Percentage (out of `weightTotal`) of requests routed to the canary. */
  readonly weight: number;
  readonly weightTotal: number;
  /** Header whose value "always"/"never" (or `headerValue`/`headerPattern`) forces the choice. */
  readonly header?: string;
  readonly headerValue?: string;
  readonly headerPattern?: string;
  readonly cookie?: string;
}

export interface RedirectConfig {
  readonly url: string;
  readonly code: number;
}

/** The parsed configuration every location of one Ingress gets. */
export interface IngressAnnotations {
  readonly rewriteTarget: string;
  readonly useRegex: boolean;
  readonly sslRedirect: boolean;
  readonly forceSslRedirect: boolean;
  readonly preserveTrailingSlash: boolean;
  readonly appRoot: string;
  readonly redirect?: RedirectConfig;
  readonly backendProtocol: BackendProtocol;
  readonly xForwardedPrefix: string;
  readonly canary: CanaryConfig;
  /** `client_max_body_size` in bytes; 0 means unlimited. ingress-nginx's default is 1m. */
  readonly proxyBodySize: number;
  readonly proxyConnectTimeoutMs: number;
  readonly proxyReadTimeoutMs: number;
  readonly proxySendTimeoutMs: number;
}

/** A problem with one annotation value, for a warning Event. */
export interface AnnotationProblem {
  readonly annotation: string;
  readonly message: string;
}

export interface ParsedAnnotations {
  readonly config: IngressAnnotations;
  readonly problems: ReadonlyArray<AnnotationProblem>;
}

/** Annotation names (without the prefix) kwire implements. */
export const SUPPORTED_ANNOTATIONS: ReadonlySet<string> = new Set([
  'rewrite-target',
  'use-regex',
  'ssl-redirect',
  'force-ssl-redirect',
  'preserve-trailing-slash',
  'app-root',
  'permanent-redirect',
  'permanent-redirect-code',
  'temporal-redirect',
  'temporal-redirect-code',
  'backend-protocol',
  'x-forwarded-prefix',
  'canary',
  'canary-weight',
  'canary-weight-total',
  'canary-by-header',
  'canary-by-header-value',
  'canary-by-header-pattern',
  'canary-by-cookie',
  'proxy-body-size',
  'proxy-connect-timeout',
  'proxy-read-timeout',
  'proxy-send-timeout',
]);

export const DEFAULT_ANNOTATIONS: IngressAnnotations = {
  rewriteTarget: '',
  useRegex: false,
  sslRedirect: true,
  forceSslRedirect: false,
  preserveTrailingSlash: false,
  appRoot: '',
  backendProtocol: 'HTTP',
  xForwardedPrefix: '',
  canary: { enabled: false, weight: 0, weightTotal: 100 },
  proxyBodySize: 1024 * 1024,
  proxyConnectTimeoutMs: 5_000,
  proxyReadTimeoutMs: 60_000,
  proxySendTimeoutMs: 60_000,
};

/** Go's strconv.ParseBool, which ingress-nginx's parser uses. */
export function parseGoBool(v: string): boolean | undefined {
  switch (v) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False':
      return false;
    default:
      return undefined;
  }
}

function parseIntStrict(v: string): number | undefined {
  return /^[+-]?\d+$/.test(v.trim()) ? Number.parseInt(v.trim(), 10) : undefined;
}

/** nginx sizes: "1m", "512k", "8" (bytes), "0" (unlimited), "1g". */
export function parseNginxSize(v: string): number | undefined {
  const m = /^(\d+)([kKmMgG]?)$/.exec(v.trim());
  if (m === null) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? '').toLowerCase();
  const mult = unit === 'k' ? 1024 : unit === 'm' ? 1024 * 1024 : unit === 'g' ? 1024 * 1024 * 1024 : 1;
  return n * mult;
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The `nginx.ingress.kubernetes.io/*` annotations kwire does not implement, sorted. */
export function unsupportedAnnotations(annotations: Readonly<Record<string, string>> | undefined): string[] {
  const out: string[] = [];
  for (const k of Object.keys(annotations ?? {})) {
    if (!k.startsWith(ANNOTATION_PREFIX)) continue;
    if (!SUPPORTED_ANNOTATIONS.has(k.slice(ANNOTATION_PREFIX.length))) out.push(k);
  }
  return out.sort();
}

/** Parses an Ingress's annotations with ingress-nginx's defaults and fallbacks. */
export function parseAnnotations(annotations: Readonly<Record<string, string>> | undefined): ParsedAnnotations {
  const a = annotations ?? {};
  const problems: AnnotationProblem[] = [];
  const get = (name: string): string | undefined => {
    const v = a[ANNOTATION_PREFIX + name];
    return v === undefined ? undefined : v;
  };
  const bool = (name: string, dflt: boolean): boolean => {
    const v = get(name);
    if (v === undefined) return dflt;
    const b = parseGoBool(v);
    if (b === undefined) {
      problems.push({ annotation: ANNOTATION_PREFIX + name, message: `invalid boolean value "${v}", using ${dflt}` });
      return dflt;
    }
    return b;
  };
  const int = (name: string): number | undefined => {
    const v = get(name);
    if (v === undefined) return undefined;
    const n = parseIntStrict(v);
    if (n === undefined) problems.push({ annotation: ANNOTATION_PREFIX + name, message: `invalid integer value "${v}"` });
    return n;
  };
  const seconds = (name: string, dfltMs: number): number => {
    const n = int(name);
    return n === undefined || n <= 0 ? dfltMs : n * 1000;
  };

  const appRootRaw = get('app-root') ?? '';
  let appRoot = '';
  if (appRootRaw !== '') {
    if (appRootRaw.startsWith('/') && !appRootRaw.startsWith('//')) appRoot = appRootRaw;
    else problems.push({ annotation: ANNOTATION_PREFIX + 'app-root', message: `app-root must be an absolute path, got "${appRootRaw}"` });
  }

  let redirect: RedirectConfig | undefined;
  const clampCode = (name: string, dflt: number): number => {
    const c = int(name);
    return c === undefined || c < 300 || c > 308 ? dflt : c;
  };
  const temporal = get('temporal-redirect') ?? '';
  const permanent = get('permanent-redirect') ?? '';
  if (temporal !== '') {
    if (isHttpUrl(temporal)) redirect = { url: temporal, code: clampCode('temporal-redirect-code', 302) };
    else problems.push({ annotation: ANNOTATION_PREFIX + 'temporal-redirect', message: `only http and https URLs are valid, got "${temporal}"` });
  }
  if (redirect === undefined && permanent !== '') {
    if (isHttpUrl(permanent)) redirect = { url: permanent, code: clampCode('permanent-redirect-code', 301) };
    else problems.push({ annotation: ANNOTATION_PREFIX + 'permanent-redirect', message: `only http and https URLs are valid, got "${permanent}"` });
  }

  let backendProtocol: BackendProtocol = 'HTTP';
  const bp = get('backend-protocol');
  if (bp !== undefined) {
    const up = bp.trim().toUpperCase();
    if (up === 'HTTP' || up === 'HTTPS') backendProtocol = up;
    else if (['AUTO_HTTP', 'GRPC', 'GRPCS', 'AJP', 'FCGI'].includes(up)) {
      problems.push({ annotation: ANNOTATION_PREFIX + 'backend-protocol', message: `backend-protocol ${up} is not supported by kwire; using HTTP` });
    } else {
      problems.push({ annotation: ANNOTATION_PREFIX + 'backend-protocol', message: `invalid backend-protocol "${bp}"; using HTTP` });
    }
  }

  const canaryEnabled = bool('canary', false);
  const weight = int('canary-weight');
  const weightTotal = int('canary-weight-total');
  const header = get('canary-by-header');
  const headerValue = get('canary-by-header-value');
  const headerPattern = get('canary-by-header-pattern');
  const cookie = get('canary-by-cookie');
  const canary: CanaryConfig = {
    enabled: canaryEnabled,
    weight: weight === undefined || weight < 0 ? 0 : weight,
    weightTotal: weightTotal === undefined || weightTotal <= 0 ? 100 : weightTotal,
    ...(header !== undefined && header !== '' ? { header } : {}),
    ...(headerValue !== undefined && headerValue !== '' ? { headerValue } : {}),
    ...(headerPattern !== undefined && headerPattern !== '' ? { headerPattern } : {}),
    ...(cookie !== undefined && cookie !== '' ? { cookie } : {}),
  };

  let proxyBodySize = DEFAULT_ANNOTATIONS.proxyBodySize;
  const bs = get('proxy-body-size');
  if (bs !== undefined) {
    const n = parseNginxSize(bs);
    if (n === undefined) problems.push({ annotation: ANNOTATION_PREFIX + 'proxy-body-size', message: `invalid size "${bs}"` });
    else proxyBodySize = n;
  }

  return {
    config: {
      rewriteTarget: get('rewrite-target') ?? '',
      useRegex: bool('use-regex', false),
      sslRedirect: bool('ssl-redirect', true),
      forceSslRedirect: bool('force-ssl-redirect', false),
      preserveTrailingSlash: bool('preserve-trailing-slash', false),
      appRoot,
      ...(redirect !== undefined ? { redirect } : {}),
      backendProtocol,
      xForwardedPrefix: get('x-forwarded-prefix') ?? '',
      canary,
      proxyBodySize,
      proxyConnectTimeoutMs: seconds('proxy-connect-timeout', DEFAULT_ANNOTATIONS.proxyConnectTimeoutMs),
      proxyReadTimeoutMs: seconds('proxy-read-timeout', DEFAULT_ANNOTATIONS.proxyReadTimeoutMs),
      proxySendTimeoutMs: seconds('proxy-send-timeout', DEFAULT_ANNOTATIONS.proxySendTimeoutMs),
    },
    problems,
  };
}
