/**
 * @module apiserver/protobuf/schema.test
 *
 * The generated schema is complete and consistent, and its field numbers agree with the
 * upstream generated.proto files (spot checks against kubernetes/kubernetes staging/src/k8s.io/api
 * and k8s.io/apimachinery, and against the bytes kubectl 1.33 sends).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KIND_MESSAGES, MESSAGES } from './schema.generated.js';
import { SCHEMA_SOURCE, kindMessage, messageFields, protoType, supportedKinds } from './schema.js';

const SCALARS = new Set(['string', 'bool', 'bytes', 'int32', 'int64', 'uint32', 'uint64', 'sint32', 'sint64', 'fixed32', 'fixed64', 'sfixed32', 'sfixed64', 'double', 'float']);

function num(message: string, jsonOrProtoName: string): number | undefined {
  return messageFields(message)?.find((f) => f.protoName === jsonOrProtoName || f.jsonName === jsonOrProtoName)?.number;
}

describe('schema', () => {
  it('comes from kubectl 1.33', () => {
    assert.match(SCHEMA_SOURCE, /v1\.33\./);
  });

  it('every referenced type exists and every kind resolves in protobufjs', () => {
    for (const [name, fields] of Object.entries(MESSAGES)) {
      for (const f of fields) assert.ok(SCALARS.has(f[3]) || Object.hasOwn(MESSAGES, f[3]), `${name}.${f[1]} -> ${f[3]}`);
      assert.ok(protoType(name).fieldsArray.length === fields.length, name);
    }
    for (const { apiVersion, kind } of supportedKinds()) {
      const m = kindMessage(apiVersion, kind);
      assert.ok(m && Object.hasOwn(MESSAGES, m), `${apiVersion} ${kind}`);
      assert.equal(protoType(m).name, kind);
    }
    assert.equal(Object.keys(KIND_MESSAGES).length, 11);
  });

  it('covers the kinds kubectl create makes and kwire serves', () => {
    const have = new Set(supportedKinds().map((k) => `${k.apiVersion} ${k.kind}`));
    for (const k of [
      'v1 Namespace', 'apps/v1 Deployment', 'v1 ConfigMap', 'v1 Secret', 'v1 Service', 'networking.k8s.io/v1 Ingress', 'v1 ServiceAccount',
      'v1 Pod', 'apps/v1 ReplicaSet', 'networking.k8s.io/v1 NetworkPolicy', 'v1 Endpoints', 'discovery.k8s.io/v1 EndpointSlice',
      'networking.k8s.io/v1 IngressClass', 'v1 Event', 'v1 Node',
      'authentication.k8s.io/v1 TokenRequest', 'authentication.k8s.io/v1 SelfSubjectReview', 'authentication.k8s.io/v1beta1 SelfSubjectReview',
    ]) assert.ok(have.has(k), k);
  });

  it('has no cycle through value-typed (non-pointer) struct fields, so zero-filling terminates', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const walk = (name: string, path: string[]): void => {
      if (done.has(name)) return;
      assert.ok(!visiting.has(name), `value cycle ${[...path, name].join(' -> ')}`);
      visiting.add(name);
      for (const f of messageFields(name) ?? []) if (f.message && !f.pointer && !f.repeated && !f.map) walk(f.type, [...path, name]);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of Object.keys(MESSAGES)) walk(name, []);
  });

  it('field numbers match upstream generated.proto', () => {
    const meta = 'k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta';
    assert.deepEqual(['name', 'generateName', 'namespace', 'labels', 'annotations', 'ownerReferences', 'managedFields'].map((f) => num(meta, f)), [1, 2, 3, 11, 12, 13, 17]);
    const unknown = 'k8s.io.apimachinery.pkg.runtime.Unknown';
    assert.deepEqual(['typeMeta', 'raw', 'contentEncoding', 'contentType'].map((f) => num(unknown, f)), [1, 2, 3, 4]);
    const sp = 'k8s.io.api.core.v1.ServicePort';
    assert.deepEqual(['name', 'protocol', 'port', 'targetPort', 'nodePort', 'appProtocol'].map((f) => num(sp, f)), [1, 2, 3, 4, 5, 6]);
    const ss = 'k8s.io.api.core.v1.ServiceSpec';
    assert.deepEqual(['clusterIPs', 'ipFamilyPolicy', 'ipFamilies', 'allocateLoadBalancerNodePorts'].map((f) => num(ss, f)), [18, 17, 19, 20]);
    const ds = 'k8s.io.api.apps.v1.DeploymentSpec';
    assert.deepEqual(['replicas', 'selector', 'template', 'strategy', 'minReadySeconds', 'revisionHistoryLimit', 'paused', 'progressDeadlineSeconds'].map((f) => num(ds, f)), [1, 2, 3, 4, 5, 6, 7, 9]);
    const es = 'k8s.io.api.discovery.v1.EndpointSlice';
    assert.deepEqual(['metadata', 'endpoints', 'ports', 'addressType'].map((f) => num(es, f)), [1, 2, 3, 4]);
    assert.deepEqual(['ready', 'serving', 'terminating'].map((f) => num('k8s.io.api.discovery.v1.EndpointConditions', f)), [1, 2, 3]);
    assert.deepEqual(['name', 'number'].map((f) => num('k8s.io.api.networking.v1.ServiceBackendPort', f)), [1, 2]);
    assert.deepEqual(['type', 'intVal', 'strVal'].map((f) => num('k8s.io.apimachinery.pkg.util.intstr.IntOrString', f)), [1, 2, 3]);
    assert.equal(num('k8s.io.apimachinery.pkg.api.resource.Quantity', 'string'), 1);
    assert.deepEqual(['data', 'type', 'stringData', 'immutable'].map((f) => num('k8s.io.api.core.v1.Secret', f)), [2, 3, 4, 5]);
  });

  it('carries the Go JSON facts: json names, omitempty, pointers, inline', () => {
    const f = (m: string, n: string) => messageFields(m)?.find((x) => x.protoName === n);
    assert.equal(f('k8s.io.api.networking.v1.IngressClassParametersReference', 'aPIGroup')?.jsonName, 'apiGroup');
    assert.equal(f('k8s.io.api.apps.v1.DeploymentSpec', 'replicas')?.pointer, true);
    assert.equal(f('k8s.io.api.core.v1.ContainerPort', 'containerPort')?.omitempty, false);
    assert.equal(f('k8s.io.api.core.v1.ContainerPort', 'hostPort')?.omitempty, true);
    assert.equal(f('k8s.io.api.core.v1.Probe', 'handler')?.inline, true);
    assert.equal(f('k8s.io.api.core.v1.Probe', 'handler')?.jsonName, '');
    assert.equal(f('k8s.io.api.core.v1.Secret', 'data')?.map, true);
    assert.equal(f('k8s.io.api.core.v1.Secret', 'data')?.type, 'bytes');
    assert.equal(f('k8s.io.api.core.v1.PodSpec', 'containers')?.repeated, true);
  });
});
