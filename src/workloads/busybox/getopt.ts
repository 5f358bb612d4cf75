/**
 * @module workloads/busybox/getopt
 *
 * Command-line option parsing as getopt_long(3) does it for busybox applets
 * and curl: bundled short flags ("-qO-"), attached or separate arguments,
 * "--long=value" / "--long value", unambiguous long-option prefixes, "--" to
 * end options, and GNU argument permutation (options after operands, as in
 * `wget http://x --timeout=5`). Error texts follow the image's libc. Pure.
 */
import type { Libc } from '../process.js';

export interface OptDef {
  /** Key the values are stored under. */
  readonly name: string;
  /** One-letter form, e.g. "O". */
  readonly short?: string;
  /** Long form without dashes, e.g. "output-document". */
  readonly long?: string;
  /** Whether the option takes a value (optional: only attached, "-n5" / "--x=5"). */
  readonly arg?: 'required' | 'optional';
}

export type ParsedArgs =
  | {
      readonly ok: true;
      /** Values per option name, in order; flags get "" per occurrence (count = length). */
      readonly opts: ReadonlyMap<string, ReadonlyArray<string>>;
      readonly operands: ReadonlyArray<string>;
    }
  | { readonly ok: false; readonly message: string };

export interface ParseOptions {
  readonly libc?: Libc;
  /** GNU permutation: options may follow operands (default true). */
  readonly permute?: boolean;
  /** Treat a lone "-" as an operand (default true). */
  readonly dashIsOperand?: boolean;
}

/** Parses argv (without argv[0]); `prog` names the program in error messages. */
export function parseArgs(prog: string, args: ReadonlyArray<string>, defs: ReadonlyArray<OptDef>, o: ParseOptions = {}): ParsedArgs {
  const musl = (o.libc ?? 'musl') === 'musl';
  const permute = o.permute ?? true;
  const opts = new Map<string, string[]>();
  const operands: string[] = [];
  const add = (name: string, v: string): void => {
    const list = opts.get(name);
    if (list) list.push(v);
    else opts.set(name, [v]);
  };
  const fail = (message: string): ParsedArgs => ({ ok: false, message });

  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const exact = defs.find((d) => d.long === name);
      const candidates = exact ? [exact] : defs.filter((d) => d.long?.startsWith(name));
      const uniq = [...new Set(candidates.map((d) => d.long))];
      if (candidates.length === 0 || name === '') {
        return fail(musl ? `${prog}: unrecognized option: ${name}` : `${prog}: unrecognized option '${a}'`);
      }
      if (uniq.length > 1) {
        return fail(
          musl
            ? `${prog}: option is ambiguous: ${name}`
            : `${prog}: option '${a}' is ambiguous; possibilities: ${uniq.map((u) => `'--${u ?? ''}'`).join(' ')}`,
        );
      }
      const d = candidates[0] as OptDef;
      if (!d.arg) {
        if (eq >= 0) {
          return fail(musl ? `${prog}: option does not take an argument: ${d.long ?? ''}` : `${prog}: option '--${d.long ?? ''}' doesn't allow an argument`);
        }
        add(d.name, '');
      } else if (eq >= 0) add(d.name, a.slice(eq + 1));
      else if (d.arg === 'optional') add(d.name, '');
      else if (i + 1 < args.length) add(d.name, args[++i] ?? '');
      else {
        return fail(musl ? `${prog}: option requires an argument: ${d.long ?? ''}` : `${prog}: option '--${d.long ?? ''}' requires an argument`);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j] ?? '';
        const d = defs.find((x) => x.short === c);
        if (!d) return fail(musl ? `${prog}: unrecognized option: ${c}` : `${prog}: invalid option -- '${c}'`);
        if (!d.arg) {
          add(d.name, '');
          continue;
        }
        const rest = a.slice(j + 1);
        if (rest) add(d.name, rest);
        else if (d.arg === 'optional') add(d.name, '');
        else if (i + 1 < args.length) add(d.name, args[++i] ?? '');
        else return fail(musl ? `${prog}: option requires an argument: ${c}` : `${prog}: option requires an argument -- '${c}'`);
        break;
      }
      continue;
    }
    if (a === '-' && !(o.dashIsOperand ?? true)) continue;
    operands.push(a);
    if (!permute) {
      operands.push(...args.slice(i + 1));
      break;
    }
  }
  return { ok: true, opts, operands };
}

/** The last value given for `name`, or undefined. */
export function lastOpt(p: { readonly opts: ReadonlyMap<string, ReadonlyArray<string>> }, name: string): string | undefined {
  const v = p.opts.get(name);
  return v ? v[v.length - 1] : undefined;
}

/** How many times `name` was given. */
export function countOpt(p: { readonly opts: ReadonlyMap<string, ReadonlyArray<string>> }, name: string): number {
  return p.opts.get(name)?.length ?? 0;
}
