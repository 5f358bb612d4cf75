/**
 * @module controllers/deployment
 * The Deployment controller: one ReplicaSet per pod-template hash
 * (`<deployment>-<hash>`, label `pod-template-hash`), rolling updates that honour
 * maxSurge/maxUnavailable, the Recreate strategy, revision annotations (so
 * `kubectl rollout history|undo` work), revisionHistoryLimit, and status with the
 * Available/Progressing conditions `kubectl rollout status` reads.
 */
import type { Registry } from '../apiserver/registry.js';
import { ApiError } from '../errors.js';
import type { KObject } from '../store/store.js';
import type { Controller } from './controller.js';
import { WorkQueue } from './workqueue.js';
import { R, controllerOf, inform, keyOf, splitKey } from './informer.js';
import { podTemplateHash } from './pod-util.js';
import { nowRfc3339 } from '../apiserver/registry.js';

interface Template {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: Record<string, unknown>;
}

interface DeploySpec {
  replicas?: number;
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  template?: Template;
  strategy?: { type?: string; rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } };
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  paused?: boolean;
  progressDeadlineSeconds?: number;
}

interface RsStatus {
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
}

const REVISION = 'deployment.kubernetes.io/revision';

/** intstr.GetScaledValueFromIntOrPercent: percentages of `total`, rounded up or down. */
export function scaled(v: number | string | undefined, total: number, roundUp: boolean, dflt: string): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) return Number(x) || 0;
  const f = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(f) : Math.floor(f);
}

/** Surge and unavailability as the controller resolves them (both zero -> unavailable 1). */
export function resolveFenceposts(spec: DeploySpec): { surge: number; unavailable: number } {
  const replicas = spec.replicas ?? 1;
  const ru = spec.strategy?.rollingUpdate;
  const surge = scaled(ru?.maxSurge, replicas, true, '25%');
  let unavailable = scaled(ru?.maxUnavailable, replicas, false, '25%');
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

/** The template without the pod-template-hash label, for comparing ReplicaSets to the Deployment. */
function templateKey(t: Template | undefined): string {
  const c = structuredClone(t ?? {}) as Template;
  if (c.metadata?.labels) {
    delete c.metadata.labels['pod-template-hash'];
  }
  return JSON.stringify(sortKeys(dropNulls(c)));
}

/**
 * Go decodes `null` as the zero value and its comparison (EqualIgnoreHash) cannot tell
 * them apart: `kubectl rollout undo` sends the ReplicaSet's template with
 * `metadata.creationTimestamp: null`, which must still match that ReplicaSet.
 */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== null)
        .map(([k, x]) => [k, dropNulls(x)]),
    );
  }
  return v;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

function rsReplicas(rs: Readonly<KObject>): number {
  return ((rs['spec'] as { replicas?: number } | undefined)?.replicas ?? 0);
}

function rsStatus(rs: Readonly<KObject>): RsStatus {
  return (rs['status'] ?? {}) as RsStatus;
}

function revisionOf(o: Readonly<KObject>): number {
  return Number(o.metadata.annotations?.[REVISION] ?? '0') || 0;
}

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  private readonly stops: Array<() => void> = [];
  private queue?: WorkQueue;

  start(registry: Registry): void {
    const q: WorkQueue = new WorkQueue((k: string) => this.reconcile(registry, k));
    this.queue = q;
    this.stops.push(inform(registry, R.deployments, (_t, o) => q.add(keyOf(o))));
    this.stops.push(
      inform(registry, R.replicasets, (_t, o) => {
        const owner = controllerOf(o);
        if (owner?.kind === 'Deployment') q.add(`${o.metadata.namespace}/${owner.name}`);
      }),
    );
  }

  private reconcile(registry: Registry, key: string): void {
    const [ns, name] = splitKey(key);
    const d = registry.tryGet(R.deployments, ns, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const spec = (d['spec'] ?? {}) as DeploySpec;
    const owned = registry.list(R.replicasets, ns).items.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.controller && r.uid === d.metadata.uid));
    const want = templateKey(spec.template);
    let newRs = owned.find((rs) => templateKey((rs['spec'] as { template?: Template }).template) === want);
    const olds = owned.filter((rs) => rs !== newRs);
    const maxOldRevision = Math.max(0, ...olds.map(revisionOf));
    const replicas = spec.replicas ?? 1;
    const recreate = spec.strategy?.type === 'Recreate';
    const { surge, unavailable } = resolveFenceposts(spec);

    if (spec.paused) {
      this.syncStatus(registry, d, newRs, owned);
      return;
    }

    if (!newRs) {
      const activeOld = olds.reduce((n, rs) => n + rsReplicas(rs), 0);
      let initial = replicas;
      if (recreate) initial = activeOld > 0 ? 0 : replicas;
      else if (olds.length > 0) initial = Math.max(0, Math.min(replicas, replicas + surge - activeOld));
      newRs = this.createReplicaSet(registry, d, spec, initial, maxOldRevision + 1);
      if (!newRs) return;
    } else if (revisionOf(newRs) <= maxOldRevision) {
      // An old template came back (rollout undo): it becomes the newest revision.
      newRs = this.setRsAnnotations(registry, newRs, maxOldRevision + 1, replicas, surge);
    }

    if (recreate) {
      const oldActive = olds.filter((rs) => rsReplicas(rs) > 0 || (rsStatus(rs).replicas ?? 0) > 0);
      for (const rs of olds) if (rsReplicas(rs) > 0) this.scaleRs(registry, rs, 0);
      if (oldActive.length === 0 && rsReplicas(newRs) !== replicas) this.scaleRs(registry, newRs, replicas);
    } else {
      // Scale up the new ReplicaSet within the surge allowance.
      // (A ReplicaSet created just now is not in `owned`: count it from newRs.)
      const total = olds.reduce((n, rs) => n + rsReplicas(rs), 0) + rsReplicas(newRs);
      const newCount = rsReplicas(newRs);
      if (newCount > replicas) this.scaleRs(registry, newRs, replicas);
      else if (newCount < replicas) {
        const allowed = replicas + surge - total;
        if (allowed > 0) this.scaleRs(registry, newRs, Math.min(replicas, newCount + allowed));
      }
      // Scale down old ReplicaSets keeping at least replicas - maxUnavailable available.
      const fresh = olds.map((rs) => registry.tryGet(R.replicasets, rs.metadata.namespace, rs.metadata.name!)).filter((x): x is Readonly<KObject> => !!x);
      const newLatest = registry.tryGet(R.replicasets, newRs.metadata.namespace, newRs.metadata.name!) ?? newRs;
      const allRs = [newLatest, ...fresh];
      const availableTotal = allRs.reduce((n, rs) => n + (rsStatus(rs).availableReplicas ?? 0), 0);
      const minAvailable = replicas - unavailable;
      // Old pods that are not available can go at once (they count for nothing).
      let budget = availableTotal - minAvailable;
      const oldest = [...fresh].sort((a, b) => revisionOf(a) - revisionOf(b));
      for (const rs of oldest) {
        const cur = rsReplicas(rs);
        if (cur === 0) continue;
        const unhealthy = Math.max(0, cur - (rsStatus(rs).availableReplicas ?? 0));
        let down = Math.min(cur, unhealthy);
        const extra = Math.max(0, Math.min(cur - down, budget));
        down += extra;
        budget -= extra;
        if (down > 0) this.scaleRs(registry, rs, cur - down);
      }
    }
    this.cleanupHistory(registry, spec, registry.list(R.replicasets, ns).items.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.controller && r.uid === d.metadata.uid)), newRs);
    const latestOwned = registry.list(R.replicasets, ns).items.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.controller && r.uid === d.metadata.uid));
    const latestNew = latestOwned.find((rs) => rs.metadata.name === newRs!.metadata.name);
    this.syncStatus(registry, d, latestNew, latestOwned);
  }

  private createReplicaSet(registry: Registry, d: Readonly<KObject>, spec: DeploySpec, replicas: number, revision: number): Readonly<KObject> | undefined {
    let collision = 0;
    for (;;) {
      const hash = podTemplateHash(spec.template, collision);
      const tpl = structuredClone(spec.template ?? {}) as Template;
      tpl.metadata = { ...(tpl.metadata ?? {}), labels: { ...(tpl.metadata?.labels ?? {}), 'pod-template-hash': hash } };
      const selector = structuredClone(spec.selector ?? {}) as { matchLabels?: Record<string, string> };
      selector.matchLabels = { ...(selector.matchLabels ?? {}), 'pod-template-hash': hash };
      const { surge } = resolveFenceposts(spec);
      const rs: KObject = {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${d.metadata.name}-${hash}`,
          namespace: d.metadata.namespace,
          labels: { ...(spec.template?.metadata?.labels ?? {}), 'pod-template-hash': hash },
          annotations: {
            'deployment.kubernetes.io/desired-replicas': String(spec.replicas ?? 1),
            'deployment.kubernetes.io/max-replicas': String((spec.replicas ?? 1) + surge),
            [REVISION]: String(revision),
            ...(d.metadata.annotations?.['kubernetes.io/change-cause'] ? { 'kubernetes.io/change-cause': d.metadata.annotations['kubernetes.io/change-cause'] } : {}),
          },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: d.metadata.name!, uid: d.metadata.uid!, controller: true, blockOwnerDeletion: true }],
        },
        spec: { replicas, minReadySeconds: spec.minReadySeconds ?? 0, selector, template: tpl },
      };
      try {
        const created = registry.create(R.replicasets, d.metadata.namespace, rs);
        this.setDeploymentRevision(registry, d, revision);
        return created;
      } catch (e) {
        if (e instanceof ApiError && e.reason === 'AlreadyExists' && collision < 5) {
          collision++;
          continue;
        }
        if (e instanceof ApiError && (e.code === 403 || e.code === 404)) return undefined;
        throw e;
      }
    }
  }

  private setRsAnnotations(registry: Registry, rs: Readonly<KObject>, revision: number, replicas: number, surge: number): Readonly<KObject> {
    const next = structuredClone(rs) as KObject;
    next.metadata.annotations = {
      ...(rs.metadata.annotations ?? {}),
      [REVISION]: String(revision),
      'deployment.kubernetes.io/desired-replicas': String(replicas),
      'deployment.kubernetes.io/max-replicas': String(replicas + surge),
    };
    const out = registry.commitUpdate(R.replicasets, rs, next, {});
    const owner = controllerOf(rs);
    const d = owner ? registry.tryGet(R.deployments, rs.metadata.namespace, owner.name) : undefined;
    if (d) this.setDeploymentRevision(registry, d, revision);
    return out;
  }

  private setDeploymentRevision(registry: Registry, d: Readonly<KObject>, revision: number): void {
    const latest = registry.tryGet(R.deployments, d.metadata.namespace, d.metadata.name!);
    if (!latest || latest.metadata.annotations?.[REVISION] === String(revision)) return;
    const next = structuredClone(latest) as KObject;
    next.metadata.annotations = { ...(latest.metadata.annotations ?? {}), [REVISION]: String(revision) };
    // Annotations only: generation does not change (metadata is not spec).
    registry.commitUpdate(R.deployments, latest, next, {});
  }

  private scaleRs(registry: Registry, rs: Readonly<KObject>, replicas: number): void {
    const latest = registry.tryGet(R.replicasets, rs.metadata.namespace, rs.metadata.name!);
    if (!latest || rsReplicas(latest) === replicas) return;
    const next = structuredClone(latest) as KObject;
    (next['spec'] as { replicas?: number }).replicas = replicas;
    registry.commitUpdate(R.replicasets, latest, next, {});
  }

  private cleanupHistory(registry: Registry, spec: DeploySpec, owned: ReadonlyArray<Readonly<KObject>>, newRs: Readonly<KObject>): void {
    const limit = spec.revisionHistoryLimit ?? 10;
    const dead = owned
      .filter((rs) => rs.metadata.name !== newRs.metadata.name && rsReplicas(rs) === 0 && (rsStatus(rs).replicas ?? 0) === 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    const excess = dead.length - limit;
    for (let i = 0; i < excess; i++) {
      try {
        registry.delete(R.replicasets, dead[i]!.metadata.namespace, dead[i]!.metadata.name!);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
  }

  private syncStatus(registry: Registry, d: Readonly<KObject>, newRs: Readonly<KObject> | undefined, owned: ReadonlyArray<Readonly<KObject>>): void {
    const spec = (d['spec'] ?? {}) as DeploySpec;
    const replicas = spec.replicas ?? 1;
    const sum = (f: (s: RsStatus) => number | undefined) => owned.reduce((n, rs) => n + (f(rsStatus(rs)) ?? 0), 0);
    const total = sum((s) => s.replicas);
    const ready = sum((s) => s.readyReplicas);
    const available = sum((s) => s.availableReplicas);
    const updated = newRs ? rsStatus(newRs).replicas ?? 0 : 0;
    const { unavailable: maxUnavailable } = resolveFenceposts(spec);
    const old = (d['status'] ?? {}) as { conditions?: Array<{ type: string; status: string; reason?: string; message?: string; lastUpdateTime?: string; lastTransitionTime?: string }> };
    const now = nowRfc3339();
    const cond = (type: string, status: string, reason: string, message: string) => {
      const prev = old.conditions?.find((c) => c.type === type);
      const same = prev && prev.status === status && prev.reason === reason && prev.message === message;
      if (same) return prev!;
      return {
        type,
        status,
        lastUpdateTime: now,
        lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime ?? now : now,
        reason,
        message,
      };
    };
    const isAvailable = available >= replicas - maxUnavailable;
    const complete = newRs && updated === replicas && total === replicas && available === replicas;
    const rsName = newRs?.metadata.name ?? d.metadata.name;
    const conditions = [
      cond('Available', isAvailable ? 'True' : 'False', isAvailable ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', isAvailable ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.'),
      complete
        ? cond('Progressing', 'True', 'NewReplicaSetAvailable', `ReplicaSet "${rsName}" has successfully progressed.`)
        : cond('Progressing', 'True', owned.length > 1 || !newRs ? 'ReplicaSetUpdated' : 'ReplicaSetUpdated', `ReplicaSet "${rsName}" is progressing.`),
    ];
    const status: Record<string, unknown> = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas: total,
      updatedReplicas: updated,
      readyReplicas: ready,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      conditions,
    };
    for (const k of ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']) if (status[k] === 0) delete status[k];
    if (JSON.stringify(sortKeys(status)) === JSON.stringify(sortKeys(d['status'] ?? {}))) return;
    const latest = registry.tryGet(R.deployments, d.metadata.namespace, d.metadata.name!);
    if (!latest) return;
    const next = structuredClone(latest) as KObject;
    next['status'] = status;
    registry.commitUpdate(R.deployments, latest, next, {}, 'status');
  }

  stop(): void {
    this.queue?.stop();
    for (const s of this.stops) s();
  }
}
