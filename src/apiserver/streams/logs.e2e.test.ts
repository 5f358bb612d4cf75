/**
 * @module apiserver/streams/logs.e2e.test
 * `kubectl logs` (plain, --tail, --timestamps, --limit-bytes, --since, -f until the
 * container ends, -f with the client going away) with the real kubectl, plus the
 * kube-apiserver/kubelet refusals, some checked over plain HTTP because kubectl
 * validates or defaults them before asking.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { FakeBackend, LiveLog } from './test-backend.js';
import { NS, runningPod, startHarness, type Harness } from './test-harness.js';

const VERSIONS = ['1.27', '1.31', '1.33'];
const HISTORY = ['one\n', 'two\n', 'three\n', 'four\n'];

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    }).on('error', reject);
  });
}

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

for (const v of VERSIONS) {
  describe(`kubectl ${v} logs`, { timeout: 120_000 }, () => {
    let h: Harness;
    let backend: FakeBackend;
    const live = { web: new LiveLog() };
    before(async () => {
      backend = new FakeBackend({ ports: {}, closedPort: 1, logs: { web: HISTORY }, live });
      h = await startHarness(backend, [runningPod('p'), runningPod('w', ['web'], { waiting: { web: 'ContainerCreating' } })]);
    });
    after(() => h.close());

    it('prints the log', async () => {
      assert.deepEqual(await h.kubectl(v, ['logs', 'p']), { code: 0, stdout: HISTORY.join(''), stderr: '' });
    });

    it('--tail=2 prints the last two lines', async () => {
      assert.deepEqual(await h.kubectl(v, ['logs', 'p', '--tail=2']), { code: 0, stdout: 'three\nfour\n', stderr: '' });
    });

    it('--timestamps prefixes RFC 3339 times with nanoseconds', async () => {
      const r = await h.kubectl(v, ['logs', 'p', '--timestamps']);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 4);
      for (const [i, line] of lines.entries()) assert.match(line, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z ${HISTORY[i]!.trim()}$`));
    });

    it('--limit-bytes cuts the output', async () => {
      assert.deepEqual(await h.kubectl(v, ['logs', 'p', '--limit-bytes=6']), { code: 0, stdout: 'one\ntw', stderr: '' });
    });

    it('--since keeps recent lines only', async () => {
      // History lines are stamped 4 s, 3 s, 2 s and 1 s ago.
      const r = await h.kubectl(v, ['logs', 'p', '--since=2s']);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(['three\nfour\n', 'four\n'].includes(r.stdout), r.stdout);
    });

    it('-f streams until the container ends', async () => {
      live.web = new LiveLog();
      const feed = live.web;
      const k = h.kubectlArgs(v, ['logs', '-f', 'p']);
      const child = spawn(k.cmd, k.args, { env: k.env });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      try {
        await waitFor(() => out === HISTORY.join(''), 'history');
        feed.push('five\n');
        await waitFor(() => out.endsWith('five\n'), 'a live line');
        feed.push('six\n');
        feed.end();
        assert.equal(await exited, 0);
        assert.equal(out, HISTORY.join('') + 'five\nsix\n');
      } finally {
        child.kill('SIGKILL');
      }
    });

    it('-f stops reading when the client goes away', async () => {
      live.web = new LiveLog();
      const feed = live.web;
      const k = h.kubectlArgs(v, ['logs', '-f', '--tail=1', 'p']);
      const child = spawn(k.cmd, k.args, { env: k.env });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      await waitFor(() => out === 'four\n', 'the tail');
      child.kill('SIGINT');
      await exited;
      await waitFor(() => feed.returned === 1, 'the live iterator to be closed');
      assert.equal(backend.logSignals.at(-1)?.aborted, true);
    });

    it('a waiting container gives the kubelet\'s message', async () => {
      const r = await h.kubectl(v, ['logs', 'w']);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, 'Error from server (BadRequest): container "web" in pod "w" is waiting to start: ContainerCreating\n');
    });
  });
}

describe('pods/log over HTTP (what kubectl defaults or validates itself)', { timeout: 60_000 }, () => {
  let h: Harness;
  before(async () => {
    const backend = new FakeBackend({ ports: {}, closedPort: 1, logs: { a: ['from a\n'], b: ['from b\n'] } });
    const unscheduled = runningPod('u');
    delete (unscheduled['spec'] as { nodeName?: string }).nodeName;
    h = await startHarness(backend, [runningPod('m', ['a', 'b']), unscheduled]);
  });
  after(() => h.close());

  const base = () => `${h.url}/api/v1/namespaces/${NS}/pods`;

  it('asks for a container name when the pod has several', async () => {
    const r = await httpGet(`${base()}/m/log`);
    assert.equal(r.status, 400);
    const st = JSON.parse(r.body) as { reason: string; message: string };
    assert.equal(st.reason, 'BadRequest');
    assert.equal(st.message, 'a container name must be specified for pod m, choose one of: [a b]');
  });

  it('names the container that is not in the pod', async () => {
    const r = await httpGet(`${base()}/m/log?container=c`);
    assert.equal(r.status, 400);
    assert.equal((JSON.parse(r.body) as { message: string }).message, 'container c is not valid for pod m');
  });

  it('serves the named container', async () => {
    assert.deepEqual(await httpGet(`${base()}/m/log?container=b`), { status: 200, body: 'from b\n' });
  });

  it('validates PodLogOptions like kube-apiserver (422 Invalid)', async () => {
    const r = await httpGet(`${base()}/m/log?container=a&tailLines=-1&limitBytes=0`);
    assert.equal(r.status, 422);
    const st = JSON.parse(r.body) as { reason: string; message: string; details: { kind: string; causes: Array<{ field: string }> } };
    assert.equal(st.reason, 'Invalid');
    assert.equal(st.message, 'PodLogOptions "m" is invalid: [tailLines: Invalid value: -1: must be greater than or equal to 0, limitBytes: Invalid value: 0: must be greater than 0]');
    assert.deepEqual(
      st.details.causes.map((c) => c.field),
      ['tailLines', 'limitBytes'],
    );
  });

  it('refuses previous logs when there was no previous instance', async () => {
    const r = await httpGet(`${base()}/m/log?container=a&previous=true`);
    assert.equal(r.status, 400);
    assert.equal((JSON.parse(r.body) as { message: string }).message, 'previous terminated container "a" in pod "m" not found');
  });

  it('answers an unscheduled pod with an empty log', async () => {
    assert.deepEqual(await httpGet(`${base()}/u/log`), { status: 200, body: '' });
  });
});
