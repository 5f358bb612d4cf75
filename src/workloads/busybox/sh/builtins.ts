/**
 * @module workloads/busybox/sh/builtins
 *
 * ash's builtins: : true false echo printf test [ cd pwd export unset
 * readonly set shift exit return break continue read eval exec . source
 * type command local let wait trap umask hash ulimit history.
 * Messages follow ash ("sh: cd: can't cd to x: No such file or directory").
 */
import { resolvePath } from '../../fs.js';
import { put } from '../../streams.js';
import { echoText, printfText } from '../echo.js';
import { ArithError, evalArith } from './arith.js';
import type { Shell, ShellIO } from './exec.js';
import { FuncReturn, LoopControl, ShellExit } from './control.js';
import { parseScript, ShellSyntaxError } from './parse.js';
import { evalTest, TestError } from './test-builtin.js';

export type Builtin = (sh: Shell, argv: ReadonlyArray<string>, io: ShellIO) => Promise<number>;

const quote = (v: string): string => `'${v.replace(/'/g, `'"'"'`)}'`;

function numberArg(sh: Shell, io: ShellIO, cmd: string, v: string | undefined, dflt: number): number | undefined {
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v)) {
    put(io.stderr, sh.errorMessage(`Illegal number: ${v}`, cmd));
    return undefined;
  }
  return Number(v);
}

const test: Builtin = async (sh, argv, io) => {
  let args = argv.slice(1);
  if (argv[0] === '[') {
    if (args[args.length - 1] !== ']') {
      put(io.stderr, `${sh.opts.arg0}: [: missing ]\n`);
      return 2;
    }
    args = args.slice(0, -1);
  }
  try {
    return evalTest(args, { files: sh.files, cwd: sh.cwd }) ? 0 : 1;
  } catch (e) {
    if (e instanceof TestError) {
      put(io.stderr, `${sh.opts.arg0}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
};

const cd: Builtin = async (sh, argv, io) => {
  let dest = argv[1];
  let print = false;
  if (dest === undefined) dest = sh.getVar('HOME') ?? '/';
  else if (dest === '-') {
    dest = sh.getVar('OLDPWD') ?? sh.cwd;
    print = true;
  }
  const path = resolvePath(sh.cwd, dest);
  const kind = sh.files.stat(path);
  if (kind !== 'dir') {
    put(io.stderr, sh.errorMessage(`can't cd to ${dest}: ${kind ? 'Not a directory' : 'No such file or directory'}`, 'cd'));
    return 2;
  }
  sh.setVar('OLDPWD', sh.cwd, true);
  sh.cwd = path;
  sh.setVar('PWD', path, true);
  if (print) put(io.stdout, `${path}\n`);
  return 0;
};

const exportB: Builtin = async (sh, argv, io) => {
  const names = argv.slice(1).filter((a) => a !== '-p');
  if (names.length === 0) {
    const lines = [...sh.vars].filter(([, v]) => v.exported).sort(([a], [b]) => (a < b ? -1 : 1));
    put(io.stdout, lines.map(([k, v]) => `export ${k}=${quote(v.value)}\n`).join(''));
    return 0;
  }
  for (const n of names) {
    const eq = n.indexOf('=');
    const name = eq >= 0 ? n.slice(0, eq) : n;
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      put(io.stderr, sh.errorMessage(`bad variable name: ${name}`, 'export'));
      return 1;
    }
    const cur = sh.vars.get(name);
    if (eq >= 0) sh.setVar(name, n.slice(eq + 1), true);
    else if (cur) cur.exported = true;
    else sh.vars.set(name, { value: '', exported: true, readonly: false });
  }
  return 0;
};

const unset: Builtin = async (sh, argv, io) => {
  let funcs = false;
  for (const a of argv.slice(1)) {
    if (a === '-f') funcs = true;
    else if (a === '-v') funcs = false;
    else if (funcs) sh.funcs.delete(a);
    else {
      if (sh.vars.get(a)?.readonly) {
        put(io.stderr, sh.errorMessage(`${a}: is read only`, 'unset'));
        return 1;
      }
      sh.vars.delete(a);
    }
  }
  return 0;
};

const readonlyB: Builtin = async (sh, argv, io) => {
  const names = argv.slice(1).filter((a) => a !== '-p');
  if (names.length === 0) {
    const lines = [...sh.vars].filter(([, v]) => v.readonly).sort(([a], [b]) => (a < b ? -1 : 1));
    put(io.stdout, lines.map(([k, v]) => `readonly ${k}=${quote(v.value)}\n`).join(''));
    return 0;
  }
  for (const n of names) {
    const eq = n.indexOf('=');
    const name = eq >= 0 ? n.slice(0, eq) : n;
    if (eq >= 0) sh.setVar(name, n.slice(eq + 1));
    const cur = sh.vars.get(name);
    if (cur) cur.readonly = true;
    else sh.vars.set(name, { value: '', exported: false, readonly: true });
  }
  return 0;
};

const set: Builtin = async (sh, argv, io) => {
  const args = argv.slice(1);
  if (args.length === 0) {
    const lines = [...sh.vars].sort(([a], [b]) => (a < b ? -1 : 1));
    put(io.stdout, lines.map(([k, v]) => `${k}=${quote(v.value)}\n`).join(''));
    return 0;
  }
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--') {
      i++;
      sh.positional = args.slice(i);
      return 0;
    }
    if (a === '-o' || a === '+o') {
      const opt = args[++i];
      if (opt === 'pipefail') sh.pipefail = a === '-o';
      else if (opt === 'errexit') sh.errexit = a === '-o';
      else if (opt === 'xtrace') sh.xtrace = a === '-o';
      continue;
    }
    if (/^[-+][a-zA-Z]+$/.test(a)) {
      const on = a.startsWith('-');
      for (const f of a.slice(1)) {
        if (f === 'e') sh.errexit = on;
        else if (f === 'x') sh.xtrace = on;
        else if (!'uvnfCmhb'.includes(f)) {
          put(io.stderr, sh.errorMessage(`illegal option ${a[0] ?? '-'}${f}`, 'set'));
          return 2;
        }
      }
      continue;
    }
    sh.positional = args.slice(i);
    return 0;
  }
  return 0;
};

const shift: Builtin = async (sh, argv, io) => {
  const n = numberArg(sh, io, 'shift', argv[1], 1);
  if (n === undefined) return 2;
  if (n > sh.positional.length) {
    put(io.stderr, sh.errorMessage("can't shift that many", 'shift'));
    return 2;
  }
  sh.positional = sh.positional.slice(n);
  return 0;
};

const exit: Builtin = async (sh, argv, io) => {
  const n = numberArg(sh, io, 'exit', argv[1], sh.status);
  throw new ShellExit(n === undefined ? 2 : n & 0xff);
};

const ret: Builtin = async (sh, argv, io) => {
  const n = numberArg(sh, io, 'return', argv[1], sh.status);
  throw new FuncReturn(n === undefined ? 2 : n & 0xff);
};

const loopCtl =
  (kind: 'break' | 'continue'): Builtin =>
  async (sh, argv, io) => {
    const n = numberArg(sh, io, kind, argv[1], 1);
    if (n === undefined || n < 1) return 1;
    if (sh.loopDepth === 0) return 0;
    throw new LoopControl(kind, Math.min(n, sh.loopDepth));
  };

const read: Builtin = async (sh, argv, io) => {
  let raw = false;
  let prompt = '';
  const names: string[] = [];
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '-r') raw = true;
    else if (a === '-p') prompt = args[++i] ?? '';
    else if (a === '-t' || a === '-n' || a === '-u') i++;
    else names.push(a);
  }
  if (prompt) put(io.stderr, prompt);
  const line = await readLine(io.stdin, sh.signal);
  if (line === undefined) {
    for (const n of names.length ? names : ['REPLY']) sh.setVar(n, '');
    return 1;
  }
  let text = line;
  if (!raw) text = text.replace(/\\(.)/g, '$1');
  const targets = names.length ? names : ['REPLY'];
  if (targets.length === 1 && !names.length) {
    sh.setVar('REPLY', text);
    return 0;
  }
  const ifs = sh.getVar('IFS') ?? ' \t\n';
  const fields = text.trim().length ? text.replace(/^[ \t\n]+/, '').split(new RegExp(`[${ifs.replace(/[\]\\^-]/g, '\\$&')}]+`)) : [];
  targets.forEach((n, i) => {
    if (i === targets.length - 1) {
      // the last name takes the rest of the line
      let rest = text.replace(/^[ \t]+/, '');
      for (let k = 0; k < i; k++) rest = rest.replace(/^[^ \t]*[ \t]*/, '');
      sh.setVar(n, rest.replace(/[ \t]+$/, ''));
    } else sh.setVar(n, fields[i] ?? '');
  });
  return 0;
};

/** Reads one line from a stream, leaving the rest unread; undefined at EOF. */
function readLine(stream: import('node:stream').Readable, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    let buf = '';
    const finish = (v: string | undefined): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      signal.removeEventListener('abort', onEnd);
      resolve(v);
    };
    const onReadable = (): void => {
      for (;;) {
        const chunk: unknown = stream.read(1);
        if (chunk === null) return;
        const c = Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
        if (c === '\n') {
          finish(buf);
          return;
        }
        buf += c;
      }
    };
    const onEnd = (): void => finish(buf.length ? buf : undefined);
    if (stream.readableEnded || signal.aborted) {
      finish(undefined);
      return;
    }
    stream.on('readable', onReadable);
    stream.once('end', onEnd);
    signal.addEventListener('abort', onEnd, { once: true });
    onReadable();
  });
}

const evalB: Builtin = async (sh, argv, io) => {
  const text = argv.slice(1).join(' ');
  if (!text.trim()) return 0;
  try {
    return await sh.runScript(parseScript(text), io);
  } catch (e) {
    if (e instanceof ShellSyntaxError) {
      put(io.stderr, sh.errorMessage(`syntax error: ${e.message}`, 'eval'));
      return 2;
    }
    throw e;
  }
};

const source: Builtin = async (sh, argv, io) => {
  const file = argv[1];
  if (!file) {
    put(io.stderr, sh.errorMessage('.: filename argument required'));
    return 2;
  }
  const path = resolvePath(sh.cwd, file);
  const data = sh.files.stat(path) === 'file' ? sh.files.read(path) : undefined;
  if (!data) {
    put(io.stderr, sh.errorMessage(`can't open '${file}': No such file or directory`, argv[0]));
    return 2;
  }
  try {
    return await sh.runScript(parseScript(data.toString('utf8')), io);
  } catch (e) {
    if (e instanceof FuncReturn) return e.status;
    if (e instanceof ShellSyntaxError) {
      put(io.stderr, sh.errorMessage(`syntax error: ${e.message}`, argv[0]));
      return 2;
    }
    throw e;
  }
};

const execB: Builtin = async (sh, argv, io) => {
  if (argv.length < 2) return 0;
  const status = await sh.invoke(argv.slice(1), new Map(), io);
  throw new ShellExit(status);
};

function describeCommand(sh: Shell, name: string): string | undefined {
  if (sh.funcs.has(name)) return `${name} is a function`;
  if (BUILTINS.has(name)) return `${name} is a shell builtin`;
  if (sh.findProgram(name)) return `${name} is ${name.includes('/') ? name : `/bin/${name}`}`;
  return undefined;
}

const type: Builtin = async (sh, argv, io) => {
  let status = 0;
  for (const n of argv.slice(1)) {
    const d = describeCommand(sh, n);
    if (d) put(io.stdout, `${d}\n`);
    else {
      put(io.stdout, `${n}: not found\n`);
      status = 1;
    }
  }
  return status;
};

const command: Builtin = async (sh, argv, io) => {
  const args = argv.slice(1);
  if (args[0] === '-v' || args[0] === '-V') {
    let status = 0;
    for (const n of args.slice(1)) {
      if (args[0] === '-V') {
        const d = describeCommand(sh, n);
        if (d) put(io.stdout, `${d}\n`);
        else status = 1;
      } else if (sh.funcs.has(n) || BUILTINS.has(n)) put(io.stdout, `${n}\n`);
      else if (sh.findProgram(n)) put(io.stdout, `${n.includes('/') ? n : `/bin/${n}`}\n`);
      else status = 1;
    }
    return status;
  }
  if (args.length === 0) return 0;
  return sh.invoke(args, new Map(), io);
};

const local: Builtin = async (sh, argv, io) => {
  const frame = sh.localFrames[sh.localFrames.length - 1];
  if (!frame) {
    put(io.stderr, sh.errorMessage('not in a function', 'local'));
    return 2;
  }
  for (const a of argv.slice(1)) {
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(0, eq) : a;
    if (!frame.has(name)) {
      const cur = sh.vars.get(name);
      frame.set(name, cur ? { ...cur } : undefined);
    }
    if (eq >= 0) sh.setVar(name, a.slice(eq + 1));
    else if (!sh.vars.has(name)) sh.setVar(name, '');
  }
  return 0;
};

const letB: Builtin = async (sh, argv, io) => {
  let v = 0;
  try {
    for (const e of argv.slice(1)) v = evalArith(e, { get: (n) => sh.getVar(n), set: (n, val) => sh.setVar(n, val) });
  } catch (e) {
    if (e instanceof ArithError) {
      put(io.stderr, sh.errorMessage(e.message, 'let'));
      return 2;
    }
    throw e;
  }
  return v === 0 ? 1 : 0;
};

const wait: Builtin = async (sh) => {
  const jobs = sh.bgJobs;
  sh.bgJobs = [];
  const results = await Promise.all(jobs);
  return results[results.length - 1] ?? 0;
};

const trap: Builtin = async (sh, argv, io) => {
  const args = argv.slice(1);
  if (args.length === 0) {
    put(io.stdout, [...sh.traps].map(([sig, cmd]) => `trap -- ${quote(cmd)} ${sig}\n`).join(''));
    return 0;
  }
  const [action, ...sigs] = args;
  for (const s of sigs) {
    const sig = s.replace(/^SIG/, '') === '0' ? 'EXIT' : s.replace(/^SIG/, '');
    if (action === '-' || action === undefined) sh.traps.delete(sig);
    else sh.traps.set(sig, action);
  }
  return 0;
};

const history: Builtin = async (sh, _argv, io) => {
  put(io.stdout, sh.history.map((h, i) => `${String(i + 1).padStart(4, ' ')} ${h}\n`).join(''));
  return 0;
};

export const BUILTINS = new Map<string, Builtin>([
  [':', async () => 0],
  ['true', async () => 0],
  ['false', async () => 1],
  ['echo', async (_sh, argv, io) => {
    put(io.stdout, echoText(argv.slice(1)));
    return 0;
  }],
  ['printf', async (sh, argv, io) => {
    if (argv.length < 2) {
      put(io.stderr, `${sh.opts.arg0}: printf: usage: printf FORMAT [ARGUMENT...]\n`);
      return 2;
    }
    const r = printfText(argv[1] ?? '', argv.slice(2));
    put(io.stdout, r.text);
    for (const e of r.errors) put(io.stderr, `${sh.opts.arg0}: printf: ${e}\n`);
    return r.errors.length ? 1 : 0;
  }],
  ['test', test],
  ['[', test],
  ['cd', cd],
  ['pwd', async (sh, _argv, io) => {
    put(io.stdout, `${sh.cwd}\n`);
    return 0;
  }],
  ['export', exportB],
  ['unset', unset],
  ['readonly', readonlyB],
  ['set', set],
  ['shift', shift],
  ['exit', exit],
  ['return', ret],
  ['break', loopCtl('break')],
  ['continue', loopCtl('continue')],
  ['read', read],
  ['eval', evalB],
  ['.', source],
  ['source', source],
  ['exec', execB],
  ['type', type],
  ['command', command],
  ['local', local],
  ['let', letB],
  ['wait', wait],
  ['trap', trap],
  ['history', history],
  ['umask', async (_sh, _argv, io) => {
    put(io.stdout, '0022\n');
    return 0;
  }],
  ['hash', async () => 0],
  ['ulimit', async (_sh, _argv, io) => {
    put(io.stdout, 'unlimited\n');
    return 0;
  }],
]);

/** Whether a builtin exists (for `command -v` and friends). */
export function isBuiltin(name: string): boolean {
  return BUILTINS.has(name);
}
