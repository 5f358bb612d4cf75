/**
 * @module cli/lab/tools
 * `LabTools` over real programs: kubectl (the one on PATH, or a given binary,
 * e.g. a versioned one in the tests), curl, and optionally this installation's
 * kwire, all run in the folder of the lab's manifests with a given environment
 * (KUBECONFIG, KWIRE_CLUSTER, ...).
 */
import { exec } from './exec.js';
import type { LabTools, Program } from './runner.js';

export interface CommandToolsOptions {
  /** The folder the commands run in (the lab's manifests). */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** The kubectl binary (default "kubectl" from PATH). */
  readonly kubectl?: string;
  /** Arguments put before kubectl's own (e.g. --cache-dir=...); they are not shown. */
  readonly kubectlArgs?: ReadonlyArray<string>;
  /** bin/kwire.js, when kwire commands reach the cluster (a cluster made with `kwire up`). */
  readonly kwireBin?: string;
  readonly listenerProblems?: () => string[];
}

export function commandTools(o: CommandToolsOptions): LabTools {
  return {
    kwire: o.kwireBin !== undefined,
    run(program: Program, args, opts = {}) {
      const x = { cwd: o.cwd, env: o.env, input: opts.input, timeoutMs: opts.timeoutMs ?? (program === 'curl' ? 20_000 : 60_000) };
      if (program === 'kwire') {
        if (o.kwireBin === undefined) throw new Error('kwire commands do not reach this cluster');
        return exec(process.execPath, [o.kwireBin, ...args], x);
      }
      if (program === 'kubectl') return exec(o.kubectl ?? 'kubectl', [...(o.kubectlArgs ?? []), ...args], x);
      return exec(program, args, x);
    },
    ...(o.listenerProblems ? { listenerProblems: o.listenerProblems } : {}),
  };
}
