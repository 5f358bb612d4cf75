/**
 * @module workloads/busybox/applets
 *
 * The busybox applet table (name -> Program), and the `busybox` multi-call
 * entry itself (`busybox wget ...`, `busybox --list`). The shell is added by
 * programs.ts, which knows the whole registry.
 */
import type { Program } from '../process.js';
import { BUSYBOX_BANNER, err, out } from './applet.js';
import { date } from './date.js';
import { echo, printf } from './echo.js';
import { ls, mkdir, rm, touch } from './fs-applets.js';
import { ifconfig, ip, nc, ping } from './net-applets.js';
import { nslookup } from './nslookup.js';
import {
  basenameApplet,
  dirnameApplet,
  env,
  falseApplet,
  hostname,
  id,
  printenv,
  pwd,
  seq,
  sleep,
  trueApplet,
  uname,
  which,
  whoami,
} from './system-applets.js';
import { cat, grep, head, tail, wc } from './text-applets.js';
import { wget } from './wget.js';

/** Every applet except the shell, by name. */
export const BUSYBOX_APPLETS: Readonly<Record<string, Program>> = {
  basename: basenameApplet,
  cat,
  date,
  dirname: dirnameApplet,
  echo,
  env,
  false: falseApplet,
  grep,
  egrep: (ctx, argv) => grep(ctx, [argv[0] ?? 'egrep', '-E', ...argv.slice(1)]),
  fgrep: (ctx, argv) => grep(ctx, [argv[0] ?? 'fgrep', '-F', ...argv.slice(1)]),
  head,
  hostname,
  id,
  ifconfig,
  ip,
  ls,
  mkdir,
  nc,
  nslookup,
  ping,
  printenv,
  printf,
  pwd,
  rm,
  seq,
  sleep,
  tail,
  touch,
  true: trueApplet,
  uname,
  wc,
  wget,
  which,
  whoami,
};

/** `busybox [APPLET [ARGS]]`: runs an applet by name, or lists them. */
export function makeBusybox(lookup: (name: string) => Program | undefined, appletNames: () => ReadonlyArray<string>): Program {
  return async (ctx, argv) => {
    const name = argv[1];
    if (name === undefined || name === '--help') {
      const list = [...appletNames()].sort();
      let s = `${BUSYBOX_BANNER}\nBusyBox is copyrighted by many authors between 1998-2015.\nLicensed under GPLv2. See source distribution for detailed\ncopyright notices.\n\nUsage: busybox [function [arguments]...]\n   or: busybox --list[-full]\n   or: function [arguments]...\n\nCurrently defined functions:\n`;
      let line = '\t';
      for (const a of list) {
        if (line.length + a.length + 2 > 78) {
          s += `${line.replace(/ $/, '')}\n`;
          line = '\t';
        }
        line += `${a}, `;
      }
      s += `${line.replace(/, $/, '')}\n`;
      out(ctx, s);
      return name === undefined ? 0 : 0;
    }
    if (name === '--list') {
      out(ctx, [...appletNames()].sort().map((a) => `${a}\n`).join(''));
      return 0;
    }
    const prog = lookup(name);
    if (!prog) {
      err(ctx, `${name}: applet not found\n`);
      return 127;
    }
    return prog(ctx, argv.slice(1));
  };
}
