/**
 * @module workloads/busybox/sh/pattern
 *
 * Shell pattern matching (fnmatch): * ? [...] [!...] with backslash quoting,
 * for case, ${x#pat} and friends, and pathname expansion over the FileMap.
 * A pattern string marks quoted characters with a backslash (the expander
 * builds it so). Pure apart from reading directory listings.
 */
import type { FileMap } from '../../process.js';
import { resolvePath } from '../../fs.js';

/** Escapes the characters that are special in patterns. */
export function escapeGlob(s: string): string {
  return s.replace(/[\\*?[\]]/g, '\\$&');
}

/** True when the pattern has an unescaped * ? or [. */
export function hasGlob(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

/** Removes pattern escapes: the literal text a pattern stands for. */
export function unescapeGlob(pattern: string): string {
  return pattern.replace(/\\(.)/gs, '$1');
}

/** The regular-expression source for a pattern (`pathname`: * and ? do not match "/"). */
export function patternSource(pattern: string, pathname = false): string {
  let re = '';
  const any = pathname ? '[^/]' : '[\\s\\S]';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '\\') {
      const n = pattern[++i] ?? '\\';
      re += n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '*') re += `${any}*`;
    else if (c === '?') re += any;
    else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) {
        re += '\\[';
        continue;
      }
      let body = pattern.slice(i + 1, close);
      let neg = false;
      if (body.startsWith('!') || body.startsWith('^')) {
        neg = true;
        body = body.slice(1);
      }
      body = body.replace(/\\(.)/g, '$1').replace(/[\\\]^]/g, '\\$&');
      re += `[${neg ? '^' : ''}${body}]`;
      i = close;
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return re;
}

/** Whether the whole of `text` matches `pattern`. */
export function matchPattern(pattern: string, text: string): boolean {
  return new RegExp(`^${patternSource(pattern)}$`).test(text);
}

/**
 * Removes the shortest/longest prefix or suffix matching `pattern`
 * (${x#p} ${x##p} ${x%p} ${x%%p}).
 */
export function trimPattern(value: string, pattern: string, op: '#' | '##' | '%' | '%%'): string {
  const re = new RegExp(`^${patternSource(pattern)}$`);
  if (op === '#' || op === '##') {
    const lengths = [...Array(value.length + 1).keys()];
    if (op === '##') lengths.reverse();
    for (const n of lengths) if (re.test(value.slice(0, n))) return value.slice(n);
    return value;
  }
  const starts = [...Array(value.length + 1).keys()];
  if (op === '%') starts.reverse();
  for (const s of starts) if (re.test(value.slice(s))) return value.slice(0, s);
  return value;
}

/** ${x/p/r}, ${x//p/r}, ${x/#p/r}, ${x/%p/r}: longest matches, left to right. */
export function replacePattern(value: string, pattern: string, rep: string, op: '/' | '//' | '/#' | '/%'): string {
  const re = new RegExp(`^${patternSource(pattern)}$`);
  if (op === '/#') {
    for (let n = value.length; n >= 0; n--) if (re.test(value.slice(0, n))) return rep + value.slice(n);
    return value;
  }
  if (op === '/%') {
    for (let s = 0; s <= value.length; s++) if (re.test(value.slice(s))) return value.slice(0, s) + rep;
    return value;
  }
  let out = '';
  let i = 0;
  let replaced = false;
  while (i <= value.length) {
    let matched = -1;
    if (!(replaced && op === '/')) {
      for (let n = value.length; n > i; n--) {
        if (re.test(value.slice(i, n))) {
          matched = n;
          break;
        }
      }
    }
    if (matched > i) {
      out += rep;
      i = matched;
      replaced = true;
      continue;
    }
    if (i < value.length) out += value[i] ?? '';
    i++;
  }
  return out;
}

/** Pathname expansion: the sorted paths matching `pattern`, or [] when none. */
export function globPaths(files: FileMap, cwd: string, pattern: string): string[] {
  const absolute = pattern.startsWith('/');
  const comps = pattern.split('/').filter((c, i) => c !== '' || i === 0);
  let current: Array<{ shown: string; path: string }> = [{ shown: absolute ? '/' : '', path: absolute ? '/' : cwd }];
  const startIdx = absolute ? 1 : 0;
  for (let ci = startIdx; ci < comps.length; ci++) {
    const comp = comps[ci] ?? '';
    const next: Array<{ shown: string; path: string }> = [];
    const join = (base: { shown: string; path: string }, name: string): { shown: string; path: string } => ({
      shown: base.shown === '' ? name : base.shown.endsWith('/') ? base.shown + name : `${base.shown}/${name}`,
      path: resolvePath(base.path, name),
    });
    for (const base of current) {
      if (!hasGlob(comp)) {
        const name = unescapeGlob(comp);
        const cand = join(base, name);
        if (files.stat(cand.path)) next.push(cand);
        continue;
      }
      const re = new RegExp(`^${patternSource(comp, true)}$`);
      for (const name of files.list(base.path) ?? []) {
        if (name.startsWith('.') && !comp.startsWith('.')) continue;
        if (re.test(name)) next.push(join(base, name));
      }
    }
    current = next;
  }
  return current.map((c) => c.shown).sort();
}
