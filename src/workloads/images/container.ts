/**
 * @module workloads/images/container
 *
 * One running container: its processes, sockets, files and exit.
 *
 * ```
 *   Container
 *     ├─ main process  (ENTRYPOINT/CMD or command/args)  ── its exit is the container's exit
 *     ├─ exec'd processes (kubectl exec)                  ── killed when the main process ends
 *     │    each process: ctx.signal (first signal), pod.killed (SIGKILL), its sockets
 *     ├─ ContainerSockets: listeners on pod IP + loopback (closed with their process)
 *     └─ FileMap: image files under the kubelet's, one writable layer for all processes
 * ```
 *
 * Signals: the kubelet's SIGTERM is delivered as the image's STOPSIGNAL and
 * the program decides what to do; SIGKILL ends the process at once with 137,
 * closing its sockets (peers see resets), whatever the program was doing.
 * No timers are kept per container.
 */
import { randomBytes } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { createFileMap, dirname } from '../fs.js';
import type { FileMap, Program, ProcessContext } from '../process.js';
import { systemClock } from '../process.js';
import { emptyReadable, put } from '../streams.js';
import { linkSignals } from '../timing.js';
import { attachTerminal } from '../tty.js';
import { execFailedMessage, lookupExecutable } from './entrypoint.js';
import { containerProcessNet } from './process-net.js';
import { ContainerSockets } from './sockets.js';
import type {
  ContainerContext,
  ContainerSpec,
  ExecOutcome,
  ExecStdio,
  Executable,
  KillSignal,
  ListeningPort,
  Listening,
  PodServices,
  ResolvedImage,
  RunningContainer,
  ToolHost,
  ToolSet,
} from './types.js';

type Signal = 'SIGTERM' | 'SIGQUIT' | 'SIGINT' | 'SIGHUP' | 'SIGKILL';

interface ProcIo {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly tty: boolean;
}

/** One process of the container. */
class Proc {
  readonly ctl = new AbortController();
  readonly kill = new AbortController();
  readonly sockets = new Set<Listening>();
  readonly children = new Set<Proc>();
  code: number | undefined;
  readonly done: Promise<number>;
  #resolve: (code: number) => void = () => undefined;

  constructor(readonly pid: number) {
    this.done = new Promise<number>((r) => {
      this.#resolve = r;
    });
  }

  finish(code: number): void {
    if (this.code !== undefined) return;
    this.code = code;
    for (const s of this.sockets) s.close();
    this.sockets.clear();
    for (const c of this.children) c.signal('SIGKILL');
    this.children.clear();
    this.#resolve(code);
  }

  signal(sig: Signal): void {
    if (this.code !== undefined) return;
    if (sig === 'SIGKILL') {
      if (!this.ctl.signal.aborted) this.ctl.abort('SIGKILL');
      this.kill.abort('SIGKILL');
      this.finish(137);
      return;
    }
    if (!this.ctl.signal.aborted) this.ctl.abort(sig);
  }
}

function isContainerContext(ctx: ProcessContext): ctx is ContainerContext {
  return typeof (ctx as Partial<ContainerContext>).pod === 'object';
}

/**
 * PID 1 gets no default signal actions from the kernel: a C program without
 * handlers (busybox applets, the shell, curl) ignores SIGTERM/SIGINT/SIGQUIT
 * as the container's main process and only SIGKILL ends it (the kubelet's
 * grace period runs out). Image programs model their own handlers.
 */
function asInit<T extends ProcessContext>(proc: Proc, exe: Executable, ctx: T): T {
  if (proc.pid !== 1 || exe.kind === 'own') return ctx;
  return { ...ctx, signal: proc.kill.signal };
}

/** Runs `program`, with the terminal line discipline for tty sessions unless it edits lines itself. */
async function runAttached(program: Program, ctx: ProcessContext, argv: ReadonlyArray<string>, rawTty: boolean): Promise<number> {
  if (!ctx.tty) return program(ctx, argv);
  const { ctx: tctx, terminal } = attachTerminal(ctx);
  if (rawTty || !terminal) return program(tctx, argv);
  const session = terminal.startForeground();
  const linked = linkSignals([ctx.signal, session.interrupt]);
  try {
    return await program({ ...tctx, stdin: session.stdin, signal: linked.signal }, argv);
  } finally {
    session.end();
    linked.dispose();
  }
}

function notEmulated(path: string, why: string): Program {
  return async (ctx) => {
    put(ctx.stderr, `kwire: ${path} is in the image but not emulated (${why})\n`);
    return 127;
  };
}

/** The executable at `path` in an image: its own table, then its tool directories. */
export function findExecutable(config: ResolvedImage['config'], tools: ToolHost | undefined, path: string): Executable | undefined {
  const own = config.executables.get(path);
  if (own) return own;
  const dir = dirname(path);
  const name = path.slice(dir.length + 1);
  for (const td of config.toolDirs ?? []) {
    if (td.dir !== dir) continue;
    const provided = tools ? Object.prototype.hasOwnProperty.call(tools.programs(td.set), name) : false;
    if (!provided && !td.names.has(name)) continue;
    if (config.shells?.has(name)) return { kind: 'shell', set: td.set };
    return { kind: 'tool', set: td.set, name };
  }
  return undefined;
}

/** Builds the container's FileMap: the kubelet's files over the image's. */
export function containerFiles(given: ContainerSpec['files'], image: ResolvedImage['config']): FileMap {
  if (typeof (given as Partial<FileMap>).read === 'function' && typeof (given as Partial<FileMap>).stat === 'function') {
    const fm = given as FileMap;
    for (const d of image.dirs ?? []) {
      if (fm.stat(d) === undefined) fm.mkdir(d, true);
    }
    for (const [path, data] of Object.entries(image.files)) {
      if (fm.stat(path) !== undefined) continue;
      if (fm.stat(dirname(path)) === undefined) fm.mkdir(dirname(path), true);
      fm.write(path, data);
    }
    return fm;
  }
  return createFileMap({ ...image.files, ...(given as Readonly<Record<string, string | Buffer>>) }, { dirs: image.dirs ?? [] });
}

/** HOME for a uid, from /etc/passwd (runc sets it when the environment has none). */
export function homeOf(files: FileMap, uid: number): string {
  const text = files.read('/etc/passwd')?.toString('utf8') ?? '';
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 6 && Number(f[2]) === uid) return f[5] || '/';
  }
  return uid === 0 ? '/root' : '/';
}

/** Options of a container beyond its spec. */
export interface ContainerOptions {
  readonly tools?: ToolHost;
  /** Exec ids (64 hex digits in containerd); injectable for tests. */
  readonly execId?: () => string;
}

/** A started container (see module doc). Create with `Container.start`. */
export class Container implements RunningContainer {
  readonly image: ResolvedImage;
  readonly argv: ReadonlyArray<string>;
  readonly exited: Promise<number>;
  readonly #spec: ContainerSpec;
  readonly #opts: ContainerOptions;
  readonly #files: FileMap;
  readonly #env: Readonly<Record<string, string>>;
  readonly #cwd: string;
  readonly #uid: number;
  readonly #gid: number;
  readonly #sockets: ContainerSockets;
  readonly #main: Proc;
  #nextPid = 7;
  readonly #execs = new Set<Proc>();
  readonly #shells = new Map<ToolSet, Program>();
  readonly #net: ProcessContext['net'];
  readonly #find = (path: string): Executable | undefined => findExecutable(this.image.config, this.#opts.tools, path);

  private constructor(image: ResolvedImage, spec: ContainerSpec, opts: ContainerOptions, files: FileMap, env: Record<string, string>, argv: ReadonlyArray<string>) {
    this.image = image;
    this.#spec = spec;
    this.#opts = opts;
    this.#files = files;
    this.#env = env;
    this.argv = argv;
    this.#cwd = spec.workingDir || image.config.workingDir;
    this.#uid = spec.runAsUser ?? image.config.uid;
    this.#gid = spec.runAsGroup ?? image.config.gid;
    this.#sockets = new ContainerSockets(spec.net, spec.podIp);
    this.#net = containerProcessNet(spec.net, this.#sockets, spec.clock ?? systemClock);
    this.#main = new Proc(1);
    this.exited = this.#main.done.then((code) => {
      for (const p of this.#execs) p.signal('SIGKILL');
      this.#execs.clear();
      return code;
    });
  }

  /**
   * Starts the main process `argv` (already resolved to `executable`).
   * `env` is the container's full environment.
   */
  static start(
    image: ResolvedImage,
    spec: ContainerSpec,
    opts: ContainerOptions,
    files: FileMap,
    env: Record<string, string>,
    argv: ReadonlyArray<string>,
    executable: { readonly path: string; readonly executable: Executable },
  ): Container {
    const c = new Container(image, spec, opts, files, env, argv);
    const tty = spec.tty ?? false;
    c.#run(c.#main, executable.executable, executable.path, argv, {
      stdin: spec.stdin ?? emptyReadable(),
      stdout: spec.stdout,
      stderr: tty ? spec.stdout : spec.stderr,
      tty,
    });
    return c;
  }

  get exitCode(): number | undefined {
    return this.#main.code;
  }

  stop(signal: KillSignal = 'SIGTERM'): Promise<void> {
    if (signal === 'SIGKILL') {
      for (const p of this.#execs) p.signal('SIGKILL');
      this.#main.signal('SIGKILL');
    } else {
      this.#main.signal(this.image.config.stopSignal);
    }
    return this.exited.then(() => undefined);
  }

  async exec(argv: ReadonlyArray<string>, stdio: ExecStdio): Promise<ExecOutcome> {
    const execId = (this.#opts.execId ?? (() => randomBytes(32).toString('hex')))();
    if (this.#main.code !== undefined) {
      return { kind: 'start-failed', message: 'error executing command in container: failed to exec in container: container is in CONTAINER_EXITED state' };
    }
    const found = lookupExecutable(argv[0] ?? '', this.#env['PATH'] ?? '', this.#cwd, this.#find, this.#files);
    if (!found.ok) return { kind: 'start-failed', message: execFailedMessage(execId, found.error) };
    const tty = stdio.tty ?? false;
    const proc = new Proc(this.#nextPid++);
    this.#execs.add(proc);
    const onHangup = (): void => proc.signal('SIGHUP');
    if (stdio.signal?.aborted) onHangup();
    else stdio.signal?.addEventListener('abort', onHangup, { once: true });
    this.#run(
      proc,
      found.executable,
      found.path,
      argv,
      { stdin: stdio.stdin ?? emptyReadable(), stdout: stdio.stdout, stderr: tty ? stdio.stdout : stdio.stderr, tty },
      tty ? { TERM: 'xterm' } : undefined,
    );
    const exitCode = await proc.done;
    stdio.signal?.removeEventListener('abort', onHangup);
    this.#execs.delete(proc);
    return { kind: 'exited', exitCode };
  }

  listening(): ReadonlyArray<ListeningPort> {
    return this.#sockets.listening();
  }

  isListening(port: number, protocol: 'TCP' | 'UDP' = 'TCP'): boolean {
    return this.#sockets.isListening(port, protocol);
  }

  // ---------------------------------------------------------------- processes

  #run(proc: Proc, exe: Executable, path: string, argv: ReadonlyArray<string>, io: ProcIo, extraEnv?: Readonly<Record<string, string>>): void {
    const ctx = asInit(proc, exe, this.#context(proc, io, extraEnv));
    const { program, rawTty } = this.#programOf(exe, path);
    let running: Promise<number>;
    try {
      running = runAttached(program, ctx, argv, rawTty);
    } catch (e) {
      running = Promise.reject(e);
    }
    running.then(
      (code) => proc.finish(code),
      (e: unknown) => {
        put(io.stderr, `kwire: internal error in ${path}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        proc.finish(255);
      },
    );
  }

  #context(proc: Proc, io: ProcIo, extraEnv?: Readonly<Record<string, string>>): ContainerContext {
    const spec = this.#spec;
    const sockets = this.#sockets;
    const track = (l: Listening): Listening => {
      proc.sockets.add(l);
      return {
        port: l.port,
        close: () => {
          proc.sockets.delete(l);
          l.close();
        },
      };
    };
    const pod: PodServices = {
      pid: proc.pid,
      podIp: spec.podIp,
      namespace: spec.namespace,
      podName: spec.podName,
      listenTcp: (addr, onConnection, o) => track(sockets.listenTcp(addr, onConnection, o?.allowHalfOpen ?? false)),
      bindUdp: (addr, onMessage) => track(sockets.bindUdp(addr, onMessage)),
      killed: proc.kill.signal,
      spawn: (argv, stdio) => this.#spawn(proc, argv, stdio),
      execve: (ctx, argv) => this.#execve(proc, ctx, argv),
      signalMain: (sig) => this.#main.signal(sig),
    };
    return {
      stdin: io.stdin,
      stdout: io.stdout,
      stderr: io.stderr,
      tty: io.tty,
      env: extraEnv ? { ...this.#env, ...extraEnv } : this.#env,
      cwd: this.#cwd,
      hostname: spec.hostname,
      uid: this.#uid,
      gid: this.#gid,
      libc: this.image.config.libc,
      files: this.#files,
      net: this.#net,
      signal: proc.ctl.signal,
      clock: spec.clock ?? systemClock,
      pod,
    };
  }

  async #execve(proc: Proc, ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number | undefined> {
    const found = lookupExecutable(argv[0] ?? '', ctx.env['PATH'] ?? '', ctx.cwd, this.#find, this.#files);
    if (!found.ok) return undefined;
    const { program, rawTty } = this.#programOf(found.executable, found.path);
    return runAttached(program, asInit(proc, found.executable, ctx), argv, rawTty);
  }

  #spawn(parent: Proc, argv: ReadonlyArray<string>, stdio: { readonly stdout: Writable; readonly stderr: Writable; readonly stdin?: Readable }): Promise<number | undefined> {
    if (parent.code !== undefined) return Promise.resolve(137);
    const found = lookupExecutable(argv[0] ?? '', this.#env['PATH'] ?? '', this.#cwd, this.#find, this.#files);
    if (!found.ok) return Promise.resolve(undefined);
    const child = new Proc(this.#nextPid++);
    parent.children.add(child);
    const onParent = (): void => child.signal(typeof parent.ctl.signal.reason === 'string' ? (parent.ctl.signal.reason as Signal) : 'SIGTERM');
    parent.ctl.signal.addEventListener('abort', onParent, { once: true });
    this.#run(child, found.executable, found.path, argv, { stdin: stdio.stdin ?? emptyReadable(), stdout: stdio.stdout, stderr: stdio.stderr, tty: false });
    return child.done.then((code) => {
      parent.ctl.signal.removeEventListener('abort', onParent);
      parent.children.delete(child);
      return code;
    });
  }

  /** The Program an executable runs, and whether it edits terminal lines itself. */
  #programOf(exe: Executable, path: string): { program: Program; rawTty: boolean } {
    const tools = this.#opts.tools;
    switch (exe.kind) {
      case 'own': {
        const own = exe.program;
        const program: Program = (ctx, argv) => {
          if (!isContainerContext(ctx)) {
            put(ctx.stderr, `kwire: ${path} needs its container context\n`);
            return Promise.resolve(126);
          }
          return own(ctx, argv);
        };
        return { program, rawTty: exe.rawTty ?? false };
      }
      case 'tool': {
        if (!tools) return { program: notEmulated(path, 'no program registry is installed'), rawTty: false };
        const set = tools.programs(exe.set);
        const p = Object.prototype.hasOwnProperty.call(set, exe.name) ? set[exe.name] : undefined;
        return { program: p ?? notEmulated(path, `no "${exe.name}" in the ${exe.set} programs`), rawTty: exe.rawTty ?? false };
      }
      case 'shell':
        return { program: this.#shell(exe.set, path), rawTty: true };
      default: {
        const never: never = exe;
        throw new Error(`unknown executable ${JSON.stringify(never)}`);
      }
    }
  }

  #shell(set: ToolSet, path: string): Program {
    const cached = this.#shells.get(set);
    if (cached) return cached;
    const tools = this.#opts.tools;
    let shell: Program;
    if (tools?.makeShell) {
      shell = tools.makeShell((name) => this.#byName(name));
    } else if (tools) {
      const programs = tools.programs(set);
      shell = (Object.prototype.hasOwnProperty.call(programs, 'sh') ? programs['sh'] : undefined) ?? notEmulated(path, `no "sh" in the ${set} programs`);
    } else {
      shell = notEmulated(path, 'no program registry is installed');
    }
    this.#shells.set(set, shell);
    return shell;
  }

  /** A command name as the image's shell finds it (PATH order). */
  #byName(name: string): Program | undefined {
    const found = lookupExecutable(name, this.#env['PATH'] ?? '', this.#cwd, this.#find, this.#files);
    return found.ok ? this.#programOf(found.executable, found.path).program : undefined;
  }
}
