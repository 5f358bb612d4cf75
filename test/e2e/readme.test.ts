/**
 * @module test/e2e/readme.test
 * End-to-end: every command in README.md, run as a reader runs it, its output
 * compared with what the README shows.
 *
 * The README marks each console block with a comment on the line before it:
 * - `<!-- readme-test: run -->`: each `$ ` line runs in a terminal (`script`),
 *   in one session for the whole README (the working folder, `kwire` on PATH, a
 *   HOME of its own), and its output must match the lines shown under it;
 * - `<!-- readme-test: covered-by FILE -->`: an interactive session (typed input),
 *   which FILE runs on a pseudo-terminal; the test checks FILE runs that command.
 * The first block (`npm install && npm start`, `npm test`) must stay the README's
 * first lines; `npm install` is not run (the tree is already built) and `npm test`
 * is this suite.
 *
 * Matching: both sides are normalized (times, ages, pod name hashes, ClusterIPs
 * and pod IPs, random ports, pids, the lab cluster's name and subnet, HOME and the
 * checkout's folder), whitespace runs collapse, blank lines drop, and the shown
 * lines must all be in the real output; a `...` line allows more real lines.
 *
 * The README shows a machine where nothing else listens on 127.0.0.1:80 or on
 * 127.0.10.x, so the commands run in a private network namespace (`unshare -n`,
 * entered with `nsenter`): its own loopback, the addresses and ports of a pristine
 * machine. That needs root; elsewhere the test fails and says what is missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec, type RunResult } from '../../src/cli/lab/exec.js';

const ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const README = join(ROOT, 'README.md');
const BIN = join(ROOT, 'bin', 'kwire.js');

export interface Block {
  readonly marker: string | undefined;
  readonly lang: string;
  readonly lines: string[];
  readonly line: number;
}

/** The fenced blocks of a markdown text, each with the `readme-test` marker on the line before it. */
export function blocks(md: string): Block[] {
  const out: Block[] = [];
  const lines = md.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!m) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    const prev = lines[start - 1] ?? '';
    const marker = /^<!-- readme-test: (.*) -->$/.exec(prev)?.[1];
    out.push({ marker, lang: m[1] ?? '', lines: body, line: start + 1 });
  }
  return out;
}

export interface Command {
  readonly text: string;
  readonly expected: string[];
}

/** `$ ` lines and the lines shown under each. */
export function commands(b: Block): Command[] {
  const out: Array<{ text: string; expected: string[] }> = [];
  for (const l of b.lines) {
    if (l.startsWith('$ ')) out.push({ text: l.slice(2), expected: [] });
    else out[out.length - 1]?.expected.push(l);
  }
  return out;
}

export interface Normalizer {
  readonly home: string;
  readonly root: string;
  readonly paths: ReadonlyArray<readonly [string, string]>;
}

/** One output line as the comparison sees it (see the module comment). */
export function normalizeLine(l: string, n?: Normalizer): string {
  let s = l.replace(/[\r\0]/g, '');
  if (n) {
    for (const [from, to] of n.paths) s = s.split(from).join(to);
    s = s.split(n.root).join('/home/you/kwire').split(n.home).join('/home/you');
  }
  return s
    .replace(/token=[0-9a-f]+/g, 'token=<token>')
    .replace(/\blab-[a-z0-9]{4}\b/g, 'lab-xxxx')
    .replace(/-[a-z0-9]{8,10}-[a-z0-9]{5}\b/g, '-<hash>')
    .replace(/\b10\.\d+\.\d+\.\d+\b/g, '10.x.x.x')
    .replace(/\b127\.0\.(?!0\.|10\.)\d+\.(\d+)\b/g, '127.0.N.$1')
    .replace(/(emulated node\)\s+)\S+/g, '$1<kernel>')
    .replace(/\bkubectl(\s+)v\d\S*/g, 'kubectl$1<version>')
    .replace(/\b\d+(\.\d+)? ?(ms|s|milliseconds)\b/g, '<t>')
    .replace(/\(pid \d+\)/g, '(pid <n>)')
    .replace(/\b(?!30080\b|8080\b)\d{4,5}\b/g, '<n>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Which shown lines are missing from the real output ('...' allows extra real lines). */
export function mismatch(expected: ReadonlyArray<string>, actual: ReadonlyArray<string>, n?: Normalizer): { missing: string[]; extra: string[] } {
  const elided = expected.some((l) => l.trim() === '...');
  const want = expected.filter((l) => l.trim() !== '...').map((l) => normalizeLine(l)).filter((l) => l !== '');
  const have = actual.map((l) => normalizeLine(l, n)).filter((l) => l !== '');
  const pool = [...have];
  const missing: string[] = [];
  for (const w of want) {
    const i = pool.indexOf(w);
    if (i >= 0) pool.splice(i, 1);
    else missing.push(w);
  }
  return { missing, extra: elided ? [] : pool };
}

function canUseNetns(): string | undefined {
  if (process.getuid?.() !== 0) return 'it needs root for a private network namespace (unshare -n)';
  for (const tool of ['unshare', 'nsenter', 'ip', 'script']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  return undefined;
}

test('README: its first lines, and every command block marked', () => {
  const md = readFileSync(README, 'utf8');
  assert.ok(
    md.startsWith(
      '# kwire\n\n```sh\nnpm install && npm start      # install kwire, then `kwire up`: a cluster in one process, kubectl ready\nnpm test                      # the test suite (unit + end-to-end with the real kubectl)\n```\n',
    ),
    'the README starts with its two command lines, unchanged',
  );
  const all = blocks(md);
  for (const b of all.slice(1)) {
    if (b.lang !== 'console' && b.lang !== 'sh' && b.lang !== 'bash') continue;
    assert.ok(b.marker, `README.md:${b.line}: a ${b.lang} block without a <!-- readme-test: ... --> marker`);
    assert.match(b.marker, /^(run|covered-by \S+)$/, `README.md:${b.line}: unknown marker "${b.marker}"`);
  }
  assert.ok(all.filter((b) => b.marker === 'run').length >= 5);
});

test('README: the comparison itself', () => {
  const n: Normalizer = { home: '/tmp/h', root: '/src/kwire', paths: [] };
  // Times, ages, hashes, IPs and ports vary; the words do not.
  assert.deepEqual(mismatch(['backend-78b8665bf6-9vr5c   1/1     Running   0          1s'], ['backend-5d4c7b9f8-abcde 1/1 Running 0 12s'], n), { missing: [], extra: [] });
  assert.deepEqual(mismatch(['  data         /home/you/.kwire/kwire'], ['  data /tmp/h/.kwire/kwire'], n), { missing: [], extra: [] });
  assert.deepEqual(mismatch(['http://127.0.10.2:30080'], ['http://127.0.11.2:30080'], n).missing, ['http://127.0.10.2:30080']);
  assert.deepEqual(mismatch(['namespace/x created'], ['namespace/x configured'], n), { missing: ['namespace/x created'], extra: ['namespace/x configured'] });
  // Every shown line must be printed, once each; '...' allows more printed lines.
  assert.deepEqual(mismatch(['a', 'a'], ['a'], n).missing, ['a']);
  assert.deepEqual(mismatch(['a'], ['a', 'b'], n).extra, ['b']);
  assert.deepEqual(mismatch(['a', '...'], ['a', 'b'], n), { missing: [], extra: [] });
});

test('README: the interactive sessions are run by the tests named', () => {
  for (const b of blocks(readFileSync(README, 'utf8')).filter((x) => x.marker?.startsWith('covered-by '))) {
    const file = join(ROOT, b.marker!.slice('covered-by '.length));
    assert.ok(existsSync(file), `README.md:${b.line}: ${file} does not exist`);
    const text = readFileSync(file, 'utf8');
    for (const c of commands(b)) {
      const argv = c.text.split(/\s+/).slice(1);
      const flags = argv.filter((a) => a !== '-n' && a !== 'networking-lab');
      const literal = flags.slice(0, flags.indexOf('--')).map((a) => `'${a}'`).join(', ');
      assert.ok(text.includes(literal), `README.md:${b.line}: ${file} does not run "${c.text}" (looked for ${literal})`);
      assert.match(text, /kubectlPty/, `${file} runs it on a terminal`);
    }
  }
});

test('README: every command, run in a terminal, prints what the README shows', { timeout: 300_000 }, async () => {
  // A private network namespace lets the README's own ports (80, 30080) be used as written.
  const why = canUseNetns();
  assert.equal(why, undefined, `this test needs root with unshare, nsenter, ip and script: ${why}`);
  const md = readFileSync(README, 'utf8');
  const home = mkdtempSync(join(tmpdir(), 'kwire-readme-'));
  const bin = join(home, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'kwire'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'kwire'), 0o755);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, KWIRE_HOME: join(home, '.kwire'), PATH: `${bin}:${process.env['PATH'] ?? ''}` };
  delete env['KUBECONFIG'];
  delete env['KWIRE_CLUSTER'];
  const hostsCopy = join(home, 'hosts');
  const norm: Normalizer = { home, root: ROOT, paths: [[hostsCopy, '/tmp/hosts']] };

  // The network namespace: a process holds it; every command enters it.
  const holder = spawn('unshare', ['-n', 'sh', '-c', 'ip link set lo up && echo $$ && exec sleep 900'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const nsPid = await new Promise<number>((res, rej) => {
    holder.stdout.once('data', (d: Buffer) => res(Number(d.toString().trim())));
    holder.once('exit', (code) => rej(new Error(`unshare -n exited ${code}`)));
  });
  let cwd = ROOT;
  let ran = 0;
  let foreground: ChildProcess | undefined;
  const inNs = (argv: string[]) => ['-t', String(nsPid), '-n', '--', ...argv];
  const runLine = (line: string): Promise<RunResult> => exec('nsenter', inNs(['script', '-q', '-e', '-E', 'never', '-c', line, '/dev/null']), { cwd, env, timeoutMs: 120_000 });
  try {
    for (const b of blocks(md).filter((x) => x.marker === 'run')) {
      for (const c of commands(b)) {
        const label = `README.md:${b.line}: $ ${c.text}`;
        let text = c.text.split('/tmp/hosts').join(hostsCopy);
        const cd = /^cd (\S+)$/.exec(text);
        if (cd) {
          cwd = resolve(cwd, cd[1]!);
          continue;
        }
        let output: string;
        if (/^npm install && npm start$/.test(text)) {
          // npm install is the checkout's own business; npm start runs in the foreground until Ctrl-C.
          text = 'npm start';
          const child = spawn('nsenter', inNs(['npm', 'start']), { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
          foreground = child;
          let out = '';
          child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
          const t0 = Date.now();
          while (!/^Try: /m.test(out) && child.exitCode === null && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 100));
          output = out;
        } else {
          const r = await runLine(text);
          output = r.output;
        }
        ran++;
        const { missing, extra } = mismatch(c.expected, output.split('\n'), norm);
        assert.ok(
          missing.length === 0 && extra.length === 0,
          `${label}\n${missing.map((l) => `  shown, not printed: ${l}\n`).join('')}${extra.map((l) => `  printed, not shown: ${l}\n`).join('')}the real output:\n${output}`,
        );
      }
    }
    assert.ok(ran >= 30, `${ran} commands run`);
  } finally {
    if (foreground?.pid) {
      try {
        process.kill(-foreground.pid, 'SIGINT');
      } catch {
        /* gone */
      }
      await new Promise((r) => {
        const timer = setTimeout(() => {
          try {
            process.kill(-foreground!.pid!, 'SIGKILL');
          } catch {
            /* gone */
          }
          r(undefined);
        }, 15_000);
        foreground!.once('exit', () => {
          clearTimeout(timer);
          r(undefined);
        });
      });
    }
    // Whatever a failed run left: every cluster of this HOME is deleted, in the namespace.
    for (const name of existsSync(join(home, '.kwire')) ? readdirSync(join(home, '.kwire')) : []) {
      await exec('nsenter', inNs([process.execPath, BIN, 'delete', '--name', name]), { env, timeoutMs: 30_000 });
    }
    holder.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  }
});
