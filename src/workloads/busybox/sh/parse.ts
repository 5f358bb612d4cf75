/**
 * @module workloads/busybox/sh/parse
 *
 * A recursive-descent parser for the ash subset, straight from characters:
 * quotes ('', "", \), $NAME ${...} $(...) `...` $((...)), assignments,
 * redirections (with fd numbers and here-documents), ; & && || | !, if/elif/
 * else, for, while/until, case, { }, ( ), and NAME() functions.
 *
 * Errors carry ash's wording ("unexpected "done"", "unterminated quoted
 * string", "unexpected end of file (expecting "fi")"); `incomplete` marks
 * input that could still be completed by more lines (the interactive shell
 * then shows PS2). Pure.
 */
import type { AndOr, Assign, Command, Pipeline, Redirect, RedirOp, Script, Word, WordPart } from './ast.js';

export class ShellSyntaxError extends Error {
  constructor(
    message: string,
    /** True when more input could complete the text (unclosed quote, missing "fi"...). */
    readonly incomplete: boolean,
    readonly line: number,
  ) {
    super(message);
  }
}

const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'case', 'esac', 'while', 'until', 'for', 'in', '{', '}', '!']);
const OPERATORS = ['&&', '||', ';;', '<<-', '<<', '>>', '>&', '<&', '<>', '>|', '&>', ';', '&', '|', '(', ')', '<', '>'];
const REDIR_OPS = new Set<string>(['<<-', '<<', '>>', '>&', '<&', '<>', '>|', '&>', '<', '>']);

type Token =
  | { readonly type: 'op'; readonly value: string; readonly fd?: number }
  | { readonly type: 'word'; readonly word: Word; readonly literal: string | undefined }
  | { readonly type: 'newline' }
  | { readonly type: 'eof' };

interface PendingHeredoc {
  readonly redir: Redirect;
  readonly delim: string;
  readonly quoted: boolean;
  readonly stripTabs: boolean;
}

const isMeta = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === ';' || c === '&' || c === '|' || c === '(' || c === ')' || c === '<' || c === '>';
const isNameStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isNameChar = (c: string): boolean => /[A-Za-z0-9_]/.test(c);

function describe(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'end of file';
    case 'newline':
      return 'newline';
    case 'op':
      return `"${t.value}"`;
    case 'word':
      return `"${t.literal ?? 'word'}"`;
  }
}

/** Concatenates the literal text of a word when it has no expansions (else undefined). */
export function literalOf(w: Word): string | undefined {
  let s = '';
  for (const p of w.parts) {
    if (p.kind !== 'lit') return undefined;
    s += p.text;
  }
  return s;
}

class Parser {
  pos = 0;
  private pending: PendingHeredoc[] = [];

  constructor(private readonly src: string) {}

  lineAt(pos: number = this.pos): number {
    let n = 1;
    for (let i = 0; i < pos && i < this.src.length; i++) if (this.src[i] === '\n') n++;
    return n;
  }

  private fail(message: string, incomplete = false): never {
    throw new ShellSyntaxError(message, incomplete, this.lineAt());
  }

  private unexpected(t: Token, expecting?: string): never {
    const msg = `unexpected ${describe(t)}${expecting ? ` (expecting "${expecting}")` : ''}`;
    this.fail(msg, t.type === 'eof');
  }

  // ---- tokens ---------------------------------------------------------------

  private skipBlanks(): void {
    for (;;) {
      const c = this.src[this.pos];
      if (c === ' ' || c === '\t') this.pos++;
      else if (c === '\\' && this.src[this.pos + 1] === '\n') this.pos += 2;
      else if (c === '#') {
        while (this.pos < this.src.length && this.src[this.pos] !== '\n') this.pos++;
      } else break;
    }
  }

  private readToken(): Token {
    this.skipBlanks();
    if (this.pos >= this.src.length) return { type: 'eof' };
    const c = this.src[this.pos] ?? '';
    if (c === '\n') {
      this.pos++;
      this.readHeredocs();
      return { type: 'newline' };
    }
    const fdMatch = /^(\d+)(?=[<>])/.exec(this.src.slice(this.pos, this.pos + 12));
    if (fdMatch) {
      const after = this.pos + (fdMatch[1] ?? '').length;
      const op = OPERATORS.find((o) => this.src.startsWith(o, after) && REDIR_OPS.has(o));
      if (op) {
        this.pos = after + op.length;
        return { type: 'op', value: op, fd: Number(fdMatch[1]) };
      }
    }
    const op = OPERATORS.find((o) => this.src.startsWith(o, this.pos));
    if (op) {
      this.pos += op.length;
      return { type: 'op', value: op };
    }
    const word = this.parseWord('normal', false);
    return { type: 'word', word, literal: literalOf(word) };
  }

  private peek(): Token {
    const save = this.pos;
    const savePending = this.pending;
    this.pending = [...this.pending];
    try {
      return this.readToken();
    } finally {
      this.pos = save;
      this.pending = savePending;
    }
  }

  private next(): Token {
    return this.readToken();
  }

  private isReserved(t: Token, ...names: string[]): boolean {
    if (t.type !== 'word' || t.literal === undefined) return false;
    const unquoted = t.word.parts.every((p) => p.kind === 'lit' && !p.quoted);
    return unquoted && names.includes(t.literal) && RESERVED.has(t.literal);
  }

  private isOp(t: Token, ...values: string[]): boolean {
    return t.type === 'op' && values.includes(t.value) && !('fd' in t && t.fd !== undefined);
  }

  private linebreak(): void {
    while (this.peek().type === 'newline') this.next();
  }

  private expectReserved(name: string): void {
    const t = this.peek();
    if (!this.isReserved(t, name)) this.unexpected(t, name);
    this.next();
  }

  // ---- grammar --------------------------------------------------------------

  parseProgram(): Script {
    const s = this.parseList([]);
    const t = this.peek();
    if (t.type !== 'eof') this.unexpected(t);
    return s;
  }

  parseList(terminators: ReadonlyArray<string>, closeParen = false): Script {
    const items: Array<{ andOr: AndOr; background: boolean }> = [];
    for (;;) {
      this.linebreak();
      const t = this.peek();
      if (t.type === 'eof') break;
      if (this.isReserved(t, ...terminators)) break;
      if (this.isOp(t, ';;') && terminators.includes(';;')) break;
      if (this.isOp(t, ')') && closeParen) break;
      const andOr = this.parseAndOr();
      const sep = this.peek();
      if (this.isOp(sep, ';', '&')) {
        this.next();
        items.push({ andOr, background: sep.type === 'op' && sep.value === '&' });
        continue;
      }
      if (sep.type === 'newline') {
        this.next();
        items.push({ andOr, background: false });
        continue;
      }
      items.push({ andOr, background: false });
      break;
    }
    return { items };
  }

  private parseAndOr(): AndOr {
    const first = this.parsePipeline();
    const rest: Array<{ op: '&&' | '||'; pipeline: Pipeline }> = [];
    for (;;) {
      const t = this.peek();
      if (!this.isOp(t, '&&', '||')) break;
      this.next();
      this.linebreak();
      rest.push({ op: t.type === 'op' && t.value === '&&' ? '&&' : '||', pipeline: this.parsePipeline() });
    }
    return { first, rest };
  }

  private parsePipeline(): Pipeline {
    let negate = false;
    if (this.isReserved(this.peek(), '!')) {
      this.next();
      negate = true;
    }
    const commands: Command[] = [this.parseCommand()];
    while (this.isOp(this.peek(), '|')) {
      this.next();
      this.linebreak();
      commands.push(this.parseCommand());
    }
    return { negate, commands };
  }

  private parseCommand(): Command {
    const t = this.peek();
    if (t.type === 'eof') this.unexpected(t);
    if (t.type === 'word' && t.literal !== undefined && this.isReserved(t, t.literal)) {
      switch (t.literal) {
        case 'if':
          return this.withRedirs(this.parseIf());
        case 'for':
          return this.withRedirs(this.parseFor());
        case 'while':
        case 'until':
          return this.withRedirs(this.parseWhile(t.literal === 'until'));
        case 'case':
          return this.withRedirs(this.parseCase());
        case '{': {
          this.next();
          const body = this.parseList(['}']);
          if (body.items.length === 0) this.unexpected(this.peek());
          this.expectReserved('}');
          return this.withRedirs({ kind: 'group', subshell: false, body, redirs: [] });
        }
        default:
          this.unexpected(t);
      }
    }
    if (this.isOp(t, '(')) {
      this.next();
      const body = this.parseList([], true);
      const close = this.peek();
      if (!this.isOp(close, ')')) this.unexpected(close, ')');
      if (body.items.length === 0) this.unexpected(close);
      this.next();
      return this.withRedirs({ kind: 'group', subshell: true, body, redirs: [] });
    }
    // NAME() compound-command
    if (t.type === 'word' && t.literal !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(t.literal)) {
      const save = this.pos;
      this.next();
      const a = this.peek();
      if (this.isOp(a, '(')) {
        this.next();
        const b = this.peek();
        if (this.isOp(b, ')')) {
          this.next();
          this.linebreak();
          const body = this.parseCommand();
          return { kind: 'func', name: t.literal, body };
        }
        this.unexpected(b, ')');
      }
      this.pos = save;
    }
    return this.parseSimple();
  }

  private withRedirs<C extends Exclude<Command, { kind: 'simple' } | { kind: 'func' }>>(c: C): C {
    const redirs: Redirect[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === 'op' && REDIR_OPS.has(t.value)) redirs.push(this.parseRedirect());
      else break;
    }
    return redirs.length ? { ...c, redirs } : c;
  }

  private parseRedirect(): Redirect {
    const t = this.next();
    if (t.type !== 'op') this.unexpected(t);
    const op = t.value as RedirOp;
    const target = this.peek();
    if (target.type !== 'word') this.unexpected(target);
    this.next();
    const fd = t.fd ?? (op === '<' || op === '<&' || op === '<>' || op === '<<' || op === '<<-' ? 0 : 1);
    const redir: Redirect = { fd, op, target: target.word };
    if (op === '<<' || op === '<<-') {
      const raw = target.word.parts.map((p) => (p.kind === 'lit' ? p.text : '')).join('');
      const quoted = target.word.parts.some((p) => p.kind === 'lit' && p.quoted);
      this.pending.push({ redir, delim: raw, quoted, stripTabs: op === '<<-' });
    }
    return redir;
  }

  private readHeredocs(): void {
    const list = this.pending;
    this.pending = [];
    for (const h of list) {
      let body = '';
      for (;;) {
        if (this.pos >= this.src.length) break;
        const nl = this.src.indexOf('\n', this.pos);
        const end = nl < 0 ? this.src.length : nl;
        let line = this.src.slice(this.pos, end);
        this.pos = nl < 0 ? this.src.length : nl + 1;
        if (h.stripTabs) line = line.replace(/^\t+/, '');
        if (line === h.delim) break;
        body += `${line}\n`;
      }
      h.redir.heredoc = h.quoted ? { parts: [{ kind: 'lit', text: body, quoted: true }] } : new Parser(body).parseHeredocBody();
    }
  }

  private parseHeredocBody(): Word {
    return this.parseWord('heredoc', true);
  }

  private parseSimple(): Command {
    const line = this.lineAt(this.pos + (/^[ \t]*/.exec(this.src.slice(this.pos))?.[0].length ?? 0));
    const assigns: Assign[] = [];
    const words: Word[] = [];
    const redirs: Redirect[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === 'op' && REDIR_OPS.has(t.value)) {
        redirs.push(this.parseRedirect());
        continue;
      }
      if (t.type !== 'word') break;
      this.next();
      const first = t.word.parts[0];
      const m = first && first.kind === 'lit' && !first.quoted ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.text) : null;
      if (words.length === 0 && m && first?.kind === 'lit') {
        const rest: WordPart[] = [];
        const tail = first.text.slice(m[0].length);
        if (tail) rest.push({ kind: 'lit', text: tail, quoted: false });
        rest.push(...t.word.parts.slice(1));
        assigns.push({ name: m[1] ?? '', value: { parts: rest } });
      } else words.push(t.word);
    }
    if (assigns.length === 0 && words.length === 0 && redirs.length === 0) this.unexpected(this.peek());
    return { kind: 'simple', assigns, words, redirs, line };
  }

  private parseIf(): Extract<Command, { kind: 'if' }> {
    this.next(); // if
    const clauses: Array<{ cond: Script; body: Script }> = [];
    let elseBody: Script | undefined;
    for (;;) {
      const cond = this.parseList(['then']);
      if (cond.items.length === 0) this.unexpected(this.peek());
      this.expectReserved('then');
      const body = this.parseList(['elif', 'else', 'fi']);
      if (body.items.length === 0) this.unexpected(this.peek());
      clauses.push({ cond, body });
      const t = this.peek();
      if (this.isReserved(t, 'elif')) {
        this.next();
        continue;
      }
      if (this.isReserved(t, 'else')) {
        this.next();
        elseBody = this.parseList(['fi']);
        if (elseBody.items.length === 0) this.unexpected(this.peek());
      }
      this.expectReserved('fi');
      return { kind: 'if', clauses, elseBody, redirs: [] };
    }
  }

  private parseDoGroup(): Script {
    this.linebreak();
    this.expectReserved('do');
    const body = this.parseList(['done']);
    if (body.items.length === 0) this.unexpected(this.peek());
    this.expectReserved('done');
    return body;
  }

  private parseFor(): Extract<Command, { kind: 'for' }> {
    this.next(); // for
    const nameTok = this.next();
    if (nameTok.type !== 'word' || nameTok.literal === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(nameTok.literal)) {
      this.fail(`bad for loop variable`);
    }
    const name = nameTok.literal;
    let items: Word[] | undefined;
    this.linebreak();
    const t = this.peek();
    if (this.isReserved(t, 'in')) {
      this.next();
      items = [];
      for (;;) {
        const w = this.peek();
        if (w.type !== 'word') break;
        this.next();
        items.push(w.word);
      }
      const sep = this.peek();
      if (this.isOp(sep, ';') || sep.type === 'newline') this.next();
      else if (!this.isReserved(sep, 'do')) this.unexpected(sep, 'do');
    } else if (this.isOp(t, ';')) this.next();
    const body = this.parseDoGroup();
    return { kind: 'for', name, items, body, redirs: [] };
  }

  private parseWhile(until: boolean): Extract<Command, { kind: 'while' }> {
    this.next();
    const cond = this.parseList(['do']);
    if (cond.items.length === 0) this.unexpected(this.peek());
    const body = this.parseDoGroup();
    return { kind: 'while', until, cond, body, redirs: [] };
  }

  private parseCase(): Extract<Command, { kind: 'case' }> {
    this.next(); // case
    const wt = this.next();
    if (wt.type !== 'word') this.unexpected(wt);
    this.linebreak();
    this.expectReserved('in');
    const items: Array<{ patterns: Word[]; body: Script }> = [];
    for (;;) {
      this.linebreak();
      const t = this.peek();
      if (this.isReserved(t, 'esac')) {
        this.next();
        break;
      }
      if (this.isOp(t, '(')) this.next();
      const patterns: Word[] = [];
      for (;;) {
        const p = this.next();
        if (p.type !== 'word') this.unexpected(p, ')');
        patterns.push(p.word);
        const sep = this.next();
        if (this.isOp(sep, ')')) break;
        if (!this.isOp(sep, '|')) this.unexpected(sep, ')');
      }
      const body = this.parseList(['esac', ';;']);
      items.push({ patterns, body });
      const end = this.peek();
      if (this.isOp(end, ';;')) {
        this.next();
        continue;
      }
      if (this.isReserved(end, 'esac')) {
        this.next();
        break;
      }
      this.unexpected(end, 'esac');
    }
    return { kind: 'case', word: wt.word, items, redirs: [] };
  }

  // ---- words ----------------------------------------------------------------

  /**
   * Parses a word. Modes: 'normal' stops at metacharacters; 'brace' at an
   * unquoted "}" (or "/" with stopSlash) inside ${...}; 'heredoc' and 'arith'
   * read to the end of the text, honouring only $, ` and \.
   */
  parseWord(mode: 'normal' | 'brace' | 'heredoc' | 'arith', quotedCtx: boolean, stopSlash = false): Word {
    const parts: WordPart[] = [];
    let buf = '';
    let bufQuoted = quotedCtx;
    const flush = (): void => {
      if (buf) parts.push({ kind: 'lit', text: buf, quoted: bufQuoted });
      buf = '';
    };
    const addLit = (text: string, quoted: boolean): void => {
      if (quoted !== bufQuoted) {
        flush();
        bufQuoted = quoted;
      }
      buf += text;
    };
    const raw = mode === 'heredoc' || mode === 'arith';
    for (;;) {
      if (this.pos >= this.src.length) break;
      const c = this.src[this.pos] ?? '';
      if (mode === 'normal' && isMeta(c)) break;
      if (mode === 'brace' && (c === '}' || (stopSlash && c === '/'))) break;
      if (c === '\\') {
        const n = this.src[this.pos + 1];
        if (n === undefined) {
          addLit('\\', quotedCtx);
          this.pos++;
          continue;
        }
        if (n === '\n') {
          this.pos += 2;
          continue;
        }
        if (raw && !'$`\\'.includes(n)) {
          addLit(`\\${n}`, true);
          this.pos += 2;
          continue;
        }
        if (quotedCtx && mode === 'brace' && !'$`"\\}'.includes(n)) {
          addLit(`\\${n}`, true);
          this.pos += 2;
          continue;
        }
        addLit(n, true);
        this.pos += 2;
        continue;
      }
      if (c === "'" && !raw && !quotedCtx) {
        const end = this.src.indexOf("'", this.pos + 1);
        if (end < 0) this.fail('unterminated quoted string', true);
        flush();
        parts.push({ kind: 'lit', text: this.src.slice(this.pos + 1, end), quoted: true });
        this.pos = end + 1;
        continue;
      }
      if (c === '"' && !raw && !quotedCtx) {
        flush();
        this.pos++;
        const before = parts.length;
        this.parseDoubleQuoted(parts);
        if (parts.length === before) parts.push({ kind: 'lit', text: '', quoted: true });
        continue;
      }
      if (c === '$') {
        const part = this.parseDollar(quotedCtx || mode === 'heredoc');
        if (part) {
          flush();
          parts.push(part);
        } else addLit('$', quotedCtx);
        continue;
      }
      if (c === '`') {
        flush();
        parts.push(this.parseBackquote(quotedCtx || mode === 'heredoc'));
        continue;
      }
      addLit(c, quotedCtx || mode === 'heredoc');
      this.pos++;
    }
    flush();
    return { parts };
  }

  private parseDoubleQuoted(parts: WordPart[]): void {
    let buf = '';
    const flush = (): void => {
      if (buf) parts.push({ kind: 'lit', text: buf, quoted: true });
      buf = '';
    };
    for (;;) {
      if (this.pos >= this.src.length) this.fail('unterminated quoted string', true);
      const c = this.src[this.pos] ?? '';
      if (c === '"') {
        this.pos++;
        break;
      }
      if (c === '\\') {
        const n = this.src[this.pos + 1];
        if (n === undefined) this.fail('unterminated quoted string', true);
        if (n === '\n') {
          this.pos += 2;
          continue;
        }
        if ('$`"\\'.includes(n)) {
          buf += n;
          this.pos += 2;
          continue;
        }
        buf += `\\${n}`;
        this.pos += 2;
        continue;
      }
      if (c === '$') {
        const part = this.parseDollar(true);
        if (part) {
          flush();
          parts.push(part);
        } else buf += '$';
        continue;
      }
      if (c === '`') {
        flush();
        parts.push(this.parseBackquote(true));
        continue;
      }
      buf += c;
      this.pos++;
    }
    flush();
  }

  /** Parses at a "$"; returns undefined (consuming the "$") when it starts no expansion. */
  private parseDollar(quoted: boolean): WordPart | undefined {
    const n = this.src[this.pos + 1] ?? '';
    if (n === '{') return this.parseBraceParam(quoted);
    if (n === '(') {
      if (this.src[this.pos + 2] === '(') {
        const arith = this.tryArith(quoted);
        if (arith) return arith;
      }
      this.pos += 2;
      const sub = new Parser(this.src);
      sub.pos = this.pos;
      const body = sub.parseList([], true);
      const close = sub.peek();
      if (close.type === 'eof') this.fail('unexpected end of file (expecting ")")', true);
      if (!sub.isOp(close, ')')) sub.unexpected(close, ')');
      sub.next();
      this.pos = sub.pos;
      return { kind: 'cmdsub', body, quoted };
    }
    if (isNameStart(n)) {
      let end = this.pos + 1;
      while (end < this.src.length && isNameChar(this.src[end] ?? '')) end++;
      const name = this.src.slice(this.pos + 1, end);
      this.pos = end;
      return { kind: 'param', name, quoted };
    }
    if (/[0-9#?$!@*-]/.test(n) && n !== '') {
      this.pos += 2;
      return { kind: 'param', name: n, quoted };
    }
    this.pos++;
    return undefined;
  }

  private tryArith(quoted: boolean): WordPart | undefined {
    let depth = 2;
    let i = this.pos + 3;
    for (; i < this.src.length; i++) {
      const c = this.src[i];
      if (c === '(') depth++;
      else if (c === ')') {
        depth--;
        if (depth === 0) break;
      }
    }
    if (depth !== 0) {
      if (i >= this.src.length) this.fail('unexpected end of file (expecting "))")', true);
      return undefined;
    }
    // the text between "$((" and the closing "))"
    const inner = this.src.slice(this.pos + 3, i - 1);
    if (this.src[i - 1] !== ')') return undefined;
    this.pos = i + 1;
    const expr = new Parser(inner).parseWord('arith', false);
    return { kind: 'arith', expr, quoted };
  }

  private parseBraceParam(quoted: boolean): WordPart {
    const start = this.pos;
    this.pos += 2; // ${
    const readName = (): string => {
      const c = this.src[this.pos] ?? '';
      if (isNameStart(c)) {
        let end = this.pos;
        while (end < this.src.length && isNameChar(this.src[end] ?? '')) end++;
        const nm = this.src.slice(this.pos, end);
        this.pos = end;
        return nm;
      }
      if (/[0-9]/.test(c)) {
        let end = this.pos;
        while (end < this.src.length && /[0-9]/.test(this.src[end] ?? '')) end++;
        const nm = this.src.slice(this.pos, end);
        this.pos = end;
        return nm;
      }
      if (c && '#?$!@*-'.includes(c)) {
        this.pos++;
        return c;
      }
      return '';
    };
    const closeBrace = (): void => {
      if (this.pos >= this.src.length) this.fail('unexpected end of file (expecting "}")', true);
      if (this.src[this.pos] !== '}') this.fail('bad substitution');
      this.pos++;
    };
    // ${#name}
    if (this.src[this.pos] === '#' && this.src[this.pos + 1] !== '}') {
      const save = this.pos;
      this.pos++;
      const name = readName();
      if (name && this.src[this.pos] === '}') {
        this.pos++;
        return { kind: 'param', name, op: 'len', quoted };
      }
      this.pos = save;
    }
    const name = readName();
    if (!name) {
      if (this.pos >= this.src.length) this.fail('unexpected end of file (expecting "}")', true);
      this.pos = start;
      this.fail('bad substitution');
    }
    if (this.src[this.pos] === '}') {
      this.pos++;
      return { kind: 'param', name, quoted };
    }
    const ops: ReadonlyArray<string> = [':-', ':=', ':+', ':?', '##', '%%', '//', '/#', '/%', '-', '=', '+', '?', '#', '%', '/', ':'];
    const op = ops.find((o) => this.src.startsWith(o, this.pos));
    if (!op) {
      if (this.pos >= this.src.length) this.fail('unexpected end of file (expecting "}")', true);
      this.fail('bad substitution');
    }
    this.pos += op.length;
    if (op === '/' || op === '//' || op === '/#' || op === '/%') {
      const pat = this.parseWord('brace', quoted, true);
      let rep: Word = { parts: [] };
      if (this.src[this.pos] === '/') {
        this.pos++;
        rep = this.parseWord('brace', quoted);
      }
      closeBrace();
      return { kind: 'param', name, op: op as '/', arg: pat, arg2: rep, quoted };
    }
    if (op === ':') {
      const off = this.parseWord('brace', quoted);
      // ${x:off:len} - split the offset word at the second ':'
      const text = literalOf(off) ?? '';
      const colon = text.indexOf(':');
      closeBrace();
      if (colon >= 0) {
        return {
          kind: 'param',
          name,
          op: ':',
          arg: { parts: [{ kind: 'lit', text: text.slice(0, colon), quoted }] },
          arg2: { parts: [{ kind: 'lit', text: text.slice(colon + 1), quoted }] },
          quoted,
        };
      }
      return { kind: 'param', name, op: ':', arg: off, quoted };
    }
    const arg = this.parseWord('brace', quoted);
    closeBrace();
    return { kind: 'param', name, op: op as ':-', arg, quoted };
  }

  private parseBackquote(quoted: boolean): WordPart {
    let i = this.pos + 1;
    let text = '';
    for (;;) {
      if (i >= this.src.length) this.fail('unterminated quoted string', true);
      const c = this.src[i] ?? '';
      if (c === '`') break;
      if (c === '\\') {
        const n = this.src[i + 1] ?? '';
        if ('$`\\'.includes(n) || (quoted && n === '"')) {
          text += n;
          i += 2;
          continue;
        }
      }
      text += c;
      i++;
    }
    this.pos = i + 1;
    const body = new Parser(text).parseProgram();
    return { kind: 'cmdsub', body, quoted };
  }
}

/** Parses a whole script (sh -c text, a script file, or one interactive input). */
export function parseScript(src: string): Script {
  return new Parser(src).parseProgram();
}

/** Parses text as one word (used for PS1 and here-document bodies). */
export function parseWordText(src: string, mode: 'heredoc' | 'arith' = 'heredoc'): Word {
  return new Parser(src).parseWord(mode, mode === 'heredoc');
}
