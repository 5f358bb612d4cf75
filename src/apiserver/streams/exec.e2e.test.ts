/**
 * @module apiserver/streams/exec.e2e.test
 * The real kubectl (1.27/1.29 SPDY, 1.30/1.31/1.33 WebSocket v5) against kwire's API
 * server with the streaming handlers and a fake backend: exec output and exit codes,
 * stdin, stderr, large output (SPDY flow control), tty via `script`, attach, and the
 * refusals kubectl users know.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { run } from '../../testing/kubectl.js';
import { FakeBackend } from './test-backend.js';
import { runningPod, startHarness, type Harness } from './test-harness.js';

function waitFor(pred: () => boolean, what: string, ms = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      if (pred()) return resolve();
      if (Date.now() - start > ms) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 20);
    };
    tick();
  });
}

const VERSIONS = ['1.27', '1.29', '1.30', '1.31', '1.33'];
const SPDY = new Set(['1.27', '1.29']);

for (const v of VERSIONS) {
  describe(`kubectl ${v} exec/attach`, { timeout: 120_000 }, () => {
    let h: Harness;
    let backend: FakeBackend;
    before(async () => {
      backend = new FakeBackend({ ports: {}, closedPort: 1 });
      h = await startHarness(backend, [runningPod('p'), runningPod('w', ['web'], { waiting: { web: 'ContainerCreating' } }), runningPod('m', ['a', 'b'])]);
    });
    after(() => h.close());

    it('exec -- echo hi prints and exits 0', async () => {
      const r = await h.kubectl(v, ['exec', 'p', '--', 'echo', 'hi']);
      assert.deepEqual(r, { code: 0, stdout: 'hi\n', stderr: '' });
      assert.deepEqual(backend.execs.at(-1), { container: 'web', command: ['echo', 'hi'], stdin: false, stdout: true, stderr: true, tty: false });
      const last = h.upgrades.at(-1) ?? '';
      if (SPDY.has(v)) assert.match(last, /^POST SPDY\/3\.1 \/api\/v1\/namespaces\/lab\/pods\/p\/exec$/);
      else assert.match(last, /^GET websocket v5\.channel\.k8s\.io \/api\/v1\/namespaces\/lab\/pods\/p\/exec$/);
    });

    it("passes the exit code: sh -c 'exit 3'", async () => {
      const r = await h.kubectl(v, ['exec', 'p', '--', 'sh', '-c', 'exit 3']);
      assert.equal(r.code, 3);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, 'command terminated with exit code 3\n');
    });

    it('keeps stdout and stderr apart', async () => {
      const r = await h.kubectl(v, ['exec', 'p', '--', 'sh', '-c', 'echo out; echo err >&2; exit 2']);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, 'out\n');
      assert.equal(r.stderr, 'err\ncommand terminated with exit code 2\n');
    });

    it('exec -i pipes stdin until EOF', async () => {
      const input = 'hello\nworld\n'.repeat(500);
      const r = await h.kubectl(v, ['exec', '-i', 'p', '--', 'cat'], { input });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, input);
      assert.equal(backend.execs.at(-1)?.stdin, true);
    });

    it('streams 3 MB of output (no flow-control stall)', async () => {
      const r = await h.kubectl(v, ['exec', 'p', '--', 'bytes', String(3 * 1024 * 1024)]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.length, 3 * 1024 * 1024);
      assert.ok(/^x+$/.test(r.stdout));
    });

    it('exec -it through a pseudo-terminal gets a tty and the terminal size', async () => {
      const k = h.kubectlArgs(v, ['exec', '-it', 'p', '--', 'size']);
      const quoted = [k.cmd, ...k.args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      const r = await run('script', ['-qec', `stty cols 101 rows 33; ${quoted}`, '/dev/null'], { env: k.env, timeoutMs: 30_000 });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /tty=true size=101x33/);
      assert.deepEqual(backend.execs.at(-1), { container: 'web', command: ['size'], stdin: true, stdout: true, stderr: false, tty: true });
    });

    it('a backend failure becomes an InternalError status', async () => {
      const r = await h.kubectl(v, ['exec', 'p', '--', 'boom']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'error: Internal error occurred: error executing command in container: runtime exploded\n');
    });

    it('refuses an unknown container like kube-apiserver', async () => {
      const r = await h.kubectl(v, ['exec', 'p', '-c', 'nope', '--', 'echo']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'Error from server (BadRequest): container nope is not valid for pod p\n');
    });

    it('refuses a container that is not running like the kubelet', async () => {
      const r = await h.kubectl(v, ['exec', 'w', '--', 'echo', 'x']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'error: unable to upgrade connection: container not found ("web")\n');
    });

    it('exec into the named container of a multi-container pod', async () => {
      const r = await h.kubectl(v, ['exec', 'm', '-c', 'b', '--', 'echo', 'from-b']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'from-b\n');
      assert.equal(backend.execs.at(-1)?.container, 'b');
    });

    it('tells the backend when the client goes away', async () => {
      const k = h.kubectlArgs(v, ['exec', 'p', '--', 'wait']);
      const child = spawn(k.cmd, k.args, { env: k.env });
      const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
      await waitFor(() => backend.execs.some((e) => e.command[0] === 'wait'), 'the exec to start');
      child.kill('SIGKILL');
      await exited;
      await waitFor(() => backend.aborted.includes('wait'), 'the session signal to abort');
    });

    it('attach prints the container output and ends with Success', async () => {
      const r = await h.kubectl(v, ['attach', 'p']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'attached to web\n');
      assert.deepEqual(backend.attaches.at(-1), { container: 'web', stdin: false, stdout: true, stderr: true, tty: false });
    });

    it('attach -i forwards stdin', async () => {
      const r = await h.kubectl(v, ['attach', '-i', 'p'], { input: 'typed\n' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'attached to web\ngot: typed\n');
      assert.match(r.stderr, /If you don't see a command prompt, try pressing enter\./);
    });
  });
}
