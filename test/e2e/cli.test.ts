/**
 * End-to-end: the kwire command as a user runs it — up -d, status, stop, start,
 * delete, two clusters side by side, the user's other kubeconfig contexts left
 * alone, and no acknowledged write lost when the server is killed with -9.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { kubectlBinary, run } from '../../src/testing/kubectl.js';

const BIN = fileURLToPath(new URL('../../../bin/kwire.js', import.meta.url));

function env(home: string): NodeJS.ProcessEnv {
  return { ...process.env, KWIRE_HOME: join(home, 'kwire-home'), KUBECONFIG: join(home, 'kubeconfig'), HOME: home };
}

const kwire = (home: string, args: string[]) => run(process.execPath, [BIN, ...args], { env: env(home), timeoutMs: 30_000 });
const kubectl = (home: string, args: string[]) => run(kubectlBinary(), [`--cache-dir=${join(home, 'cache')}`, ...args], { env: env(home), timeoutMs: 30_000 });

const OTHER = `apiVersion: v1
kind: Config
clusters:
- name: other
  cluster:
    server: https://127.0.0.1:1
contexts:
- name: other
  context:
    cluster: other
    user: other
users:
- name: other
  user:
    token: abc
current-context: other
`;

test('kwire up -d, status, stop, start, delete', async () => {
  const home = mkdtempSync(join(tmpdir(), 'kwire-cli-'));
  writeFileSync(join(home, 'kubeconfig'), OTHER);
  try {
    const up = await kwire(home, ['up', '-d', '--ingress-ports', '0,0']);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, /cluster "kwire" is up/);

    const cfg = YAML.parse(readFileSync(join(home, 'kubeconfig'), 'utf8'));
    assert.equal(cfg['current-context'], 'kwire');
    assert.deepEqual(cfg.contexts.map((c: { name: string }) => c.name).sort(), ['kwire', 'other']);

    const nodes = await kubectl(home, ['get', 'nodes', '-o', 'name']);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.deepEqual(nodes.stdout.trim().split('\n'), ['node/kwire-control-plane', 'node/kwire-worker', 'node/kwire-worker2']);

    const st = await kwire(home, ['status', '-o', 'json']);
    assert.equal(st.code, 0);
    const status = JSON.parse(st.stdout);
    assert.equal(status.running, true);
    assert.match(status.apiServer, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(status.nodes.length, 3);
    assert.match(status.nodes[1].internalIP, /^127\.0\.\d+\.3$/);
    assert.equal(status.dataDir, join(home, 'kwire-home', 'kwire'));
    assert.ok(status.ingress.http > 0 && status.ingress.https > 0, 'the ingress ports chosen by --ingress-ports 0,0 are reported');
    assert.ok(status.dnsPort > 0);
    assert.match(status.loadBalancerPool, /^127\.0\.\d+\.100-127\.0\.\d+\.199$/);
    assert.ok(status.listeners.some((l: { what: string }) => l.what === 'ingress http'));

    assert.equal((await kubectl(home, ['create', 'namespace', 'keep'])).code, 0);
    assert.equal((await kubectl(home, ['create', 'configmap', 'c1', '-n', 'keep', '--from-literal=a=1'])).code, 0);

    // A second cluster side by side, with its own nodes and context.
    const two = await kwire(home, ['up', '-d', '--name', 'two', '--nodes', '2']);
    assert.equal(two.code, 0, two.stderr);
    const st2 = JSON.parse((await kwire(home, ['status', '--name', 'two', '-o', 'json'])).stdout);
    assert.equal(st2.nodes.length, 2);
    assert.notEqual(st2.nodes[0].internalIP, status.nodes[0].internalIP);
    assert.notEqual(st2.apiServer, status.apiServer);
    assert.equal((await kubectl(home, ['--context', 'kwire-two', 'get', 'nodes', '-o', 'name'])).stdout.trim(), 'node/two-control-plane\nnode/two-worker');

    assert.equal((await kwire(home, ['stop'])).code, 0);
    const stopped = await kwire(home, ['status', '-o', 'json']);
    assert.equal(stopped.code, 3);
    assert.equal(JSON.parse(stopped.stdout).running, false);

    const start = await kwire(home, ['start']);
    assert.equal(start.code, 0, start.stderr);
    const cm = await kubectl(home, ['--context', 'kwire', 'get', 'configmap', 'c1', '-n', 'keep', '-o', 'jsonpath={.data.a}']);
    assert.equal(cm.stdout, '1', cm.stderr);

    assert.equal((await kwire(home, ['delete'])).code, 0);
    assert.equal((await kwire(home, ['delete', '--name', 'two'])).code, 0);
    assert.equal(existsSync(join(home, 'kwire-home', 'kwire')), false);
    const after = YAML.parse(readFileSync(join(home, 'kubeconfig'), 'utf8'));
    assert.deepEqual(after.contexts.map((c: { name: string }) => c.name), ['other']);
    assert.equal(after.users[0].user.token, 'abc');
  } finally {
    await kwire(home, ['delete']);
    await kwire(home, ['delete', '--name', 'two']);
    rmSync(home, { recursive: true, force: true });
  }
});

test('bad flags are usage errors with exit code 2', async () => {
  const home = mkdtempSync(join(tmpdir(), 'kwire-cli-'));
  try {
    const r = await kwire(home, ['up', '--nodes', 'many']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--nodes must be a positive whole number/);
    const v = await kwire(home, ['up', '--kubernetes-version', '1.12']);
    assert.equal(v.code, 2);
    assert.match(v.stderr, /not supported/);
    const ip = await kwire(home, ['up', '--ingress-ports', '80']);
    assert.equal(ip.code, 2);
    assert.match(ip.stderr, /--ingress-ports must be HTTP,HTTPS/);
    const u = await kwire(home, ['frobnicate']);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /unknown command "frobnicate"/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

function createConfigMap(base: string, pki: { ca: string; cert: string; key: string }, name: string): Promise<number> {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { n: name } });
  return new Promise((resolve, reject) => {
    const u = new URL(`${base}/api/v1/namespaces/default/configmaps`);
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', ca: pki.ca, cert: pki.cert, key: pki.key, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('kill -9 during a burst of creates loses no acknowledged object', async () => {
  const home = mkdtempSync(join(tmpdir(), 'kwire-cli-'));
  try {
    assert.equal((await kwire(home, ['up', '-d'])).code, 0);
    const dir = join(home, 'kwire-home', 'kwire');
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    const pki = { ca: readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'), cert: readFileSync(join(dir, 'pki', 'admin.crt'), 'utf8'), key: readFileSync(join(dir, 'pki', 'admin.key'), 'utf8') };
    const acknowledged: string[] = [];
    let killed = false;
    const workers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; i < 400 && !killed; i++) {
        const name = `burst-${w}-${i}`;
        try {
          if ((await createConfigMap(state.apiServer, pki, name)) === 201) acknowledged.push(name);
        } catch {
          return; // the server is gone
        }
      }
    });
    while (acknowledged.length < 150) await new Promise((r) => setTimeout(r, 5));
    process.kill(state.pid, 'SIGKILL');
    killed = true;
    await Promise.all(workers);
    // The killed server is gone once signal 0 can no longer reach it.
    for (let i = 0; i < 200; i++) {
      try {
        process.kill(state.pid, 0);
        await new Promise((r) => setTimeout(r, 10));
      } catch {
        break;
      }
    }
    assert.ok(acknowledged.length >= 150);
    const restarted = await kwire(home, ['start']);
    assert.equal(restarted.code, 0, restarted.stderr);
    const listed = await kubectl(home, ['get', 'configmaps', '-n', 'default', '-o', 'name']);
    assert.equal(listed.code, 0, listed.stderr);
    const names = new Set(listed.stdout.trim().split('\n'));
    const lost = acknowledged.filter((n) => !names.has(`configmap/${n}`));
    assert.deepEqual(lost, []);
  } finally {
    await kwire(home, ['delete']);
    rmSync(home, { recursive: true, force: true });
  }
});
