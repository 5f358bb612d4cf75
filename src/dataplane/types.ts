/**
 * @module dataplane/types
 * Plain data shared by every part of the virtual pod network: addresses, the
 * owners of addresses, service references and the transport protocol. Data
 * only; no behaviour lives here.
 */

/** Transport protocol, spelled as Kubernetes spells it in `ports[].protocol`. */
export type Protocol = 'TCP' | 'UDP';

/** An IPv4 address and a port on the pod network (or the node network, for node IPs). */
export interface Address {
  /** Dotted-quad IPv4, e.g. `10.244.1.5`. */
  readonly ip: string;
  /** 1..65535. */
  readonly port: number;
}

/** Who owns an address. Opaque to the network: it only records and forwards it. */
export type AddressOwner = PodOwner | NodeOwner;

/** A pod's IP. */
export interface PodOwner {
  readonly kind: 'pod';
  readonly namespace: string;
  readonly name: string;
  /** The node the pod runs on, when known. */
  readonly node?: string;
  /** The pod's metadata.uid, when known (lets consumers tell a recreated pod apart). */
  readonly uid?: string;
}

/** A node's InternalIP (the source of SNATed traffic entering from the node network). */
export interface NodeOwner {
  readonly kind: 'node';
  readonly name: string;
}

/** An address together with its owner, when someone owns it. */
export interface Peer extends Address {
  /** Absent when no pod or node owns the IP (for example a client on the host). */
  readonly owner?: AddressOwner;
}

/** The Service a virtual IP belonged to, as reported by the translate hook. */
export interface ServiceRef {
  readonly namespace: string;
  readonly name: string;
  /** The Service port's `name` (or its number as a string when unnamed). */
  readonly port?: string;
}
