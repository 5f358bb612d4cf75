/**
 * @module policy/selector-cache
 * The selector cache (Cilium `selectorcache.go`): every distinct pod selection
 * used by any policy (a policy's own podSelector, or a peer's pod/namespace
 * selector pair) is stored once under its canonical key, with the set of
 * identities it selects and a reverse index identity -> selectors. It is kept
 * current incrementally:
 *
 *   identity added    -> test only the selectors that can see its namespace
 *   identity removed  -> drop it from the selectors the reverse index names
 *   namespace labels  -> re-test namespaceSelector-based selections for that
 *                        namespace only, moving its identities in or out
 *   selector acquired -> evaluate once against the identities it can see
 *
 * Membership tests (`selects`) are one Set lookup. No I/O.
 */

import type { IdentityAllocator, Identity } from './identity.js';
import { selectorMatches, type CompiledSelector } from './labels.js';
import type { Labels } from './types.js';

/** What a cached selector selects: pods matching `podSelector` in either one named namespace or the namespaces matching `namespaceSelector`. */
export type SelectionSpec =
  | { readonly podSelector: CompiledSelector; readonly namespace: string; readonly namespaceSelector?: undefined }
  | { readonly podSelector: CompiledSelector; readonly namespace?: undefined; readonly namespaceSelector: CompiledSelector };

export function selectionKey(spec: SelectionSpec): string {
  return spec.namespace !== undefined ? `ns=${spec.namespace};pods=${spec.podSelector.key}` : `nssel=${spec.namespaceSelector.key};pods=${spec.podSelector.key}`;
}

interface Cached {
  readonly id: number;
  readonly key: string;
  readonly spec: SelectionSpec;
  refs: number;
  readonly selected: Set<number>;
  /** For namespaceSelector-based selections: the namespaces currently matched. */
  readonly namespaces: Set<string>;
}

/** Where the cache reads the world from. */
export interface SelectorWorld {
  readonly identities: IdentityAllocator;
  /** Current labels of a namespace (known or not). */
  namespaceLabels(namespace: string): Labels;
  /** Every namespace name that exists or holds pods. */
  namespaceNames(): Iterable<string>;
}

export class SelectorCache {
  private readonly byKey = new Map<string, Cached>();
  private readonly byId = new Map<number, Cached>();
  /** namespace -> selectors scoped to exactly that namespace. */
  private readonly scoped = new Map<string, Set<number>>();
  /** namespaceSelector-based selectors. */
  private readonly nsSelectorBased = new Set<number>();
  /** namespace -> namespaceSelector-based selectors currently matching it. */
  private readonly matchedBy = new Map<string, Set<number>>();
  /** identity -> selectors selecting it. */
  private readonly reverse = new Map<number, Set<number>>();
  private next = 1;

  constructor(private readonly world: SelectorWorld) {}

  /** Take a reference on a selection, creating and evaluating it if new. */
  acquire(spec: SelectionSpec): number {
    const key = selectionKey(spec);
    const found = this.byKey.get(key);
    if (found) {
      found.refs++;
      return found.id;
    }
    const c: Cached = { id: this.next++, key, spec, refs: 1, selected: new Set(), namespaces: new Set() };
    this.byKey.set(key, c);
    this.byId.set(c.id, c);
    if (spec.namespace !== undefined) {
      addTo(this.scoped, spec.namespace, c.id);
      for (const idn of this.world.identities.idsIn(spec.namespace)) this.testIdentity(c, idn);
    } else {
      this.nsSelectorBased.add(c.id);
      for (const ns of this.world.namespaceNames()) {
        if (selectorMatches(spec.namespaceSelector, this.world.namespaceLabels(ns))) {
          c.namespaces.add(ns);
          addTo(this.matchedBy, ns, c.id);
          for (const idn of this.world.identities.idsIn(ns)) this.testIdentity(c, idn);
        }
      }
    }
    return c.id;
  }

  /** Drop a reference; the selection is forgotten with its last user. */
  release(id: number): void {
    const c = this.byId.get(id);
    if (!c) return;
    if (--c.refs > 0) return;
    for (const idn of c.selected) removeFrom(this.reverse, idn, id);
    if (c.spec.namespace !== undefined) removeFrom(this.scoped, c.spec.namespace, id);
    else {
      this.nsSelectorBased.delete(id);
      for (const ns of c.namespaces) removeFrom(this.matchedBy, ns, id);
    }
    this.byId.delete(id);
    this.byKey.delete(c.key);
  }

  selects(id: number, identity: number): boolean {
    return this.byId.get(id)?.selected.has(identity) ?? false;
  }

  /** The identities a selection selects (live view; do not mutate). */
  selected(id: number): ReadonlySet<number> {
    return this.byId.get(id)?.selected ?? EMPTY;
  }

  /** The selections that select an identity (live view; do not mutate). */
  selectorsOf(identity: number): ReadonlySet<number> {
    return this.reverse.get(identity) ?? EMPTY;
  }

  spec(id: number): SelectionSpec | undefined {
    return this.byId.get(id)?.spec;
  }

  get size(): number {
    return this.byId.size;
  }

  /** A new identity appeared: test the selections that can see its namespace. */
  identityAdded(identity: Identity): void {
    for (const id of this.scoped.get(identity.namespace) ?? EMPTY) this.testIdentity(this.must(id), identity.id);
    for (const id of this.matchedBy.get(identity.namespace) ?? EMPTY) this.testIdentity(this.must(id), identity.id);
  }

  /** An identity was freed. */
  identityRemoved(identity: Identity): void {
    for (const id of this.reverse.get(identity.id) ?? EMPTY) this.byId.get(id)?.selected.delete(identity.id);
    this.reverse.delete(identity.id);
  }

  /** A namespace's labels changed (or it appeared, or went away). */
  namespaceChanged(namespace: string): void {
    const labels = this.world.namespaceLabels(namespace);
    for (const id of this.nsSelectorBased) {
      const c = this.must(id);
      if (c.spec.namespaceSelector === undefined) continue;
      const was = c.namespaces.has(namespace);
      const now = selectorMatches(c.spec.namespaceSelector, labels);
      if (was === now) continue;
      if (now) {
        c.namespaces.add(namespace);
        addTo(this.matchedBy, namespace, id);
        for (const idn of this.world.identities.idsIn(namespace)) this.testIdentity(c, idn);
      } else {
        c.namespaces.delete(namespace);
        removeFrom(this.matchedBy, namespace, id);
        for (const idn of this.world.identities.idsIn(namespace)) {
          if (c.selected.delete(idn)) removeFrom(this.reverse, idn, id);
        }
      }
    }
  }

  /** A namespace is gone and holds no identity: forget which selections matched it. */
  namespaceForgotten(namespace: string): void {
    for (const id of this.matchedBy.get(namespace) ?? EMPTY) this.byId.get(id)?.namespaces.delete(namespace);
    this.matchedBy.delete(namespace);
  }

  private testIdentity(c: Cached, idn: number): void {
    const identity = this.world.identities.get(idn);
    if (!identity) return;
    if (selectorMatches(c.spec.podSelector, identity.labels)) {
      c.selected.add(idn);
      addTo(this.reverse, idn, c.id);
    }
  }

  private must(id: number): Cached {
    const c = this.byId.get(id);
    if (!c) throw new Error(`selector cache: unknown selector ${id}`);
    return c;
  }
}

const EMPTY: ReadonlySet<number> = new Set();

function addTo<K>(m: Map<K, Set<number>>, k: K, v: number): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}

function removeFrom<K>(m: Map<K, Set<number>>, k: K, v: number): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}
