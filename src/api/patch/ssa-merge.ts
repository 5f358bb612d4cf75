/**
 * @module api/patch/ssa-merge
 * The two object operations of server-side apply (structured-merge-diff's
 * merge.Updater): merging an applied configuration into the live object, and
 * pruning what the applier stopped applying. Ownership bookkeeping lives in
 * ./server-side-apply; this module only moves values. No I/O.
 *
 * Merge: maps merge key by key, scalars and atomic values are replaced,
 * associative lists merge item by item (matched by key), sets by value. The
 * resulting order keeps live-only items where they were and the applied
 * items in applied order (structured-merge-diff's visitListItems).
 */
import { FieldSet, type FieldPath, type PathElement } from './fieldset.js';
import { listItemElements, locate, removeAt, valueAt } from './field-paths.js';
import { clone, hasOwn, isObject, type JsonObject, type JsonValue } from './json.js';
import { childSchema, isAtomicStruct, listKind, type FieldSchema } from './schema.js';

/** `applied` merged over `live` (neither is modified). */
export function mergeApplied(live: JsonValue | undefined, applied: JsonValue, s: FieldSchema | undefined): JsonValue {
  if (Array.isArray(applied)) {
    const kind = listKind(s);
    if (kind.type === 'atomic') return clone(applied);
    const lhs = Array.isArray(live) ? live : [];
    const merge = (l: JsonValue | undefined, r: JsonValue | undefined): JsonValue =>
      r === undefined ? clone(l!) : kind.type === 'set' || l === undefined ? mergeApplied(undefined, r, s) : mergeApplied(l, r, s);
    return mergeListItems(lhs, listItemElements(lhs, s, [], false), applied, listItemElements(applied, s, [], false), merge);
  }
  if (isObject(applied) && !isAtomicStruct(s)) {
    const out: JsonObject = isObject(live) ? clone(live) : {};
    for (const [k, v] of Object.entries(applied)) {
      if (v === null) delete out[k];
      else out[k] = mergeApplied(hasOwn(out, k) ? out[k] : undefined, v, childSchema(s, k));
    }
    return out;
  }
  return clone(applied);
}

/**
 * Live-only items stay in place, items of both follow the applied order,
 * applied-only items are inserted where the applied list has them.
 */
function mergeListItems(
  lhs: JsonValue[],
  lPEs: PathElement[],
  rhs: JsonValue[],
  rPEs: PathElement[],
  merge: (l: JsonValue | undefined, r: JsonValue | undefined) => JsonValue,
): JsonValue[] {
  const lBy = new Map<PathElement, JsonValue>();
  lPEs.forEach((pe, i) => lBy.has(pe) || lBy.set(pe, lhs[i]!));
  const rBy = new Map<PathElement, JsonValue>();
  rPEs.forEach((pe, i) => rBy.has(pe) || rBy.set(pe, rhs[i]!));
  const shared = rPEs.filter((pe) => lBy.has(pe));
  let si = 0;
  let nextShared = shared[si++];
  const merged = new Set<PathElement>();
  const out: JsonValue[] = [];
  let li = 0;
  let ri = 0;
  while (li < lPEs.length || ri < rPEs.length) {
    if (li < lPEs.length && ri < rPEs.length) {
      const pe = lPEs[li]!;
      if (pe === rPEs[ri]) {
        merged.add(pe);
        out.push(merge(lBy.get(pe), rBy.get(pe)));
        li++;
        ri++;
        nextShared = shared[si++];
        continue;
      }
      if (rBy.has(pe) && nextShared !== undefined && nextShared !== pe) {
        li++;
        continue;
      }
    }
    if (li < lPEs.length) {
      const pe = lPEs[li]!;
      if (!rBy.has(pe)) {
        out.push(merge(lhs[li], undefined));
        li++;
        continue;
      }
      if (merged.has(pe)) {
        li++;
        continue;
      }
    }
    if (ri < rPEs.length) {
      const pe = rPEs[ri]!;
      if (!merged.has(pe)) {
        merged.add(pe);
        out.push(merge(lBy.get(pe), rBy.get(pe)));
      }
      ri++;
      if (nextShared !== undefined && nextShared === pe) nextShared = shared[si++];
    }
  }
  return out;
}

function isEmptyContainer(v: JsonValue | undefined): boolean {
  return (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
}

/** True when the last element of `path` is a key field of the associative-list item that holds it. */
function isItemKeyField(obj: JsonObject, path: FieldPath, schema: FieldSchema | undefined): boolean {
  const last = path[path.length - 1]!;
  const parent = path[path.length - 2];
  if (!last.startsWith('f:') || parent === undefined || !parent.startsWith('k:')) return false;
  const loc = locate(obj, path.slice(0, -1), schema);
  if (!loc) return false;
  const kind = listKind(loc.schema);
  return kind.type === 'map' && kind.keys.includes(last.slice(2));
}

/**
 * Removes from `obj` (in place) what the applier owned last time (`last`) but
 * no longer applies (`now`), unless someone else (`others`) owns it or
 * something below it. Containers left empty by a removal go too, when nobody
 * owns anything in them.
 */
export function prune(obj: JsonObject, last: FieldSet, now: FieldSet, others: FieldSet, schema: FieldSchema | undefined): void {
  const kept = (p: FieldPath) => others.hasAtOrBelow(p) || now.hasAtOrBelow(p);
  for (const path of last.difference(now).paths()) {
    if (kept(path) || isItemKeyField(obj, path, schema)) continue;
    if (!removeAt(obj, path, schema)) continue;
    for (let n = path.length - 1; n > 0; n--) {
      const up = path.slice(0, n);
      if (kept(up) || !isEmptyContainer(valueAt(obj, up, schema))) break;
      removeAt(obj, up, schema);
    }
  }
}
