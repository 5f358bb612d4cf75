/**
 * The networking lab (../shared/seed/) run as written, step by step, with the real
 * kubectl and curl against a kwire cluster, checking each step's outcome as the lab
 * states it. Shared by the per-kubectl-version test files.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import { startTestCluster, type TestCluster } from '../../src/testing/test-cluster.js';
import { run } from '../../src/testing/kubectl.js';

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

const NS = ['-n', 'networking-lab'];

export async function runLab(t: TestContext, version?: string): Promise<void> {
  const c: TestCluster = await startTestCluster();
  const k = (args: string[], input?: string) => c.kubectl(args, { version, input, timeoutMs: 60_000 });
  const ok = (args: string[], input?: string) => c.kubectlOk(args, { version, input, timeoutMs: 60_000 });
  const readyPods = async (label: string, n: number) =>
    waitFor(`${n} ready ${label} pods`, async () => {
      const list = JSON.parse(await ok(['get', 'pods', ...NS, '-l', label, '-o', 'json'])) as { items: Array<{ metadata: { name: string; deletionTimestamp?: string }; status: { podIP?: string; conditions?: Array<{ type: string; status: string }> } }> };
      const ready = list.items.filter((p) => !p.metadata.deletionTimestamp && p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
      return ready.length === n && list.items.length === n ? ready : undefined;
    });
  try {
    await t.test('step 1: namespace and backend pods', async () => {
      assert.equal((await ok(['create', 'namespace', 'networking-lab'])).trim(), 'namespace/networking-lab created');
      assert.equal((await ok(['apply', '-f', labFile('backend-deployment.yaml')])).trim(), 'deployment.apps/backend created');
      await readyPods('app=backend', 3);
      const out = await ok(['get', 'pods', ...NS, '-l', 'app=backend']);
      assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);
      assert.equal(out.trim().split('\n').filter((l) => /^backend-\S+\s+1\/1\s+Running\s+0\s+\S+$/.test(l)).length, 3, out);
    });

    let backendNames: string[] = [];
    await t.test('step 2: ClusterIP service load-balances across the backend pods', async () => {
      assert.equal((await ok(['apply', '-f', labFile('clusterip-service.yaml')])).trim(), 'service/backend-clusterip created');
      const svc = await ok(['get', 'svc', 'backend-clusterip', ...NS]);
      assert.match(svc, /^backend-clusterip\s+ClusterIP\s+10\.\d+\.\d+\.\d+\s+<none>\s+80\/TCP\s+\S+$/m);
      backendNames = (await ok(['get', 'pods', ...NS, '-l', 'app=backend', '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(/\s+/);
      const r = await ok(['run', 'test-pod', '--image=busybox', '--rm', '-i', '--restart=Never', ...NS, '--', 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do wget -qO- http://backend-clusterip; done']);
      const seen = new Set(r.split('\n').filter((l) => l.startsWith('Hello from Backend Pod: ')).map((l) => l.slice('Hello from Backend Pod: '.length)));
      assert.ok(seen.size >= 2, `answers from different backend pods: ${[...seen].join(', ')}`);
      for (const n of seen) assert.ok(backendNames.includes(n), `${n} is a backend pod`);
    });

    await t.test('step 3: service discovery with DNS in all three forms', async () => {
      const r = await ok(['run', 'dns-test', '--image=busybox', '--rm', '-i', '--restart=Never', ...NS, '--', 'sh', '-c',
        'nslookup backend-clusterip; wget -qO- http://backend-clusterip.networking-lab.svc.cluster.local; wget -qO- http://backend-clusterip; wget -qO- http://backend-clusterip.networking-lab']);
      const ip = (await ok(['get', 'svc', 'backend-clusterip', ...NS, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
      assert.match(r, /Server:\s+10\.96\.0\.10/);
      assert.match(r, new RegExp(`Name:\\s+backend-clusterip\\.networking-lab\\.svc\\.cluster\\.local\\nAddress: ${ip.replace(/\./g, '\\.')}`));
      assert.equal(r.split('\n').filter((l) => l.startsWith('Hello from Backend Pod: ')).length, 3, r);
    });

    await t.test('step 4: NodePort answers curl on every node IP', async () => {
      assert.equal((await ok(['apply', '-f', labFile('nodeport-service.yaml')])).trim(), 'service/backend-nodeport created');
      assert.match(await ok(['get', 'svc', 'backend-nodeport', ...NS]), /backend-nodeport\s+NodePort\s+\S+\s+<none>\s+80:30080\/TCP/);
      const nodes = await ok(['get', 'nodes', '-o', 'wide']);
      const ips = [...nodes.matchAll(/\s(127\.\d+\.\d+\.\d+)\s/g)].map((m) => m[1]!);
      assert.equal(ips.length, 3, nodes);
      for (const ip of ips) {
        const r = await waitFor(`NodePort on ${ip}`, async () => {
          const x = await curl([`http://${ip}:30080`]);
          return x.code === 0 ? x : undefined;
        });
        assert.match(r.stdout, /^Hello from Backend Pod: backend-/);
      }
    });

    await t.test('step 5: LoadBalancer gets an EXTERNAL-IP that answers', async () => {
      assert.equal((await ok(['apply', '-f', labFile('loadbalancer-service.yaml')])).trim(), 'service/backend-loadbalancer created');
      const ip = await waitFor('EXTERNAL-IP', async () => {
        const m = /backend-loadbalancer\s+LoadBalancer\s+\S+\s+(127\.\d+\.\d+\.\d+)\s+80:\d+\/TCP/.exec(await ok(['get', 'svc', 'backend-loadbalancer', ...NS]));
        return m?.[1];
      });
      const r = await waitFor('the EXTERNAL-IP to answer', async () => {
        const x = await curl([`http://${ip}/`]);
        return x.code === 0 ? x : undefined;
      });
      assert.match(r.stdout, /^Hello from Backend Pod: backend-/);
    });

    await t.test('step 6: frontend deployment', async () => {
      assert.deepEqual((await ok(['apply', '-f', labFile('frontend-deployment.yaml')])).trim().split('\n'), ['deployment.apps/frontend created', 'service/frontend-service created']);
      await readyPods('app=frontend', 2);
    });

    let ingressIp = '';
    await t.test('step 7: ingress host routing', async () => {
      const pods = await ok(['get', 'pods', '-n', 'ingress-nginx']);
      assert.match(pods, /ingress-nginx-controller-\S+\s+1\/1\s+Running/);
      assert.equal((await ok(['apply', '-f', labFile('ingress.yaml')])).trim(), 'ingress.networking.k8s.io/app-ingress created');
      ingressIp = await waitFor('the ingress controller EXTERNAL-IP', async () => {
        const m = /ingress-nginx-controller\s+LoadBalancer\s+\S+\s+(127\.\d+\.\d+\.\d+)\s/.exec(await ok(['get', 'svc', '-n', 'ingress-nginx']));
        return m?.[1];
      });
      const ing = await waitFor('the Ingress ADDRESS', async () => {
        const out = await ok(['get', 'ingress', ...NS]);
        return out.includes(ingressIp) ? out : undefined;
      });
      assert.match(ing, /^app-ingress\s+nginx\s+frontend\.local,backend\.local\s+127\.\d+\.\d+\.\d+\s+80\s+\S+$/m);
      const front = await waitFor('frontend.local', async () => {
        const x = await curl(['--resolve', `frontend.local:80:${ingressIp}`, 'http://frontend.local']);
        return x.stdout.includes('Welcome to nginx!') ? x : undefined;
      });
      assert.match(front.stdout, /<title>Welcome to nginx!<\/title>/);
      const back = await curl(['--resolve', `backend.local:80:${ingressIp}`, 'http://backend.local']);
      assert.match(back.stdout, /^Hello from Backend Pod: backend-/);
      // The same through the 127.0.0.1 ingress port, as the lab's /etc/hosts line would.
      const port = c.cluster.ingressPort('http');
      const viaLocal = await curl(['--resolve', `backend.local:${port}:127.0.0.1`, `http://backend.local:${port}`]);
      assert.equal(viaLocal.code, 0, `port ${port}: ${viaLocal.stderr}`);
      assert.match(viaLocal.stdout, /^Hello from Backend Pod: backend-/);
      const unknown = await curl(['-o', '/dev/null', '-w', '%{http_code}', '--resolve', `nothing.local:80:${ingressIp}`, 'http://nothing.local']);
      assert.equal(unknown.stdout, '404');
    });

    await t.test('step 8: path-based routing with rewrite-target', async () => {
      assert.equal((await ok(['apply', '-f', labFile('ingress-path-based.yaml')])).trim(), 'ingress.networking.k8s.io/path-based-ingress created');
      const front = await waitFor('app.local/frontend', async () => {
        const x = await curl(['--resolve', `app.local:80:${ingressIp}`, 'http://app.local/frontend']);
        return x.stdout.includes('Welcome to nginx!') ? x : undefined;
      });
      assert.match(front.stdout, /Welcome to nginx!/);
      const back = await curl(['--resolve', `app.local:80:${ingressIp}`, 'http://app.local/backend']);
      assert.match(back.stdout, /^Hello from Backend Pod: backend-/);
    });

    await t.test('step 9: deny-all makes the request time out', async () => {
      assert.equal((await ok(['label', 'namespace', 'networking-lab', 'environment=test'])).trim(), 'namespace/networking-lab labeled');
      assert.equal((await ok(['apply', '-f', labFile('deny-all-policy.yaml')])).trim(), 'networkpolicy.networking.k8s.io/deny-all created');
      const t0 = Date.now();
      const r = await k(['run', 'test-pod', '--image=busybox', '--rm', '-i', '--restart=Never', ...NS, '--', 'wget', '-qO-', 'http://backend-clusterip', '--timeout=5']);
      assert.notEqual(r.code, 0, 'the request fails');
      assert.ok(Date.now() - t0 >= 4500, 'it waited for its timeout, as a dropped packet makes it');
      assert.doesNotMatch(r.stdout, /Hello from Backend Pod/);
      // DNS is blocked by the egress deny too, as on a real cluster.
      assert.match(r.stdout + r.stderr, /bad address 'backend-clusterip'|download timed out/);
    });

    await t.test('step 10: selective policies: frontend reaches backend, other pods do not', async () => {
      assert.deepEqual((await ok(['apply', '-f', labFile('allow-frontend-to-backend.yaml')])).trim().split('\n'), [
        'networkpolicy.networking.k8s.io/allow-frontend-to-backend created',
        'networkpolicy.networking.k8s.io/allow-ingress-to-frontend created',
        'networkpolicy.networking.k8s.io/allow-dns-egress created',
      ]);
      const list = await ok(['get', 'networkpolicies', ...NS]);
      for (const n of ['deny-all', 'allow-frontend-to-backend', 'allow-ingress-to-frontend', 'allow-dns-egress']) assert.match(list, new RegExp(`^${n}\\s`, 'm'));
      const r = await ok(['exec', 'deployment/frontend', ...NS, '--', 'curl', '-s', 'http://backend-clusterip', '--max-time', '5']);
      assert.match(r, /^Hello from Backend Pod: backend-/);
      const other = await k(['run', 'other-pod', '--image=busybox', '--rm', '-i', '--restart=Never', ...NS, '--', 'wget', '-qO-', 'http://backend-clusterip', '--timeout=3']);
      assert.notEqual(other.code, 0);
      assert.match(other.stdout + other.stderr, /download timed out/);
      // The lab's ingress-to-frontend policy selects a namespace label nobody has: new
      // connections from the ingress controller to the frontend are dropped.
      const engine = c.cluster.policyEngine;
      const ctrl = engine.listPods().find((p) => p.namespace === 'ingress-nginx')!;
      const front = engine.listPods().find((p) => p.namespace === 'networking-lab' && p.labels['app'] === 'frontend')!;
      const d = engine.decide({ src: { kind: 'pod', namespace: ctrl.namespace, name: ctrl.name }, dst: { kind: 'pod', namespace: front.namespace, name: front.name }, port: 80, protocol: 'TCP' });
      assert.equal(d.allowed, false);
      assert.deepEqual(d.ingress.selectedBy.map((p) => p.name).sort(), ['allow-ingress-to-frontend', 'deny-all']);
    });

    await t.test('step 11: deleting the namespace releases its listeners', async () => {
      assert.match(await ok(['delete', 'namespace', 'networking-lab'], undefined), /namespace "networking-lab" deleted/);
      const left = c.cluster.listeners().filter((l) => l.what.includes('networking-lab'));
      assert.deepEqual(left, []);
      const r = await curl([`http://${[...c.cluster.nodeIps.values()][1]}:30080`]);
      assert.notEqual(r.code, 0, 'the NodePort is closed');
    });
  } finally {
    await c.stop();
  }
}

export const LAB_TEXT = (): string => readFileSync(labFile('backend-deployment.yaml'), 'utf8');
