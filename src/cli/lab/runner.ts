/**
 * @module cli/lab/runner
 * Runs a lab's steps against a cluster with real programs and says, per step,
 * whether what the lab describes really happens.
 *
 * A step is a short async function over a `StepContext`: it runs commands
 * (`ctx.cmd`), each either a `change` (creates, applies, labels) or an
 * `observe` (gets, test pods, curl), and attaches checks to their results. The
 * same step runs in three modes:
 * - `run`: everything, printed: the lab's command (and the adapted one, with
 *   why), the real output, the checks;
 * - `setup`: only the changes (and the observations marked `setup`, such as
 *   waiting for pods), silently, to bring a fresh cluster to the state a later
 *   step starts from (`--step N`);
 * - `check`: only the observations, printed: the person ran the commands
 *   themselves (`--interactive`), and the lab's claims are checked.
 * `kwire lab` prints; the e2e tests run the same steps and assert on the
 * results, so the command and the tests stay one.
 */
import { commandLine, type RunResult } from './exec.js';

export type Program = 'kubectl' | 'curl' | 'kwire';

/** How a lab reaches its cluster. */
export interface LabTools {
  /** Runs a program the way the lab's reader would, in the folder holding the lab's manifests. */
  run(program: Program, args: ReadonlyArray<string>, opts?: { readonly input?: string; readonly timeoutMs?: number }): Promise<RunResult>;
  /** Whether `kwire` commands reach this cluster (false for a cluster started inside a test process). */
  readonly kwire: boolean;
  /** Host listeners the cluster could not bind, for hints when a curl from the host fails. */
  listenerProblems?(): string[];
}

export type Mode = 'run' | 'setup' | 'check';

export interface Check {
  readonly ok: boolean;
  readonly what: string;
}

export interface CmdSpec {
  readonly program: Program;
  readonly args: ReadonlyArray<string>;
  /** `change` alters the cluster; `observe` only looks. */
  readonly kind: 'change' | 'observe';
  /** The lab's own text when what runs differs from it. */
  readonly lab?: string;
  /** One line: why the command is adapted, skipped or added. */
  readonly why?: string;
  /** A command the lab does not have: kwire checks one of its claims with it. */
  readonly extra?: boolean;
  /** Print only the check lines (the output too when a check fails). */
  readonly compact?: boolean;
  /** Also run in setup mode (an observation a later step relies on, e.g. pods being ready). */
  readonly setup?: boolean;
  readonly input?: string;
  readonly timeoutMs?: number;
  /** Runs the command again (silently) until `until` holds, as a person re-runs `kubectl get`. */
  readonly retry?: { readonly until: (r: RunResult) => boolean; readonly ms?: number; readonly note?: string };
  /** The checks on the final result. */
  readonly expect?: (r: RunResult) => ReadonlyArray<Check>;
}

/** Ends a step at its first failing command (later commands build on it). */
export class StepAbort extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StepAbort';
  }
}

/** What the steps learn and share (node IPs, the ingress address, ...). */
export type LabState = Map<string, unknown>;

export interface Printer {
  (line: string): void;
}

const INDENT = '    ';

function indent(text: string, prefix = INDENT): string[] {
  const t = text.replace(/\s+$/, '');
  return t === '' ? [] : t.split('\n').map((l) => prefix + l);
}

export class StepContext {
  readonly checks: Check[] = [];

  constructor(
    readonly tools: LabTools,
    readonly mode: Mode,
    readonly state: LabState,
    private readonly print: Printer,
  ) {}

  private get shows(): boolean {
    return this.mode !== 'setup';
  }

  /** A line of commentary (not in setup mode). */
  note(text: string): void {
    if (this.shows) for (const l of text.split('\n')) this.print(`  ${l}`);
  }

  /** Records a check and prints it (in setup mode a failed check aborts silently). */
  check(ok: boolean, what: string, quiet = false): boolean {
    this.checks.push({ ok, what });
    if (this.shows && (!quiet || !ok)) this.print(`  ${ok ? '✓' : '✗'} ${what}`);
    return ok;
  }

  /** A lab command kwire does not run, and why. */
  notRun(lab: string, why: string): void {
    if (!this.shows) return;
    this.printLab(lab);
    this.print(`  not run: ${why}`);
  }

  private printLab(lab: string): void {
    const [first, ...rest] = lab.split('\n');
    this.print(`  lab: ${first ?? ''}`);
    for (const l of rest) this.print(`       ${l}`);
  }

  /**
   * Runs a command per its kind and the mode; returns its result, or undefined
   * when the mode skips it. Throws StepAbort when a check fails.
   */
  async cmd(spec: CmdSpec): Promise<RunResult | undefined> {
    const line = commandLine(spec.program, spec.args);
    if (this.mode === 'check' && spec.kind === 'change') {
      this.print(`  yours: $ ${line}`);
      return undefined;
    }
    if (this.mode === 'setup' && spec.kind === 'observe' && !spec.setup) return undefined;
    const loud = this.shows && !spec.compact;
    if (loud) {
      if (spec.lab !== undefined) {
        this.printLab(spec.lab);
        if (spec.why) this.print(`  adapted: ${spec.why}`);
      } else if (spec.why) this.print(`  ${spec.extra ? 'not in the lab: ' : ''}${spec.why}`);
      this.print(`  $ ${line}`);
    }
    const t0 = Date.now();
    let r = await this.tools.run(spec.program, spec.args, { input: spec.input, timeoutMs: spec.timeoutMs });
    let attempts = 1;
    if (spec.retry) {
      const limit = spec.retry.ms ?? 30_000;
      while (!spec.retry.until(r) && Date.now() - t0 < limit) {
        await new Promise((res) => setTimeout(res, 200));
        r = await this.tools.run(spec.program, spec.args, { input: spec.input, timeoutMs: spec.timeoutMs });
        attempts++;
      }
    }
    const checks = spec.expect ? spec.expect(r) : [{ ok: r.code === 0, what: `${spec.program} exits 0` }];
    const failed = checks.filter((c) => !c.ok);
    if (loud || (this.shows && failed.length > 0)) {
      if (!loud) this.print(`  $ ${line}`);
      for (const l of indent(r.output)) this.print(l);
      if (r.code !== 0) this.print(`    (exit status ${r.code} after ${(r.ms / 1000).toFixed(1)} s)`);
      if (attempts > 1 && spec.retry?.note) this.print(`  (ran it ${attempts} times over ${((Date.now() - t0) / 1000).toFixed(1)} s ${spec.retry.note})`);
    }
    for (const c of checks) {
      // Results of changes are shown by the command's own output; only failures need a line.
      this.check(c.ok, spec.compact ? `${c.what} (${line})` : c.what, spec.kind === 'change');
    }
    if (failed.length > 0) {
      if (this.shows) {
        const hints = this.tools.listenerProblems?.() ?? [];
        if (spec.program === 'curl' && hints.length > 0) for (const h of hints) this.print(`  hint: ${h}`);
      }
      const why = failed.map((c) => c.what).join('; ');
      throw new StepAbort(this.mode === 'setup' ? `${line}: ${why}\n${r.stdout}${r.stderr}` : why);
    }
    return r;
  }

  /** Runs a command silently for a value a step needs (an IP, pod names); aborts the step if it fails. */
  async quiet(program: Program, args: ReadonlyArray<string>, until?: (r: RunResult) => boolean, ms = 30_000): Promise<string> {
    const t0 = Date.now();
    let r = await this.tools.run(program, args);
    while (until && !until(r) && Date.now() - t0 < ms) {
      await new Promise((res) => setTimeout(res, 200));
      r = await this.tools.run(program, args);
    }
    if (r.code !== 0 || (until && !until(r))) throw new StepAbort(`${commandLine(program, args)} failed: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
  }

  /** A value computed once per lab run and shared between steps. */
  async remember<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (this.state.has(key)) return this.state.get(key) as T;
    const v = await compute();
    this.state.set(key, v);
    return v;
  }
}

export interface LabStep {
  readonly n: number;
  readonly title: string;
  /** What the lab says happens, in a line, shown with the verdict. */
  readonly outcome: string;
  run(ctx: StepContext): Promise<void>;
}

export interface Lab {
  readonly name: string;
  readonly title: string;
  readonly steps: ReadonlyArray<LabStep>;
}

export interface StepResult {
  readonly n: number;
  readonly title: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly checks: ReadonlyArray<Check>;
  /** The first failing check or error, when not ok. */
  readonly failure?: string;
}

/** Runs one step in a mode; never throws for a failing step (the result says so). */
export async function runStep(step: LabStep, tools: LabTools, mode: Mode, state: LabState, print: Printer): Promise<StepResult> {
  const ctx = new StepContext(tools, mode, state, print);
  const t0 = Date.now();
  try {
    await step.run(ctx);
  } catch (e) {
    const failure = e instanceof StepAbort ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    if (!(e instanceof StepAbort) && mode !== 'setup') print(`  ✗ ${failure}`);
    return { n: step.n, title: step.title, ok: false, ms: Date.now() - t0, checks: ctx.checks, failure };
  }
  const failed = ctx.checks.find((c) => !c.ok);
  return { n: step.n, title: step.title, ok: !failed, ms: Date.now() - t0, checks: ctx.checks, ...(failed ? { failure: failed.what } : {}) };
}
