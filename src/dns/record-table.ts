/**
 * @module dns/record-table
 * The DNS record table: the slim projections of Namespaces, Services,
 * EndpointSlices and Pods (dns/objects), indexed the way CoreDNS's dnsControl
 * indexes its informer caches:
 *
 *   services        ns/name        -> DnsService
 *   servicesByIp    cluster IP     -> Services            (PTR)
 *   slicesByService ns/service     -> EndpointSlices      (headless A, SRV, endpoint names)
 *   slicesByIp      endpoint IP    -> EndpointSlices      (PTR)
 *   podsByIp        pod IP         -> Pods                (pods verified)
 *   namespaces      name                                  (NXDOMAIN vs NODATA)
 *
 * Updated incrementally, one object at a time (`upsert*`/`remove*`, or `apply`
 * with a watch event's raw object); every change bumps `serial` (the SOA serial,
 * a Unix time as CoreDNS's `Modified`) and `version`. Pure data: no I/O, no
 * timers; the clock is injected. Readers get read-only views.
 */
import { toEndpoints, toPod, toService, objectKey, type DnsEndpoints, type DnsPod, type DnsService } from './objects.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** A watch event as the store (and `kubectl get -w`) delivers it. */
export interface TableEvent {
  readonly type: WatchEventType;
  readonly object: unknown;
}

export interface RecordTableOptions {
  /** Milliseconds since the epoch; defaults to Date.now. */
  readonly now?: () => number;
}

function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k);
  if (!s) {
    s = new Set();
    m.set(k, s);
  }
  s.add(v);
}

function removeFrom<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) m.delete(k);
}

const key = (namespace: string, name: string): string => `${namespace.toLowerCase()}/${name.toLowerCase()}`;

export class RecordTable {
  private readonly namespaces = new Set<string>();
  private readonly services = new Map<string, DnsService>();
  private readonly servicesByIp = new Map<string, Set<string>>();
  private readonly slices = new Map<string, DnsEndpoints>();
  private readonly slicesByService = new Map<string, Set<string>>();
  private readonly slicesByIp = new Map<string, Set<string>>();
  private readonly pods = new Map<string, DnsPod>();
  private readonly podsByIp = new Map<string, Set<string>>();
  private readonly now: () => number;
  private serialValue: number;
  private versionValue = 0;

  constructor(opts: RecordTableOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.serialValue = Math.floor(this.now() / 1000);
  }

  /** The SOA serial: Unix seconds of the last change (CoreDNS `Modified`). */
  get serial(): number {
    return this.serialValue >>> 0;
  }

  /** Bumped on every change (for caches and tests). */
  get version(): number {
    return this.versionValue;
  }

  private touch(): void {
    this.versionValue++;
    this.serialValue = Math.floor(this.now() / 1000);
  }

  // ---- writes ----

  /** Applies a watch event carrying a raw Namespace, Service, EndpointSlice or Pod. Other kinds are ignored. */
  apply(event: TableEvent): void {
    const o = event.object;
    const kind = o !== null && typeof o === 'object' ? (o as { kind?: unknown }).kind : undefined;
    const del = event.type === 'DELETED';
    switch (kind) {
      case 'Namespace':
        return del ? this.removeNamespace(o) : this.upsertNamespace(o);
      case 'Service':
        return del ? this.removeService(o) : this.upsertService(o);
      case 'EndpointSlice':
        return del ? this.removeEndpointSlice(o) : this.upsertEndpointSlice(o);
      case 'Pod':
        return del ? this.removePod(o) : this.upsertPod(o);
      default:
        return;
    }
  }

  upsertNamespace(obj: unknown): void {
    const k = objectKey(obj);
    if (!k || this.namespaces.has(k.name.toLowerCase())) return;
    this.namespaces.add(k.name.toLowerCase());
    this.touch();
  }

  removeNamespace(obj: unknown): void {
    const k = objectKey(obj);
    if (k && this.namespaces.delete(k.name.toLowerCase())) this.touch();
  }

  upsertService(obj: unknown): void {
    const svc = toService(obj);
    if (!svc) return;
    const k = key(svc.namespace, svc.name);
    this.dropService(k);
    this.services.set(k, svc);
    for (const ip of svc.clusterIPs) if (ip && ip !== 'None') addTo(this.servicesByIp, ip, k);
    this.touch();
  }

  removeService(obj: unknown): void {
    const o = objectKey(obj);
    if (o && this.dropService(key(o.namespace, o.name))) this.touch();
  }

  private dropService(k: string): boolean {
    const old = this.services.get(k);
    if (!old) return false;
    for (const ip of old.clusterIPs) removeFrom(this.servicesByIp, ip, k);
    this.services.delete(k);
    return true;
  }

  upsertEndpointSlice(obj: unknown): void {
    const eps = toEndpoints(obj);
    if (!eps) return;
    const k = key(eps.namespace, eps.name);
    this.dropSlice(k);
    this.slices.set(k, eps);
    addTo(this.slicesByService, key(eps.namespace, eps.serviceName), k);
    for (const a of eps.addresses) addTo(this.slicesByIp, a.ip, k);
    this.touch();
  }

  removeEndpointSlice(obj: unknown): void {
    const o = objectKey(obj);
    if (o && this.dropSlice(key(o.namespace, o.name))) this.touch();
  }

  private dropSlice(k: string): boolean {
    const old = this.slices.get(k);
    if (!old) return false;
    removeFrom(this.slicesByService, key(old.namespace, old.serviceName), k);
    for (const a of old.addresses) removeFrom(this.slicesByIp, a.ip, k);
    this.slices.delete(k);
    return true;
  }

  upsertPod(obj: unknown): void {
    const pod = toPod(obj);
    if (!pod) return;
    const k = key(pod.namespace, pod.name);
    this.dropPod(k);
    this.pods.set(k, pod);
    for (const ip of pod.ips) addTo(this.podsByIp, ip, k);
    this.touch();
  }

  removePod(obj: unknown): void {
    const o = objectKey(obj);
    if (o && this.dropPod(key(o.namespace, o.name))) this.touch();
  }

  private dropPod(k: string): boolean {
    const old = this.pods.get(k);
    if (!old) return false;
    for (const ip of old.ips) removeFrom(this.podsByIp, ip, k);
    this.pods.delete(k);
    return true;
  }

  // ---- reads ----

  hasNamespace(name: string): boolean {
    return this.namespaces.has(name.toLowerCase());
  }

  service(namespace: string, name: string): DnsService | undefined {
    return this.services.get(key(namespace, name));
  }

  /** The EndpointSlices of a Service (in slice-name order, so answers are stable). */
  endpointsOf(namespace: string, service: string): ReadonlyArray<DnsEndpoints> {
    return this.resolve(this.slicesByService.get(key(namespace, service)), this.slices);
  }

  /** Services with `ip` among their cluster IPs. */
  servicesByIP(ip: string): ReadonlyArray<DnsService> {
    return this.resolve(this.servicesByIp.get(ip), this.services);
  }

  /** EndpointSlices with a ready address `ip`. */
  endpointsByIP(ip: string): ReadonlyArray<DnsEndpoints> {
    return this.resolve(this.slicesByIp.get(ip), this.slices);
  }

  podsByIP(ip: string): ReadonlyArray<DnsPod> {
    return this.resolve(this.podsByIp.get(ip), this.pods);
  }

  /** Counts, for status output and tests. */
  size(): { namespaces: number; services: number; endpointSlices: number; pods: number } {
    return { namespaces: this.namespaces.size, services: this.services.size, endpointSlices: this.slices.size, pods: this.pods.size };
  }

  private resolve<T>(keys: Set<string> | undefined, from: Map<string, T>): ReadonlyArray<T> {
    if (!keys) return [];
    const out: T[] = [];
    for (const k of [...keys].sort()) {
      const v = from.get(k);
      if (v) out.push(v);
    }
    return out;
  }
}
