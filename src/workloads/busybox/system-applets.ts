/**
 * @module workloads/busybox/system-applets
 *
 * Applets about the process and the container: hostname, env, printenv, id,
 * whoami, uname, pwd, true, false, sleep, basename, dirname, seq, which.
 * `env COMMAND` and `which` see the program registry through `setProgramLookup`.
 */
import { machine, release, version } from 'node:os';
import type { Program, ProcessContext } from '../process.js';
import { isAbortError, signalExitCode } from '../process.js';
import { resolveHost } from '../resolver/resolver.js';
import { err, fail, groupName, groupsOf, out, showUsage, userName } from './applet.js';

let lookup: (name: string) => Program | undefined = () => undefined;

/** Installs the registry lookup used by `env COMMAND` and `which` (done by programs.ts). */
export function setProgramLookup(f: (name: string) => Program | undefined): void {
  lookup = f;
}

/** hostname [-s|-d|-f|-i] */
export async function hostname(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const flag = argv[1];
  const name = ctx.hostname;
  if (flag === undefined || flag === '-f' || flag === '-F') {
    out(ctx, `${name}\n`);
    return 0;
  }
  if (flag === '-s') {
    out(ctx, `${name.split('.')[0] ?? name}\n`);
    return 0;
  }
  if (flag === '-d') {
    const dot = name.indexOf('.');
    if (dot >= 0) out(ctx, `${name.slice(dot + 1)}\n`);
    return 0;
  }
  if (flag === '-i') {
    const r = await resolveHost(ctx, name, { family: 4, signal: ctx.signal });
    if (!r.ok) return fail(ctx, 'hostname', `${name}: Unknown host`);
    out(ctx, `${r.addresses.map((a) => `${a.address} `).join('')}\n`);
    return 0;
  }
  if (flag.startsWith('-')) return showUsage(ctx, 'hostname [-sidf] [HOSTNAME | -F FILE]');
  return fail(ctx, 'hostname', 'sethostname: Operation not permitted');
}

/** env [-i] [-u NAME] [NAME=VALUE]... [COMMAND [ARG]...] */
export async function env(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  let vars: Record<string, string> = { ...ctx.env };
  let i = 1;
  for (; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '-i' || a === '-') vars = {};
    else if (a === '-u') delete vars[argv[++i] ?? ''];
    else if (a === '--') {
      i++;
      break;
    } else break;
  }
  for (; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const eq = a.indexOf('=');
    if (eq <= 0) break;
    vars[a.slice(0, eq)] = a.slice(eq + 1);
  }
  const cmd = argv.slice(i);
  if (cmd.length === 0) {
    out(ctx, Object.entries(vars).map(([k, v]) => `${k}=${v}\n`).join(''));
    return 0;
  }
  const name = cmd[0] ?? '';
  const prog = lookup(name.slice(name.lastIndexOf('/') + 1));
  if (!prog) {
    err(ctx, `env: can't execute '${name}': No such file or directory\n`);
    return 127;
  }
  return prog({ ...ctx, env: vars }, cmd);
}

/** printenv [NAME]... */
export async function printenv(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const names = argv.slice(1);
  if (names.length === 0) return env(ctx, ['env']);
  let status = 0;
  for (const n of names) {
    const v = ctx.env[n];
    if (v === undefined) status = 1;
    else out(ctx, `${v}\n`);
  }
  return status;
}

/** id [-u|-g|-G] [-n] */
export async function id(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const flags = argv.slice(1).join('');
  const uname = userName(ctx, ctx.uid);
  const gname = groupName(ctx, ctx.gid);
  const named = flags.includes('n');
  if (flags.includes('u')) {
    out(ctx, `${named ? (uname ?? ctx.uid) : ctx.uid}\n`);
    return 0;
  }
  if (flags.includes('g') && !flags.includes('G')) {
    out(ctx, `${named ? (gname ?? ctx.gid) : ctx.gid}\n`);
    return 0;
  }
  const groups = groupsOf(ctx, uname, ctx.gid);
  if (flags.includes('G')) {
    out(ctx, `${groups.map((g) => (named ? (groupName(ctx, g) ?? g) : g)).join(' ')}\n`);
    return 0;
  }
  const fmt = (n: number, nm: string | undefined): string => (nm ? `${n}(${nm})` : String(n));
  out(ctx, `uid=${fmt(ctx.uid, uname)} gid=${fmt(ctx.gid, gname)} groups=${groups.map((g) => fmt(g, groupName(ctx, g))).join(',')}\n`);
  return 0;
}

/** whoami */
export async function whoami(ctx: ProcessContext): Promise<number> {
  const n = userName(ctx, ctx.uid);
  if (!n) return fail(ctx, 'whoami', `unknown uid ${ctx.uid}`);
  out(ctx, `${n}\n`);
  return 0;
}

/** uname [-asnrvmpio]: the host kernel, as a container sees it. */
export async function uname(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const flags = argv.slice(1).join('').replace(/-/g, '');
  const arch = machine();
  const fields: Array<[string, string]> = [
    ['s', 'Linux'],
    ['n', ctx.hostname],
    ['r', release()],
    ['v', version()],
    ['m', arch],
    ['o', 'GNU/Linux'],
  ];
  if (/[^asnrvmpio]/.test(flags)) return showUsage(ctx, 'uname [-amnrspvio]');
  if (flags === '') {
    out(ctx, 'Linux\n');
    return 0;
  }
  const all = flags.includes('a');
  const parts = fields.filter(([k]) => all || flags.includes(k)).map(([, v]) => v);
  if (!all && (flags.includes('p') || flags.includes('i'))) parts.push(arch);
  out(ctx, `${parts.join(' ')}\n`);
  return 0;
}

/** pwd (the process's starting directory; the shell's pwd builtin tracks cd). */
export async function pwd(ctx: ProcessContext): Promise<number> {
  out(ctx, `${ctx.cwd}\n`);
  return 0;
}

export const trueApplet: Program = async () => 0;
export const falseApplet: Program = async () => 1;

/** Parses a busybox sleep duration ("1", "0.5", "2m", "1h", "inf"); undefined if invalid. */
export function parseDuration(s: string): number | undefined {
  if (/^inf(inity)?$/i.test(s)) return Infinity;
  const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(s);
  if (!m) return undefined;
  const mult = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * mult * 1000;
}

/** sleep N[smhd]... : waits on the context clock; interrupted by the signal. */
export async function sleep(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const args = argv.slice(1);
  if (args.length === 0) return showUsage(ctx, 'sleep [N]...\n\nPause for a time equal to the total of the args given, where each arg can\nhave an optional suffix of (s)econds, (m)inutes, (h)ours, or (d)ays');
  let total = 0;
  for (const a of args) {
    const ms = parseDuration(a);
    if (ms === undefined) return fail(ctx, 'sleep', `invalid number '${a}'`);
    total += ms;
  }
  try {
    if (total === Infinity) {
      await new Promise<void>((_, reject) => {
        const onAbort = (): void => reject(new Error('aborted'));
        if (ctx.signal.aborted) onAbort();
        else ctx.signal.addEventListener('abort', onAbort, { once: true });
      });
    } else await ctx.clock.sleep(total, ctx.signal);
    return 0;
  } catch (e) {
    if (isAbortError(e) || ctx.signal.aborted) return signalExitCode(ctx.signal.reason);
    throw e;
  }
}

/** basename PATH [SUFFIX] */
export async function basenameApplet(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const p = argv[1];
  if (p === undefined) return showUsage(ctx, 'basename FILE [SUFFIX]');
  const trimmed = p.replace(/\/+$/, '') || '/';
  let b = trimmed === '/' ? '/' : trimmed.slice(trimmed.lastIndexOf('/') + 1);
  const suffix = argv[2];
  if (suffix && b !== suffix && b.endsWith(suffix)) b = b.slice(0, -suffix.length);
  out(ctx, `${b}\n`);
  return 0;
}

/** dirname PATH */
export async function dirnameApplet(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const p = argv[1];
  if (p === undefined) return showUsage(ctx, 'dirname FILENAME');
  const trimmed = p.replace(/\/+$/, '');
  const i = trimmed.lastIndexOf('/');
  out(ctx, `${i < 0 ? '.' : i === 0 ? '/' : trimmed.slice(0, i)}\n`);
  return 0;
}

/** seq [-s SEP] [-w] [FIRST [INC]] LAST */
export async function seq(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const args = [...argv.slice(1)];
  let sep = '\n';
  let width = false;
  while (args[0]?.startsWith('-') && !/^-\d/.test(args[0])) {
    const a = args.shift() ?? '';
    if (a === '-s') sep = args.shift() ?? '\n';
    else if (a === '-w') width = true;
    else return showUsage(ctx, 'seq [-w] [-s SEP] [FIRST [INC]] LAST');
  }
  const nums = args.map(Number);
  if (nums.length < 1 || nums.length > 3 || nums.some((n) => Number.isNaN(n))) return showUsage(ctx, 'seq [-w] [-s SEP] [FIRST [INC]] LAST');
  const [first, inc, last] = nums.length === 1 ? [1, 1, nums[0] ?? 1] : nums.length === 2 ? [nums[0] ?? 1, 1, nums[1] ?? 1] : [nums[0] ?? 1, nums[1] ?? 1, nums[2] ?? 1];
  if (inc === 0) return 0;
  const items: string[] = [];
  for (let v = first; inc > 0 ? v <= last : v >= last; v += inc) {
    items.push(String(v));
    if (items.length > 1_000_000) break;
  }
  const w = Math.max(...items.map((s) => s.length), 0);
  if (items.length) out(ctx, `${items.map((s) => (width ? s.padStart(w, '0') : s)).join(sep)}\n`);
  return 0;
}

/** which NAME... : where the image keeps the program. */
export async function which(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  let status = 0;
  for (const n of argv.slice(1)) {
    if (lookup(n)) out(ctx, `${PROGRAM_DIRS[n] ?? '/bin'}/${n}\n`);
    else status = 1;
  }
  return status;
}

/** Where the busybox image installs applets that are not in /bin. */
const PROGRAM_DIRS: Readonly<Record<string, string>> = {
  wget: '/usr/bin',
  nslookup: '/usr/bin',
  nc: '/usr/bin',
  head: '/usr/bin',
  tail: '/usr/bin',
  wc: '/usr/bin',
  env: '/usr/bin',
  id: '/usr/bin',
  whoami: '/usr/bin',
  printf: '/usr/bin',
  seq: '/usr/bin',
  which: '/usr/bin',
  basename: '/usr/bin',
  dirname: '/usr/bin',
  curl: '/usr/bin',
  ifconfig: '/sbin',
  ip: '/sbin',
};
