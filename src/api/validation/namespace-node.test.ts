/** @module api/validation/namespace-node.test
 * Table-driven tests for api/validation/namespace-node: one row per case, exact kube-apiserver messages.
 */
import { LABEL_MSG, QNAME_NAME_MSG, SUBDOMAIN_MSG, runTable } from './test-table.js';

runTable('/Namespace', [
  { name: 'valid', obj: { metadata: { name: 'prod' } }, want: [] },
  { name: 'name required', obj: { metadata: {} }, want: ['metadata.name: Required value: name or generateName is required'] },
  { name: 'name is a DNS label', obj: { metadata: { name: 'team.prod' } }, want: ['metadata.name: Invalid value: "team.prod": must not contain dots'] },
  { name: 'uppercase', obj: { metadata: { name: 'Prod' } }, want: [`metadata.name: Invalid value: "Prod": ${LABEL_MSG}`] },
  {
    name: 'too long (the defaulted metadata.name label is too long as well)',
    obj: { metadata: { name: 'a'.repeat(64) } },
    want: [`metadata.name: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`, `metadata.labels: Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`],
  },
  {
    name: 'spec finalizers must be standard or qualified',
    obj: { metadata: { name: 'prod' }, spec: { finalizers: ['custom'] } },
    want: ['spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified'],
  },
  {
    name: 'metadata finalizers checked too',
    obj: { metadata: { name: 'prod', finalizers: ['mine'] } },
    want: ['metadata.finalizers[0]: Invalid value: "mine": name is neither a standard finalizer name nor is it fully qualified'],
  },
  {
    name: 'labels immutable? no: label change is a valid update',
    old: { metadata: { name: 'prod', resourceVersion: '1', uid: 'u' } },
    obj: { metadata: { name: 'prod', resourceVersion: '1', uid: 'u', labels: { team: 'a' } } },
    want: [],
  },
]);

runTable('/Node', [
  { name: 'valid', obj: { metadata: { name: 'kwire-worker' }, spec: { podCIDRs: ['10.244.1.0/24'] } }, want: [] },
  { name: 'name', obj: { metadata: { name: 'Worker_1' } }, want: [`metadata.name: Invalid value: "Worker_1": ${SUBDOMAIN_MSG}`] },
  {
    name: 'podCIDRs valid and one per family',
    obj: { metadata: { name: 'n' }, spec: { podCIDRs: ['10.244.1.0/24', '10.244.2.0/24'] } },
    want: ['spec.podCIDRs: Invalid value: []string{"10.244.1.0/24", "10.244.2.0/24"}: may specify no more than one CIDR for each IP family'],
  },
  {
    name: 'taint effect',
    obj: { metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'Evict' }] } },
    want: ['metadata.taints[0].effect: Unsupported value: "Evict": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'],
  },
  {
    name: 'podCIDRs may not change',
    old: { metadata: { name: 'n', resourceVersion: '1', uid: 'u' }, spec: { podCIDRs: ['10.244.1.0/24'] } },
    obj: { metadata: { name: 'n', resourceVersion: '1', uid: 'u' }, spec: { podCIDRs: ['10.244.9.0/24'] } },
    want: ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid'],
  },
]);

runTable('/Event', [
  { name: 'legacy event', obj: { metadata: { name: 'web.1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' }, reason: 'Started' }, want: [] },
  {
    name: 'namespace mismatch',
    obj: { metadata: { name: 'web.1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'prod' } },
    want: ['involvedObject.namespace: Invalid value: "prod": does not match event.namespace'],
  },
  {
    name: 'new-style event needs reporting fields',
    obj: { metadata: { name: 'e', namespace: 'default' }, eventTime: '2024-01-01T00:00:00.000000Z', involvedObject: { namespace: 'default' } },
    want: [
      'reportingComponent: Required value',
      'reportingComponent: Invalid value: "": name part must be non-empty',
      `reportingComponent: Invalid value: "": ${QNAME_NAME_MSG}`,
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Required value',
    ],
  },
]);

runTable('events.k8s.io/Event', [
  {
    name: 'valid',
    obj: { metadata: { name: 'e', namespace: 'default' }, eventTime: '2024-01-01T00:00:00.000000Z', regarding: { namespace: 'default' }, reportingController: 'kwire.io/kubelet', reportingInstance: 'n1', action: 'Pull', reason: 'Pulled', type: 'Normal' },
    want: [],
  },
  {
    name: 'eventTime and type',
    obj: { metadata: { name: 'e', namespace: 'default' }, regarding: { namespace: 'default' }, type: 'Info' },
    want: ['eventTime: Required value', 'type: Invalid value: "": has invalid value: Info'],
  },
]);
