/**
 * @module dataplane
 * The virtual pod network: in-process TCP and UDP between pod IPs, the connect
 * path with its translate and policy hooks, flow records, and the node:http glue.
 * The service proxy and the policy engine plug in through `Translator` and
 * `PolicyHook`; they are not here.
 */
export { PodNetwork, createPodNetwork, type PodNetworkOptions } from './pod-network.js';
export type { ConnectOptions, ConnectionHandler, ConnectionInfo, ListenOptions, TcpListener } from './tcp-stack.js';
export type { UdpBinding, UdpExchangeOptions, UdpMessageHandler, UdpRemoteInfo, UdpSendOptions } from './udp-stack.js';
export { VirtualSocket } from './virtual-socket.js';
export { LoopbackHostDialer, isLoopbackIPv4, type HostConnection, type HostDialRequest, type HostDialer, type LoopbackHostDialerOptions } from './host-dialer.js';
export {
  allowAllPolicy,
  identityTranslator,
  type PolicyHook,
  type PolicyRequest,
  type PolicyVerdict,
  type Snat,
  type TranslateRequest,
  type TranslateResult,
  type Translator,
} from './hooks.js';
export { FlowLog, type FlowFilter, type FlowListener, type FlowRecord, type FlowVerdict } from './flow-log.js';
export { netError, abortError, type NetError, type NetErrorCode } from './errors.js';
export { isIPv4 } from './address-book.js';
export { nodePortArrival, podRoute, type NodeAddresses, type NodeArrival, type NodeNetworkView, type PodRoute } from './node-network.js';
export { realTimers, type NetTimer, type NetTimers } from './timers.js';
export type { Address, AddressOwner, NodeOwner, Peer, PodOwner, Protocol, ServiceRef } from './types.js';
export {
  VirtualHttpAgent,
  serveHttp,
  virtualConnector,
  type ConnectorOptions,
  type CreateConnection,
  type HostResolver,
  type HttpServing,
  type VirtualAgentOptions,
} from './http.js';
