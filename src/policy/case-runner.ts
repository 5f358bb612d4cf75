/**
 * @module policy/case-runner
 * Runs a materialised netpol case (upstream-cases.ts) against an engine
 * offline: applies each step's actions to the engine and computes each probe's
 * truth table, for comparison with the expected one. The end-to-end variant
 * (applying through kubectl and probing live pods) belongs to the lead's e2e
 * harness; this is the in-process one. Pure: no I/O.
 */

import type { PolicyEngine } from './engine.js';
import { computeMatrix } from './matrix.js';
import { diffTruthTables, type TruthTable } from './truth-table.js';
import type { CaseAction, MaterializedCase } from './upstream-cases.js';
import type { ClusterModel, Protocol } from './types.js';

/** Apply one case action to an engine. */
export function applyCaseAction(engine: PolicyEngine, a: CaseAction): void {
  switch (a.kind) {
    case 'apply-policy':
      engine.upsertPolicy(a.policy);
      return;
    case 'delete-policy':
      engine.removePolicy({ namespace: a.namespace, name: a.name });
      return;
    case 'delete-all-policies':
      for (const p of engine.listPolicies()) engine.removePolicy(p.ref);
      return;
    case 'set-pod-labels': {
      const pod = engine.getPod({ namespace: a.namespace, name: a.pod });
      if (!pod) throw new Error(`case: no pod ${a.namespace}/${a.pod}`);
      engine.upsertPod({ ...pod, labels: a.labels });
      return;
    }
    case 'set-namespace-labels':
      engine.upsertNamespace({ name: a.namespace, labels: a.labels });
      return;
    default: {
      const never: never = a;
      throw new Error(`unknown case action ${JSON.stringify(never)}`);
    }
  }
}

/** The engine's current inputs as a plain model (to feed a from-scratch evaluator). */
export function snapshotModel(engine: PolicyEngine): ClusterModel {
  return {
    namespaces: engine.listNamespaces().filter((n) => engine.hasNamespace(n.name)),
    nodes: engine.listNodes(),
    pods: engine.listPods(),
    policies: engine.listPolicies().map((p) => p.source),
  };
}

export interface ProbeOutcome {
  readonly step: number;
  readonly description: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly expected: TruthTable;
  readonly actual: TruthTable;
  readonly wrong: ReturnType<typeof diffTruthTables>;
}

/**
 * Run every step of a case on `engine` (which must hold the model's pods and
 * namespaces, and no policy). `observe` may compute a table differently (e.g.
 * with the reference evaluator); by default the engine's matrix is used.
 */
export function runCase(
  engine: PolicyEngine,
  c: MaterializedCase,
  observe: (engine: PolicyEngine, port: number, protocol: Protocol) => TruthTable = (e, port, protocol) => {
    const t = computeMatrix(e, { ports: [port], protocols: [protocol] }).tables[0];
    if (!t) throw new Error('matrix returned no table');
    return t.table;
  },
): ProbeOutcome[] {
  const out: ProbeOutcome[] = [];
  c.steps.forEach((s, i) => {
    for (const a of s.actions) applyCaseAction(engine, a);
    for (const p of s.probes) {
      const actual = observe(engine, p.port, p.protocol);
      out.push({ step: i, description: s.description, port: p.port, protocol: p.protocol, expected: p.expected, actual, wrong: diffTruthTables(p.expected, actual) });
    }
  });
  return out;
}
