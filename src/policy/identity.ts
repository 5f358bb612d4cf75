/**
 * @module policy/identity
 * Security identities: every pod with the same namespace and the same labels
 * shares one numeric identity (Cilium's model), so policy is computed once per
 * label set, not once per pod. Identities are reference-counted by the pods
 * that hold them and freed when the last pod leaves. Numbers are never reused
 * within one allocator. No I/O.
 */

import { labelsKey } from './labels.js';
import type { Labels } from './types.js';

export interface Identity {
  readonly id: number;
  readonly namespace: string;
  readonly labels: Labels;
  /** `namespace` + canonical labels. */
  readonly key: string;
}

interface Slot {
  readonly identity: Identity;
  refs: number;
}

export class IdentityAllocator {
  private readonly byKey = new Map<string, Slot>();
  private readonly byId = new Map<number, Slot>();
  private readonly byNamespace = new Map<string, Set<number>>();
  private next = 1;

  /** Take a reference on the identity for (namespace, labels); `created` when it is new. */
  acquire(namespace: string, labels: Labels): { identity: Identity; created: boolean } {
    const key = `${namespace}\u0000${labelsKey(labels)}`;
    const slot = this.byKey.get(key);
    if (slot) {
      slot.refs++;
      return { identity: slot.identity, created: false };
    }
    const identity: Identity = { id: this.next++, namespace, labels: Object.freeze({ ...labels }), key };
    const fresh: Slot = { identity, refs: 1 };
    this.byKey.set(key, fresh);
    this.byId.set(identity.id, fresh);
    let set = this.byNamespace.get(namespace);
    if (!set) this.byNamespace.set(namespace, (set = new Set()));
    set.add(identity.id);
    return { identity, created: true };
  }

  /** Drop a reference; returns the identity when this freed it. */
  release(id: number): Identity | undefined {
    const slot = this.byId.get(id);
    if (!slot) return undefined;
    slot.refs--;
    if (slot.refs > 0) return undefined;
    this.byId.delete(id);
    this.byKey.delete(slot.identity.key);
    const set = this.byNamespace.get(slot.identity.namespace);
    set?.delete(id);
    if (set && set.size === 0) this.byNamespace.delete(slot.identity.namespace);
    return slot.identity;
  }

  get(id: number): Identity | undefined {
    return this.byId.get(id)?.identity;
  }

  /** How many pods hold this identity. */
  refs(id: number): number {
    return this.byId.get(id)?.refs ?? 0;
  }

  /** Identity ids living in a namespace. */
  idsIn(namespace: string): ReadonlySet<number> {
    return this.byNamespace.get(namespace) ?? EMPTY;
  }

  /** Namespaces that have at least one identity. */
  namespaces(): IterableIterator<string> {
    return this.byNamespace.keys();
  }

  get size(): number {
    return this.byId.size;
  }
}

const EMPTY: ReadonlySet<number> = new Set();
