/**
 * End-to-end: container logs and restarts with the real kubectl.
 * - `kubectl logs -f` follows a busybox loop's output line by line as it is written,
 *   until stopped; on a container that ends it ends with it;
 * - `--tail`, `-c` (and the default container of a two-container pod);
 * - a crashing command with restartPolicy Always: restarted at once, then
 *   CrashLoopBackOff in `kubectl get pods`, `--previous` shows the earlier instance;
 * - a failing liveness probe on a PID 1 that ignores SIGTERM: killed after the grace
 *   period, restarted, `--previous` has the killed instance's output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../src/testing/test-cluster.js';
import { NS, kubectlLive, waitFor } from './workloads-support.js';

const PODS = `apiVersion: v1
kind: Pod
metadata:
  name: ticker
  namespace: networking-lab
spec:
  containers:
  - name: tick
    image: busybox
    command: ["sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"]
  - name: side
    image: busybox
    command: ["sh", "-c", "echo side one; echo side two >&2; sleep 3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: crasher
  namespace: networking-lab
spec:
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo run at $(date +%s%N); sleep 0.3; echo giving up >&2; exit 3"]
---
apiVersion: v1
kind: Pod
metadata:
  name: unhealthy
  namespace: networking-lab
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "echo started; touch /tmp/healthy; sleep 1; rm /tmp/healthy; echo unhealthy now; sleep 3600"]
    livenessProbe:
      exec:
        command: ["cat", "/tmp/healthy"]
      periodSeconds: 1
      failureThreshold: 2
`;

interface PodStatus {
  status: {
    phase?: string;
    containerStatuses?: Array<{
      name: string;
      restartCount: number;
      state: { waiting?: { reason: string; message?: string }; running?: object; terminated?: { exitCode: number; reason: string } };
      lastState: { terminated?: { exitCode: number; reason: string } };
    }>;
  };
}

test('logs: follow, tail, containers, previous after restarts; CrashLoopBackOff', { timeout: 180_000 }, async (t) => {
  const c = await startTestCluster();
  const ok = (args: string[]) => c.kubectlOk(args, { timeoutMs: 30_000 });
  const k = (args: string[]) => c.kubectl(args, { timeoutMs: 30_000 });
  const pod = async (name: string) => JSON.parse(await ok(['get', 'pod', name, ...NS, '-o', 'json'])) as PodStatus;
  try {
    await ok(['create', 'namespace', 'networking-lab']);
    await ok(['apply', '-f', c.file('pods.yaml', PODS)]);

    await t.test('logs -f follows the output as it is written, until stopped', async () => {
      const f = kubectlLive(c, undefined, ['logs', '-f', 'ticker', '-c', 'tick', ...NS]);
      try {
        const first = Number((await f.waitFor(/^tick (\d+)\n/m, 30_000))[1]);
        const t0 = Date.now();
        await f.waitFor(new RegExp(`^tick ${first + 5}\\n`, 'm'), 10_000);
        const took = Date.now() - t0;
        // Five more lines at one per 0.2 s: they came as they were written, not at once.
        assert.ok(took >= 700, `five lines in ${took} ms`);
        const lines = f.stdout().trim().split('\n');
        lines.forEach((l, i) => assert.equal(l, `tick ${Number(lines[0]!.split(' ')[1]) + i}`, f.stdout()));
        assert.equal(f.child.exitCode, null, 'still following');
      } finally {
        await f.stop();
      }
    });

    await t.test('logs -f ends when the container ends', async () => {
      await ok(['run', 'counter', '--image=busybox', '--restart=Never', ...NS, '--', 'sh', '-c', 'sleep 1; for i in 1 2 3; do echo n $i; sleep 0.3; done']);
      await waitFor('counter to run', async () => ((await pod('counter')).status.phase === 'Running' ? true : undefined), 20_000);
      const f = kubectlLive(c, undefined, ['logs', '-f', 'counter', ...NS]);
      await f.waitFor(/^n 1\n/m, 10_000);
      assert.equal(f.child.exitCode, null, 'following while the container runs');
      const code = await Promise.race([f.exited, new Promise<'hang'>((r) => setTimeout(() => r('hang'), 20_000))]);
      if (code === 'hang') await f.stop();
      assert.equal(code, 0, `${f.stdout()} ${f.stderr()}`);
      assert.equal(f.stdout(), 'n 1\nn 2\nn 3\n');
      assert.match(await ok(['get', 'pod', 'counter', ...NS]), /counter\s+0\/1\s+Completed\s+0\s/);
    });

    await t.test('--tail and -c', async () => {
      const tail = await ok(['logs', 'ticker', '-c', 'tick', '--tail=2', ...NS]);
      const lines = tail.trim().split('\n');
      assert.equal(lines.length, 2, tail);
      const [a, b] = lines.map((l) => Number(/^tick (\d+)$/.exec(l)![1]));
      assert.equal(b, a! + 1);
      // stdout and stderr both go to the log.
      assert.equal(await ok(['logs', 'ticker', '-c', 'side', ...NS]), 'side one\nside two\n');
      const dflt = await k(['logs', 'ticker', '--tail=1', ...NS]);
      assert.equal(dflt.code, 0);
      assert.match(dflt.stdout, /^tick \d+\n$/);
      assert.equal(dflt.stderr, 'Defaulted container "tick" out of: tick, side\n');
      const bad = await k(['logs', 'ticker', '-c', 'nope', ...NS]);
      assert.equal(bad.code, 1);
      assert.equal(bad.stderr, 'error: container nope is not valid for pod ticker\n');
      const none = await k(['logs', 'ticker', '-c', 'tick', '--previous', ...NS]);
      assert.equal(none.code, 1);
      assert.equal(none.stderr, 'Error from server (BadRequest): previous terminated container "tick" in pod "ticker" not found\n');
    });

    await t.test('a crashing command: restarted, then CrashLoopBackOff; --previous', async () => {
      const table = await waitFor(
        'CrashLoopBackOff',
        async () => {
          const out = await ok(['get', 'pod', 'crasher', ...NS]);
          return /crasher\s+0\/1\s+CrashLoopBackOff\s+1 \(\d+s ago\)\s/.test(out) ? out : undefined;
        },
        20_000,
      );
      assert.match(table, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
      const cs = (await pod('crasher')).status.containerStatuses![0]!;
      assert.equal(cs.restartCount, 1);
      assert.equal(cs.state.waiting?.reason, 'CrashLoopBackOff');
      assert.match(cs.state.waiting?.message ?? '', /^back-off 10s restarting failed container=app pod=crasher_networking-lab\(/);
      assert.deepEqual({ exitCode: cs.lastState.terminated?.exitCode, reason: cs.lastState.terminated?.reason }, { exitCode: 3, reason: 'Error' });
      // The latest instance (the one that just crashed) and the one before it.
      const cur = await ok(['logs', 'crasher', ...NS]);
      const prev = await ok(['logs', 'crasher', '-c', 'app', '--previous', ...NS]);
      assert.match(cur, /^run at \d+\ngiving up\n$/);
      assert.match(prev, /^run at \d+\ngiving up\n$/);
      assert.notEqual(cur, prev, 'two different instances');
      const events = await ok(['get', 'events', ...NS, '--field-selector', 'involvedObject.name=crasher']);
      assert.match(events, /Warning\s+BackOff\s+pod\/crasher\s+Back-off restarting failed container app in pod crasher_networking-lab/);
    });

    await t.test('a failing liveness probe restarts the container', async () => {
      const st = await waitFor(
        'a liveness restart',
        async () => {
          const p = await pod('unhealthy');
          const cs = p.status.containerStatuses?.[0];
          return cs && cs.restartCount >= 1 ? cs : undefined;
        },
        30_000,
      );
      // busybox sh as PID 1 ignores SIGTERM: the kill after the 1 s grace period ends it.
      assert.deepEqual({ exitCode: st.lastState.terminated?.exitCode, reason: st.lastState.terminated?.reason }, { exitCode: 137, reason: 'Error' });
      assert.equal(await ok(['logs', 'unhealthy', '--previous', ...NS]), 'started\nunhealthy now\n');
      assert.match(await ok(['logs', 'unhealthy', ...NS]), /^started\n/);
      const d = await ok(['describe', 'pod', 'unhealthy', ...NS]);
      assert.match(d, /Normal\s+Killing\s+.*kubelet\s+Container app failed liveness probe, will be restarted/);
      assert.match(d, /Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+137\n/);
      assert.match(await ok(['get', 'pod', 'unhealthy', ...NS]), /unhealthy\s+\d\/1\s+\S+\s+[1-9] \(\d+s ago\)\s/);
    });
  } finally {
    await c.stop();
  }
});
