/**
 * @module store/store
 * The versioned object store: one monotonic resourceVersion for the whole cluster,
 * objects kept in memory (frozen: NEVER modify an object handed out by the store),
 * a bounded event history so a watch from resourceVersion N replays what happened
 * after N or answers 410 Gone, and an optional persistence backend written
 * synchronously before a write returns (so an acknowledged write survives a crash).
 *
 * The store knows nothing about kinds, validation or deletion semantics: that is the
 * registry's job (apiserver/registry). It stores opaque objects under a resource key
 * (`<group>/<plural>`) and a namespace/name.
 *
 *   write(create|update|delete) -> rv++ -> persist (sync) -> memory -> history -> watchers
 */
import { errors } from '../errors.js';

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }>;
  managedFields?: unknown[];
  [k: string]: unknown;
}

/** Any Kubernetes object as JSON. */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: WatchEventType;
  readonly resource: string;
  readonly rv: number;
  readonly object: Readonly<KObject>;
}

/** What a persistence backend must do; called synchronously inside each write. */
export interface Persistence {
  /** All stored rows, for start-up. */
  loadAll(): { rows: Array<{ resource: string; namespace: string; name: string; object: KObject }>; resourceVersion: number };
  put(resource: string, namespace: string, name: string, object: KObject, rv: number): void;
  remove(resource: string, namespace: string, name: string, rv: number): void;
  /** Resolves once every write made so far is on disk. */
  whenDurable(): Promise<void>;
  close(): void;
}

export interface WatchOptions {
  readonly namespace?: string;
  /** Replay events after this resourceVersion; undefined or "0" means start from now (caller sends the current state). */
  readonly resourceVersion?: number;
  readonly filter?: (obj: Readonly<KObject>) => boolean;
}

interface Watcher {
  readonly namespace?: string;
  readonly filter?: (obj: Readonly<KObject>) => boolean;
  readonly cb: (e: StoreEvent) => void;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}

function key(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class Store {
  private rv = 0;
  private readonly data = new Map<string, Map<string, Readonly<KObject>>>();
  private readonly history: StoreEvent[] = [];
  private historyStart = 0; // index of the oldest kept event in a ring
  private readonly watchers = new Map<string, Set<Watcher>>();
  /** The oldest resourceVersion a watch can still start from. */
  private compactedRv = 0;

  constructor(
    private readonly persistence?: Persistence,
    private readonly historySize = 20000,
  ) {
    if (persistence) {
      const { rows, resourceVersion } = persistence.loadAll();
      for (const r of rows) this.bucket(r.resource).set(key(r.namespace || undefined, r.name), deepFreeze(r.object));
      this.rv = resourceVersion;
      this.compactedRv = resourceVersion;
    }
  }

  get resourceVersion(): number {
    return this.rv;
  }

  private bucket(resource: string): Map<string, Readonly<KObject>> {
    let b = this.data.get(resource);
    if (!b) {
      b = new Map();
      this.data.set(resource, b);
    }
    return b;
  }

  get(resource: string, namespace: string | undefined, name: string): Readonly<KObject> | undefined {
    return this.data.get(resource)?.get(key(namespace, name));
  }

  /** Objects of a resource, optionally in one namespace, in name order. */
  list(resource: string, namespace?: string, filter?: (o: Readonly<KObject>) => boolean): ReadonlyArray<Readonly<KObject>> {
    const b = this.data.get(resource);
    if (!b) return [];
    const out: Readonly<KObject>[] = [];
    for (const o of b.values()) {
      if (namespace !== undefined && o.metadata.namespace !== namespace) continue;
      if (filter && !filter(o)) continue;
      out.push(o);
    }
    out.sort((a, b2) => {
      const na = a.metadata.namespace ?? '';
      const nb = b2.metadata.namespace ?? '';
      if (na !== nb) return na < nb ? -1 : 1;
      return (a.metadata.name ?? '') < (b2.metadata.name ?? '') ? -1 : 1;
    });
    return out;
  }

  count(resource: string): number {
    return this.data.get(resource)?.size ?? 0;
  }

  /**
   * Writes an object (create or replace), stamping the next resourceVersion.
   * `expectedRv` given: the stored object's resourceVersion must equal it, else 409.
   * Returns the stored (frozen) object.
   */
  put(resource: string, obj: KObject, opts: { expectCreate?: boolean; expectedRv?: string; group?: string; plural?: string } = {}): Readonly<KObject> {
    const ns = obj.metadata.namespace;
    const name = obj.metadata.name!;
    const b = this.bucket(resource);
    const k = key(ns, name);
    const prev = b.get(k);
    const [group, plural] = splitResource(resource);
    if (opts.expectCreate && prev) throw errors.alreadyExists(group, plural, name);
    if (!opts.expectCreate && !prev) throw errors.notFound(group, plural, name);
    if (opts.expectedRv !== undefined && opts.expectedRv !== '' && prev && prev.metadata.resourceVersion !== opts.expectedRv) {
      throw errors.staleResourceVersion(group, plural, name);
    }
    const rv = this.rv + 1;
    const stored: KObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
    this.persistence?.put(resource, ns ?? '', name, stored, rv);
    this.rv = rv;
    deepFreeze(stored);
    b.set(k, stored);
    this.emit({ type: prev ? 'MODIFIED' : 'ADDED', resource, rv, object: stored });
    return stored;
  }

  /** Removes an object; the DELETED event carries the last state with a new resourceVersion. */
  remove(resource: string, namespace: string | undefined, name: string, expectedRv?: string): Readonly<KObject> {
    const b = this.bucket(resource);
    const k = key(namespace, name);
    const prev = b.get(k);
    const [group, plural] = splitResource(resource);
    if (!prev) throw errors.notFound(group, plural, name);
    if (expectedRv && prev.metadata.resourceVersion !== expectedRv) throw errors.staleResourceVersion(group, plural, name);
    const rv = this.rv + 1;
    this.persistence?.remove(resource, namespace ?? '', name, rv);
    this.rv = rv;
    b.delete(k);
    const last: KObject = deepFreeze({ ...prev, metadata: { ...prev.metadata, resourceVersion: String(rv) } });
    this.emit({ type: 'DELETED', resource, rv, object: last });
    return last;
  }

  private emit(e: StoreEvent): void {
    if (this.history.length < this.historySize) this.history.push(e);
    else {
      this.history[this.historyStart] = e;
      this.historyStart = (this.historyStart + 1) % this.historySize;
      this.compactedRv = this.history[this.historyStart]!.rv - 1;
    }
    const ws = this.watchers.get(e.resource);
    if (!ws) return;
    for (const w of ws) {
      if (w.namespace !== undefined && e.object.metadata.namespace !== w.namespace) continue;
      if (w.filter && !w.filter(e.object)) continue;
      w.cb(e);
    }
  }

  /**
   * Watches a resource. With a resourceVersion, first replays the kept events after it
   * (410 Gone when it is older than the history); then delivers live events.
   * Returns a function that stops the watch.
   */
  watch(resource: string, opts: WatchOptions, cb: (e: StoreEvent) => void): () => void {
    const from = opts.resourceVersion;
    if (from !== undefined && from > 0) {
      if (from < this.compactedRv) throw errors.gone(`too old resource version: ${from} (${this.compactedRv + 1})`);
      const n = this.history.length;
      for (let i = 0; i < n; i++) {
        const e = this.history[(this.historyStart + i) % n]!;
        if (e.rv <= from || e.resource !== resource) continue;
        if (opts.namespace !== undefined && e.object.metadata.namespace !== opts.namespace) continue;
        if (opts.filter && !opts.filter(e.object)) continue;
        cb(e);
      }
    }
    const w: Watcher = { namespace: opts.namespace, filter: opts.filter, cb };
    let set = this.watchers.get(resource);
    if (!set) {
      set = new Set();
      this.watchers.set(resource, set);
    }
    set.add(w);
    return () => set!.delete(w);
  }

  /** Resolves once every write made so far is durable (at once without persistence). */
  whenDurable(): Promise<void> {
    return this.persistence ? this.persistence.whenDurable() : Promise.resolve();
  }

  close(): void {
    this.persistence?.close();
  }
}

/** "apps/deployments" -> ["apps","deployments"]; "/pods" -> ["","pods"]. */
export function splitResource(resource: string): [string, string] {
  const i = resource.indexOf('/');
  return [resource.slice(0, i), resource.slice(i + 1)];
}

export function resourceKey(group: string, plural: string): string {
  return `${group}/${plural}`;
}
