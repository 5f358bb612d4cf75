/**
 * @module policy/types
 * The policy engine's plain-data vocabulary: what callers feed in (namespaces,
 * pods, node IPs; NetworkPolicies stay kubernetes-types objects) and what comes
 * back (decisions, verdicts, rule references). Data only: no logic, no I/O.
 * Everything returned by the engine is JSON-serialisable.
 */

import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';

/** The label the API server puts on every namespace: its name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** A transport protocol NetworkPolicy can name. An absent protocol means TCP. */
export type Protocol = 'TCP' | 'UDP' | 'SCTP';

/** The protocols in their canonical order (used for sorting and rendering). */
export const PROTOCOLS: ReadonlyArray<Protocol> = ['TCP', 'UDP', 'SCTP'];

/** A label map, as in `metadata.labels`. */
export type Labels = Readonly<Record<string, string>>;

/** A namespace as the engine sees it: its name and its labels. */
export interface NamespaceInfo {
  /** metadata.name */
  readonly name: string;
  /**
   * metadata.labels. The API server always adds `kubernetes.io/metadata.name`;
   * the engine does not add it for you (the offline loader does).
   */
  readonly labels: Labels;
}

/** One declared container port (`spec.containers[].ports[]`). */
export interface ContainerPortInfo {
  /** ports[].name: what a named NetworkPolicy port resolves against. */
  readonly name?: string;
  /** ports[].containerPort */
  readonly containerPort: number;
  /** ports[].protocol, default TCP. */
  readonly protocol?: Protocol;
}

/** A pod as the engine sees it. */
export interface PodInfo {
  /** metadata.namespace */
  readonly namespace: string;
  /** metadata.name */
  readonly name: string;
  /** metadata.labels */
  readonly labels: Labels;
  /** status.podIP; a pod without one can still be selected, but no ipBlock matches it. */
  readonly ip?: string;
  /** status.hostIP: the IP of the node it runs on (traffic from it is always allowed in). */
  readonly nodeIP?: string;
  /** spec.nodeName (informational; explain prints it). */
  readonly nodeName?: string;
  /**
   * spec.hostNetwork. A host-network pod shares its node's network namespace:
   * policies never isolate it, and as a peer it is node traffic (only ipBlock
   * matches it), which is what most CNIs do.
   */
  readonly hostNetwork?: boolean;
  /** All declared container ports of all containers (named ports resolve here). */
  readonly ports: ReadonlyArray<ContainerPortInfo>;
}

/** A node: its name and InternalIP (traffic from it is host-network traffic). */
export interface NodeInfo {
  readonly name: string;
  readonly ip: string;
}

/** A reference to a pod by namespace and name. */
export interface PodRef {
  readonly namespace: string;
  readonly name: string;
}

/** A reference to a NetworkPolicy. */
export interface PolicyRef {
  readonly namespace: string;
  readonly name: string;
}

/**
 * One end of a connection. `ip` endpoints that equal a known (non host-network)
 * pod's IP are treated as that pod; any other IP is outside the pod network
 * (an external client, a node, a host-network pod) and only ipBlock matches it.
 */
export type Endpoint =
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'ip'; readonly ip: string };

/** A connection attempt, judged after Service translation (pod IP and target port). */
export interface DecideQuery {
  readonly src: Endpoint;
  readonly dst: Endpoint;
  /** Destination port after translation (the pod's port, not the Service's). */
  readonly port: number;
  /** Default TCP. */
  readonly protocol?: Protocol;
  /**
   * The source the destination sees when the Service translation SNATed
   * (kube-proxy masquerade: a node IP). Ingress is judged with it; egress is
   * always judged for `src`. Absent: the destination sees `src`.
   */
  readonly snat?: Endpoint;
}

export type Direction = 'ingress' | 'egress';

/** Which rule (and which peer and port entry of it) admitted a connection. */
export interface RuleRef {
  readonly policy: PolicyRef;
  readonly direction: Direction;
  /** Index into spec.ingress / spec.egress. */
  readonly ruleIndex: number;
  /** Index into from/to; absent when the rule has no peers (all peers). */
  readonly peerIndex?: number;
  /** Index into ports; absent when the rule has no ports (all ports). */
  readonly portIndex?: number;
}

/**
 * Why a direction decided as it did.
 * - `not-a-pod`: this end is not a pod (external IP, node), so no policy applies.
 * - `host-network`: this end is a host-network pod; policies do not apply to it.
 * - `not-isolated`: no policy selecting the pod names this direction.
 * - `allowed-by-rule`: isolated, and at least one rule admits the connection.
 * - `no-matching-rule`: isolated, and no rule admits it: dropped.
 */
export type DirectionReason = 'not-a-pod' | 'host-network' | 'not-isolated' | 'allowed-by-rule' | 'no-matching-rule';

/** The verdict of one direction (egress of the source, or ingress of the destination). */
export interface DirectionVerdict {
  readonly direction: Direction;
  /** The pod this direction belongs to, when that end is a pod. */
  readonly pod?: PodRef;
  readonly allowed: boolean;
  readonly isolated: boolean;
  readonly reason: DirectionReason;
  /** Policies that select the pod AND name this direction in policyTypes (sorted). */
  readonly selectedBy: ReadonlyArray<PolicyRef>;
  /** Every rule that admits the connection (sorted); empty when none does. */
  readonly allowedBy: ReadonlyArray<RuleRef>;
}

/**
 * Why the connection as a whole decided as it did.
 * - `policy`: egress AND ingress verdicts decided it.
 * - `loopback`: a pod talking to itself: a pod cannot block access to itself.
 * - `node-local`: allowed because traffic between a pod and the node it runs on
 *   bypasses policy (a direction that policy alone would drop).
 */
export type DecisionReason = 'policy' | 'loopback' | 'node-local';

/** The answer to `decide`. */
export interface Decision {
  readonly allowed: boolean;
  readonly reason: DecisionReason;
  readonly protocol: Protocol;
  readonly port: number;
  readonly src: ResolvedEndpoint;
  /** The source the destination saw, when the query gave one (SNAT). */
  readonly snat?: ResolvedEndpoint;
  readonly dst: ResolvedEndpoint;
  readonly egress: DirectionVerdict;
  readonly ingress: DirectionVerdict;
  /** The engine revision the decision was taken at. */
  readonly revision: number;
}

/** An endpoint after resolution (an IP that belonged to a pod becomes that pod). */
export type ResolvedEndpoint =
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string; readonly ip?: string; readonly hostNetwork?: boolean }
  | { readonly kind: 'ip'; readonly ip: string; readonly node?: string };

/** The whole input of an engine, as plain data (what the offline loader builds). */
export interface ClusterModel {
  readonly namespaces: ReadonlyArray<NamespaceInfo>;
  readonly pods: ReadonlyArray<PodInfo>;
  readonly policies: ReadonlyArray<NetworkPolicy>;
  readonly nodes?: ReadonlyArray<NodeInfo>;
}

/** Engine behaviour switches; the defaults follow the Kubernetes documentation. */
export interface EngineOptions {
  /**
   * A pod connecting to itself is always allowed ("a pod cannot block access to
   * itself", kubernetes.io network-policies). Default true.
   */
  readonly allowLoopback?: boolean;
  /**
   * Traffic between a pod and the node it runs on (its `nodeIP`) is always
   * allowed ("traffic to and from the node where a Pod is running is always
   * allowed"). Default true. When false, node traffic is judged like any other
   * outside IP (only ipBlock matches it).
   */
  readonly allowNodeLocal?: boolean;
}
