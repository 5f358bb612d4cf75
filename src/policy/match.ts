/**
 * @module policy/match
 * The direct, uncompiled meaning of one normalised peer and one normalised
 * port: "does this peer entry select that pod or IP?", "does this port entry
 * admit protocol P port N on that destination pod?". The reference evaluator
 * (naive.ts) and explain's what-if checks are written with these; the compiled
 * engine must agree with them. No I/O.
 */

import { ipBlockContains, type ParsedIP } from './cidr.js';
import { selectorMatches } from './labels.js';
import type { NormalizedPeer, NormalizedPort } from './spec.js';
import type { ContainerPortInfo, Labels, Protocol } from './types.js';

/** A peer candidate: a selectable pod (namespace, its labels, pod labels) and/or an IP. */
export interface PeerCandidate {
  /** Present when the peer is a pod that selectors can select. */
  readonly pod?: { readonly namespace: string; readonly namespaceLabels: Labels; readonly labels: Labels };
  readonly ip?: ParsedIP;
}

/** Does one peer entry of a policy living in `policyNamespace` select the candidate? */
export function peerMatches(peer: NormalizedPeer, policyNamespace: string, c: PeerCandidate): boolean {
  switch (peer.kind) {
    case 'invalid':
      return false;
    case 'ipBlock':
      return c.ip !== undefined && ipBlockContains(peer.block, c.ip);
    case 'pods': {
      if (!c.pod) return false;
      const nsOk = peer.namespaceSelector === null ? c.pod.namespace === policyNamespace : selectorMatches(peer.namespaceSelector, c.pod.namespaceLabels);
      return nsOk && selectorMatches(peer.podSelector, c.pod.labels);
    }
    default: {
      const never: never = peer;
      return never;
    }
  }
}

/**
 * Names of the destination pod's container ports that serve `protocol/port`:
 * what a named policy port must equal to admit the connection. Named ports are
 * always resolved on the destination pod, for ingress and egress rules alike.
 */
export function portNamesFor(ports: ReadonlyArray<ContainerPortInfo>, protocol: Protocol, port: number): string[] {
  const out: string[] = [];
  for (const p of ports) {
    if (p.name && p.containerPort === port && (p.protocol ?? 'TCP') === protocol) out.push(p.name);
  }
  return out;
}

/** Does one port entry admit `protocol/port`, given the destination's port names for it? */
export function portMatches(entry: NormalizedPort, protocol: Protocol, port: number, dstNames: ReadonlyArray<string>): boolean {
  switch (entry.kind) {
    case 'invalid':
      return false;
    case 'protocol':
      return entry.protocol === protocol;
    case 'number':
      return entry.protocol === protocol && entry.port === port;
    case 'range':
      return entry.protocol === protocol && port >= entry.port && port <= entry.endPort;
    case 'named':
      return entry.protocol === protocol && dstNames.includes(entry.name);
    default: {
      const never: never = entry;
      return never;
    }
  }
}
