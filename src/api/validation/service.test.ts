/** @module api/validation/service.test
 * Table-driven tests for api/validation/service: one row per case, exact kube-apiserver messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDefaults } from '../defaults/index.js';
import { invalidStatusMessage, statusCauses } from '../field-errors.js';
import { validateCreate } from './index.js';
import { DNS1035_MSG, LABEL_MSG, PORT_RANGE, QNAME_NAME_MSG, SUBDOMAIN_MSG, runTable } from './test-table.js';

type Obj = Record<string, unknown>;
const svc = (spec: Obj, name = 'web'): Obj => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec });
const stored = (spec: Obj, name = 'web'): Obj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'default', resourceVersion: '7', uid: 'u-1', creationTimestamp: '2024-01-01T00:00:00Z' },
  spec,
});
const port80 = { port: 80 };
const NODE_RANGE = 'provided port is not in the valid range. The range of valid ports is 30000-32767';

runTable('/Service', [
  { name: 'minimal ClusterIP service is valid', obj: svc({ selector: { app: 'web' }, ports: [port80] }), want: [] },
  { name: 'named multi-port service is valid', obj: svc({ ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443, targetPort: 'https' }] }), want: [] },
  { name: 'NodePort with an in-range nodePort is valid', obj: svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), want: [] },
  { name: 'LoadBalancer is valid', obj: svc({ type: 'LoadBalancer', ports: [port80] }), want: [] },
  { name: 'headless without ports is valid', obj: svc({ clusterIP: 'None', selector: { app: 'web' } }), want: [] },
  { name: 'ExternalName is valid with a trailing dot', obj: svc({ type: 'ExternalName', externalName: 'db.example.com.' }), want: [] },
  {
    name: 'nodePort 99999 fails allocation alone',
    obj: svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 99999 }] }),
    want: [`spec.ports[0].nodePort: Invalid value: 99999: ${NODE_RANGE}`],
  },
  {
    name: 'nodePort below the range, other errors not reported yet',
    obj: svc({ type: 'NodePort', ports: [{ port: 0, nodePort: 80 }] }, 'Bad_Name'),
    want: [`spec.ports[0].nodePort: Invalid value: 80: ${NODE_RANGE}`],
  },
  {
    name: 'only the first out-of-range nodePort is reported',
    obj: svc({ type: 'LoadBalancer', ports: [{ name: 'a', port: 80, nodePort: 30080 }, { name: 'b', port: 81, nodePort: 1 }, { name: 'c', port: 82, nodePort: 2 }] }),
    want: [`spec.ports[1].nodePort: Invalid value: 1: ${NODE_RANGE}`],
  },
  {
    name: 'custom node port range',
    obj: svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
    ctx: { service: { nodePortRange: { min: 31000, max: 31999 }, ipFamilies: ['IPv4'] } },
    want: ['spec.ports[0].nodePort: Invalid value: 30080: provided port is not in the valid range. The range of valid ports is 31000-31999'],
  },
  { name: 'nodePort forbidden for ClusterIP', obj: svc({ ports: [{ port: 80, nodePort: 30080 }] }), want: ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"] },
  { name: 'ports required', obj: svc({ selector: { app: 'web' } }), want: ['spec.ports: Required value'] },
  {
    name: 'port range and targetPort defaulted from it',
    obj: svc({ ports: [{ port: 70000 }] }),
    want: [`spec.ports[0].port: Invalid value: 70000: ${PORT_RANGE}`, `spec.ports[0].targetPort: Invalid value: 70000: ${PORT_RANGE}`],
  },
  {
    name: 'port 0 and a numeric-string targetPort',
    obj: svc({ ports: [{ port: 0, targetPort: '8080' }] }),
    want: [`spec.ports[0].port: Invalid value: 0: ${PORT_RANGE}`, 'spec.ports[0].targetPort: Invalid value: "8080": must contain at least one letter (a-z)'],
  },
  {
    name: 'targetPort name too long with hyphen rules',
    obj: svc({ ports: [{ port: 80, targetPort: '-very--long-port-name' }] }),
    want: [
      'spec.ports[0].targetPort: Invalid value: "-very--long-port-name": must be no more than 15 characters',
      'spec.ports[0].targetPort: Invalid value: "-very--long-port-name": must not contain consecutive hyphens',
      'spec.ports[0].targetPort: Invalid value: "-very--long-port-name": must not begin or end with a hyphen',
    ],
  },
  {
    name: 'names required when more than one port, and DNS labels',
    obj: svc({ ports: [{ port: 80 }, { name: 'Web', port: 81 }] }),
    want: ['spec.ports[0].name: Required value', `spec.ports[1].name: Invalid value: "Web": ${LABEL_MSG}`],
  },
  {
    name: 'duplicate port names',
    obj: svc({ ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] }),
    want: ['spec.ports[1].name: Duplicate value: "http"'],
  },
  {
    name: 'duplicate port+protocol',
    obj: svc({ ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80 }, { name: 'c', port: 80, protocol: 'UDP' }] }),
    want: [
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ],
  },
  {
    name: 'duplicate nodePorts',
    obj: svc({ type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30080 }, { name: 'b', port: 81, nodePort: 30080 }] }),
    want: ['spec.ports[1].nodePort: Duplicate value: 30080'],
  },
  {
    name: 'protocol unsupported',
    obj: svc({ ports: [{ port: 80, protocol: 'ICMP' }] }),
    want: ['spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
  },
  {
    name: 'appProtocol must be a qualified name',
    obj: svc({ ports: [{ port: 80, appProtocol: 'http/2/x' }] }),
    want: [
      "spec.ports[0].appProtocol: Invalid value: \"http/2/x\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ],
  },
  {
    name: 'type unsupported',
    obj: svc({ type: 'Internal', ports: [port80] }),
    want: ['spec.type: Unsupported value: "Internal": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
  },
  {
    name: 'service names are DNS-1035 labels',
    obj: svc({ ports: [port80] }, '1web'),
    want: [`metadata.name: Invalid value: "1web": ${DNS1035_MSG}`],
  },
  { name: 'name required', obj: { metadata: { namespace: 'default' }, spec: { ports: [port80] } }, want: ['metadata.name: Required value: name or generateName is required'] },
  {
    name: 'clusterIP must be an IP',
    obj: svc({ clusterIP: '10.96.0.300', ports: [port80] }),
    want: ['spec.clusterIPs[0]: Invalid value: "10.96.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
  },
  {
    name: 'clusterIP outside the service range fails allocation',
    obj: svc({ clusterIP: '192.168.0.10', ports: [port80] }),
    want: ['spec.clusterIPs: Invalid value: []string{"192.168.0.10"}: failed to allocate IP 192.168.0.10: the provided IP (192.168.0.10) is not in the valid range. The range of valid IPs is 10.96.0.0/12'],
  },
  {
    name: 'IPv6 clusterIP on an IPv4 cluster',
    obj: svc({ clusterIP: 'fd00::10', ports: [port80] }),
    want: ['spec.clusterIPs[0]: Invalid value: []string{"fd00::10"}: IPv6 is not configured on this cluster'],
  },
  {
    name: 'clusterIPs must start with clusterIP',
    obj: svc({ clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.11'], ports: [port80] }),
    want: ['spec.clusterIPs: Invalid value: []string{"10.96.0.11"}: first value must match `clusterIP`'],
  },
  {
    name: 'RequireDualStack on a single-stack cluster',
    obj: svc({ ipFamilyPolicy: 'RequireDualStack', ports: [port80] }),
    want: ['spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services'],
  },
  {
    name: 'ipFamilyPolicy unsupported',
    obj: svc({ ipFamilyPolicy: 'Both', ports: [port80] }),
    want: ['spec.ipFamilyPolicy: Unsupported value: "Both": supported values: "PreferDualStack", "RequireDualStack", "SingleStack"'],
  },
  {
    name: "'None' only for ClusterIP type (NodePort)",
    obj: svc({ type: 'NodePort', clusterIP: 'None', selector: { app: 'x' }, ports: [port80] }),
    want: ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"],
  },
  {
    name: "'None' only for ClusterIP type (LoadBalancer)",
    obj: svc({ type: 'LoadBalancer', clusterIP: 'None', selector: { app: 'x' }, ports: [port80] }),
    want: ["spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for LoadBalancer services"],
  },
  { name: 'ExternalName requires externalName', obj: svc({ type: 'ExternalName' }), want: ['spec.externalName: Required value'] },
  {
    name: 'externalName must be a DNS subdomain',
    obj: svc({ type: 'ExternalName', externalName: 'Not_A_Host' }),
    want: [`spec.externalName: Invalid value: "Not_A_Host": ${SUBDOMAIN_MSG}`],
  },
  {
    name: 'ExternalName may not carry a clusterIP',
    obj: svc({ type: 'ExternalName', externalName: 'db.example.com', clusterIP: '10.96.0.10' }),
    want: ['spec.clusterIPs: Forbidden: may not be set for ExternalName services'],
  },
  {
    name: 'sessionAffinity unsupported',
    obj: svc({ sessionAffinity: 'Cookie', ports: [port80] }),
    want: ['spec.sessionAffinity: Unsupported value: "Cookie": supported values: "ClientIP", "None"'],
  },
  {
    name: 'ClientIP timeout out of range',
    obj: svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } }, ports: [port80] }),
    want: ['spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 86401: must be greater than 0 and less than 86400'],
  },
  { name: 'ClientIP timeout defaulted', obj: svc({ sessionAffinity: 'ClientIP', ports: [port80] }), want: [] },
  {
    name: 'externalTrafficPolicy only for externally-accessible services',
    obj: svc({ externalTrafficPolicy: 'Local', ports: [port80] }),
    want: ['spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'],
  },
  {
    name: 'externalTrafficPolicy unsupported value',
    obj: svc({ type: 'NodePort', externalTrafficPolicy: 'Global', ports: [port80] }),
    want: ['spec.externalTrafficPolicy: Unsupported value: "Global": supported values: "Cluster", "Local"'],
  },
  {
    name: 'healthCheckNodePort only with LoadBalancer + Local',
    obj: svc({ type: 'NodePort', healthCheckNodePort: 30100, ports: [port80] }),
    want: ["spec.healthCheckNodePort: Invalid value: 30100: may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"],
  },
  {
    name: 'internalTrafficPolicy unsupported',
    obj: svc({ internalTrafficPolicy: 'Node', ports: [port80] }),
    want: ['spec.internalTrafficPolicy: Unsupported value: "Node": supported values: "Cluster", "Local"'],
  },
  {
    name: 'allocateLoadBalancerNodePorts only for LoadBalancer',
    obj: svc({ allocateLoadBalancerNodePorts: false, ports: [port80] }),
    want: ["spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"],
  },
  {
    name: 'loadBalancerSourceRanges only for LoadBalancer, each a CIDR',
    obj: svc({ loadBalancerSourceRanges: ['10.0.0.0/8', 'nope'], ports: [port80] }),
    want: [
      "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'",
      'spec.LoadBalancerSourceRanges[1]: Invalid value: "nope": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    ],
  },
  {
    name: 'loadBalancerClass only for LoadBalancer',
    obj: svc({ loadBalancerClass: 'example.com/lb', ports: [port80] }),
    want: ["spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'"],
  },
  {
    name: 'externalIPs must be usable addresses',
    obj: svc({ externalIPs: ['1.2.3.4', 'x', '127.0.0.1', '0.0.0.0'], ports: [port80] }),
    want: [
      'spec.externalIPs[1]: Invalid value: "x": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'spec.externalIPs[2]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'spec.externalIPs[3]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
    ],
  },
  {
    name: 'selector labels validated',
    obj: svc({ selector: { 'bad key!': 'v' }, ports: [port80] }),
    want: [`spec.selector: Invalid value: "bad key!": ${QNAME_NAME_MSG}`],
  },
  {
    name: 'trafficDistribution',
    obj: svc({ trafficDistribution: 'Nearest', ports: [port80] }),
    want: ['spec.trafficDistribution: Unsupported value: "Nearest": supported values: "PreferClose"'],
  },
  {
    name: 'every error at once',
    obj: svc({ ports: [{ name: 'A', port: 0 }, { port: 80, protocol: 'ICMP' }], sessionAffinity: 'Sticky' }),
    want: [
      `spec.ports[0].name: Invalid value: "A": ${LABEL_MSG}`,
      `spec.ports[0].port: Invalid value: 0: ${PORT_RANGE}`,
      `spec.ports[0].targetPort: Invalid value: 0: ${PORT_RANGE}`,
      'spec.ports[1].name: Required value',
      'spec.ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"',
      'spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"',
    ],
  },
  // Updates
  {
    name: 'clusterIP is immutable',
    old: stored({ clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [port80] }),
    obj: stored({ clusterIP: '10.96.0.21', ports: [port80] }),
    want: ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.21"}: may not change once set'],
  },
  {
    name: 'same clusterIP is fine',
    old: stored({ clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [port80] }),
    obj: stored({ clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [port80, { name: 'x', port: 81 }] }),
    want: ['spec.ports[0].name: Required value'],
  },
  {
    name: 'resourceVersion must be given on update',
    old: stored({ clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [port80] }),
    obj: { metadata: { name: 'web', namespace: 'default', uid: 'u-1', creationTimestamp: '2024-01-01T00:00:00Z' }, spec: { clusterIP: '10.96.0.20', ports: [port80] } },
    want: ['metadata.resourceVersion: Invalid value: "": must be specified for an update'],
  },
  {
    name: 'name is immutable',
    old: stored({ clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [port80] }),
    obj: stored({ clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [port80] }, 'other'),
    want: ['metadata.name: Invalid value: "other": field is immutable'],
  },
  {
    name: 'loadBalancerClass may not change once set',
    old: stored({ type: 'LoadBalancer', loadBalancerClass: 'a.io/x', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ port: 80, nodePort: 30001 }] }),
    obj: stored({ type: 'LoadBalancer', loadBalancerClass: 'a.io/y', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ port: 80, nodePort: 30001 }] }),
    want: ['spec.loadBalancerClass: Invalid value: "a.io/y": may not change once set'],
  },
  {
    name: 'a new out-of-range nodePort fails on update too',
    old: stored({ type: 'NodePort', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ port: 80, nodePort: 30001 }] }),
    obj: stored({ type: 'NodePort', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ports: [{ port: 80, nodePort: 40001 }] }),
    want: [`spec.ports[0].nodePort: Invalid value: 40001: ${NODE_RANGE}`],
  },
]);

test('Status message and causes for a Service with nodePort 99999', () => {
  const obj: Obj = svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 99999 }] }, 'x');
  applyDefaults('/Service', obj);
  const errs = validateCreate('/Service', obj);
  assert.equal(
    invalidStatusMessage('/Service', 'x', errs),
    'Service "x" is invalid: spec.ports[0].nodePort: Invalid value: 99999: provided port is not in the valid range. The range of valid ports is 30000-32767',
  );
  assert.deepEqual(statusCauses(errs), [
    {
      reason: 'FieldValueInvalid',
      message: 'Invalid value: 99999: provided port is not in the valid range. The range of valid ports is 30000-32767',
      field: 'spec.ports[0].nodePort',
    },
  ]);
});

test('Status message lists several Service errors in brackets', () => {
  const obj: Obj = svc({ ports: [{ port: 80, nodePort: 30080 }], sessionAffinity: 'Sticky' }, 'x');
  applyDefaults('/Service', obj);
  assert.equal(
    invalidStatusMessage('/Service', 'x', validateCreate('/Service', obj)),
    'Service "x" is invalid: [spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None", spec.ports[0].nodePort: Forbidden: may not be used when `type` is \'ClusterIP\']',
  );
});
