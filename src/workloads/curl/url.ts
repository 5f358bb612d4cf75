/**
 * @module workloads/curl/url
 *
 * URL parsing as curl's URL API does it for http(s): scheme guessing
 * ("backend:8080/x" is http), host and port checks, path normalisation
 * (empty path is "/", fragments dropped), and curl's rejection texts.
 * Redirect targets are resolved against the current URL. Pure.
 */

export interface CurlUrl {
  readonly scheme: string;
  /** Host as written, without brackets. */
  readonly host: string;
  readonly port: number;
  /** Whether the URL named the port. */
  readonly explicitPort: boolean;
  /** Path and query ("/", "/a?b=c"). */
  readonly pathQuery: string;
  readonly user?: string;
  /** The normalised URL (url_effective). */
  readonly href: string;
}

export type UrlResult =
  | { readonly ok: true; readonly url: CurlUrl }
  | { readonly ok: false; readonly code: 1 | 3; readonly reason: string };

const DEFAULT_PORT: Readonly<Record<string, number>> = { http: 80, https: 443, ftp: 21, ftps: 990 };

/** Parses a URL from the command line or a Location header. */
export function parseCurlUrl(input: string): UrlResult {
  if (input === '' || /[\s\x00-\x1f]/.test(input)) return { ok: false, code: 3, reason: 'Malformed input to a URL function' };
  let rest = input;
  let scheme = 'http';
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(input);
  if (m) {
    scheme = (m[1] ?? '').toLowerCase();
    rest = input.slice(m[0].length);
  } else if (/^ftp\./i.test(input)) scheme = 'ftp';
  if (!(scheme in DEFAULT_PORT)) return { ok: false, code: 1, reason: `Protocol "${scheme}" not supported` };
  const hashAt = rest.indexOf('#');
  if (hashAt >= 0) rest = rest.slice(0, hashAt);
  let cut = rest.length;
  for (const ch of ['/', '?']) {
    const i = rest.indexOf(ch);
    if (i >= 0 && i < cut) cut = i;
  }
  let authority = rest.slice(0, cut);
  let pathQuery = rest.slice(cut);
  if (pathQuery === '' || pathQuery.startsWith('?')) pathQuery = `/${pathQuery}`;
  let user: string | undefined;
  const at = authority.lastIndexOf('@');
  if (at >= 0) {
    user = authority.slice(0, at);
    authority = authority.slice(at + 1);
  }
  let host = authority;
  let portText: string | undefined;
  const v6 = /^\[([0-9A-Fa-f:.]+)\](?::(.*))?$/.exec(authority);
  if (v6) {
    host = v6[1] ?? '';
    portText = v6[2];
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon >= 0) {
      host = authority.slice(0, colon);
      portText = authority.slice(colon + 1);
    }
  }
  if (host === '') return { ok: false, code: 3, reason: 'No host part in the URL' };
  if (!v6 && !/^[A-Za-z0-9._~%!$&'()*+,;=-]+$/.test(host)) return { ok: false, code: 3, reason: 'Bad hostname' };
  let port = DEFAULT_PORT[scheme] ?? 80;
  const explicitPort = portText !== undefined && portText !== '';
  if (explicitPort) {
    if (!/^\d+$/.test(portText ?? '') || Number(portText) > 65535) {
      return { ok: false, code: 3, reason: 'Port number was not a decimal number between 0 and 65535' };
    }
    port = Number(portText);
  }
  const hostPart = v6 ? `[${host}]` : host;
  const portPart = explicitPort && port !== DEFAULT_PORT[scheme] ? `:${port}` : '';
  const href = `${scheme}://${user !== undefined ? `${user}@` : ''}${hostPart}${portPart}${pathQuery}`;
  return { ok: true, url: { scheme, host, port, explicitPort: explicitPort && port !== DEFAULT_PORT[scheme], pathQuery, user, href } };
}

/** Resolves a Location header against the URL it came from. */
export function resolveLocation(base: CurlUrl, location: string): UrlResult {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(location)) return parseCurlUrl(location);
  const origin = `${base.scheme}://${base.host.includes(':') ? `[${base.host}]` : base.host}${base.explicitPort ? `:${base.port}` : ''}`;
  if (location.startsWith('//')) return parseCurlUrl(`${base.scheme}:${location}`);
  if (location.startsWith('/')) return parseCurlUrl(origin + location);
  const basePath = base.pathQuery.split('?')[0] ?? '/';
  const dir = basePath.slice(0, basePath.lastIndexOf('/') + 1);
  return parseCurlUrl(origin + dir + location);
}

/** The Host header value: the host, with the port when it is not the default. */
export function hostHeader(u: CurlUrl): string {
  const h = u.host.includes(':') ? `[${u.host}]` : u.host;
  return u.explicitPort ? `${h}:${u.port}` : h;
}
