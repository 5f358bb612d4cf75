/**
 * @module workloads/images/entrypoint
 *
 * What a container runs, as the kubelet and the runtime decide it:
 *
 * | pod `command` | pod `args` | runs                      |
 * | ------------- | ---------- | ------------------------- |
 * | -             | -          | ENTRYPOINT + CMD          |
 * | -             | yes        | ENTRYPOINT + args         |
 * | yes           | -          | command                   |
 * | yes           | yes        | command + args            |
 *
 * plus `$(VAR)` expansion of command and args against the container's
 * environment (`$$` escapes, an undefined `$(VAR)` stays as written), and the
 * executable lookup of argv[0] (a path, or a search of PATH) with the runtime's
 * error wording. Pure.
 */
import { resolvePath } from '../fs.js';
import type { FileMap } from '../process.js';
import type { Executable } from './types.js';

/** Kubernetes' `expansion.Expand` with a map: `$(VAR)` -> value, `$$` -> `$`, unknown left as is. */
export function expandKubeVars(input: string, env: Readonly<Record<string, string>>): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let read: string;
    let advance: number;
    if (rest[0] === '$') {
      read = '$';
      advance = 1;
    } else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close >= 1) {
        const name = rest.slice(1, close);
        read = Object.prototype.hasOwnProperty.call(env, name) ? (env[name] ?? '') : `$(${name})`;
        advance = close + 1;
      } else {
        read = '$(';
        advance = 1;
      }
    } else {
      read = `$${rest[0] ?? ''}`;
      advance = 1;
    }
    out += read;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** The argv a container starts with. */
export function containerArgv(
  image: { readonly entrypoint: ReadonlyArray<string>; readonly cmd: ReadonlyArray<string> },
  command: ReadonlyArray<string> | undefined,
  args: ReadonlyArray<string> | undefined,
  env: Readonly<Record<string, string>>,
): string[] {
  const cmd = command?.map((s) => expandKubeVars(s, env));
  const arg = args?.map((s) => expandKubeVars(s, env));
  if (cmd !== undefined && cmd.length > 0) return [...cmd, ...(arg ?? [])];
  if (arg !== undefined && arg.length > 0) return [...image.entrypoint, ...arg];
  return [...image.entrypoint, ...image.cmd];
}

export type ExecutableLookup =
  | { readonly ok: true; readonly path: string; readonly executable: Executable }
  /** `error` is runc's text: `exec: "foo": executable file not found in $PATH`. */
  | { readonly ok: false; readonly error: string };

/** Finds argv[0] as runc's exec.LookPath would: a path as given (relative to cwd), else each PATH directory. */
export function lookupExecutable(
  command: string,
  pathVar: string,
  cwd: string,
  find: (path: string) => Executable | undefined,
  files: FileMap,
): ExecutableLookup {
  const q = JSON.stringify(command);
  if (command === '') return { ok: false, error: `exec: "": executable file not found in $PATH` };
  if (command.includes('/')) {
    const path = resolvePath(cwd, command);
    const exe = find(path);
    if (exe) return { ok: true, path, executable: exe };
    const kind = files.stat(path);
    if (kind === 'dir') return { ok: false, error: `exec: ${q}: is a directory` };
    if (kind === 'file') return { ok: false, error: `exec: ${q}: permission denied` };
    return { ok: false, error: `exec: ${q}: stat ${command}: no such file or directory` };
  }
  for (const dir of pathVar.split(':')) {
    const path = resolvePath(cwd, `${dir === '' ? '.' : dir}/${command}`);
    const exe = find(path);
    if (exe) return { ok: true, path, executable: exe };
  }
  return { ok: false, error: `exec: ${q}: executable file not found in $PATH` };
}

/** The kubelet's text for a failed `kubectl exec` (the API server adds "Internal error occurred: "). */
export function execFailedMessage(execId: string, error: string): string {
  return (
    'error executing command in container: failed to exec in container: ' +
    `failed to start exec ${JSON.stringify(execId)}: OCI runtime exec failed: exec failed: ` +
    `unable to start container process: ${error}: unknown`
  );
}

/** containerd's text when the container's own command cannot start (reason StartError, exit code 128). */
export function startFailedMessage(error: string): string {
  return (
    'failed to create containerd task: failed to create shim task: OCI runtime create failed: ' +
    `runc create failed: unable to start container process: ${error}: unknown`
  );
}
