/**
 * @module workloads/busybox/fs-applets
 *
 * ls, mkdir, rm, touch over the container's FileMap. Ownership shows as
 * root, times as the current clock (the FileMap keeps no metadata).
 */
import type { ProcessContext } from '../process.js';
import { fsErrorText, resolvePath } from '../fs.js';
import { err, out, showUsage } from './applet.js';
import { parseArgs } from './getopt.js';
import { strftime } from './date.js';

/** ls [-1alAdF] [FILE]... */
export async function ls(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const flags = ['1', 'a', 'A', 'l', 'd', 'F', 'h'];
  const p = parseArgs('ls', argv.slice(1), flags.map((f) => ({ name: f, short: f })), { libc: ctx.libc });
  if (!p.ok) return showUsage(ctx, 'ls [-1AaCxdLHRFplinshrSXvctu] [-w WIDTH] [FILE]...', p.message);
  const long = p.opts.has('l');
  const all = p.opts.has('a');
  const almost = p.opts.has('A');
  const columns = ctx.tty && !p.opts.has('1') && !long;
  const stamp = strftime('%b %e %H:%M', ctx.clock.now());
  const entryLine = (path: string, name: string): string => {
    const kind = ctx.files.stat(path);
    const suffix = p.opts.has('F') && kind === 'dir' ? '/' : '';
    if (!long) return name + suffix;
    const size = kind === 'dir' ? 4096 : (ctx.files.read(path)?.length ?? 0);
    const mode = kind === 'dir' ? 'drwxr-xr-x' : '-rw-r--r--';
    return `${mode} ${String(kind === 'dir' ? 2 : 1).padStart(4)} root     root     ${String(size).padStart(9)} ${stamp} ${name}${suffix}`;
  };
  const print = (names: string[]): void => {
    if (names.length === 0) return;
    if (!columns) {
      out(ctx, names.map((n) => `${n}\n`).join(''));
      return;
    }
    const width = Math.max(...names.map((n) => n.length)) + 2;
    const perLine = Math.max(1, Math.floor(80 / width));
    const rows = Math.ceil(names.length / perLine);
    let s = '';
    for (let r = 0; r < rows; r++) {
      const row: string[] = [];
      for (let c = 0; c < perLine; c++) {
        const n = names[c * rows + r];
        if (n !== undefined) row.push(n.padEnd(width));
      }
      s += `${row.join('').trimEnd()}\n`;
    }
    out(ctx, s);
  };
  const targets = p.operands.length ? p.operands : ['.'];
  let status = 0;
  const filesOut: string[] = [];
  const dirs: string[] = [];
  for (const t of targets) {
    const path = resolvePath(ctx.cwd, t);
    const kind = ctx.files.stat(path);
    if (!kind) {
      err(ctx, `ls: ${t}: No such file or directory\n`);
      status = 1;
    } else if (kind === 'dir' && !p.opts.has('d')) dirs.push(t);
    else filesOut.push(entryLine(path, t));
  }
  print(filesOut);
  dirs.forEach((t, idx) => {
    const path = resolvePath(ctx.cwd, t);
    let names = [...(ctx.files.list(path) ?? [])];
    if (all) names = ['.', '..', ...names];
    else if (!almost) names = names.filter((n) => !n.startsWith('.'));
    if (targets.length > 1) out(ctx, `${idx > 0 || filesOut.length ? '\n' : ''}${t}:\n`);
    if (long) out(ctx, `total ${names.length * 4}\n`);
    print(names.map((n) => entryLine(resolvePath(path, n), n)));
  });
  return status;
}

/** mkdir [-p] DIR... */
export async function mkdir(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const p = parseArgs('mkdir', argv.slice(1), [{ name: 'p', short: 'p' }, { name: 'm', short: 'm', arg: 'required' }], { libc: ctx.libc });
  if (!p.ok || p.operands.length === 0) return showUsage(ctx, 'mkdir [-m MODE] [-p] DIRECTORY...', p.ok ? undefined : p.message);
  let status = 0;
  for (const d of p.operands) {
    try {
      ctx.files.mkdir(resolvePath(ctx.cwd, d), p.opts.has('p'));
    } catch (e) {
      err(ctx, `mkdir: can't create directory '${d}': ${fsErrorText(e)}\n`);
      status = 1;
    }
  }
  return status;
}

/** rm [-f] [-r] FILE... */
export async function rm(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const p = parseArgs('rm', argv.slice(1), [{ name: 'f', short: 'f' }, { name: 'r', short: 'r' }, { name: 'R', short: 'R' }, { name: 'i', short: 'i' }], { libc: ctx.libc });
  if (!p.ok || (p.operands.length === 0 && !p.opts.has('f'))) return showUsage(ctx, 'rm [-irf] FILE...', p.ok ? undefined : p.message);
  const recursive = p.opts.has('r') || p.opts.has('R');
  let status = 0;
  const removeTree = (path: string): void => {
    if (ctx.files.stat(path) === 'dir') for (const n of ctx.files.list(path) ?? []) removeTree(resolvePath(path, n));
    ctx.files.remove(path);
  };
  for (const f of p.operands) {
    const path = resolvePath(ctx.cwd, f);
    const kind = ctx.files.stat(path);
    if (!kind) {
      if (!p.opts.has('f')) {
        err(ctx, `rm: can't remove '${f}': No such file or directory\n`);
        status = 1;
      }
      continue;
    }
    if (kind === 'dir' && !recursive) {
      err(ctx, `rm: '${f}' is a directory\n`);
      status = 1;
      continue;
    }
    try {
      removeTree(path);
    } catch (e) {
      err(ctx, `rm: can't remove '${f}': ${fsErrorText(e)}\n`);
      status = 1;
    }
  }
  return status;
}

/** touch FILE... (creates empty files) */
export async function touch(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  const names = argv.slice(1).filter((a) => !a.startsWith('-'));
  if (names.length === 0) return showUsage(ctx, 'touch [-c] [-d DATE] [-t DATE] [-r FILE] FILE...');
  let status = 0;
  for (const n of names) {
    const path = resolvePath(ctx.cwd, n);
    if (ctx.files.stat(path)) continue;
    try {
      ctx.files.write(path, Buffer.alloc(0));
    } catch (e) {
      err(ctx, `touch: ${n}: ${fsErrorText(e)}\n`);
      status = 1;
    }
  }
  return status;
}
