/**
 * @module dataplane/service-proxy
 * The service proxy (kube-proxy's role) for the virtual pod network: change
 * trackers fed by Services and EndpointSlices, a `sync()` that folds only what
 * changed, `resolve()` for one new flow, the listeners the node side opens,
 * a store feed and the connect-path `Translator` adapter.
 */
export { ServiceProxy, type ServiceProxyOptions } from './proxy.js';
export { ServiceChangeTracker, servicePortMap, servicePortName, type ServicePortMap, type Change } from './service-change-tracker.js';
export { EndpointsChangeTracker, sliceService, type EndpointsMap } from './endpoints-change-tracker.js';
export { AffinityTable } from './affinity.js';
export { feedServiceProxy, type StoreFeedOptions } from './store-feed.js';
export { proxyTranslator, type ProxyTranslatorOptions } from './translator.js';
export type {
  EndpointInfo,
  HealthCheckListener,
  LoadBalancerListener,
  NodePortListener,
  ProxyProtocol,
  ResolveRequest,
  ResolveResult,
  ServiceKey,
  ServicePortInfo,
  Via,
} from './types.js';
