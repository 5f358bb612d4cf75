/**
 * @module dataplane/service-proxy/types
 * Plain data of the service proxy: what it is asked (`ResolveRequest`), what it
 * answers (`ResolveResult`), the listeners the node side must open, and the
 * folded per-port state it keeps (`ServicePortInfo`, `EndpointInfo`). Data
 * only; behaviour lives in the other modules of this folder.
 */

export type ProxyProtocol = 'TCP' | 'UDP' | 'SCTP';

export interface ServiceKey {
  readonly namespace: string;
  readonly name: string;
}

/** How the flow reached the service address: decides which policy and endpoints apply. */
export type Via = 'clusterIP' | 'nodePort' | 'loadBalancer' | 'externalIP';

export interface ResolveRequest {
  /** The destination as dialled: a ClusterIP, node IP (nodePort), LB IP or external IP. */
  readonly dstIp: string;
  readonly dstPort: number;
  readonly protocol: ProxyProtocol;
  /** The client's address before any translation (session affinity and source ranges use it). */
  readonly srcIp: string;
  /**
   * The node the flow is on: the client pod's node for `clusterIP`, the receiving
   * node for `nodePort`/`loadBalancer`/`externalIP`. Needed by the Local policies.
   */
  readonly nodeName?: string;
  readonly via: Via;
}

export type ResolveResult =
  /** Send the flow to this endpoint. `preserveClientIp` false means kube-proxy masquerades (SNAT to the node IP). */
  | {
      readonly kind: 'endpoint';
      readonly ip: string;
      readonly port: number;
      /** kube-proxy's ServicePortName string: "ns/name:port" ("ns/name" for an unnamed port). */
      readonly servicePortName: string;
      readonly service: ServiceKey;
      readonly preserveClientIp: boolean;
      /** The node the chosen endpoint runs on, when the slice says. */
      readonly endpointNode?: string;
    }
  /** The Service exists but has no usable endpoint: kube-proxy's REJECT (the client is refused at once). */
  | { readonly kind: 'reject'; readonly servicePortName: string; readonly service: ServiceKey; readonly reason: string }
  /**
   * kube-proxy's DROP: the Service has endpoints, but the Local traffic policy
   * leaves none on this node, or a loadBalancerSourceRanges firewall refuses the
   * source. The client waits out its own timeout.
   */
  | { readonly kind: 'drop'; readonly servicePortName: string; readonly service: ServiceKey; readonly reason: string }
  /** Not a service address: the flow goes on untranslated. */
  | { readonly kind: 'none' };

/** A port every node must listen on. */
export interface NodePortListener {
  readonly port: number;
  readonly protocol: ProxyProtocol;
  readonly service: ServiceKey;
  readonly servicePortName: string;
}

/** An (ip, port) the host must listen on for a LoadBalancer ingress address. */
export interface LoadBalancerListener {
  readonly ip: string;
  readonly port: number;
  readonly protocol: ProxyProtocol;
  readonly service: ServiceKey;
  readonly servicePortName: string;
}

/** A `healthCheckNodePort` (LoadBalancer + externalTrafficPolicy Local), served as kube-proxy's healthz. */
export interface HealthCheckListener {
  readonly port: number;
  readonly service: ServiceKey;
}

/** One Service port as the proxy folds it (kube-proxy `BaseServicePortInfo`). */
export interface ServicePortInfo {
  /** "ns/name:port" or "ns/name". */
  readonly name: string;
  readonly service: ServiceKey;
  readonly portName: string;
  readonly protocol: ProxyProtocol;
  readonly port: number;
  readonly clusterIP: string;
  /** 0 when none. */
  readonly nodePort: number;
  readonly externalIPs: ReadonlyArray<string>;
  /** VIP-mode status.loadBalancer.ingress IPs. */
  readonly loadBalancerIPs: ReadonlyArray<string>;
  readonly loadBalancerSourceRanges: ReadonlyArray<string>;
  /** Seconds; undefined when sessionAffinity is None. */
  readonly stickyMaxAgeSeconds?: number;
  readonly internalPolicyLocal: boolean;
  /** externalTrafficPolicy Local on an externally reachable Service. */
  readonly externalPolicyLocal: boolean;
  /** 0 when none. */
  readonly healthCheckNodePort: number;
}

/** One endpoint of one Service port (kube-proxy `BaseEndpointInfo`). */
export interface EndpointInfo {
  readonly ip: string;
  readonly port: number;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
  readonly nodeName?: string;
  readonly zone?: string;
}
