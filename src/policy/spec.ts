/**
 * @module policy/spec
 * Normalise one networking.k8s.io/v1 NetworkPolicy into plain rule data:
 * policyTypes defaulting, peers (pod/namespace selectors or ipBlock), ports
 * (number, range, named, protocol-only), each with its index in the original
 * object so verdicts can point back at `spec.ingress[0].from[1]`.
 *
 * Semantics (kubernetes.io "Network Policies" and the API field docs):
 * - policyTypes absent or empty: Ingress always, Egress when `spec.egress` has
 *   at least one rule. Rules of a type not listed are ignored.
 * - `from`/`to` absent or empty: all peers. `ports` absent or empty: all ports.
 * - A peer with podSelector only selects pods in the policy's namespace; with
 *   namespaceSelector only, all pods of the selected namespaces; with both, the
 *   pods matching podSelector in the selected namespaces (AND). `{}` selects all.
 * - A port's protocol defaults to TCP; `endPort` makes a numeric range.
 *
 * What the API server would refuse (unknown protocol, endPort on a named port,
 * a peer mixing ipBlock and selectors, a bad CIDR...) is not thrown: the piece
 * compiles to "matches nothing" and is recorded in `issues` for explain.
 * No I/O.
 */

import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import { cidrStrictlyWithin, parseCidr, type IpBlockMatcher } from './cidr.js';
import { compileSelector, type CompiledSelector } from './labels.js';
import type { Direction, PolicyRef, Protocol } from './types.js';

export type NormalizedPeer =
  | {
      readonly kind: 'pods';
      readonly index: number;
      readonly podSelector: CompiledSelector;
      /** null: the policy's own namespace only. */
      readonly namespaceSelector: CompiledSelector | null;
    }
  | { readonly kind: 'ipBlock'; readonly index: number; readonly block: IpBlockMatcher }
  | { readonly kind: 'invalid'; readonly index: number; readonly reason: string };

export type NormalizedPort =
  | { readonly kind: 'protocol'; readonly index: number; readonly protocol: Protocol }
  | { readonly kind: 'number'; readonly index: number; readonly protocol: Protocol; readonly port: number }
  | { readonly kind: 'range'; readonly index: number; readonly protocol: Protocol; readonly port: number; readonly endPort: number }
  | { readonly kind: 'named'; readonly index: number; readonly protocol: Protocol; readonly name: string }
  | { readonly kind: 'invalid'; readonly index: number; readonly reason: string };

export interface NormalizedRule {
  readonly direction: Direction;
  readonly index: number;
  /** null: every peer (pods and outside IPs alike). */
  readonly peers: ReadonlyArray<NormalizedPeer> | null;
  /** null: every port of every protocol. */
  readonly ports: ReadonlyArray<NormalizedPort> | null;
}

export interface PolicyIssue {
  /** Field path, e.g. `spec.ingress[0].from[1].ipBlock.cidr`. */
  readonly path: string;
  readonly message: string;
}

export interface NormalizedPolicy {
  readonly ref: PolicyRef;
  /** `namespace/name` */
  readonly key: string;
  /** spec.podSelector (absent is treated as `{}`). */
  readonly subject: CompiledSelector;
  readonly affectsIngress: boolean;
  readonly affectsEgress: boolean;
  /** Rules of the types the policy affects (others are dropped). */
  readonly ingress: ReadonlyArray<NormalizedRule>;
  readonly egress: ReadonlyArray<NormalizedRule>;
  readonly issues: ReadonlyArray<PolicyIssue>;
  /** The object it came from (never mutated). */
  readonly source: NetworkPolicy;
}

export function policyKey(ref: PolicyRef): string {
  return `${ref.namespace}/${ref.name}`;
}

function normalizeProtocol(p: unknown): Protocol | undefined {
  if (p === undefined || p === null) return 'TCP';
  return p === 'TCP' || p === 'UDP' || p === 'SCTP' ? p : undefined;
}

const IANA_SVC_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function normalizePort(p: NetworkPolicyPort, index: number, path: string, issues: PolicyIssue[]): NormalizedPort {
  const bad = (field: string, reason: string): NormalizedPort => {
    issues.push({ path: `${path}.${field}`, message: reason });
    return { kind: 'invalid', index, reason };
  };
  const protocol = normalizeProtocol(p.protocol);
  if (!protocol) return bad('protocol', `Unsupported value: "${String(p.protocol)}": supported values: "SCTP", "TCP", "UDP"`);
  const port: unknown = p.port;
  const endPort: unknown = p.endPort;
  if (port === undefined || port === null) {
    if (endPort !== undefined && endPort !== null) return bad('endPort', 'Required value: may not be specified when `port` is not specified');
    return { kind: 'protocol', index, protocol };
  }
  if (typeof port === 'number') {
    if (!Number.isInteger(port) || port < 1 || port > 65535) return bad('port', `Invalid value: ${port}: must be between 1 and 65535, inclusive`);
    if (endPort === undefined || endPort === null) return { kind: 'number', index, protocol, port };
    if (typeof endPort !== 'number' || !Number.isInteger(endPort) || endPort > 65535) {
      return bad('endPort', `Invalid value: ${String(endPort)}: must be between 1 and 65535, inclusive`);
    }
    if (endPort < port) return bad('endPort', `Invalid value: ${endPort}: must be greater than or equal to \`port\``);
    return { kind: 'range', index, protocol, port, endPort };
  }
  if (typeof port === 'string') {
    if (endPort !== undefined && endPort !== null) return bad('endPort', 'Invalid value: may not be specified when `port` is a named port');
    if (port.length > 15 || !IANA_SVC_NAME.test(port)) return bad('port', `Invalid value: "${port}": must be a valid port name (IANA_SVC_NAME)`);
    return { kind: 'named', index, protocol, name: port };
  }
  return bad('port', `Invalid value: ${JSON.stringify(port)}: must be a number or a port name`);
}

function normalizePeer(p: NetworkPolicyPeer, index: number, path: string, issues: PolicyIssue[]): NormalizedPeer {
  const bad = (field: string, reason: string): NormalizedPeer => {
    issues.push({ path: field ? `${path}.${field}` : path, message: reason });
    return { kind: 'invalid', index, reason };
  };
  const hasPod = p.podSelector !== undefined && p.podSelector !== null;
  const hasNs = p.namespaceSelector !== undefined && p.namespaceSelector !== null;
  const hasIp = p.ipBlock !== undefined && p.ipBlock !== null;
  if (!hasPod && !hasNs && !hasIp) return bad('', 'Required value: must specify a peer');
  if (hasIp && (hasPod || hasNs)) return bad('', 'Forbidden: may not specify more than 1 peer type');
  if (hasIp && p.ipBlock) {
    const cidr = parseCidr(String(p.ipBlock.cidr ?? ''));
    if (!cidr) return bad('ipBlock.cidr', `Invalid value: "${String(p.ipBlock.cidr)}": must be a valid CIDR`);
    const except = [];
    for (const [i, e] of (p.ipBlock.except ?? []).entries()) {
      const c = parseCidr(String(e));
      if (!c) return bad(`ipBlock.except[${i}]`, `Invalid value: "${String(e)}": must be a valid CIDR`);
      if (!cidrStrictlyWithin(c, cidr)) return bad(`ipBlock.except[${i}]`, `Invalid value: "${String(e)}": must be a strict subset of \`cidr\``);
      except.push(c);
    }
    const text = except.length ? `${cidr.text} except ${except.map((e) => e.text).join(',')}` : cidr.text;
    return { kind: 'ipBlock', index, block: { cidr, except, text } };
  }
  const podSelector = compileSelector(hasPod ? p.podSelector : {});
  const namespaceSelector = hasNs ? compileSelector(p.namespaceSelector) : null;
  if (!podSelector.valid) issues.push({ path: `${path}.podSelector`, message: podSelector.error ?? 'invalid selector' });
  if (namespaceSelector && !namespaceSelector.valid) {
    issues.push({ path: `${path}.namespaceSelector`, message: namespaceSelector.error ?? 'invalid selector' });
  }
  return { kind: 'pods', index, podSelector, namespaceSelector };
}

/**
 * A list field, defensively: objects from the wire may hold anything. Not a
 * list -> empty, with an issue. (The element type is what the API declares;
 * each element is checked again where it is read.)
 */
function list<T>(v: unknown, path: string, issues: PolicyIssue[], objects = true): T[] {
  if (v === undefined || v === null) return [];
  // A null element of an object list decodes as the zero value `{}`, as in the API server.
  if (Array.isArray(v)) return v.map((e: unknown) => (objects && (typeof e !== 'object' || e === null) ? {} : e) as T);
  issues.push({ path, message: 'Invalid value: must be a list' });
  return [];
}

/** Normalise a NetworkPolicy. Never throws on policy content. */
export function normalizePolicy(np: NetworkPolicy): NormalizedPolicy {
  const ref: PolicyRef = { namespace: np.metadata?.namespace ?? 'default', name: np.metadata?.name ?? '' };
  const spec = np.spec;
  const issues: PolicyIssue[] = [];
  const subject = compileSelector(spec?.podSelector ?? {});
  if (!subject.valid) issues.push({ path: 'spec.podSelector', message: subject.error ?? 'invalid selector' });

  let affectsIngress: boolean;
  let affectsEgress: boolean;
  const types = list<string>(spec?.policyTypes, 'spec.policyTypes', issues, false);
  if (types.length === 0) {
    affectsIngress = true;
    affectsEgress = (spec?.egress?.length ?? 0) > 0;
  } else {
    affectsIngress = false;
    affectsEgress = false;
    for (const [i, t] of types.entries()) {
      if (t === 'Ingress') affectsIngress = true;
      else if (t === 'Egress') affectsEgress = true;
      else issues.push({ path: `spec.policyTypes[${i}]`, message: `Unsupported value: "${String(t)}": supported values: "Egress", "Ingress"` });
    }
  }

  const rules = (direction: Direction): NormalizedRule[] => {
    const field = direction === 'ingress' ? 'ingress' : 'egress';
    const peerField = direction === 'ingress' ? 'from' : 'to';
    const raw = list<Record<string, unknown>>(direction === 'ingress' ? spec?.ingress : spec?.egress, `spec.${field}`, issues);
    return raw.map((rule, index) => {
      const path = `spec.${field}[${index}]`;
      const rawPeers = list<NetworkPolicyPeer>(rule?.[peerField], `${path}.${peerField}`, issues);
      const rawPorts = list<NetworkPolicyPort>(rule?.ports, `${path}.ports`, issues);
      return {
        direction,
        index,
        peers: rawPeers.length === 0 ? null : rawPeers.map((p, i) => normalizePeer(p, i, `${path}.${peerField}[${i}]`, issues)),
        ports: rawPorts.length === 0 ? null : rawPorts.map((p, i) => normalizePort(p, i, `${path}.ports[${i}]`, issues)),
      };
    });
  };

  return {
    ref,
    key: policyKey(ref),
    subject,
    affectsIngress,
    affectsEgress,
    ingress: affectsIngress ? rules('ingress') : [],
    egress: affectsEgress ? rules('egress') : [],
    issues,
    source: np,
  };
}
