import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NodeIpam } from './ipam.js';

test('allocates in order from .2, wraps, and does not reuse a freed address at once', () => {
  const ipam = new NodeIpam('10.244.1.0/24');
  assert.equal(ipam.allocate(), '10.244.1.2');
  assert.equal(ipam.allocate(), '10.244.1.3');
  ipam.release('10.244.1.2');
  assert.equal(ipam.allocate(), '10.244.1.4');
  ipam.reserve('10.244.1.5');
  assert.equal(ipam.allocate(), '10.244.1.6');
  assert.equal(ipam.size, 4);
});

test('exhaustion is an error, release makes room', () => {
  const ipam = new NodeIpam('10.244.2.0/24');
  const got = new Set<string>();
  for (let i = 0; i < 253; i++) got.add(ipam.allocate());
  assert.equal(got.size, 253);
  assert.throws(() => ipam.allocate(), /no free pod IPs/);
  ipam.release('10.244.2.100');
  assert.equal(ipam.allocate(), '10.244.2.100');
});

test('a CIDR that is not a /24 is refused', () => {
  assert.throws(() => new NodeIpam('10.244.0.0/16'));
});
