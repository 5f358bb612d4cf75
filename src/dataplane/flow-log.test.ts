/**
 * @module dataplane/flow-log.test
 * The flow ring buffer: bounded, ordered, numbered, filterable, observable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowLog, type FlowRecordInput } from './flow-log.js';

function rec(i: number, over: Partial<FlowRecordInput> = {}): FlowRecordInput {
  return {
    time: 1000 + i,
    protocol: 'TCP',
    src: { ip: '10.244.2.7', port: 40000 + i, owner: { kind: 'pod', namespace: 'default', name: 'client' } },
    dst: { ip: '10.96.0.20', port: 80 },
    service: { namespace: 'default', name: 'web' },
    endpoint: { ip: '10.244.1.5', port: 8080, owner: { kind: 'pod', namespace: 'default', name: 'web' } },
    verdict: 'forwarded',
    reason: 'established',
    policies: [],
    ...over,
  };
}

test('the ring keeps the newest `capacity` records, oldest first, with increasing ids', { timeout: 10_000 }, () => {
  const log = new FlowLog(3);
  for (let i = 0; i < 5; i++) log.append(rec(i));
  assert.equal(log.size, 3);
  assert.deepEqual(log.recent().map((r) => r.id), [3, 4, 5]);
  assert.deepEqual(log.recent().map((r) => r.time), [1002, 1003, 1004]);
  log.clear();
  assert.equal(log.recent().length, 0);
  assert.equal(log.append(rec(9)).id, 6);
  assert.throws(() => new FlowLog(0), RangeError);
});

test('filters: verdict, protocol, ip, pod, service, since, afterId, limit', { timeout: 10_000 }, () => {
  const log = new FlowLog(100);
  log.append(rec(0));
  log.append(rec(1, { verdict: 'dropped', reason: 'denied by network policy', policies: ['default/deny'] }));
  log.append(rec(2, { protocol: 'UDP', dst: { ip: '10.96.0.10', port: 53 }, service: { namespace: 'kube-system', name: 'kube-dns' } }));
  log.append(rec(3, { src: { ip: '10.244.3.3', port: 1 }, endpoint: { ip: '10.244.3.4', port: 80 } }));
  assert.deepEqual(log.recent({ verdict: 'dropped' }).map((r) => r.id), [2]);
  assert.deepEqual(log.recent({ protocol: 'UDP' }).map((r) => r.id), [3]);
  assert.deepEqual(log.recent({ ip: '10.244.3.4' }).map((r) => r.id), [4]);
  assert.deepEqual(log.recent({ ip: '10.96.0.10' }).map((r) => r.id), [3]);
  assert.deepEqual(log.recent({ pod: 'default/web' }).map((r) => r.id), [1, 2, 3]);
  assert.deepEqual(log.recent({ service: 'kube-system/kube-dns' }).map((r) => r.id), [3]);
  assert.deepEqual(log.recent({ since: 1002 }).map((r) => r.id), [3, 4]);
  assert.deepEqual(log.recent({ afterId: 2 }).map((r) => r.id), [3, 4]);
  assert.deepEqual(log.recent({ limit: 2 }).map((r) => r.id), [3, 4]);
});

test('subscribers see each record as it is appended, until they unsubscribe; a throwing one does not break appends', { timeout: 10_000 }, () => {
  const errors: unknown[] = [];
  const log = new FlowLog(10, (e) => errors.push(e));
  const seen: number[] = [];
  const off = log.subscribe((r) => seen.push(r.id));
  const offBad = log.subscribe(() => {
    throw new Error('ui gone');
  });
  log.append(rec(0));
  log.append(rec(1));
  off();
  offBad();
  log.append(rec(2));
  assert.deepEqual(seen, [1, 2]);
  assert.equal(log.size, 3);
  assert.equal(errors.length, 2);
  assert.equal((errors[0] as Error).message, 'ui gone');
});
