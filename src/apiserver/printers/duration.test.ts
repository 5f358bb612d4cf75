/**
 * @module apiserver/printers/duration.test
 * Tests for HumanDuration/ShortHumanDuration at every apimachinery boundary, and timestamp ages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, parseTime, shortHumanDuration, translateTimestampSince } from './duration.js';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const Y = 365 * D;

// apimachinery duration_test.go TestHumanDuration + TestHumanDurationBoundaries (ns offsets as 1 ms).
const HUMAN: ReadonlyArray<[number, string]> = [
  [S, '1s'],
  [45 * S, '45s'],
  [70 * S, '70s'],
  [190 * S, '3m10s'],
  [5 * M + 30 * S, '5m30s'],
  [70 * M, '70m'],
  [47 * H, '47h'],
  [49 * H, '2d1h'],
  [(8 * 24 + 2) * H, '8d'],
  [367 * D, '367d'],
  [(365 * 2 * 24 + 25) * H, '2y1d'],
  [(365 * 8 * 24 + 2) * H, '8y'],
  [-2 * S, '<invalid>'],
  [-2 * S + 1, '0s'],
  [-1 * S, '0s'],
  [-1, '0s'],
  [0, '0s'],
  [S - 1, '0s'],
  [2 * M - 1, '119s'],
  [2 * M, '2m'],
  [2 * M + S, '2m1s'],
  [5 * M, '5m'],
  [10 * M - 1, '9m59s'],
  [10 * M, '10m'],
  [10 * M + S, '10m'],
  [3 * H - 1, '179m'],
  [3 * H, '3h'],
  [3 * H + M, '3h1m'],
  [8 * H - 1, '7h59m'],
  [8 * H, '8h'],
  [8 * H + 59 * M, '8h'],
  [2 * D - 1, '47h'],
  [2 * D, '2d'],
  [2 * D + H, '2d1h'],
  [8 * D - 1, '7d23h'],
  [8 * D, '8d'],
  [8 * D + 23 * H, '8d'],
  [2 * Y - 1, '729d'],
  [2 * Y, '2y'],
  [2 * Y + 23 * H, '2y'],
  [2 * Y + 23 * H + 59 * M, '2y'],
  [2 * Y + D - 1, '2y'],
  [2 * Y + D, '2y1d'],
  [3 * Y, '3y'],
  [4 * Y, '4y'],
  [5 * Y, '5y'],
  [6 * Y, '6y'],
  [7 * Y, '7y'],
  [8 * Y - 1, '7y364d'],
  [8 * Y, '8y'],
  [8 * Y + 364 * D, '8y'],
  [9 * Y, '9y'],
];

for (const [ms, want] of HUMAN) {
  test(`humanDuration(${ms} ms) = ${want}`, () => assert.equal(humanDuration(ms), want));
}

// apimachinery TestShortHumanDurationBoundaries.
const SHORT: ReadonlyArray<[number, string]> = [
  [-2 * S, '<invalid>'],
  [-2 * S + 1, '0s'],
  [0, '0s'],
  [S - 1, '0s'],
  [S, '1s'],
  [2 * S - 1, '1s'],
  [M - 1, '59s'],
  [M, '1m'],
  [2 * M - 1, '1m'],
  [H - 1, '59m'],
  [H, '1h'],
  [2 * H - 1, '1h'],
  [D - 1, '23h'],
  [D, '1d'],
  [2 * D - 1, '1d'],
  [Y - 1, '364d'],
  [Y, '1y'],
  [2 * Y - 1, '1y'],
  [2 * Y, '2y'],
];

for (const [ms, want] of SHORT) {
  test(`shortHumanDuration(${ms} ms) = ${want}`, () => assert.equal(shortHumanDuration(ms), want));
}

test('translateTimestampSince: zero time is <unknown>, otherwise the age against now', () => {
  const now = new Date('2026-11-28T01:00:00Z');
  assert.equal(translateTimestampSince(undefined, now), '<unknown>');
  assert.equal(translateTimestampSince(null, now), '<unknown>');
  assert.equal(translateTimestampSince('', now), '<unknown>');
  assert.equal(translateTimestampSince('not a time', now), '<unknown>');
  assert.equal(translateTimestampSince('2026-11-28T00:54:04Z', now), '5m56s');
  assert.equal(translateTimestampSince('2026-11-28T00:59:59.500000Z', now), '0s');
  assert.equal(translateTimestampSince('2026-11-28T01:00:01Z', now), '0s');
  assert.equal(translateTimestampSince('2026-11-28T01:00:05Z', now), '<invalid>');
  assert.equal(translateTimestampSince('2025-11-28T01:00:00Z', now), '365d');
});

test('parseTime accepts RFC 3339 and MicroTime, rejects junk', () => {
  assert.equal(parseTime('2026-11-28T01:00:00Z'), Date.UTC(2026, 10, 28, 1));
  assert.equal(parseTime('2026-11-28T01:00:00.123456Z'), Date.UTC(2026, 10, 28, 1, 0, 0, 123));
  assert.equal(parseTime(42), undefined);
  assert.equal(parseTime('x'), undefined);
});
