/**
 * End-to-end: Deployment rollouts with the real kubectl. The frontend (nginx:1.21,
 * two replicas, maxUnavailable 0, a readiness probe so new pods take a moment) is
 * rolled to nginx:1.25, undone, restarted; every pod and Deployment change is watched
 * in-process and at no moment are fewer than two pods ready. `kubectl rollout status`
 * finishes, `rollout history` lists the revisions, `rollout undo` brings the old
 * template back under a new revision number (the old ReplicaSet, reused), `rollout
 * restart` replaces every pod, and a deleted pod is replaced by its ReplicaSet.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster } from '../../src/testing/test-cluster.js';
import { R, inform } from '../../src/controllers/informer.js';
import type { KObject } from '../../src/store/store.js';
import { NS, podsOf, readyPods, waitFor } from './workloads-support.js';

const FRONTEND = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: frontend
  namespace: networking-lab
spec:
  replicas: 2
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  selector:
    matchLabels:
      app: frontend
  template:
    metadata:
      labels:
        app: frontend
    spec:
      containers:
      - name: nginx
        image: nginx:1.21
        ports:
        - containerPort: 80
        readinessProbe:
          httpGet:
            path: /
            port: 80
          initialDelaySeconds: 1
          periodSeconds: 1
`;

interface PodView {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: string };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

/** Watches the frontend's pods and Deployment status in-process: every change is seen. */
function watchReadiness(c: Awaited<ReturnType<typeof startTestCluster>>) {
  const ready = new Map<string, { ready: boolean; terminating: boolean }>();
  const samples: Array<{ at: number; ready: number; pods: number }> = [];
  let minReady = Infinity;
  let maxPods = 0;
  let minAvailable = Infinity;
  let primed = false;
  const stopPods = inform(c.cluster.registry, R.pods, (type, o: Readonly<KObject>) => {
    const p = o as unknown as PodView;
    if (p.metadata.namespace !== 'networking-lab' || p.metadata.labels?.['app'] !== 'frontend') return;
    if (type === 'DELETED') ready.delete(p.metadata.name);
    else {
      const terminating = !!p.metadata.deletionTimestamp;
      ready.set(p.metadata.name, { terminating, ready: !terminating && !!p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') });
    }
    if (primed) sample();
  });
  // The list that primes the informer comes one pod at a time: count from the full picture on.
  const sample = () => {
    const n = [...ready.values()].filter((x) => x.ready).length;
    const live = [...ready.values()].filter((x) => !x.terminating).length;
    samples.push({ at: Date.now(), ready: n, pods: live });
    minReady = Math.min(minReady, n);
    maxPods = Math.max(maxPods, live);
  };
  primed = true;
  sample();
  const stopDeploy = inform(c.cluster.registry, R.deployments, (type, o) => {
    if (type === 'DELETED' || o.metadata.namespace !== 'networking-lab' || o.metadata.name !== 'frontend') return;
    const available = (o['status'] as { availableReplicas?: number } | undefined)?.availableReplicas ?? 0;
    minAvailable = Math.min(minAvailable, available);
  });
  return {
    get minReady() {
      return minReady;
    },
    get maxPods() {
      return maxPods;
    },
    get minAvailable() {
      return minAvailable;
    },
    samples,
    stop() {
      stopPods();
      stopDeploy();
    },
  };
}

const names = (pods: Array<{ metadata: { name: string } }>) => pods.map((p) => p.metadata.name).sort();

test('rollouts keep pods ready; history, undo and restart; the ReplicaSet replaces a deleted pod', { timeout: 240_000 }, async (t) => {
  const c = await startTestCluster();
  const ok = (args: string[]) => c.kubectlOk(args, { timeoutMs: 90_000 });
  try {
    await ok(['create', 'namespace', 'networking-lab']);
    assert.equal((await ok(['apply', '-f', c.file('frontend.yaml', FRONTEND)])).trim(), 'deployment.apps/frontend created');
    assert.match(await ok(['rollout', 'status', 'deployment/frontend', ...NS, '--timeout=60s']), /deployment "frontend" successfully rolled out/);
    let pods = await readyPods(c, 'app=frontend', 2);

    await t.test('changing the image tag rolls out with no moment at zero ready pods', async () => {
      const w = watchReadiness(c);
      try {
        assert.equal(w.minReady, 2, 'both pods ready before the rollout');
        assert.equal((await ok(['set', 'image', 'deployment/frontend', 'nginx=nginx:1.25', ...NS])).trim(), 'deployment.apps/frontend image updated');
        const status = await ok(['rollout', 'status', 'deployment/frontend', ...NS, '--timeout=60s']);
        assert.match(status, /Waiting for deployment "frontend" rollout to finish/, 'it had to wait for the new pods');
        assert.match(status, /deployment "frontend" successfully rolled out\n$/);
        const now = await readyPods(c, 'app=frontend', 2);
        assert.equal(names(now).filter((n) => names(pods).includes(n)).length, 0, 'every pod was replaced');
        pods = now;
        assert.ok(w.minReady >= 2, `maxUnavailable 0: ready pods went down to ${w.minReady}: ${JSON.stringify(w.samples)}`);
        assert.ok(w.minReady > 0);
        assert.ok(w.minAvailable >= 2, `Deployment availableReplicas went down to ${w.minAvailable}`);
        assert.equal(w.maxPods, 3, `maxSurge 1: one extra pod at a time: ${JSON.stringify(w.samples)}`);
      } finally {
        w.stop();
      }
      const v = await c.kubectl(['exec', 'deployment/frontend', ...NS, '--', 'nginx', '-v']);
      assert.match(v.stderr, /^nginx version: nginx\/1\.25\.\d+\n$/);
      const dep = await ok(['get', 'deployment', 'frontend', ...NS]);
      assert.match(dep, /^frontend\s+2\/2\s+2\s+2\s+\S+$/m);
    });

    let firstRs = '';
    await t.test('rollout history lists both revisions', async () => {
      const h = await ok(['rollout', 'history', 'deployment/frontend', ...NS]);
      assert.match(h, /^deployment\.apps\/frontend \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n\n$/, h);
      const r1 = await ok(['rollout', 'history', 'deployment/frontend', ...NS, '--revision=1']);
      assert.match(r1, /Image:\s+nginx:1\.21\n/);
      const rs = await ok(['get', 'rs', ...NS, '-l', 'app=frontend', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.metadata.annotations.deployment\\.kubernetes\\.io/revision} {.spec.replicas}{"\\n"}{end}']);
      const rows = rs.trim().split('\n').map((l) => l.split(' '));
      assert.equal(rows.length, 2, rs);
      firstRs = rows.find((r) => r[1] === '1')![0]!;
      assert.equal(rows.find((r) => r[1] === '1')![2], '0');
      assert.equal(rows.find((r) => r[1] === '2')![2], '2');
    });

    await t.test('rollout undo brings the old template back as a new revision', async () => {
      const w = watchReadiness(c);
      try {
        assert.equal((await ok(['rollout', 'undo', 'deployment/frontend', ...NS])).trim(), 'deployment.apps/frontend rolled back');
        assert.match(await ok(['rollout', 'status', 'deployment/frontend', ...NS, '--timeout=60s']), /successfully rolled out\n$/);
        assert.ok(w.minReady >= 2, `ready pods went down to ${w.minReady}: ${JSON.stringify(w.samples)}`);
        assert.ok(w.maxPods <= 3, `maxSurge 1: ${JSON.stringify(w.samples)}`);
      } finally {
        w.stop();
      }
      assert.equal((await ok(['get', 'deployment', 'frontend', ...NS, '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).trim(), 'nginx:1.21');
      const h = await ok(['rollout', 'history', 'deployment/frontend', ...NS]);
      assert.match(h, /^REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/m, h);
      assert.doesNotMatch(h, /^1\s/m, 'revision 1 became revision 3');
      // The revision-1 ReplicaSet is the one running again, with revision 3.
      const rs = await ok(['get', 'rs', firstRs, ...NS, '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision} {.status.readyReplicas}']);
      assert.equal(rs.trim(), '3 2');
      assert.equal((await ok(['get', 'rs', ...NS, '-o', 'name'])).trim().split('\n').length, 2, 'no new ReplicaSet');
      const v = await c.kubectl(['exec', 'deployment/frontend', ...NS, '--', 'nginx', '-v']);
      assert.match(v.stderr, /^nginx version: nginx\/1\.21\.6\n$/);
      pods = await readyPods(c, 'app=frontend', 2);
    });

    await t.test('rollout restart replaces every pod', async () => {
      const before = names(pods);
      const w = watchReadiness(c);
      try {
        assert.equal((await ok(['rollout', 'restart', 'deployment/frontend', ...NS])).trim(), 'deployment.apps/frontend restarted');
        assert.match(await ok(['rollout', 'status', 'deployment/frontend', ...NS, '--timeout=60s']), /successfully rolled out\n$/);
        assert.ok(w.minReady >= 2, `ready pods went down to ${w.minReady}: ${JSON.stringify(w.samples)}`);
        assert.ok(w.maxPods <= 3, `maxSurge 1: ${JSON.stringify(w.samples)}`);
      } finally {
        w.stop();
      }
      const after = await readyPods(c, 'app=frontend', 2);
      assert.equal(names(after).filter((n) => before.includes(n)).length, 0, `new pods: ${names(after)} vs ${before}`);
      const restartedAt = await ok(['get', 'deployment', 'frontend', ...NS, '-o', 'jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}']);
      assert.match(restartedAt, /^\d{4}-\d\d-\d\dT/);
      assert.match(await ok(['rollout', 'history', 'deployment/frontend', ...NS]), /^4\s+<none>$/m);
      pods = after;
    });

    await t.test('deleting a pod: the ReplicaSet replaces it', async () => {
      const victim = pods[0]!.metadata.name;
      assert.equal((await ok(['delete', 'pod', victim, ...NS])).trim(), `pod "${victim}" deleted`);
      const now = await waitFor('a replacement pod', async () => {
        const list = await podsOf(c, 'app=frontend');
        const live = list.filter((p) => !p.metadata.deletionTimestamp);
        return live.length === 2 && !names(live).includes(victim) && live.every((p) => p.status.phase === 'Running') ? live : undefined;
      });
      assert.ok(names(now).includes(pods[1]!.metadata.name), 'the other pod stays');
      const table = await ok(['get', 'pods', ...NS, '-l', 'app=frontend']);
      assert.doesNotMatch(table, new RegExp(victim));
      pods = now;
    });

    await t.test('kubectl drain evicts the pods of a node; the ReplicaSet places them elsewhere; uncordon', async () => {
      const node = pods[0]!.spec?.nodeName;
      assert.ok(node, 'a scheduled pod');
      const out = await c.kubectlOk(['drain', node, '--ignore-daemonsets', '--timeout=60s'], { timeoutMs: 90_000 });
      assert.match(out, new RegExp(`^node/${node} cordoned$`, 'm'));
      for (const p of pods.filter((x) => x.spec?.nodeName === node)) assert.match(out, new RegExp(`^pod/${p.metadata.name} evicted$`, 'm'));
      assert.match(out, new RegExp(`^node/${node} drained$`, 'm'));
      assert.match(await ok(['get', 'node', node, '--no-headers']), /\sReady,SchedulingDisabled\s/);
      const moved = await waitFor('the Deployment ready again, off the drained node', async () => {
        const live = (await podsOf(c, 'app=frontend')).filter((p) => !p.metadata.deletionTimestamp);
        return live.length === 2 && live.every((p) => p.status.phase === 'Running' && p.spec?.nodeName !== node) ? live : undefined;
      });
      assert.equal(moved.length, 2);
      // An eviction of a pod that does not exist, and one whose body names another pod, as kube-apiserver answers them.
      const missing = await c.kubectl(['create', '--raw', `/api/v1/namespaces/networking-lab/pods/nope/eviction`, '-f', c.file('evict-nope.json', JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'nope', namespace: 'networking-lab' } }))]);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /pods "nope" not found/);
      const other = await c.kubectl(['create', '--raw', `/api/v1/namespaces/networking-lab/pods/${moved[0]!.metadata.name}/eviction`, '-f', c.file('evict-other.json', JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'someone-else' } }))]);
      assert.notEqual(other.code, 0);
      assert.match(other.stderr, /name in URL does not match name in Eviction object/);
      assert.equal((await ok(['uncordon', node])).trim(), `node/${node} uncordoned`);
      assert.doesNotMatch(await ok(['get', 'node', node, '--no-headers']), /SchedulingDisabled/);
    });
  } finally {
    await c.stop();
  }
});
