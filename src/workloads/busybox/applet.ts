/**
 * @module workloads/busybox/applet
 *
 * What every busybox applet shares: the multi-call banner and usage screen
 * (printed on bad options, exit 1), "applet: message" errors on stderr, and
 * a name lookup for users and groups in /etc/passwd and /etc/group.
 */
import type { ProcessContext } from '../process.js';
import { put } from '../streams.js';

/** The version line busybox prints above every usage text. */
export const BUSYBOX_BANNER = 'BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.';

/** Writes text to stdout. */
export function out(ctx: ProcessContext, s: string | Buffer): void {
  put(ctx.stdout, s);
}

/** Writes text to stderr. */
export function err(ctx: ProcessContext, s: string): void {
  put(ctx.stderr, s);
}

/** Prints "applet: message" on stderr and returns 1 (bb_error_msg_and_die). */
export function fail(ctx: ProcessContext, applet: string, message: string): number {
  err(ctx, `${applet}: ${message}\n`);
  return 1;
}

/** Prints the banner and the applet's usage on stderr; returns 1 (bb_show_usage). */
export function showUsage(ctx: ProcessContext, usage: string, message?: string): number {
  if (message) err(ctx, `${message}\n`);
  err(ctx, `${BUSYBOX_BANNER}\n\nUsage: ${usage}\n`);
  return 1;
}

/** The basename an applet was invoked as ("/bin/wget" -> "wget"). */
export function appletName(argv: ReadonlyArray<string>, fallback: string): string {
  const a = argv[0] ?? fallback;
  return a.slice(a.lastIndexOf('/') + 1) || fallback;
}

interface DbEntry {
  readonly name: string;
  readonly id: number;
  readonly members: ReadonlyArray<string>;
  readonly home?: string;
}

function readDb(ctx: ProcessContext, path: string): DbEntry[] {
  const text = ctx.files.read(path)?.toString('utf8') ?? '';
  const out: DbEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || !f[0]) continue;
    out.push({
      name: f[0],
      id: Number(f[2]),
      members: path.endsWith('group') ? (f[3] ?? '').split(',').filter(Boolean) : [],
      home: path.endsWith('passwd') ? f[5] : undefined,
    });
  }
  return out;
}

/** The user name for a uid, if /etc/passwd has one. */
export function userName(ctx: ProcessContext, uid: number): string | undefined {
  return readDb(ctx, '/etc/passwd').find((e) => e.id === uid)?.name;
}

/** The group name for a gid, if /etc/group has one. */
export function groupName(ctx: ProcessContext, gid: number): string | undefined {
  return readDb(ctx, '/etc/group').find((e) => e.id === gid)?.name;
}

/** Supplementary group ids of a user (groups listing the user as a member), primary first. */
export function groupsOf(ctx: ProcessContext, user: string | undefined, gid: number): number[] {
  const ids = [gid];
  if (user) {
    for (const g of readDb(ctx, '/etc/group')) if (g.members.includes(user) && !ids.includes(g.id)) ids.push(g.id);
  }
  return ids;
}
