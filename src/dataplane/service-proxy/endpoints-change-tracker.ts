/**
 * @module dataplane/service-proxy/endpoints-change-tracker
 * kube-proxy's `EndpointsChangeTracker` with its `EndpointSliceCache`
 * (`pkg/proxy/endpointschangetracker.go`, `endpointslicecache.go`): slices are
 * cached per Service (the `kubernetes.io/service-name` label) as applied and
 * pending sets; a slice event only updates the pending set of its Service.
 * `checkout()` folds, for each Service with pending slices and nothing else,
 * the merged slices into the current endpoints map (the previous one is the
 * last fold), so an endpoint change costs O(that Service).
 *
 *   sliceUpdate(slice) ─► byService[svc] (one record) .pending[slice] = info (or deletion)
 *   checkout() ────────► for dirty records: {previous: last fold, current: fold(applied+pending), attachment}
 *
 * Endpoints are keyed by Service port name and protocol; an ip:port present in
 * several slices counts once (the first slice by name wins), as upstream does.
 *
 * Built so that one change touches as little cold memory as possible (with
 * 10,000 Services a random Service's state is out of the CPU caches, and what
 * a change allocates outlives the young generation):
 * - one record per Service holds everything of it, including the one applied
 *   slice inline (the common case; a Map only for several slices), the dirty
 *   state, and an `attachment` the owner of the tracker hangs there (the
 *   proxy's routes), so the sync finds them without a second lookup;
 * - each slice and each fold carries a 32-bit fingerprint: a changed slice is
 *   told from the applied one without reading it; equal fingerprints are
 *   confirmed field by field (so a collision costs time, never correctness);
 * - port keys are interned to small integers (`portKeyId`), so consumers find
 *   a port's endpoints by number without reading their own key strings.
 */
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Change, PortKey } from './service-change-tracker.js';
import { portKey } from './service-change-tracker.js';
import type { EndpointInfo } from './types.js';

const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';

const portIds = new Map<PortKey, number>();

/**
 * A small integer standing for a port key ("<name>/<protocol>"), the same for
 * equal keys in this process. The table holds one entry per distinct port
 * name and protocol ever seen (a few dozen in practice).
 */
export function portKeyId(key: PortKey): number {
  let id = portIds.get(key);
  if (id === undefined) portIds.set(key, (id = portIds.size + 1));
  return id;
}

/** Endpoints of one Service: port key -> endpoints. */
export interface EndpointsMap {
  readonly ports: ReadonlyMap<PortKey, ReadonlyArray<EndpointInfo>>;
  /** The same lists by `portKeyId(port key)`. */
  readonly byPortId: ReadonlyMap<number, ReadonlyArray<EndpointInfo>>;
  /** Fingerprint of the slices it was folded from: different fingerprints, different maps. */
  readonly fp: number;
}

export const EMPTY_ENDPOINTS: EndpointsMap = Object.freeze({
  ports: new Map<PortKey, ReadonlyArray<EndpointInfo>>(),
  byPortId: new Map<number, ReadonlyArray<EndpointInfo>>(),
  fp: 0,
});

type SliceEndpoint = Omit<EndpointInfo, 'port'>;

/** What the cache keeps of one slice. */
interface SliceInfo {
  readonly ports: ReadonlyArray<{ readonly key: PortKey; readonly id: number; readonly port: number }>;
  readonly endpoints: ReadonlyArray<SliceEndpoint>;
  readonly fp: number;
}

/** Everything the tracker keeps of one Service. */
interface ServiceRecord<A> {
  readonly svc: string;
  /** The applied slice when there is exactly one (the common case). */
  oneName: string | undefined;
  one: SliceInfo | undefined;
  /** `one.fp`, or -1 without one: a changed slice is told apart without reading `one` or `oneName`. */
  oneFp: number;
  /** The applied slices when there are several (then `one` is unused). */
  many: Map<string, SliceInfo> | undefined;
  folded: EndpointsMap;
  /** `folded.fp`, kept here for the same reason. */
  foldedFp: number;
  /** Pending slice changes (undefined = deletion); undefined when clean. */
  pending: Map<string, SliceInfo | undefined> | undefined;
  attachment: A | undefined;
}

/** A Service's endpoints before and after a checkout, with the owner's attachment. */
export interface EndpointsChange<A> extends Change<EndpointsMap> {
  readonly attachment: A | undefined;
}

// ---- fingerprints (FNV-1a, 32 bits) ----

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function mixStr(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return Math.imul(h ^ 0xff, FNV_PRIME); // a separator no character equals
}

function mixNum(h: number, n: number): number {
  h = Math.imul(h ^ (n & 0xffff), FNV_PRIME);
  return Math.imul(h ^ (n >>> 16), FNV_PRIME);
}

function sameSliceInfo(a: SliceInfo | undefined, b: SliceInfo | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.fp !== b.fp) return false;
  if (a.ports.length !== b.ports.length || a.endpoints.length !== b.endpoints.length) return false;
  for (let i = 0; i < a.ports.length; i++) {
    const x = a.ports[i]!;
    const y = b.ports[i]!;
    if (x.id !== y.id || x.port !== y.port) return false;
  }
  for (let i = 0; i < a.endpoints.length; i++) {
    const x = a.endpoints[i]!;
    const y = b.endpoints[i]!;
    if (x.ip !== y.ip || x.ready !== y.ready || x.serving !== y.serving || x.terminating !== y.terminating || x.nodeName !== y.nodeName || x.zone !== y.zone) return false;
  }
  return true;
}

function sameEndpointList(a: ReadonlyArray<EndpointInfo>, b: ReadonlyArray<EndpointInfo>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.ip !== y.ip || x.port !== y.port || x.ready !== y.ready || x.serving !== y.serving || x.terminating !== y.terminating || x.nodeName !== y.nodeName || x.zone !== y.zone) return false;
  }
  return true;
}

/** Whether two folded endpoint maps are the same. */
export function sameEndpointsMap(a: EndpointsMap, b: EndpointsMap): boolean {
  if (a === b) return true;
  if (a.fp !== b.fp || a.ports.size !== b.ports.size) return false;
  for (const [k, list] of a.ports) {
    const other = b.ports.get(k);
    if (other === undefined || !sameEndpointList(list, other)) return false;
  }
  return true;
}

/** The owning Service ("ns/name") of a slice, from its service-name label. */
export function sliceService(slice: EndpointSlice): string | undefined {
  const svc = slice.metadata?.labels?.[LABEL_SERVICE_NAME];
  return svc === undefined || svc === '' ? undefined : `${slice.metadata?.namespace ?? ''}/${svc}`;
}

function sliceInfo(slice: EndpointSlice): SliceInfo | undefined {
  if (slice.addressType !== 'IPv4') return undefined;
  let fp = FNV_OFFSET;
  const ports: Array<{ key: PortKey; id: number; port: number }> = [];
  for (const p of slice.ports ?? []) {
    if (p.port === undefined || p.port === null) continue;
    const key = portKey(p.name ?? '', p.protocol ?? 'TCP');
    const id = portKeyId(key);
    ports.push({ key, id, port: p.port });
    fp = mixNum(mixNum(fp, id), p.port);
  }
  fp = mixNum(fp, 0x10000 + ports.length);
  const endpoints: SliceEndpoint[] = [];
  for (const ep of slice.endpoints ?? []) {
    const ip = ep.addresses?.[0];
    if (ip === undefined || ip === '') continue;
    const ready = ep.conditions?.ready ?? true;
    const serving = ep.conditions?.serving ?? ready;
    const terminating = ep.conditions?.terminating ?? false;
    const e: { -readonly [K in keyof SliceEndpoint]: SliceEndpoint[K] } = { ip, ready, serving, terminating };
    fp = mixNum(mixStr(fp, ip), (ready ? 1 : 0) | (serving ? 2 : 0) | (terminating ? 4 : 0));
    if (ep.nodeName !== undefined && ep.nodeName !== '') {
      e.nodeName = ep.nodeName;
      fp = mixStr(mixNum(fp, 8), ep.nodeName);
    }
    if (ep.zone !== undefined && ep.zone !== '') {
      e.zone = ep.zone;
      fp = mixStr(mixNum(fp, 16), ep.zone);
    }
    endpoints.push(e);
  }
  return { ports, endpoints, fp: fp >>> 0 };
}

function withPort(ep: SliceEndpoint, port: number): EndpointInfo {
  const out: { -readonly [K in keyof EndpointInfo]: EndpointInfo[K] } = { ip: ep.ip, port, ready: ep.ready, serving: ep.serving, terminating: ep.terminating };
  if (ep.nodeName !== undefined) out.nodeName = ep.nodeName;
  if (ep.zone !== undefined) out.zone = ep.zone;
  return out;
}

function foldOne(s: SliceInfo): EndpointsMap {
  const ports = new Map<PortKey, EndpointInfo[]>();
  const byPortId = new Map<number, EndpointInfo[]>();
  for (const p of s.ports) {
    const list: EndpointInfo[] = new Array<EndpointInfo>(s.endpoints.length);
    for (let i = 0; i < s.endpoints.length; i++) list[i] = withPort(s.endpoints[i]!, p.port);
    ports.set(p.key, list);
    byPortId.set(p.id, list);
  }
  return { ports, byPortId, fp: s.fp };
}

function foldMany(slices: ReadonlyMap<string, SliceInfo>): EndpointsMap {
  const ports = new Map<PortKey, EndpointInfo[]>();
  const byPortId = new Map<number, EndpointInfo[]>();
  const seen = new Map<PortKey, Set<string>>();
  let fp = FNV_OFFSET;
  for (const n of [...slices.keys()].sort()) {
    const s = slices.get(n)!;
    fp = mixNum(mixStr(fp, n), s.fp);
    for (const p of s.ports) {
      let list = ports.get(p.key);
      let ids = seen.get(p.key);
      if (list === undefined || ids === undefined) {
        ports.set(p.key, (list = []));
        byPortId.set(p.id, list);
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
  return { ports, byPortId, fp: fp >>> 0 };
}

function appliedOf<A>(r: ServiceRecord<A>, name: string): SliceInfo | undefined {
  if (r.many !== undefined) return r.many.get(name);
  return r.oneName === name ? r.one : undefined;
}

function applyChange<A>(r: ServiceRecord<A>, name: string, info: SliceInfo | undefined): void {
  if (r.many !== undefined) {
    if (info === undefined) r.many.delete(name);
    else r.many.set(name, info);
    if (r.many.size <= 1) {
      const [only] = r.many;
      r.many = undefined;
      setOne(r, only?.[0], only?.[1]);
    }
    return;
  }
  if (info === undefined) {
    if (r.oneName === name) setOne(r, undefined, undefined);
  } else if (r.oneName === undefined || r.oneName === name) {
    setOne(r, name, info);
  } else {
    r.many = new Map([
      [r.oneName, r.one!],
      [name, info],
    ]);
    setOne(r, undefined, undefined);
  }
}

function setOne<A>(r: ServiceRecord<A>, name: string | undefined, info: SliceInfo | undefined): void {
  r.oneName = name;
  r.one = info;
  r.oneFp = info === undefined ? -1 : info.fp;
}

/** Tracks slices per Service. `A` is what the tracker's owner attaches to each Service (the proxy: its routes). */
export class EndpointsChangeTracker<A = unknown> {
  private readonly byService = new Map<string, ServiceRecord<A>>();
  /** Records with pending changes: small and hot. */
  private readonly dirty = new Set<ServiceRecord<A>>();

  private record(svc: string): ServiceRecord<A> {
    let r = this.byService.get(svc);
    if (r === undefined) {
      r = { svc, oneName: undefined, one: undefined, oneFp: -1, many: undefined, folded: EMPTY_ENDPOINTS, foldedFp: EMPTY_ENDPOINTS.fp, pending: undefined, attachment: undefined };
      this.byService.set(svc, r);
    }
    return r;
  }

  private forgetIfEmpty(r: ServiceRecord<A>): void {
    if (r.one === undefined && r.many === undefined && r.pending === undefined && r.attachment === undefined) this.byService.delete(r.svc);
  }

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
    const existing = this.byService.get(svc);
    // The common change (one slice, new content) is decided on the fingerprint alone.
    const changed = existing !== undefined && existing.many === undefined && info !== undefined && existing.oneFp !== info.fp;
    if (!changed && sameSliceInfo(existing === undefined ? undefined : appliedOf(existing, name), info)) {
      // Back to the applied state: whatever was pending for this slice is void.
      if (existing?.pending !== undefined) {
        existing.pending.delete(name);
        if (existing.pending.size === 0) {
          existing.pending = undefined;
          this.dirty.delete(existing);
          this.forgetIfEmpty(existing);
          return false;
        }
        return true;
      }
      return false;
    }
    const r = existing ?? this.record(svc);
    if (r.pending === undefined) {
      r.pending = new Map();
      this.dirty.add(r);
    }
    r.pending.set(name, info);
    return true;
  }

  get pending(): number {
    return this.dirty.size;
  }

  /** The endpoints of a Service as of the last checkout. */
  endpointsOf(svc: string): EndpointsMap {
    return this.byService.get(svc)?.folded ?? EMPTY_ENDPOINTS;
  }

  /** Hangs `value` on the Service's record (undefined removes it); handed back with its changes. */
  attach(svc: string, value: A | undefined): void {
    if (value === undefined) {
      const r = this.byService.get(svc);
      if (r === undefined) return;
      r.attachment = undefined;
      this.forgetIfEmpty(r);
      return;
    }
    this.record(svc).attachment = value;
  }

  /** Folds the pending slices of each dirty Service ("ns/name" -> endpoints before and after). */
  checkout(): ReadonlyMap<string, EndpointsChange<A>> {
    const out = new Map<string, EndpointsChange<A>>();
    if (this.dirty.size === 0) return out;
    for (const r of this.dirty) {
      const pending = r.pending;
      r.pending = undefined;
      if (pending === undefined) continue;
      const previous = r.folded;
      const previousFp = r.foldedFp;
      for (const [name, info] of pending) applyChange(r, name, info);
      const current = r.many !== undefined ? foldMany(r.many) : r.one !== undefined ? foldOne(r.one) : EMPTY_ENDPOINTS;
      r.folded = current;
      r.foldedFp = current.fp;
      if (previousFp !== current.fp || !sameEndpointsMap(previous, current)) out.set(r.svc, { previous, current, attachment: r.attachment });
      this.forgetIfEmpty(r);
    }
    this.dirty.clear();
    return out;
  }
}
