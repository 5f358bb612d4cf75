/**
 * @module workloads/busybox/sh/expand
 *
 * Word expansion, in POSIX order: tilde, parameters (with the ${...}
 * operators), command substitution, arithmetic; then field splitting of the
 * unquoted results on IFS, pathname expansion against the FileMap, and quote
 * removal. "$@" keeps one field per positional parameter.
 *
 * The shell supplies an ExpandEnv for variables, $(...) and errors.
 */
import type { Word, WordPart } from './ast.js';
import type { Script } from './ast.js';
import type { FileMap } from '../../process.js';
import { evalArith, ArithError } from './arith.js';
import { escapeGlob, globPaths, hasGlob, matchPattern, replacePattern, trimPattern, unescapeGlob } from './pattern.js';

/** Raised for ${x:?msg} and bad substitutions; the shell prints it and fails the command. */
export class ExpansionError extends Error {}

export interface ExpandEnv {
  /** A variable or special parameter's value; undefined when unset. */
  getVar(name: string): string | undefined;
  setVar(name: string, value: string): void;
  /** $1, $2, ... */
  positionalParams(): ReadonlyArray<string>;
  /** Runs $(...) and returns its output (trailing newlines are stripped here). */
  commandSubst(body: Script): Promise<string>;
  readonly files: FileMap;
  readonly cwd: string;
}

interface Seg {
  readonly text: string;
  /** Quoted text: never split, never a glob. */
  readonly quoted: boolean;
  /** Text from an unquoted expansion: split on IFS. */
  readonly split: boolean;
  /** A forced field boundary (between "$@" elements). */
  readonly brk?: boolean;
}

function ifsOf(env: ExpandEnv): string {
  const v = env.getVar('IFS');
  return v === undefined ? ' \t\n' : v;
}

async function paramValue(env: ExpandEnv, p: Extract<WordPart, { kind: 'param' }>): Promise<string | undefined> {
  const raw = env.getVar(p.name);
  const argText = async (): Promise<string> => (p.arg ? expandWordText(p.arg, env) : '');
  const unsetOrNull = raw === undefined || raw === '';
  switch (p.op) {
    case undefined:
      return raw;
    case 'len':
      return String([...(raw ?? '')].length);
    case ':-':
      return unsetOrNull ? argText() : raw;
    case '-':
      return raw === undefined ? argText() : raw;
    case ':=':
    case '=': {
      if (p.op === ':=' ? unsetOrNull : raw === undefined) {
        const v = await argText();
        env.setVar(p.name, v);
        return v;
      }
      return raw;
    }
    case ':+':
      return unsetOrNull ? '' : argText();
    case '+':
      return raw === undefined ? '' : argText();
    case ':?':
    case '?': {
      if (p.op === ':?' ? unsetOrNull : raw === undefined) {
        const msg = await argText();
        throw new ExpansionError(`${p.name}: ${msg || (p.op === ':?' && raw !== undefined ? 'parameter null or not set' : 'parameter not set')}`);
      }
      return raw;
    }
    case '#':
    case '##':
    case '%':
    case '%%': {
      const pat = p.arg ? await expandPattern(p.arg, env) : '';
      return trimPattern(raw ?? '', pat, p.op);
    }
    case '/':
    case '//':
    case '/#':
    case '/%': {
      const pat = p.arg ? await expandPattern(p.arg, env) : '';
      const rep = p.arg2 ? await expandWordText(p.arg2, env) : '';
      return replacePattern(raw ?? '', pat, rep, p.op);
    }
    case ':': {
      const vars = { get: (n: string) => env.getVar(n), set: (n: string, v: string) => env.setVar(n, v) };
      const value = raw ?? '';
      let off = evalArith(p.arg ? await expandWordText(p.arg, env) : '0', vars);
      if (off < 0) off = Math.max(0, value.length + off);
      if (!p.arg2) return value.slice(off);
      let len = evalArith(await expandWordText(p.arg2, env), vars);
      if (len < 0) len = Math.max(0, value.length - off + len);
      return value.slice(off, off + len);
    }
  }
}

/** Expands the parts of a word into segments (before splitting). */
async function segments(word: Word, env: ExpandEnv, patternMode: boolean): Promise<Seg[]> {
  const segs: Seg[] = [];
  const parts = [...word.parts];
  // tilde expansion at the start of an unquoted word
  const first = parts[0];
  if (first && first.kind === 'lit' && !first.quoted && first.text.startsWith('~')) {
    const m = /^~([^/]*)(.*)$/s.exec(first.text);
    const user = m?.[1] ?? '';
    if (user === '' || user === 'root') {
      const home = user === '' ? (env.getVar('HOME') ?? '/') : '/root';
      segs.push({ text: home, quoted: true, split: false });
      parts[0] = { kind: 'lit', text: m?.[2] ?? '', quoted: false };
    }
  }
  for (const part of parts) {
    switch (part.kind) {
      case 'lit':
        segs.push({ text: part.text, quoted: part.quoted, split: false });
        break;
      case 'param': {
        if ((part.name === '@' || part.name === '*') && !part.op) {
          const pos = env.positionalParams();
          if (part.quoted && part.name === '@') {
            pos.forEach((v, i) => {
              if (i > 0) segs.push({ text: '', quoted: true, split: false, brk: true });
              segs.push({ text: v, quoted: true, split: false });
            });
            break;
          }
          const sep = part.quoted ? (ifsOf(env)[0] ?? '') : ' ';
          segs.push({ text: pos.join(sep), quoted: part.quoted, split: !part.quoted });
          break;
        }
        const v = (await paramValue(env, part)) ?? '';
        segs.push({ text: v, quoted: part.quoted, split: !part.quoted && !patternMode });
        break;
      }
      case 'cmdsub': {
        const v = (await env.commandSubst(part.body)).replace(/\n+$/, '');
        segs.push({ text: v, quoted: part.quoted, split: !part.quoted && !patternMode });
        break;
      }
      case 'arith': {
        const text = await expandWordText(part.expr, env);
        let v: number;
        try {
          v = evalArith(text, { get: (n) => env.getVar(n), set: (n, val) => env.setVar(n, val) });
        } catch (e) {
          if (e instanceof ArithError) throw new ExpansionError(e.message);
          throw e;
        }
        segs.push({ text: String(v), quoted: part.quoted, split: !part.quoted && !patternMode });
        break;
      }
    }
  }
  return segs;
}

/** Expands a word to one string: no field splitting, no globbing (assignments, redirections, case words). */
export async function expandWordText(word: Word, env: ExpandEnv): Promise<string> {
  const segs = await segments(word, env, true);
  return segs.map((s) => s.text).join('');
}

/** Expands a word to a pattern: quoted characters escaped, unquoted ones active. */
export async function expandPattern(word: Word, env: ExpandEnv): Promise<string> {
  const segs = await segments(word, env, true);
  return segs.map((s) => (s.quoted ? escapeGlob(s.text) : s.text)).join('');
}

/** Full expansion of command words into fields. */
export async function expandWords(words: ReadonlyArray<Word>, env: ExpandEnv): Promise<string[]> {
  const out: string[] = [];
  const ifs = ifsOf(env);
  const isWs = (c: string): boolean => c === ' ' || c === '\t' || c === '\n';
  for (const word of words) {
    const segs = await segments(word, env, false);
    const fields: Array<{ text: string; glob: string }> = [];
    let text = '';
    let glob = '';
    let started = false;
    const finish = (): void => {
      fields.push({ text, glob });
      text = '';
      glob = '';
      started = false;
    };
    for (const s of segs) {
      if (s.brk) {
        finish();
        started = true;
        continue;
      }
      if (!s.split) {
        text += s.text;
        glob += s.quoted ? escapeGlob(s.text) : s.text;
        if (s.quoted || s.text) started = true;
        continue;
      }
      for (let i = 0; i < s.text.length; i++) {
        const c = s.text[i] ?? '';
        if (!ifs.includes(c)) {
          text += c;
          glob += c;
          started = true;
          continue;
        }
        if (isWs(c)) {
          if (started) finish();
          continue;
        }
        // non-whitespace IFS character: always delimits
        finish();
      }
    }
    if (started) finish();
    for (const f of fields) {
      if (hasGlob(f.glob)) {
        const matches = globPaths(env.files, env.cwd, f.glob);
        if (matches.length) {
          out.push(...matches);
          continue;
        }
        out.push(unescapeGlob(f.glob));
        continue;
      }
      out.push(f.text);
    }
  }
  return out;
}

/** case pattern matching helper re-exported for the executor. */
export { matchPattern };
