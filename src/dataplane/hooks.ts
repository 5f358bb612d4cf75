/**
 * @module dataplane/hooks
 * The two pluggable decisions on the connect path, as interfaces with their
 * contracts, plus the defaults (identity translation, allow-all policy).
 *
 * ```
 *   connect / sendUdp (src, dst as dialled)
 *        |
 *        v
 *   Translator.translate ---- 'reject' ----> refused (ECONNREFUSED at once)
 *        |               `--- 'drop' ------> dropped (caller times out)
 *        | forward: endpoint dst, optional SNAT, service
 *        v
 *   PolicyHook.decide(src, snat, endpoint) -- 'drop' --> dropped (caller times out)
 *        | allow
 *        v
 *   address ownership / listener lookup (in the network, not a hook)
 * ```
 *
 * The service proxy (kube-proxy's role) implements `Translator`; the
 * NetworkPolicy engine implements `PolicyHook`. Neither does I/O here.
 */
import type { Address, Peer, Protocol, ServiceRef } from './types.js';

/** What the network asks the service proxy about one new flow. */
export interface TranslateRequest {
  readonly protocol: Protocol;
  /** The sender, with its owner when the IP is registered. */
  readonly src: Peer;
  /** The destination as dialled (a ClusterIP:port, or already a pod IP:port). */
  readonly dst: Address;
}

/** The source rewrite a translation may ask for (kube-proxy's masquerade). */
export interface Snat {
  /** The source IP the destination will see, e.g. a node's InternalIP. */
  readonly ip: string;
  /** The source port; omitted = the network picks an ephemeral port on `ip`. */
  readonly port?: number;
}

/** The service proxy's answer. */
export type TranslateResult =
  /** Send the flow to `dst` (the chosen endpoint), optionally rewriting the source. */
  | {
      readonly kind: 'forward';
      readonly dst: Address;
      readonly service?: ServiceRef;
      readonly snat?: Snat;
    }
  /** kube-proxy's REJECT: a Service with no ready endpoints. The caller gets ECONNREFUSED at once. */
  | { readonly kind: 'reject'; readonly service?: ServiceRef; readonly reason: string }
  /** kube-proxy's DROP (e.g. `externalTrafficPolicy: Local` with no local endpoint): the caller times out. */
  | { readonly kind: 'drop'; readonly service?: ServiceRef; readonly reason: string };

/**
 * Service VIP translation (DNAT, and SNAT where the proxy masquerades).
 *
 * Contract:
 * - Called once per TCP connection attempt and once per new UDP flow, before policy.
 * - Synchronous and cheap: it runs on the connect path. It may keep state
 *   (round-robin position, session affinity) but must not do I/O.
 * - Return `undefined` when `dst` is not a virtual IP it owns: the flow goes on to
 *   `dst` unchanged. Returning `{ kind: 'forward', dst: req.dst }` means the same.
 * - Throwing is a bug in the hook: the attempt fails with that error and its flow
 *   record has verdict `'error'`.
 */
export interface Translator {
  translate(req: TranslateRequest): TranslateResult | undefined;
  /**
   * Optional: whether `ip` is an address on the node network the proxy answers
   * for on some port, besides the node IPs themselves (which the network knows
   * as registered to nodes): a LoadBalancer ingress IP. kwire's node network
   * lies in 127.0.0.0/8, so this is how a pod dialling such an address is told
   * apart from one dialling its own loopback (node-network.ts). Synchronous,
   * cheap, no I/O; absent means no such address.
   */
  isServiceNodeAddress?(ip: string): boolean;
}

/** What the network asks the policy engine about one new flow, after translation. */
export interface PolicyRequest {
  readonly protocol: Protocol;
  /** The originating workload (before SNAT): egress policy is judged for `src.owner`. */
  readonly src: Peer;
  /**
   * The source the destination will see when the translation SNATed: ingress
   * policy is judged with this peer. `port` is 0 when the network has yet to pick it.
   */
  readonly snat?: Peer;
  /** The destination after translation (the endpoint); `owner` absent when nobody owns the IP. */
  readonly dst: Peer;
  /** The Service the flow was dialled through, if any. */
  readonly service?: ServiceRef;
}

/** The policy engine's answer. `policies` name the deciding policies as `namespace/name`. */
export type PolicyVerdict =
  | { readonly verdict: 'allow'; readonly policies: ReadonlyArray<string> }
  | { readonly verdict: 'drop'; readonly policies: ReadonlyArray<string>; readonly reason?: string };

/**
 * NetworkPolicy enforcement: egress of the source pod AND ingress of the
 * destination pod, on the post-translation IP and port.
 *
 * Contract:
 * - Called once per TCP connection attempt and once per new UDP flow (replies on
 *   an admitted flow are never re-judged, as conntrack does).
 * - Synchronous, pure with respect to its compiled state, no I/O.
 * - `drop` behaves like a lost packet: the caller waits out its own timeout.
 *   `policies` lists the policies that isolated the pod without admitting the
 *   flow (for `allow`, the ones that admitted it; empty when not isolated).
 * - Throwing is a bug in the hook: the attempt fails with that error, verdict `'error'`.
 */
export interface PolicyHook {
  decide(req: PolicyRequest): PolicyVerdict;
}

const NO_POLICIES: ReadonlyArray<string> = Object.freeze([]);
const ALLOW: PolicyVerdict = Object.freeze({ verdict: 'allow', policies: NO_POLICIES });

/** The default translator: nothing is a virtual IP. */
export const identityTranslator: Translator = Object.freeze({
  translate(): TranslateResult | undefined {
    return undefined;
  },
});

/** The default policy: no pod is isolated, everything is allowed. */
export const allowAllPolicy: PolicyHook = Object.freeze({
  decide(): PolicyVerdict {
    return ALLOW;
  },
});
