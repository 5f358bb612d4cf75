/**
 * @module dataplane/port-allocator.test
 * Ephemeral ports: per IP, round-robin, vetoes honoured, exhaustion reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EPHEMERAL_HIGH, EPHEMERAL_LOW, PortAllocator } from './port-allocator.js';

test('ports are per IP, skip vetoed and used ports, and are not reused until the range wraps', { timeout: 10_000 }, () => {
  const p = new PortAllocator();
  assert.equal(p.allocate('10.244.1.5'), EPHEMERAL_LOW);
  assert.equal(p.allocate('10.244.1.6'), EPHEMERAL_LOW);
  assert.equal(p.allocate('10.244.1.5', (q) => q === EPHEMERAL_LOW + 1), EPHEMERAL_LOW + 2);
  p.release('10.244.1.5', EPHEMERAL_LOW);
  assert.equal(p.allocate('10.244.1.5'), EPHEMERAL_LOW + 3, 'round-robin, not lowest-free');
  assert.equal(p.claim('10.244.1.5', 8080), true);
  assert.equal(p.claim('10.244.1.5', 8080), false);
  assert.equal(p.isUsed('10.244.1.5', 8080), true);
});

test('exhaustion is EADDRNOTAVAIL; forget resets an IP', { timeout: 10_000 }, () => {
  const p = new PortAllocator();
  const n = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
  for (let i = 0; i < n; i++) p.allocate('10.244.1.5');
  assert.throws(() => p.allocate('10.244.1.5'), { code: 'EADDRNOTAVAIL' });
  p.forget('10.244.1.5');
  assert.equal(p.allocate('10.244.1.5'), EPHEMERAL_LOW);
});
