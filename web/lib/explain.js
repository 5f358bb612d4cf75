/**
 * @module web/lib/explain
 * An `Explanation` (GET /kwire/v1/explain) as the "why" panel shows it: the
 * verdict, the Service translation, for each distinct outcome the egress side
 * of the source and the ingress side of the destination (which policies
 * selected it, the rule that admitted the connection or why none did), the
 * engine's own reasoning lines, and the hints. Paths decided alike fold into
 * one, as `kwire explain` prints them. Pure.
 */

/**
 * @typedef {{ namespace: string, name: string }} Ref
 * @typedef {{ policy: Ref, direction: string, ruleIndex: number, peerIndex?: number, portIndex?: number }} RuleRef
 * @typedef {{ direction: 'ingress' | 'egress', pod?: Ref, allowed: boolean, isolated: boolean, reason: string, selectedBy: ReadonlyArray<Ref>, allowedBy: ReadonlyArray<RuleRef> }} DirectionVerdict
 * @typedef {{ allowed: boolean, reason: string, protocol: string, port: number, egress: DirectionVerdict, ingress: DirectionVerdict }} Decision
 * @typedef {{ code: string, message: string, policy?: Ref, path?: string, suggestion?: string }} Hint
 * @typedef {{ from: string, to: string, port: number, verdict: 'allowed' | 'dropped', policies: ReadonlyArray<string>, reason?: string, decision: Decision, lines: ReadonlyArray<string>, hints: ReadonlyArray<Hint> }} ExplainPath
 * @typedef {{ namespace: string, name: string, clusterIP?: string, port: number, protocol: string, portName?: string, targetPort?: number | string, endpoints: ReadonlyArray<{ target: string, ip: string, port: number }> }} ServiceHop
 * @typedef {{ kind: 'Explanation', from: string, to: string, port: number, protocol: string, verdict: 'allowed' | 'dropped' | 'partial' | 'refused', summary: string, service?: ServiceHop, sources?: ReadonlyArray<string>, refused?: string, paths: ReadonlyArray<ExplainPath>, hints: ReadonlyArray<Hint> }} Explanation
 */

/**
 * @typedef {object} SideView
 * @property {string} title   "egress of networking-lab/test-pod"
 * @property {boolean} allowed
 * @property {string[]} selectedBy  policies selecting that side for this direction
 * @property {string} outcome  the rule that admitted it, or why nothing did
 */

/**
 * @typedef {object} PathGroupView
 * @property {string} title
 * @property {'allowed' | 'dropped'} verdict
 * @property {SideView} egress
 * @property {SideView} ingress
 * @property {ReadonlyArray<string>} lines
 * @property {string} [alsoFor]
 */

/**
 * @typedef {object} ExplainView
 * @property {string} verdict
 * @property {string} summary
 * @property {string} [service]
 * @property {string[]} endpoints
 * @property {string} [sources]
 * @property {string} [refused]
 * @property {string[]} deciding  the policies that decided, ns/name
 * @property {PathGroupView[]} groups
 * @property {Array<{ message: string, suggestion?: string, where?: string }>} hints
 */

/** @param {Ref} r */
const refName = (r) => `${r.namespace}/${r.name}`;

/** @param {RuleRef} r */
export function ruleName(r) {
  const dir = r.direction === 'egress' ? 'egress' : 'ingress';
  const peer = r.peerIndex === undefined ? '' : `.${dir === 'egress' ? 'to' : 'from'}[${r.peerIndex}]`;
  const port = r.portIndex === undefined ? '' : `.ports[${r.portIndex}]`;
  return `${refName(r.policy)} spec.${dir}[${r.ruleIndex}]${peer}${port}`;
}

/**
 * @param {DirectionVerdict} v
 * @param {string} who
 * @param {Decision} d
 * @returns {SideView}
 */
function side(v, who, d) {
  const title = `${v.direction} of ${v.pod ? refName(v.pod) : who}`;
  const selectedBy = v.selectedBy.map(refName);
  let outcome;
  switch (v.reason) {
    case 'not-a-pod':
      outcome = 'not a pod: no policy applies to this end';
      break;
    case 'host-network':
      outcome = 'a host-network pod: policies do not apply to it';
      break;
    case 'not-isolated':
      outcome = `no policy selecting it names ${v.direction}: everything is allowed`;
      break;
    case 'allowed-by-rule':
      outcome = `admitted by ${v.allowedBy.map(ruleName).join(', ')}`;
      break;
    case 'no-matching-rule':
      outcome = `no rule admits ${d.protocol}/${d.port}: dropped`;
      break;
    default:
      outcome = v.reason;
  }
  return { title, allowed: v.allowed, selectedBy, outcome };
}

/** @param {ExplainPath} p */
function groupKey(p) {
  const d = p.decision;
  /** @param {ReadonlyArray<Ref>} xs */
  const refs = (xs) => xs.map(refName).join(',');
  return [p.verdict, p.policies.join(','), d.reason, d.egress.reason, refs(d.egress.selectedBy), d.ingress.reason, refs(d.ingress.selectedBy)].join('|');
}

/**
 * @param {Explanation} x
 * @returns {ExplainView}
 */
export function explainView(x) {
  const s = x.service;
  /** @type {Map<string, ExplainPath[]>} */
  const groups = new Map();
  for (const p of x.paths) {
    const k = groupKey(p);
    const g = groups.get(k);
    if (g) g.push(p);
    else groups.set(k, [p]);
  }
  /** @type {PathGroupView[]} */
  const gv = [];
  for (const g of groups.values()) {
    const [first, ...rest] = g;
    if (!first) continue;
    const d = first.decision;
    gv.push({
      title: `${first.from} → ${first.to}:${first.port}`,
      verdict: first.verdict,
      egress: side(d.egress, first.from, d),
      ingress: side(d.ingress, first.to, d),
      lines: first.lines.filter((l) => !l.startsWith('hint: ')),
      ...(rest.length ? { alsoFor: rest.map((p) => `${p.from} → ${p.to}:${p.port}`).join(', ') } : {}),
    });
  }
  const deciding = [...new Set(x.paths.flatMap((p) => p.policies))].sort();
  return {
    verdict: x.verdict,
    summary: x.summary,
    ...(s
      ? {
          service: `svc/${s.namespace}/${s.name}${s.clusterIP ? ` ${s.clusterIP}` : ''}:${s.port}/${s.protocol}${s.portName ? ` (${s.portName})` : ''}${s.targetPort === undefined ? '' : ` → targetPort ${s.targetPort}`}`,
        }
      : {}),
    endpoints: s ? s.endpoints.map((e) => (e.target === e.ip ? `${e.ip}:${e.port}` : `${e.target} (${e.ip}:${e.port})`)) : [],
    ...(x.sources ? { sources: `${x.from} stands for ${x.sources.join(', ')}` } : {}),
    ...(x.refused ? { refused: x.refused } : {}),
    deciding,
    groups: gv,
    hints: x.hints.map((h) => ({
      message: h.message,
      ...(h.suggestion ? { suggestion: h.suggestion } : {}),
      ...(h.policy ? { where: `${refName(h.policy)}${h.path ? ` ${h.path}` : ''}` } : {}),
    })),
  };
}
