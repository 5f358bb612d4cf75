/**
 * @module ingress/uri
 * nginx's reading of a request-target and a Host header, so that locations match
 * the way they do behind ingress-nginx:
 * - the path is percent-decoded (an encoded slash `%2F` is a slash for matching),
 *   consecutive slashes are merged and `.`/`..` segments resolved; `..` above the
 *   root, a bad escape or a NUL make the request invalid (400);
 * - the raw target is kept: without a rewrite nginx forwards it unchanged;
 * - `escapeUri` is nginx's NGX_ESCAPE_URI, applied to a rewritten URI when the
 *   original one contained escapes.
 * Strings hold one byte per char (latin1), as nginx works on bytes. No I/O.
 */

export type ParsedTarget =
  | {
      readonly ok: true;
      /** Decoded, normalized path (nginx `$uri`). */
      readonly uri: string;
      /** Query string without `?` (nginx `$args`), '' when none. */
      readonly args: string;
      /** Path and query as sent, for forwarding unchanged (nginx `$request_uri`). */
      readonly requestUri: string;
      /** Whether the raw path had percent-escapes (nginx `quoted_uri`). */
      readonly quoted: boolean;
      /** Host from an absolute-form target (`GET http://h/p`), which nginx prefers to the Host header. */
      readonly absoluteHost?: string;
    }
  | { readonly ok: false };

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 0x20;
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

/** A doubled slash or a `.`/`..` segment. */
const NEEDS_NORMALIZING = /\/\/|\/\.\.?(?:\/|$)/;

/** Parses a request-target as nginx's request parser does. */
export function parseTarget(target: string): ParsedTarget {
  let rest = target;
  let absoluteHost: string | undefined;
  const abs = /^https?:\/\/([^/?#]*)/i.exec(rest);
  if (abs !== null) {
    absoluteHost = abs[1] ?? '';
    rest = rest.slice(abs[0].length);
    if (rest === '' || rest.startsWith('?')) rest = '/' + rest;
  }
  if (!rest.startsWith('/')) return { ok: false };
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const rawPath = q >= 0 ? rest.slice(0, q) : rest;
  const args = q >= 0 ? rest.slice(q + 1) : '';

  // Most paths have nothing to decode or resolve: they are their own $uri.
  if (rawPath.indexOf('%') < 0 && rawPath.indexOf('\0') < 0 && !NEEDS_NORMALIZING.test(rawPath)) {
    return { ok: true, uri: rawPath, args, requestUri: rest, quoted: false, ...(absoluteHost !== undefined ? { absoluteHost } : {}) };
  }

  // decode
  let decoded = '';
  let quoted = false;
  for (let i = 0; i < rawPath.length; i++) {
    const ch = rawPath.charCodeAt(i);
    if (ch === 37 /* % */) {
      quoted = true;
      const h = hexVal(rawPath.charCodeAt(i + 1));
      const l = hexVal(rawPath.charCodeAt(i + 2));
      if (h < 0 || l < 0) return { ok: false };
      const v = (h << 4) | l;
      if (v === 0) return { ok: false };
      decoded += String.fromCharCode(v);
      i += 2;
    } else if (ch === 0) {
      return { ok: false };
    } else {
      decoded += rawPath[i];
    }
  }

  // merge slashes, resolve dot segments
  const segs: string[] = [];
  const parts = decoded.split('/');
  // parts[0] is '' (path starts with '/')
  let trailingSlash = false;
  for (let i = 1; i < parts.length; i++) {
    const p = parts[i]!;
    const last = i === parts.length - 1;
    if (p === '' || p === '.') {
      if (last) trailingSlash = true;
      continue;
    }
    if (p === '..') {
      if (segs.length === 0) return { ok: false };
      segs.pop();
      if (last) trailingSlash = true;
      continue;
    }
    segs.push(p);
    trailingSlash = false;
  }
  let uri = '/' + segs.join('/');
  if (trailingSlash && segs.length > 0) uri += '/';

  return {
    ok: true,
    uri,
    args,
    requestUri: rest,
    quoted,
    ...(absoluteHost !== undefined ? { absoluteHost } : {}),
  };
}

/** nginx's NGX_ESCAPE_URI: escapes space, `#`, `%`, `?`, control bytes, DEL and bytes >= 0x80. */
export function escapeUri(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c === 0x23 || c === 0x25 || c === 0x3f || c >= 0x7f) {
      out += '%' + (c & 0xff).toString(16).toUpperCase().padStart(2, '0');
    } else out += s[i];
  }
  return out;
}

/**
 * The server name nginx derives from a Host header: lower-cased, port and
 * trailing dot removed. `undefined` for an invalid host (nginx answers 400):
 * a slash, backslash, NUL, a leading dot or "..".
 */
export function normalizeHost(host: string): string | undefined {
  let h = host.trim();
  if (h === '') return '';
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0) return undefined;
    return h.slice(0, end + 1).toLowerCase();
  }
  const colon = h.indexOf(':');
  if (colon >= 0) {
    if (!/^\d*$/.test(h.slice(colon + 1))) return undefined;
    h = h.slice(0, colon);
  }
  if (/[/\\\0\s]/.test(h) || h.startsWith('.') || h.includes('..')) return undefined;
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h.toLowerCase();
}

/** The host part of a Host header value, port removed but case kept (for redirects). */
export function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end < 0 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}
