/**
 * @module test/e2e/services-api
 * End-to-end: the Services API driven by the real kubectl, with the allocators,
 * the LoadBalancer controller and the EndpointSlice controller in the cluster:
 * the lab's NodePort Service (nodePort 30080), a clash answered with
 * kube-apiserver's text, `kubectl get svc` columns (CLUSTER-IP, 80:30080/TCP,
 * EXTERNAL-IP), Endpoints and EndpointSlices for the lab's backend pods, dry
 * runs, and a freed port reused after a delete. And the `kubernetes` Service as on
 * kind: its Endpoints and EndpointSlice name the API server (here 127.0.0.1:<port>),
 * and a curlimages/curl pod runs the usual lab recipe with its service-account files
 * (token, ca.crt, namespace), gets 401 without a token, and times out once a
 * NetworkPolicy denies its egress.
 *
 * The cluster is the one `kwire up` runs (ingress on free ports, ephemeral store).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type RunningCluster } from '../../src/cluster/cluster.js';
import type { ClusterConfig } from '../../src/cluster/config.js';
import { standaloneKubeconfig } from '../../src/cli/kubeconfig.js';
import { kubectlBinary, run } from '../../src/testing/kubectl.js';
import { labFile } from './lab-scenario.js';

interface Harness {
  readonly cluster: RunningCluster;
  readonly subnet: number;
  kubectl(args: ReadonlyArray<string>, opts?: { input?: string }): Promise<{ code: number; stdout: string; stderr: string }>;
  ok(args: ReadonlyArray<string>, opts?: { input?: string }): Promise<string>;
  file(name: string, content: string): string;
  stop(): Promise<void>;
}

async function startServicesCluster(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'kwire-e2e-svc-'));
  const subnet = 180 + (process.pid % 20);
  const cfg: ClusterConfig = { name: 'kwire', nodes: 3, nodeSubnet: subnet, apiPort: 0, kubernetesVersion: '1.31', ephemeral: true, clusterDomain: 'cluster.local' };
  const cluster = await startCluster(cfg, { dataDir: join(dir, 'data'), ingressPorts: { http: 0, https: 0 } });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, standaloneKubeconfig({ contextName: 'kwire', server: cluster.url, caPem: cluster.pki.caCert, clientCertPem: cluster.pki.clientCert, clientKeyPem: cluster.pki.clientKey }));
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir };
  const kubectl = (args: ReadonlyArray<string>, opts: { input?: string } = {}) => run(kubectlBinary(), [`--cache-dir=${join(dir, 'kube-cache')}`, ...args], { env, timeoutMs: 30_000, input: opts.input });
  return {
    cluster,
    subnet,
    kubectl,
    async ok(args, opts) {
      const r = await kubectl(args, opts);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      return r.stdout;
    },
    file(name, content) {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    async stop() {
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const service = (name: string, type: string, extraPort = '', extraSpec = '') => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: networking-lab
spec:
  type: ${type}
  selector:
    app: backend
  ports:
  - protocol: TCP
    port: 80
    targetPort: 8080${extraPort}${extraSpec}
`;

/** Polls `f` until it returns a value (bounded). */
async function eventually<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await f();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

test('Services with the real kubectl: allocation, clashes, get svc columns, endpoints, reuse after delete', async (t) => {
  const c = await startServicesCluster();
  try {
    await c.ok(['create', 'namespace', 'networking-lab']);

    await t.test('the lab NodePort Service gets nodePort 30080; a second one asking for it gets kube-apiserver\'s error', async () => {
      const np = c.file('nodeport-service.yaml', service('backend-nodeport', 'NodePort', '\n    nodePort: 30080'));
      assert.equal((await c.ok(['apply', '-f', np])).trim(), 'service/backend-nodeport created');
      const clash = c.file('clash.yaml', service('backend-nodeport-2', 'NodePort', '\n    nodePort: 30080'));
      const r = await c.kubectl(['apply', '-f', clash]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /The Service "backend-nodeport-2" is invalid: spec\.ports\[0\]\.nodePort: Invalid value: 30080: provided port is already allocated/);
      const out = await c.kubectl(['get', 'svc', 'backend-nodeport-2', '-n', 'networking-lab']);
      assert.notEqual(out.code, 0, 'nothing was stored');
      const range = c.file('range.yaml', service('backend-nodeport-3', 'NodePort', '\n    nodePort: 40000'));
      const rr = await c.kubectl(['apply', '-f', range]);
      assert.match(rr.stderr, /spec\.ports\[0\]\.nodePort: Invalid value: 40000: provided port is not in the valid range\. The range of valid ports is 30000-32767/);
    });

    await t.test('kubectl get svc shows CLUSTER-IP, 80:30080/TCP and the LoadBalancer EXTERNAL-IP', async () => {
      await c.ok(['apply', '-f', c.file('clusterip-service.yaml', service('backend-clusterip', 'ClusterIP'))]);
      await c.ok(['apply', '-f', c.file('loadbalancer-service.yaml', service('backend-loadbalancer', 'LoadBalancer'))]);
      // The pool is 127.0.<subnet>.100-199; ingress-nginx's own LoadBalancer holds one address of it.
      const lbIp = await eventually('the LoadBalancer address', async () => {
        const ip = await c.ok(['get', 'svc', 'backend-loadbalancer', '-n', 'networking-lab', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']);
        return ip !== '' ? ip : undefined;
      });
      assert.match(lbIp, new RegExp(`^127\\.0\\.${c.subnet}\\.1\\d\\d$`));
      const ingressLb = await c.ok(['get', 'svc', 'ingress-nginx-controller', '-n', 'ingress-nginx', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']);
      assert.notEqual(lbIp, ingressLb, 'never handed out twice');
      const table = await c.ok(['get', 'svc', '-n', 'networking-lab']);
      const row = (name: string) => table.split('\n').find((l) => l.startsWith(`${name} `)) ?? '';
      assert.match(row('backend-nodeport'), /^backend-nodeport\s+NodePort\s+10\.(9[6-9]|1[01]\d)\.\d+\.\d+\s+<none>\s+80:30080\/TCP\s+\S+$/);
      assert.match(row('backend-clusterip'), /^backend-clusterip\s+ClusterIP\s+10\.(9[6-9]|1[01]\d)\.\d+\.\d+\s+<none>\s+80\/TCP\s+\S+$/);
      assert.match(row('backend-loadbalancer'), new RegExp(`^backend-loadbalancer\\s+LoadBalancer\\s+10\\.\\d+\\.\\d+\\.\\d+\\s+${lbIp.replace(/\./g, '\\.')}\\s+80:3\\d{4}/TCP\\s+\\S+$`));
      const ipMode = await c.ok(['get', 'svc', 'backend-loadbalancer', '-n', 'networking-lab', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ipMode}']);
      assert.equal(ipMode, 'VIP');
      const fams = await c.ok(['get', 'svc', 'backend-clusterip', '-n', 'networking-lab', '-o', 'jsonpath={.spec.ipFamilies[0]} {.spec.ipFamilyPolicy} {.spec.clusterIPs[0]}={.spec.clusterIP}']);
      const [fam, policy, ips] = fams.split(' ');
      assert.equal(fam, 'IPv4');
      assert.equal(policy, 'SingleStack');
      const [a, b] = (ips ?? '').split('=');
      assert.equal(a, b);
    });

    await t.test('the lab backend Deployment: its pods appear in Endpoints and EndpointSlices', async () => {
      await c.ok([
        'apply',
        '-f',
        labFile('backend-deployment.yaml'),
      ]);
      const ep = await eventually(
        'three ready endpoints',
        async () => {
          const out = await c.ok(['get', 'endpoints', 'backend-clusterip', '-n', 'networking-lab', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
          return out.trim().split(/\s+/).filter((x) => x !== '').length === 3 ? out : undefined;
        },
        30_000,
      );
      const podIPs = (await c.ok(['get', 'pods', '-n', 'networking-lab', '-l', 'app=backend', '-o', 'jsonpath={.items[*].status.podIP}'])).trim().split(/\s+/).sort();
      assert.deepEqual(ep.trim().split(/\s+/).sort(), podIPs);
      const table = await c.ok(['get', 'endpoints', 'backend-clusterip', '-n', 'networking-lab']);
      assert.match(table, /backend-clusterip\s+10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080\s+/);
      const slices = await c.ok(['get', 'endpointslices', '-n', 'networking-lab', '-l', 'kubernetes.io/service-name=backend-clusterip', '-o', 'json']);
      const items = (JSON.parse(slices) as { items: Array<Record<string, unknown>> }).items;
      assert.equal(items.length, 1);
      const slice = items[0]!;
      assert.match(String((slice['metadata'] as { name: string }).name), /^backend-clusterip-[a-z0-9]{5}$/);
      assert.equal((slice['metadata'] as { labels: Record<string, string> }).labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
      assert.equal(slice['addressType'], 'IPv4');
      assert.deepEqual(slice['ports'], [{ name: '', port: 8080, protocol: 'TCP' }]);
      const eps = slice['endpoints'] as Array<{ addresses: string[]; conditions: Record<string, boolean>; nodeName: string; targetRef: { kind: string } }>;
      assert.deepEqual(eps.map((e) => e.addresses[0]).sort(), podIPs);
      for (const e of eps) {
        assert.deepEqual(e.conditions, { ready: true, serving: true, terminating: false });
        assert.equal(e.targetRef.kind, 'Pod');
        assert.match(e.nodeName, /^kwire-worker2?$/);
      }
    });

    await t.test('dry runs allocate nothing; deleting a Service frees its NodePort for reuse', async () => {
      const third = c.file('third.yaml', service('backend-nodeport-3', 'NodePort', '\n    nodePort: 30081'));
      assert.match((await c.ok(['apply', '--dry-run=server', '-f', third])).trim(), /service\/backend-nodeport-3 created \(server dry run\)/);
      assert.equal((await c.ok(['apply', '-f', third])).trim(), 'service/backend-nodeport-3 created');
      assert.equal((await c.ok(['delete', 'svc', 'backend-nodeport', '-n', 'networking-lab'])).trim(), 'service "backend-nodeport" deleted');
      const again = c.file('again.yaml', service('backend-nodeport-2', 'NodePort', '\n    nodePort: 30080'));
      assert.equal((await c.ok(['apply', '-f', again])).trim(), 'service/backend-nodeport-2 created');
      const port = await c.ok(['get', 'svc', 'backend-nodeport-2', '-n', 'networking-lab', '-o', 'jsonpath={.spec.ports[0].nodePort}']);
      assert.equal(port, '30080');
    });
  } finally {
    await c.stop();
  }
});

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
// The lab recipe, as typed in a pod's shell.
const LAB_RECIPE = `TOKEN=$(cat ${SA_DIR}/token)
curl --cacert ${SA_DIR}/ca.crt -H "Authorization: Bearer $TOKEN" https://kubernetes.default.svc/api`;

const DENY_EGRESS = `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-egress
  namespace: api-lab
spec:
  podSelector:
    matchLabels:
      run: api-client
  policyTypes: [Egress]
`;

test('the kubernetes Service names the API server; a pod reaches it with its service-account token', async (t) => {
  const c = await startServicesCluster();
  const apiPort = Number(new URL(c.cluster.url).port);
  const exec = (script: string) => c.kubectl(['exec', 'api-client', '-n', 'api-lab', '--', 'sh', '-c', script]);
  try {
    await t.test('kubectl get endpoints / endpointslices / describe svc show the API server, as on kind', async () => {
      assert.match(await c.ok(['get', 'endpoints', 'kubernetes']), new RegExp(`^NAME\\s+ENDPOINTS\\s+AGE\\nkubernetes\\s+127\\.0\\.0\\.1:${apiPort}\\s+\\S+\\n$`));
      assert.match(await c.ok(['get', 'endpointslices']), new RegExp(`^NAME\\s+ADDRESSTYPE\\s+PORTS\\s+ENDPOINTS\\s+AGE\\nkubernetes\\s+IPv4\\s+${apiPort}\\s+127\\.0\\.0\\.1\\s+\\S+\\n$`));
      const d = await c.ok(['describe', 'svc', 'kubernetes']);
      assert.match(d, /^Selector:\s+<none>$/m);
      assert.match(d, /^Port:\s+https\s+443\/TCP$/m);
      assert.match(d, /^TargetPort:\s+6443\/TCP$/m);
      assert.match(d, new RegExp(`^Endpoints:\\s+127\\.0\\.0\\.1:${apiPort}$`, 'm'));
      const slice = JSON.parse(await c.ok(['get', 'endpointslice', 'kubernetes', '-o', 'json'])) as { metadata: { labels: Record<string, string>; ownerReferences?: unknown }; ports: unknown };
      assert.deepEqual(slice.metadata.labels, { 'kubernetes.io/service-name': 'kubernetes' }, 'no managed-by label: the API server owns it');
      assert.equal(slice.metadata.ownerReferences, undefined);
      assert.deepEqual(slice.ports, [{ name: 'https', port: apiPort, protocol: 'TCP' }]);
      assert.equal(await c.ok(['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.metadata.labels}']), '{"endpointslice.kubernetes.io/skip-mirror":"true"}');
    });

    await c.ok(['create', 'namespace', 'api-lab']);
    await c.ok(['run', 'api-client', '--image=curlimages/curl', '--restart=Never', '-n', 'api-lab', '--', 'sleep', '3600']);
    await eventually('the curl pod to run', async () => ((await c.ok(['get', 'pod', 'api-client', '-n', 'api-lab', '-o', 'jsonpath={.status.phase}'])) === 'Running' ? true : undefined), 30_000);

    await t.test('the pod has the kube-api-access volume and its files: the cluster CA, the namespace, a token of its service account', async () => {
      const spec = JSON.parse(await c.ok(['get', 'pod', 'api-client', '-n', 'api-lab', '-o', 'jsonpath={.spec}'])) as { serviceAccountName: string; volumes: Array<{ name: string }>; containers: Array<{ volumeMounts: unknown }> };
      assert.equal(spec.serviceAccountName, 'default');
      const vol = spec.volumes[0]!.name;
      assert.match(vol, /^kube-api-access-[a-z0-9]{5}$/);
      assert.deepEqual(spec.containers[0]!.volumeMounts, [{ mountPath: SA_DIR, name: vol, readOnly: true }]);
      assert.equal((await exec(`ls ${SA_DIR}`)).stdout, 'ca.crt\nnamespace\ntoken\n');
      assert.equal((await exec(`cat ${SA_DIR}/namespace`)).stdout, 'api-lab');
      assert.equal((await exec(`cat ${SA_DIR}/ca.crt`)).stdout, c.cluster.pki.caCert);
      const token = (await exec(`cat ${SA_DIR}/token`)).stdout;
      const verified = c.cluster.serviceAccountTokens.verify(token);
      assert.ok(verified.ok, verified.ok ? '' : verified.reason);
      assert.equal(verified.user.username, 'system:serviceaccount:api-lab:default');
      assert.equal(verified.claims['kubernetes.io'].pod?.name, 'api-client');
      const ro = await exec(`echo x > ${SA_DIR}/token`);
      assert.notEqual(ro.code, 0);
      assert.match(ro.stderr, /Read-only file system/);
    });

    await t.test('the lab recipe: curl with the token and ca.crt gets the APIVersions, through 10.96.0.1 to 127.0.0.1:<port>', async () => {
      const r = await exec(LAB_RECIPE);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /"kind": "APIVersions"/);
      assert.deepEqual((JSON.parse(r.stdout) as { versions: string[] }).versions, ['v1']);
      const rec = c.cluster.net.recent({ service: 'default/kubernetes' }).at(-1);
      assert.equal(rec?.verdict, 'forwarded');
      assert.deepEqual(rec?.dst, { ip: '10.96.0.1', port: 443 });
      assert.deepEqual(rec?.endpoint, { ip: '127.0.0.1', port: apiPort });
      // The serving certificate names the ClusterIP too (what in-cluster clients dial, from the environment).
      const byIp = await exec(`curl -s --cacert ${SA_DIR}/ca.crt -H "Authorization: Bearer $(cat ${SA_DIR}/token)" https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/api/v1/namespaces/api-lab/pods/api-client`);
      assert.equal(byIp.code, 0, byIp.stderr);
      assert.equal((JSON.parse(byIp.stdout) as { metadata: { name: string } }).metadata.name, 'api-client');
    });

    await t.test('no token, or an invalid one: 401 Unauthorized (anonymous requests are off)', async () => {
      const unauthorized = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
      const none = await exec('curl -sk https://kubernetes.default.svc/version');
      assert.equal(none.code, 0, none.stderr);
      assert.deepEqual(JSON.parse(none.stdout), unauthorized);
      const bad = await exec(`curl -s -o /dev/null -w '%{http_code}' --cacert ${SA_DIR}/ca.crt -H "Authorization: Bearer $(cat ${SA_DIR}/token)x" https://kubernetes.default.svc/api`);
      assert.equal(bad.stdout, '401');
    });

    await t.test('a NetworkPolicy denying all egress from the pod: the API call times out (127.0.0.1 is an ipBlock peer)', async () => {
      await c.ok(['apply', '-f', '-'], { input: DENY_EGRESS });
      // By the ClusterIP from the environment: the policy drops DNS too.
      const r = await exec(`curl -sS --connect-timeout 2 --cacert ${SA_DIR}/ca.crt -H "Authorization: Bearer $(cat ${SA_DIR}/token)" https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/api`);
      assert.equal(r.code, 28, r.stdout + r.stderr);
      assert.match(r.stderr, /curl: \(28\) Connection timed out after \d+ milliseconds/);
      const rec = c.cluster.net.recent({ service: 'default/kubernetes', verdict: 'dropped' }).at(-1);
      assert.deepEqual(rec?.endpoint, { ip: '127.0.0.1', port: apiPort });
      assert.deepEqual(rec?.policies, ['api-lab/deny-egress']);
    });
  } finally {
    await c.stop();
  }
});
