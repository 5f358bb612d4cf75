/**
 * @module dns/ip.test
 * Addresses, reverse names and the reverse zones of a CIDR.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { addressFromReverse, canonicalIp, reverseName, reverseZonesForCidr } from './ip.js';

describe('dns/ip', () => {
  it('canonicalizes IPv4 and IPv6 (RFC 5952) and rejects the rest', () => {
    const rows: Array<[string, string | undefined]> = [
      ['10.96.0.1', '10.96.0.1'],
      ['FD00:0:0:0:0:0:0:1', 'fd00::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['::', '::'],
      ['::ffff:10.1.2.3', '::ffff:a01:203'],
      ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8'],
      ['256.1.1.1', undefined],
      ['1.2.3', undefined],
      ['1::2::3', undefined],
      ['None', undefined],
      ['', undefined],
    ];
    for (const [input, want] of rows) assert.equal(canonicalIp(input), want, input);
  });

  it('turns addresses into reverse names and back', () => {
    assert.equal(reverseName('10.96.0.10'), '10.0.96.10.in-addr.arpa');
    assert.equal(addressFromReverse('10.0.96.10.in-addr.arpa'), '10.96.0.10');
    const v6 = reverseName('fd00::1')!;
    assert.equal(v6, `1.${'0.'.repeat(27)}0.0.d.f.ip6.arpa`);
    assert.equal(addressFromReverse(v6), 'fd00::1');
    assert.equal(addressFromReverse('0.96.10.in-addr.arpa'), undefined);
    assert.equal(addressFromReverse('x.0.96.10.in-addr.arpa'), undefined);
    assert.equal(addressFromReverse('1.0.96.10.example'), undefined);
  });

  it('splits a CIDR into the reverse zones that cover it, at octet or nibble boundaries', () => {
    assert.deepEqual(reverseZonesForCidr('10.244.0.0/16'), ['244.10.in-addr.arpa']);
    assert.deepEqual(reverseZonesForCidr('10.96.0.0/12'), Array.from({ length: 16 }, (_, i) => `${96 + i}.10.in-addr.arpa`));
    assert.deepEqual(reverseZonesForCidr('10.0.0.0/8'), ['10.in-addr.arpa']);
    assert.deepEqual(reverseZonesForCidr('192.168.1.0/23'), ['0.168.192.in-addr.arpa', '1.168.192.in-addr.arpa']);
    assert.deepEqual(reverseZonesForCidr('0.0.0.0/0'), ['in-addr.arpa']);
    assert.deepEqual(reverseZonesForCidr('fd00:10:96::/112'), [`${'0.'.repeat(16)}6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa`]);
    assert.equal(reverseZonesForCidr('fd00::/7').length, 2);
    assert.throws(() => reverseZonesForCidr('10.0.0.0/33'));
    assert.throws(() => reverseZonesForCidr('bogus/8'));
  });
});
