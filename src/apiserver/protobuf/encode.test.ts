/**
 * @module apiserver/protobuf/encode.test
 *
 * encodeKubernetesProtobuf: Go-compatible output and its error contract (unknown kinds, unknown
 * fields and ill-typed values are errors with a field path, never silently dropped).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubernetesProtobufError, decodeKubernetesProtobuf, encodeKubernetesProtobuf } from './index.js';
import { envelope, mf, sf, vf } from './wire.test-helpers.js';

function expectInvalid(fn: () => unknown, code: string, path: string | undefined, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof KubernetesProtobufError, `expected KubernetesProtobufError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.path, path);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const deployment = (spec: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec });

describe('encodeKubernetesProtobuf', () => {
  it('writes what Go writes: every value-typed field, zeros included, in field-number order', () => {
    const bytes = encodeKubernetesProtobuf('v1', 'ServiceAccount', { metadata: { name: 'sa' } });
    // ObjectMeta: name, then generateName..resourceVersion as "", generation 0, creationTimestamp as
    // zero-length Time, then the nil pointers/maps/slices are absent.
    const objectMeta = [...sf(1, 'sa'), ...sf(2, ''), ...sf(3, ''), ...sf(4, ''), ...sf(5, ''), ...sf(6, ''), ...vf(7, 0), ...mf(8)];
    assert.deepEqual(Array.from(bytes), Array.from(envelope('v1', 'ServiceAccount', mf(1, objectMeta))));
  });

  it('writes repeated int64 unpacked, as proto2 Go code does', () => {
    const bytes = encodeKubernetesProtobuf('v1', 'Pod', { spec: { containers: [], securityContext: { supplementalGroups: [1, 2] } } });
    const hex = Buffer.from(bytes).toString('hex');
    assert.ok(hex.includes('2001' + '2002'), hex); // field 4 varint, twice
    assert.deepEqual((decodeKubernetesProtobuf(bytes).object.spec as Record<string, unknown>).securityContext, { supplementalGroups: [1, 2] });
  });

  it('a null list element of struct type is the zero struct, as in Go', () => {
    const bytes = encodeKubernetesProtobuf('v1', 'Service', { spec: { ports: [null] } });
    assert.deepEqual((decodeKubernetesProtobuf(bytes).object.spec as Record<string, unknown>).ports, [{ port: 0, targetPort: 0 }]);
  });

  it('IntOrString and Quantity inputs', () => {
    const o = encodeKubernetesProtobuf('apps/v1', 'Deployment', deployment({ strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } }));
    const spec = decodeKubernetesProtobuf(o).object.spec as Record<string, Record<string, unknown>>;
    assert.deepEqual(spec.strategy?.rollingUpdate, { maxSurge: '25%', maxUnavailable: 1 });
    const q = encodeKubernetesProtobuf('v1', 'ResourceQuota', { spec: { hard: { pods: 10 } } });
    assert.deepEqual(decodeKubernetesProtobuf(q).object.spec, { hard: { pods: '10' } });
  });

  it('Time inputs: every RFC3339 offset, fractional seconds dropped for Time, kept for MicroTime', () => {
    const ns = encodeKubernetesProtobuf('v1', 'Namespace', { metadata: { name: 'n', creationTimestamp: '2025-01-02T05:04:05.9+02:00' } });
    assert.equal((decodeKubernetesProtobuf(ns).object.metadata as Record<string, unknown>).creationTimestamp, '2025-01-02T03:04:05Z');
    const ev = encodeKubernetesProtobuf('events.k8s.io/v1', 'Event', { eventTime: '2025-01-02T03:04:05.1234567Z' });
    assert.equal(decodeKubernetesProtobuf(ev).object.eventTime, '2025-01-02T03:04:05.123456Z');
  });

  it('rejects unknown kinds and mismatched kind/apiVersion', () => {
    expectInvalid(() => encodeKubernetesProtobuf('v1', 'Frobnicator', {}), 'PB_UNKNOWN_KIND', undefined, /Frobnicator/);
    expectInvalid(() => encodeKubernetesProtobuf('v1', 'Namespace', { kind: 'Pod' }), 'PB_INVALID_VALUE', 'kind');
    expectInvalid(() => encodeKubernetesProtobuf('v1', 'Namespace', { apiVersion: 'v2' }), 'PB_INVALID_VALUE', 'apiVersion');
    expectInvalid(() => encodeKubernetesProtobuf('v1', 'Namespace', []), 'PB_INVALID_VALUE', undefined);
    expectInvalid(() => encodeKubernetesProtobuf('v1', 'Namespace', null), 'PB_INVALID_VALUE', undefined);
  });

  it('rejects unknown fields with their path', () => {
    expectInvalid(
      () => encodeKubernetesProtobuf('apps/v1', 'Deployment', deployment({ template: { spec: { containers: [{ name: 'c', imagee: 'x' }] } } })),
      'PB_INVALID_VALUE',
      'spec.template.spec.containers[0].imagee',
      /unknown field "imagee"/,
    );
    // inline fields are known in the parent, and only there
    assert.doesNotThrow(() => encodeKubernetesProtobuf('v1', 'Pod', { spec: { containers: [{ name: 'c', readinessProbe: { httpGet: { port: 80 }, periodSeconds: 1 } }] } }));
    expectInvalid(() => encodeKubernetesProtobuf('v1', 'Pod', { spec: { containers: [{ name: 'c', readinessProbe: { handler: {} } }] } }), 'PB_INVALID_VALUE', 'spec.containers[0].readinessProbe.handler');
  });

  it('rejects ill-typed values with their path', () => {
    expectInvalid(() => encodeKubernetesProtobuf('apps/v1', 'Deployment', deployment({ replicas: '2' })), 'PB_INVALID_VALUE', 'spec.replicas', /int32/);
    expectInvalid(() => encodeKubernetesProtobuf('apps/v1', 'Deployment', deployment({ replicas: 2 ** 31 })), 'PB_INVALID_VALUE', 'spec.replicas');
    expectInvalid(() => encodeKubernetesProtobuf('apps/v1', 'Deployment', deployment({ replicas: 1.5 })), 'PB_INVALID_VALUE', 'spec.replicas');
    expectInvalid(() => encodeKubernetesProtobuf('v1', 'Secret', { data: { a: 'not base64!' } }), 'PB_INVALID_VALUE', 'data["a"]', /base64/);
    expectInvalid(() => encodeKubernetesProtobuf('v1', 'ConfigMap', { data: { a: 1 } }), 'PB_INVALID_VALUE', 'data["a"]', /string/);
    expectInvalid(() => encodeKubernetesProtobuf('v1', 'ConfigMap', { data: ['a'] }), 'PB_INVALID_VALUE', 'data');
    expectInvalid(() => encodeKubernetesProtobuf('v1', 'Namespace', { metadata: { creationTimestamp: 'yesterday' } }), 'PB_INVALID_VALUE', 'metadata.creationTimestamp', /RFC3339/);
    expectInvalid(() => encodeKubernetesProtobuf('v1', 'Service', { spec: { ports: [{ port: 80, targetPort: true }] } }), 'PB_INVALID_VALUE', 'spec.ports[0].targetPort');
    expectInvalid(() => encodeKubernetesProtobuf('v1', 'Service', { spec: { ports: 'all' } }), 'PB_INVALID_VALUE', 'spec.ports', /list/);
    expectInvalid(() => encodeKubernetesProtobuf('v1', 'Namespace', { metadata: { finalizers: [null] } }), 'PB_INVALID_VALUE', 'metadata.finalizers[0]', /null/);
  });
});
