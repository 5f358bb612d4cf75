/**
 * @module dataplane/service-proxy/endpoints-change-tracker
 * kube-proxy's `EndpointsChangeTracker` with its `EndpointSliceCache`
 * (`pkg/proxy/endpointschangetracker.go`, `endpointslicecache.go`): slices are
 * cached per Service (the `kubernetes.io/service-name` label) as applied and
 * pending sets; a slice event only updates the pending set of its Service
 * (kept apart, per dirty Service, so recording touches little cold memory).
 * `checkout()` folds, for each Service with pending slices and nothing else,
 * the merged slices into the current endpoints map (the previous one is the
 * last fold), so an endpoint change costs O(that Service).
 *
 *   sliceUpdate(slice) ─► byService[svc].pending[slice] = info (or deletion)
 *   checkout() ────────► for dirty Services: {previous: last fold, current: fold(applied+pending)}
 *
 * Endpoints are keyed by Service port name and protocol; an ip:port present in
 * several slices counts once (the first slice by name wins), as upstream does.
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Change, PortKey } from './service-change-tracker.js';
import { portKey } from './service-change-tracker.js';
import type { EndpointInfo } from './types.js';

const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';

/** Endpoints of one Service: port key -> endpoints. */
export interface EndpointsMap {
  readonly ports: ReadonlyMap<PortKey, ReadonlyArray<EndpointInfo>>;
  /** A compact rendering of the slices it was folded from: equal signatures, equal maps. */
  readonly sig: string;
}

export const EMPTY_ENDPOINTS: EndpointsMap = Object.freeze({ ports: new Map<PortKey, ReadonlyArray<EndpointInfo>>(), sig: '' });

/** What the cache keeps of one slice. */
interface SliceInfo {
  readonly ports: ReadonlyArray<{ readonly key: PortKey; readonly port: number }>;
  readonly endpoints: ReadonlyArray<Omit<EndpointInfo, 'port'>>;
  /** One string with everything above (a single object to compare: cheap on a cold cache). */
  readonly sig: string;
}

/** Whether two folded endpoint maps are the same. */
export function sameEndpointsMap(a: EndpointsMap, b: EndpointsMap): boolean {
  return a.sig === b.sig;
}

/** The owning Service ("ns/name") of a slice, from its service-name label. */
export function sliceService(slice: EndpointSlice): string | undefined {
  const svc = slice.metadata?.labels?.[LABEL_SERVICE_NAME];
  return svc === undefined || svc === '' ? undefined : `${slice.metadata?.namespace ?? ''}/${svc}`;
}

function sliceInfo(slice: EndpointSlice): SliceInfo | undefined {
  if (slice.addressType !== 'IPv4') return undefined;
  const ports = (slice.ports ?? [])
    .filter((p) => p.port !== undefined && p.port !== null)
    .map((p) => ({ key: portKey(p.name ?? '', p.protocol ?? 'TCP'), port: p.port ?? 0 }));
  const endpoints: Array<Omit<EndpointInfo, 'port'>> = [];
  for (const ep of slice.endpoints ?? []) {
    const ip = ep.addresses?.[0];
    if (ip === undefined || ip === '') continue;
    const ready = ep.conditions?.ready ?? true;
    const e: { -readonly [K in keyof Omit<EndpointInfo, 'port'>]: Omit<EndpointInfo, 'port'>[K] } = {
      ip,
      ready,
      serving: ep.conditions?.serving ?? ready,
      terminating: ep.conditions?.terminating ?? false,
    };
    if (ep.nodeName !== undefined && ep.nodeName !== '') e.nodeName = ep.nodeName;
    if (ep.zone !== undefined && ep.zone !== '') e.zone = ep.zone;
    endpoints.push(e);
  }
  // \u0000 and \u0001 never occur in port names, IPs or node and zone names.
  let sig = '';
  for (const p of ports) sig += `${p.key}\u0000${p.port}\u0001`;
  for (const e of endpoints) sig += `${e.ip}\u0000${e.ready ? 1 : 0}${e.serving ? 1 : 0}${e.terminating ? 1 : 0}\u0000${e.nodeName ?? ''}\u0000${e.zone ?? ''}\u0001`;
  return { ports, endpoints, sig };
}

function withPort(ep: Omit<EndpointInfo, 'port'>, port: number): EndpointInfo {
  const out: { -readonly [K in keyof EndpointInfo]: EndpointInfo[K] } = { ip: ep.ip, port, ready: ep.ready, serving: ep.serving, terminating: ep.terminating };
  if (ep.nodeName !== undefined) out.nodeName = ep.nodeName;
  if (ep.zone !== undefined) out.zone = ep.zone;
  return out;
}

function fold(slices: ReadonlyMap<string, SliceInfo>): EndpointsMap {
  if (slices.size === 0) return EMPTY_ENDPOINTS;
  const ports = new Map<PortKey, EndpointInfo[]>();
  if (slices.size === 1) {
    // The common case: one slice, nothing to de-duplicate across slices.
    for (const s of slices.values()) {
      for (const p of s.ports) {
        const list: EndpointInfo[] = [];
        for (const ep of s.endpoints) list.push(withPort(ep, p.port));
        ports.set(p.key, list);
      }
    }
    return { ports, sig: sigOf(slices) };
  }
  const seen = new Map<PortKey, Set<string>>();
  for (const n of [...slices.keys()].sort()) {
    const s = slices.get(n)!;
    for (const p of s.ports) {
      let list = ports.get(p.key);
      let ids = seen.get(p.key);
      if (list === undefined || ids === undefined) {
        ports.set(p.key, (list = []));
        seen.set(p.key, (ids = new Set()));
      }
      for (const ep of s.endpoints) {
        const id = `${ep.ip}:${p.port}`;
        if (ids.has(id)) continue;
        ids.add(id);
        list.push(withPort(ep, p.port));
      }
    }
  }
  return { ports, sig: sigOf(slices) };
}

function sigOf(slices: ReadonlyMap<string, SliceInfo>): string {
  if (slices.size === 1) for (const s of slices.values()) return s.sig;
  let sig = '';
  for (const n of [...slices.keys()].sort()) sig += `${n}\u0002${slices.get(n)!.sig}\u0003`;
  return sig;
}

export class EndpointsChangeTracker {
  /** Applied slices and their fold, per Service "ns/name". */
  private readonly byService = new Map<string, { applied: Map<string, SliceInfo>; folded: EndpointsMap }>();
  /** Pending slice changes (undefined = deletion), per dirty Service only: small and hot. */
  private pendingBy = new Map<string, Map<string, SliceInfo | undefined>>();

  /**
   * Records a slice add/update (`remove` false) or delete (`remove` true).
   * Slices without the service-name label, or not IPv4, are ignored.
   * Returns whether the slice's Service has pending changes afterwards.
   */
  sliceUpdate(slice: EndpointSlice, remove: boolean): boolean {
    const svc = sliceService(slice);
    if (svc === undefined) return false;
    const name = slice.metadata?.name ?? '';
    const info = remove ? undefined : sliceInfo(slice);
    const applied = this.byService.get(svc)?.applied.get(name);
    let pending = this.pendingBy.get(svc);
    if (applied?.sig === info?.sig) pending?.delete(name);
    else {
      if (pending === undefined) this.pendingBy.set(svc, (pending = new Map()));
      pending.set(name, info);
    }
    if (pending !== undefined && pending.size === 0) {
      this.pendingBy.delete(svc);
      return false;
    }
    return pending !== undefined;
  }

  get pending(): number {
    return this.pendingBy.size;
  }

  /** The endpoints of a Service as of the last checkout. */
  endpointsOf(svc: string): EndpointsMap {
    return this.byService.get(svc)?.folded ?? EMPTY_ENDPOINTS;
  }

  /** Folds the pending slices of each dirty Service ("ns/name" -> endpoints before and after). */
  checkout(): ReadonlyMap<string, Change<EndpointsMap>> {
    const out = new Map<string, Change<EndpointsMap>>();
    for (const [svc, pending] of this.pendingBy) {
      let t = this.byService.get(svc);
      if (t === undefined) this.byService.set(svc, (t = { applied: new Map(), folded: EMPTY_ENDPOINTS }));
      const previous = t.folded;
      for (const [name, info] of pending) {
        if (info === undefined) t.applied.delete(name);
        else t.applied.set(name, info);
      }
      const current = fold(t.applied);
      t.folded = current;
      if (t.applied.size === 0) this.byService.delete(svc);
      if (!sameEndpointsMap(previous, current)) out.set(svc, { previous, current });
    }
    this.pendingBy = new Map();
    return out;
  }
}
