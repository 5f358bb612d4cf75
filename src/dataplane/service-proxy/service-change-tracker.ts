/**
 * @module dataplane/service-proxy/service-change-tracker
 * kube-proxy's `ServiceChangeTracker` (`pkg/proxy/servicechangetracker.go`):
 * Service events only record a {previous, current} pair of port maps per
 * Service; `checkout()` hands the pending pairs to the proxy's `sync()` and
 * starts afresh. A change that ends where it started (A -> B -> A) leaves no
 * pair, so the sync skips that Service entirely.
 *
 *   update(prev, cur) ─► items[ns/name] = {previous: first seen, current: latest}
 *   checkout() ───────► the items; empty again
 *
 * `servicePortMap` is the conversion (`newBaseServiceInfo`): ExternalName and
 * headless Services are not proxied and map to nothing.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { ProxyProtocol, ServicePortInfo } from './types.js';

/** Port key within a Service: "<portName>/<protocol>". */
export type PortKey = string;

export interface ServicePortMap {
  readonly ports: ReadonlyMap<PortKey, ServicePortInfo>;
}

export const EMPTY_PORT_MAP: ServicePortMap = Object.freeze({ ports: new Map<PortKey, ServicePortInfo>() });

const sameList = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function sameInfo(a: ServicePortInfo, b: ServicePortInfo): boolean {
  return (
    a.name === b.name &&
    a.protocol === b.protocol &&
    a.port === b.port &&
    a.clusterIP === b.clusterIP &&
    a.nodePort === b.nodePort &&
    a.stickyMaxAgeSeconds === b.stickyMaxAgeSeconds &&
    a.internalPolicyLocal === b.internalPolicyLocal &&
    a.externalPolicyLocal === b.externalPolicyLocal &&
    a.healthCheckNodePort === b.healthCheckNodePort &&
    sameList(a.externalIPs, b.externalIPs) &&
    sameList(a.loadBalancerIPs, b.loadBalancerIPs) &&
    sameList(a.loadBalancerSourceRanges, b.loadBalancerSourceRanges)
  );
}

/** Whether two port maps would proxy identically. */
export function samePortMaps(a: ServicePortMap, b: ServicePortMap): boolean {
  if (a.ports.size !== b.ports.size) return false;
  for (const [k, info] of a.ports) {
    const other = b.ports.get(k);
    if (other === undefined || !sameInfo(info, other)) return false;
  }
  return true;
}

export interface Change<T> {
  readonly previous: T;
  readonly current: T;
}

export const portKey = (portName: string, protocol: string): PortKey => `${portName}/${protocol}`;

/** kube-proxy's ServicePortName.String(): "ns/name:port", or "ns/name" for an unnamed port. */
export function servicePortName(namespace: string, name: string, portName: string): string {
  return portName === '' ? `${namespace}/${name}` : `${namespace}/${name}:${portName}`;
}

const DEFAULT_AFFINITY_SECONDS = 10800;

/** `ShouldSkipService` + `newBaseServiceInfo` for every port. */
export function servicePortMap(svc: Service | undefined): ServicePortMap {
  if (svc === undefined) return EMPTY_PORT_MAP;
  const spec = svc.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  const clusterIP = spec.clusterIP ?? '';
  if (type === 'ExternalName' || clusterIP === '' || clusterIP === 'None') return EMPTY_PORT_MAP;
  const namespace = svc.metadata?.namespace ?? '';
  const name = svc.metadata?.name ?? '';
  const externalIPs = (spec.externalIPs ?? []).filter((ip) => !ip.includes(':'));
  const externallyAccessible = type === 'LoadBalancer' || type === 'NodePort' || externalIPs.length > 0;
  const lbIPs = (svc.status?.loadBalancer?.ingress ?? [])
    .filter((i) => (i.ip ?? '') !== '' && (i.ipMode === undefined || i.ipMode === 'VIP'))
    .map((i) => i.ip ?? '');
  const ranges = type === 'LoadBalancer' ? (spec.loadBalancerSourceRanges ?? []).map((r) => r.trim()).filter((r) => r !== '') : [];
  const sticky = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_SECONDS) : undefined;
  const externalPolicyLocal = externallyAccessible && spec.externalTrafficPolicy === 'Local';
  const hc = type === 'LoadBalancer' && externalPolicyLocal ? (spec.healthCheckNodePort ?? 0) : 0;
  const ports = new Map<PortKey, ServicePortInfo>();
  for (const p of spec.ports ?? []) {
    const portName = p.name ?? '';
    const protocol = (p.protocol ?? 'TCP') as ProxyProtocol;
    const info: ServicePortInfo = {
      name: servicePortName(namespace, name, portName),
      service: { namespace, name },
      portName,
      protocol,
      port: p.port,
      clusterIP,
      nodePort: type === 'NodePort' || type === 'LoadBalancer' ? (p.nodePort ?? 0) : 0,
      externalIPs,
      loadBalancerIPs: lbIPs,
      loadBalancerSourceRanges: ranges,
      ...(sticky !== undefined ? { stickyMaxAgeSeconds: sticky } : {}),
      internalPolicyLocal: spec.internalTrafficPolicy === 'Local',
      externalPolicyLocal,
      healthCheckNodePort: hc,
    };
    ports.set(portKey(portName, protocol), info);
  }
  return ports.size === 0 ? EMPTY_PORT_MAP : { ports };
}

const NO_CHANGES: ReadonlyMap<string, Change<ServicePortMap>> = new Map();

export class ServiceChangeTracker {
  private items = new Map<string, { previous: ServicePortMap; current: ServicePortMap }>();

  /**
   * Records a Service event: `previous` is the object before it (undefined for
   * an add), `current` after it (undefined for a delete). Returns whether the
   * Service has a pending change afterwards.
   */
  update(previous: Service | undefined, current: Service | undefined): boolean {
    const svc = current ?? previous;
    if (svc === undefined) return false;
    const key = `${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`;
    let item = this.items.get(key);
    if (item === undefined) {
      item = { previous: servicePortMap(previous), current: EMPTY_PORT_MAP };
      this.items.set(key, item);
    }
    item.current = servicePortMap(current);
    if (samePortMaps(item.current, item.previous)) {
      this.items.delete(key);
      return false;
    }
    return true;
  }

  /** How many Services have a pending change. */
  get pending(): number {
    return this.items.size;
  }

  /** Hands over the pending changes ("ns/name" -> pair) and starts afresh. */
  checkout(): ReadonlyMap<string, Change<ServicePortMap>> {
    if (this.items.size === 0) return NO_CHANGES; // the common endpoint-only sync allocates nothing here
    const out = this.items;
    this.items = new Map();
    return out;
  }
}
