/**
 * @module workloads/busybox/sh/sh
 *
 * The `sh`/`ash` program: `sh -c 'CMDS' [ARG0 [ARG...]]`, `sh FILE [ARG...]`,
 * and the read-eval loop on stdin. With a terminal (kubectl run/exec -it)
 * it is interactive: the prompt is PS1 ("\w \$ ", i.e. "/ # " for root in /,
 * "~ $ " for a user at home), lines are edited (tty.ts), an unfinished
 * construct asks for more with PS2 ("> "), Ctrl-C abandons the line or
 * interrupts the running command (status 130), Ctrl-D or `exit` ends it.
 * Without a terminal it reads commands line by line, silently.
 */
import type { Program, ProcessContext } from '../../process.js';
import { signalExitCode } from '../../process.js';
import { resolvePath } from '../../fs.js';
import { emptyReadable, put, readLines } from '../../streams.js';
import { linkSignals } from '../../timing.js';
import { attachTerminal } from '../../tty.js';
import type { Terminal } from '../../tty.js';
import { userName } from '../applet.js';
import type { Script } from './ast.js';
import { FuncReturn, Interrupted, LoopControl, ShellExit } from './control.js';
import { Shell } from './exec.js';
import type { ShellIO } from './exec.js';
import { parseScript, ShellSyntaxError } from './parse.js';

/** Expands a prompt string: \w \W \u \h \H \$ \n \\ \e \[ \] and $NAME. */
export function expandPrompt(ps: string, sh: Shell): string {
  const home = sh.getVar('HOME') ?? '';
  const tildeCwd = (): string => {
    if (home && home !== '/' && sh.cwd === home) return '~';
    if (home && home !== '/' && sh.cwd.startsWith(`${home}/`)) return `~${sh.cwd.slice(home.length)}`;
    return sh.cwd;
  };
  let out = '';
  for (let i = 0; i < ps.length; i++) {
    const c = ps[i] ?? '';
    if (c === '\\' && i + 1 < ps.length) {
      const n = ps[++i] ?? '';
      switch (n) {
        case 'w': out += tildeCwd(); break;
        case 'W': {
          const t = tildeCwd();
          out += t === '/' || t === '~' ? t : t.slice(t.lastIndexOf('/') + 1);
          break;
        }
        case 'u': out += userName(sh.base, sh.base.uid) ?? String(sh.base.uid); break;
        case 'h': out += sh.base.hostname.split('.')[0] ?? ''; break;
        case 'H': out += sh.base.hostname; break;
        case '$': out += sh.base.uid === 0 ? '#' : '$'; break;
        case 'n': out += '\n'; break;
        case 'e': out += '\x1b'; break;
        case 'a': out += '\x07'; break;
        case '[': case ']': break;
        case '\\': out += '\\'; break;
        default: out += `\\${n}`;
      }
      continue;
    }
    if (c === '$') {
      const m = /^\{?([A-Za-z_][A-Za-z0-9_]*)\}?/.exec(ps.slice(i + 1));
      if (m) {
        out += sh.getVar(m[1] ?? '') ?? '';
        i += m[0].length;
        continue;
      }
    }
    out += c;
  }
  return out;
}

type RunOutcome = { readonly kind: 'continue' } | { readonly kind: 'exit'; readonly status: number };

/** Runs one parsed input as the foreground job. */
async function runForeground(sh: Shell, script: Script, ctx: ProcessContext, io: ShellIO, terminal: Terminal | undefined): Promise<RunOutcome> {
  const session = terminal?.startForeground();
  const linked = linkSignals(session ? [ctx.signal, session.interrupt] : [ctx.signal]);
  sh.signal = linked.signal;
  const fio: ShellIO = { ...io, stdin: session ? session.stdin : io.stdin };
  sh.topIO = fio;
  try {
    await sh.runScript(script, fio);
  } catch (e) {
    if (e instanceof ShellExit) return { kind: 'exit', status: e.status };
    if (e instanceof Interrupted) {
      sh.status = e.status;
      if (ctx.signal.aborted) return { kind: 'exit', status: signalExitCode(ctx.signal.reason) };
      if (!sh.opts.interactive) return { kind: 'exit', status: e.status };
      put(io.stderr, '\n');
    } else if (e instanceof FuncReturn) sh.status = e.status;
    else if (!(e instanceof LoopControl)) throw e;
  } finally {
    session?.end();
    linked.dispose();
  }
  if (ctx.signal.aborted) return { kind: 'exit', status: signalExitCode(ctx.signal.reason) };
  return { kind: 'continue' };
}

async function runExitTrap(sh: Shell, io: ShellIO): Promise<void> {
  const cmd = sh.traps.get('EXIT');
  if (!cmd) return;
  sh.traps.delete('EXIT');
  try {
    await sh.runIsolated(parseScript(cmd), io);
  } catch {
    /* a broken trap does not change the exit status */
  }
}

/** The read-eval loop over the terminal or stdin. */
async function repl(sh: Shell, ctx: ProcessContext, io: ShellIO, terminal: Terminal | undefined): Promise<number> {
  let buffer = '';
  const lines = terminal ? undefined : readLines(ctx.stdin, ctx.signal)[Symbol.asyncIterator]();
  const childIO: ShellIO = terminal ? io : { ...io, stdin: emptyReadable() };
  for (;;) {
    if (ctx.signal.aborted) return signalExitCode(ctx.signal.reason);
    const prompt = expandPrompt(buffer ? (sh.getVar('PS2') ?? '> ') : (sh.getVar('PS1') ?? '$ '), sh);
    let text: string;
    if (terminal) {
      const r = await terminal.readLine(prompt, sh.history, ctx.signal);
      if (ctx.signal.aborted) return signalExitCode(ctx.signal.reason);
      if (r.kind === 'eof') break;
      if (r.kind === 'interrupt') {
        buffer = '';
        sh.status = 130;
        continue;
      }
      text = r.text;
    } else {
      if (sh.opts.interactive) put(io.stderr, prompt);
      const n = await (lines as AsyncIterator<string>).next();
      if (n.done) break;
      text = n.value;
    }
    buffer += `${text}\n`;
    let script: Script;
    try {
      script = parseScript(buffer);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      if (e.incomplete) continue;
      put(io.stderr, `${sh.opts.arg0}: syntax error: ${e.message}\n`);
      buffer = '';
      sh.status = 2;
      if (!sh.opts.interactive) return 2;
      continue;
    }
    const entered = buffer.replace(/\n$/, '');
    buffer = '';
    if (terminal && entered.trim() && sh.history[sh.history.length - 1] !== entered) sh.history.push(entered);
    const outcome = await runForeground(sh, script, ctx, childIO, terminal);
    if (outcome.kind === 'exit') return outcome.status;
  }
  if (buffer.trim()) {
    try {
      parseScript(buffer);
    } catch (e) {
      if (e instanceof ShellSyntaxError) {
        put(io.stderr, `${sh.opts.arg0}: syntax error: ${e.message}\n`);
        return 2;
      }
      throw e;
    }
  }
  return sh.status;
}

export interface ShellFlavor {
  /** Default PS1: busybox ash uses "\\w \\$ " ("/ # "); Debian's dash "\\$ " ("# "). */
  readonly ps1?: string;
}

/** Builds the sh program over a program lookup (the image's registry). */
export function makeShell(lookup: (name: string) => Program | undefined, flavor: ShellFlavor = {}): Program {
  return async (rawCtx, argv) => {
    const arg0 = argv[0] ?? 'sh';
    let command: string | undefined;
    let forceInteractive = false;
    let errexit = false;
    let xtrace = false;
    let i = 1;
    let wantC = false;
    for (; i < argv.length; i++) {
      const a = argv[i] ?? '';
      if (a === '--') {
        i++;
        break;
      }
      if (!/^[-+][a-zA-Z]+$/.test(a)) break;
      for (const f of a.slice(1)) {
        if (f === 'c') wantC = true;
        else if (f === 'i') forceInteractive = true;
        else if (f === 'e') errexit = true;
        else if (f === 'x') xtrace = true;
        else if (f === 's' || f === 'l') {
          /* read from stdin / login shell: the default here */
        } else {
          put(rawCtx.stderr, `${arg0}: -${f}: invalid option\n`);
          return 2;
        }
      }
    }
    if (wantC) {
      command = argv[i++];
      if (command === undefined) {
        put(rawCtx.stderr, `${arg0}: -c requires an argument\n`);
        return 2;
      }
    }
    const rest = argv.slice(i);
    const scriptFile = command === undefined ? rest[0] : undefined;
    const { ctx, terminal } = attachTerminal(rawCtx);
    const interactive = forceInteractive || (command === undefined && scriptFile === undefined && ctx.tty);
    let shArg0 = arg0;
    let positional = rest;
    if (command !== undefined && rest.length) {
      shArg0 = rest[0] ?? arg0;
      positional = rest.slice(1);
    } else if (scriptFile !== undefined) {
      shArg0 = scriptFile;
      positional = rest.slice(1);
    }
    const sh = new Shell(ctx, { arg0: shArg0, interactive, lookup, scriptFile: scriptFile !== undefined });
    sh.positional = positional;
    sh.terminal = terminal;
    if (flavor.ps1 !== undefined && rawCtx.env['PS1'] === undefined) sh.setVar('PS1', flavor.ps1);
    sh.errexit = errexit;
    sh.xtrace = xtrace;
    const tty = ctx.tty;
    const io: ShellIO = { stdin: ctx.stdin, stdout: ctx.stdout, stderr: ctx.stderr, ttys: [tty, tty, tty] };
    sh.topIO = io;

    let status: number;
    if (command !== undefined || scriptFile !== undefined) {
      let text = command ?? '';
      if (scriptFile !== undefined) {
        const path = resolvePath(ctx.cwd, scriptFile);
        const data = ctx.files.stat(path) === 'file' ? ctx.files.read(path) : undefined;
        if (!data) {
          put(ctx.stderr, `${arg0}: can't open '${scriptFile}': No such file or directory\n`);
          return 2;
        }
        text = data.toString('utf8');
      }
      let script: Script;
      try {
        script = parseScript(text);
      } catch (e) {
        if (!(e instanceof ShellSyntaxError)) throw e;
        const where = scriptFile !== undefined ? `line ${e.line}: ` : '';
        put(ctx.stderr, `${shArg0}: ${where}syntax error: ${e.message}\n`);
        return 2;
      }
      const outcome = await runForeground(sh, script, ctx, io, terminal);
      status = outcome.kind === 'exit' ? outcome.status : sh.status;
    } else {
      status = await repl(sh, ctx, io, terminal);
    }
    await runExitTrap(sh, io);
    return status;
  };
}
