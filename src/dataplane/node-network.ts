/**
 * @module dataplane/node-network
 * How pods reach kwire's node network, as two pure decisions.
 *
 * kwire's node network lies in 127.0.0.0/8 (node IPs 127.0.X.2, .3, ...;
 * LoadBalancer IPs 127.0.X.100-199) so that the host can reach it without any
 * setup. Inside a pod, 127.0.0.0/8 is the pod's own loopback, EXCEPT those
 * addresses: on a real cluster node IPs and LoadBalancer IPs are ordinary
 * addresses outside the pod, reached over the pod network.
 *
 * ```
 *   a process in a pod dials ip
 *     podRoute(ip)
 *       ::1, localhost, 127.x nobody on the node network holds  -> 'loopback' (the container's own sockets)
 *       a node IP or a LoadBalancer IP in 127.0.0.0/8            -> 'network'  (the connect path:
 *       anything else (pod IPs, ClusterIPs, ...)                 -> 'network'   translate, policy, flow record)
 *
 *   the connect path, flow to nodeIP:port (translator.ts asks)
 *     nodePortArrival(src, nodeIP)
 *       the node owning nodeIP applies kube-proxy's rules (its NodePorts), seeing:
 *         host client, a node, a pod on that very node   -> the source as it is
 *         a pod on another node                          -> that node's IP: the packet left the
 *                                                           pod's node for the node network and was
 *                                                           masqueraded there (as kind's kindnet and
 *                                                           ip-masq-agent do for destinations outside
 *                                                           the pod CIDR)
 * ```
 *
 * kube-proxy matches NodePorts only on the node's own addresses (`--dst-type
 * LOCAL`): a pod's packet to ANOTHER node's IP is not translated on the pod's
 * node but on the node it is addressed to. LoadBalancer IPs and ClusterIPs are
 * matched on every node, so those are translated on the client's own node (no
 * arrival to work out). What the receiving node then does (Cluster: masquerade
 * to its IP; Local: pods on that node short-circuit to every endpoint, anyone
 * else gets the node's local endpoints or a DROP) is the service proxy's
 * (service-proxy/proxy.ts).
 *
 * No hostNetwork pods exist in kwire (every pod gets a pod IP), so nothing but
 * a NodePort answers on a node IP inside the pod network; every other port there
 * is refused, as a real node's kernel resets a SYN to a closed port.
 * Pure: no I/O, no state.
 */
import { isIPv4 } from './address-book.js';
import type { AddressOwner, Peer } from './types.js';

/** Where a destination dialled inside a pod goes. */
export type PodRoute = 'loopback' | 'network';

/** What `podRoute` needs to know about the node network. */
export interface NodeNetworkView {
  /** The owner of `ip` on the pod network (node IPs are registered to their nodes). */
  ownerOf(ip: string): AddressOwner | undefined;
  /** Whether the service proxy answers for `ip` as a node-network address (a LoadBalancer IP). */
  isServiceNodeAddress(ip: string): boolean;
}

/**
 * Whether `ip` (an address literal a process dialled or bound, IPv6 `::1` and
 * `localhost` included) is the pod's own loopback or leaves the pod.
 */
export function podRoute(ip: string, view: NodeNetworkView): PodRoute {
  if (ip === '::1' || ip === '[::1]' || ip === 'localhost') return 'loopback';
  if (!ip.startsWith('127.')) return 'network';
  // A malformed 127.x literal stays inside the container, as before.
  if (!isIPv4(ip)) return 'loopback';
  if (view.ownerOf(ip)?.kind === 'node') return 'network';
  return view.isServiceNodeAddress(ip) ? 'network' : 'loopback';
}

/** The nodes by name and by IP. */
export interface NodeAddresses {
  nodeIp(nodeName: string): string | undefined;
  nodeOfIp(ip: string): string | undefined;
}

/** How a flow to a node's own IP reaches the node whose rules translate it. */
export interface NodeArrival {
  /** The node owning the dialled IP: its kube-proxy rules apply. */
  readonly node: string;
  /** The source those rules see (session affinity, source ranges, whether it is a pod). */
  readonly srcIp: string;
  /**
   * Set when the source was rewritten before the node's rules ran: a pod's
   * packet to another node, masqueraded by its own node. The destination sees
   * this address unless the receiving node masquerades again.
   */
  readonly masqueradedTo?: string;
}

/**
 * The arrival of a flow from `src` to `dstIp`, or undefined when `dstIp` is no
 * node's IP (then nothing here applies).
 */
export function nodePortArrival(src: Peer, dstIp: string, nodes: NodeAddresses): NodeArrival | undefined {
  const node = nodes.nodeOfIp(dstIp);
  if (node === undefined) return undefined;
  const o = src.owner;
  if (o?.kind === 'pod' && o.node !== undefined && o.node !== node) {
    const via = nodes.nodeIp(o.node);
    if (via !== undefined) return { node, srcIp: via, masqueradedTo: via };
  }
  return { node, srcIp: src.ip };
}
