/**
 * @module test/e2e/lab-command.test
 * End-to-end: `kwire lab networking` as a user runs it (the compiled bin, a
 * temporary KWIRE_HOME, HOME and KUBECONFIG): the whole lab holds, exit 0, a
 * summary line per step, the cluster gone afterwards and the user's kubeconfig
 * untouched; usage errors exit 2 and make no cluster; `--step 7 --keep` sets up
 * steps 1-6 silently and keeps the cluster, on which `kwire service`, `kwire
 * hosts --write/--remove` and `kwire addons disable/enable ingress` are checked
 * against real sockets with curl.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec, type RunResult } from '../../src/cli/lab/exec.js';
import { waitFor } from './lab-scenario.js';

const BIN = fileURLToPath(new URL('../../../bin/kwire.js', import.meta.url));

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

function home(): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(join(tmpdir(), 'kwire-lab-'));
  writeFileSync(join(dir, 'kubeconfig'), OTHER);
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: dir, KWIRE_HOME: join(dir, 'kwire-home'), KUBECONFIG: join(dir, 'kubeconfig') };
  delete env['KWIRE_CLUSTER'];
  return { dir, env };
}

const kwire = (env: NodeJS.ProcessEnv, args: string[], timeoutMs = 60_000): Promise<RunResult> => exec(process.execPath, [BIN, ...args], { env, timeoutMs });

function clustersIn(env: NodeJS.ProcessEnv): string[] {
  const h = env['KWIRE_HOME']!;
  return existsSync(h) ? readdirSync(h) : [];
}

test('kwire lab networking: every step holds, exit 0, the cluster deleted, the kubeconfig untouched', { timeout: 180_000 }, async () => {
  const { dir, env } = home();
  try {
    const t0 = Date.now();
    const r = await kwire(env, ['lab', 'networking'], 150_000);
    const took = Date.now() - t0;
    assert.equal(r.code, 0, r.output);
    const out = r.stdout;
    assert.match(out, /^kwire lab networking: "Kubernetes Networking: Services, Ingress, and Network Policies", 11 steps, unattended$/m);
    // A progress line per step, then the summary with all eleven.
    for (let n = 1; n <= 11; n++) assert.match(out, new RegExp(`^\\[${n}/11\\] ✓ holds: `, 'm'), `step ${n}`);
    const summary = out.slice(out.indexOf('\nsummary\n'));
    const rows = summary.split('\n').filter((l) => /^ {2}[✓✗·-] +\d+ {2}/.test(l));
    assert.equal(rows.length, 11, summary);
    assert.ok(rows.every((l) => l.startsWith('  ✓')), summary);
    assert.match(out, /^kwire lab networking: 11\/11 steps hold \(\d+\.\d s; cluster lab-[a-z0-9]{4} deleted\)$/m);
    // The adapted commands say why.
    assert.match(out, /^ {2}adapted: the lab opens a shell to type in/m);
    assert.match(out, /^ {2}\$ kwire service backend-nodeport -n networking-lab --url$/m);
    assert.match(out, /^ {2}\$ curl -s --resolve frontend\.local:80:127\.0\.\d+\.100 http:\/\/frontend\.local$/m);
    // Gone afterwards; the user's kubeconfig and current context untouched.
    assert.deepEqual(clustersIn(env), []);
    assert.equal(readFileSync(join(dir, 'kubeconfig'), 'utf8'), OTHER);
    // The goal is well under 20 s on an idle machine; a loaded shared one gets slack.
    assert.ok(took < 60_000, `took ${took} ms`);
  } finally {
    for (const n of clustersIn(env)) await kwire(env, ['delete', '--name', n]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kwire lab: usage errors exit 2 and make no cluster', { timeout: 60_000 }, async () => {
  const { dir, env } = home();
  try {
    const r = await kwire(env, ['lab', 'networking', '--step', '99']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^kwire lab: --step must be a step number from 1 to 11, not "99"$/m);
    assert.match(r.stderr, /^Usage: kwire lab networking/m);
    assert.equal((await kwire(env, ['lab', 'networking', '--step', 'x'])).code, 2);
    const none = await kwire(env, ['lab']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /which lab\? one of: networking/);
    const other = await kwire(env, ['lab', 'storage']);
    assert.equal(other.code, 2);
    assert.match(other.stderr, /no lab named "storage"; the labs: networking/);
    assert.equal((await kwire(env, ['lab', 'networking', '--bogus'])).code, 2);
    assert.equal((await kwire(env, ['lab', 'networking', '--name', 'Bad_Name'])).code, 2);
    const help = await kwire(env, ['lab', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--interactive/);
    assert.deepEqual(clustersIn(env), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kwire lab networking --step 7 --keep, then kwire service, hosts and addons on the kept cluster', { timeout: 180_000 }, async () => {
  const { dir, env } = home();
  const name = 'lab-e2e';
  const on = { ...env, KWIRE_CLUSTER: name };
  try {
    const r = await kwire(env, ['lab', 'networking', '--step', '7', '--keep', '--name', name], 150_000);
    assert.equal(r.code, 0, r.output);
    assert.match(r.stdout, /^setting up steps 1-6 silently/m);
    assert.doesNotMatch(r.stdout, /── step [1-6]\//);
    assert.match(r.stdout, /^── step 7\/11: Configure Ingress /m);
    assert.match(r.stdout, /^ {2}· {2}1 {2}Set Up the Lab Environment\s+set up silently$/m);
    assert.match(r.stdout, /^ {2}✓ {2}7 {2}Configure Ingress\s+\d+\.\d s$/m);
    assert.match(r.stdout, /^kwire lab networking: 1\/1 step holds \(\d+\.\d s\)$/m);
    assert.match(r.stdout, /^the cluster is kept: export KUBECONFIG=.*\/lab-e2e\/kubeconfig/m);

    // A second lab on the same name refuses: a lab needs a fresh cluster.
    const again = await kwire(env, ['lab', 'networking', '--step', '1', '--name', name]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /a cluster named "lab-e2e" already exists/);

    const st = JSON.parse((await kwire(on, ['status', '-o', 'json'])).stdout) as { running: boolean; nodes: Array<{ internalIP: string }> };
    assert.equal(st.running, true);
    const ips = st.nodes.map((n) => n.internalIP);

    // kwire service: NodePort URLs answer; LoadBalancer in a table; ClusterIP explains.
    const np = await kwire(on, ['service', 'backend-nodeport', '-n', 'networking-lab', '--url']);
    assert.equal(np.code, 0, np.stderr);
    assert.deepEqual(np.stdout.trim().split('\n'), ips.map((ip) => `http://${ip}:30080`));
    for (const url of np.stdout.trim().split('\n')) {
      const c = await exec('curl', ['-s', '--max-time', '10', url]);
      assert.match(c.stdout, /^Hello from Backend Pod: backend-/, url);
    }
    const lb = await kwire(on, ['service', 'backend-loadbalancer', '-n', 'networking-lab']);
    assert.equal(lb.code, 0, lb.stderr);
    assert.match(lb.stdout, /^NAMESPACE\s+NAME\s+TYPE\s+PORT\s+URL\n/);
    const lbUrl = /^networking-lab\s+backend-loadbalancer\s+LoadBalancer\s+80:\d+\s+(http:\/\/127\.0\.\d+\.101:80)$/m.exec(lb.stdout)?.[1];
    assert.ok(lbUrl, lb.stdout);
    assert.match((await exec('curl', ['-s', '--max-time', '10', lbUrl])).stdout, /^Hello from Backend Pod: /);
    const cip = await kwire(on, ['service', 'backend-clusterip', '-n', 'networking-lab', '--url']);
    assert.equal(cip.code, 1);
    assert.equal(cip.stdout, '');
    assert.match(cip.stderr, /is of type ClusterIP: it is reachable only inside the cluster/);
    assert.match(cip.stderr, /kubectl port-forward -n networking-lab service\/backend-clusterip 8080:80/);
    const missing = await kwire(on, ['service', 'nope', '-n', 'networking-lab']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error from server (NotFound): services "nope" not found\n');

    // kwire hosts: the line, then a block written into and removed from a copy of a hosts file.
    const ctl = await kwire(on, ['service', 'ingress-nginx-controller', '-n', 'ingress-nginx', '--url']);
    const ingressIp = /^http:\/\/(127\.0\.\d+\.100):80\nhttps:\/\/127\.0\.\d+\.100:443$/.exec(ctl.stdout.trim())?.[1];
    assert.ok(ingressIp, ctl.stdout + ctl.stderr);
    // 127.0.0.1 when this cluster got 127.0.0.1:80 (nothing else on this machine had it), else the EXTERNAL-IP.
    const line = await kwire(on, ['hosts']);
    assert.equal(line.code, 0, line.stderr);
    const m = /^(127\.0\.0\.1|127\.0\.\d+\.100) frontend\.local backend\.local$/.exec(line.stdout.trim());
    assert.ok(m, line.stdout + line.stderr);
    const hostsIp = m[1]!;
    if (hostsIp !== '127.0.0.1') assert.equal(hostsIp, ingressIp);
    const file = join(dir, 'hosts');
    const original = '127.0.0.1 localhost\n10.1.2.3 frontend.local\n';
    writeFileSync(file, original);
    const w = await kwire(on, ['hosts', '--write', '--file', file]);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(readFileSync(file, 'utf8'), `${original}# BEGIN kwire (cluster lab-e2e)\n${hostsIp} frontend.local backend.local\n# END kwire\n`);
    assert.match(w.stdout, /^kwire hosts: added the block for cluster "lab-e2e" in .*hosts:\n\+ # BEGIN kwire \(cluster lab-e2e\)\n/);
    assert.match(w.stderr, /line 2 of .* also names one of these hosts \(not kwire's; left as is\): 10\.1\.2\.3 frontend\.local/);
    const same = await kwire(on, ['hosts', '--write', '--file', file]);
    assert.match(same.stdout, /nothing changed/);
    const rm = await kwire(on, ['hosts', '--remove', '--file', file]);
    assert.equal(rm.code, 0);
    assert.equal(readFileSync(file, 'utf8'), original);

    // kwire addons: listed, then the ingress disabled (the controller scaled to 0: nothing answers) and enabled again.
    const list = await kwire(on, ['addons']);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^coredns\s+kube-system\s+enabled\s+2\/2\s+cluster DNS: Service kube-dns 10\.96\.0\.10/m);
    assert.match(list.stdout, new RegExp(`^ingress-nginx\\s+ingress-nginx\\s+enabled\\s+1/1\\s+ingress controller: EXTERNAL-IP ${ingressIp.replace(/\./g, '\\.')}`, 'm'));
    const viaIngress = () => exec('curl', ['-s', '--max-time', '3', '--resolve', `backend.local:80:${ingressIp}`, 'http://backend.local']);
    assert.match((await viaIngress()).stdout, /^Hello from Backend Pod: /);
    const off = await kwire(on, ['addons', 'disable', 'ingress']);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(
      off.stdout,
      'kwire addons: disabled ingress-nginx: scaled Deployment ingress-nginx/ingress-nginx-controller from 1 to 0 replicas; Ingress objects stay, but nothing answers for them until `kwire addons enable ingress-nginx`\n',
    );
    assert.match((await kwire(on, ['addons', 'disable', 'ingress-nginx'])).stdout, /already disabled/);
    await waitFor('the ingress to stop answering', async () => ((await viaIngress()).stdout.includes('Hello') ? undefined : true));
    assert.match((await kwire(on, ['addons', 'list'])).stdout, /^ingress-nginx\s+ingress-nginx\s+disabled\s+0\/0\s/m);
    const onAgain = await kwire(on, ['addons', 'enable', 'ingress']);
    assert.equal(onAgain.stdout, 'kwire addons: enabled ingress-nginx: scaled Deployment ingress-nginx/ingress-nginx-controller from 0 to 1 replica\n');
    await waitFor('the ingress to answer again', async () => ((await viaIngress()).stdout.includes('Hello from Backend Pod') ? true : undefined));
    const bad = await kwire(on, ['addons', 'enable', 'metallb']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no add-on named "metallb"; kwire's add-ons: coredns, ingress-nginx/);
  } finally {
    await kwire(env, ['delete', '--name', name]);
    for (const n of clustersIn(env)) await kwire(env, ['delete', '--name', n]);
    rmSync(dir, { recursive: true, force: true });
  }
});
