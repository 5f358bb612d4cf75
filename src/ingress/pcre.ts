/**
 * @module ingress/pcre
 * The small part of nginx's PCRE regex and `rewrite` replacement syntax that
 * ingress-nginx configurations use, in JavaScript terms:
 * - `compileNginxRegex`: a location or rewrite regex (`(?i)` and `(?P<name>...)`
 *   translated); a pattern JavaScript cannot compile is reported, not guessed at;
 * - `substitute`: a rewrite replacement with `$1`..`$9`, `${n}`, named captures and
 *   a few nginx variables (`$host`, `$http_host`, `$scheme`, `$uri`, `$args`,
 *   `$request_uri`, `$server_port`); an unknown variable expands to ''.
 * No I/O.
 */

export type CompiledRegex = { readonly ok: true; readonly re: RegExp } | { readonly ok: false; readonly error: string };

/**
 * Compiles a PCRE-style pattern. `caseInsensitive` is nginx's `~*` (and the
 * `(?i)` that ingress-nginx puts in front of rewrite patterns).
 */
export function compileNginxRegex(pattern: string, opts: { anchored: boolean; caseInsensitive: boolean }): CompiledRegex {
  let p = pattern;
  let flags = opts.caseInsensitive ? 'i' : '';
  // leading inline flags, e.g. (?i)
  const inline = /^\(\?([imsx]+)\)/.exec(p);
  if (inline !== null) {
    if (inline[1]!.includes('i') && !flags.includes('i')) flags += 'i';
    if (inline[1]!.includes('s')) flags += 's';
    if (inline[1]!.includes('m')) flags += 'm';
    p = p.slice(inline[0].length);
  }
  p = p.replace(/\(\?P<([A-Za-z_][A-Za-z0-9_]*)>/g, '(?<$1>');
  try {
    return { ok: true, re: new RegExp(opts.anchored ? `^(?:${p})` : p, flags) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Variables a replacement may use besides captures. */
export interface RewriteVars {
  readonly host: string;
  readonly http_host: string;
  readonly scheme: string;
  readonly uri: string;
  readonly args: string;
  readonly request_uri: string;
  readonly server_port: string;
}

/** Expands an nginx rewrite replacement against a match. */
export function substitute(replacement: string, m: RegExpExecArray, vars: RewriteVars): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = replacement[i + 1];
    if (next !== undefined && next >= '1' && next <= '9') {
      out += m[Number(next)] ?? '';
      i += 1;
      continue;
    }
    let name: string;
    if (next === '{') {
      const end = replacement.indexOf('}', i + 2);
      if (end < 0) {
        out += c;
        continue;
      }
      name = replacement.slice(i + 2, end);
      i = end;
    } else {
      const mm = /^[A-Za-z0-9_]+/.exec(replacement.slice(i + 1));
      if (mm === null) {
        out += c;
        continue;
      }
      name = mm[0];
      i += name.length;
    }
    if (/^\d+$/.test(name)) {
      out += m[Number(name)] ?? '';
      continue;
    }
    const group = m.groups?.[name];
    if (group !== undefined) {
      out += group;
      continue;
    }
    out += Object.prototype.hasOwnProperty.call(vars, name) ? vars[name as keyof RewriteVars] : '';
  }
  return out;
}
