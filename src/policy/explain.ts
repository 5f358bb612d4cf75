/**
 * @module policy/explain
 * Why a connection is allowed or dropped, for people: the engine's Decision,
 * human-readable lines (the connection, the Service translation the caller
 * did, each direction's policies and, for a drop, why each of their rules
 * misses), and hints for the usual mistakes:
 *
 *   namespace-selector-matches-nothing  e.g. `name: ingress-nginx` where the
 *                                       namespace only carries
 *                                       kubernetes.io/metadata.name
 *   pod-selector-matches-nothing        a policy or peer podSelector that
 *                                       selects no pod
 *   no-dns-egress                       egress isolation with no rule letting
 *                                       the pod reach kube-dns on 53/UDP
 *   policy-port-is-service-port         a policy port equal to a Service port
 *                                       but to no container port (policies see
 *                                       the translated targetPort)
 *   policy-invalid                      parts the API server would refuse
 *
 * Reads the engine; rule-by-rule analysis uses the direct semantics of
 * match.ts (this is not a hot path). No I/O.
 */

import { parseIP } from './cidr.js';
import type { PolicyEngine } from './engine.js';
import { formatSelector, selectorMatches, type CompiledSelector } from './labels.js';
import { peerMatches, portMatches, portNamesFor, type PeerCandidate } from './match.js';
import type { NormalizedPeer, NormalizedPolicy, NormalizedPort, NormalizedRule } from './spec.js';
import { NAMESPACE_NAME_LABEL, type Decision, type DecideQuery, type Direction, type DirectionVerdict, type PodInfo, type PolicyRef, type Protocol, type ResolvedEndpoint, type RuleRef } from './types.js';

/** One port of a Service, as the caller's proxy saw it. */
export interface ServicePortMapping {
  readonly name?: string;
  readonly port: number;
  /** A number, or a container port name resolved on each backend. Default: `port`. */
  readonly targetPort?: number | string;
  /** Default TCP. */
  readonly protocol?: Protocol;
}

/** The Service translation the caller performed before asking (VIP:port -> pod:targetPort). */
export interface ServiceTranslation {
  readonly namespace: string;
  readonly name: string;
  readonly clusterIP?: string;
  /** The Service port the client connected to. */
  readonly port: number;
  /** All ports of the Service (for the policy-port hint). */
  readonly ports: ReadonlyArray<ServicePortMapping>;
}

export interface ExplainQuery extends DecideQuery {
  readonly service?: ServiceTranslation;
}

export type HintCode = 'namespace-selector-matches-nothing' | 'pod-selector-matches-nothing' | 'no-dns-egress' | 'policy-port-is-service-port' | 'policy-invalid';

export interface Hint {
  readonly code: HintCode;
  readonly message: string;
  readonly policy?: PolicyRef;
  /** Field path inside the policy, e.g. `spec.ingress[0].from[0].namespaceSelector`. */
  readonly path?: string;
  /** What to write instead, when there is a clear fix. */
  readonly suggestion?: string;
}

export interface Explanation {
  readonly decision: Decision;
  readonly lines: ReadonlyArray<string>;
  readonly hints: ReadonlyArray<Hint>;
}

const refText = (r: PolicyRef): string => `${r.namespace}/${r.name}`;

function endpointText(e: ResolvedEndpoint): string {
  if (e.kind === 'pod') return `${e.namespace}/${e.name}${e.ip ? ` (${e.ip})` : ''}${e.hostNetwork ? ' [host network]' : ''}`;
  return e.node ? `${e.ip} (node ${e.node}, host network)` : `${e.ip} (outside the pod network)`;
}

function ruleRefText(r: RuleRef): string {
  const parts: string[] = [];
  const peerField = r.direction === 'ingress' ? 'from' : 'to';
  parts.push(r.peerIndex === undefined ? `any ${r.direction === 'ingress' ? 'source' : 'destination'}` : `${peerField}[${r.peerIndex}]`);
  parts.push(r.portIndex === undefined ? 'any port' : `ports[${r.portIndex}]`);
  return `${refText(r.policy)} ${r.direction}[${r.ruleIndex}] (${parts.join(', ')})`;
}

function selectorText(s: CompiledSelector): string {
  return formatSelector(s);
}

export function peerText(p: NormalizedPeer, policyNamespace: string): string {
  switch (p.kind) {
    case 'invalid':
      return `invalid peer (${p.reason})`;
    case 'ipBlock':
      return `ipBlock ${p.block.text}`;
    case 'pods':
      return p.namespaceSelector === null
        ? `pods ${selectorText(p.podSelector)} in namespace ${policyNamespace}`
        : `pods ${selectorText(p.podSelector)} in namespaces ${selectorText(p.namespaceSelector)}`;
    default: {
      const never: never = p;
      return String(never);
    }
  }
}

export function portText(p: NormalizedPort): string {
  switch (p.kind) {
    case 'invalid':
      return `invalid port (${p.reason})`;
    case 'protocol':
      return `${p.protocol} (any port)`;
    case 'number':
      return `${p.protocol}/${p.port}`;
    case 'range':
      return `${p.protocol}/${p.port}-${p.endPort}`;
    case 'named':
      return `${p.protocol}/${p.name} (named)`;
    default: {
      const never: never = p;
      return String(never);
    }
  }
}

function candidateOf(engine: PolicyEngine, e: ResolvedEndpoint): PeerCandidate {
  const ip = e.ip ? parseIP(e.ip) : undefined;
  if (e.kind === 'ip' || e.hostNetwork) return ip ? { ip } : {};
  const pod = engine.getPod(e);
  if (!pod) return ip ? { ip } : {};
  return { pod: { namespace: pod.namespace, namespaceLabels: engine.namespaceLabels(pod.namespace), labels: pod.labels }, ...(ip ? { ip } : {}) };
}

function rulesOf(p: NormalizedPolicy, d: Direction): ReadonlyArray<NormalizedRule> {
  return d === 'ingress' ? p.ingress : p.egress;
}

/** Why each rule of the isolating policies misses (only for a dropped direction). */
function whyNot(engine: PolicyEngine, v: DirectionVerdict, peer: PeerCandidate, peerLabel: string, protocol: Protocol, port: number, dstNames: ReadonlyArray<string>): string[] {
  const lines: string[] = [];
  for (const ref of v.selectedBy) {
    const p = engine.getPolicy(ref);
    if (!p) continue;
    const rules = rulesOf(p, v.direction);
    if (rules.length === 0) {
      lines.push(`    ${refText(ref)}: has no ${v.direction} rules (it only isolates)`);
      continue;
    }
    for (const r of rules) {
      const peerField = v.direction === 'ingress' ? 'from' : 'to';
      const peerOk = r.peers === null || r.peers.some((x) => peerMatches(x, p.ref.namespace, peer));
      const portOk = r.ports === null || r.ports.some((x) => portMatches(x, protocol, port, dstNames));
      const peers = r.peers === null ? `any ${v.direction === 'ingress' ? 'source' : 'destination'}` : r.peers.map((x) => peerText(x, p.ref.namespace)).join(' OR ');
      const ports = r.ports === null ? 'any port' : r.ports.map(portText).join(', ');
      const why: string[] = [];
      if (!peerOk) why.push(`${peerField} does not match ${peerLabel}`);
      if (!portOk) why.push(`ports do not include ${protocol}/${port}`);
      lines.push(`    ${refText(ref)} ${v.direction}[${r.index}]: ${peerField} ${peers}; ports ${ports} -> ${why.length ? why.join('; ') : 'matches'}`);
    }
  }
  return lines;
}

function directionLines(
  engine: PolicyEngine,
  v: DirectionVerdict,
  peer: PeerCandidate,
  peerLabel: string,
  protocol: Protocol,
  port: number,
  dstNames: ReadonlyArray<string>,
  bypassed: boolean,
): string[] {
  const who = v.pod ? `${v.pod.namespace}/${v.pod.name}` : '';
  const head = `${v.direction} of ${who}`;
  switch (v.reason) {
    case 'not-a-pod':
      return [`${v.direction}: not a pod, no policy applies`];
    case 'host-network':
      return [`${head}: host-network pod, policies do not apply`];
    case 'not-isolated':
      return [`${head}: not isolated (no policy selecting it has policyTypes ${v.direction === 'ingress' ? 'Ingress' : 'Egress'}): allowed`];
    case 'allowed-by-rule':
      return [`${head}: isolated by ${v.selectedBy.map(refText).join(', ')}; allowed by ${v.allowedBy.map(ruleRefText).join('; ')}`];
    case 'no-matching-rule':
      return [
        `${head}: isolated by ${v.selectedBy.map(refText).join(', ')}; no rule admits ${protocol}/${port} ${v.direction === 'ingress' ? 'from' : 'to'} ${peerLabel}: ${bypassed ? 'would be dropped, but this traffic bypasses policy' : 'DROPPED'}`,
        ...whyNot(engine, v, peer, peerLabel, protocol, port, dstNames),
      ];
    default: {
      const never: never = v.reason;
      return [String(never)];
    }
  }
}

function relevant(engine: PolicyEngine, d: Decision): Array<{ policy: NormalizedPolicy; direction: Direction }> {
  const out: Array<{ policy: NormalizedPolicy; direction: Direction }> = [];
  for (const v of [d.egress, d.ingress]) {
    for (const ref of v.selectedBy) {
      const p = engine.getPolicy(ref);
      if (p) out.push({ policy: p, direction: v.direction });
    }
  }
  return out;
}

/** Distinct values of the selector's keys among the given label sets (for suggestions). */
function valuesOfKeys(sel: CompiledSelector, labelSets: ReadonlyArray<Readonly<Record<string, string>>>): string[] {
  const out = new Set<string>();
  for (const r of sel.requirements) for (const l of labelSets) if (l[r.key] !== undefined) out.add(`${r.key}=${l[r.key]}`);
  return [...out].sort().slice(0, 8);
}

function namespaceSelectorHint(engine: PolicyEngine, p: NormalizedPolicy, path: string, sel: CompiledSelector): Hint | undefined {
  const namespaces = engine.listNamespaces();
  if (!sel.valid || namespaces.some((n) => selectorMatches(sel, n.labels))) return undefined;
  const base = `${refText(p.ref)} ${path} (${selectorText(sel)}) matches no namespace.`;
  for (const r of sel.requirements) {
    if (r.operator !== 'In' || r.key === NAMESPACE_NAME_LABEL) continue;
    const named = r.values.filter((v) => namespaces.some((n) => n.name === v));
    if (named.length === 0) continue;
    const ns = namespaces.find((n) => n.name === named[0]);
    const has = ns ? Object.entries(ns.labels).map(([k, v]) => `${k}=${v}`).join(', ') : '';
    const suggestion =
      named.length === 1 ? `namespaceSelector: { matchLabels: { ${NAMESPACE_NAME_LABEL}: ${named[0]} } }` : `namespaceSelector: { matchExpressions: [{ key: ${NAMESPACE_NAME_LABEL}, operator: In, values: [${named.join(', ')}] }] }`;
    return {
      code: 'namespace-selector-matches-nothing',
      policy: p.ref,
      path,
      message: `${base} Namespace "${named[0]}" exists but has no label ${r.key}=${named[0]} (its labels: ${has || 'none'}). Every namespace carries ${NAMESPACE_NAME_LABEL}=<its name>; select on that.`,
      suggestion,
    };
  }
  const present = valuesOfKeys(sel, namespaces.map((n) => n.labels));
  return {
    code: 'namespace-selector-matches-nothing',
    policy: p.ref,
    path,
    message: `${base}${present.length ? ` Namespaces carry: ${present.join(', ')}.` : ' No namespace has the labels it asks for.'} To select a namespace by name use ${NAMESPACE_NAME_LABEL}.`,
  };
}

function podsIn(engine: PolicyEngine, nsFilter: (ns: string) => boolean): PodInfo[] {
  return engine.listPods().filter((p) => !p.hostNetwork && nsFilter(p.namespace));
}

function selectorHints(engine: PolicyEngine, d: Decision): Hint[] {
  const hints: Hint[] = [];
  const seen = new Set<string>();
  const push = (h: Hint | undefined): void => {
    if (!h) return;
    const k = `${h.code}|${h.policy ? refText(h.policy) : ''}|${h.path ?? ''}`;
    if (seen.has(k)) return;
    seen.add(k);
    hints.push(h);
  };
  for (const { policy: p, direction } of relevant(engine, d)) {
    for (const r of rulesOf(p, direction)) {
      for (const peer of r.peers ?? []) {
        if (peer.kind !== 'pods') continue;
        const path = `spec.${direction}[${r.index}].${direction === 'ingress' ? 'from' : 'to'}[${peer.index}]`;
        if (peer.namespaceSelector !== null) {
          const h = namespaceSelectorHint(engine, p, `${path}.namespaceSelector`, peer.namespaceSelector);
          if (h) {
            push(h);
            continue;
          }
        }
        if (peer.podSelector.matchesAll || !peer.podSelector.valid) continue;
        const nsSel = peer.namespaceSelector;
        const scope = podsIn(engine, (ns) => (nsSel === null ? ns === p.ref.namespace : selectorMatches(nsSel, engine.namespaceLabels(ns))));
        if (scope.some((pod) => selectorMatches(peer.podSelector, pod.labels))) continue;
        const present = valuesOfKeys(peer.podSelector, scope.map((x) => x.labels));
        push({
          code: 'pod-selector-matches-nothing',
          policy: p.ref,
          path: `${path}.podSelector`,
          message: `${refText(p.ref)} ${path}.podSelector (${selectorText(peer.podSelector)}) selects no pod ${nsSel === null ? `in namespace ${p.ref.namespace}` : 'in the namespaces it selects'}.${present.length ? ` Pods there carry: ${present.join(', ')}.` : ''}`,
        });
      }
    }
  }
  // Policies in the namespaces involved that select no pod at all (a typo in spec.podSelector).
  const namespaces = new Set<string>();
  for (const e of [d.src, d.dst]) if (e.kind === 'pod') namespaces.add(e.namespace);
  for (const p of engine.listPolicies()) {
    if (!namespaces.has(p.ref.namespace) || p.subject.matchesAll || !p.subject.valid) continue;
    if (engine.podsSelectedBy(p.ref).length > 0) continue;
    const present = valuesOfKeys(p.subject, podsIn(engine, (ns) => ns === p.ref.namespace).map((x) => x.labels));
    push({
      code: 'pod-selector-matches-nothing',
      policy: p.ref,
      path: 'spec.podSelector',
      message: `${refText(p.ref)} spec.podSelector (${selectorText(p.subject)}) selects no pod in namespace ${p.ref.namespace}, so it applies to nothing.${present.length ? ` Pods there carry: ${present.join(', ')}.` : ''}`,
    });
  }
  return hints;
}

const DNS_NAMESPACE = 'kube-system';
const DNS_LABELS = { 'k8s-app': 'kube-dns' } as const;

function dnsHint(engine: PolicyEngine, d: Decision): Hint | undefined {
  if (d.src.kind !== 'pod' || !d.egress.isolated) return undefined;
  const src = d.src;
  if (src.namespace === DNS_NAMESPACE && engine.getPod(src)?.labels['k8s-app'] === 'kube-dns') return undefined;
  const real = podsIn(engine, (ns) => ns === DNS_NAMESPACE).filter((p) => p.labels['k8s-app'] === 'kube-dns');
  const targets: Array<{ cand: PeerCandidate; ports: PodInfo['ports'] }> = real.length
    ? real.map((p) => {
        const ip = p.ip ? parseIP(p.ip) : undefined;
        return { cand: { pod: { namespace: p.namespace, namespaceLabels: engine.namespaceLabels(p.namespace), labels: p.labels }, ...(ip ? { ip } : {}) }, ports: p.ports };
      })
    : [
        {
          cand: { pod: { namespace: DNS_NAMESPACE, namespaceLabels: engine.namespaceLabels(DNS_NAMESPACE), labels: DNS_LABELS } },
          ports: [
            { name: 'dns', containerPort: 53, protocol: 'UDP' },
            { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
          ],
        },
      ];
  const policies = d.egress.selectedBy.map((r) => engine.getPolicy(r)).filter((p): p is NormalizedPolicy => p !== undefined);
  const allows = (protocol: Protocol): boolean =>
    targets.some((t) =>
      policies.some((p) =>
        p.egress.some(
          (r) =>
            (r.peers === null || r.peers.some((x) => peerMatches(x, p.ref.namespace, t.cand))) &&
            (r.ports === null || r.ports.some((x) => portMatches(x, protocol, 53, portNamesFor(t.ports, protocol, 53)))),
        ),
      ),
    );
  if (allows('UDP')) return undefined;
  const tcp = allows('TCP');
  return {
    code: 'no-dns-egress',
    message:
      `${src.namespace}/${src.name} is egress-isolated by ${d.egress.selectedBy.map(refText).join(', ')} and no egress rule lets it reach kube-dns ` +
      `(pods k8s-app=kube-dns in ${DNS_NAMESPACE}) on 53/UDP${tcp ? '' : ' or 53/TCP'}, so name lookups (Service names) time out before any connection is tried.`,
    suggestion: `egress: [{ to: [{ namespaceSelector: { matchLabels: { ${NAMESPACE_NAME_LABEL}: ${DNS_NAMESPACE} } }, podSelector: { matchLabels: { k8s-app: kube-dns } } }], ports: [{ protocol: UDP, port: 53 }, { protocol: TCP, port: 53 }] }]`,
  };
}

function resolveTarget(sp: ServicePortMapping, dst: PodInfo | undefined): number | undefined {
  const t = sp.targetPort ?? sp.port;
  if (typeof t === 'number') return t;
  const proto = sp.protocol ?? 'TCP';
  return dst?.ports.find((p) => p.name === t && (p.protocol ?? 'TCP') === proto)?.containerPort;
}

function servicePortHints(engine: PolicyEngine, d: Decision, svc: ServiceTranslation | undefined): Hint[] {
  if (!svc) return [];
  const dst = d.dst.kind === 'pod' ? engine.getPod(d.dst) : undefined;
  const hints: Hint[] = [];
  for (const { policy: p, direction } of relevant(engine, d)) {
    const podPorts = direction === 'ingress' ? engine.podsSelectedBy(p.ref).flatMap((x) => x.ports) : dst?.ports ?? [];
    for (const r of rulesOf(p, direction)) {
      for (const port of r.ports ?? []) {
        if (port.kind !== 'number' && port.kind !== 'range') continue;
        for (const sp of svc.ports) {
          const proto = sp.protocol ?? 'TCP';
          const target = resolveTarget(sp, dst);
          const inPolicy = port.protocol === proto && (port.kind === 'number' ? port.port === sp.port : sp.port >= port.port && sp.port <= port.endPort);
          if (!inPolicy || target === undefined || target === sp.port) continue;
          const onPod = (n: number): boolean => podPorts.some((cp) => cp.containerPort === n && (cp.protocol ?? 'TCP') === proto);
          const coversTarget = port.kind === 'number' ? port.port === target : target >= port.port && target <= port.endPort;
          if (onPod(sp.port) || coversTarget) continue;
          const path = `spec.${direction}[${r.index}].ports[${port.index}]`;
          hints.push({
            code: 'policy-port-is-service-port',
            policy: p.ref,
            path,
            message:
              `${refText(p.ref)} ${path} allows ${portText(port)}, which is the port of Service ${svc.namespace}/${svc.name}, not a port of the pods. ` +
              `Policies are judged after the Service translation, on the pod's port: ${proto}/${target}${typeof sp.targetPort === 'string' ? ` (targetPort "${sp.targetPort}")` : ''}.`,
            suggestion: `ports: [{ protocol: ${proto}, port: ${typeof sp.targetPort === 'string' ? sp.targetPort : target} }]`,
          });
        }
      }
    }
  }
  return hints;
}

function invalidHints(engine: PolicyEngine, d: Decision): Hint[] {
  const out: Hint[] = [];
  const seen = new Set<string>();
  for (const { policy: p } of relevant(engine, d)) {
    if (seen.has(p.key)) continue;
    seen.add(p.key);
    for (const i of p.issues) {
      out.push({ code: 'policy-invalid', policy: p.ref, path: i.path, message: `${refText(p.ref)} ${i.path}: ${i.message} (the API server would refuse this; kwire treats it as matching nothing)` });
    }
  }
  return out;
}

/** Decide and explain one connection. */
export function explainConnection(engine: PolicyEngine, q: ExplainQuery): Explanation {
  const d = engine.decide(q);
  const lines: string[] = [];
  lines.push(`connection: ${d.protocol} ${endpointText(d.src)} -> ${endpointText(d.dst)} port ${d.port}`);
  if (q.service) {
    const s = q.service;
    lines.push(`service: ${s.namespace}/${s.name}${s.clusterIP ? ` ${s.clusterIP}` : ''}:${s.port}/${d.protocol} -> pod port ${d.port} (policies see the pod port)`);
  }
  if (d.src.kind === 'ip' && d.src.node) lines.push(`source ${d.src.ip} is node ${d.src.node}: host-network traffic; only ipBlock peers can match it`);
  else if (d.src.kind === 'ip') lines.push(`source ${d.src.ip} is outside the pod network; only ipBlock peers (or rules with no peers) can match it`);
  if (d.snat) lines.push(`source NATed to ${endpointText(d.snat)}: ingress is judged on that address, egress on the real source`);
  const seen = d.snat ?? d.src;
  const dstNames = d.dst.kind === 'pod' ? portNamesFor(engine.getPod(d.dst)?.ports ?? [], d.protocol, d.port) : [];
  const srcLabel = seen.kind === 'pod' ? `${seen.namespace}/${seen.name}` : seen.ip;
  const dstLabel = d.dst.kind === 'pod' ? `${d.dst.namespace}/${d.dst.name}` : d.dst.ip;
  const bypassed = d.reason !== 'policy';
  lines.push(...directionLines(engine, d.egress, candidateOf(engine, d.dst), dstLabel, d.protocol, d.port, dstNames, bypassed));
  lines.push(...directionLines(engine, d.ingress, candidateOf(engine, seen), srcLabel, d.protocol, d.port, dstNames, bypassed));
  switch (d.reason) {
    case 'loopback':
      lines.push('verdict: ALLOWED (a pod cannot block traffic to itself)');
      break;
    case 'node-local':
      lines.push('verdict: ALLOWED (traffic between a pod and its own node bypasses policy)');
      break;
    case 'policy':
      lines.push(d.allowed ? 'verdict: ALLOWED' : 'verdict: DROPPED (the client waits out its own timeout)');
      break;
    default: {
      const never: never = d.reason;
      lines.push(String(never));
    }
  }
  const dns = dnsHint(engine, d);
  const hints = [...selectorHints(engine, d), ...(dns ? [dns] : []), ...servicePortHints(engine, d, q.service), ...invalidHints(engine, d)];
  for (const h of hints) lines.push(`hint: ${h.message}${h.suggestion ? ` Try: ${h.suggestion}` : ''}`);
  return { decision: d, lines, hints };
}
