/**
 * End-to-end: bad input gets the real error, never a hang.
 * - exec into a container the pod does not have, a command the image lacks
 *   (containerd's text through kube-apiserver), `sh -c foo` (exit 127), a shell in an
 *   image without one, a pod that is not running — with every kubectl transport;
 * - an image with no emulation: ErrImagePull, then ImagePullBackOff in `kubectl get
 *   pods`, `kubectl describe pod` names the emulated images; logs and exec refuse it;
 *   `kubectl run -i` gives up after --pod-running-timeout;
 * - `kubectl run -i ... -- foo`: StartError with containerd's text, exit status 128;
 * - a tag the emulated image does not have: the registry's "not found".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../src/testing/test-cluster.js';
import { KUBECTLS, NS, kubectlLive, label, podGone, startLabWorkloads, waitFor } from './workloads-support.js';

const EXEC_FAILED = (cmd: string) =>
  new RegExp(
    `^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": ` +
      `OCI runtime exec failed: exec failed: unable to start container process: exec: "${cmd}": executable file not found in \\$PATH: unknown\\n$`,
  );

test('bad input: missing containers, commands and images fail as on a real cluster', { timeout: 240_000 }, async (t) => {
  const c = await startTestCluster();
  try {
    const { backends } = await startLabWorkloads(c, { frontend: true });
    const backend = backends[0]!.metadata.name;
    const front = (await c.kubectlOk(['get', 'pods', ...NS, '-l', 'app=frontend', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    await c.kubectlOk(['run', 'bb', '--image=busybox', ...NS, '--', 'sleep', '3600']);
    await waitFor('busybox to run', async () => ((await c.kubectlOk(['get', 'pod', 'bb', ...NS, '-o', 'jsonpath={.status.phase}'])) === 'Running' ? true : undefined));

    await t.test('an image with no emulation: ErrImagePull, then ImagePullBackOff', async () => {
      const w = kubectlLive(c, undefined, ['get', 'pods', ...NS, '-w']);
      try {
        await w.waitFor(/^backend-/m);
        assert.equal((await c.kubectlOk(['run', 'x', '--image=postgres', ...NS])).trim(), 'pod/x created');
        await w.waitFor(/^x\s+0\/1\s+ImagePullBackOff\s+0\s/m, 20_000);
        const rows = w.stdout().split('\n').filter((l) => l.startsWith('x '));
        const statuses = rows.map((l) => l.split(/\s+/)[2]);
        const errAt = statuses.indexOf('ErrImagePull');
        assert.ok(errAt >= 0 && errAt < statuses.indexOf('ImagePullBackOff'), `ErrImagePull first: ${statuses.join(', ')}`);
      } finally {
        await w.stop();
      }
      assert.match(await c.kubectlOk(['get', 'pods', 'x', ...NS]), /^x\s+0\/1\s+ImagePullBackOff\s+0\s+\S+$/m);
      const d = await c.kubectlOk(['describe', 'pod', 'x', ...NS]);
      assert.match(d, /State:\s+Waiting\n\s+Reason:\s+ImagePullBackOff\n/);
      const failed = /Warning\s+Failed\s+.*kubelet\s+(Failed to pull image "postgres": .*)$/m.exec(d);
      assert.ok(failed, d);
      assert.match(failed[1]!, /"docker\.io\/library\/postgres:latest"/);
      for (const img of ['hashicorp/http-echo', 'nginx', 'busybox', 'curlimages/curl', 'registry.k8s.io/e2e-test-images/agnhost', 'traefik/whoami']) {
        assert.ok(failed[1]!.includes(img), `the message names ${img}: ${failed[1]}`);
      }
      assert.match(d, /Warning\s+Failed\s+.*kubelet\s+Error: ErrImagePull$/m);
      assert.match(d, /Normal\s+BackOff\s+.*kubelet\s+Back-off pulling image "postgres"$/m);
      const logs = await c.kubectl(['logs', 'x', ...NS]);
      assert.equal(logs.code, 1);
      assert.equal(logs.stderr, 'Error from server (BadRequest): container "x" in pod "x" is waiting to start: trying and failing to pull image\n');
    });

    await t.test('a tag the image does not have: not found', async () => {
      await c.kubectlOk(['run', 'z', '--image=nginx:9.99', ...NS]);
      const d = await waitFor('the pull failure', async () => {
        const out = await c.kubectlOk(['describe', 'pod', 'z', ...NS]);
        return /Failed to pull image/.test(out) ? out : undefined;
      });
      assert.match(d, /Failed to pull image "nginx:9\.99": rpc error: code = NotFound desc = failed to pull and unpack image "docker\.io\/library\/nginx:9\.99": .*docker\.io\/library\/nginx:9\.99: not found$/m);
      assert.match(await c.kubectlOk(['get', 'pod', 'z', ...NS]), /^z\s+0\/1\s+(ErrImagePull|ImagePullBackOff)\s+0\s/m);
    });

    await t.test('run -i with an image that never runs gives up at --pod-running-timeout', async () => {
      const t0 = Date.now();
      const r = await c.kubectl(['run', '--rm', '-i', 'x2', '--image=postgres', '--restart=Never', '--pod-running-timeout=3s', ...NS, '--', 'ls'], { timeoutMs: 30_000 });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /error: timed out waiting for the condition\n$/);
      assert.ok(Date.now() - t0 < 15_000);
      await podGone(c, 'x2');
    });

    await t.test('run -i with a command the image lacks: StartError, exit status 128', async () => {
      const r = await c.kubectl(['run', '--rm', '-i', 'nocmd', '--image=busybox', '--restart=Never', ...NS, '--', 'foo'], { timeoutMs: 30_000 });
      assert.equal(r.code, 128, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /pod networking-lab\/nocmd terminated \(StartError\)\nfailed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "foo": executable file not found in \$PATH: unknown\n/,
      );
      await podGone(c, 'nocmd');
    });

    for (const version of KUBECTLS) {
      await t.test(`${label(version)}: exec errors`, async () => {
        const k = (args: string[]) => c.kubectl(args, { version, timeoutMs: 30_000 });
        const noContainer = await k(['exec', front, '-c', 'nope', ...NS, '--', 'ls']);
        assert.equal(noContainer.code, 1);
        assert.equal(noContainer.stderr, `Error from server (BadRequest): container nope is not valid for pod ${front}\n`);

        const foo = await k(['exec', front, ...NS, '--', 'foo']);
        assert.equal(foo.code, 1);
        assert.equal(foo.stdout, '');
        assert.match(foo.stderr, EXEC_FAILED('foo'));

        const shFoo = await k(['exec', 'bb', ...NS, '--', 'sh', '-c', 'foo']);
        assert.equal(shFoo.code, 127);
        assert.equal(shFoo.stderr, 'sh: foo: not found\ncommand terminated with exit code 127\n');
        const bbFoo = await k(['exec', 'bb', ...NS, '--', 'foo']);
        assert.equal(bbFoo.code, 1);
        assert.match(bbFoo.stderr, EXEC_FAILED('foo'));

        const bb = await k(['run', '--rm', '-i', '--restart=Never', '--image=busybox', 'shfoo', ...NS, '--', 'sh', '-c', 'foo']);
        // kubectl run exits with the container's exit code.
        assert.equal(bb.code, 127, bb.stderr);
        assert.match(bb.stdout + bb.stderr, /^sh: foo: not found$/m);
        assert.match(bb.stderr, /pod networking-lab\/shfoo terminated \(Error\)/);
        await podGone(c, 'shfoo');

        // http-echo is a lone binary: no shell to exec.
        const noShell = await k(['exec', backend, ...NS, '--', 'sh']);
        assert.equal(noShell.code, 1);
        assert.match(noShell.stderr, EXEC_FAILED('sh'));

        const notRunning = await k(['exec', 'x', ...NS, '--', 'ls']);
        assert.equal(notRunning.code, 1);
        assert.equal(notRunning.stderr, 'error: unable to upgrade connection: container not found ("x")\n');

        const noPod = await k(['exec', 'nope', ...NS, '--', 'ls']);
        assert.equal(noPod.code, 1);
        assert.equal(noPod.stderr, 'Error from server (NotFound): pods "nope" not found\n');
      });
    }
  } finally {
    await c.stop();
  }
});
