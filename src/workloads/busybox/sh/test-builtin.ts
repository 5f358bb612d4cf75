/**
 * @module workloads/busybox/sh/test-builtin
 *
 * `test EXPR` and `[ EXPR ]`: string tests (-z -n = != < >), integer tests
 * (-eq -ne -lt -le -gt -ge), file tests against the FileMap (-e -f -d -s -r
 * -w -x -L -h), ! -a -o and parentheses. Status 0 true, 1 false, 2 error
 * with busybox's messages ("[: missing ]", "sh: 5a: bad number").
 */
import type { FileMap } from '../../process.js';
import { resolvePath } from '../../fs.js';

export class TestError extends Error {}

export interface TestEnv {
  readonly files: FileMap;
  readonly cwd: string;
}

const UNARY_FILE = new Set(['-e', '-f', '-d', '-s', '-r', '-w', '-x', '-L', '-h', '-b', '-c', '-p', '-S', '-g', '-u', '-k', '-O', '-G']);
const BINARY = new Set(['=', '==', '!=', '<', '>', '-eq', '-ne', '-lt', '-le', '-gt', '-ge', '-nt', '-ot', '-ef']);

function toInt(s: string): number {
  const t = s.trim();
  if (!/^[-+]?\d+$/.test(t)) throw new TestError(`${s}: bad number`);
  return Number(t);
}

/** Evaluates the arguments of `test` (without the command name or the closing "]"). */
export function evalTest(args: ReadonlyArray<string>, env: TestEnv): boolean {
  let i = 0;
  const peek = (): string | undefined => args[i];
  const fileTest = (op: string, name: string): boolean => {
    const path = resolvePath(env.cwd, name);
    const kind = name === '' ? undefined : env.files.stat(path);
    switch (op) {
      case '-e': return kind !== undefined;
      case '-f': return kind === 'file';
      case '-d': return kind === 'dir';
      case '-s': return kind === 'file' ? (env.files.read(path)?.length ?? 0) > 0 : kind === 'dir';
      case '-r': case '-w': return kind !== undefined;
      case '-x': return kind === 'dir' || (kind === 'file' && /^\/(usr\/)?s?bin\//.test(path));
      case '-c': return path === '/dev/null';
      default: return false;
    }
  };
  const primary = (): boolean => {
    const a = peek();
    if (a === undefined) throw new TestError('argument expected');
    if (a === '!') {
      i++;
      return !primary();
    }
    if (a === '(' ) {
      i++;
      const v = orExpr();
      if (peek() !== ')') throw new TestError("')' expected");
      i++;
      return v;
    }
    const b = args[i + 1];
    const c = args[i + 2];
    if (b !== undefined && BINARY.has(b) && c !== undefined) {
      i += 3;
      switch (b) {
        case '=': case '==': return a === c;
        case '!=': return a !== c;
        case '<': return a < c;
        case '>': return a > c;
        case '-eq': return toInt(a) === toInt(c);
        case '-ne': return toInt(a) !== toInt(c);
        case '-lt': return toInt(a) < toInt(c);
        case '-le': return toInt(a) <= toInt(c);
        case '-gt': return toInt(a) > toInt(c);
        case '-ge': return toInt(a) >= toInt(c);
        default: return false;
      }
    }
    if ((a === '-z' || a === '-n') && b !== undefined) {
      i += 2;
      return a === '-z' ? b === '' : b !== '';
    }
    if (UNARY_FILE.has(a) && b !== undefined) {
      i += 2;
      return fileTest(a, b);
    }
    if (a === '-t' ) {
      i += b !== undefined && /^\d+$/.test(b) ? 2 : 1;
      return false;
    }
    i++;
    return a !== '';
  };
  const andExpr = (): boolean => {
    let v = primary();
    while (peek() === '-a') {
      i++;
      const r = primary();
      v = v && r;
    }
    return v;
  };
  const orExpr = (): boolean => {
    let v = andExpr();
    while (peek() === '-o') {
      i++;
      const r = andExpr();
      v = v || r;
    }
    return v;
  };
  if (args.length === 0) return false;
  const v = orExpr();
  if (i < args.length) throw new TestError(`${args[i] ?? ''}: unknown operand`);
  return v;
}
