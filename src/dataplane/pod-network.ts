/**
 * @module dataplane/pod-network
 * The virtual pod network: one object per cluster that owns address
 * registration, the two hooks, virtual TCP and UDP and the flow log.
 *
 * Pod IPs (10.244.x.y), ClusterIPs (10.96.x.y) and cluster DNS (10.96.0.10)
 * live only here: nothing is ever sent to them on the host. Node IPs and
 * LoadBalancer IPs (127.0.X.y) are real host addresses too, but a pod dialling
 * one takes this path as well (`podRoute`; NodePorts translated in-process,
 * never through a host socket). Every new flow takes one path:
 *
 * ```
 *   connect / sendUdp (src ip:port, dst as dialled)
 *     -> translate hook   service VIP -> endpoint ip:port (+ SNAT), or reject / drop
 *     -> policy hook      egress of src AND ingress of the endpoint, post-translation
 *     -> ownership        endpoint IP registered to a pod or node, else lost
 *                         (a Service endpoint on 127.0.0.0/8: the host dialer, host-dialer.ts)
 *     -> listener/binding lookup, else refused
 *     -> flow record (always, one per attempt / new UDP flow)
 * ```
 *
 * | outcome        | TCP caller sees                    | UDP (`udpExchange`) sees |
 * | -------------- | ---------------------------------- | ------------------------ |
 * | forwarded      | 'connect'                           | the reply                |
 * | refused        | ECONNREFUSED at once                | ECONNREFUSED at once     |
 * | dropped        | nothing; ETIMEDOUT after timeoutMs  | ETIMEDOUT after timeoutMs|
 * | error (a hook) | that error                          | that error               |
 *
 * It does not know Services or NetworkPolicies: those arrive through the hooks.
 */
import type { ConnectOptions, ConnectionHandler, ListenOptions, TcpListener } from './tcp-stack.js';
import { TcpStack } from './tcp-stack.js';
import { NetworkCore, type CoreOptions } from './core.js';
import type { FlowFilter, FlowListener, FlowLog, FlowRecord, FlowVerdict } from './flow-log.js';
import { allowAllPolicy, identityTranslator, type PolicyHook, type Translator } from './hooks.js';
import type { HostDialer } from './host-dialer.js';
import { podRoute as routeFromPod, type PodRoute } from './node-network.js';
import type { AddressOwner } from './types.js';
import { UdpStack, type UdpBinding, type UdpExchangeOptions, type UdpMessageHandler, type UdpSendOptions } from './udp-stack.js';
import type { VirtualSocket } from './virtual-socket.js';

/** Options for `createPodNetwork`. */
export interface PodNetworkOptions extends CoreOptions {
  /** Datagrams of one src/dst pair within this many ms of each other are one flow (default 10 000). */
  readonly udpFlowWindowMs?: number;
}

/** The virtual pod network. */
export class PodNetwork {
  readonly #core: NetworkCore;
  readonly #tcp: TcpStack;
  readonly #udp: UdpStack;

  constructor(opts: PodNetworkOptions = {}) {
    this.#core = new NetworkCore(opts);
    this.#tcp = new TcpStack(this.#core);
    this.#udp = new UdpStack(this.#core, opts.udpFlowWindowMs);
  }

  /** The flow log (ring buffer of flow records). */
  get flows(): FlowLog {
    return this.#core.flows;
  }

  // ------------------------------------------------------------ addresses and hooks

  /** Declares that `owner` owns `ip` (a pod IP or a node IP). Replaces any previous owner. */
  registerAddress(ip: string, owner: AddressOwner): void {
    this.#core.book.register(ip, owner);
  }

  /** Forgets `ip`: new flows to it are lost. Existing connections are left alone. */
  unregisterAddress(ip: string): boolean {
    return this.#core.book.unregister(ip);
  }

  ownerOf(ip: string): AddressOwner | undefined {
    return this.#core.book.ownerOf(ip);
  }

  /**
   * Where `ip`, dialled or bound by a process in a pod, goes: the pod's own
   * loopback (127.0.0.0/8, ::1) or the network. kwire's node IPs and
   * LoadBalancer IPs lie in 127.0.0.0/8 but are node-network addresses, so
   * they take the connect path like any other destination (node-network.ts).
   */
  podRoute(ip: string): PodRoute {
    const core = this.#core;
    return routeFromPod(ip, {
      ownerOf: (a) => core.book.ownerOf(a),
      isServiceNodeAddress: (a) => core.translator.isServiceNodeAddress?.(a) === true,
    });
  }

  /** Installs the service proxy (undefined: identity). */
  setTranslator(t: Translator | undefined): void {
    this.#core.translator = t ?? identityTranslator;
  }

  /** Installs the dialer for Service endpoints on host addresses (undefined: they are lost). */
  setHostDialer(d: HostDialer | undefined): void {
    this.#core.hostDialer = d;
  }

  /** Installs the policy engine (undefined: allow all). */
  setPolicy(p: PolicyHook | undefined): void {
    this.#core.policy = p ?? allowAllPolicy;
  }

  // ------------------------------------------------------------ TCP

  /** Listens on ip:port (0: ephemeral). Throws EADDRINUSE when taken. */
  listen(ip: string, port: number, onConnection: ConnectionHandler, opts?: ListenOptions): TcpListener {
    return this.#tcp.listen(ip, port, onConnection, opts);
  }

  /** Dials like `net.createConnection`: the socket comes back at once, still connecting. */
  createConnection(opts: ConnectOptions): VirtualSocket {
    return this.#tcp.createConnection(opts);
  }

  /** Dials and resolves once connected; rejects with ECONNREFUSED, ETIMEDOUT, AbortError or a hook's error. */
  connect(opts: ConnectOptions): Promise<VirtualSocket> {
    return this.#tcp.connect(opts);
  }

  // ------------------------------------------------------------ UDP

  /** Binds ip:port (0: ephemeral) for datagrams. Throws EADDRINUSE when taken. */
  bindUdp(ip: string, port: number, onMessage: UdpMessageHandler): UdpBinding {
    return this.#udp.bind(ip, port, onMessage);
  }

  /** Sends one datagram; returns the flow's verdict. */
  sendUdp(opts: UdpSendOptions, msg: Buffer): FlowVerdict {
    return this.#udp.send(opts, msg);
  }

  /** Sends `msg` and resolves with the first reply (DNS-style request/response). */
  udpExchange(opts: UdpExchangeOptions, msg: Buffer): Promise<Buffer> {
    return this.#udp.exchange(opts, msg);
  }

  // ------------------------------------------------------------ flows

  /** Calls `listener` with every new flow record; returns the unsubscribe function. */
  subscribe(listener: FlowListener): () => void {
    return this.#core.flows.subscribe(listener);
  }

  /** Held flow records matching `filter`, oldest first. */
  recent(filter?: FlowFilter): ReadonlyArray<FlowRecord> {
    return this.#core.flows.recent(filter);
  }
}

/** Creates a virtual pod network. */
export function createPodNetwork(opts?: PodNetworkOptions): PodNetwork {
  return new PodNetwork(opts);
}
