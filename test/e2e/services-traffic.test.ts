/**
 * @module test/e2e/services-traffic
 * "Services for real", the traffic half, with the real kubectl and curl:
 *
 * - 300 requests from a busybox pod through the ClusterIP reach all three
 *   backends, each within what a fair uniform choice gives (a chi-square test
 *   of the per-pod counts at p = 0.001, not a fixed split);
 * - `kubectl scale --replicas=1` while a pod keeps requesting: every flow goes
 *   to an endpoint the EndpointSlice lists as usable at that moment, so none
 *   reaches a removed pod once its endpoint is gone. A request may still be
 *   refused just before that, when the kubelet has stopped a container whose
 *   endpoint is still listed: the race real clusters have without a preStop
 *   delay; the test checks every failure is exactly that. Scaling back to 3
 *   brings all three back;
 * - `sessionAffinity: ClientIP` pins each client pod to one backend;
 * - `externalTrafficPolicy: Local` on a NodePort, from the host with real
 *   curl on each node IP: only the node with the endpoint answers (the others
 *   drop: curl times out), and agnhost's `/clientip` shows curl's own address;
 *   with `Cluster` the backend sees the receiving node's IP instead;
 * - from inside a pod (`kubectl exec` + busybox wget), every nodeIP:NodePort
 *   reaches the Service in-process (one flow from the pod, SNAT to the node
 *   dialled, no host socket in between), a node IP port with nothing on it is
 *   refused, a LoadBalancer IP reaches the Service too, and a NetworkPolicy
 *   denying ingress to the backend drops the NodePort flow (wget times out).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceKey, type KObject } from '../../src/store/store.js';
import type { FlowRecord } from '../../src/dataplane/index.js';
import { startTestCluster, type TestCluster } from '../../src/testing/test-cluster.js';
import { curl, waitFor } from './lab-scenario.js';

const NS = ['-n', 'svc-traffic'];
const HELLO = 'Hello from Backend Pod: ';

const BACKEND = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: backend
  namespace: svc-traffic
spec:
  replicas: 3
  selector:
    matchLabels:
      app: backend
  template:
    metadata:
      labels:
        app: backend
    spec:
      containers:
      - name: backend
        image: hashicorp/http-echo:latest
        args: ["-text=${HELLO}$(HOSTNAME)", "-listen=:8080"]
        ports:
        - containerPort: 8080
        env:
        - name: HOSTNAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
---
apiVersion: v1
kind: Service
metadata:
  name: backend-clusterip
  namespace: svc-traffic
spec:
  selector:
    app: backend
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: backend-sticky
  namespace: svc-traffic
spec:
  selector:
    app: backend
  sessionAffinity: ClientIP
  ports:
  - port: 80
    targetPort: 8080
`;

const NETEXEC = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: netexec
  namespace: svc-traffic
spec:
  replicas: 1
  selector:
    matchLabels:
      app: netexec
  template:
    metadata:
      labels:
        app: netexec
    spec:
      containers:
      - name: agnhost
        image: registry.k8s.io/e2e-test-images/agnhost:2.47
        args: ["netexec", "--http-port=8080"]
---
apiVersion: v1
kind: Service
metadata:
  name: netexec-local
  namespace: svc-traffic
spec:
  type: NodePort
  externalTrafficPolicy: Local
  selector:
    app: netexec
  ports:
  - port: 80
    targetPort: 8080
`;

const NODEPORT_APP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: np-backend
  namespace: svc-traffic
spec:
  replicas: 1
  selector:
    matchLabels:
      app: np-backend
  template:
    metadata:
      labels:
        app: np-backend
    spec:
      containers:
      - name: backend
        image: hashicorp/http-echo:latest
        args: ["-text=np-backend answers", "-listen=:8080"]
---
apiVersion: v1
kind: Service
metadata:
  name: np-backend
  namespace: svc-traffic
spec:
  type: NodePort
  selector:
    app: np-backend
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: np-client
  namespace: svc-traffic
spec:
  containers:
  - name: client
    image: busybox
    command: ["sleep", "3600"]
`;

const DENY_NP_BACKEND = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-np-backend
  namespace: svc-traffic
spec:
  podSelector:
    matchLabels:
      app: np-backend
  policyTypes: ["Ingress"]
`;

/**
 * Pearson's chi-square statistic of `counts` against a uniform split. For k = 3
 * categories (2 degrees of freedom) the survival function is exp(-x/2), so the
 * critical value at significance p is -2 ln p (13.8155 at p = 0.001).
 */
function chiSquareUniform(counts: ReadonlyArray<number>): number {
  const n = counts.reduce((a, b) => a + b, 0);
  const e = n / counts.length;
  return counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
}
const CRITICAL_DF2_P001 = -2 * Math.log(0.001);

function answers(out: string): string[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith(HELLO))
    .map((l) => l.slice(HELLO.length).trim());
}

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { podIP?: string; conditions?: Array<{ type: string; status: string }> };
}

async function readyPods(c: TestCluster, label: string, n: number): Promise<PodJson[]> {
  return waitFor(
    `${n} ready ${label} pods`,
    async () => {
      const list = JSON.parse(await c.kubectlOk(['get', 'pods', ...NS, '-l', label, '-o', 'json'])) as { items: PodJson[] };
      const ready = list.items.filter((p) => !p.metadata.deletionTimestamp && p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'));
      return ready.length === n && list.items.length === n ? ready : undefined;
    },
    60_000,
  );
}

/** The ready endpoint IPs of a Service, per `kubectl get endpointslices`. */
async function sliceReadyIps(c: TestCluster, service: string): Promise<string[]> {
  const out = JSON.parse(await c.kubectlOk(['get', 'endpointslices', ...NS, '-l', `kubernetes.io/service-name=${service}`, '-o', 'json'])) as {
    items: Array<{ endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean } }> }>;
  };
  return out.items.flatMap((s) => (s.endpoints ?? []).filter((e) => e.conditions?.ready === true).map((e) => e.addresses[0]!)).sort();
}

/** Runs `script` in a throwaway busybox pod and returns its output. */
async function inPod(c: TestCluster, name: string, script: string): Promise<string> {
  return c.kubectlOk(['run', name, '--image=busybox', '--rm', '-i', '--restart=Never', ...NS, '--', 'sh', '-c', script], { timeoutMs: 120_000 });
}

test('Services for real: uniform load balancing, scale down/up, session affinity, externalTrafficPolicy Local, NodePorts from pods', async (t) => {
  const c = await startTestCluster({ ephemeral: true });
  try {
    await c.kubectlOk(['create', 'namespace', 'svc-traffic']);
    await c.kubectlOk(['apply', '-f', '-'], { input: BACKEND });
    let pods = await readyPods(c, 'app=backend', 3);
    await waitFor('three ready endpoints', async () => ((await sliceReadyIps(c, 'backend-clusterip')).length === 3 ? true : undefined));

    await t.test('300 requests through the ClusterIP: all three backends, counts consistent with a uniform choice (chi-square, p = 0.001)', async () => {
      const out = await inPod(c, 'loop', 'for i in $(seq 300); do wget -qO- http://backend-clusterip; done');
      const got = answers(out);
      assert.equal(got.length, 300, `every request answered:\n${out.slice(0, 2000)}`);
      const names = pods.map((p) => p.metadata.name);
      const counts = names.map((n) => got.filter((g) => g === n).length);
      assert.equal(counts.reduce((a, b) => a + b, 0), 300, `answers only from the backend pods: ${[...new Set(got)].join(', ')}`);
      for (const [i, n] of counts.entries()) assert.ok(n > 0, `${names[i]} answered`);
      const x2 = chiSquareUniform(counts);
      assert.ok(x2 < CRITICAL_DF2_P001, `counts ${counts.join('/')} give chi-square ${x2.toFixed(2)} >= ${CRITICAL_DF2_P001.toFixed(2)}: not a uniform choice`);
    });

    await t.test('scale to 1 under load: no flow reaches a pod whose endpoint is gone; scaling back to 3 brings all three back', async (st) => {
      const svcIp = (await c.kubectlOk(['get', 'svc', 'backend-clusterip', ...NS, '-o', 'jsonpath={.spec.clusterIP}'])).trim();
      // One ordered timeline, written synchronously by the store's watch (slice changes) and the
      // dataplane (flows): JavaScript runs one at a time, so the order is exact.
      type Entry = { kind: 'slice'; name: string; usable: string[] } | { kind: 'flow'; rec: FlowRecord };
      const timeline: Entry[] = [];
      const stopWatch = c.cluster.registry.store.watch(resourceKey('discovery.k8s.io', 'endpointslices'), { namespace: 'svc-traffic' }, (e) => {
        const o = e.object as Readonly<KObject> & { endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean } }> };
        if (o.metadata.labels?.['kubernetes.io/service-name'] !== 'backend-clusterip') return;
        const eps = e.type === 'DELETED' ? [] : (o.endpoints ?? []);
        const ready = eps.filter((x) => x.conditions?.ready !== false);
        // kube-proxy: the ready endpoints; when none is ready, the serving terminating ones.
        const usable = (ready.length > 0 ? ready : eps.filter((x) => x.conditions?.serving === true && x.conditions.terminating === true)).map((x) => x.addresses[0]!);
        timeline.push({ kind: 'slice', name: o.metadata.name!, usable });
      });
      const stopFlows = c.cluster.net.subscribe((rec) => {
        if (rec.dst.ip === svcIp) timeline.push({ kind: 'flow', rec });
      });
      try {
        const before = pods.map((p) => p.status.podIP!);
        // A client that keeps requesting through the scale-down (about 10 s).
        const load = inPod(c, 'load', 'for i in $(seq 400); do wget -qO- -T 10 http://backend-clusterip || echo FAILED; sleep 0.025; done');
        await waitFor('the load to start', async () => (timeline.some((e) => e.kind === 'flow') ? true : undefined));
        await c.kubectlOk(['scale', 'deployment', 'backend', ...NS, '--replicas=1']);
        const [kept] = await readyPods(c, 'app=backend', 1);
        const keptIp = kept!.status.podIP!;
        await waitFor('one ready endpoint', async () => {
          const ips = await sliceReadyIps(c, 'backend-clusterip');
          return ips.length === 1 && ips[0] === keptIp ? true : undefined;
        });
        const loadOut = await load;

        // Replay the timeline: each flow must go to an endpoint usable at that moment.
        const usableBySlice = new Map<string, string[]>();
        let firstSlice = true;
        let goneAt = -1;
        const late: string[] = [];
        let flows = 0;
        const refused: Array<{ at: number; ip: string; verdict: string; reason: string }> = [];
        for (const [i, e] of timeline.entries()) {
          if (e.kind === 'slice') {
            usableBySlice.set(e.name, e.usable);
            firstSlice = false;
            const all = [...usableBySlice.values()].flat();
            if (goneAt < 0 && all.length === 1 && all[0] === keptIp) goneAt = i;
            continue;
          }
          flows++;
          const usable = firstSlice ? before : [...usableBySlice.values()].flat();
          const ip = e.rec.endpoint?.ip ?? '';
          if (!usable.includes(ip)) late.push(`flow ${e.rec.id} (${e.rec.verdict}) to ${ip} while the slice listed ${usable.join(',')}`);
          if (e.rec.verdict !== 'forwarded') refused.push({ at: i, ip, verdict: e.rec.verdict, reason: e.rec.reason });
        }
        assert.deepEqual(late, [], 'no flow to an endpoint the slice did not list at that moment');
        assert.ok(goneAt >= 0, 'the slice dropped to the one kept pod');
        const after = timeline.slice(goneAt).filter((e): e is Extract<Entry, { kind: 'flow' }> => e.kind === 'flow');
        assert.ok(after.length > 0, 'requests kept flowing after the scale-down');
        assert.deepEqual([...new Set(after.map((e) => `${e.rec.verdict} ${e.rec.endpoint?.ip}`))], [`forwarded ${keptIp}`], 'after the removal, only the kept pod is reached');
        const failed = loadOut.split('\n').filter((l) => l === 'FAILED').length;
        const answered = answers(loadOut).length;
        assert.equal(answered + failed, 400, loadOut.slice(0, 2000));
        assert.equal(flows, 400, 'one flow record per request');
        // A failure is only ever the kubelet/endpoint race: refused by a removed pod that no longer listens, before its endpoint went.
        const removed = before.filter((ip) => ip !== keptIp);
        assert.equal(refused.length, failed, `failures and refused flows match:\n${loadOut.split('\n').filter((l) => !l.startsWith(HELLO)).slice(0, 20).join('\n')}`);
        for (const r of refused) {
          assert.ok(r.at < goneAt, `refused before the endpoint went: ${JSON.stringify(r)}`);
          assert.ok(removed.includes(r.ip), `refused by a removed pod: ${JSON.stringify(r)}`);
          assert.equal(`${r.verdict} ${r.reason}`, `refused no listener on ${r.ip}:8080`);
        }
        st.diagnostic(`scale-down under load: ${answered} answered, ${failed} refused in the kubelet/endpoint race window`);
      } finally {
        stopWatch();
        stopFlows();
      }

      await c.kubectlOk(['scale', 'deployment', 'backend', ...NS, '--replicas=3']);
      pods = await readyPods(c, 'app=backend', 3);
      const ips = pods.map((p) => p.status.podIP!).sort();
      await waitFor('three ready endpoints again', async () => (JSON.stringify(await sliceReadyIps(c, 'backend-clusterip')) === JSON.stringify(ips) ? true : undefined));
      // 90 requests: all three appear unless the choice is broken (missing one by chance: 3 x (2/3)^90 < 1e-15).
      const got = answers(await inPod(c, 'again', 'for i in $(seq 90); do wget -qO- http://backend-clusterip; done'));
      assert.equal(got.length, 90);
      assert.deepEqual([...new Set(got)].sort(), pods.map((p) => p.metadata.name).sort());
    });

    await t.test('sessionAffinity ClientIP pins each client pod to one backend', async () => {
      pods = await readyPods(c, 'app=backend', 3);
      for (const client of ['sticky-a', 'sticky-b']) {
        const got = answers(await inPod(c, client, 'for i in $(seq 30); do wget -qO- http://backend-sticky; done'));
        assert.equal(got.length, 30);
        assert.equal(new Set(got).size, 1, `${client} reached ${[...new Set(got)].join(', ')}`);
        assert.ok(pods.some((p) => p.metadata.name === got[0]), `${got[0]} is a backend pod`);
      }
      // The same 30 requests without affinity spread (all on one pod by chance: 3 x (1/3)^30 < 1e-13).
      assert.ok(new Set(answers(await inPod(c, 'spread', 'for i in $(seq 30); do wget -qO- http://backend-clusterip; done'))).size > 1);
    });

    await t.test('externalTrafficPolicy Local: only the node with the endpoint answers curl, and the backend sees curl\'s address', async () => {
      await c.kubectlOk(['apply', '-f', '-'], { input: NETEXEC });
      const [pod] = await readyPods(c, 'app=netexec', 1);
      const nodePort = (await c.kubectlOk(['get', 'svc', 'netexec-local', ...NS, '-o', 'jsonpath={.spec.ports[0].nodePort}'])).trim();
      assert.match(nodePort, /^3\d{4}$/);
      const nodes = [...c.cluster.nodeIps];
      assert.equal(nodes.length, 3);
      const home = c.cluster.nodeIps.get(pod!.spec.nodeName!)!;
      const fmt = '\n%{local_ip}:%{local_port} %{http_code}';
      const r = await waitFor(`the NodePort on ${home}`, async () => {
        const x = await curl(['-w', fmt, `http://${home}:${nodePort}/clientip`]);
        return x.code === 0 ? x : undefined;
      });
      const [seen, trailer] = r.stdout.split('\n');
      const [curlAddr, code] = (trailer ?? '').split(' ');
      assert.equal(code, '200');
      assert.equal(seen, curlAddr, 'agnhost /clientip shows the client address curl used: no SNAT with Local');
      assert.match(seen!, /^127\.\d+\.\d+\.\d+:\d+$/);
      for (const [name, ip] of nodes) {
        if (ip === home) continue;
        const t0 = Date.now();
        const x = await curl(['--max-time', '2', `http://${ip}:${nodePort}/clientip`]);
        assert.equal(x.code, 28, `${name} (${ip}) has no endpoint: the connection is dropped and curl times out (exit 28), got ${x.code} ${x.stdout}${x.stderr}`);
        assert.ok(Date.now() - t0 >= 1900);
      }
      // The same Service with Cluster: every node answers, and the backend sees the receiving node (SNAT).
      await c.kubectlOk(['patch', 'svc', 'netexec-local', ...NS, '-p', '{"spec":{"externalTrafficPolicy":"Cluster"}}']);
      const [otherName, other] = nodes.find(([, ip]) => ip !== home)!;
      const y = await waitFor(`${otherName} to answer with Cluster`, async () => {
        const x = await curl(['--max-time', '2', `http://${other}:${nodePort}/clientip`]);
        return x.code === 0 ? x : undefined;
      });
      assert.match(y.stdout, new RegExp(`^${other.replace(/\./g, '\\.')}:\\d+$`), 'masqueraded to the node IP');
    });

    await t.test('from a pod: nodeIP:NodePort reaches the Service in-process, a closed node port is refused, a LoadBalancer IP works, a deny-ingress policy drops it', async () => {
      await c.kubectlOk(['apply', '-f', '-'], { input: NODEPORT_APP });
      const [backend] = await readyPods(c, 'app=np-backend', 1);
      await c.kubectlOk(['wait', '--for=condition=Ready', 'pod/np-client', ...NS, '--timeout=60s'], { timeoutMs: 90_000 });
      const client = JSON.parse(await c.kubectlOk(['get', 'pod', 'np-client', ...NS, '-o', 'json'])) as PodJson;
      await waitFor('the np-backend endpoint', async () => ((await sliceReadyIps(c, 'np-backend')).length === 1 ? true : undefined));
      const nodePort = Number((await c.kubectlOk(['get', 'svc', 'np-backend', ...NS, '-o', 'jsonpath={.spec.ports[0].nodePort}'])).trim());
      assert.ok(nodePort >= 30000 && nodePort <= 32767, `a NodePort: ${nodePort}`);
      const wget = (url: string) => c.kubectl(['exec', 'np-client', ...NS, '--', 'wget', '-qO-', '-T', '3', url], { timeoutMs: 60_000 });
      // Every flow the client pod starts, as the dataplane records it.
      const flows: FlowRecord[] = [];
      const stopFlows = c.cluster.net.subscribe((rec) => {
        if (rec.src.owner?.kind === 'pod' && rec.src.owner.name === 'np-client') flows.push(rec);
      });
      try {
        const nodes = [...c.cluster.nodeIps];
        assert.equal(nodes.length, 3);
        for (const [name, ip] of nodes) {
          flows.length = 0;
          const r = await wget(`http://${ip}:${nodePort}`);
          assert.equal(r.code, 0, `wget ${ip}:${nodePort} (${name}) from the pod: ${r.stdout}${r.stderr}`);
          assert.equal(r.stdout, 'np-backend answers\n');
          // One flow, from the pod itself (not a host socket's client), translated to the backend, masqueraded to the node dialled.
          assert.deepEqual(
            flows.map((f) => ({ verdict: f.verdict, src: f.src.ip, dst: `${f.dst.ip}:${f.dst.port}`, service: f.service?.name, endpoint: f.endpoint?.ip, snat: f.snat?.ip })),
            [{ verdict: 'forwarded', src: client.status.podIP, dst: `${ip}:${nodePort}`, service: 'np-backend', endpoint: backend!.status.podIP, snat: ip }],
          );
        }

        // A node IP on a port with nothing: the node refuses, as a real node's kernel does.
        const [firstName, first] = nodes[0]!;
        flows.length = 0;
        const closed = await wget(`http://${first}:8081`);
        assert.equal(closed.code, 1, `${closed.stdout}${closed.stderr}`);
        assert.match(closed.stderr, new RegExp(`wget: can't connect to remote host \\(${first.replace(/\./g, '\\.')}\\): Connection refused`));
        assert.deepEqual(
          flows.map((f) => `${f.verdict} ${f.reason}`),
          [`refused no listener on ${first}:8081 (node ${firstName}: no NodePort 8081/TCP)`],
        );

        // A LoadBalancer IP (127.0.X.100-199 here): short-circuited to the Service on the client's node.
        await c.kubectlOk(['patch', 'svc', 'np-backend', ...NS, '-p', '{"spec":{"type":"LoadBalancer"}}']);
        const lbIp = await waitFor('a LoadBalancer IP', async () => {
          const ip = (await c.kubectlOk(['get', 'svc', 'np-backend', ...NS, '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'])).trim();
          return ip === '' ? undefined : ip;
        });
        const viaLb = await waitFor(`the pod to reach ${lbIp}`, async () => {
          flows.length = 0;
          const r = await wget(`http://${lbIp}`);
          return r.code === 0 ? r : undefined;
        });
        assert.equal(viaLb.stdout, 'np-backend answers\n');
        assert.deepEqual(
          flows.map((f) => `${f.verdict} ${f.dst.ip}:${f.dst.port} -> ${f.endpoint?.ip} snat ${f.snat?.ip}`),
          [`forwarded ${lbIp}:80 -> ${backend!.status.podIP} snat ${c.cluster.nodeIps.get(client.spec.nodeName!)}`],
        );

        // Deny ingress to the backend: the NodePort flow is dropped, wget times out. Dialled on a node
        // without the backend, so the source it sees (that node) is not its own node (which policy lets through).
        await c.kubectlOk(['apply', '-f', '-'], { input: DENY_NP_BACKEND });
        const [, away] = nodes.find(([n]) => n !== backend!.spec.nodeName)!;
        const denied = await waitFor('the policy to drop the NodePort flow', async () => {
          flows.length = 0;
          const r = await wget(`http://${away}:${nodePort}`);
          return r.code !== 0 ? r : undefined;
        });
        assert.match(denied.stderr, /wget: download timed out/);
        assert.deepEqual(
          flows.map((f) => ({ verdict: f.verdict, dst: `${f.dst.ip}:${f.dst.port}`, endpoint: f.endpoint?.ip, snat: f.snat?.ip, policies: f.policies })),
          [{ verdict: 'dropped', dst: `${away}:${nodePort}`, endpoint: backend!.status.podIP, snat: away, policies: ['svc-traffic/deny-np-backend'] }],
        );
      } finally {
        stopFlows();
        await c.kubectl(['delete', 'networkpolicy', 'deny-np-backend', ...NS, '--ignore-not-found']);
      }
    });
  } finally {
    await c.stop();
  }
});
