/**
 * @module workloads/busybox/sh/exec
 *
 * The ash interpreter: walks the tree from parse.ts with shell state
 * (variables, functions, positional parameters, cwd, options), expands words,
 * applies redirections, wires pipelines with in-memory pipes, and runs
 * functions, builtins (./builtins.ts) or programs from the registry.
 *
 * ```
 * Script ─> and/or list ─> pipeline ─┬─> one command: in this shell
 *                                    └─> n commands: each in a forked shell,
 *                                        joined by PassThrough pipes; when a
 *                                        reader exits, its writer gets SIGPIPE
 * simple command: expand -> redirect -> function | builtin | program(ctx, argv)
 * ```
 *
 * Interrupts: `signal` is the foreground job's signal (Ctrl-C, pod deletion);
 * loops yield to the event loop every turn and stop when it fires, unwinding
 * the whole input line (exit status 128+signal), as ash does.
 */
import { PassThrough } from 'node:stream';
import type { Readable, Writable } from 'node:stream';
import type { FileMap, Program, ProcessContext } from '../../process.js';
import { signalExitCode } from '../../process.js';
import { fsErrorText, isFsError, resolvePath } from '../../fs.js';
import { CaptureWritable, emptyReadable, fileWritable, nullWritable, put, readableOf } from '../../streams.js';
import { linkSignals } from '../../timing.js';
import { registerTerminal } from '../../tty.js';
import type { Terminal } from '../../tty.js';
import type { AndOr, Command, Pipeline, Redirect, Script } from './ast.js';
import { ExpansionError, expandPattern, expandWords, expandWordText, matchPattern } from './expand.js';
import type { ExpandEnv } from './expand.js';
import { BUILTINS } from './builtins.js';
import { FuncReturn, Interrupted, LoopControl, ShellExit } from './control.js';

/** The three standard streams of a command, and which are the terminal. */
export interface ShellIO {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly ttys: readonly [boolean, boolean, boolean];
}

export { ShellExit, LoopControl, FuncReturn, Interrupted } from './control.js';

interface Var {
  value: string;
  exported: boolean;
  readonly: boolean;
}

export interface ShellOptions {
  /** $0 and the prefix of error messages ("sh"). */
  readonly arg0: string;
  readonly interactive: boolean;
  /** Running a script file: messages carry "line N:" even outside builtins. */
  readonly scriptFile?: boolean;
  /** Finds a program of the image by name. */
  readonly lookup: (name: string) => Program | undefined;
}

let nextPid = 7;

/** Ends a writable we created and waits until its data is flushed. */
function endAndWait(w: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (w.writableFinished || w.destroyed) {
      resolve();
      return;
    }
    w.once('finish', () => resolve());
    w.once('error', () => resolve());
    w.end();
  });
}

const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Shell implements ExpandEnv {
  vars = new Map<string, Var>();
  funcs = new Map<string, Command>();
  positional: string[] = [];
  status = 0;
  cwd: string;
  signal: AbortSignal;
  errexit = false;
  xtrace = false;
  pipefail = false;
  readonly pid: number;
  lastBgPid = '';
  bgJobs: Array<Promise<number>> = [];
  traps = new Map<string, string>();
  /** Nesting of contexts where a failure must not trigger `set -e` (if/while conditions, && lists). */
  condDepth = 0;
  loopDepth = 0;
  currentLine = 1;
  /** Status of the last $(...) of the command being expanded (an assignment-only command returns it). */
  cmdsubStatus: number | undefined;
  /** Stack of saved variables for `local`, one frame per running function. */
  localFrames: Array<Map<string, Var | undefined>> = [];
  history: string[] = [];
  /** The terminal this shell reads (interactive tty sessions). */
  terminal: Terminal | undefined;

  constructor(
    readonly base: ProcessContext,
    readonly opts: ShellOptions,
  ) {
    this.cwd = base.cwd;
    this.signal = base.signal;
    this.pid = nextPid++;
    for (const [k, v] of Object.entries(base.env)) this.vars.set(k, { value: v, exported: true, readonly: false });
    const def = (k: string, v: string, exported = false): void => {
      if (!this.vars.has(k)) this.vars.set(k, { value: v, exported, readonly: false });
    };
    def('PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', true);
    def('HOME', '/', true);
    const shlvl = Number(base.env['SHLVL'] ?? '0');
    this.vars.set('SHLVL', { value: String((Number.isFinite(shlvl) ? shlvl : 0) + 1), exported: true, readonly: false });
    this.vars.set('PWD', { value: this.cwd, exported: true, readonly: false });
    def('IFS', ' \t\n');
    def('PS1', '\\w \\$ ');
    def('PS2', '> ');
    def('PS4', '+ ');
    def('OPTIND', '1');
    def('PPID', '1');
  }

  get files(): FileMap {
    return this.base.files;
  }

  /** A copy of this shell for a subshell, a pipeline element or $(...). */
  fork(): Shell {
    const s = Object.create(Shell.prototype) as Shell;
    Object.assign(s, this);
    s.vars = new Map([...this.vars].map(([k, v]) => [k, { ...v }]));
    s.funcs = new Map(this.funcs);
    s.positional = [...this.positional];
    s.bgJobs = [];
    s.traps = new Map();
    s.localFrames = [];
    return s;
  }

  // ---- variables (ExpandEnv) -------------------------------------------------

  getVar(name: string): string | undefined {
    switch (name) {
      case '?':
        return String(this.status);
      case '$':
        return String(this.pid);
      case '!':
        return this.lastBgPid;
      case '#':
        return String(this.positional.length);
      case '0':
        return this.opts.arg0;
      case '-':
        return `${this.errexit ? 'e' : ''}${this.opts.interactive ? 'i' : ''}${this.xtrace ? 'x' : ''}s`;
      case '@':
      case '*':
        return this.positional.join(' ');
      case 'RANDOM':
        return String(Math.floor(Math.random() * 32768));
      case 'LINENO':
        return String(this.currentLine);
      default:
        if (/^\d+$/.test(name)) return this.positional[Number(name) - 1];
        return this.vars.get(name)?.value;
    }
  }

  setVar(name: string, value: string, exported?: boolean): void {
    const cur = this.vars.get(name);
    if (cur?.readonly) throw new ExpansionError(`${name}: is read only`);
    this.vars.set(name, { value, exported: exported ?? cur?.exported ?? false, readonly: false });
  }

  positionalParams(): ReadonlyArray<string> {
    return this.positional;
  }

  async commandSubst(body: Script): Promise<string> {
    const sub = this.fork();
    const capture = new CaptureWritable();
    const io: ShellIO = { stdin: emptyReadable(), stdout: capture, stderr: this.topIO?.stderr ?? nullWritable(), ttys: [false, false, this.topIO?.ttys[2] ?? false] };
    const status = await sub.runIsolated(body, io);
    this.cmdsubStatus = status;
    return capture.text();
  }

  /** The environment a program gets: exported variables plus per-command assignments. */
  exportedEnv(extra: ReadonlyMap<string, string> = new Map()): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [k, v] of this.vars) if (v.exported) env[k] = v.value;
    for (const [k, v] of extra) env[k] = v;
    return env;
  }

  /** The top-level streams of the current input (used by $(...) for stderr). */
  topIO: ShellIO | undefined;

  // ---- messages ------------------------------------------------------------------

  /**
   * ash's error format: "sh: [cmd: ][line N: ]message". The line appears in a
   * non-interactive shell while a builtin runs, or always for a script file.
   */
  errorMessage(message: string, cmd?: string): string {
    const withLine = !this.opts.interactive && (cmd !== undefined || this.opts.scriptFile === true);
    return `${this.opts.arg0}: ${cmd ? `${cmd}: ` : ''}${withLine ? `line ${this.currentLine}: ` : ''}${message}\n`;
  }

  checkInterrupt(): void {
    if (this.signal.aborted) throw new Interrupted(signalExitCode(this.signal.reason));
  }

  // ---- running ---------------------------------------------------------------------

  /** Runs a script in this shell; control-flow exceptions propagate. */
  /** One pass of a loop's body: `break`/`continue` of this loop end here, of outer loops go on up. */
  private async runLoopBody(body: Script, io: ShellIO): Promise<{ status: number; broke: boolean }> {
    try {
      return { status: await this.runScript(body, io), broke: false };
    } catch (e) {
      if (!(e instanceof LoopControl)) throw e;
      if (e.levels > 1) {
        e.levels--;
        throw e;
      }
      return { status: this.status, broke: e.kind === 'break' };
    }
  }

  async runScript(script: Script, io: ShellIO): Promise<number> {
    for (const item of script.items) {
      this.checkInterrupt();
      if (item.background) {
        const sub = this.fork();
        sub.signal = this.base.signal; // a background job outlives the input line, not the process
        const pid = nextPid++;
        this.lastBgPid = String(pid);
        const bgio: ShellIO = { stdin: emptyReadable(), stdout: io.stdout, stderr: io.stderr, ttys: [false, io.ttys[1], io.ttys[2]] };
        this.bgJobs.push(sub.runIsolated({ items: [{ andOr: item.andOr, background: false }] }, bgio));
        this.status = 0;
        continue;
      }
      await this.runAndOr(item.andOr, io);
    }
    return this.status;
  }

  /** Runs a script as a subshell would: exit/return/break end it, with their status. */
  async runIsolated(script: Script, io: ShellIO): Promise<number> {
    try {
      return await this.runScript(script, io);
    } catch (e) {
      if (e instanceof ShellExit || e instanceof FuncReturn || e instanceof Interrupted) return e.status;
      if (e instanceof LoopControl) return this.status;
      throw e;
    }
  }

  private async runAndOr(a: AndOr, io: ShellIO): Promise<void> {
    const all = [a.first, ...a.rest.map((r) => r.pipeline)];
    const last = all.length - 1;
    let idx = 0;
    const run = async (p: Pipeline, isLast: boolean): Promise<void> => {
      if (!isLast) this.condDepth++;
      try {
        this.status = await this.runPipeline(p, io);
      } finally {
        if (!isLast) this.condDepth--;
      }
    };
    await run(a.first, idx === last);
    for (const r of a.rest) {
      idx++;
      if ((r.op === '&&' && this.status === 0) || (r.op === '||' && this.status !== 0)) await run(r.pipeline, idx === last);
    }
  }

  private async runPipeline(p: Pipeline, io: ShellIO): Promise<number> {
    let status: number;
    if (p.negate) this.condDepth++;
    try {
      if (p.commands.length === 1) {
        status = await this.runCommand(p.commands[0] as Command, io);
      } else {
        status = await this.runMulti(p.commands, io);
        this.checkInterrupt();
      }
    } finally {
      if (p.negate) this.condDepth--;
    }
    if (p.negate) status = status === 0 ? 1 : 0;
    this.status = status;
    return status;
  }

  private async runMulti(commands: ReadonlyArray<Command>, io: ShellIO): Promise<number> {
    const n = commands.length;
    const pipes = Array.from({ length: n - 1 }, () => new PassThrough());
    const signals = commands.map(() => linkSignals([this.signal]));
    const statuses = await Promise.all(
      commands.map(async (cmd, i) => {
        const sub = this.fork();
        sub.signal = (signals[i] ?? linkSignals([this.signal])).signal;
        const cio: ShellIO = {
          stdin: i === 0 ? io.stdin : (pipes[i - 1] as PassThrough),
          stdout: i === n - 1 ? io.stdout : (pipes[i] as PassThrough),
          stderr: io.stderr,
          ttys: [i === 0 ? io.ttys[0] : false, i === n - 1 ? io.ttys[1] : false, io.ttys[2]],
        };
        let st: number;
        try {
          st = await sub.runCommand(cmd, cio);
        } catch (e) {
          if (e instanceof ShellExit || e instanceof FuncReturn || e instanceof Interrupted) st = e.status;
          else if (e instanceof LoopControl) st = sub.status;
          else throw e;
        } finally {
          if (i < n - 1) (pipes[i] as PassThrough).end();
          if (i > 0) {
            // the reader is gone: the writer gets SIGPIPE, its output is drained
            signals[i - 1]?.abort('SIGPIPE');
            (pipes[i - 1] as PassThrough).resume();
          }
        }
        return st;
      }),
    );
    for (const s of signals) s.dispose();
    if (this.pipefail) return statuses.reduce((acc, s) => (s !== 0 ? s : acc), 0);
    return statuses[n - 1] ?? 0;
  }

  async runCommand(cmd: Command, io: ShellIO): Promise<number> {
    this.checkInterrupt();
    switch (cmd.kind) {
      case 'simple':
        return this.runSimple(cmd, io);
      case 'func':
        this.funcs.set(cmd.name, cmd.body);
        this.status = 0;
        return 0;
      default:
        return this.withRedirects(cmd.redirs, io, (rio) => this.runCompound(cmd, rio));
    }
  }

  private async runCompound(cmd: Exclude<Command, { kind: 'simple' } | { kind: 'func' }>, io: ShellIO): Promise<number> {
    switch (cmd.kind) {
      case 'group': {
        if (cmd.subshell) {
          const sub = this.fork();
          this.status = await sub.runIsolated(cmd.body, io);
          this.checkInterrupt();
          return this.status;
        }
        return this.runScript(cmd.body, io);
      }
      case 'if': {
        for (const c of cmd.clauses) {
          this.condDepth++;
          try {
            await this.runScript(c.cond, io);
          } finally {
            this.condDepth--;
          }
          if (this.status === 0) return this.runScript(c.body, io);
        }
        if (cmd.elseBody) return this.runScript(cmd.elseBody, io);
        this.status = 0;
        return 0;
      }
      case 'for': {
        const items = cmd.items ? await this.expand(cmd.items, io) : [...this.positional];
        if (items === undefined) return this.status;
        let last = 0;
        this.loopDepth++;
        try {
          for (const v of items) {
            await yieldTurn();
            this.checkInterrupt();
            this.setVar(cmd.name, v);
            const pass = await this.runLoopBody(cmd.body, io);
            last = pass.status;
            if (pass.broke) break;
          }
        } finally {
          this.loopDepth--;
        }
        this.status = last;
        return last;
      }
      case 'while': {
        let last = 0;
        this.loopDepth++;
        try {
          for (;;) {
            await yieldTurn();
            this.checkInterrupt();
            this.condDepth++;
            try {
              await this.runScript(cmd.cond, io);
            } finally {
              this.condDepth--;
            }
            if ((this.status === 0) === cmd.until) break;
            const pass = await this.runLoopBody(cmd.body, io);
            last = pass.status;
            if (pass.broke) break;
          }
        } finally {
          this.loopDepth--;
        }
        this.status = last;
        return last;
      }
      case 'case': {
        const word = await expandWordText(cmd.word, this);
        for (const item of cmd.items) {
          for (const p of item.patterns) {
            if (matchPattern(await expandPattern(p, this), word)) return this.runScript(item.body, io);
          }
        }
        this.status = 0;
        return 0;
      }
    }
  }

  /** Expands words, printing expansion errors; undefined when expansion failed. */
  private async expand(words: ReadonlyArray<import('./ast.js').Word>, io: ShellIO): Promise<string[] | undefined> {
    try {
      return await expandWords(words, this);
    } catch (e) {
      if (e instanceof ExpansionError) {
        put(io.stderr, this.errorMessage(e.message));
        this.status = this.opts.interactive ? 1 : 2;
        if (!this.opts.interactive) throw new ShellExit(this.status);
        return undefined;
      }
      throw e;
    }
  }

  private async runSimple(cmd: Extract<Command, { kind: 'simple' }>, io: ShellIO): Promise<number> {
    this.currentLine = cmd.line;
    this.cmdsubStatus = undefined;
    const argv = await this.expand(cmd.words, io);
    if (argv === undefined) return this.status;
    const assigns = new Map<string, string>();
    try {
      for (const a of cmd.assigns) assigns.set(a.name, await expandWordText(a.value, this));
    } catch (e) {
      if (e instanceof ExpansionError) {
        put(io.stderr, this.errorMessage(e.message));
        this.status = 1;
        return 1;
      }
      throw e;
    }
    if (argv.length === 0) {
      const cmdsubStatus = this.cmdsubStatus ?? 0;
      try {
        for (const [k, v] of assigns) this.setVar(k, v);
      } catch (e) {
        if (e instanceof ExpansionError) {
          put(io.stderr, this.errorMessage(e.message));
          this.status = 1;
          return 1;
        }
        throw e;
      }
      const st = await this.withRedirects(cmd.redirs, io, async () => cmdsubStatus);
      this.status = st;
      return st;
    }
    if (this.xtrace) put(io.stderr, `${this.getVar('PS4') ?? '+ '}${[...[...assigns].map(([k, v]) => `${k}=${v}`), ...argv].join(' ')}\n`);
    const status = await this.withRedirects(cmd.redirs, io, (rio) => this.invoke(argv, assigns, rio));
    this.status = status;
    if (status !== 0 && this.errexit && this.condDepth === 0) throw new ShellExit(status);
    return status;
  }

  /** Runs a command by name: function, builtin, then program. */
  async invoke(argv: ReadonlyArray<string>, assigns: ReadonlyMap<string, string>, io: ShellIO): Promise<number> {
    const name = argv[0] ?? '';
    const fn = this.funcs.get(name);
    if (fn) return this.callFunction(fn, argv, assigns, io);
    const builtin = BUILTINS.get(name);
    if (builtin) {
      const saved = new Map<string, Var | undefined>();
      for (const [k, v] of assigns) {
        saved.set(k, this.vars.get(k));
        this.setVar(k, v);
      }
      try {
        return await builtin(this, argv, io);
      } finally {
        if (!SPECIAL_BUILTINS.has(name)) {
          for (const [k, v] of saved) {
            if (v) this.vars.set(k, v);
            else this.vars.delete(k);
          }
        }
      }
    }
    return this.runProgram(argv, assigns, io);
  }

  private async callFunction(fn: Command, argv: ReadonlyArray<string>, assigns: ReadonlyMap<string, string>, io: ShellIO): Promise<number> {
    const savedPos = this.positional;
    this.positional = argv.slice(1);
    const frame = new Map<string, Var | undefined>();
    for (const [k, v] of assigns) {
      frame.set(k, this.vars.get(k));
      this.setVar(k, v, true);
    }
    this.localFrames.push(frame);
    try {
      return await this.runCommand(fn, io);
    } catch (e) {
      if (e instanceof FuncReturn) {
        this.status = e.status;
        return e.status;
      }
      throw e;
    } finally {
      this.positional = savedPos;
      this.localFrames.pop();
      for (const [k, v] of frame) {
        if (v) this.vars.set(k, v);
        else this.vars.delete(k);
      }
    }
  }

  /** Finds a program by name or path ("/bin/sh", "/usr/bin/wget"). */
  findProgram(name: string): Program | undefined {
    if (!name.includes('/')) return this.opts.lookup(name);
    const path = resolvePath(this.cwd, name);
    const base = path.slice(path.lastIndexOf('/') + 1);
    if (/^\/(usr\/)?(local\/)?s?bin\/[^/]+$/.test(path)) return this.opts.lookup(base);
    return undefined;
  }

  private async runProgram(argv: ReadonlyArray<string>, assigns: ReadonlyMap<string, string>, io: ShellIO): Promise<number> {
    const name = argv[0] ?? '';
    const prog = this.findProgram(name);
    if (!prog) {
      put(io.stderr, `${this.opts.arg0}: ${name}: not found\n`);
      return 127;
    }
    const ctx: ProcessContext = {
      ...this.base,
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
      ttyFds: io.ttys,
      env: this.exportedEnv(assigns),
      cwd: this.cwd,
      signal: this.signal,
    };
    if (this.terminal && io.ttys[0]) registerTerminal(ctx, this.terminal);
    let status: number;
    try {
      status = await prog(ctx, argv);
    } catch (e) {
      put(io.stderr, `${name}: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      status = 1;
    }
    if (this.signal.aborted) throw new Interrupted(signalExitCode(this.signal.reason));
    return status;
  }

  /** Applies redirections around `fn`; a failed redirection prints ash's message and fails the command. */
  async withRedirects(redirs: ReadonlyArray<Redirect>, io: ShellIO, fn: (io: ShellIO) => Promise<number>): Promise<number> {
    if (redirs.length === 0) return fn(io);
    const fds: Array<Readable | Writable> = [io.stdin, io.stdout, io.stderr];
    const ttys: [boolean, boolean, boolean] = [io.ttys[0], io.ttys[1], io.ttys[2]];
    const opened: Writable[] = [];
    const setOut = (fd: number, w: Writable, tty: boolean): void => {
      if (fd === 1 || fd === 2) {
        fds[fd] = w;
        ttys[fd] = tty;
      }
    };
    try {
      for (const r of redirs) {
        const target = await expandWordText(r.target, this);
        switch (r.op) {
          case '>':
          case '>|':
          case '>>':
          case '&>': {
            const path = resolvePath(this.cwd, target);
            let w: Writable;
            try {
              w = fileWritable(this.files, path, r.op === '>>' ? 'append' : 'truncate');
            } catch (e) {
              const why = isFsError(e) && e.code === 'ENOENT' ? 'nonexistent directory' : fsErrorText(e);
              put(io.stderr, this.errorMessage(`can't create ${target}: ${why}`));
              return 1;
            }
            opened.push(w);
            if (r.op === '&>') {
              setOut(1, w, false);
              setOut(2, w, false);
            } else setOut(r.fd, w, path === '/dev/tty');
            break;
          }
          case '<':
          case '<>': {
            const path = resolvePath(this.cwd, target);
            let data: Buffer | undefined;
            try {
              data = this.files.read(path);
            } catch (e) {
              put(io.stderr, this.errorMessage(`can't open ${target}: ${fsErrorText(e)}`));
              return 1;
            }
            if (data === undefined) {
              if (r.op === '<>') {
                this.files.write(path, '');
                data = Buffer.alloc(0);
              } else {
                put(io.stderr, this.errorMessage(`can't open ${target}: no such file`));
                return 1;
              }
            }
            if (r.fd === 0) {
              fds[0] = readableOf(data);
              ttys[0] = false;
            }
            break;
          }
          case '<<':
          case '<<-': {
            const body = r.heredoc ? await expandWordText(r.heredoc, this) : '';
            if (r.fd === 0) {
              fds[0] = readableOf(body);
              ttys[0] = false;
            }
            break;
          }
          case '>&':
          case '<&': {
            if (target === '-') {
              if (r.fd === 0) fds[0] = emptyReadable();
              else setOut(r.fd, nullWritable(), false);
              break;
            }
            if (/^\d+$/.test(target)) {
              const src = Number(target);
              if (r.op === '>&' && (src === 1 || src === 2)) setOut(r.fd, fds[src] as Writable, ttys[src]);
              else if (r.op === '<&' && src === 0 && r.fd === 0) {
                /* 0<&0: nothing to do */
              } else if (src > 2) {
                put(io.stderr, this.errorMessage(`${src}: Bad file descriptor`));
                return 1;
              }
              break;
            }
            // ">&file" is "&>file"
            const path = resolvePath(this.cwd, target);
            const w = fileWritable(this.files, path, 'truncate');
            opened.push(w);
            setOut(1, w, false);
            setOut(2, w, false);
            break;
          }
        }
      }
      return await fn({ stdin: fds[0] as Readable, stdout: fds[1] as Writable, stderr: fds[2] as Writable, ttys });
    } catch (e) {
      if (e instanceof ExpansionError) {
        put(io.stderr, this.errorMessage(e.message));
        return 1;
      }
      throw e;
    } finally {
      await Promise.all(opened.map(endAndWait));
    }
  }
}

/** Builtins whose variable assignments stay after the command (POSIX special builtins). */
const SPECIAL_BUILTINS = new Set([':', '.', 'source', 'eval', 'exec', 'exit', 'export', 'readonly', 'return', 'set', 'shift', 'unset', 'break', 'continue', 'trap']);
