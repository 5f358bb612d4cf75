/**
 * @module controllers/scheduler
 * The scheduler: binds each unscheduled pod to a node that is Ready and
 * schedulable, whose taints the pod tolerates (the control-plane node carries
 * kind's NoSchedule taint), that matches `nodeSelector` and required node
 * affinity, preferring the node with the fewest pods (spreading a Deployment's
 * replicas over the workers). `spec.nodeName` set by the user is honoured.
 */
import type { Registry } from '../apiserver/registry.js';
import { ApiError } from '../errors.js';
import { selectorMatches, type LabelSelectorObject } from '../api/selectors.js';
import type { KObject } from '../store/store.js';
import type { Controller } from './controller.js';
import { WorkQueue } from './workqueue.js';
import { R, inform, keyOf, splitKey } from './informer.js';
import { isActive, asPod } from './pod-util.js';
import { nowRfc3339 } from '../apiserver/registry.js';

interface Taint {
  key: string;
  value?: string;
  effect: string;
}
interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

export function tolerates(tols: ReadonlyArray<Toleration>, t: Taint): boolean {
  return tols.some((tol) => {
    if (tol.effect && tol.effect !== t.effect) return false;
    if (tol.operator === 'Exists') return !tol.key || tol.key === t.key;
    return tol.key === t.key && (tol.value ?? '') === (t.value ?? '');
  });
}

interface NodeSelectorTerm {
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

function nodeAffinityOk(pod: Readonly<KObject>, labels: Record<string, string> | undefined): boolean {
  const terms = (pod['spec'] as { affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } } })?.affinity?.nodeAffinity
    ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return true;
  return terms.some((term) => {
    const sel: LabelSelectorObject = {
      matchExpressions: (term.matchExpressions ?? []).filter((e) => ['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)),
    };
    return selectorMatches(sel, labels);
  });
}

export class Scheduler implements Controller {
  readonly name = 'scheduler';
  private readonly stops: Array<() => void> = [];
  private queue?: WorkQueue;
  /** Active pods per node, kept from the pod informer: listing every pod for each decision is quadratic. */
  private readonly podNode = new Map<string, string>();
  private readonly perNode = new Map<string, number>();

  private track(key: string, node: string | undefined): void {
    const old = this.podNode.get(key);
    if (old === node) return;
    if (old !== undefined) {
      this.perNode.set(old, (this.perNode.get(old) ?? 1) - 1);
      this.podNode.delete(key);
    }
    if (node !== undefined) {
      this.podNode.set(key, node);
      this.perNode.set(node, (this.perNode.get(node) ?? 0) + 1);
    }
  }

  start(registry: Registry): void {
    const q: WorkQueue = new WorkQueue((k: string) => this.schedule(registry, k, q));
    this.queue = q;
    this.stops.push(
      inform(registry, R.pods, (t, o) => {
        const nodeName = (o['spec'] as { nodeName?: string } | undefined)?.nodeName;
        this.track(keyOf(o), t !== 'DELETED' && nodeName && isActive(asPod(o)) ? nodeName : undefined);
        if (t !== 'DELETED' && !nodeName) q.add(keyOf(o));
      }),
    );
    // A node becoming schedulable retries pending pods.
    this.stops.push(
      inform(registry, R.nodes, () => {
        for (const p of registry.list(R.pods).items) if (!(p['spec'] as { nodeName?: string } | undefined)?.nodeName) q.add(keyOf(p));
      }),
    );
  }

  private schedule(registry: Registry, key: string, q: WorkQueue): void {
    const [ns, name] = splitKey(key);
    const pod = registry.tryGet(R.pods, ns, name);
    if (!pod || pod.metadata.deletionTimestamp) return;
    const spec = (pod['spec'] ?? {}) as { nodeName?: string; nodeSelector?: Record<string, string>; tolerations?: Toleration[] };
    if (spec.nodeName) return;
    const nodes = registry.list(R.nodes).items;
    const counts = this.perNode;
    const reasons: string[] = [];
    const fits = nodes.filter((n) => {
      const nspec = (n['spec'] ?? {}) as { unschedulable?: boolean; taints?: Taint[] };
      const ready = ((n['status'] as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      if (!ready) return reasons.push('node(s) were not ready'), false;
      if (nspec.unschedulable) return reasons.push('node(s) were unschedulable'), false;
      const untolerated = (nspec.taints ?? []).find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(spec.tolerations ?? [], t));
      if (untolerated) return reasons.push(`node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`), false;
      for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (n.metadata.labels?.[k] !== v) return reasons.push("node(s) didn't match Pod's node affinity/selector"), false;
      if (!nodeAffinityOk(pod, n.metadata.labels)) return reasons.push("node(s) didn't match Pod's node affinity/selector"), false;
      return true;
    });
    if (fits.length === 0) {
      this.markUnschedulable(registry, pod, nodes.length, reasons);
      q.addAfter(key, 1000);
      return;
    }
    fits.sort((a, b) => (counts.get(a.metadata.name!) ?? 0) - (counts.get(b.metadata.name!) ?? 0) || (a.metadata.name! < b.metadata.name! ? -1 : 1));
    const min = counts.get(fits[0]!.metadata.name!) ?? 0;
    const best = fits.filter((n) => (counts.get(n.metadata.name!) ?? 0) === min);
    const chosen = best[Math.floor(Math.random() * best.length)]!;
    const next = structuredClone(pod) as KObject;
    (next['spec'] as { nodeName?: string }).nodeName = chosen.metadata.name;
    try {
      const bound = registry.commitUpdate(R.pods, pod, next, {}, 'binding');
      this.track(key, chosen.metadata.name);
      const st = structuredClone(bound) as KObject;
      const status = (st['status'] ?? {}) as { conditions?: Array<Record<string, unknown>> };
      status.conditions = [...(status.conditions ?? []).filter((c) => c['type'] !== 'PodScheduled'), { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowRfc3339() }];
      st['status'] = status;
      registry.commitUpdate(R.pods, bound, st, {}, 'status');
    } catch (e) {
      if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
    }
  }

  private markUnschedulable(registry: Registry, pod: Readonly<KObject>, total: number, reasons: string[]): void {
    const counted = new Map<string, number>();
    for (const r of reasons) counted.set(r, (counted.get(r) ?? 0) + 1);
    const msg = `0/${total} nodes are available: ${[...counted].map(([r, n]) => `${n} ${r}`).sort().join(', ')}. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`;
    const status = (pod['status'] ?? {}) as { conditions?: Array<Record<string, unknown>> };
    const prev = status.conditions?.find((c) => c['type'] === 'PodScheduled');
    if (prev && prev['message'] === msg) return;
    const next = structuredClone(pod) as KObject;
    const st = (next['status'] ?? {}) as { conditions?: Array<Record<string, unknown>> };
    st.conditions = [...(st.conditions ?? []).filter((c) => c['type'] !== 'PodScheduled'), { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: nowRfc3339(), reason: 'Unschedulable', message: msg }];
    next['status'] = st;
    registry.commitUpdate(R.pods, pod, next, {}, 'status');
  }

  stop(): void {
    this.queue?.stop();
    for (const s of this.stops) s();
  }
}
