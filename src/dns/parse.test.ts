/**
 * @module dns/parse.test
 * Query names into typed requests (CoreDNS parse_test.go shapes).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequest, type RecordRequest } from './parse.js';

const Z = 'cluster.local';
const name = (r: Partial<Extract<RecordRequest, { kind: 'name' }>>): RecordRequest => ({
  kind: 'name',
  podOrSvc: 'svc',
  namespace: '',
  service: '',
  endpoint: '',
  port: '',
  protocol: '',
  ...r,
});

describe('dns/parse', () => {
  const rows: Array<[string, RecordRequest]> = [
    [Z, { kind: 'apex' }],
    [`svc.${Z}`, { kind: 'apex' }],
    [`pod.${Z}`, { kind: 'apex' }],
    [`ns1.svc.${Z}`, name({ namespace: 'ns1' })],
    [`web.ns1.svc.${Z}`, name({ namespace: 'ns1', service: 'web' })],
    [`pet-0.web.ns1.svc.${Z}`, name({ namespace: 'ns1', service: 'web', endpoint: 'pet-0' })],
    [`_http._tcp.web.ns1.svc.${Z}`, name({ namespace: 'ns1', service: 'web', port: 'http', protocol: 'tcp' })],
    [`http.tcp.web.ns1.svc.${Z}`, name({ namespace: 'ns1', service: 'web', port: 'http', protocol: 'tcp' })],
    [`1-2-3-4.ns1.pod.${Z}`, name({ podOrSvc: 'pod', namespace: 'ns1', service: '1-2-3-4' })],
    [`a.b.c.web.ns1.svc.${Z}`, { kind: 'invalid' }],
    [`web.ns1.nope.${Z}`, { kind: 'invalid' }],
    [`dns-version.${Z}`, { kind: 'invalid' }],
  ];
  for (const [q, want] of rows) {
    it(q, () => assert.deepEqual(parseRequest(q, Z), want));
  }
});
