/** @module apiserver/openapi/unknown-fields.test */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESOURCES, groupVersion } from '../../api/resources.js';
import {
  cannotBeHandledMessage,
  fieldValidationWarnings,
  findDuplicateFields,
  findUnknownFields,
  findUnknownFieldsInSchema,
  strictDecodingMessage,
  warningHeaderValue,
} from './unknown-fields.js';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web', 'any.key/x': 'y' }, annotations: { 'a/b': 'c' }, creationTimestamp: null },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx',
            ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }],
            env: [{ name: 'A', value: '1' }, { name: 'B', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
            resources: { limits: { cpu: '500m', memory: '128Mi', 'example.com/gpu': 1 }, requests: { cpu: 0.25 } },
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 },
          },
          { name: 'side', image: 'busybox', command: ['sleep', '1d'] },
        ],
        volumes: [{ name: 'v', emptyDir: {} }, { name: 'c', configMap: { name: 'cm', items: [{ key: 'k', path: 'p' }] } }],
      },
    },
  },
  status: {},
};

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

describe('findUnknownFields', () => {
  it('finds nothing in a valid Deployment (maps, int-or-string, quantities, nested lists)', () => {
    assert.deepEqual(findUnknownFields('apps/v1', 'Deployment', deployment), []);
  });

  const cases: ReadonlyArray<{ name: string; apiVersion: string; kind: string; obj: unknown; want: string[] }> = [
    {
      name: 'top level and metadata',
      apiVersion: 'v1', kind: 'ConfigMap',
      obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', foo: 1 }, data: { anything: 'goes', 'a.b': 'c' }, extra: true },
      want: ['metadata.foo', 'extra'],
    },
    {
      name: 'service spec and ports list items',
      apiVersion: 'v1', kind: 'Service',
      obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { foo: 'bar', ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081, bogus: 1 }], selector: { app: 'x' } } },
      want: ['spec.foo', 'spec.ports[1].bogus'],
    },
    {
      name: 'case mismatch is unknown',
      apiVersion: 'v1', kind: 'Service',
      obj: { apiVersion: 'v1', kind: 'Service', Spec: {}, metadata: { Name: 'x' } },
      want: ['Spec', 'metadata.Name'],
    },
    {
      name: 'ingress backend port',
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
      obj: {
        apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i' },
        spec: { rules: [{ host: 'a', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80, numbr: 1 } } } }] } }] },
      },
      want: ['spec.rules[0].http.paths[0].backend.service.port.numbr'],
    },
    {
      name: 'network policy peers',
      apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy',
      obj: {
        apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' },
        spec: {
          podSelector: {},
          policyTypes: ['Ingress'],
          ingress: [{ from: [{ podSelector: { matchLabels: { role: 'fe' } } }, { ipBlock: { cidr: '10.0.0.0/8', excpt: [] } }], ports: [{ port: 'http', protocol: 'TCP' }] }],
          egres: [],
        },
      },
      want: ['spec.ingress[0].from[1].ipBlock.excpt', 'spec.egres'],
    },
    {
      name: 'free-form fields accept anything (RawExtension, FieldsV1)',
      apiVersion: 'apps/v1', kind: 'ControllerRevision',
      obj: {
        apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: 1, data: { any: { thing: [1, 2] } },
        metadata: { name: 'r', managedFields: [{ manager: 'm', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:x': {} } }, bogus: 1 }] },
      },
      want: ['metadata.managedFields[0].bogus'],
    },
    {
      name: 'endpoint slices and events.k8s.io',
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
      obj: { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true, live: true } }], ports: [{ port: 80 }] },
      want: ['endpoints[0].conditions.live'],
    },
    {
      name: 'values of the wrong JSON type are not descended into',
      apiVersion: 'v1', kind: 'Service',
      obj: { apiVersion: 'v1', kind: 'Service', spec: 'oops', metadata: ['x'], status: { loadBalancer: null } },
      want: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(findUnknownFields(c.apiVersion, c.kind, c.obj), c.want));
  }

  it('reports unknown fields deep in a pod template, in document order', () => {
    const d = clone(deployment) as { spec: { template: { spec: { containers: Array<Record<string, unknown>>; foo?: number } } } };
    d.spec.template.spec.containers[1].foo = 1;
    (d.spec.template.spec.containers[0].ports as Array<Record<string, unknown>>)[0].hostPorts = 1;
    d.spec.template.spec.foo = 2;
    assert.deepEqual(findUnknownFields('apps/v1', 'Deployment', d), [
      'spec.template.spec.containers[0].ports[0].hostPorts',
      'spec.template.spec.containers[1].foo',
      'spec.template.spec.foo',
    ]);
  });

  it('has a schema for every kind in the resource table and accepts its minimal object', () => {
    for (const r of RESOURCES) {
      const apiVersion = groupVersion(r.group, r.version);
      assert.deepEqual(findUnknownFields(apiVersion, r.kind, { apiVersion, kind: r.kind, metadata: { name: 'x' } }), []);
      assert.deepEqual(findUnknownFields(apiVersion, r.kind, { apiVersion, kind: r.kind, nope: 1 }), ['nope'], r.kind);
      // Create-only kinds (SelfSubjectReview) have no list.
      if (r.verbs.includes('list')) assert.deepEqual(findUnknownFields(apiVersion, r.listKind, { apiVersion, kind: r.listKind, items: [{ zz: 1 }], metadata: {} }), ['items[0].zz']);
    }
  });

  it('checks subresource bodies by schema name and ignores unknown kinds', () => {
    assert.deepEqual(findUnknownFieldsInSchema('io.k8s.api.autoscaling.v1.Scale', { spec: { replicas: 3, min: 1 } }), ['spec.min']);
    assert.deepEqual(findUnknownFields('batch/v1', 'Job', { spec: { x: 1 } }), []);
    assert.deepEqual(findUnknownFieldsInSchema('no.such.Schema', { x: 1 }), []);
  });
});

describe('findDuplicateFields', () => {
  it('reports repeated keys with their paths, including inside lists and maps', () => {
    const body = '{"apiVersion":"v1","kind":"Service","metadata":{"name":"a","name":"b","labels":{"x":"1","x":"2"}},' +
      '"spec":{"ports":[{"port":80},{"port":81,"port":82}]},"kind":"Service"}';
    assert.deepEqual(findDuplicateFields(body), ['metadata.name', 'metadata.labels.x', 'spec.ports[1].port', 'kind']);
  });
  it('finds none in ordinary JSON, whitespace and escapes included', () => {
    assert.deepEqual(findDuplicateFields(JSON.stringify(deployment, null, 2)), []);
    assert.deepEqual(findDuplicateFields('{"a\\"b": 1, "a\\u0022c": [true, false, null, -1.5e3, "\\\\"]}'), []);
    assert.deepEqual(findDuplicateFields('{"a\\u0062":1,"ab":2}'), ['ab']);
    assert.deepEqual(findDuplicateFields('[]'), []);
  });
  it('throws on malformed JSON', () => {
    assert.throws(() => findDuplicateFields('{"a":}'), SyntaxError);
    assert.throws(() => findDuplicateFields('{"a":1'), SyntaxError);
  });
});

describe('messages', () => {
  it('formats the Strict error like kube-apiserver', () => {
    assert.equal(strictDecodingMessage(['spec.foo']), 'strict decoding error: unknown field "spec.foo"');
    assert.equal(
      strictDecodingMessage(['spec.foo', 'spec.ports[0].bar'], ['metadata.name']),
      'strict decoding error: unknown field "spec.foo", unknown field "spec.ports[0].bar", duplicate field "metadata.name"',
    );
    assert.equal(
      cannotBeHandledMessage('Service', 'v1', strictDecodingMessage(['spec.foo'])),
      'Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo"',
    );
  });
  it('formats Warn warnings and their Warning header values', () => {
    assert.deepEqual(fieldValidationWarnings(['spec.foo'], ['x']), ['unknown field "spec.foo"', 'duplicate field "x"']);
    assert.equal(warningHeaderValue('unknown field "spec.foo"'), '299 - "unknown field \\"spec.foo\\""');
    assert.equal(warningHeaderValue('a\\b\nc\u0001'), '299 - "a\\\\b\\nc\\x01"');
  });
});
