/**
 * @module web/whatif
 * "What if I applied (or deleted) this NetworkPolicy?": the reachability
 * matrix and the recent flows judged twice, once by a copy of the live engine
 * and once by a copy with the candidate policies upserted (or removed), and the
 * differences between the two. Behind `POST /kwire/v1/whatif` (the web UI's "what if" view) and
 * `kwire whatif -f policy.yaml` (which exits non-zero when anything changes).
 *
 *   live engine ──copy──► before (current policies)
 *               └─copy──► after  (current policies + candidates, same name replaces; minus removals)
 *   matrix: for each (protocol, port): before.matrix vs after.matrix -> changed cells
 *   flows:  each held record re-judged (src, endpoint, snat) by both -> changed flows
 *
 * "before" is what the current policies say now, not the verdict recorded at
 * the time (policies may have changed since). Flows whose pods are gone, and
 * flows the proxy refused before policy was asked (no endpoint), cannot be
 * judged and are only counted. Pure: reads the engine and the records given;
 * validating the candidates against the API's rules is the caller's job.
 */
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { FlowRecord } from '../dataplane/flow-log.js';
import { decideFlow } from '../dataplane/policy-hook.js';
import type { Peer } from '../dataplane/types.js';
import { PolicyEngine, type PodInfo, type PolicyRef, type Protocol } from '../policy/index.js';

export const WHATIF_API_VERSION = 'kwire.dev/v1' as const;

/** One matrix table: a protocol and a port. */
export interface PortRef {
  readonly protocol: Protocol;
  readonly port: number;
}

export interface WhatIfQuery {
  /** Pods of these namespaces make the matrix (default: every namespace). */
  readonly namespaces?: ReadonlyArray<string>;
  /** The matrix tables (default: the ports the candidates name or select; TCP/80 when none). */
  readonly ports?: ReadonlyArray<PortRef>;
  /** Leave the before/after tables out of the answer (the CLI needs only the changes). */
  readonly omitTables?: boolean;
}

/** A candidate's effect on the policy set. */
export interface CandidateRef {
  readonly namespace: string;
  readonly name: string;
  /** `create`: no policy of that name exists; `update`: it replaces one; `delete`: it goes. */
  readonly action: 'create' | 'update' | 'delete';
}

export type Verdict = 'allowed' | 'dropped';

/** One matrix cell whose verdict the candidates change. */
export interface CellChange {
  readonly from: string;
  readonly to: string;
  readonly protocol: Protocol;
  readonly port: number;
  readonly before: Verdict;
  readonly after: Verdict;
}

/** Recent flows of one (source, endpoint, port) whose verdict would change; `flow` is the newest. */
export interface FlowChange {
  readonly flow: FlowRecord;
  readonly count: number;
  readonly before: Verdict;
  readonly after: Verdict;
  /** The policies deciding after the change (`namespace/name`). */
  readonly policies: ReadonlyArray<string>;
}

export interface WhatIfTable extends PortRef {
  readonly before: ReadonlyArray<ReadonlyArray<boolean>>;
  readonly after: ReadonlyArray<ReadonlyArray<boolean>>;
}

export interface WhatIfResult {
  readonly apiVersion: typeof WHATIF_API_VERSION;
  readonly kind: 'WhatIf';
  readonly candidates: ReadonlyArray<CandidateRef>;
  readonly matrix: {
    /** Rows and columns: `namespace/pod`. */
    readonly pods: ReadonlyArray<string>;
    readonly ports: ReadonlyArray<PortRef>;
    /** Absent with `omitTables`. */
    readonly tables?: ReadonlyArray<WhatIfTable>;
    readonly changes: ReadonlyArray<CellChange>;
  };
  readonly flows: {
    /** Records judged (both ends still known). */
    readonly judged: number;
    /** Records that could not be judged (a pod gone, refused before policy). */
    readonly unjudged: number;
    readonly changes: ReadonlyArray<FlowChange>;
  };
  readonly summary: {
    /** Cells allowed now and dropped after. */
    readonly addedDenials: number;
    /** Cells dropped now and allowed after. */
    readonly newAllowances: number;
    /** Distinct flows (source, endpoint, port) whose verdict changes. */
    readonly flowsChanged: number;
  };
  /** The live engine revision the answer was computed from. */
  readonly revision: number;
}

/** Everything about the engine's inputs that changes, applied to a copy. */
export interface EngineChanges {
  /** Upserted after the current policies (same namespace/name replaces). */
  readonly policies?: ReadonlyArray<NetworkPolicy>;
  readonly removePolicies?: ReadonlyArray<PolicyRef>;
  /** Pods the live engine no longer holds (deleted or finished), for explaining old flows. */
  readonly extraPods?: ReadonlyArray<PodInfo>;
}

/** A new engine with the live one's namespaces, nodes, pods and policies, and the changes applied. */
export function copyEngine(engine: PolicyEngine, changes: EngineChanges = {}): PolicyEngine {
  const removed = new Set((changes.removePolicies ?? []).map((r) => `${r.namespace}/${r.name}`));
  const copy = PolicyEngine.fromModel(
    {
      namespaces: engine.listNamespaces().filter((n) => engine.hasNamespace(n.name)),
      nodes: engine.listNodes(),
      pods: engine.listPods(),
      policies: engine.listPolicies().filter((p) => !removed.has(p.key)).map((p) => p.source),
    },
    engine.options,
  );
  for (const p of changes.extraPods ?? []) if (!copy.getPod(p)) copy.upsertPod(p);
  for (const np of changes.policies ?? []) copy.upsertPolicy(np);
  return copy;
}

function refOf(np: NetworkPolicy): PolicyRef {
  return { namespace: np.metadata?.namespace ?? 'default', name: np.metadata?.name ?? '' };
}

const PORT_CAP = 12;

function protocolOf(p: unknown): Protocol {
  return p === 'UDP' || p === 'SCTP' ? p : 'TCP';
}

/**
 * The tables worth showing for these candidates: the numeric ports their rules
 * name (named ports resolved on the pods that declare them) and the container
 * ports of the pods they select; TCP/80 when there are none. At most 12.
 */
export function candidatePorts(after: PolicyEngine, candidates: ReadonlyArray<NetworkPolicy>, removed: { readonly engine: PolicyEngine; readonly policies: ReadonlyArray<NetworkPolicy> } = { engine: after, policies: [] }): PortRef[] {
  const seen = new Map<string, PortRef>();
  const add = (protocol: Protocol, port: number): void => {
    if (Number.isInteger(port) && port > 0 && port < 65536) seen.set(`${protocol}/${port}`, { protocol, port });
  };
  const pods = after.listPods();
  const all: Array<[NetworkPolicy, PolicyEngine]> = [...candidates.map((np): [NetworkPolicy, PolicyEngine] => [np, after]), ...removed.policies.map((np): [NetworkPolicy, PolicyEngine] => [np, removed.engine])];
  for (const [np, holder] of all) {
    for (const rule of [...(np.spec?.ingress ?? []), ...(np.spec?.egress ?? [])]) {
      for (const p of rule.ports ?? []) {
        const protocol = protocolOf(p.protocol);
        if (typeof p.port === 'number') add(protocol, p.port);
        else if (typeof p.port === 'string') {
          for (const pod of pods) for (const cp of pod.ports) if (cp.name === p.port && (cp.protocol ?? 'TCP') === protocol) add(protocol, cp.containerPort);
        }
      }
    }
    // A removed policy selects nothing in "after": its pods are read where it still exists.
    for (const pod of holder.podsSelectedBy(refOf(np))) for (const cp of pod.ports) add(cp.protocol ?? 'TCP', cp.containerPort);
  }
  const out = [...seen.values()].sort((a, b) => (a.protocol === b.protocol ? a.port - b.port : a.protocol < b.protocol ? -1 : 1));
  return out.length > 0 ? out.slice(0, PORT_CAP) : [{ protocol: 'TCP', port: 80 }];
}

function podKnown(engine: PolicyEngine, p: Peer | undefined): boolean {
  return p?.owner?.kind !== 'pod' || engine.getPod(p.owner) !== undefined;
}

/** The verdict the engine gives a recorded flow now; undefined when it cannot be judged. */
export function judgeFlow(engine: PolicyEngine, r: FlowRecord): { verdict: Verdict; policies: ReadonlyArray<string> } | undefined {
  if (r.endpoint === undefined || r.verdict === 'error') return undefined;
  if (!podKnown(engine, r.src) || !podKnown(engine, r.endpoint)) return undefined;
  const v = decideFlow(engine, { protocol: r.protocol, src: r.src, dst: r.endpoint, ...(r.snat ? { snat: r.snat } : {}) });
  return { verdict: v.verdict === 'allow' ? 'allowed' : 'dropped', policies: v.policies };
}

const peerKey = (p: Peer | undefined): string => (p?.owner?.kind === 'pod' ? `${p.owner.namespace}/${p.owner.name}` : p?.ip ?? '-');

/** The flow key changes are grouped by: source, endpoint, port, protocol. */
export function flowKey(r: FlowRecord): string {
  return `${peerKey(r.src)}>${peerKey(r.endpoint)}:${r.endpoint?.port ?? r.dst.port}/${r.protocol}`;
}

/**
 * Compares the live policies with the live policies plus the candidates and
 * minus the removals (policies that do not exist are the caller's error to report).
 */
export function whatIf(live: PolicyEngine, candidates: ReadonlyArray<NetworkPolicy>, flows: ReadonlyArray<FlowRecord>, q: WhatIfQuery = {}, removals: ReadonlyArray<PolicyRef> = []): WhatIfResult {
  const before = copyEngine(live);
  const after = copyEngine(live, { policies: candidates, removePolicies: removals });
  const refs: CandidateRef[] = candidates.map((np) => {
    const ref = refOf(np);
    return { ...ref, action: live.getPolicy(ref) ? 'update' : 'create' };
  });
  const removedPolicies: NetworkPolicy[] = [];
  for (const r of removals) {
    const held = live.getPolicy(r);
    if (!held) continue;
    refs.push({ namespace: r.namespace, name: r.name, action: 'delete' });
    removedPolicies.push(held.source);
  }
  const ports = q.ports && q.ports.length > 0 ? [...q.ports] : candidatePorts(after, candidates, { engine: before, policies: removedPolicies });
  const wanted = q.namespaces && q.namespaces.length > 0 ? new Set(q.namespaces) : undefined;
  const pods = before.listPods().filter((p) => !p.hostNetwork && (!wanted || wanted.has(p.namespace)));
  const names = pods.map((p) => `${p.namespace}/${p.name}`);
  const tables: WhatIfTable[] = [];
  const changes: CellChange[] = [];
  for (const pr of ports) {
    const pb = before.prepareProbe(pods, pr.protocol, pr.port);
    const pa = after.prepareProbe(pods, pr.protocol, pr.port);
    const tb = pods.map((_, i) => pods.map((__, j) => pb(i, j)));
    const ta = pods.map((_, i) => pods.map((__, j) => pa(i, j)));
    tables.push({ ...pr, before: tb, after: ta });
    for (let i = 0; i < pods.length; i++) {
      for (let j = 0; j < pods.length; j++) {
        const b = tb[i]?.[j] === true;
        const a = ta[i]?.[j] === true;
        if (a !== b) changes.push({ from: names[i]!, to: names[j]!, protocol: pr.protocol, port: pr.port, before: b ? 'allowed' : 'dropped', after: a ? 'allowed' : 'dropped' });
      }
    }
  }
  let judged = 0;
  let unjudged = 0;
  const byKey = new Map<string, { flow: FlowRecord; count: number; before: Verdict; after: Verdict; policies: ReadonlyArray<string> }>();
  for (const r of flows) {
    const b = judgeFlow(before, r);
    const a = b ? judgeFlow(after, r) : undefined;
    if (!b || !a) {
      unjudged++;
      continue;
    }
    judged++;
    if (a.verdict === b.verdict) continue;
    const k = flowKey(r);
    const cur = byKey.get(k);
    if (cur) {
      cur.count++;
      if (r.id > cur.flow.id) cur.flow = r;
    } else byKey.set(k, { flow: r, count: 1, before: b.verdict, after: a.verdict, policies: a.policies });
  }
  const flowChanges = [...byKey.values()].sort((x, y) => y.flow.id - x.flow.id);
  return {
    apiVersion: WHATIF_API_VERSION,
    kind: 'WhatIf',
    candidates: refs,
    matrix: { pods: names, ports, ...(q.omitTables ? {} : { tables }), changes },
    flows: { judged, unjudged, changes: flowChanges },
    summary: {
      addedDenials: changes.filter((c) => c.after === 'dropped').length,
      newAllowances: changes.filter((c) => c.after === 'allowed').length,
      flowsChanged: flowChanges.length,
    },
    revision: live.revision,
  };
}
