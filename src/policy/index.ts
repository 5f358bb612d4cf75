/**
 * @module policy
 * The NetworkPolicy engine's public surface: compile, decide, explain, matrix,
 * the offline loader, the reference evaluator and the upstream e2e cases.
 * Everything here is pure (no I/O); the live enforcement glue feeds the engine
 * from the store and asks it about each connection.
 *
 *   store objects --(glue)--> PolicyEngine upsert…/remove… methods
 *   dataplane: resolver -> service VIP translation -> engine.decide(pod IP, target port)
 *   CLI/web:   engine.explain(...)  engine.matrix(...)  render*(...)
 */

export { PolicyEngine, combine, comparePods, isProtocol, type Bypass } from './engine.js';
export { PolicyError, type PolicyErrorCode } from './errors.js';
export { explainConnection, type Explanation, type ExplainQuery, type Hint, type HintCode, type ServicePortMapping, type ServiceTranslation } from './explain.js';
export { computeMatrix, renderMatrixCSV, renderMatrixJSON, renderMatrixText, type MatrixQuery, type MatrixResult, type MatrixTable } from './matrix.js';
export { NaiveEvaluator } from './naive.js';
export { summarizeDecision, type VerdictSummary } from './verdict.js';
export { loadOfflineObjects, loadOfflineYaml, type OfflineOptions, type OfflineResult, type OfflineService } from './offline.js';
export { normalizePolicy, type NormalizedPolicy, type NormalizedRule, type NormalizedPeer, type NormalizedPort, type PolicyIssue } from './spec.js';
export { compileSelector, selectorMatches, formatSelector, type CompiledSelector } from './labels.js';
export { Reachability, type PeerPattern } from './reachability.js';
export { diffTruthTables, newTruthTable, parseTruthTable, printTruthTable, truthTableToCSV, type TruthTable } from './truth-table.js';
export { applyCaseAction, runCase, snapshotModel, type ProbeOutcome } from './case-runner.js';
export {
  DEFAULT_CASE_CONTEXT,
  UPSTREAM_CASES,
  materializeCase,
  type CaseAction,
  type CaseContext,
  type CaseProbe,
  type CaseStep,
  type MaterializedCase,
  type NetpolCase,
} from './upstream-cases.js';
export {
  AGNHOST_IMAGE,
  UPSTREAM_NAMESPACES,
  UPSTREAM_POD_NAMES,
  UPSTREAM_PORTS,
  UPSTREAM_PROTOCOLS,
  portName,
  upstreamManifests,
  upstreamModel,
  upstreamPodIP,
  upstreamPodStrings,
} from './upstream-model.js';
export { LAB_BACKEND_SERVICE, LAB_DENY_ALL, LAB_NAMESPACES, LAB_NODES, LAB_PODS, LAB_SELECTIVE, labModel } from './lab-fixture.js';
export * from './types.js';
