/**
 * @module workloads/images/go/flags
 *
 * Command-line flags as Go programs parse them, with their error texts:
 * - `parseGoFlags`: the standard `flag` package (http-echo, whoami): `-name=v`,
 *   `--name=v`, `-name v`, bool `-name`; stops at the first non-flag; errors
 *   like "flag provided but not defined: -foo" followed by the usage, exit 2.
 * - `parsePflags`: spf13/pflag as cobra uses it (agnhost): `--name=v`,
 *   `--name v`, bool `--name`; flags and positionals interleave; errors like
 *   "unknown flag: --foo".
 * Pure: returns values or an error text; printing is the caller's.
 */
import { parseBool, parseDuration } from './format.js';

export type FlagKind = 'string' | 'int' | 'bool' | 'duration';

export interface FlagDef {
  readonly kind: FlagKind;
  /** The default, as the program computes it (may come from the environment). */
  readonly default: string | number | boolean;
  readonly usage: string;
}

export type FlagValue = string | number | boolean;
export type FlagDefs = Readonly<Record<string, FlagDef>>;

export type FlagParse =
  | { readonly ok: true; readonly values: Readonly<Record<string, FlagValue>>; readonly args: ReadonlyArray<string>; readonly set: ReadonlySet<string> }
  | { readonly ok: false; readonly help: boolean; readonly error: string };

function convert(def: FlagDef, name: string, raw: string, dash: string): { ok: true; value: FlagValue } | { ok: false; error: string } {
  switch (def.kind) {
    case 'string':
      return { ok: true, value: raw };
    case 'int': {
      if (!/^[+-]?(0x[0-9a-fA-F]+|0o?[0-7]+|0b[01]+|[0-9]+)$/.test(raw)) {
        return { ok: false, error: `invalid value ${JSON.stringify(raw)} for flag ${dash}${name}: parse error` };
      }
      return { ok: true, value: Number(raw) };
    }
    case 'bool': {
      const b = parseBool(raw);
      if (b === undefined) return { ok: false, error: `invalid boolean value ${JSON.stringify(raw)} for ${dash}${name}: parse error` };
      return { ok: true, value: b };
    }
    case 'duration': {
      const d = parseDuration(raw);
      if (!d.ok) return { ok: false, error: `invalid value ${JSON.stringify(raw)} for flag ${dash}${name}: parse error` };
      return { ok: true, value: d.nanos };
    }
  }
}

function defaults(defs: FlagDefs): Record<string, FlagValue> {
  const values: Record<string, FlagValue> = {};
  for (const [k, d] of Object.entries(defs)) values[k] = d.default;
  return values;
}

/** Go's `flag.Parse` over argv[1:]. */
export function parseGoFlags(argv: ReadonlyArray<string>, defs: FlagDefs): FlagParse {
  const values = defaults(defs);
  const set = new Set<string>();
  let i = 0;
  for (; i < argv.length; i++) {
    const s = argv[i] ?? '';
    if (s.length < 2 || s[0] !== '-') break;
    let numMinuses = 1;
    if (s[1] === '-') {
      numMinuses++;
      if (s.length === 2) {
        i++;
        break;
      }
    }
    let name = s.slice(numMinuses);
    if (name.length === 0 || name[0] === '-' || name[0] === '=') return { ok: false, help: false, error: `bad flag syntax: ${s}` };
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 1) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const def = Object.prototype.hasOwnProperty.call(defs, name) ? defs[name] : undefined;
    if (def === undefined) {
      if (name === 'help' || name === 'h') return { ok: false, help: true, error: '' };
      return { ok: false, help: false, error: `flag provided but not defined: -${name}` };
    }
    if (def.kind === 'bool') {
      const c = convert(def, name, value ?? 'true', '-');
      if (!c.ok) return { ok: false, help: false, error: c.error };
      values[name] = c.value;
    } else {
      if (value === undefined) {
        if (i + 1 >= argv.length) return { ok: false, help: false, error: `flag needs an argument: -${name}` };
        value = argv[++i] ?? '';
      }
      const c = convert(def, name, value, '-');
      if (!c.ok) return { ok: false, help: false, error: c.error };
      values[name] = c.value;
    }
    set.add(name);
  }
  return { ok: true, values, args: argv.slice(i), set };
}

function goTypeName(kind: FlagKind): string {
  return kind === 'bool' ? '' : kind;
}

function isZero(def: FlagDef): boolean {
  return def.default === '' || def.default === 0 || def.default === false;
}

/** `flag.PrintDefaults()` output, flags sorted by name. */
export function goFlagDefaults(defs: FlagDefs): string {
  let out = '';
  for (const name of Object.keys(defs).sort()) {
    const def = defs[name] as FlagDef;
    let line = `  -${name}`;
    const t = goTypeName(def.kind);
    if (t) line += ` ${t}`;
    line += line.length <= 4 ? '\t' : '\n    \t';
    line += def.usage.replace(/\n/g, '\n    \t');
    if (!isZero(def)) {
      line += def.kind === 'string' ? ` (default ${JSON.stringify(def.default)})` : ` (default ${goDefaultText(def)})`;
    }
    out += `${line}\n`;
  }
  return out;
}

function goDefaultText(def: FlagDef): string {
  if (def.kind === 'duration' && typeof def.default === 'number') {
    return `${def.default / 1e9}s`;
  }
  return String(def.default);
}

/** What Go prints for a failed parse: the error, then "Usage of NAME:" and the defaults (stderr, exit 2). */
export function goUsageText(program: string, defs: FlagDefs, error?: string): string {
  return `${error ? `${error}\n` : ''}Usage of ${program}:\n${goFlagDefaults(defs)}`;
}

// ---------------------------------------------------------------- pflag (cobra)

/** spf13/pflag parsing of a cobra command's arguments (flags and positionals may interleave; `--` ends flags). */
export function parsePflags(argv: ReadonlyArray<string>, defs: FlagDefs, ignored: ReadonlySet<string> = new Set()): FlagParse {
  const values = defaults(defs);
  const set = new Set<string>();
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i] ?? '';
    if (s === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (s.startsWith('--') && s.length > 2) {
      let name = s.slice(2);
      let value: string | undefined;
      const eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.slice(eq + 1);
        name = name.slice(0, eq);
      }
      if (name === 'help') return { ok: false, help: true, error: '' };
      const def = Object.prototype.hasOwnProperty.call(defs, name) ? defs[name] : undefined;
      if (def === undefined) {
        if (ignored.has(name)) {
          if (value === undefined && i + 1 < argv.length && !(argv[i + 1] ?? '').startsWith('-')) i++;
          continue;
        }
        return { ok: false, help: false, error: `unknown flag: --${name}` };
      }
      if (def.kind === 'bool') {
        const c = convert(def, name, value ?? 'true', '--');
        if (!c.ok) return { ok: false, help: false, error: c.error };
        values[name] = c.value;
      } else {
        if (value === undefined) {
          if (i + 1 >= argv.length) return { ok: false, help: false, error: `flag needs an argument: --${name}` };
          value = argv[++i] ?? '';
        }
        const c = convert(def, name, value, '--');
        if (!c.ok) {
          return { ok: false, help: false, error: `invalid argument ${JSON.stringify(value)} for "--${name}" flag: ${pflagConvertError(def, value)}` };
        }
        values[name] = c.value;
      }
      set.add(name);
      continue;
    }
    if (s.startsWith('-') && s.length > 1) {
      const short = s[1] ?? '';
      if (short === 'h') return { ok: false, help: true, error: '' };
      return { ok: false, help: false, error: `unknown shorthand flag: '${short}' in ${s}` };
    }
    args.push(s);
  }
  return { ok: true, values, args, set };
}

function pflagConvertError(def: FlagDef, value: string): string {
  switch (def.kind) {
    case 'int':
      return `strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`;
    case 'duration':
      return `time: invalid duration ${JSON.stringify(value)}`;
    case 'bool':
      return `strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`;
    default:
      return 'invalid value';
  }
}

/** pflag's FlagUsages(): one aligned line per flag, sorted, plus cobra's -h. */
export function pflagUsages(defs: FlagDefs, commandName: string): string {
  const rows: Array<{ left: string; usage: string }> = [];
  const names = [...Object.keys(defs), 'help'].sort();
  for (const name of names) {
    if (name === 'help') {
      rows.push({ left: '  -h, --help', usage: `help for ${commandName}` });
      continue;
    }
    const def = defs[name] as FlagDef;
    const t = def.kind === 'bool' ? '' : def.kind;
    let usage = def.usage;
    if (!isZero(def)) usage += def.kind === 'string' ? ` (default ${JSON.stringify(def.default)})` : ` (default ${goDefaultText(def)})`;
    rows.push({ left: `      --${name}${t ? ` ${t}` : ''}`, usage });
  }
  const width = Math.max(...rows.map((r) => r.left.length));
  return rows.map((r) => `${r.left.padEnd(width)}   ${r.usage}\n`).join('');
}
