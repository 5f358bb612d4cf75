/** @module api/validation/network-policy.test
 * Table-driven tests for api/validation/network-policy: one row per case, exact kube-apiserver messages.
 */
import { LABEL_VALUE_MSG, PORT_RANGE, QNAME_NAME_MSG, runTable } from './test-table.js';

type Obj = Record<string, unknown>;
const np = (spec: Obj): Obj => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np', namespace: 'default' }, spec });
const CIDR_MSG = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

runTable('networking.k8s.io/NetworkPolicy', [
  { name: 'default deny is valid', obj: np({ podSelector: {} }), want: [] },
  {
    name: 'typical allow is valid',
    obj: np({
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'prod' } } }], ports: [{ port: 5432 }] }],
      egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }], ports: [{ port: 53, protocol: 'UDP' }, { port: 30000, endPort: 32767 }] }],
    }),
    want: [],
  },
  {
    name: 'podSelector validity',
    obj: np({ podSelector: { matchLabels: { 'a b': 'c d' }, matchExpressions: [{ key: 'tier', operator: 'In' }, { key: 'x', operator: 'Exists', values: ['y'] }, { key: 'z', operator: 'Gt', values: ['1'] }] } }),
    want: [
      `spec.podSelector.matchLabels: Invalid value: "a b": ${QNAME_NAME_MSG}`,
      `spec.podSelector.matchLabels: Invalid value: "c d": ${LABEL_VALUE_MSG}`,
      "spec.podSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.podSelector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.podSelector.matchExpressions[2].operator: Invalid value: "Gt": not a valid selector operator',
    ],
  },
  {
    name: 'matchExpressions values must be label values',
    obj: np({ podSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['ok', 'not ok'] }] } }),
    want: [`spec.podSelector.matchExpressions[0].values[1]: Invalid value: "not ok": ${LABEL_VALUE_MSG}`],
  },
  {
    name: 'port protocol and range',
    obj: np({ podSelector: {}, ingress: [{ ports: [{ protocol: 'ICMP', port: 80 }, { port: 0 }, { port: 'HTTP' }] }] }),
    want: [
      'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
      `spec.ingress[0].ports[1].port: Invalid value: 0: ${PORT_RANGE}`,
      'spec.ingress[0].ports[2].port: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.ingress[0].ports[2].port: Invalid value: "HTTP": must contain at least one letter (a-z)',
    ],
  },
  {
    name: 'endPort rules',
    obj: np({ podSelector: {}, egress: [{ ports: [{ endPort: 90 }, { port: 'dns', endPort: 90 }, { port: 100, endPort: 90 }, { port: 100, endPort: 70000 }] }] }),
    want: [
      'spec.egress[0].ports[0].endPort: Invalid value: 90: may not be specified when `port` is not specified',
      'spec.egress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
      'spec.egress[0].ports[2].endPort: Invalid value: 90: must be greater than or equal to `port`',
      `spec.egress[0].ports[3].endPort: Invalid value: 70000: ${PORT_RANGE}`,
    ],
  },
  {
    name: 'peer must specify something; ipBlock alone',
    obj: np({ podSelector: {}, ingress: [{ from: [{}, { ipBlock: { cidr: '10.0.0.0/8' }, namespaceSelector: {} }] }] }),
    want: ['spec.ingress[0].from[0]: Required value: must specify a peer', 'spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer'],
  },
  {
    name: 'ipBlock cidr required and valid',
    obj: np({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '' } }, { ipBlock: { cidr: '10.0.0.0/33' } }, { ipBlock: { cidr: '10.0.0.1' } }] }] }),
    want: [
      'spec.egress[0].to[0].ipBlock.cidr: Required value',
      `spec.egress[0].to[1].ipBlock.cidr: Invalid value: "10.0.0.0/33": ${CIDR_MSG}`,
      `spec.egress[0].to[2].ipBlock.cidr: Invalid value: "10.0.0.1": ${CIDR_MSG}`,
    ],
  },
  {
    name: 'except must be a strict subset of cidr',
    obj: np({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.0.0/16', '10.1.0.0/24', '10.0.1.0/24', 'bogus', 'fd00::/64'] } }] }] }),
    want: [
      'spec.egress[0].to[0].ipBlock.except[0]: Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`',
      'spec.egress[0].to[0].ipBlock.except[1]: Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`',
      `spec.egress[0].to[0].ipBlock.except[3]: Invalid value: "bogus": ${CIDR_MSG}`,
      'spec.egress[0].to[0].ipBlock.except[4]: Invalid value: "fd00::/64": must be a strict subset of `cidr`',
    ],
  },
  {
    name: 'IPv6 ipBlock with except',
    obj: np({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: 'fd00::/48', except: ['fd00:0:0:1::/64', 'fd01::/64'] } }] }] }),
    want: ['spec.ingress[0].from[0].ipBlock.except[1]: Invalid value: "fd01::/64": must be a strict subset of `cidr`'],
  },
  {
    name: 'policyTypes values',
    obj: np({ podSelector: {}, policyTypes: ['Ingress', 'Both'] }),
    want: ['spec.policyTypes[1]: Unsupported value: "Both": supported values: "Ingress", "Egress"'],
  },
  {
    name: 'more than two policyTypes',
    obj: np({ podSelector: {}, policyTypes: ['Ingress', 'Egress', 'Ingress'] }),
    want: ['spec.policyTypes: Invalid value: []networking.PolicyType{"Ingress", "Egress", "Ingress"}: may not specify more than two policyTypes'],
  },
  {
    name: 'name is a subdomain',
    obj: { metadata: { name: 'allow_all', namespace: 'default' }, spec: { podSelector: {} } },
    want: [
      "metadata.name: Invalid value: \"allow_all\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ],
  },
  {
    name: 'update validates the new spec',
    old: { metadata: { name: 'np', namespace: 'default', resourceVersion: '1', uid: 'u' }, spec: { podSelector: {} } },
    obj: { metadata: { name: 'np', namespace: 'default', resourceVersion: '1', uid: 'u' }, spec: { podSelector: {}, ingress: [{ from: [{}] }] } },
    want: ['spec.ingress[0].from[0]: Required value: must specify a peer'],
  },
]);
