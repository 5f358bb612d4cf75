/**
 * @module apiserver/protobuf/fixtures.test
 *
 * Real bodies from real kubectl: test/fixtures/protobuf/kubectl-create.generated.ts holds what
 * kubectl 1.33 POSTs (protobuf) for 22 `kubectl create` commands, and
 * kubectl-create-json.generated.ts what kubectl 1.31 POSTs (JSON) for the same commands.
 * Checks: (1) hand-written expectations for the commands the lab uses, (2) every protobuf body
 * decodes to exactly the JSON body of the older client (minus its `null`s), (3) re-encoding the
 * decoded object reproduces kubectl's bytes exactly.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CAPTURED, KUBECTL_VERSION } from '../../../test/fixtures/protobuf/kubectl-create.generated.js';
import { CAPTURED as CAPTURED_JSON, KUBECTL_VERSION as KUBECTL_JSON_VERSION } from '../../../test/fixtures/protobuf/kubectl-create-json.generated.js';
import { decodeKubernetesProtobuf, encodeKubernetesProtobuf } from './index.js';

function fixture(name: string): Uint8Array {
  const c = CAPTURED[name];
  assert.ok(c?.hex, `fixture ${name} has a protobuf body`);
  return new Uint8Array(Buffer.from(c.hex, 'hex'));
}

/** Go prints `null` for nil non-omitempty fields and zero times; the decoder leaves them out. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
  }
  return v;
}

describe('captured kubectl 1.33 bodies', () => {
  it('were sent as protobuf by kubectl 1.33 and the JSON oracle by kubectl 1.31', () => {
    assert.match(KUBECTL_VERSION, /^v1\.33\./);
    assert.match(KUBECTL_JSON_VERSION, /^v1\.31\./);
    assert.equal(Object.keys(CAPTURED).length, 22);
    for (const c of Object.values(CAPTURED)) {
      assert.equal(c.contentType, 'application/vnd.kubernetes.protobuf');
      assert.match(c.userAgent, /^kubectl\.1\.33\//);
      assert.ok(c.hex?.startsWith('6b387300'), c.command);
    }
    for (const c of Object.values(CAPTURED_JSON)) assert.equal(c.contentType, 'application/json');
  });

  it('kubectl accepted the decoded object echoed back with 201 (what it printed)', () => {
    assert.equal(CAPTURED.namespace?.printed, 'namespace/networking-lab created');
    assert.equal(CAPTURED.deployment?.printed, 'deployment.apps/web created');
    assert.equal(CAPTURED.ingress?.printed, 'ingress.networking.k8s.io/i created');
    for (const [name, c] of Object.entries(CAPTURED)) if (name !== 'token') assert.match(c.printed, / created$/, c.command);
  });

  it('kubectl create namespace networking-lab', () => {
    const d = decodeKubernetesProtobuf(fixture('namespace'));
    assert.equal(d.apiVersion, 'v1');
    assert.equal(d.kind, 'Namespace');
    assert.deepEqual(d.object, { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'networking-lab' }, spec: {}, status: {} });
    assert.equal(CAPTURED.namespace?.url, '/api/v1/namespaces?fieldManager=kubectl-create&fieldValidation=Strict');
  });

  it('kubectl create deployment web --image=nginx:1.27 --replicas=2 --port=80 -n ns', () => {
    const d = decodeKubernetesProtobuf(fixture('deployment'));
    assert.equal(d.apiVersion, 'apps/v1');
    assert.deepEqual(d.object, {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'web', namespace: 'ns', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    });
  });

  it('kubectl create service clusterip s --tcp=80:8080 -n ns', () => {
    assert.deepEqual(decodeKubernetesProtobuf(fixture('serviceClusterIP')).object, {
      kind: 'Service',
      apiVersion: 'v1',
      metadata: { name: 's', namespace: 'ns', labels: { app: 's' } },
      spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 's' }, type: 'ClusterIP' },
      status: { loadBalancer: {} },
    });
  });

  it('kubectl create service nodeport np --tcp=80:8080 --node-port=30080 -n ns', () => {
    const o = decodeKubernetesProtobuf(fixture('serviceNodePort')).object;
    assert.deepEqual(o.spec, {
      ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
      selector: { app: 'np' },
      type: 'NodePort',
    });
  });

  it('kubectl create service loadbalancer / externalname', () => {
    const lb = decodeKubernetesProtobuf(fixture('serviceLoadBalancer')).object;
    assert.deepEqual(lb.spec, {
      ports: [
        { name: '443-8443', protocol: 'TCP', port: 443, targetPort: 8443 },
        { name: '80', protocol: 'TCP', port: 80, targetPort: 80 },
      ],
      selector: { app: 'lb' },
      type: 'LoadBalancer',
    });
    const ext = decodeKubernetesProtobuf(fixture('serviceExternalName')).object;
    assert.deepEqual(ext.spec, { selector: { app: 'ext' }, type: 'ExternalName', externalName: 'example.com' });
  });

  it('kubectl create configmap c --from-literal=a=b', () => {
    assert.deepEqual(decodeKubernetesProtobuf(fixture('configmap')).object, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' }, data: { a: 'b' } });
  });

  it('kubectl create secret generic s --from-literal=a=b (bytes -> base64)', () => {
    assert.deepEqual(decodeKubernetesProtobuf(fixture('secretGeneric')).object, { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's' }, data: { a: 'Yg==' } });
  });

  it('kubectl create secret docker-registry', () => {
    const o = decodeKubernetesProtobuf(fixture('secretDockerRegistry')).object;
    assert.equal(o.type, 'kubernetes.io/dockerconfigjson');
    const data = o.data as Record<string, string>;
    const cfg: unknown = JSON.parse(Buffer.from(data['.dockerconfigjson'] ?? '', 'base64').toString('utf8'));
    assert.deepEqual(cfg, { auths: { 'registry.example.com': { username: 'u', password: 'p', email: 'u@example.com', auth: 'dTpw' } } });
  });

  it('kubectl create ingress i --rule="foo.com/bar*=svc1:8080"', () => {
    assert.deepEqual(decodeKubernetesProtobuf(fixture('ingress')).object, {
      kind: 'Ingress',
      apiVersion: 'networking.k8s.io/v1',
      metadata: { name: 'i' },
      spec: {
        rules: [
          {
            host: 'foo.com',
            http: { paths: [{ path: '/bar', pathType: 'Prefix', backend: { service: { name: 'svc1', port: { number: 8080 } } } }] },
          },
        ],
      },
      status: { loadBalancer: {} },
    });
  });

  it('kubectl create ingress with class, tls, named port, default backend and annotation', () => {
    const o = decodeKubernetesProtobuf(fixture('ingressFull')).object;
    assert.deepEqual(o.metadata, { name: 'i2', namespace: 'ns', annotations: { a: 'b' } });
    assert.deepEqual(o.spec, {
      ingressClassName: 'nginx',
      defaultBackend: { service: { name: 'defsvc', port: { number: 80 } } },
      tls: [{ hosts: ['foo.com'], secretName: 'my-cert' }],
      rules: [
        { host: 'foo.com', http: { paths: [{ path: '/', pathType: 'Exact', backend: { service: { name: 'svc', port: { name: 'http' } } } }] } },
        { host: 'bar.com', http: { paths: [{ path: '/admin', pathType: 'Prefix', backend: { service: { name: 'svcadmin', port: { number: 8080 } } } }] } },
      ],
    });
  });

  it('kubectl create serviceaccount sa', () => {
    assert.deepEqual(decodeKubernetesProtobuf(fixture('serviceAccount')).object, { kind: 'ServiceAccount', apiVersion: 'v1', metadata: { name: 'sa' } });
  });

  it('kubectl create poddisruptionbudget: pointer IntOrString and value-typed zero ints', () => {
    const o = decodeKubernetesProtobuf(fixture('podDisruptionBudget')).object;
    assert.deepEqual(o.spec, { minAvailable: 1, selector: { matchLabels: { app: 'web' } } });
    // PodDisruptionBudgetStatus ints have no omitempty: Go prints them even when 0.
    assert.deepEqual(o.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  });

  it('kubectl create quota: Quantity map', () => {
    const o = decodeKubernetesProtobuf(fixture('quota')).object;
    assert.deepEqual(o.spec, { hard: { cpu: '2', memory: '1Gi', pods: '10' } });
  });

  it('kubectl create token sa: a TokenRequest for the serviceaccounts/token subresource', () => {
    const d = decodeKubernetesProtobuf(fixture('token'));
    assert.equal(d.apiVersion, 'authentication.k8s.io/v1');
    assert.equal(d.kind, 'TokenRequest');
    assert.equal(CAPTURED.token?.url.split('?')[0], '/api/v1/namespaces/default/serviceaccounts/sa/token');
  });

  for (const [name, c] of Object.entries(CAPTURED)) {
    it(`${c.command}: same object as kubectl 1.31's JSON body`, () => {
      const json = CAPTURED_JSON[name]?.json;
      assert.ok(json, `JSON oracle for ${name}`);
      assert.deepStrictEqual(decodeKubernetesProtobuf(fixture(name)).object, withoutNulls(json));
    });
    it(`${c.command}: re-encodes to kubectl's exact bytes`, () => {
      const body = fixture(name);
      const d = decodeKubernetesProtobuf(body);
      assert.equal(Buffer.from(encodeKubernetesProtobuf(d.apiVersion, d.kind, d.object)).toString('hex'), c.hex);
    });
  }
});
