/**
 * @module workloads/busybox/text-applets
 *
 * The text-processing applets learners pipe into: cat, head, tail, wc, grep.
 * busybox wording for errors ("cat: can't open 'x': No such file or
 * directory") and exit statuses (grep: 0 match, 1 none, 2 error).
 */
import type { ProcessContext } from '../process.js';
import { err, fail, out, showUsage } from './applet.js';
import { lastOpt, parseArgs } from './getopt.js';
import { readInput, readInputs, splitLines, streamStdin } from './input.js';

/** cat [-n] [FILE]... */
export async function cat(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const p = parseArgs('cat', argv.slice(1), [{ name: 'n', short: 'n' }, { name: 'b', short: 'b' }, { name: 'v', short: 'v' }, { name: 'e', short: 'e' }, { name: 'A', short: 'A' }, { name: 'u', short: 'u' }], { libc: ctx.libc });
  if (!p.ok) return showUsage(ctx, 'cat [-nbvteA] [FILE]...', p.message);
  let status = 0;
  let lineNo = 0;
  const plain = !p.opts.has('n') && !p.opts.has('b');
  for (const name of p.operands.length ? p.operands : ['-']) {
    if (name === '-' && plain) {
      await streamStdin(ctx, (c) => out(ctx, c));
      continue;
    }
    const input = await readInput(ctx, name);
    if (!input.ok) {
      err(ctx, `cat: can't open '${input.name}': ${input.reason}\n`);
      status = 1;
      continue;
    }
    if (p.opts.has('n') || p.opts.has('b')) {
      const { lines, trailingNewline } = splitLines(input.data.toString('utf8'));
      lines.forEach((l, i) => {
        const numbered = !p.opts.has('b') || l !== '';
        const prefix = numbered ? `${String(++lineNo).padStart(6, ' ')}\t` : '';
        out(ctx, `${prefix}${l}${i < lines.length - 1 || trailingNewline ? '\n' : ''}`);
      });
    } else out(ctx, input.data);
  }
  return status;
}

function numArg(v: string | undefined, dflt: number): number | undefined {
  if (v === undefined) return dflt;
  const n = Number(v.replace(/^[-+]/, ''));
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** head [-n N] [-c N] [FILE]... (also the old "-N" form). */
export async function head(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const args = argv.slice(1).map((a) => (/^-\d+$/.test(a) ? `-n${a.slice(1)}` : a));
  const p = parseArgs('head', args, [{ name: 'n', short: 'n', arg: 'required' }, { name: 'c', short: 'c', arg: 'required' }, { name: 'q', short: 'q' }, { name: 'v', short: 'v' }], { libc: ctx.libc });
  if (!p.ok) return showUsage(ctx, 'head [OPTIONS] [FILE]...', p.message);
  const n = numArg(lastOpt(p, 'n'), 10);
  const c = lastOpt(p, 'c') === undefined ? undefined : numArg(lastOpt(p, 'c'), 0);
  if (n === undefined || (lastOpt(p, 'c') !== undefined && c === undefined)) return fail(ctx, 'head', `invalid number '${lastOpt(p, 'n') ?? lastOpt(p, 'c') ?? ''}'`);
  if (p.operands.length === 0 || (p.operands.length === 1 && p.operands[0] === '-' && !p.opts.has('v'))) {
    // stdin: stop reading once enough has come (the writer then gets SIGPIPE)
    let lines = 0;
    let bytes = 0;
    if ((c ?? n) === 0) return 0;
    await streamStdin(ctx, (chunk) => {
      if (c !== undefined) {
        const take = chunk.subarray(0, c - bytes);
        bytes += take.length;
        out(ctx, take);
        return bytes < c;
      }
      let end = 0;
      while (end < chunk.length && lines < n) {
        const nl = chunk.indexOf(0x0a, end);
        if (nl < 0) {
          end = chunk.length;
          break;
        }
        end = nl + 1;
        lines++;
      }
      out(ctx, chunk.subarray(0, end));
      return lines < n;
    });
    return 0;
  }
  const inputs = await readInputs(ctx, p.operands);
  let status = 0;
  inputs.forEach((input, idx) => {
    if (!input.ok) {
      err(ctx, `head: can't open '${input.name}': ${input.reason}\n`);
      status = 1;
      return;
    }
    if ((inputs.length > 1 && !p.opts.has('q')) || p.opts.has('v')) out(ctx, `${idx > 0 ? '\n' : ''}==> ${input.name === '-' ? 'standard input' : input.name} <==\n`);
    if (c !== undefined) {
      out(ctx, input.data.subarray(0, c));
      return;
    }
    const text = input.data.toString('utf8');
    let pos = 0;
    for (let k = 0; k < n && pos < text.length; k++) {
      const nl = text.indexOf('\n', pos);
      pos = nl < 0 ? text.length : nl + 1;
    }
    out(ctx, text.slice(0, pos));
  });
  return status;
}

/** tail [-n N] [FILE]... */
export async function tail(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const args = argv.slice(1).map((a) => (/^-\d+$/.test(a) ? `-n${a.slice(1)}` : a));
  const p = parseArgs('tail', args, [{ name: 'n', short: 'n', arg: 'required' }, { name: 'f', short: 'f' }, { name: 'q', short: 'q' }], { libc: ctx.libc });
  if (!p.ok) return showUsage(ctx, 'tail [OPTIONS] [FILE]...', p.message);
  const n = numArg(lastOpt(p, 'n'), 10);
  if (n === undefined) return fail(ctx, 'tail', `invalid number '${lastOpt(p, 'n') ?? ''}'`);
  let status = 0;
  for (const input of await readInputs(ctx, p.operands)) {
    if (!input.ok) {
      err(ctx, `tail: can't open '${input.name}': ${input.reason}\n`);
      status = 1;
      continue;
    }
    const { lines, trailingNewline } = splitLines(input.data.toString('utf8'));
    const keep = n === 0 ? [] : lines.slice(-n);
    if (keep.length) out(ctx, `${keep.join('\n')}${trailingNewline ? '\n' : ''}`);
  }
  return status;
}

/** wc [-lwcm] [FILE]... */
export async function wc(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const p = parseArgs('wc', argv.slice(1), [{ name: 'l', short: 'l' }, { name: 'w', short: 'w' }, { name: 'c', short: 'c' }, { name: 'm', short: 'm' }, { name: 'L', short: 'L' }], { libc: ctx.libc });
  if (!p.ok) return showUsage(ctx, 'wc [-cmlwL] [FILE]...', p.message);
  const which = (['l', 'w', 'c', 'm', 'L'] as const).filter((k) => p.opts.has(k));
  const cols = which.length ? which : (['l', 'w', 'c'] as const);
  const single = cols.length === 1;
  const inputs = await readInputs(ctx, p.operands);
  const totals = new Map<string, number>();
  let status = 0;
  for (const input of inputs) {
    if (!input.ok) {
      err(ctx, `wc: can't open '${input.name}': ${input.reason}\n`);
      status = 1;
      continue;
    }
    const text = input.data.toString('utf8');
    const counts: Record<string, number> = {
      l: (text.match(/\n/g) ?? []).length,
      w: text.split(/\s+/).filter(Boolean).length,
      c: input.data.length,
      m: [...text].length,
      L: Math.max(0, ...text.split('\n').map((l) => l.length)),
    };
    let line = '';
    cols.forEach((k, i) => {
      const v = counts[k] ?? 0;
      totals.set(k, k === 'L' ? Math.max(totals.get(k) ?? 0, v) : (totals.get(k) ?? 0) + v);
      line += single ? String(v) : `${i ? ' ' : ''}${String(v).padStart(9, ' ')}`;
    });
    out(ctx, input.name === '-' && p.operands.length === 0 ? `${line}\n` : `${line} ${input.name}\n`);
  }
  if (inputs.length > 1) {
    const line = cols.map((k, i) => (single ? String(totals.get(k) ?? 0) : `${i ? ' ' : ''}${String(totals.get(k) ?? 0).padStart(9, ' ')}`)).join('');
    out(ctx, `${line} total\n`);
  }
  return status;
}

/** Turns a POSIX basic regular expression into a JavaScript one. */
export function breToJs(bre: string): string {
  let s = '';
  for (let i = 0; i < bre.length; i++) {
    const ch = bre[i] ?? '';
    if (ch === '\\' && i + 1 < bre.length) {
      const nx = bre[++i] ?? '';
      if ('(){}|+?'.includes(nx)) s += nx;
      else if (/[1-9]/.test(nx)) s += `\\${nx}`;
      else if (nx === '<' || nx === '>') s += '\\b';
      else s += `\\${nx}`;
    } else if ('(){}|+?'.includes(ch)) s += `\\${ch}`;
    else s += ch;
  }
  return s;
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** grep [-ivcqnlhHEFwxos] [-m N] [-A|B|C N] [-e PATTERN]... PATTERN [FILE]... */
export async function grep(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const usage = 'grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...';
  const flags = ['i', 'v', 'c', 'q', 'n', 'l', 'h', 'H', 'E', 'F', 'w', 'x', 'o', 's', 'r'];
  const valued = ['e', 'm', 'A', 'B', 'C'];
  const p = parseArgs(
    'grep',
    argv.slice(1),
    [...flags.map((f) => ({ name: f, short: f })), ...valued.map((f) => ({ name: f, short: f, arg: 'required' as const }))],
    { libc: ctx.libc },
  );
  if (!p.ok) return showUsage(ctx, usage, p.message) + 1;
  const patterns = [...(p.opts.get('e') ?? [])];
  const operands = [...p.operands];
  if (patterns.length === 0) {
    const first = operands.shift();
    if (first === undefined) return showUsage(ctx, usage) + 1;
    patterns.push(first);
  }
  const has = (f: string): boolean => p.opts.has(f);
  const n = (f: string): number | undefined => {
    const v = lastOpt(p, f);
    return v === undefined ? undefined : Number(v);
  };
  const after = n('A') ?? n('C') ?? 0;
  const before = n('B') ?? n('C') ?? 0;
  const maxCount = n('m');
  if ([after, before, maxCount ?? 0].some((x) => !Number.isInteger(x) || x < 0)) return fail(ctx, 'grep', 'invalid number') + 1;
  let re: RegExp;
  try {
    const parts = patterns.map((pat) => {
      let src = has('F') ? escapeRegex(pat) : has('E') ? pat : breToJs(pat);
      if (has('w')) src = `(?<![\\w])(?:${src})(?![\\w])`;
      if (has('x')) src = `^(?:${src})$`;
      return src;
    });
    re = new RegExp(parts.join('|'), has('i') ? 'gi' : 'g');
  } catch {
    return fail(ctx, 'grep', `bad regex '${patterns[0] ?? ''}'`) + 1;
  }
  const inputs = await readInputs(ctx, operands);
  const showName = has('H') || (inputs.length > 1 && !has('h'));
  let matchedAny = false;
  let error = false;
  for (const input of inputs) {
    if (!input.ok) {
      if (!has('s')) err(ctx, `grep: ${input.name}: ${input.reason}\n`);
      error = true;
      continue;
    }
    const name = input.name === '-' ? '(standard input)' : input.name;
    const { lines } = splitLines(input.data.toString('utf8'));
    let count = 0;
    let lastPrinted = -1;
    let afterLeft = 0;
    const print = (i: number, sep: ':' | '-'): void => {
      if (lastPrinted >= 0 && i > lastPrinted + 1 && (before > 0 || after > 0)) out(ctx, '--\n');
      const prefix = `${showName ? `${name}${sep}` : ''}${has('n') ? `${i + 1}${sep}` : ''}`;
      out(ctx, `${prefix}${lines[i] ?? ''}\n`);
      lastPrinted = i;
    };
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] ?? '';
      re.lastIndex = 0;
      const hit = re.test(line) !== has('v');
      if (!hit || (maxCount !== undefined && count >= maxCount)) {
        if (afterLeft > 0 && !has('c') && !has('l') && !has('q')) {
          print(i, '-');
          afterLeft--;
        }
        if (maxCount !== undefined && count >= maxCount && afterLeft === 0) break;
        continue;
      }
      count++;
      matchedAny = true;
      if (has('q')) return 0;
      if (has('l') || has('c')) continue;
      for (let b = Math.max(lastPrinted + 1, i - before); b < i; b++) print(b, '-');
      if (has('o') && !has('v')) {
        re.lastIndex = 0;
        const prefix = `${showName ? `${name}:` : ''}${has('n') ? `${i + 1}:` : ''}`;
        for (const m of line.matchAll(re)) if (m[0]) out(ctx, `${prefix}${m[0]}\n`);
        lastPrinted = i;
      } else print(i, ':');
      afterLeft = after;
    }
    if (has('l') && count > 0) out(ctx, `${name}\n`);
    else if (has('c')) out(ctx, `${showName ? `${name}:` : ''}${count}\n`);
  }
  if (error && !(has('q') && matchedAny)) return 2;
  return matchedAny ? 0 : 1;
}
