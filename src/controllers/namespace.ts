/**
 * @module controllers/namespace
 * Namespace lifecycle. Admission: objects cannot be created in a namespace that
 * does not exist or is terminating, and the system namespaces cannot be deleted.
 * Controller: a terminating namespace has its contents deleted; once nothing is
 * left its `kubernetes` finalizer is cleared and the registry removes it.
 */
import { RESOURCES, type ResourceInfo } from '../api/resources.js';
import { ApiError, errors, qualifiedResource } from '../errors.js';
import type { Admission, Registry } from '../apiserver/registry.js';
import type { KObject } from '../store/store.js';
import { resourceKey } from '../store/store.js';
import { WorkQueue } from './workqueue.js';
import type { Controller } from './controller.js';

const NAMESPACES = RESOURCES.find((r) => r.group === '' && r.kind === 'Namespace')!;
const UNDELETABLE = new Set(['default', 'kube-system', 'kube-public']);

export function namespaceAdmission(registry: Registry): Admission {
  return {
    admit(op, res, obj, old) {
      if (op === 'DELETE' && res === NAMESPACES && old && UNDELETABLE.has(old.metadata.name!)) {
        throw errors.forbidden(`namespaces "${old.metadata.name}" is forbidden: this namespace may not be deleted`, { name: old.metadata.name, kind: 'namespaces' });
      }
      if (op !== 'CREATE' || !res.namespaced || !obj) return;
      const nsName = obj.metadata.namespace!;
      const ns = registry.tryGet(NAMESPACES, undefined, nsName);
      if (!ns) throw errors.notFound('', 'namespaces', nsName);
      if (ns.metadata.deletionTimestamp) {
        const name = obj.metadata.name ?? '';
        throw new ApiError(403, 'Forbidden', `${qualifiedResource(res.group, res.plural)} "${name}" is forbidden: unable to create new content in namespace ${nsName} because it is being terminated`, {
          name,
          group: res.group || undefined,
          kind: res.plural,
          causes: [{ reason: 'NamespaceTerminating', message: `namespace ${nsName} is being terminated`, field: 'metadata.namespace' }],
        });
      }
    },
  };
}

export class NamespaceController implements Controller {
  readonly name = 'namespace';
  private queue?: WorkQueue;
  private readonly stops: Array<() => void> = [];

  start(registry: Registry): void {
    const q: WorkQueue = new WorkQueue((ns: string): void => this.reconcile(registry, ns, q));
    this.queue = q;
    this.stops.push(registry.store.watch(resourceKey('', 'namespaces'), {}, (e) => {
      if (e.object.metadata.deletionTimestamp) q.add(e.object.metadata.name!);
    }));
    for (const r of RESOURCES) {
      if (!r.namespaced) continue;
      this.stops.push(registry.store.watch(resourceKey(r.group, r.plural), {}, (e) => {
        if (e.type === 'DELETED') q.add(e.object.metadata.namespace!);
      }));
    }
    for (const ns of registry.list(NAMESPACES).items) if (ns.metadata.deletionTimestamp) q.add(ns.metadata.name!);
  }

  private reconcile(registry: Registry, name: string, q: WorkQueue): void {
    const ns = registry.tryGet(NAMESPACES, undefined, name);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    let remaining = 0;
    for (const r of namespacedResources()) {
      for (const o of registry.list(r, name).items) {
        remaining++;
        if (o.metadata.deletionTimestamp) continue;
        try {
          registry.delete(r, name, o.metadata.name!, { propagationPolicy: 'Background' });
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        }
      }
    }
    if (remaining > 0) {
      q.addAfter(name, 200); // pods may take their grace period; look again
      return;
    }
    const spec = (ns['spec'] ?? {}) as { finalizers?: string[] };
    if (spec.finalizers?.includes('kubernetes')) {
      const next = structuredClone(ns) as KObject;
      next['spec'] = { ...spec, finalizers: spec.finalizers.filter((f) => f !== 'kubernetes') };
      registry.commitUpdate(NAMESPACES, ns, next, {}, 'finalize');
    }
  }

  stop(): void {
    this.queue?.stop();
    for (const s of this.stops) s();
  }
}

function namespacedResources(): ResourceInfo[] {
  // Events last, as the namespace controller upstream leaves them for the end.
  const rs = RESOURCES.filter((r) => r.namespaced);
  return [...rs.filter((r) => r.kind !== 'Event'), ...rs.filter((r) => r.kind === 'Event')];
}
