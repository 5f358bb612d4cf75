/**
 * @module workloads/timing.test
 * race() against the fake clock; linkSignals().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from './testing/fake-clock.js';
import { linkSignals, race } from './timing.js';

test('race: value, timeout, abort, rejection', async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const never = new Promise<number>(() => undefined);
  assert.deepEqual(await race(clock, 100, new AbortController().signal, Promise.resolve(1)), { kind: 'value', value: 1 });
  let gaveUp = false;
  const p = race(clock, 100, new AbortController().signal, never, () => (gaveUp = true));
  clock.advance(99);
  await new Promise((r) => setImmediate(r));
  clock.advance(1);
  assert.deepEqual(await p, { kind: 'timeout' });
  assert.equal(gaveUp, true);
  assert.equal(clock.pending, 0);
  const ctl = new AbortController();
  const q = race(clock, undefined, ctl.signal, never);
  ctl.abort();
  assert.deepEqual(await q, { kind: 'aborted' });
  await assert.rejects(race(clock, 10, new AbortController().signal, Promise.reject(new Error('boom'))), /boom/);
  assert.equal(clock.pending, 0);
});

test('linkSignals follows parents and detaches on dispose', () => {
  const a = new AbortController();
  const l = linkSignals([a.signal]);
  l.dispose();
  a.abort('x');
  assert.equal(l.signal.aborted, false);
  const b = new AbortController();
  const m = linkSignals([b.signal]);
  b.abort('SIGTERM');
  assert.equal(m.signal.reason, 'SIGTERM');
});
