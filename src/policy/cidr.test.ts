/**
 * @module policy/cidr.test
 * IP and CIDR parsing, containment and ipBlock except, as tables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, formatIP, ipBlockContains, parseCidr, parseIP } from './cidr.js';

test('parseIP: IPv4 and IPv6 forms, rejects garbage', () => {
  const rows: Array<[string, string | undefined]> = [
    ['10.244.1.5', '10.244.1.5'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['256.1.1.1', undefined],
    ['1.2.3', undefined],
    ['1.2.3.4.5', undefined],
    ['a.b.c.d', undefined],
    ['::1', '::1'],
    ['fd00::10', 'fd00::10'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['::ffff:10.0.0.1', '::ffff:a00:1'],
    ['1::2::3', undefined],
    ['12345::', undefined],
    ['', undefined],
  ];
  for (const [input, want] of rows) {
    const ip = parseIP(input);
    assert.equal(ip === undefined ? undefined : formatIP(ip), want, input);
  }
});

test('parseCidr masks host bits and validates the prefix', () => {
  assert.equal(parseCidr('10.244.1.5/16')?.text, '10.244.0.0/16');
  assert.equal(parseCidr('10.244.1.5/32')?.text, '10.244.1.5/32');
  assert.equal(parseCidr('0.0.0.0/0')?.text, '0.0.0.0/0');
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
  assert.equal(parseCidr('10.0.0.0'), undefined);
  assert.equal(parseCidr('fd00::/8')?.text, 'fd00::/8');
  assert.equal(parseCidr('::/0')?.prefix, 0);
});

test('cidrContains: table', () => {
  const rows: Array<[string, string, boolean]> = [
    ['10.244.0.0/16', '10.244.3.9', true],
    ['10.244.0.0/16', '10.245.0.1', false],
    ['0.0.0.0/0', '8.8.8.8', true],
    ['0.0.0.0/4', '10.244.1.1', true],
    ['0.0.0.0/4', '16.0.0.1', false],
    ['10.244.1.5/32', '10.244.1.5', true],
    ['10.244.1.5/32', '10.244.1.6', false],
    ['fd00::/8', 'fd00::1', true],
    ['fd00::/8', '10.0.0.1', false],
    ['0.0.0.0/0', '::1', false],
  ];
  for (const [c, ip, want] of rows) {
    const cidr = parseCidr(c);
    const addr = parseIP(ip);
    assert.ok(cidr && addr);
    assert.equal(cidrContains(cidr, addr), want, `${c} ∋ ${ip}`);
  }
});

test('ipBlockContains honours except', () => {
  const cidr = parseCidr('10.0.0.0/8');
  const ex = parseCidr('10.1.0.0/16');
  assert.ok(cidr && ex);
  const b = { cidr, except: [ex], text: 'x' };
  assert.equal(ipBlockContains(b, parseIP('10.2.0.1')!), true);
  assert.equal(ipBlockContains(b, parseIP('10.1.0.1')!), false);
  assert.equal(ipBlockContains(b, parseIP('11.0.0.1')!), false);
});
