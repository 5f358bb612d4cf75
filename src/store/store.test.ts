import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, type StoreEvent } from './store.js';
import { SqlitePersistence } from './sqlite.js';
import { ApiError } from '../errors.js';

const pod = (name: string, ns = 'default', labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels } });

test('resourceVersion is monotonic across resources and stamped on objects', () => {
  const s = new Store();
  const a = s.put('/pods', pod('a'), { expectCreate: true });
  const b = s.put('apps/deployments', { metadata: { name: 'd', namespace: 'default' } }, { expectCreate: true });
  assert.equal(a.metadata.resourceVersion, '1');
  assert.equal(b.metadata.resourceVersion, '2');
  assert.equal(s.resourceVersion, 2);
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.metadata));
});

test('create twice is AlreadyExists; update of a missing object is NotFound; stale rv is Conflict', () => {
  const s = new Store();
  s.put('/pods', pod('a'), { expectCreate: true });
  assert.throws(() => s.put('/pods', pod('a'), { expectCreate: true }), (e: unknown) => e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists');
  assert.throws(() => s.put('/pods', pod('zz')), (e: unknown) => e instanceof ApiError && e.code === 404);
  s.put('/pods', pod('a'), { expectedRv: '1' });
  assert.throws(() => s.put('/pods', pod('a'), { expectedRv: '1' }), (e: unknown) => e instanceof ApiError && e.reason === 'Conflict' && /has been modified/.test(e.message));
});

test('list by namespace in name order', () => {
  const s = new Store();
  for (const [n, ns] of [['c', 'x'], ['a', 'x'], ['b', 'y']] as const) s.put('/pods', pod(n, ns), { expectCreate: true });
  assert.deepEqual(s.list('/pods', 'x').map((o) => o.metadata.name), ['a', 'c']);
  assert.deepEqual(s.list('/pods').map((o) => o.metadata.name), ['a', 'c', 'b']);
});

test('watch replays from a resourceVersion, then goes live; 410 past history', () => {
  const s = new Store(undefined, 3);
  s.put('/pods', pod('a'), { expectCreate: true }); // rv1
  s.put('/pods', pod('b'), { expectCreate: true }); // rv2
  const seen: StoreEvent[] = [];
  const stop = s.watch('/pods', { resourceVersion: 1 }, (e) => seen.push(e));
  s.remove('/pods', 'default', 'a'); // rv3
  assert.deepEqual(seen.map((e) => [e.type, e.object.metadata.name, e.rv]), [['ADDED', 'b', 2], ['DELETED', 'a', 3]]);
  stop();
  s.put('/pods', pod('c'), { expectCreate: true }); // rv4, history now 2..4
  s.put('/pods', pod('d'), { expectCreate: true }); // rv5, history 3..5
  assert.equal(seen.length, 2);
  assert.throws(() => s.watch('/pods', { resourceVersion: 1 }, () => {}), (e: unknown) => e instanceof ApiError && e.code === 410);
  const again: StoreEvent[] = [];
  s.watch('/pods', { resourceVersion: 3 }, (e) => again.push(e));
  assert.deepEqual(again.map((e) => e.object.metadata.name), ['c', 'd']);
});

test('watch honours namespace and filter', () => {
  const s = new Store();
  const seen: string[] = [];
  s.watch('/pods', { namespace: 'x', filter: (o) => o.metadata.labels?.['app'] === 'web' }, (e) => seen.push(e.object.metadata.name!));
  s.put('/pods', pod('a', 'x', { app: 'web' }), { expectCreate: true });
  s.put('/pods', pod('b', 'y', { app: 'web' }), { expectCreate: true });
  s.put('/pods', pod('c', 'x', { app: 'db' }), { expectCreate: true });
  assert.deepEqual(seen, ['a']);
});

test('sqlite persistence keeps objects and the resourceVersion across restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kwire-store-'));
  try {
    const file = join(dir, 'kwire.db');
    const s1 = new Store(new SqlitePersistence(file));
    s1.put('/pods', pod('a'), { expectCreate: true });
    s1.put('/pods', pod('b'), { expectCreate: true });
    s1.remove('/pods', 'default', 'a');
    s1.close();
    const s2 = new Store(new SqlitePersistence(file));
    assert.deepEqual(s2.list('/pods').map((o) => o.metadata.name), ['b']);
    assert.equal(s2.resourceVersion, 3);
    assert.equal(s2.put('/pods', pod('c'), { expectCreate: true }).metadata.resourceVersion, '4');
    s2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
