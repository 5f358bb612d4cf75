/**
 * End-to-end: pods that run, through every kubectl transport. With the PATH kubectl
 * (1.31 for this server: WebSocket), kubectl 1.27 (SPDY) and kubectl 1.33, each called
 * directly:
 * - `kubectl run test-pod --image=busybox --rm -it --restart=Never -- sh` on a real
 *   pseudo-terminal: `wget` a backend pod, `hostname`, `exit`; the pod is gone after;
 * - `kubectl run --rm -i ... -- wget -qO- http://<pod IP>:8080` prints the text and
 *   exits 0; an IP nobody has times out as busybox says it, exit status 1;
 * - `kubectl exec deployment/frontend -- curl -s http://<pod IP>:8080`;
 * - `kubectl port-forward pod/<backend> 0:8080` and `svc/backend-clusterip 0:80`,
 *   then the real curl on the printed port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../src/testing/test-cluster.js';
import { curl } from './lab-scenario.js';
import { KUBECTLS, NS, kubectlLive, kubectlPty, label, podGone, startLabWorkloads } from './workloads-support.js';

test('exec, run -it, run -i and port-forward reach the emulated pods with every kubectl', { timeout: 300_000 }, async (t) => {
  const c = await startTestCluster();
  try {
    const { backends } = await startLabWorkloads(c, { frontend: true, service: true });
    const backend = backends[0]!;
    const ip = backend.status.podIP!;
    const hello = `Hello from Backend Pod: ${backend.metadata.name}`;

    for (const version of KUBECTLS) {
      const k = (args: string[]) => c.kubectl(args, { version, timeoutMs: 60_000 });

      await t.test(`${label(version)}: run --rm -it busybox sh on a terminal`, async () => {
        const p = kubectlPty(c, version, ['run', 'test-pod', '--image=busybox', '--rm', '-it', '--restart=Never', ...NS, '--', 'sh']);
        try {
          // kubectl says this once the pod runs, just before it attaches (the first prompt
          // was printed before anyone listened, as on a real cluster).
          await p.waitFor(/If you don't see a command prompt, try pressing enter\.\r?\n/, 30_000);
          p.write('\r');
          await p.waitFor(/\/ # $/);
          p.write(`wget -qO- http://${ip}:8080\r`);
          // The shell echoes what was typed (a terminal), then the answer, then a prompt.
          await p.waitFor(new RegExp(`wget -qO- http://${ip.replace(/\./g, '\\.')}:8080\\r\\n${hello}\\r\\n/ # $`));
          p.write('hostname\r');
          await p.waitFor(/hostname\r\ntest-pod\r\n\/ # $/);
          p.write('exit\r');
          assert.equal(await p.exited, 0, p.stdout());
          assert.match(p.stdout(), /exit\r\n/);
          assert.match(p.stdout(), /pod "test-pod" deleted/);
        } finally {
          await p.stop();
        }
        await podGone(c, 'test-pod');
      });

      await t.test(`${label(version)}: run --rm -i wget prints the text and exits 0`, async () => {
        const r = await k(['run', '--rm', '-i', '--restart=Never', '--image=busybox', 't', ...NS, '--', 'wget', '-qO-', `http://${ip}:8080`]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.split('\n')[0], hello, r.stdout);
        assert.match(r.stdout, /pod "t" deleted/);
        await podGone(c, 't');
      });

      await t.test(`${label(version)}: wget to an IP nobody has times out, exit status 1`, async () => {
        const t0 = Date.now();
        const r = await k(['run', '--rm', '-i', '--restart=Never', '--image=busybox', 't2', ...NS, '--', 'wget', '-qO-', '--timeout=2', 'http://10.244.7.7:8080']);
        const took = Date.now() - t0;
        assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
        assert.match(r.stdout + r.stderr, /wget: download timed out/);
        assert.match(r.stderr, /pod networking-lab\/t2 terminated \(Error\)/);
        assert.ok(took >= 1900 && took < 20_000, `waited ${took} ms`);
        await podGone(c, 't2');
      });

      await t.test(`${label(version)}: exec deployment/frontend -- curl a backend pod`, async () => {
        const r = await k(['exec', 'deployment/frontend', ...NS, '--', 'curl', '-s', `http://${ip}:8080`]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, `${hello}\n`);
        // A terminal session into the same Deployment.
        const p = kubectlPty(c, version, ['exec', '-it', 'deployment/frontend', ...NS, '--', 'sh']);
        try {
          await p.waitFor(/# $/, 15_000);
          p.write(`curl -s http://${ip}:8080; echo "rc=$?"\r`);
          await p.waitFor(new RegExp(`${hello}\\r\\nrc=0\\r\\n`));
          p.write('exit 3\r');
          assert.equal(await p.exited, 3, p.stdout());
        } finally {
          await p.stop();
        }
      });

      await t.test(`${label(version)}: port-forward a pod and the Service, then curl`, async () => {
        for (const [target, remote, answer] of [
          [`pod/${backend.metadata.name}`, '8080', new RegExp(`^${hello}\\n$`)],
          ['svc/backend-clusterip', '80', /^Hello from Backend Pod: backend-\S+\n$/],
        ] as const) {
          const pf = kubectlLive(c, version, ['port-forward', target, `0:${remote}`, ...NS]);
          try {
            const m = await pf.waitFor(new RegExp(`Forwarding from 127\\.0\\.0\\.1:(\\d+) -> ${remote === '80' ? 8080 : remote}`));
            const port = m[1]!;
            for (let i = 0; i < 3; i++) {
              const r = await curl([`http://127.0.0.1:${port}/`]);
              assert.equal(r.code, 0, `${target}: ${r.stderr}\n${pf.stdout()}\n${pf.stderr()}`);
              assert.match(r.stdout, answer);
            }
            await pf.waitFor(new RegExp(`Handling connection for ${port}`));
          } finally {
            await pf.stop();
          }
        }
      });
    }
  } finally {
    await c.stop();
  }
});
