/**
 * @module api/patch/zero-objects
 * The "empty object" of each kind as kube-apiserver's field manager sees it
 * when an object is created: the Go zero value encoded to JSON. Non-pointer
 * structs are present as `{}` and non-omitempty lists as `null`, which is why
 * a create records `f:spec` without a "." but `f:labels` with one, and
 * `f:containers` without one. Only the parts that change ownership records
 * are spelled out; `metadata` and `status` are never recorded anyway.
 */
import { clone, type JsonObject } from './json.js';

const podTemplate: JsonObject = { metadata: { creationTimestamp: null }, spec: { containers: null } };

const ZERO: Readonly<Record<string, JsonObject>> = {
  '/Pod': { spec: { containers: null }, status: {} },
  '/PodTemplate': { template: podTemplate },
  '/ReplicationController': { spec: {}, status: {} },
  'apps/Deployment': { spec: { selector: null, template: podTemplate, strategy: {} }, status: {} },
  'apps/ReplicaSet': { spec: { selector: null, template: podTemplate }, status: {} },
  'apps/DaemonSet': { spec: { selector: null, template: podTemplate, updateStrategy: {} }, status: {} },
  'apps/StatefulSet': { spec: { selector: null, template: podTemplate, updateStrategy: {} }, status: {} },
  'batch/Job': { spec: { template: podTemplate }, status: {} },
  '/Service': { spec: {}, status: { loadBalancer: {} } },
  '/Namespace': { spec: {}, status: {} },
  '/Node': { spec: {}, status: {} },
  'networking.k8s.io/Ingress': { spec: {}, status: { loadBalancer: {} } },
  'networking.k8s.io/IngressClass': { spec: {} },
  'networking.k8s.io/NetworkPolicy': { spec: { podSelector: {} } },
  'discovery.k8s.io/EndpointSlice': { addressType: '', endpoints: null },
  '/Event': { involvedObject: {}, source: {}, firstTimestamp: null, lastTimestamp: null, eventTime: null, reportingComponent: '', reportingInstance: '' },
  'events.k8s.io/Event': { eventTime: null, deprecatedSource: {}, deprecatedFirstTimestamp: null, deprecatedLastTimestamp: null },
};

/** A fresh copy of the zero object of `groupKind` (`{metadata:{creationTimestamp:null}}` plus its skeleton). */
export function zeroObject(groupKind: string): JsonObject {
  return { metadata: { creationTimestamp: null }, ...clone(ZERO[groupKind] ?? {}) };
}
