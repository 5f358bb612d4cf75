/**
 * @module dataplane/service-proxy/proxy
 * The service proxy core, modelled on kube-proxy: Services and EndpointSlices
 * go in through the change trackers, `sync()` folds only what changed into the
 * routing tables, and `resolve()` answers one new flow the way kube-proxy's
 * rules would have.
 *
 *   onService…, onEndpointSlice… ─► trackers ({previous, current} per Service)
 *                                     │ sync(): O(changed Services)
 *                                     ▼
 *   routes[svc] = [{info, index keys, state: {cluster eps, local eps per node}}]
 *   indexes: clusterIP|port|proto, externalIP|…, lbIP|…, nodePort|proto -> route
 *   (a Service change re-indexes its routes; an endpoint change only swaps `state`)
 *                                     │
 *   resolve(req) ─► route ─► policy (Cluster/Local, source ranges) ─► affinity ─► random endpoint
 *
 * Decisions (kube-proxy `CategorizeEndpoints` and the iptables/nftables proxiers):
 * - endpoints used: the ready ones; when none is ready anywhere, the serving
 *   terminating ones; a Service port with neither REJECTs;
 * - `internalTrafficPolicy: Local` (ClusterIP traffic) and
 *   `externalTrafficPolicy: Local` (NodePort, LoadBalancer, externalIPs): only
 *   endpoints on the flow's node; none there (but some elsewhere) DROPs;
 * - external traffic with policy Cluster is masqueraded (`preserveClientIp`
 *   false); with Local the client address is kept; pod-originated traffic to
 *   an external address of a Local Service short-circuits to all endpoints;
 *   ClusterIP traffic from outside the pod CIDR is masqueraded;
 * - a ClusterIP dialled on a port no Service port has REJECTs (the nftables
 *   proxier's behaviour);
 * - `loadBalancerSourceRanges` DROPs other sources on the LoadBalancer IP;
 * - ExternalName and headless Services are not proxied.
 *
 * Endpoint choice is uniform among the usable endpoints, from an injected
 * [0,1) source; session affinity uses an injected clock. No I/O.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { AffinityTable } from './affinity.js';
import { EndpointsChangeTracker, portKeyId, type EndpointsChange } from './endpoints-change-tracker.js';
import { cidrContains4, parseCidr4, type Cidr4 } from './ipv4.js';
import { ServiceChangeTracker, type ServicePortMap } from './service-change-tracker.js';
import type {
  EndpointInfo,
  HealthCheckListener,
  LoadBalancerListener,
  NodePortListener,
  ProxyProtocol,
  ResolveRequest,
  ResolveResult,
  ServiceKey,
  ServicePortInfo,
} from './types.js';

export interface ServiceProxyOptions {
  /** [0,1) source for the endpoint choice (default Math.random). */
  readonly random?: () => number;
  /** Milliseconds clock for session affinity (default Date.now). */
  readonly now?: () => number;
  /** The cluster's pod CIDR: sources inside it are pods (default 10.244.0.0/16). */
  readonly podCidr?: string;
  /** Sync pending changes before each resolve (default true). */
  readonly syncOnResolve?: boolean;
}

/** The endpoint choice of one Service port, replaced whole on every endpoint change. */
interface RouteState {
  /** Ready endpoints, or the serving-terminating ones when none is ready. */
  readonly cluster: ReadonlyArray<EndpointInfo>;
  /** Per node: its ready endpoints, or its serving-terminating ones when it has no ready one (Local policies only). */
  readonly local: ReadonlyMap<string, ReadonlyArray<EndpointInfo>>;
  /** Any ready or serving-terminating endpoint anywhere. */
  readonly hasAny: boolean;
}

/**
 * One Service port. The indexes point at routes, which stay in place while the
 * Service's port info is unchanged: an endpoint change only swaps `state`, so
 * it touches no index at all.
 */
interface Route {
  readonly portKey: string;
  /** `portKeyId(portKey)`: finds the port's endpoints without reading the key string. */
  readonly portId: number;
  readonly info: ServicePortInfo;
  state: RouteState;
  readonly needLocal: boolean;
  readonly sourceRanges: ReadonlyArray<Cidr4>;
  /** What the listeners depend on, to tell whether they changed. */
  readonly listenerKey: string;
  /** Index keys, computed once. */
  readonly clusterKey: string;
  readonly externalKeys: ReadonlyArray<string>;
  readonly lbKeys: ReadonlyArray<string>;
  readonly nodePortKey: string | undefined;
}

const key3 = (ip: string, port: number, protocol: string): string => `${ip}|${port}|${protocol}`;
const key2 = (port: number, protocol: string): string => `${port}|${protocol}`;

const NO_LOCAL: ReadonlyMap<string, ReadonlyArray<EndpointInfo>> = new Map();
const NO_ENDPOINTS: ReadonlyArray<EndpointInfo> = Object.freeze([]);

/**
 * kube-proxy `CategorizeEndpoints`, computed once per sync for every node at
 * once. The per-node lists are only built for Services with a Local policy.
 */
function categorize(eps: ReadonlyArray<EndpointInfo>, needLocal: boolean): RouteState {
  let allReady = true;
  for (const e of eps) if (!e.ready) allReady = false;
  const ready = allReady ? eps : eps.filter((e) => e.ready);
  const cluster = ready.length > 0 ? ready : eps.filter((e) => e.serving && e.terminating);
  if (!needLocal) return { cluster, local: NO_LOCAL, hasAny: cluster.length > 0 };
  const readyBy = new Map<string, EndpointInfo[]>();
  const stBy = new Map<string, EndpointInfo[]>();
  const push = (m: Map<string, EndpointInfo[]>, n: string, e: EndpointInfo): void => {
    const l = m.get(n);
    if (l === undefined) m.set(n, [e]);
    else l.push(e);
  };
  for (const e of eps) {
    if (e.nodeName === undefined) continue;
    if (e.ready) push(readyBy, e.nodeName, e);
    else if (e.serving && e.terminating) push(stBy, e.nodeName, e);
  }
  const local = new Map<string, ReadonlyArray<EndpointInfo>>(readyBy);
  for (const [n, list] of stBy) if (!local.has(n)) local.set(n, list);
  return { cluster, local, hasAny: cluster.length > 0 };
}

function listenerKey(info: ServicePortInfo): string {
  return `${info.nodePort}/${info.protocol}/${info.port}/${info.healthCheckNodePort}/${info.loadBalancerIPs.join(',')}`;
}

export class ServiceProxy {
  private readonly svcTracker = new ServiceChangeTracker();
  /** Each Service's routes ride on its endpoint record, so an endpoint change needs no second lookup. */
  private readonly epTracker = new EndpointsChangeTracker<ReadonlyArray<Route>>();
  private readonly random: () => number;
  private readonly affinity: AffinityTable;
  private readonly podCidr: Cidr4;
  private readonly syncOnResolve: boolean;

  /** Applied routes, per Service "ns/name". */
  private readonly svcRoutes = new Map<string, ReadonlyArray<Route>>();
  private routes = 0;

  private readonly byClusterIP = new Map<string, Route>();
  private readonly clusterIPOwner = new Map<string, { service: ServiceKey; name: string; refs: number }>();
  private readonly byExternalIP = new Map<string, Route>();
  private readonly byLoadBalancerIP = new Map<string, Route>();
  private readonly byNodePort = new Map<string, Route>();

  private listenerCache?: { nodePorts: NodePortListener[]; lbs: LoadBalancerListener[]; hcs: HealthCheckListener[] };
  private readonly listenerCallbacks = new Set<() => void>();
  private syncs = 0;

  constructor(opts: ServiceProxyOptions = {}) {
    this.random = opts.random ?? Math.random;
    this.affinity = new AffinityTable(opts.now ?? Date.now);
    const cidr = parseCidr4(opts.podCidr ?? '10.244.0.0/16');
    if (cidr === undefined) throw new Error(`invalid pod CIDR ${JSON.stringify(opts.podCidr)}`);
    this.podCidr = cidr;
    this.syncOnResolve = opts.syncOnResolve ?? true;
  }

  // ---- inputs (event handlers only record) ----

  onServiceAdd(svc: Service): void {
    this.svcTracker.update(undefined, svc);
  }
  onServiceUpdate(previous: Service, current: Service): void {
    this.svcTracker.update(previous, current);
  }
  onServiceDelete(svc: Service): void {
    this.svcTracker.update(svc, undefined);
  }
  onEndpointSliceAdd(slice: EndpointSlice): void {
    this.epTracker.sliceUpdate(slice, false);
  }
  onEndpointSliceUpdate(_previous: EndpointSlice, current: EndpointSlice): void {
    this.epTracker.sliceUpdate(current, false);
  }
  onEndpointSliceDelete(slice: EndpointSlice): void {
    this.epTracker.sliceUpdate(slice, true);
  }

  /** Whether recorded changes wait for a `sync()`. */
  get pending(): boolean {
    return this.svcTracker.pending > 0 || this.epTracker.pending > 0;
  }

  /** How many syncs folded something (tests, status). */
  get syncCount(): number {
    return this.syncs;
  }

  // ---- sync ----

  /** Folds the recorded changes into the routing tables: O(changed Services). */
  sync(): void {
    if (!this.pending) return;
    const svcChanges = this.svcTracker.checkout();
    const epChanges = this.epTracker.checkout();
    if (svcChanges.size === 0 && epChanges.size === 0) return;
    this.syncs++;
    let listenersChanged = false;
    for (const [key, ch] of svcChanges) if (this.replaceRoutes(key, ch.current)) listenersChanged = true;
    for (const [key, ch] of epChanges) if (!svcChanges.has(key)) this.refreshEndpoints(key, ch);
    if (listenersChanged) {
      this.listenerCache = undefined;
      for (const cb of this.listenerCallbacks) cb();
    }
  }

  /** An endpoint-only change: new states for the Service's routes, no index touched. */
  private refreshEndpoints(key: string, ch: EndpointsChange<ReadonlyArray<Route>>): void {
    const routes = ch.attachment ?? this.svcRoutes.get(key);
    if (routes === undefined) return;
    const eps = ch.current.byPortId;
    for (const r of routes) r.state = categorize(eps.get(r.portId) ?? NO_ENDPOINTS, r.needLocal);
  }

  /** A Service change: its routes and index entries replaced; returns whether its listeners changed. */
  private replaceRoutes(key: string, ports: ServicePortMap): boolean {
    const old = this.svcRoutes.get(key) ?? [];
    const eps = this.epTracker.endpointsOf(key);
    const fresh: Route[] = [];
    for (const [pk, info] of ports.ports) {
      const ranges: Cidr4[] = [];
      for (const r of info.loadBalancerSourceRanges) {
        const c = parseCidr4(r);
        if (c !== undefined) ranges.push(c);
      }
      const needLocal = info.internalPolicyLocal || info.externalPolicyLocal;
      fresh.push({
        portKey: pk,
        portId: portKeyId(pk),
        info,
        state: categorize(eps.ports.get(pk) ?? NO_ENDPOINTS, needLocal),
        needLocal,
        sourceRanges: ranges,
        listenerKey: listenerKey(info),
        clusterKey: key3(info.clusterIP, info.port, info.protocol),
        externalKeys: info.externalIPs.map((ip) => key3(ip, info.port, info.protocol)),
        lbKeys: info.loadBalancerIPs.map((ip) => key3(ip, info.port, info.protocol)),
        nodePortKey: info.nodePort !== 0 ? key2(info.nodePort, info.protocol) : undefined,
      });
    }
    for (const r of old) this.unindex(r);
    for (const r of fresh) this.index(r);
    if (fresh.length === 0) this.svcRoutes.delete(key);
    else this.svcRoutes.set(key, fresh);
    this.epTracker.attach(key, fresh.length === 0 ? undefined : fresh);
    // Affinity entries of ports that went away, or lost affinity, are forgotten.
    const keep = new Set(fresh.filter((r) => r.info.stickyMaxAgeSeconds !== undefined).map((r) => r.info.name));
    for (const r of old) if (!keep.has(r.info.name)) this.affinity.forgetPort(r.info.name);
    if (old.length !== fresh.length) return true;
    for (let i = 0; i < old.length; i++) if (old[i]!.listenerKey !== fresh[i]!.listenerKey) return true;
    return false;
  }

  private index(r: Route): void {
    const { info } = r;
    this.routes++;
    this.byClusterIP.set(r.clusterKey, r);
    const owner = this.clusterIPOwner.get(info.clusterIP);
    if (owner) owner.refs++;
    else this.clusterIPOwner.set(info.clusterIP, { service: info.service, name: info.name, refs: 1 });
    for (const k of r.externalKeys) this.byExternalIP.set(k, r);
    for (const k of r.lbKeys) this.byLoadBalancerIP.set(k, r);
    if (r.nodePortKey !== undefined) this.byNodePort.set(r.nodePortKey, r);
  }

  private unindex(r: Route): void {
    const drop = (m: Map<string, Route>, k: string) => {
      if (m.get(k) === r) m.delete(k);
    };
    this.routes--;
    drop(this.byClusterIP, r.clusterKey);
    const owner = this.clusterIPOwner.get(r.info.clusterIP);
    if (owner && --owner.refs === 0) this.clusterIPOwner.delete(r.info.clusterIP);
    for (const k of r.externalKeys) drop(this.byExternalIP, k);
    for (const k of r.lbKeys) drop(this.byLoadBalancerIP, k);
    if (r.nodePortKey !== undefined) drop(this.byNodePort, r.nodePortKey);
  }

  // ---- lookups ----

  /** Whether `ip` is some Service's ClusterIP. */
  isClusterIP(ip: string): boolean {
    if (this.syncOnResolve) this.sync();
    return this.clusterIPOwner.has(ip);
  }

  /** Whether (ip, port, protocol) is a LoadBalancer ingress or an external IP of some Service. */
  externalAddressKind(ip: string, port: number, protocol: ProxyProtocol): 'loadBalancer' | 'externalIP' | undefined {
    if (this.syncOnResolve) this.sync();
    if (this.byLoadBalancerIP.has(key3(ip, port, protocol))) return 'loadBalancer';
    if (this.byExternalIP.has(key3(ip, port, protocol))) return 'externalIP';
    return undefined;
  }

  /** Answers one new flow (see the module doc for the rules). */
  resolve(req: ResolveRequest): ResolveResult {
    if (this.syncOnResolve) this.sync();
    const srcIsPod = cidrContains4(this.podCidr, req.srcIp);
    switch (req.via) {
      case 'clusterIP': {
        const route = this.byClusterIP.get(key3(req.dstIp, req.dstPort, req.protocol));
        if (route === undefined) {
          const owner = this.clusterIPOwner.get(req.dstIp);
          if (owner === undefined) return { kind: 'none' };
          return { kind: 'reject', servicePortName: owner.name, service: owner.service, reason: `${owner.service.namespace}/${owner.service.name} has no port ${req.dstPort}/${req.protocol}` };
        }
        if (!route.state.hasAny) return this.reject(route);
        if (route.info.internalPolicyLocal) {
          const local = req.nodeName === undefined ? undefined : route.state.local.get(req.nodeName);
          if (local === undefined || local.length === 0) return this.dropNoLocal(route);
          return this.choose(route, local, req.srcIp, srcIsPod);
        }
        return this.choose(route, route.state.cluster, req.srcIp, srcIsPod);
      }
      case 'nodePort':
        return this.external(this.byNodePort.get(key2(req.dstPort, req.protocol)), req, srcIsPod);
      case 'loadBalancer': {
        const route = this.byLoadBalancerIP.get(key3(req.dstIp, req.dstPort, req.protocol));
        if (route !== undefined && route.sourceRanges.length > 0 && route.state.hasAny && !route.sourceRanges.some((c) => cidrContains4(c, req.srcIp))) {
          return { kind: 'drop', servicePortName: route.info.name, service: route.info.service, reason: `${req.srcIp} is not in the loadBalancerSourceRanges of ${route.info.name}` };
        }
        return this.external(route, req, srcIsPod);
      }
      case 'externalIP':
        return this.external(this.byExternalIP.get(key3(req.dstIp, req.dstPort, req.protocol)), req, srcIsPod);
      default: {
        const never: never = req.via;
        throw new Error(`unknown via ${String(never)}`);
      }
    }
  }

  private external(route: Route | undefined, req: ResolveRequest, srcIsPod: boolean): ResolveResult {
    if (route === undefined) return { kind: 'none' };
    if (!route.state.hasAny) return this.reject(route);
    if (!route.info.externalPolicyLocal) return this.choose(route, route.state.cluster, req.srcIp, false);
    // Local: pods reaching an external address go to every endpoint, unmasqueraded.
    if (srcIsPod) return this.choose(route, route.state.cluster, req.srcIp, true);
    const local = req.nodeName === undefined ? undefined : route.state.local.get(req.nodeName);
    if (local === undefined || local.length === 0) return this.dropNoLocal(route);
    return this.choose(route, local, req.srcIp, true);
  }

  private reject(route: Route): ResolveResult {
    return { kind: 'reject', servicePortName: route.info.name, service: route.info.service, reason: `${route.info.name} has no endpoints` };
  }

  private dropNoLocal(route: Route): ResolveResult {
    return { kind: 'drop', servicePortName: route.info.name, service: route.info.service, reason: `${route.info.name} has no local endpoints` };
  }

  private choose(route: Route, candidates: ReadonlyArray<EndpointInfo>, srcIp: string, preserveClientIp: boolean): ResolveResult {
    const sticky = route.info.stickyMaxAgeSeconds;
    let ep: EndpointInfo | undefined;
    if (sticky !== undefined) {
      const pinned = this.affinity.lookup(route.info.name, srcIp, sticky);
      if (pinned !== undefined) ep = candidates.find((e) => `${e.ip}:${e.port}` === pinned);
    }
    if (ep === undefined) ep = candidates[Math.min(candidates.length - 1, Math.floor(this.random() * candidates.length))]!;
    if (sticky !== undefined) this.affinity.record(route.info.name, srcIp, `${ep.ip}:${ep.port}`, sticky);
    return {
      kind: 'endpoint',
      ip: ep.ip,
      port: ep.port,
      servicePortName: route.info.name,
      service: route.info.service,
      preserveClientIp,
      ...(ep.nodeName !== undefined ? { endpointNode: ep.nodeName } : {}),
    };
  }

  // ---- listeners (the node side opens these) ----

  private listeners(): NonNullable<ServiceProxy['listenerCache']> {
    if (this.syncOnResolve) this.sync();
    if (this.listenerCache) return this.listenerCache;
    const nodePorts: NodePortListener[] = [];
    const lbs: LoadBalancerListener[] = [];
    const hcs = new Map<number, HealthCheckListener>();
    for (const routes of this.svcRoutes.values()) {
      for (const { info } of routes) {
        if (info.nodePort !== 0) nodePorts.push({ port: info.nodePort, protocol: info.protocol, service: info.service, servicePortName: info.name });
        for (const ip of info.loadBalancerIPs) lbs.push({ ip, port: info.port, protocol: info.protocol, service: info.service, servicePortName: info.name });
        if (info.healthCheckNodePort !== 0) hcs.set(info.healthCheckNodePort, { port: info.healthCheckNodePort, service: info.service });
      }
    }
    nodePorts.sort((a, b) => a.port - b.port || (a.protocol < b.protocol ? -1 : 1));
    lbs.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.port - b.port));
    this.listenerCache = { nodePorts, lbs, hcs: [...hcs.values()].sort((a, b) => a.port - b.port) };
    return this.listenerCache;
  }

  /** Every (port, protocol) each node must listen on for NodePorts. */
  nodePorts(): ReadonlyArray<NodePortListener> {
    return this.listeners().nodePorts;
  }

  /** Every (ip, port, protocol) the host must listen on for LoadBalancer ingress IPs. */
  loadBalancerListeners(): ReadonlyArray<LoadBalancerListener> {
    return this.listeners().lbs;
  }

  /** The healthCheckNodePorts to serve (kube-proxy's per-Service healthz). */
  healthCheckNodePorts(): ReadonlyArray<HealthCheckListener> {
    return this.listeners().hcs;
  }

  /**
   * kube-proxy's service healthz answer for `service` on `nodeName`: how many
   * local endpoints it has (200 when > 0, 503 otherwise).
   */
  localEndpointCount(service: ServiceKey, nodeName: string): number {
    if (this.syncOnResolve) this.sync();
    const routes = this.svcRoutes.get(`${service.namespace}/${service.name}`) ?? [];
    const ips = new Set<string>();
    for (const r of routes) {
      const local = r.state.local === NO_LOCAL ? r.state.cluster.filter((e) => e.nodeName === nodeName) : (r.state.local.get(nodeName) ?? []);
      for (const e of local) ips.add(e.ip);
    }
    return ips.size;
  }

  /** Calls `cb` after a sync that changed nodePorts(), loadBalancerListeners() or healthCheckNodePorts(). Returns an unsubscribe. */
  onListenersChanged(cb: () => void): () => void {
    this.listenerCallbacks.add(cb);
    return () => this.listenerCallbacks.delete(cb);
  }

  /** How many Service ports are routed (tests, status). */
  get routeCount(): number {
    return this.routes;
  }
}
