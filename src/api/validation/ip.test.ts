/** @module api/validation/ip.test
 * Table-driven tests for api/validation/ip: one row per case, exact kube-apiserver messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FieldPath, formatFieldError } from '../field-errors.js';
import { cidrContains, isIPv6String, parseCIDR, parseIP, validateNonSpecialIP } from './ip.js';

const IP_ROWS: ReadonlyArray<readonly [string, boolean, boolean?]> = [
  ['10.0.0.1', true, false],
  ['010.000.000.001', true, false],
  ['256.0.0.1', false],
  ['1.2.3', false],
  ['::', true, true],
  ['::1', true, true],
  ['fd00::10', true, true],
  ['2001:db8:0:0:0:0:0:1', true, true],
  ['2001:db8::1::2', false],
  ['1:2:3:4:5:6:7:8:9', false],
  ['1:2:3:4:5:6:7::8', false],
  ['::ffff:10.0.0.1', true, false],
  ['64:ff9b::192.0.2.33', true, true],
  ['fe80::1%eth0', false],
  ['', false],
  ['abcd', false],
];
for (const [s, ok, v6] of IP_ROWS) {
  test(`parseIP ${JSON.stringify(s)}`, () => {
    const ip = parseIP(s);
    assert.equal(ip !== undefined, ok);
    if (ok && v6 !== undefined) assert.equal(isIPv6String(s), v6);
  });
}

test('CIDR parsing and containment', () => {
  const c = parseCIDR('10.0.0.0/16');
  assert.ok(c);
  assert.equal(parseCIDR('10.0.0.0/33'), undefined);
  assert.equal(parseCIDR('10.0.0.0'), undefined);
  assert.equal(parseCIDR('10.0.0.0/-1'), undefined);
  const inside = parseIP('10.0.200.1');
  const outside = parseIP('10.1.0.1');
  assert.ok(inside && outside);
  assert.equal(cidrContains(c, inside), true);
  assert.equal(cidrContains(c, outside), false);
  const host = parseCIDR('10.0.5.7/16');
  assert.ok(host);
  assert.deepEqual([...host.network.slice(12)], [10, 0, 0, 0]);
  const v6 = parseCIDR('fd00::/8');
  const v6ip = parseIP('fdff::1');
  assert.ok(v6 && v6ip);
  assert.equal(cidrContains(v6, v6ip), true);
  assert.equal(cidrContains(v6, inside), false);
});

test('special addresses', () => {
  const msgs = (ip: string): string[] => validateNonSpecialIP(FieldPath.of('ip'), ip).map(formatFieldError);
  assert.deepEqual(msgs('10.1.2.3'), []);
  assert.deepEqual(msgs('::'), ['ip: Invalid value: "::": may not be unspecified (::)']);
  assert.deepEqual(msgs('::1'), ['ip: Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)']);
  assert.deepEqual(msgs('fe80::5'), ['ip: Invalid value: "fe80::5": may not be in the link-local range (169.254.0.0/16, fe80::/10)']);
  assert.deepEqual(msgs('ff02::1'), ['ip: Invalid value: "ff02::1": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)']);
});
