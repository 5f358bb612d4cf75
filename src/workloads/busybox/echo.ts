/**
 * @module workloads/busybox/echo
 *
 * echo [-neE] and printf FORMAT [ARG]..., as busybox (and its ash builtins)
 * print them: echo's options only when they are all n/e/E letters, "\c" to
 * stop, printf reusing the format while arguments remain.
 */
import type { ProcessContext } from '../process.js';
import { err, out, showUsage } from './applet.js';

/** Interprets backslash escapes; `stop` says "\c" was seen (output ends there). */
export function unescape(s: string, octalNeedsZero = true): { text: string; stop: boolean } {
  let text = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] ?? '';
    if (ch !== '\\' || i + 1 >= s.length) {
      text += ch;
      continue;
    }
    const nx = s[++i] ?? '';
    switch (nx) {
      case 'a': text += '\x07'; break;
      case 'b': text += '\b'; break;
      case 'c': return { text, stop: true };
      case 'e': text += '\x1b'; break;
      case 'f': text += '\f'; break;
      case 'n': text += '\n'; break;
      case 'r': text += '\r'; break;
      case 't': text += '\t'; break;
      case 'v': text += '\v'; break;
      case '\\': text += '\\'; break;
      case 'x': {
        const m = /^[0-9A-Fa-f]{1,2}/.exec(s.slice(i + 1));
        if (m) {
          text += String.fromCharCode(parseInt(m[0], 16));
          i += m[0].length;
        } else text += '\\x';
        break;
      }
      default: {
        if (nx === '0' || (!octalNeedsZero && /[1-7]/.test(nx))) {
          const start = nx === '0' && octalNeedsZero ? i + 1 : i;
          const m = /^[0-7]{1,3}/.exec(s.slice(start));
          const digits = m ? m[0] : '';
          text += String.fromCharCode(digits ? parseInt(digits, 8) & 0xff : 0);
          i = start + digits.length - 1;
        } else text += `\\${nx}`;
      }
    }
  }
  return { text, stop: false };
}

/** The text `echo` prints for these arguments (without argv[0]). */
export function echoText(args: ReadonlyArray<string>): string {
  let newline = true;
  let escapes = false;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] ?? '';
    if (!/^-[neE]+$/.test(a)) break;
    for (const f of a.slice(1)) {
      if (f === 'n') newline = false;
      else if (f === 'e') escapes = true;
      else escapes = false;
    }
  }
  let text = args.slice(i).join(' ');
  if (escapes) {
    const u = unescape(text);
    if (u.stop) return u.text;
    text = u.text;
  }
  return newline ? `${text}\n` : text;
}

/** echo applet / builtin. */
export async function echo(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  out(ctx, echoText(argv.slice(1)));
  return 0;
}

function toNumber(a: string, errors: string[]): number {
  if (a === '') return 0;
  if (/^['"]/.test(a)) return a.codePointAt(1) ?? 0;
  const n = /^[-+]?0[xX][0-9a-fA-F]+$/.test(a) ? parseInt(a, 16) : /^[-+]?0[0-7]+$/.test(a) ? parseInt(a, 8) : Number(a);
  if (Number.isNaN(n)) {
    errors.push(`invalid number '${a}'`);
    return 0;
  }
  return n;
}

/** Formats like printf(1); returns the text and any conversion errors. */
export function printfText(format: string, args: ReadonlyArray<string>): { text: string; errors: string[]; stop: boolean } {
  const errors: string[] = [];
  let text = '';
  let ai = 0;
  const spec = /%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?([diouxXcsbeEfgG%])/g;
  for (;;) {
    let consumed = false;
    let last = 0;
    spec.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = spec.exec(format))) {
      const lit = unescape(format.slice(last, m.index), true);
      text += lit.text;
      if (lit.stop) return { text, errors, stop: true };
      last = spec.lastIndex;
      const [, flags = '', widthS, precS, conv = ''] = m;
      if (conv === '%') {
        text += '%';
        continue;
      }
      const next = (): string => {
        consumed = true;
        return args[ai++] ?? '';
      };
      const width = widthS === '*' ? toNumber(next(), errors) : widthS ? Number(widthS) : 0;
      const prec = precS === '*' ? toNumber(next(), errors) : precS !== undefined ? Number(precS) : undefined;
      const arg = ai < args.length ? next() : (() => { return ''; })();
      let body: string;
      switch (conv) {
        case 's': body = prec !== undefined ? arg.slice(0, prec) : arg; break;
        case 'b': {
          const u = unescape(arg, false);
          body = u.text;
          if (u.stop) {
            text += body;
            return { text, errors, stop: true };
          }
          break;
        }
        case 'c': body = arg.slice(0, 1); break;
        case 'd': case 'i': {
          const n = Math.trunc(toNumber(arg, errors));
          body = (n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + String(Math.abs(n)).padStart(prec ?? 0, '0');
          break;
        }
        case 'o': case 'u': case 'x': case 'X': {
          let n = Math.trunc(toNumber(arg, errors));
          if (n < 0) n = n + 2 ** 64;
          const radix = conv === 'o' ? 8 : conv === 'u' ? 10 : 16;
          body = n.toString(radix);
          if (conv === 'X') body = body.toUpperCase();
          body = body.padStart(prec ?? 0, '0');
          if (flags.includes('#') && n !== 0) body = (conv === 'o' ? '0' : conv === 'x' ? '0x' : conv === 'X' ? '0X' : '') + body;
          break;
        }
        default: {
          const n = toNumber(arg, errors);
          const p = prec ?? 6;
          body = conv === 'e' || conv === 'E' ? n.toExponential(p).replace(/e([+-])(\d)$/, 'e$10$2') : conv === 'g' || conv === 'G' ? String(Number(n.toPrecision(p || 1))) : n.toFixed(p);
          if (conv === 'E' || conv === 'G') body = body.toUpperCase();
          if (n >= 0 && flags.includes('+')) body = `+${body}`;
        }
      }
      if (body.length < width) {
        if (flags.includes('-')) body = body.padEnd(width, ' ');
        else if (flags.includes('0') && /[diouxXeEfgG]/.test(conv)) {
          const sign = /^[-+ ]/.test(body) ? body[0] ?? '' : '';
          body = sign + body.slice(sign.length).padStart(width - sign.length, '0');
        } else body = body.padStart(width, ' ');
      }
      text += body;
    }
    const tail = unescape(format.slice(last), true);
    text += tail.text;
    if (tail.stop) return { text, errors, stop: true };
    if (!consumed || ai >= args.length) break;
  }
  return { text, errors, stop: false };
}

/** printf applet / builtin. */
export async function printf(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const format = argv[1];
  if (format === undefined) return showUsage(ctx, 'printf FORMAT [ARG]...');
  const r = printfText(format, argv.slice(2));
  out(ctx, r.text);
  for (const e of r.errors) err(ctx, `printf: ${e}\n`);
  return r.errors.length ? 1 : 0;
}
