/**
 * @module workloads/programs
 *
 * The program registry and the entry point the kubelet and `kubectl exec`
 * use: `programs` maps a command name to a Program; `runProgram(ctx, argv)`
 * finds it (also by path: /bin/sh, /usr/bin/wget) and runs it, putting the
 * tty line discipline in between for terminal sessions.
 *
 * Image contents (which names an image really has) are the caller's call:
 * `BUSYBOX_PROGRAMS` is what busybox has; `CURLIMAGES_PROGRAMS` adds curl
 * (curlimages/curl is Alpine: busybox + curl, musl); `DEBIAN_CURL_PROGRAMS`
 * is what the Debian-based nginx image answers to (curl with glibc, sh).
 */
import type { Program, ProcessContext } from './process.js';
import { attachTerminal } from './tty.js';
import { linkSignals } from './timing.js';
import { BUSYBOX_APPLETS, makeBusybox } from './busybox/applets.js';
import { setProgramLookup } from './busybox/system-applets.js';
import { makeShell } from './busybox/sh/sh.js';
import { curl, debianCurl } from './curl/curl.js';

/** The exec failed: no such program in the image. */
export class ProgramNotFoundError extends Error {
  constructor(readonly command: string) {
    super(`exec: "${command}": executable file not found in $PATH`);
  }
}

type Registry = Readonly<Record<string, Program>>;

function registryLookup(reg: () => Registry): (name: string) => Program | undefined {
  return (name) => {
    const r = reg();
    return Object.prototype.hasOwnProperty.call(r, name) ? r[name] : undefined;
  };
}

let busyboxRegistry: Registry = {};
const busyboxLookup = registryLookup(() => busyboxRegistry);
const shell = makeShell(busyboxLookup);

/** busybox: the shell, every applet and the `busybox` multi-call name. */
export const BUSYBOX_PROGRAMS: Registry = (busyboxRegistry = {
  ...BUSYBOX_APPLETS,
  sh: shell,
  ash: shell,
  busybox: makeBusybox(busyboxLookup, () => Object.keys(busyboxRegistry).filter((n) => n !== 'busybox')),
});

let curlimagesRegistry: Registry = {};
const curlimagesShell = makeShell(registryLookup(() => curlimagesRegistry));

/** curlimages/curl: Alpine's busybox plus curl. */
export const CURLIMAGES_PROGRAMS: Registry = (curlimagesRegistry = {
  ...BUSYBOX_APPLETS,
  sh: curlimagesShell,
  ash: curlimagesShell,
  curl,
});

let debianRegistry: Registry = {};
const debianShell = makeShell(registryLookup(() => debianRegistry), { ps1: '\\$ ' });

/** What kwire emulates of a Debian image such as nginx:1.21: a POSIX sh, curl 7.74, and coreutils basics. */
export const DEBIAN_CURL_PROGRAMS: Registry = (debianRegistry = {
  sh: debianShell,
  bash: debianShell,
  dash: debianShell,
  curl: debianCurl,
  cat: BUSYBOX_APPLETS['cat'] as Program,
  echo: BUSYBOX_APPLETS['echo'] as Program,
  env: BUSYBOX_APPLETS['env'] as Program,
  hostname: BUSYBOX_APPLETS['hostname'] as Program,
  ls: BUSYBOX_APPLETS['ls'] as Program,
  printenv: BUSYBOX_APPLETS['printenv'] as Program,
  sleep: BUSYBOX_APPLETS['sleep'] as Program,
  true: BUSYBOX_APPLETS['true'] as Program,
  false: BUSYBOX_APPLETS['false'] as Program,
  id: BUSYBOX_APPLETS['id'] as Program,
  date: BUSYBOX_APPLETS['date'] as Program,
  head: BUSYBOX_APPLETS['head'] as Program,
  grep: BUSYBOX_APPLETS['grep'] as Program,
});

/** Every program kwire emulates, by name (busybox's set plus curl). */
export const programs: Registry = { ...BUSYBOX_PROGRAMS, curl };

setProgramLookup(registryLookup(() => programs));

/** Finds a program by name or by path in a bin directory (/bin/sh, /usr/bin/curl). */
export function lookupProgram(command: string, registry: Registry = programs): Program | undefined {
  const name = command.includes('/') ? (/^\/(usr\/)?(local\/)?s?bin\/([^/]+)$/.exec(command)?.[3] ?? '') : command;
  return Object.prototype.hasOwnProperty.call(registry, name) ? registry[name] : undefined;
}

/** Programs that read the raw terminal themselves (the shells' line editor). */
const RAW_TTY = new Set<Program>([shell, curlimagesShell, debianShell]);

/**
 * Runs a container process: the container's command/args, or a kubectl exec.
 * Throws ProgramNotFoundError when argv[0] is not in the registry (the caller
 * reports it as the container runtime would). With ctx.tty, output gets
 * "\r\n" line endings, input is cooked (echo, Ctrl-C -> SIGINT, Ctrl-D ->
 * EOF), except for shells, which edit lines themselves.
 */
export async function runProgram(ctx: ProcessContext, argv: ReadonlyArray<string>, registry: Registry = programs): Promise<number> {
  const command = argv[0] ?? '';
  const prog = lookupProgram(command, registry);
  if (!prog) throw new ProgramNotFoundError(command);
  if (!ctx.tty) return prog(ctx, argv);
  const { ctx: tctx, terminal } = attachTerminal(ctx);
  if (RAW_TTY.has(prog) || !terminal) return prog(tctx, argv);
  const session = terminal.startForeground();
  const linked = linkSignals([ctx.signal, session.interrupt]);
  try {
    return await prog({ ...tctx, stdin: session.stdin, signal: linked.signal }, argv);
  } finally {
    session.end();
    linked.dispose();
  }
}
