/**
 * The networking lab (../shared/seed/) run as written, step by step, with the real
 * kubectl and curl against a kwire cluster, checking each step's outcome as the lab
 * states it. Shared by the per-kubectl-version test files. The steps and their checks
 * are `kwire lab networking`'s own (src/cli/lab/), so the command and these tests
 * stay one.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { labManifestsDir, NETWORKING_LAB } from '../../src/cli/lab/networking.js';
import { runStep, type LabState } from '../../src/cli/lab/runner.js';
import { commandTools } from '../../src/cli/lab/tools.js';
import { startTestCluster, type TestCluster } from '../../src/testing/test-cluster.js';
import { kubectlBinary, run } from '../../src/testing/kubectl.js';

const EXAMPLES = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../examples/networking-lab/' : '../../examples/networking-lab/', import.meta.url));

export function labFile(name: string): string {
  return `${EXAMPLES}${name}`;
}

export async function waitFor<T>(what: string, f: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const t0 = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export const curl = (args: string[]) => run('curl', ['-sS', '--max-time', '10', ...args], { timeoutMs: 20_000 });

/**
 * Runs the lab's steps as `kwire lab networking` runs them (src/cli/lab/networking.ts:
 * the same commands, the same checks), here against a cluster inside the test process
 * and with a chosen kubectl, plus checks only an in-process cluster allows.
 */
export async function runLab(t: TestContext, version?: string): Promise<void> {
  const c: TestCluster = await startTestCluster();
  const tools = commandTools({
    cwd: labManifestsDir(),
    env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: c.dir },
    kubectl: kubectlBinary(version),
    kubectlArgs: [`--cache-dir=${join(c.dir, 'kube-cache', version ?? 'path')}`],
  });
  const state: LabState = new Map();
  const step = (n: number, more?: () => Promise<void>) => {
    const s = NETWORKING_LAB.steps[n - 1]!;
    return t.test(`step ${n}: ${s.title}`, async () => {
      const log: string[] = [];
      const r = await runStep(s, tools, 'run', state, (l) => log.push(l));
      assert.ok(r.ok, `step ${n} does not hold: ${r.failure ?? ''}\n${log.join('\n')}`);
      await more?.();
    });
  };
  try {
    for (let n = 1; n <= 6; n++) await step(n);

    await step(7, async () => {
      // The same through the 127.0.0.1 ingress port, as the lab's /etc/hosts line would.
      const port = c.cluster.ingressPort('http');
      const viaLocal = await curl(['--resolve', `backend.local:${port}:127.0.0.1`, `http://backend.local:${port}`]);
      assert.equal(viaLocal.code, 0, `port ${port}: ${viaLocal.stderr}`);
      assert.match(viaLocal.stdout, /^Hello from Backend Pod: backend-/);
    });

    await step(8);
    await step(9);

    await step(10, async () => {
      // The lab's ingress-to-frontend policy selects a namespace label nobody has: new
      // connections from the ingress controller to the frontend are dropped.
      const engine = c.cluster.policyEngine;
      const ctrl = engine.listPods().find((p) => p.namespace === 'ingress-nginx')!;
      const front = engine.listPods().find((p) => p.namespace === 'networking-lab' && p.labels['app'] === 'frontend')!;
      const d = engine.decide({ src: { kind: 'pod', namespace: ctrl.namespace, name: ctrl.name }, dst: { kind: 'pod', namespace: front.namespace, name: front.name }, port: 80, protocol: 'TCP' });
      assert.equal(d.allowed, false);
      assert.deepEqual(d.ingress.selectedBy.map((p) => p.name).sort(), ['allow-ingress-to-frontend', 'deny-all']);
    });

    await step(11, async () => {
      const left = c.cluster.listeners().filter((l) => l.what.includes('networking-lab'));
      assert.deepEqual(left, []);
    });
  } finally {
    await c.stop();
  }
}

export const LAB_TEXT = (): string => readFileSync(labFile('backend-deployment.yaml'), 'utf8');
