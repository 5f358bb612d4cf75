/**
 * @module controllers/replicaset
 * The ReplicaSet controller: keeps `spec.replicas` active pods that the ReplicaSet
 * controls (owner reference), creating pods from the template with
 * `generateName: <rs>-` and deleting the least useful extras first (unscheduled,
 * then not ready, then the newest), and reports status: replicas,
 * fullyLabeledReplicas, readyReplicas, availableReplicas, observedGeneration.
 */
import type { Registry } from '../apiserver/registry.js';
import { ApiError } from '../errors.js';
import { selectorMatches, type LabelSelectorObject } from '../api/selectors.js';
import type { KObject } from '../store/store.js';
import type { Controller } from './controller.js';
import { WorkQueue } from './workqueue.js';
import { R, controllerOf, inform, keyOf, splitKey } from './informer.js';
import { asPod, isActive, isAvailable, isReady, type PodLike } from './pod-util.js';

interface RsSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector?: LabelSelectorObject;
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
}

/** Orders pods for deletion as the controller does: unscheduled < scheduled, not ready < ready, newer < older. */
function deletionRank(a: PodLike, b: PodLike): number {
  const sa = a.spec?.nodeName ? 1 : 0;
  const sb = b.spec?.nodeName ? 1 : 0;
  if (sa !== sb) return sa - sb;
  const ra = isReady(a) ? 1 : 0;
  const rb = isReady(b) ? 1 : 0;
  if (ra !== rb) return ra - rb;
  return String(b.metadata.creationTimestamp ?? '').localeCompare(String(a.metadata.creationTimestamp ?? ''));
}

export class ReplicaSetController implements Controller {
  readonly name = 'replicaset';
  private readonly stops: Array<() => void> = [];
  private queue?: WorkQueue;
  /** Pods created but not yet seen, per ReplicaSet (client-go's expectations, simplified). */
  private readonly now: () => Date;

  constructor(opts: { now?: () => Date } = {}) {
    this.now = opts.now ?? (() => new Date());
  }

  start(registry: Registry): void {
    const q: WorkQueue = new WorkQueue((k: string) => this.reconcile(registry, k, q));
    this.queue = q;
    this.stops.push(inform(registry, R.replicasets, (_t, o) => q.add(keyOf(o))));
    this.stops.push(
      inform(registry, R.pods, (_t, o) => {
        const owner = controllerOf(o);
        if (owner?.kind === 'ReplicaSet') q.add(`${o.metadata.namespace}/${owner.name}`);
      }),
    );
  }

  private reconcile(registry: Registry, key: string, q: WorkQueue): void {
    const [ns, name] = splitKey(key);
    const rs = registry.tryGet(R.replicasets, ns, name);
    if (!rs || rs.metadata.deletionTimestamp) return;
    const spec = (rs['spec'] ?? {}) as RsSpec;
    const want = spec.replicas ?? 1;
    const pods = registry
      .list(R.pods, ns)
      .items.filter((p) => p.metadata.ownerReferences?.some((r) => r.controller && r.uid === rs.metadata.uid))
      .map(asPod);
    const active = pods.filter(isActive);
    const diff = active.length - want;
    if (diff < 0) {
      for (let i = 0; i < -diff; i++) this.createPod(registry, rs, spec);
    } else if (diff > 0) {
      const victims = [...active].sort(deletionRank).slice(0, diff);
      for (const v of victims) {
        try {
          registry.delete(R.pods, ns, v.metadata.name!);
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        }
      }
    }
    // Status from what exists now.
    const now = this.now();
    const current = registry
      .list(R.pods, ns)
      .items.filter((p) => p.metadata.ownerReferences?.some((r) => r.controller && r.uid === rs.metadata.uid))
      .map(asPod)
      .filter(isActive);
    const labels = spec.template?.metadata?.labels ?? {};
    const status = {
      replicas: current.length,
      fullyLabeledReplicas: current.filter((p) => Object.entries(labels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
      readyReplicas: current.filter(isReady).length,
      availableReplicas: current.filter((p) => isAvailable(p, spec.minReadySeconds ?? 0, now)).length,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    const old = (rs['status'] ?? {}) as Record<string, unknown>;
    const cleaned = Object.fromEntries(Object.entries(status).filter(([k, v]) => v !== 0 || k === 'replicas'));
    if (JSON.stringify(normalize(old)) !== JSON.stringify(normalize(cleaned))) {
      const latest = registry.tryGet(R.replicasets, ns, name);
      if (latest) {
        const next = structuredClone(latest) as KObject;
        next['status'] = { ...((latest['status'] as object) ?? {}), ...cleaned };
        for (const k of Object.keys(status)) if (!(k in cleaned)) delete (next['status'] as Record<string, unknown>)[k];
        registry.commitUpdate(R.replicasets, latest, next, {}, 'status');
      }
    }
    // Pods becoming available after minReadySeconds need another look.
    if ((spec.minReadySeconds ?? 0) > 0 && status.readyReplicas > status.availableReplicas) q.addAfter(key, 1000);
  }

  private createPod(registry: Registry, rs: Readonly<KObject>, spec: RsSpec): void {
    const tpl = spec.template ?? {};
    const pod: KObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${rs.metadata.name}-`,
        namespace: rs.metadata.namespace,
        labels: { ...(tpl.metadata?.labels ?? {}) },
        ...(tpl.metadata?.annotations ? { annotations: { ...tpl.metadata.annotations } } : {}),
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name!, uid: rs.metadata.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: structuredClone(tpl.spec ?? {}),
    };
    try {
      registry.create(R.pods, rs.metadata.namespace, pod);
    } catch (e) {
      // A terminating namespace refuses new pods; that is expected during deletion.
      if (e instanceof ApiError && (e.code === 403 || e.code === 404)) return;
      throw e;
    }
  }

  stop(): void {
    this.queue?.stop();
    for (const s of this.stops) s();
  }
}

function normalize(o: Record<string, unknown>): Record<string, unknown> {
  const { conditions: _c, ...rest } = o;
  return Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== 0 && v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Whether a pod's labels match a ReplicaSet selector (exported for the Deployment controller). */
export function podMatches(sel: LabelSelectorObject | undefined, labels: Record<string, string> | undefined): boolean {
  return !!sel && selectorMatches(sel, labels);
}
