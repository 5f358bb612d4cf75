/**
 * End-to-end: the foundation driven by the real kubectl (the PATH dispatcher, and
 * the oldest and newest versioned clients called directly).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startTestCluster, type TestCluster } from '../../src/testing/test-cluster.js';

const MANIFEST = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: e2e
  labels:
    app: web
data:
  color: blue
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: e2e
  labels:
    app: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: e2e
  labels:
    app: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 80
`;

for (const version of [undefined, '1.27', '1.33'] as const) {
  const label = version ? `kubectl.${version}` : 'kubectl (PATH)';
  let c: TestCluster;
  const k = (args: string[], input?: string) => c.kubectl(args, { version, input });
  const ok = (args: string[], input?: string) => c.kubectlOk(args, { version, input });

  test(`${label}: foundation`, async (t) => {
    c = await startTestCluster();
    try {
      await t.test('nodes and system namespaces exist and are Ready', async () => {
        const nodes = await ok(['get', 'nodes', '-o', 'wide']);
        assert.match(nodes, /kwire-control-plane\s+Ready\s+control-plane/);
        assert.match(nodes, /kwire-worker2\s+Ready/);
        assert.match(nodes, /127\.0\.\d+\.2/);
        const ns = await ok(['get', 'ns']);
        for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(ns, new RegExp(`^${n}\\s+Active`, 'm'));
      });

      await t.test('create namespace', async () => {
        assert.equal((await ok(['create', 'namespace', 'e2e'])).trim(), 'namespace/e2e created');
        const labels = JSON.parse(await ok(['get', 'ns', 'e2e', '-o', 'jsonpath={.metadata.labels}']));
        assert.equal(labels['kubernetes.io/metadata.name'], 'e2e');
      });

      const file = c.file(`m-${version ?? 'path'}.yaml`, MANIFEST);
      await t.test('apply: created, unchanged, configured', async () => {
        assert.deepEqual((await ok(['apply', '-f', file])).trim().split('\n'), ['configmap/settings created', 'deployment.apps/web created', 'service/web created']);
        assert.deepEqual((await ok(['apply', '-f', file])).trim().split('\n'), ['configmap/settings unchanged', 'deployment.apps/web unchanged', 'service/web unchanged']);
        const changed = c.file(`m2-${version ?? 'path'}.yaml`, MANIFEST.replace('replicas: 2', 'replicas: 3').replace('color: blue', 'color: red'));
        assert.deepEqual((await ok(['apply', '-f', changed])).trim().split('\n'), ['configmap/settings configured', 'deployment.apps/web configured', 'service/web unchanged']);
        assert.equal(await ok(['get', 'deploy', 'web', '-n', 'e2e', '-o', 'jsonpath={.spec.replicas}']), '3');
        assert.equal(await ok(['get', 'cm', 'settings', '-n', 'e2e', '-o', 'jsonpath={.data.color}']), 'red');
      });

      await t.test('get with -l, -o yaml, -o json, -o jsonpath', async () => {
        const byLabel = await ok(['get', 'cm,svc', '-n', 'e2e', '-l', 'app=web', '-o', 'name']);
        assert.deepEqual(byLabel.trim().split('\n').sort(), ['configmap/settings', 'service/web']);
        assert.equal((await ok(['get', 'cm', '-n', 'e2e', '-l', 'app=nothing', '-o', 'name'])).trim(), '');
        const yaml = await ok(['get', 'svc', 'web', '-n', 'e2e', '-o', 'yaml']);
        assert.match(yaml, /^kind: Service$/m);
        assert.match(yaml, /uid: [0-9a-f-]{36}/);
        const json = JSON.parse(await ok(['get', 'deploy', '-n', 'e2e', '-o', 'json']));
        assert.equal(json.kind, 'List');
        assert.equal(json.items[0].metadata.name, 'web');
        assert.equal(json.items[0].metadata.generation, 2);
      });

      await t.test('get -w sees a change', async () => {
        const bin = (await import('../../src/testing/kubectl.js')).kubectlBinary(version);
        const child = spawn(bin, [`--cache-dir=${c.dir}/kube-cache/${version ?? 'path'}`, 'get', 'cm', '-n', 'e2e', '-w', '-o', 'jsonpath={.metadata.name}={.data.color}{"\\n"}'], {
          env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: c.dir },
        });
        let seen = '';
        const done = new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`watch did not see the change; saw: ${seen}`)), 15_000);
          child.stdout.on('data', (d: Buffer) => {
            seen += d.toString();
            if (seen.includes('settings=green')) {
              clearTimeout(timer);
              resolve();
            }
          });
        });
        // Wait for the initial state, then change it.
        while (!seen.includes('settings=red')) await new Promise((r) => setTimeout(r, 20));
        await ok(['patch', 'cm', 'settings', '-n', 'e2e', '--type=merge', '-p', '{"data":{"color":"green"}}']);
        try {
          await done;
        } finally {
          child.kill();
        }
      });

      await t.test('label namespace, then describe', async () => {
        assert.equal((await ok(['label', 'namespace', 'e2e', 'environment=test'])).trim(), 'namespace/e2e labeled');
        assert.equal(await ok(['get', 'ns', 'e2e', '-o', 'jsonpath={.metadata.labels.environment}']), 'test');
        const d = await ok(['describe', 'ns', 'e2e']);
        assert.match(d, /Name:\s+e2e/);
        assert.match(d, /environment=test/);
        assert.match(d, /Status:\s+Active/);
        const ds = await ok(['describe', 'svc', 'web', '-n', 'e2e']);
        assert.match(ds, /Selector:\s+app=web/);
      });

      await t.test('invalid manifests get kube-apiserver\'s error and nothing is stored; valid documents still apply', async () => {
        const bad = c.file(`bad-${version ?? 'path'}.yaml`, `apiVersion: v1
kind: Service
metadata:
  name: bad-nodeport
  namespace: e2e
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    nodePort: 99999
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: good-one
  namespace: e2e
data:
  a: b
`);
        const r = await k(['apply', '-f', bad]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /The Service "bad-nodeport" is invalid: spec\.ports\[0\]\.nodePort: Invalid value: 99999: provided port is not in the valid range\. The range of valid ports is 30000-32767/);
        assert.match(r.stdout, /configmap\/good-one created/);
        const gone = await k(['get', 'svc', 'bad-nodeport', '-n', 'e2e']);
        assert.match(gone.stderr, /services "bad-nodeport" not found/);
        const unknown = await k(['apply', '-f', '-'], `apiVersion: v1
kind: ConfigMap
metadata:
  name: typo
  namespace: e2e
datta:
  a: b
`);
        assert.equal(unknown.code, 1);
        assert.match(unknown.stderr, /unknown field "datta"/);
      });

      await t.test('kubectl create deployment, service and configmap (protobuf bodies from 1.32+)', async () => {
        assert.equal((await ok(['create', 'deployment', 'made', '-n', 'e2e', '--image=nginx:1.27', '--replicas=2', '--port=80'])).trim(), 'deployment.apps/made created');
        assert.equal((await ok(['create', 'service', 'clusterip', 'made', '-n', 'e2e', '--tcp=80:8080'])).trim(), 'service/made created');
        assert.equal((await ok(['create', 'service', 'nodeport', 'made-np', '-n', 'e2e', '--tcp=80:8080'])).trim(), 'service/made-np created');
        assert.equal((await ok(['create', 'secret', 'generic', 'made', '-n', 'e2e', '--from-literal=a=b'])).trim(), 'secret/made created');
        assert.equal(await ok(['get', 'deploy', 'made', '-n', 'e2e', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image} {.spec.template.spec.containers[0].ports[0].containerPort}']), '2 nginx:1.27 80');
        assert.equal(await ok(['get', 'svc', 'made', '-n', 'e2e', '-o', 'jsonpath={.spec.ports[0].port}/{.spec.ports[0].targetPort} {.spec.selector.app}']), '80/8080 made');
        assert.match(await ok(['get', 'svc', 'made-np', '-n', 'e2e', '-o', 'jsonpath={.spec.ports[0].nodePort}']), /^3\d{4}$/);
        assert.equal(Buffer.from(await ok(['get', 'secret', 'made', '-n', 'e2e', '-o', 'jsonpath={.data.a}']), 'base64').toString(), 'b');
        await ok(['delete', 'deployment,service,secret', 'made', '-n', 'e2e']);
        await ok(['delete', 'service', 'made-np', '-n', 'e2e']);
      });

      await t.test('explain service.spec.ports', async () => {
        const out = await ok(['explain', 'service.spec.ports']);
        assert.match(out, /KIND:\s+Service/);
        assert.match(out, /FIELD:\s+ports\s+<\[\]ServicePort>/);
        assert.match(out, /nodePort\s+<integer>/);
        assert.match(out, /targetPort\s+<IntOrString>/);
      });

      await t.test('apply --server-side, again with a change, and a conflict with another manager', async () => {
        const ssa = c.file(`ssa-${version ?? 'path'}.yaml`, `apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa
  namespace: e2e
data:
  a: "1"
  b: "2"
`);
        assert.equal((await ok(['apply', '--server-side', '-f', ssa])).trim(), 'configmap/ssa serverside-applied');
        const changed = c.file(`ssa2-${version ?? 'path'}.yaml`, `apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa
  namespace: e2e
data:
  a: "10"
`);
        assert.equal((await ok(['apply', '--server-side', '-f', changed])).trim(), 'configmap/ssa serverside-applied');
        const data = JSON.parse(await ok(['get', 'cm', 'ssa', '-n', 'e2e', '-o', 'jsonpath={.data}']));
        assert.deepEqual(data, { a: '10' }, 'the field the manager stopped applying is removed');
        const mf = JSON.parse(await ok(['get', 'cm', 'ssa', '-n', 'e2e', '-o', 'jsonpath={.metadata.managedFields}', '--show-managed-fields']));
        assert.ok(mf.some((m: { manager: string; operation: string }) => m.manager === 'kubectl' && m.operation === 'Apply'), JSON.stringify(mf));
        const conflict = await k(['apply', '--server-side', '--field-manager=other', '-f', changed]);
        // The same value from another manager is shared ownership, not a conflict.
        assert.equal(conflict.code, 0, conflict.stderr);
        const other = c.file(`ssa3-${version ?? 'path'}.yaml`, `apiVersion: v1
kind: ConfigMap
metadata:
  name: ssa
  namespace: e2e
data:
  a: "99"
`);
        const clash = await k(['apply', '--server-side', '--field-manager=third', '-f', other]);
        assert.notEqual(clash.code, 0);
        assert.match(clash.stderr, /conflict/i);
        assert.match(clash.stderr, /\.data\.a/);
        assert.equal((await ok(['apply', '--server-side', '--force-conflicts', '--field-manager=third', '-f', other])).trim(), 'configmap/ssa serverside-applied');
        assert.equal(await ok(['get', 'cm', 'ssa', '-n', 'e2e', '-o', 'jsonpath={.data.a}']), '99');
        await ok(['delete', 'cm', 'ssa', '-n', 'e2e']);
      });

      await t.test('dry run stores nothing', async () => {
        const out = await ok(['create', 'configmap', 'dry', '-n', 'e2e', '--from-literal=a=b', '--dry-run=server']);
        assert.match(out, /configmap\/dry created \(server dry run\)/);
        const r = await k(['get', 'cm', 'dry', '-n', 'e2e']);
        assert.match(r.stderr, /configmaps "dry" not found/);
      });

      await t.test('not found is the familiar error', async () => {
        const r = await k(['get', 'svc', 'nope', '-n', 'e2e']);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /Error from server \(NotFound\): services "nope" not found/);
      });

      await t.test('create token: a TokenRequest whose token authenticates; auth whoami answers who is asking', async () => {
        // 1.27 has SelfSubjectReview only in v1beta1 (GA in 1.28); 1.33 sends both requests as protobuf.
        const reviewVersion = version === '1.27' ? 'authentication.k8s.io/v1beta1' : 'authentication.k8s.io/v1';
        const admin = JSON.parse(await ok(['auth', 'whoami', '-o', 'json'])) as { apiVersion: string; kind: string; status: { userInfo: Record<string, unknown> } };
        assert.equal(admin.kind, 'SelfSubjectReview');
        assert.equal(admin.apiVersion, reviewVersion);
        assert.deepEqual(admin.status.userInfo, { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] });
        assert.match(await ok(['auth', 'whoami']), /^ATTRIBUTE\s+VALUE\nUsername\s+kubernetes-admin\nGroups\s+\[system:masters system:authenticated\]\n$/);

        const token = (await ok(['create', 'token', 'default'])).trim();
        assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
        // A kubeconfig without the admin's client certificate: with one, kube-apiserver (x509 first) ignores --token.
        const caData = Buffer.from(c.cluster.pki.caCert).toString('base64');
        const bare = c.file(
          'token-only.kubeconfig',
          `apiVersion: v1\nkind: Config\nclusters:\n- name: kwire\n  cluster:\n    server: ${c.cluster.url}\n    certificate-authority-data: ${caData}\ncontexts:\n- name: sa\n  context:\n    cluster: kwire\n    user: sa\ncurrent-context: sa\nusers:\n- name: sa\n  user: {}\n`,
        );
        const asSa = JSON.parse(await ok(['--kubeconfig', bare, `--token=${token}`, 'auth', 'whoami', '-o', 'json'])) as { status: { userInfo: { username: string; uid: string; groups: string[]; extra: Record<string, string[]> } } };
        const saUid = (await ok(['get', 'sa', 'default', '-o', 'jsonpath={.metadata.uid}'])).trim();
        assert.equal(asSa.status.userInfo.username, 'system:serviceaccount:default:default');
        assert.equal(asSa.status.userInfo.uid, saUid);
        assert.deepEqual(asSa.status.userInfo.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
        assert.match(asSa.status.userInfo.extra['authentication.kubernetes.io/credential-id']?.[0] ?? '', /^JTI=[0-9a-f-]{36}$/);
        assert.match(await ok(['--kubeconfig', bare, `--token=${token}`, 'get', 'ns', 'default', '-o', 'name']), /^namespace\/default$/m);
        const denied = await k(['--kubeconfig', bare, '--token=not-a-token', 'get', 'ns']);
        assert.notEqual(denied.code, 0);
        assert.match(denied.stderr, /Unauthorized/);

        const tr = JSON.parse(await ok(['create', 'token', 'default', '--duration', '10m', '--audience', 'vault', '-o', 'json'])) as { kind: string; metadata: { creationTimestamp: string }; spec: { audiences: string[]; expirationSeconds: number }; status: { token: string; expirationTimestamp: string } };
        assert.equal(tr.kind, 'TokenRequest');
        assert.deepEqual(tr.spec.audiences, ['vault']);
        assert.equal(tr.spec.expirationSeconds, 600);
        assert.equal(Date.parse(tr.status.expirationTimestamp) - Date.parse(tr.metadata.creationTimestamp), 600_000);
        const vault = await k(['--kubeconfig', bare, `--token=${tr.status.token}`, 'get', 'ns']);
        assert.match(vault.stderr, /Unauthorized/, 'a token for another audience does not authenticate to the API server');

        const short = await k(['create', 'token', 'default', '--duration', '5m']);
        assert.equal(short.code, 1);
        assert.equal(short.stderr.trim(), 'error: failed to create token: TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes');
        const missing = await k(['create', 'token', 'nope']);
        assert.equal(missing.code, 1);
        assert.equal(missing.stderr.trim(), 'error: failed to create token: serviceaccounts "nope" not found');
      });

      await t.test('delete -f, then delete namespace returns once it is gone', async () => {
        const del = await ok(['delete', '-f', file]);
        assert.match(del, /configmap "settings" deleted/);
        assert.match(del, /deployment.apps "web" deleted/);
        await ok(['create', 'configmap', 'leftover', '-n', 'e2e', '--from-literal=a=b']);
        assert.match(await ok(['delete', 'namespace', 'e2e']), /namespace "e2e" deleted/);
        const r = await k(['get', 'ns', 'e2e']);
        assert.match(r.stderr, /namespaces "e2e" not found/);
        const creating = await k(['create', 'configmap', 'x', '-n', 'e2e', '--from-literal=a=b']);
        assert.notEqual(creating.code, 0);
        assert.match(creating.stderr, /namespaces "e2e" not found/);
      });
    } finally {
      await c.stop();
    }
  });
}
