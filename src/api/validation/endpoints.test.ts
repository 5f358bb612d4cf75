/** @module api/validation/endpoints.test
 * Table-driven tests for api/validation/endpoints: one row per case, exact kube-apiserver messages.
 */
import { LABEL_MSG, PORT_RANGE, runTable } from './test-table.js';

type Obj = Record<string, unknown>;
const ep = (subsets: Obj[]): Obj => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'default' }, subsets });
const IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

runTable('/Endpoints', [
  { name: 'valid', obj: ep([{ addresses: [{ ip: '10.244.1.5' }], ports: [{ port: 8080 }] }]), want: [] },
  { name: 'no subsets is valid', obj: ep([]), want: [] },
  { name: 'a subset needs addresses', obj: ep([{ ports: [{ port: 80 }] }]), want: ['subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`'] },
  {
    name: 'addresses must be usable IPs',
    obj: ep([{ addresses: [{ ip: 'nope' }, { ip: '::1' }, { ip: '169.254.1.1', hostname: 'A' }, { ip: '127.0.0.1' }], notReadyAddresses: [{ ip: '224.0.0.5' }] }]),
    want: [
      `subsets[0].addresses[0].ip: Invalid value: "nope": ${IP_MSG}`,
      'subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address',
      // 127.0.0.0/8 is kwire's host (node) network: a host process may be an endpoint. IPv6 loopback is still refused.
      'subsets[0].addresses[1].ip: Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      `subsets[0].addresses[2].hostname: Invalid value: "A": ${LABEL_MSG}`,
      'subsets[0].addresses[2].ip: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      'subsets[0].notReadyAddresses[0].ip: Invalid value: "224.0.0.5": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
    ],
  },
  {
    name: 'ports: names when several, range, protocol',
    obj: ep([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 0 }, { name: 'b', port: 80, protocol: 'QUIC' }] }]),
    want: [
      'subsets[0].ports[0].name: Required value',
      `subsets[0].ports[0].port: Invalid value: 0: ${PORT_RANGE}`,
      'subsets[0].ports[1].protocol: Unsupported value: "QUIC": supported values: "SCTP", "TCP", "UDP"',
    ],
  },
]);

const slice = (body: Obj): Obj => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-abc', namespace: 'default' }, ...body });
runTable('discovery.k8s.io/EndpointSlice', [
  { name: 'valid', obj: slice({ addressType: 'IPv4', endpoints: [{ addresses: ['10.244.1.5'], conditions: { ready: true } }], ports: [{ name: 'http', port: 8080 }] }), want: [] },
  { name: 'addressType required', obj: slice({ endpoints: [] }), want: ['addressType: Required value'] },
  { name: 'addressType supported', obj: slice({ addressType: 'IP' }), want: ['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"'] },
  {
    name: 'addresses match their type',
    obj: slice({ addressType: 'IPv4', endpoints: [{ addresses: [] }, { addresses: ['fd00::1', '0.0.0.0'] }] }),
    want: [
      'endpoints[0].addresses: Required value: must contain at least 1 address',
      'endpoints[1].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address',
      'endpoints[1].addresses[1]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
    ],
  },
  {
    name: 'ports: duplicate names, protocol',
    obj: slice({ addressType: 'IPv4', ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81, protocol: 'ICMP' }] }),
    want: ['ports[1].name: Duplicate value: "http"', 'ports[1].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
  },
  {
    name: 'addressType is immutable',
    old: { metadata: { name: 'web-abc', namespace: 'default', resourceVersion: '1', uid: 'u' }, addressType: 'IPv4' },
    obj: { metadata: { name: 'web-abc', namespace: 'default', resourceVersion: '1', uid: 'u' }, addressType: 'IPv6' },
    want: ['addressType: Invalid value: "IPv6": field is immutable'],
  },
]);
