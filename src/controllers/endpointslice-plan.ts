/**
 * @module controllers/endpointslice-plan
 * The EndpointSlice reconciler's placement (after `pkg/controller/endpointslice`
 * `reconciler.reconcileByAddressType`), pure: given the desired slice groups
 * and the slices that exist, which slices to create, update and delete so that
 *
 * - an endpoint that stays stays in the slice it is in (only its content is
 *   refreshed), so one pod change rewrites one slice, not all of them;
 * - new endpoints fill existing slices of the same port mapping up to the limit
 *   before a new slice is made;
 * - slices of a port mapping nobody has now, and slices left empty, go;
 * - a Service with no endpoints at all keeps exactly one empty placeholder slice;
 * - when nothing changed, the plan is empty (level-triggered, idempotent).
 */
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { portsKey, type SliceGroup } from './endpointslice-desired.js';

export interface SlicePlan {
  readonly create: ReadonlyArray<{ readonly ports: ReadonlyArray<EndpointPort>; readonly endpoints: ReadonlyArray<Endpoint> }>;
  /** Existing slices (by name) whose endpoints must become `endpoints`. */
  readonly update: ReadonlyArray<{ readonly name: string; readonly endpoints: ReadonlyArray<Endpoint> }>;
  readonly delete: ReadonlyArray<string>;
  /** Existing slices left as they are (their labels may still need a refresh). */
  readonly keep: ReadonlyArray<string>;
}

/** A stable identity for an endpoint: its pod's uid, else its first address. */
export function endpointId(ep: Endpoint): string {
  return ep.targetRef?.uid !== undefined && ep.targetRef.uid !== '' ? `uid:${ep.targetRef.uid}` : `ip:${ep.addresses[0] ?? ''}`;
}

/** JSON with object keys sorted, so content compares regardless of key order. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val !== null && typeof val === 'object' && !Array.isArray(val)) {
      const o = val as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(o).sort()) out[k] = o[k];
      return out;
    }
    return val;
  });
}

function isPlaceholder(s: EndpointSlice): boolean {
  return (s.endpoints ?? []).length === 0 && (s.ports ?? []).length === 0;
}

export function planSlices(groups: ReadonlyArray<SliceGroup>, existing: ReadonlyArray<EndpointSlice>, maxPerSlice = 100): SlicePlan {
  const byName = (a: EndpointSlice, b: EndpointSlice): number => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1);
  const slices = [...existing].sort(byName);
  if (groups.length === 0) {
    // Only a placeholder should remain.
    const keep = slices.find(isPlaceholder);
    return {
      create: keep === undefined ? [{ ports: [], endpoints: [] }] : [],
      update: [],
      delete: slices.filter((s) => s !== keep).map((s) => s.metadata?.name ?? ''),
      keep: keep === undefined ? [] : [keep.metadata?.name ?? ''],
    };
  }
  const desired = new Map<string, { group: SliceGroup; byId: Map<string, Endpoint> }>();
  for (const g of groups) desired.set(g.key, { group: g, byId: new Map(g.endpoints.map((ep) => [endpointId(ep), ep])) });

  const placed = new Set<string>();
  const del: string[] = [];
  const working: Array<{ slice: EndpointSlice; key: string; eps: Endpoint[] }> = [];
  for (const s of slices) {
    const key = portsKey(s.ports);
    const want = desired.get(key);
    if (want === undefined) {
      del.push(s.metadata?.name ?? '');
      continue;
    }
    const eps: Endpoint[] = [];
    for (const ep of s.endpoints ?? []) {
      const id = endpointId(ep);
      const next = want.byId.get(id);
      if (next === undefined || placed.has(id) || eps.length >= maxPerSlice) continue;
      placed.add(id);
      eps.push(next);
    }
    working.push({ slice: s, key, eps });
  }
  const create: Array<{ ports: ReadonlyArray<EndpointPort>; endpoints: Endpoint[] }> = [];
  for (const [key, { group }] of desired) {
    const pending = group.endpoints.filter((ep) => !placed.has(endpointId(ep)));
    if (pending.length === 0) continue;
    // Fill the fullest slices first (fewer, fuller slices, as upstream prefers).
    const candidates = working.filter((w) => w.key === key && w.eps.length < maxPerSlice).sort((a, b) => b.eps.length - a.eps.length);
    for (const w of candidates) {
      while (pending.length > 0 && w.eps.length < maxPerSlice) w.eps.push(pending.shift()!);
    }
    while (pending.length > 0) create.push({ ports: group.ports, endpoints: pending.splice(0, maxPerSlice) });
  }
  const update: Array<{ name: string; endpoints: Endpoint[] }> = [];
  const keep: string[] = [];
  for (const w of working) {
    const name = w.slice.metadata?.name ?? '';
    if (w.eps.length === 0) del.push(name);
    else if (canonicalJson(w.eps) !== canonicalJson(w.slice.endpoints ?? [])) update.push({ name, endpoints: w.eps });
    else keep.push(name);
  }
  return { create, update, delete: del, keep };
}
