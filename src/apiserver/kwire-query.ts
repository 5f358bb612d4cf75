/**
 * @module apiserver/kwire-query
 * `explain` and `matrix` over the endpoint forms (pods, Services, addresses),
 * as functions of the engine and a Service catalog with JSON results: the
 * HTTP endpoints (kwire-api.ts) and the offline CLI call the same functions,
 * so a live answer and an offline answer over the same objects are equal.
 *
 *   explain(from, to, port)   to --translate--> endpoint paths
 *                             each path: engine.explain (decision, lines, hints)
 *                             verdict: allowed | dropped | partial | refused
 *   matrix(froms, tos, ports) one truth table per protocol/port; no from/to:
 *                             the engine's pod x pod fast path
 *
 * A cell or verdict over a Service aggregates its endpoint paths: every path
 * admitted -> allowed, none -> dropped, some -> partial (matrix: `null`, `?`
 * in the table: the outcome depends on the endpoint the proxy picks);
 * refused (no endpoints, no such port) -> dropped in the matrix, `refused`
 * in explain. A Service source with no endpoints yields `null` cells.
 * Also the list parsers (ports, protocols) both shells share. Pure.
 */
import { ApiError, errors } from '../errors.js';
import { PolicyError, isProtocol, summarizeDecision, type Decision, type Hint, type PolicyEngine, type Protocol, type ServiceTranslation } from '../policy/index.js';
import {
  defaultPort,
  formatEndpointSpec,
  parseEndpointSpec,
  sourcesOf,
  translate,
  type Concrete,
  type ConcreteTarget,
  type EndpointSpec,
  type ServiceCatalog,
  type ServiceHop,
  type Translation,
} from './kwire-endpoints.js';

export const KWIRE_API_VERSION = 'kwire.dev/v1' as const;

export interface ExplainRequest {
  readonly from: string;
  readonly to: string;
  /** Service port for a Service, pod port otherwise; absent: the only port there is. */
  readonly port?: number;
  /** Default TCP. */
  readonly protocol?: Protocol;
  /** Completes `pod` and `svc/name`; default "default". */
  readonly namespace?: string;
}

/** One judged path: a source pod/address to one endpoint, after translation. */
export interface ExplainPath {
  readonly from: string;
  readonly to: string;
  /** The port judged: the pod's port (the targetPort for a Service). */
  readonly port: number;
  readonly verdict: 'allowed' | 'dropped';
  /** The deciding policies, `namespace/name` (see summarizeDecision). */
  readonly policies: ReadonlyArray<string>;
  readonly reason?: string;
  readonly decision: Decision;
  readonly lines: ReadonlyArray<string>;
  readonly hints: ReadonlyArray<Hint>;
}

export type ExplainVerdict = 'allowed' | 'dropped' | 'partial' | 'refused';

export interface ExplainResult {
  readonly apiVersion: typeof KWIRE_API_VERSION;
  readonly kind: 'Explanation';
  readonly from: string;
  readonly to: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly verdict: ExplainVerdict;
  /** One line for people. */
  readonly summary: string;
  /** The translation when `to` is a Service. */
  readonly service?: ServiceHop;
  /** The pods a Service source stands for. */
  readonly sources?: ReadonlyArray<string>;
  /** Why the proxy refused (verdict `refused`). */
  readonly refused?: string;
  readonly paths: ReadonlyArray<ExplainPath>;
  /** Every distinct hint of every path. */
  readonly hints: ReadonlyArray<Hint>;
  /** The engine revision the answer reflects. */
  readonly revision: number;
}

export interface MatrixRequest {
  /** Pods of these namespaces make the default axes (default: every namespace). */
  readonly namespaces?: ReadonlyArray<string>;
  /** Default [80]. */
  readonly ports?: ReadonlyArray<number>;
  /** Default ['TCP']. */
  readonly protocols?: ReadonlyArray<Protocol>;
  /** Rows (endpoint forms); default: the pods of `namespaces`. */
  readonly from?: ReadonlyArray<string>;
  /** Columns (endpoint forms); default: the pods of `namespaces`. */
  readonly to?: ReadonlyArray<string>;
  /** Completes the short endpoint forms; default "default". */
  readonly namespace?: string;
}

export interface MatrixTableJSON {
  readonly protocol: Protocol;
  readonly port: number;
  /** allowed[i][j]: can froms[i] reach tos[j]? `null`: it depends on the endpoint picked (or no source). */
  readonly allowed: ReadonlyArray<ReadonlyArray<boolean | null>>;
}

export interface ReachabilityMatrix {
  readonly apiVersion: typeof KWIRE_API_VERSION;
  readonly kind: 'ReachabilityMatrix';
  readonly froms: ReadonlyArray<string>;
  readonly tos: ReadonlyArray<string>;
  readonly tables: ReadonlyArray<MatrixTableJSON>;
  readonly revision: number;
}

// ------------------------------------------------------------------ parsers

/** Splits repeated and comma-separated values: ["a,b", "c"] -> ["a", "b", "c"]. */
export function splitList(values: ReadonlyArray<string>): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

export function parsePort(text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw errors.badRequest(`invalid port "${text}": must be between 1 and 65535, inclusive`);
  return n;
}

export function parseProtocol(text: string): Protocol {
  const p = text.trim().toUpperCase();
  if (!isProtocol(p)) throw errors.badRequest(`unsupported protocol "${text}": supported values: "SCTP", "TCP", "UDP"`);
  return p;
}

export function parsePortList(values: ReadonlyArray<string>): number[] {
  return [...new Set(splitList(values).map(parsePort))];
}

export function parseProtocolList(values: ReadonlyArray<string>): Protocol[] {
  return [...new Set(splitList(values).map(parseProtocol))];
}

/** Engine errors as API errors (unknown pod -> 404, bad input -> 400); others unchanged. */
export function toApiError(err: unknown): unknown {
  if (err instanceof PolicyError) return err.status === 404 ? new ApiError(404, 'NotFound', err.message) : errors.badRequest(err.message);
  return err;
}

// ------------------------------------------------------------------ explain

function serviceTranslation(s: ServiceHop): ServiceTranslation {
  return { namespace: s.namespace, name: s.name, ...(s.clusterIP ? { clusterIP: s.clusterIP } : {}), port: s.port, ports: s.ports };
}

function hintKey(h: Hint): string {
  return `${h.code}|${h.policy ? `${h.policy.namespace}/${h.policy.name}` : ''}|${h.path ?? ''}|${h.message}`;
}

function judgePath(engine: PolicyEngine, src: Concrete, dst: ConcreteTarget, protocol: Protocol, service: ServiceHop | undefined): ExplainPath {
  const x = engine.explain({ src: src.endpoint, dst: dst.endpoint, port: dst.port, protocol, ...(service ? { service: serviceTranslation(service) } : {}) });
  const s = summarizeDecision(x.decision);
  return {
    from: src.label,
    to: dst.label,
    port: dst.port,
    verdict: s.verdict === 'allow' ? 'allowed' : 'dropped',
    policies: s.policies,
    ...(s.reason !== undefined ? { reason: s.reason } : {}),
    decision: x.decision,
    lines: x.lines,
    hints: x.hints,
  };
}

function aggregate(paths: ReadonlyArray<{ readonly verdict: 'allowed' | 'dropped' }>): 'allowed' | 'dropped' | 'partial' {
  const ok = paths.filter((p) => p.verdict === 'allowed').length;
  return ok === paths.length ? 'allowed' : ok === 0 ? 'dropped' : 'partial';
}

function summaryOf(from: string, to: string, port: number, protocol: Protocol, verdict: ExplainVerdict, paths: ReadonlyArray<ExplainPath>, refused: string | undefined): string {
  const conn = `${from} -> ${to} port ${port}/${protocol}`;
  const policies = [...new Set(paths.flatMap((p) => p.policies))].sort();
  const n = paths.length;
  switch (verdict) {
    case 'refused':
      return `REFUSED: ${conn}: ${refused ?? 'refused by the proxy'}`;
    case 'allowed':
      return `ALLOWED: ${conn}${n > 1 ? ` (all ${n} paths)` : ''}${policies.length ? `, admitted by ${policies.join(', ')}` : ', no policy isolates either end'}`;
    case 'dropped':
      return `DROPPED: ${conn}${n > 1 ? ` (all ${n} paths)` : ''}${policies.length ? `, by ${policies.join(', ')}` : ''}; the client waits out its own timeout`;
    case 'partial': {
      const ok = paths.filter((p) => p.verdict === 'allowed').length;
      return `PARTIAL: ${conn}: ${ok} of ${n} paths allowed; the outcome depends on the endpoint the proxy picks`;
    }
    default: {
      const never: never = verdict;
      return String(never);
    }
  }
}

/** Explains one query over the endpoint forms. Throws ApiError for bad input or unknown objects. */
export function explainEndpoints(engine: PolicyEngine, catalog: ServiceCatalog, req: ExplainRequest): ExplainResult {
  try {
    const ns = req.namespace ?? 'default';
    const protocol = req.protocol ?? 'TCP';
    const fromSpec = parseEndpointSpec(req.from, ns);
    const toSpec = parseEndpointSpec(req.to, ns);
    const sources = sourcesOf(engine, catalog, fromSpec);
    if (sources.length === 0) throw errors.badRequest(`${formatEndpointSpec(fromSpec)} has no ready endpoints: no pod to send from`);
    const port = req.port ?? defaultPort(engine, catalog, toSpec, protocol);
    const t = translate(engine, catalog, toSpec, port, protocol);
    const from = formatEndpointSpec(fromSpec);
    const to = formatEndpointSpec(toSpec);
    const base = {
      apiVersion: KWIRE_API_VERSION,
      kind: 'Explanation' as const,
      from,
      to,
      port,
      protocol,
      ...(fromSpec.kind === 'service' ? { sources: sources.map((s) => s.label) } : {}),
      revision: engine.revision,
    };
    if (t.kind === 'refused') {
      return { ...base, verdict: 'refused', summary: summaryOf(from, to, port, protocol, 'refused', [], t.reason), service: t.service, refused: t.reason, paths: [], hints: [] };
    }
    const service = t.kind === 'service' ? t.service : undefined;
    const paths = sources.flatMap((s) => t.targets.map((d) => judgePath(engine, s, d, protocol, service)));
    const verdict = aggregate(paths);
    const hints = new Map<string, Hint>();
    for (const p of paths) for (const h of p.hints) if (!hints.has(hintKey(h))) hints.set(hintKey(h), h);
    return { ...base, verdict, summary: summaryOf(from, to, port, protocol, verdict, paths, undefined), ...(service ? { service } : {}), paths, hints: [...hints.values()] };
  } catch (err) {
    throw toApiError(err);
  }
}

// ------------------------------------------------------------------ matrix

function podSpecs(engine: PolicyEngine, namespaces: ReadonlyArray<string> | undefined): EndpointSpec[] {
  const wanted = namespaces && namespaces.length > 0 ? new Set(namespaces) : undefined;
  return engine
    .listPods()
    .filter((p) => !p.hostNetwork && (!wanted || wanted.has(p.namespace)))
    .map((p) => ({ kind: 'pod', namespace: p.namespace, name: p.name }));
}

function cell(engine: PolicyEngine, sources: ReadonlyArray<Concrete>, t: Translation, protocol: Protocol): boolean | null {
  if (t.kind === 'refused') return false;
  if (sources.length === 0) return null;
  let ok = 0;
  let all = 0;
  for (const s of sources) {
    for (const d of t.targets) {
      all++;
      if (engine.decide({ src: s.endpoint, dst: d.endpoint, port: d.port, protocol }).allowed) ok++;
    }
  }
  return ok === all ? true : ok === 0 ? false : null;
}

/** Who can reach whom over the endpoint forms; one table per protocol x port. */
export function matrixEndpoints(engine: PolicyEngine, catalog: ServiceCatalog, req: MatrixRequest): ReachabilityMatrix {
  try {
    const ports = req.ports && req.ports.length > 0 ? req.ports : [80];
    const protocols = req.protocols && req.protocols.length > 0 ? req.protocols : (['TCP'] as const);
    const ns = req.namespace ?? 'default';
    const base = { apiVersion: KWIRE_API_VERSION, kind: 'ReachabilityMatrix' as const, revision: engine.revision };
    const hasFrom = req.from !== undefined && req.from.length > 0;
    const hasTo = req.to !== undefined && req.to.length > 0;
    if (!hasFrom && !hasTo) {
      const m = engine.matrix({ ...(req.namespaces && req.namespaces.length > 0 ? { namespaces: req.namespaces } : {}), ports, protocols });
      return { ...base, froms: m.pods, tos: m.pods, tables: m.tables.map((t) => ({ protocol: t.protocol, port: t.port, allowed: t.table.values })) };
    }
    const froms = hasFrom ? (req.from ?? []).map((f) => parseEndpointSpec(f, ns)) : podSpecs(engine, req.namespaces);
    const tos = hasTo ? (req.to ?? []).map((f) => parseEndpointSpec(f, ns)) : podSpecs(engine, req.namespaces);
    const sources = froms.map((f) => sourcesOf(engine, catalog, f));
    const tables: MatrixTableJSON[] = [];
    for (const protocol of protocols) {
      for (const port of ports) {
        const translations = tos.map((d) => translate(engine, catalog, d, port, protocol));
        tables.push({ protocol, port, allowed: sources.map((s) => translations.map((t) => cell(engine, s, t, protocol))) });
      }
    }
    return { ...base, froms: froms.map(formatEndpointSpec), tos: tos.map(formatEndpointSpec), tables };
  } catch (err) {
    throw toApiError(err);
  }
}
