/**
 * @module cli/lab/runner.test
 * The lab runner with scripted programs: what each mode runs and prints (run:
 * everything; setup: changes and `setup` observations, silently; check:
 * observations only), adapted commands shown with the lab's text and why,
 * retries until a claim holds, and a failing check ending its step with the
 * reason. Also how the networking lab's steps read (numbers, titles).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunResult } from './exec.js';
import { commandLine, shellQuote } from './exec.js';
import { NETWORKING_LAB, helloPods } from './networking.js';
import { runStep, type LabStep, type LabTools, type Program } from './runner.js';

function scripted(answers: (program: Program, args: ReadonlyArray<string>, n: number) => Partial<RunResult>): { tools: LabTools; calls: string[] } {
  const calls: string[] = [];
  let n = 0;
  return {
    calls,
    tools: {
      kwire: false,
      async run(program, args) {
        calls.push(commandLine(program, args));
        const a = answers(program, args, n++);
        const stdout = a.stdout ?? '';
        const stderr = a.stderr ?? '';
        return { code: a.code ?? 0, stdout, stderr, output: stdout + stderr, ms: a.ms ?? 5 };
      },
    },
  };
}

const STEP: LabStep = {
  n: 1,
  title: 'A step',
  outcome: 'it works',
  async run(ctx) {
    await ctx.cmd({ kind: 'change', program: 'kubectl', args: ['create', 'namespace', 'x'], expect: (r) => [{ ok: r.stdout.trim() === 'namespace/x created', what: 'created' }] });
    await ctx.cmd({
      kind: 'observe',
      program: 'kubectl',
      args: ['run', 't', '-i', '--', 'sh', '-c', 'wget -qO- http://x'],
      lab: 'kubectl run t -it -- sh\nwget -qO- http://x',
      why: 'no terminal',
      retry: { until: (r) => r.stdout.includes('ready'), ms: 5_000, note: 'until ready' },
      expect: (r) => [{ ok: r.stdout.includes('ready'), what: 'it is ready' }],
    });
    await ctx.cmd({ kind: 'observe', setup: true, compact: true, extra: true, program: 'curl', args: ['-s', 'http://127.0.10.2:30080'], expect: (r) => [{ ok: r.code === 0, what: 'curl answers' }] });
  },
};

test('run mode: every command, printed, with the lab text, why, output and checks', async () => {
  let k = 0;
  const { tools, calls } = scripted((p) => (p === 'kubectl' ? (k++ === 0 ? { stdout: 'namespace/x created\n' } : { stdout: k > 2 ? 'ready\n' : 'not yet\n' }) : { stdout: 'hello' }));
  const lines: string[] = [];
  const r = await runStep(STEP, tools, 'run', new Map(), (l) => lines.push(l));
  assert.equal(r.ok, true, lines.join('\n'));
  assert.deepEqual(calls, [
    'kubectl create namespace x',
    "kubectl run t -i -- sh -c 'wget -qO- http://x'",
    "kubectl run t -i -- sh -c 'wget -qO- http://x'",
    'curl -s http://127.0.10.2:30080',
  ]);
  assert.deepEqual(lines, [
    '  $ kubectl create namespace x',
    '    namespace/x created',
    '  lab: kubectl run t -it -- sh',
    '       wget -qO- http://x',
    '  adapted: no terminal',
    "  $ kubectl run t -i -- sh -c 'wget -qO- http://x'",
    '    ready',
    lines.find((l) => l.startsWith('  (ran it 2 times over'))!,
    '  ✓ it is ready',
    '  ✓ curl answers (curl -s http://127.0.10.2:30080)',
  ]);
  assert.match(lines[7]!, /^ {2}\(ran it 2 times over \d+\.\d s until ready\)$/);
});

test('setup mode: the changes and the setup observations, silently', async () => {
  const { tools, calls } = scripted((p) => (p === 'kubectl' ? { stdout: 'namespace/x created\n' } : {}));
  const lines: string[] = [];
  const r = await runStep(STEP, tools, 'setup', new Map(), (l) => lines.push(l));
  assert.equal(r.ok, true);
  assert.deepEqual(calls, ['kubectl create namespace x', 'curl -s http://127.0.10.2:30080']);
  assert.deepEqual(lines, []);
});

test('check mode: the observations only; the changes are named as the reader’s', async () => {
  const { tools, calls } = scripted(() => ({ stdout: 'ready\n' }));
  const lines: string[] = [];
  const r = await runStep(STEP, tools, 'check', new Map(), (l) => lines.push(l));
  assert.equal(r.ok, true);
  assert.deepEqual(calls, ["kubectl run t -i -- sh -c 'wget -qO- http://x'", 'curl -s http://127.0.10.2:30080']);
  assert.equal(lines[0], '  yours: $ kubectl create namespace x');
});

test('a failing check ends the step with its reason, the output shown', async () => {
  const { tools, calls } = scripted(() => ({ code: 1, stderr: 'Error from server (AlreadyExists): namespaces "x" already exists\n' }));
  const lines: string[] = [];
  const r = await runStep(STEP, tools, 'run', new Map(), (l) => lines.push(l));
  assert.equal(r.ok, false);
  assert.equal(r.failure, 'created');
  assert.deepEqual(calls, ['kubectl create namespace x']);
  assert.deepEqual(lines, [
    '  $ kubectl create namespace x',
    '    Error from server (AlreadyExists): namespaces "x" already exists',
    '    (exit status 1 after 0.0 s)',
    '  ✗ created',
  ]);
  // In setup mode the failure carries the command and its output, for the person to see.
  const s = await runStep(STEP, tools, 'setup', new Map(), () => undefined);
  assert.equal(s.ok, false);
  assert.match(s.failure!, /^kubectl create namespace x: created\nError from server \(AlreadyExists\)/);
});

test('an exception in a step is a failed step, not a crash', async () => {
  const { tools } = scripted(() => ({}));
  const boom: LabStep = { n: 2, title: 'x', outcome: 'y', run: () => Promise.reject(new Error('boom')) };
  const lines: string[] = [];
  const r = await runStep(boom, tools, 'run', new Map(), (l) => lines.push(l));
  assert.equal(r.ok, false);
  assert.equal(r.failure, 'Error: boom');
  assert.deepEqual(lines, ['  ✗ Error: boom']);
});

test('the networking lab: eleven steps, numbered, titled as the lab titles them', () => {
  assert.deepEqual(
    NETWORKING_LAB.steps.map((s) => `${s.n} ${s.title}`),
    [
      '1 Set Up the Lab Environment',
      '2 Create a ClusterIP Service',
      '3 Service Discovery with DNS',
      '4 Create a NodePort Service',
      '5 Create a LoadBalancer Service',
      '6 Deploy a Frontend Application',
      '7 Configure Ingress',
      '8 Path-Based Routing',
      '9 Implement Network Policies',
      '10 Create Selective Network Policies',
      '11 Clean Up',
    ],
  );
  assert.deepEqual(helloPods('Hello from Backend Pod: backend-1\nx\nHello from Backend Pod: backend-2\n'), ['backend-1', 'backend-2']);
});

test('command lines are shown as a shell needs them', () => {
  assert.equal(shellQuote('--image=busybox'), '--image=busybox');
  assert.equal(shellQuote('wget -qO- http://x; exit'), "'wget -qO- http://x; exit'");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote('%{http_code}'), "'%{http_code}'");
  assert.equal(shellQuote(''), "''");
  assert.equal(commandLine('curl', ['-s', '--resolve', 'a.local:80:127.0.0.1', 'http://a.local']), 'curl -s --resolve a.local:80:127.0.0.1 http://a.local');
});
