/**
 * @module policy/selector-cache.test
 * Identities and the selector cache, driven directly: sharing, refcounts, incremental label changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdentityAllocator } from './identity.js';
import { compileSelector } from './labels.js';
import { SelectorCache, selectionKey } from './selector-cache.js';
import type { Labels } from './types.js';

function world(): { ids: IdentityAllocator; nsLabels: Map<string, Labels>; cache: SelectorCache } {
  const ids = new IdentityAllocator();
  const nsLabels = new Map<string, Labels>();
  const cache = new SelectorCache({
    identities: ids,
    namespaceLabels: (ns) => nsLabels.get(ns) ?? { 'kubernetes.io/metadata.name': ns },
    namespaceNames: () => new Set([...nsLabels.keys(), ...ids.namespaces()]),
  });
  return { ids, nsLabels, cache };
}

const sel = (m: Record<string, string>) => compileSelector({ matchLabels: m });

test('identities: same namespace + labels share one, refcounted, never reused', () => {
  const ids = new IdentityAllocator();
  const a = ids.acquire('x', { app: 'web', tier: 'f' });
  const b = ids.acquire('x', { tier: 'f', app: 'web' });
  const c = ids.acquire('y', { app: 'web', tier: 'f' });
  assert.equal(a.created, true);
  assert.equal(b.created, false);
  assert.equal(a.identity.id, b.identity.id);
  assert.notEqual(a.identity.id, c.identity.id);
  assert.equal(ids.refs(a.identity.id), 2);
  assert.equal(ids.release(a.identity.id), undefined);
  assert.equal(ids.release(a.identity.id)?.id, a.identity.id);
  assert.equal(ids.get(a.identity.id), undefined);
  assert.deepEqual([...ids.idsIn('x')], []);
  assert.ok(ids.acquire('x', { app: 'web', tier: 'f' }).identity.id > c.identity.id);
});

test('selections are shared by canonical key and refcounted', () => {
  const { cache } = world();
  const s1 = cache.acquire({ podSelector: compileSelector({ matchLabels: { app: 'web' } }), namespace: 'x' });
  const s2 = cache.acquire({ podSelector: compileSelector({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] }), namespace: 'x' });
  const s3 = cache.acquire({ podSelector: sel({ app: 'web' }), namespaceSelector: compileSelector({}) });
  assert.equal(s1, s2);
  assert.notEqual(s1, s3);
  assert.equal(cache.size, 2);
  cache.release(s1);
  assert.equal(cache.size, 2);
  cache.release(s2);
  assert.equal(cache.size, 1);
  assert.equal(selectionKey({ podSelector: sel({ a: 'b' }), namespace: 'x' }), 'ns=x;pods=a in (b)');
});

test('identity add/remove updates selections and the reverse index', () => {
  const { ids, cache } = world();
  const own = cache.acquire({ podSelector: sel({ app: 'web' }), namespace: 'x' });
  const anyNs = cache.acquire({ podSelector: sel({ app: 'web' }), namespaceSelector: compileSelector({}) });
  const web = ids.acquire('x', { app: 'web' }).identity;
  cache.namespaceChanged('x'); // first identity in an unknown namespace
  cache.identityAdded(web);
  const webY = ids.acquire('y', { app: 'web' }).identity;
  cache.namespaceChanged('y');
  cache.identityAdded(webY);
  const db = ids.acquire('x', { app: 'db' }).identity;
  cache.identityAdded(db);
  assert.deepEqual([...cache.selected(own)], [web.id]);
  assert.deepEqual([...cache.selected(anyNs)].sort(), [web.id, webY.id].sort());
  assert.deepEqual([...cache.selectorsOf(web.id)].sort(), [own, anyNs].sort());
  assert.deepEqual([...cache.selectorsOf(db.id)], []);
  ids.release(web.id);
  cache.identityRemoved(web);
  assert.deepEqual([...cache.selected(own)], []);
  assert.deepEqual([...cache.selected(anyNs)], [webY.id]);
  assert.deepEqual([...cache.selectorsOf(web.id)], []);
  // A selection acquired later sees the identities already there.
  const late = cache.acquire({ podSelector: compileSelector({}), namespace: 'x' });
  assert.deepEqual([...cache.selected(late)], [db.id]);
});

test('namespace label changes move identities in and out of namespaceSelector selections only', () => {
  const { ids, nsLabels, cache } = world();
  nsLabels.set('x', { 'kubernetes.io/metadata.name': 'x' });
  nsLabels.set('y', { 'kubernetes.io/metadata.name': 'y', team: 'blue' });
  const blue = cache.acquire({ podSelector: compileSelector({}), namespaceSelector: sel({ team: 'blue' }) });
  const ownX = cache.acquire({ podSelector: compileSelector({}), namespace: 'x' });
  const px = ids.acquire('x', { app: 'a' }).identity;
  cache.identityAdded(px);
  const py = ids.acquire('y', { app: 'a' }).identity;
  cache.identityAdded(py);
  assert.deepEqual([...cache.selected(blue)], [py.id]);
  nsLabels.set('x', { 'kubernetes.io/metadata.name': 'x', team: 'blue' });
  cache.namespaceChanged('x');
  assert.deepEqual([...cache.selected(blue)].sort(), [px.id, py.id].sort());
  nsLabels.set('y', { 'kubernetes.io/metadata.name': 'y' });
  cache.namespaceChanged('y');
  assert.deepEqual([...cache.selected(blue)], [px.id]);
  assert.deepEqual([...cache.selected(ownX)], [px.id], 'own-namespace selections do not depend on labels');
  // A pod arriving in a matching namespace joins through the per-namespace index.
  const px2 = ids.acquire('x', { app: 'b' }).identity;
  cache.identityAdded(px2);
  assert.deepEqual([...cache.selected(blue)].sort(), [px.id, px2.id].sort());
});
