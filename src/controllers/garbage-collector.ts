/**
 * @module controllers/garbage-collector
 * Owner references, as kube-controller-manager's garbage collector treats them:
 * - Background: once an owner is gone, dependents with no other live owner are deleted.
 * - Foreground: the owner waits (finalizer `foregroundDeletion`) until its
 *   dependents are gone, then the finalizer is removed and the owner goes.
 * - Orphan: the owner's dependents lose their reference to it (finalizer `orphan`),
 *   then the finalizer is removed.
 * An index from owner uid to dependents is kept from the watch.
 */
import { RESOURCES, type ResourceInfo } from '../api/resources.js';
import { ApiError } from '../errors.js';
import type { Registry } from '../apiserver/registry.js';
import { resourceKey, type KObject } from '../store/store.js';
import { WorkQueue } from './workqueue.js';
import type { Controller } from './controller.js';

interface Ref {
  readonly res: ResourceInfo;
  readonly namespace?: string;
  readonly name: string;
}

const refKey = (r: Ref) => `${r.res.group}/${r.res.plural}/${r.namespace ?? ''}/${r.name}`;

export class GarbageCollector implements Controller {
  readonly name = 'garbage-collector';
  private readonly stops: Array<() => void> = [];
  /** owner uid -> dependents */
  private readonly dependents = new Map<string, Map<string, Ref>>();
  /** live uids -> where the object is */
  private readonly live = new Map<string, Ref>();
  private queue?: WorkQueue;
  private readonly work = new Map<string, () => void>();

  start(registry: Registry): void {
    const q = new WorkQueue((k) => {
      const f = this.work.get(k);
      this.work.delete(k);
      f?.();
    });
    this.queue = q;
    for (const res of RESOURCES) {
      const onObj = (type: 'ADDED' | 'MODIFIED' | 'DELETED', o: Readonly<KObject>) => {
        const ref: Ref = { res, namespace: o.metadata.namespace, name: o.metadata.name! };
        const uid = o.metadata.uid!;
        for (const owner of o.metadata.ownerReferences ?? []) {
          let m = this.dependents.get(owner.uid);
          if (!m) this.dependents.set(owner.uid, (m = new Map()));
          if (type === 'DELETED') m.delete(refKey(ref));
          else m.set(refKey(ref), ref);
        }
        if (type === 'DELETED') {
          this.live.delete(uid);
          this.enqueue(`deleted/${uid}`, () => this.ownerGone(registry, uid));
        } else {
          this.live.set(uid, ref);
          const f = o.metadata.finalizers ?? [];
          if (o.metadata.deletionTimestamp && (f.includes('foregroundDeletion') || f.includes('orphan'))) {
            this.enqueue(`final/${uid}`, () => this.finalize(registry, ref, uid));
          }
          // A dependent created after its owner is gone is collected too.
          for (const owner of o.metadata.ownerReferences ?? []) {
            if (!this.live.has(owner.uid) && type === 'ADDED') this.enqueue(`deleted/${owner.uid}`, () => this.ownerGone(registry, owner.uid));
          }
        }
      };
      this.stops.push(registry.store.watch(resourceKey(res.group, res.plural), {}, (e) => onObj(e.type, e.object)));
      for (const o of registry.list(res).items) onObj('ADDED', o);
    }
  }

  private enqueue(key: string, f: () => void): void {
    this.work.set(key, f);
    this.queue?.add(key);
  }

  private ownerGone(registry: Registry, uid: string): void {
    const deps = this.dependents.get(uid);
    if (!deps) return;
    for (const ref of [...deps.values()]) {
      const o = registry.tryGet(ref.res, ref.namespace, ref.name);
      if (!o || o.metadata.deletionTimestamp) continue;
      const owners = o.metadata.ownerReferences ?? [];
      if (owners.some((ow) => ow.uid !== uid && this.live.has(ow.uid))) continue;
      if (!owners.some((ow) => ow.uid === uid)) continue;
      try {
        registry.delete(ref.res, ref.namespace, ref.name, { propagationPolicy: 'Background' });
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    this.dependents.delete(uid);
  }

  private finalize(registry: Registry, ref: Ref, uid: string): void {
    const o = registry.tryGet(ref.res, ref.namespace, ref.name);
    if (!o || !o.metadata.deletionTimestamp) return;
    const f = o.metadata.finalizers ?? [];
    const deps = [...(this.dependents.get(uid)?.values() ?? [])];
    if (f.includes('orphan')) {
      for (const d of deps) {
        const dep = registry.tryGet(d.res, d.namespace, d.name);
        if (!dep) continue;
        const next = structuredClone(dep) as KObject;
        next.metadata.ownerReferences = (dep.metadata.ownerReferences ?? []).filter((x) => x.uid !== uid);
        if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
        registry.commitUpdate(d.res, dep, next, {});
      }
      this.removeFinalizer(registry, ref, 'orphan');
      return;
    }
    if (f.includes('foregroundDeletion')) {
      let remaining = 0;
      for (const d of deps) {
        const dep = registry.tryGet(d.res, d.namespace, d.name);
        if (!dep) continue;
        remaining++;
        if (!dep.metadata.deletionTimestamp) {
          try {
            registry.delete(d.res, d.namespace, d.name, { propagationPolicy: 'Foreground' });
          } catch (e) {
            if (!(e instanceof ApiError && e.code === 404)) throw e;
          }
        }
      }
      if (remaining === 0) this.removeFinalizer(registry, ref, 'foregroundDeletion');
      else this.queue?.addAfter(`final/${uid}`, 100), this.work.set(`final/${uid}`, () => this.finalize(registry, ref, uid));
    }
  }

  private removeFinalizer(registry: Registry, ref: Ref, name: string): void {
    const o = registry.tryGet(ref.res, ref.namespace, ref.name);
    if (!o) return;
    const next = structuredClone(o) as KObject;
    next.metadata.finalizers = (o.metadata.finalizers ?? []).filter((x) => x !== name);
    if (next.metadata.finalizers.length === 0) delete next.metadata.finalizers;
    registry.commitUpdate(ref.res, o, next, {});
  }

  stop(): void {
    this.queue?.stop();
    for (const s of this.stops) s();
  }
}
