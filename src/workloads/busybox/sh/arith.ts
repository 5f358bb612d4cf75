/**
 * @module workloads/busybox/sh/arith
 *
 * Shell arithmetic for $((...)) and `let`: integers, variables (read as
 * numbers, unset = 0), unary + - ! ~, ++/-- (pre and post), * / % + - << >>
 * < <= > >= == != & ^ | && ||, ?:, and the assignment operators. Errors carry
 * ash's words ("arithmetic syntax error", "divide by zero"). Pure apart from
 * the variable callbacks.
 */

export class ArithError extends Error {}

export interface ArithVars {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

type Tok = { t: 'num'; v: number } | { t: 'id'; v: string } | { t: 'op'; v: string } | { t: 'end' };

const OPS = ['<<=', '>>=', '**', '&&', '||', '==', '!=', '<=', '>=', '<<', '>>', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '+', '-', '*', '/', '%', '<', '>', '=', '!', '~', '&', '|', '^', '(', ')', '?', ':', ','];

function lex(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] ?? '';
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(0[xX][0-9a-fA-F]+|\d+)/.exec(s.slice(i));
    if (num) {
      const text = num[0];
      const v = /^0[xX]/.test(text) ? parseInt(text, 16) : text.length > 1 && text.startsWith('0') ? parseInt(text, 8) : Number(text);
      if (Number.isNaN(v)) throw new ArithError('arithmetic syntax error');
      out.push({ t: 'num', v });
      i += text.length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
    if (id) {
      out.push({ t: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPS.find((o) => s.startsWith(o, i));
    if (!op) throw new ArithError('arithmetic syntax error');
    out.push({ t: 'op', v: op });
    i += op.length;
  }
  out.push({ t: 'end' });
  return out;
}

const BINARY: ReadonlyArray<ReadonlyArray<string>> = [
  ['||'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '<=', '>', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

/** Evaluates an arithmetic expression; an empty one is 0. */
export function evalArith(text: string, vars: ArithVars): number {
  const toks = lex(text);
  let p = 0;
  const peek = (): Tok => toks[p] ?? { t: 'end' };
  const isOp = (v: string): boolean => {
    const t = peek();
    return t.t === 'op' && t.v === v;
  };
  const varValue = (name: string): number => {
    const raw = vars.get(name);
    if (raw === undefined || raw.trim() === '') return 0;
    const n = evalArith(raw, vars);
    return n;
  };
  const toInt = (n: number): number => (Number.isFinite(n) ? Math.trunc(n) : 0);
  const apply = (op: string, a: number, b: number): number => {
    switch (op) {
      case '+': return toInt(a + b);
      case '-': return toInt(a - b);
      case '*': return toInt(a * b);
      case '/': if (b === 0) throw new ArithError('divide by zero'); return Math.trunc(a / b);
      case '%': if (b === 0) throw new ArithError('divide by zero'); return a % b;
      case '<<': return Number(BigInt.asIntN(64, BigInt(a) << BigInt(b)));
      case '>>': return Number(BigInt.asIntN(64, BigInt(a) >> BigInt(b)));
      case '<': return a < b ? 1 : 0;
      case '<=': return a <= b ? 1 : 0;
      case '>': return a > b ? 1 : 0;
      case '>=': return a >= b ? 1 : 0;
      case '==': return a === b ? 1 : 0;
      case '!=': return a !== b ? 1 : 0;
      case '&': return Number(BigInt.asIntN(64, BigInt(a) & BigInt(b)));
      case '|': return Number(BigInt.asIntN(64, BigInt(a) | BigInt(b)));
      case '^': return Number(BigInt.asIntN(64, BigInt(a) ^ BigInt(b)));
      case '&&': return a && b ? 1 : 0;
      case '||': return a || b ? 1 : 0;
      default: throw new ArithError('arithmetic syntax error');
    }
  };

  const primary = (): number => {
    const t = peek();
    if (t.t === 'num') {
      p++;
      return t.v;
    }
    if (t.t === 'id') {
      p++;
      if (isOp('++') || isOp('--')) {
        const op = (peek() as { v: string }).v;
        p++;
        const old = varValue(t.v);
        vars.set(t.v, String(op === '++' ? old + 1 : old - 1));
        return old;
      }
      return varValue(t.v);
    }
    if (t.t === 'op' && t.v === '(') {
      p++;
      const v = comma();
      if (!isOp(')')) throw new ArithError('arithmetic syntax error');
      p++;
      return v;
    }
    throw new ArithError('arithmetic syntax error');
  };

  const power = (): number => {
    const base = primaryOrUnary();
    if (isOp('**')) {
      p++;
      const exp = power();
      if (exp < 0) throw new ArithError('exponent less than 0');
      return toInt(base ** exp);
    }
    return base;
  };

  const primaryOrUnary = (): number => primary();

  const unary = (): number => {
    const t = peek();
    if (t.t === 'op' && (t.v === '++' || t.v === '--')) {
      p++;
      const id = peek();
      if (id.t !== 'id') throw new ArithError('arithmetic syntax error');
      p++;
      const v = varValue(id.v) + (t.v === '++' ? 1 : -1);
      vars.set(id.v, String(v));
      return v;
    }
    if (t.t === 'op' && ['+', '-', '!', '~'].includes(t.v)) {
      p++;
      const v = unary();
      return t.v === '+' ? v : t.v === '-' ? -v : t.v === '!' ? (v ? 0 : 1) : ~v;
    }
    return power();
  };

  const binary = (level: number): number => {
    if (level >= BINARY.length) return unary();
    let left = binary(level + 1);
    for (;;) {
      const t = peek();
      const ops = BINARY[level] ?? [];
      if (t.t !== 'op' || !ops.includes(t.v)) return left;
      p++;
      const right = binary(level + 1);
      left = apply(t.v, left, right);
    }
  };

  const ternary = (): number => {
    const cond = binary(0);
    if (!isOp('?')) return cond;
    p++;
    const a = assignment();
    if (!isOp(':')) throw new ArithError('arithmetic syntax error');
    p++;
    const b = assignment();
    return cond ? a : b;
  };

  const assignment = (): number => {
    const t = peek();
    const n = toks[p + 1];
    if (t.t === 'id' && n && n.t === 'op' && ['=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '&=', '|=', '^='].includes(n.v)) {
      p += 2;
      const rhs = assignment();
      const v = n.v === '=' ? rhs : apply(n.v.slice(0, -1), varValue(t.v), rhs);
      vars.set(t.v, String(v));
      return v;
    }
    return ternary();
  };

  const comma = (): number => {
    let v = assignment();
    while (isOp(',')) {
      p++;
      v = assignment();
    }
    return v;
  };

  if (peek().t === 'end') return 0;
  const v = comma();
  if (peek().t !== 'end') throw new ArithError('arithmetic syntax error');
  return v;
}
