/**
 * @module cli/lab/command
 * `kwire lab networking [--step N] [--keep] [--interactive] [--name NAME]`: runs
 * the networking lab, every step, against a fresh cluster made for the run, with
 * the real kubectl and curl, printing each step's commands (the lab's, and the
 * adapted ones with why), their real output, and whether the outcome is what the
 * lab describes; then a summary. Exit 0 only when every step holds; 1 when a
 * step does not (or the cluster cannot start); 2 for a usage error.
 */
import { createInterface, type Interface } from 'node:readline';
import { kwireHome } from '../../cluster/config.js';
import { parse, UsageError } from '../args.js';
import { createLabCluster, LabClusterError, labClusterTools, randomLabName, type LabCluster } from './cluster.js';
import { exec } from './exec.js';
import { labManifestsDir, NETWORKING_LAB } from './networking.js';
import { runStep, type Lab, type LabState, type Mode, type StepResult } from './runner.js';

export const LABS: ReadonlyArray<Lab> = [NETWORKING_LAB];

export const LAB_USAGE = `Usage: kwire lab networking [--step N] [--keep] [--interactive] [--name NAME]

Runs the networking lab ("${NETWORKING_LAB.title}")
step by step against a fresh cluster made for the run (kwire up -d --name lab-xxxx,
with its own kubeconfig; deleted at the end), with the real kubectl and curl. Each step prints the lab's
commands, the adapted ones where the lab's cannot run unattended (and why), their
real output, and whether the outcome is what the lab describes.

  --step N        run step N only (1-${NETWORKING_LAB.steps.length}); the steps before it are set up silently
  --keep          keep the cluster afterwards (it prints how to reach it)
  --interactive   pause before each step: press Enter to run it, or run the commands
                  yourself in another terminal and type c + Enter to have them checked
  --name NAME     the cluster's name (default lab-<random>); it must not exist yet

Exit status: 0 when every step holds, 1 when one does not, 2 for a usage error.
`;

export interface LabIO {
  readonly out: (line: string) => void;
  readonly err: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** Asks a question and reads one line (undefined at the end of input). */
  readonly ask: (question: string) => Promise<string | undefined>;
  readonly close: () => void;
}

export function processLabIO(): LabIO {
  let rl: Interface | undefined;
  let lines: AsyncIterator<string> | undefined;
  return {
    out: (line) => {
      if (!process.stdout.destroyed) process.stdout.write(line + '\n');
    },
    err: (text) => void process.stderr.write(text),
    env: process.env,
    async ask(question) {
      process.stdout.write(question);
      if (!rl) {
        rl = createInterface({ input: process.stdin, terminal: false });
        lines = rl[Symbol.asyncIterator]();
      }
      const next = await lines!.next();
      // A terminal echoes the Enter; piped answers need the line break written.
      if (!process.stdin.isTTY) process.stdout.write('\n');
      return next.done ? undefined : next.value;
    },
    close: () => rl?.close(),
  };
}

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function stepNumber(text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) throw new UsageError(`--step must be a step number from 1 to ${max}, not "${text}"`);
  return Number(text);
}

export async function labCommand(argv: string[], io: LabIO = processLabIO()): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(LAB_USAGE);
    return 0;
  }
  try {
    return await labMain(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`kwire lab: ${e.message}\n\n${LAB_USAGE}`);
      return 2;
    }
    throw e;
  } finally {
    io.close();
  }
}

async function labMain(argv: string[], io: LabIO): Promise<number> {
  const { values, positionals } = parse(argv, {
    step: { type: 'string' },
    keep: { type: 'boolean' },
    interactive: { type: 'boolean', short: 'i' },
    name: { type: 'string' },
  });
  const [which, ...extra] = positionals;
  if (which === undefined) throw new UsageError(`which lab? one of: ${LABS.map((l) => l.name).join(', ')}`);
  const lab = LABS.find((l) => l.name === which);
  if (!lab) throw new UsageError(`no lab named "${which}"; the labs: ${LABS.map((l) => l.name).join(', ')}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0] ?? ''}"`);
  const only = stepNumber(values['step'] as string | undefined, lab.steps.length);
  const keep = values['keep'] === true;
  const interactive = values['interactive'] === true;
  const name = (values['name'] as string | undefined) ?? randomLabName();
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 40) throw new UsageError(`invalid cluster name "${name}": use lower case letters, digits and '-'`);

  const kubectl = await exec('kubectl', ['version', '--client'], { env: io.env, timeoutMs: 20_000 });
  if (kubectl.code === 127) {
    io.err('kwire lab: the lab runs the real kubectl, and there is none on PATH; install it (https://kubernetes.io/docs/tasks/tools/)\n');
    return 1;
  }
  const curl = await exec('curl', ['--version'], { env: io.env, timeoutMs: 20_000 });
  if (curl.code === 127) {
    io.err('kwire lab: the lab runs curl, and there is none on PATH; install it (apt-get install curl)\n');
    return 1;
  }
  const kubectlVersion = /Client Version:\s*(\S+)/.exec(kubectl.stdout)?.[1] ?? 'unknown version';
  const manifests = labManifestsDir();
  const t0 = Date.now();
  const steps = only === undefined ? lab.steps : lab.steps.filter((s) => s.n === only);
  io.out(`kwire lab ${lab.name}: "${lab.title}", ${only === undefined ? `${lab.steps.length} steps` : `step ${only} of ${lab.steps.length}`}${interactive ? ', interactive' : ', unattended'}`);

  let cluster: LabCluster;
  try {
    cluster = await createLabCluster(name, { keep, env: io.env });
  } catch (e) {
    if (e instanceof LabClusterError) {
      io.err(`kwire lab: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const upMs = Date.now() - t0;
  let deleted = false;
  const cleanup = async (): Promise<string> => {
    if (keep || deleted) return '';
    deleted = true;
    const r = await cluster.delete();
    return r.code === 0 ? `cluster ${cluster.name} deleted` : `deleting cluster ${cluster.name} failed: ${r.stderr.trim()}`;
  };
  let aborting = false;
  const abort = (code: number, why: string): void => {
    if (aborting) return;
    aborting = true;
    void cleanup().then((m) => {
      io.err(`\nkwire lab: ${why}${m ? `; ${m}` : ''}\n`);
      process.exit(code);
    });
  };
  const onSignal = (): void => abort(130, 'interrupted');
  // Output into a closed pipe (`kwire lab networking | head`): stop, but never leave the cluster behind.
  const onPipe = (e: NodeJS.ErrnoException): void => abort(141, `output closed (${e.code ?? e.message})`);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stdout.on('error', onPipe);

  try {
    io.out(`  cluster    ${cluster.name}: fresh, in ${kwireHome(io.env)}/${cluster.name}, up in ${secs(upMs)} (\`kwire up -d --name ${cluster.name}\`); ${keep ? 'kept afterwards (--keep)' : 'deleted at the end (--keep keeps it)'}`);
    io.out(`  kubectl    ${kubectlVersion} from PATH, with KUBECONFIG=${cluster.kubeconfig} (the cluster's own file; yours is untouched)`);
    io.out(`  kwire      commands act on the lab's cluster through KWIRE_CLUSTER=${cluster.name}`);
    io.out(`  manifests  ${manifests} (the lab's files, unchanged; commands run in this folder)`);
    if (interactive) {
      io.out(`  to type the commands yourself, in another terminal:`);
      io.out(`    cd ${manifests} && export KUBECONFIG=${cluster.kubeconfig} KWIRE_CLUSTER=${cluster.name}`);
    }

    const tools = labClusterTools(cluster, manifests);
    const state: LabState = new Map();
    const print = (line: string) => io.out(line);
    const results: StepResult[] = [];

    if (only !== undefined && only > 1) {
      const t1 = Date.now();
      io.out('');
      io.out(`setting up steps 1-${only - 1} silently (their changes only: namespace, deployments, services, ingresses, policies)`);
      for (const s of lab.steps.filter((x) => x.n < only)) {
        const r = await runStep(s, tools, 'setup', state, print);
        if (!r.ok) {
          io.out(`  ✗ setting up step ${s.n} (${s.title}) failed: ${r.failure ?? ''}`);
          results.push({ ...r, title: `${r.title} (set-up)` });
          break;
        }
      }
      if (results.length === 0) io.out(`  done in ${secs(Date.now() - t1)}`);
    }

    let stopped = false;
    if (results.length === 0) {
      for (const s of steps) {
        let mode: Mode = 'run';
        if (interactive) {
          const a = await io.ask(
            `\nstep ${s.n}/${lab.steps.length}, ${s.title}: press Enter to run it, or type the commands yourself in another terminal and type c + Enter to check (q + Enter quits) `,
          );
          const answer = (a ?? '').trim().toLowerCase();
          if (answer === 'q' || answer === 'quit') {
            stopped = true;
            break;
          }
          if (answer === 'c' || answer === 'check') mode = 'check';
        }
        io.out('');
        const head = `── step ${s.n}/${lab.steps.length}: ${s.title}${mode === 'check' ? ' (checking what you ran)' : ''} `;
        io.out(head + '─'.repeat(Math.max(3, 78 - head.length)));
        const r = await runStep(s, tools, mode, state, print);
        results.push(r);
        io.out(
          r.ok
            ? `[${s.n}/${lab.steps.length}] ✓ holds: ${s.outcome} (${secs(r.ms)})`
            : `[${s.n}/${lab.steps.length}] ✗ does NOT hold: ${s.outcome}\n        failed: ${r.failure ?? ''} (${secs(r.ms)})`,
        );
        if (!r.ok) break;
      }
    }

    // The summary.
    io.out('');
    io.out('summary');
    const ran = new Map(results.map((r) => [r.n, r]));
    for (const s of lab.steps) {
      if (only !== undefined && s.n > only) continue;
      const r = ran.get(s.n);
      const mark = r ? (r.ok ? '✓' : '✗') : only !== undefined && s.n < only ? '·' : '-';
      const note = r ? (r.ok ? secs(r.ms) : `does not hold: ${r.failure ?? ''}`) : only !== undefined && s.n < only ? 'set up silently' : stopped ? 'not run (quit)' : 'not run';
      io.out(`  ${mark} ${String(s.n).padStart(2)}  ${s.title.padEnd(36)} ${note}`);
    }
    const held = results.filter((r) => r.ok).length;
    const all = results.length === steps.length && held === steps.length;
    const end = await cleanup();
    const total = secs(Date.now() - t0);
    io.out(
      `kwire lab ${lab.name}: ${held}/${steps.length} step${steps.length === 1 ? '' : 's'} hold${held === 1 && steps.length === 1 ? 's' : ''} (${total}${end ? `; ${end}` : ''})`,
    );
    if (keep) {
      io.out(`the cluster is kept: export KUBECONFIG=${cluster.kubeconfig} (or kubectl --kubeconfig ${cluster.kubeconfig} ...)`);
      io.out(`  kwire status --name ${cluster.name}; remove it with \`kwire delete --name ${cluster.name}\``);
    }
    return all ? 0 : 1;
  } finally {
    await cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    // The 'error' listener stays: a closed pipe may still report on writes queued before.
  }
}
