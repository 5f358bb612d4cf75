/**
 * @module api/patch/strategic-merge
 * Strategic merge patch (`application/strategic-merge-patch+json`): the
 * server side of apimachinery's pkg/util/strategicpatch (StrategicMergeMapPatch),
 * driven by the merge-key table in ./schema.
 *
 * What a patch can say, per map:
 *   key: null                      delete the key
 *   key: {...}                     merge into the map (unless its strategy is replace)
 *   key: [...]                     replace the list, or merge it when the field's
 *                                  strategy is merge: by `patchMergeKey` for lists of
 *                                  maps, as a set for lists of primitives
 *   $patch: replace | delete       the whole map is the patch / becomes {}
 *   $retainKeys: [k...]            drop every original key not listed
 *   $setElementOrder/<list>: [...] final order of a merged list
 *   $deleteFromPrimitiveList/<list>: [v...]  remove these values from a set-like list
 * and per item of a merging list of maps: `$patch: delete` (remove by key) and
 * `$patch: replace` (the patch items are the whole list).
 *
 * Without $setElementOrder, items the patch adds are put in front of the
 * existing ones (upstream's mergeSortedSlice does this; kubectl always sends
 * $setElementOrder, so it sees the order it asked for).
 *
 * Errors follow kube-apiserver's interpretStrategicMergePatchError: malformed
 * directives are 400 BadRequest, lists of lists 422, anything else (a missing
 * merge key, an unknown $patch) a 500 carrying the Go message.
 *
 * Deliberate differences from upstream, all in edge cases: values added where
 * the original had nothing are cleaned (nulls and directives applied to an
 * empty value instead of stored raw); `$deleteFromPrimitiveList` on an absent
 * list is a no-op (upstream stores the deletion list as the value), and on a
 * list without merge strategy it still deletes (upstream replaces the list
 * with the deletion list).
 */
import { patchErrors } from './errors.js';
import { clone, goFormat, goJsonWord, goTypeName, hasOwn, isObject, pruneNulls, toJson, type JsonObject, type JsonValue } from './json.js';
import { childSchema, kindSchema, mergesLists, type FieldSchema } from './schema.js';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_PREFIX = '$deleteFromPrimitiveList';
const ORDER_PREFIX = '$setElementOrder';

const ERR_BAD_PRIMITIVE_LIST = 'invalid patch format of primitive list';
const ERR_BAD_RETAIN_KEYS = 'invalid patch format of retainKeys';
const ERR_BAD_ORDER_LIST = 'invalid patch format of setElementOrder list';

type ElemKind = 'map' | 'scalar';

const plain = (message: string) => patchErrors.plain('StrategicPatchFailed', message);
const badFormat = (message: string) => patchErrors.badRequest('StrategicPatchBadFormat', message);
const errNoMergeKey = (m: JsonObject, key: string) => plain(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);
const errBadArgType = (expected: string, actual: JsonValue | undefined) => plain(`expected a ${expected}, but received a ${goTypeName(actual)}`);
const MAP_TYPE = 'map[string]interface {}';
const SLICE_TYPE = '[]interface {}';

/**
 * Applies a strategic merge patch to a copy of `original`, using the merge keys
 * of `groupKind` ("apps/Deployment", "/Service"; see ./schema).
 */
export function applyStrategicMergePatch(groupKind: string, original: unknown, patch: unknown): JsonObject {
  return applyStrategicMergePatchWithSchema(kindSchema(groupKind), original, patch);
}

/** The same, with an explicit schema (a kind outside the table, or tests). */
export function applyStrategicMergePatchWithSchema(schema: FieldSchema, original: unknown, patch: unknown): JsonObject {
  const p = toJson(patch);
  const o = toJson(original);
  if (!isObject(o)) throw badFormat('invalid JSON document');
  if (p === null) return o; // encoding/json decodes `null` into an empty patch
  if (!isObject(p)) {
    throw patchErrors.badRequest('BodyNotDecodable', `json: cannot unmarshal ${goJsonWord(p)} into Go value of type map[string]interface {}`);
  }
  return mergeMap(o, p, schema);
}

/** Merges `patch` into `original` (both owned by the caller; both may be modified). */
function mergeMap(original: JsonObject, patch: JsonObject, schema: FieldSchema | undefined): JsonObject {
  if (hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    if (directive === 'replace') {
      delete patch[DIRECTIVE];
      return mergeMap({}, patch, schema);
    }
    if (directive === 'delete') return {};
    throw plain(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(patch)}`);
  }
  applyRetainKeys(original, patch);
  applySetElementOrders(original, patch, schema);

  for (const rawKey of Object.keys(patch)) {
    const patchV = patch[rawKey]!;
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_PREFIX)) {
      key = extractKey(rawKey, DELETE_PREFIX);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete original[key];
      continue;
    }
    const child = childSchema(schema, key);
    if (!hasOwn(original, key)) {
      if (isDeleteList) continue;
      const added = fromNothing(patchV, child);
      if (added !== undefined) original[key] = added;
      continue;
    }
    const origV = original[key]!;
    if (isObject(origV) && isObject(patchV)) {
      original[key] = child?.patchStrategy === 'replace' ? fromNothingMap(patchV, child) : mergeMap(origV, patchV, child);
    } else if (Array.isArray(origV) && Array.isArray(patchV)) {
      original[key] = mergesLists(child) || isDeleteList ? mergeSlice(origV, patchV, child, isDeleteList) : pruneNulls(patchV);
    } else {
      // different kinds (or scalars): the patch value wins, as if there had been nothing
      const replaced = fromNothing(patchV, child);
      if (replaced === undefined) delete original[key];
      else original[key] = replaced;
    }
  }
  return original;
}

/** The result of applying a patch value where the original has no value at all. */
function fromNothing(v: JsonValue, schema: FieldSchema | undefined): JsonValue | undefined {
  if (isObject(v)) {
    if (v[DIRECTIVE] === 'delete') return undefined;
    return fromNothingMap(v, schema);
  }
  if (Array.isArray(v)) return mergesLists(schema) ? mergeSlice([], v, schema, false) : pruneNulls(v);
  return v;
}

function fromNothingMap(v: JsonObject, schema: FieldSchema | undefined): JsonObject {
  return mergeMap({}, v, schema);
}

/** "$setElementOrder/containers" -> "containers"; a malformed key is a 400. */
function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    throw badFormat(prefix === DELETE_PREFIX ? ERR_BAD_PRIMITIVE_LIST : ERR_BAD_ORDER_LIST);
  }
  return s.slice(slash + 1);
}

/** `$retainKeys`: every non-null patch key must be listed; original keys not listed are dropped. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasOwn(patch, RETAIN_KEYS)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw badFormat(ERR_BAD_RETAIN_KEYS);
  const keep = new Set<JsonValue>(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_PREFIX) || k.startsWith(ORDER_PREFIX)) continue;
    if (!keep.has(k)) throw badFormat(ERR_BAD_RETAIN_KEYS);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * `$setElementOrder/<list>`: merges the list now (together with its patch
 * list, which is then removed from the patch) and puts the result in the
 * order given; items not named keep their place relative to the live order.
 */
function applySetElementOrders(original: JsonObject, patch: JsonObject, schema: FieldSchema | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(ORDER_PREFIX)) continue;
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw errBadArgType(SLICE_TYPE, order);
    const field = extractKey(key, ORDER_PREFIX);
    const hasOrig = hasOwn(original, field);
    const hasPatch = hasOwn(patch, field);
    const origV = original[field];
    const patchV = patch[field];
    if (hasOrig && !Array.isArray(origV)) throw errBadArgType(SLICE_TYPE, origV);
    if (hasPatch && !Array.isArray(patchV)) throw errBadArgType(SLICE_TYPE, patchV);
    const origList = Array.isArray(origV) ? origV : [];
    const patchList = Array.isArray(patchV) ? patchV : [];
    const child = childSchema(schema, field);
    const mergeKey = child?.patchMergeKey ?? '';
    validatePatchWithSetOrderList(patchList, order, mergeKey);
    if (!hasOrig && !hasPatch) continue;
    delete patch[field];
    if (!mergesLists(child)) {
      original[field] = hasPatch ? pruneNulls(patchList) : origList;
      continue;
    }
    const merged = hasPatch ? mergeSlice(origList, patchList, child, false) : origList;
    if (merged.length === 0) {
      original[field] = merged;
      continue;
    }
    const kind = sliceElementType([origList, patchList]);
    const [patchItems, serverOnly] = mergeKey ? partitionMaps(merged, order, mergeKey) : partitionPrimitives(merged, order);
    original[field] = normalizeElementOrder(patchItems, serverOnly, order, origList, mergeKey, kind);
  }
}

/** The order of items in the patch list must agree with $setElementOrder (deletions aside). */
function validatePatchWithSetOrderList(patchList: JsonValue[], order: JsonValue[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? extractToDeleteItems(patchList)[0] : patchList;
  let pi = 0;
  let si = 0;
  while (pi < nonDelete.length && si < order.length) {
    const item = nonDelete[pi]!;
    if (isObject(item) && hasOwn(item, DIRECTIVE)) {
      pi++;
      continue;
    }
    if (mergeKeyValueEqual(item, order[si]!, mergeKey)) pi++;
    si++;
  }
  if (pi < nonDelete.length && si >= order.length) {
    throw plain(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${ORDER_PREFIX} list:\n${goFormat(order)}\n`);
  }
}

function mergeKeyValueEqual(left: JsonValue, right: JsonValue, mergeKey: string): boolean {
  if (!mergeKey) return left === right;
  if (!isObject(left)) throw errBadArgType(MAP_TYPE, left);
  if (!isObject(right)) throw errBadArgType(MAP_TYPE, right);
  if (!hasOwn(left, mergeKey)) throw errNoMergeKey(left, mergeKey);
  if (!hasOwn(right, mergeKey)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** All items of all lists share one kind; lists of lists are refused (422). */
function sliceElementType(lists: JsonValue[][]): ElemKind {
  let prev: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const t = Array.isArray(v) ? 'slice' : isObject(v) ? 'map' : v === null ? 'nil' : typeof v;
      if (prev === undefined) {
        if (t === 'slice') throw patchErrors.unprocessable('StrategicPatchUnprocessable', 'lists of lists are not supported');
        prev = t;
      } else if (prev !== t) {
        throw plain(`list element types are not identical: ${goFormat(lists)}`);
      }
    }
  }
  if (prev === undefined) throw plain('no elements in any of the given slices');
  return prev === 'map' ? 'map' : 'scalar';
}

/** Merges two lists under the merge strategy (inputs are not modified). */
function mergeSlice(original: JsonValue[], patch: JsonValue[], schema: FieldSchema | undefined, isDeleteList: boolean): JsonValue[] {
  if (original.length === 0 && patch.length === 0) return [];
  const kind = sliceElementType([original, patch]);
  const mergeKey = schema?.patchMergeKey ?? '';
  let orig = original.slice();
  let p = patch;
  let merged: JsonValue[];
  if (kind === 'scalar') {
    if (isDeleteList) return deleteFromSlice(orig, p);
    merged = dedupe([...orig, ...p]);
  } else {
    if (!mergeKey) throw plain('cannot merge lists without merge key for type struct');
    [orig, p] = mergeSliceWithSpecialElements(orig, p, mergeKey, schema);
    merged = mergeSliceWithoutSpecialElements(orig, p, mergeKey, schema);
  }
  const [patchItems, serverOnly] = mergeKey ? partitionMaps(merged, p, mergeKey) : partitionPrimitives(merged, p);
  return normalizeElementOrder(patchItems, serverOnly, p, orig, mergeKey, kind);
}

/** Handles `$patch: delete|replace` items; returns the new original and the remaining patch items. */
function mergeSliceWithSpecialElements(
  original: JsonValue[],
  patch: JsonValue[],
  mergeKey: string,
  schema: FieldSchema | undefined,
): [JsonValue[], JsonValue[]] {
  const rest: JsonValue[] = [];
  let replace = false;
  let orig = original;
  for (const v of patch) {
    if (!isObject(v)) throw errBadArgType(MAP_TYPE, v);
    if (!hasOwn(v, DIRECTIVE)) {
      rest.push(v);
      continue;
    }
    const directive = v[DIRECTIVE];
    if (directive === 'delete') {
      if (!hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
      const value = v[mergeKey];
      orig = orig.filter((item, i) => {
        if (!isObject(item)) throw plain(`value for key ${i} is not a map.`);
        return !(hasOwn(item, mergeKey) && item[mergeKey] === value);
      });
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw plain('merging lists cannot yet be specified in the patch');
    } else {
      throw plain(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(v)}`);
    }
  }
  if (replace) return [rest.map((item) => fromNothingMap(item as JsonObject, schema)), []];
  return [orig, rest];
}

/** Merges each patch item into the original item with the same key, or appends it. */
function mergeSliceWithoutSpecialElements(
  original: JsonValue[],
  patch: JsonValue[],
  mergeKey: string,
  schema: FieldSchema | undefined,
): JsonValue[] {
  const out = original.slice();
  for (const v of patch) {
    const item = v as JsonObject; // checked by mergeSliceWithSpecialElements
    if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    const idx = findByKey(out, mergeKey, item[mergeKey]!);
    if (idx >= 0) out[idx] = mergeMap(clone(out[idx] as JsonObject), clone(item), schema);
    else out.push(fromNothingMap(clone(item), schema));
  }
  return out;
}

function findByKey(list: JsonValue[], mergeKey: string, value: JsonValue): number {
  for (let i = 0; i < list.length; i++) {
    const item = list[i];
    if (!isObject(item)) throw plain(`value for key ${i} is not a map.`);
    if (hasOwn(item, mergeKey) && item[mergeKey] === value) return i;
  }
  return -1;
}

function deleteFromSlice(current: JsonValue[], toDelete: JsonValue[]): JsonValue[] {
  const drop = new Set(toDelete);
  return current.filter((v) => !drop.has(v));
}

function dedupe(list: JsonValue[]): JsonValue[] {
  const seen = new Set<JsonValue>();
  return list.filter((v) => (seen.has(v) ? false : (seen.add(v), true)));
}

function extractToDeleteItems(list: JsonValue[]): [JsonValue[], JsonValue[]] {
  const keep: JsonValue[] = [];
  const del: JsonValue[] = [];
  for (const v of list) {
    if (!isObject(v)) throw errBadArgType(MAP_TYPE, v);
    (v[DIRECTIVE] === 'delete' ? del : keep).push(v);
  }
  return [keep, del];
}

function partitionPrimitives(list: JsonValue[], by: JsonValue[]): [JsonValue[], JsonValue[]] {
  const inPatch = new Set(by);
  return [list.filter((v) => inPatch.has(v)), list.filter((v) => !inPatch.has(v))];
}

function partitionMaps(list: JsonValue[], by: JsonValue[], mergeKey: string): [JsonValue[], JsonValue[]] {
  const patchItems: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const v of list) {
    if (!isObject(v)) throw errBadArgType(MAP_TYPE, v);
    if (!hasOwn(v, mergeKey)) throw errNoMergeKey(v, mergeKey);
    (findByKey(by, mergeKey, v[mergeKey]!) >= 0 ? patchItems : serverOnly).push(v);
  }
  return [patchItems, serverOnly];
}

/** Position of `v` in `list`, comparing merge-key values for maps, values otherwise. */
function indexIn(list: JsonValue[], v: JsonValue, mergeKey: string, kind: ElemKind): number {
  const val = (x: JsonValue): JsonValue | undefined => (kind === 'map' ? (isObject(x) ? x[mergeKey] : undefined) : x);
  const want = val(v);
  for (let i = 0; i < list.length; i++) if (val(list[i]!) === want) return i;
  return -1;
}

/** Sorts `toSort` by position in `order` (stable); `$patch: delete` items go last. */
function normalizeSliceOrder(toSort: JsonValue[], order: JsonValue[], mergeKey: string, kind: ElemKind): JsonValue[] {
  let del: JsonValue[] = [];
  let items = toSort;
  if (kind === 'map') {
    for (const list of [toSort, order]) {
      for (const item of list) {
        if (!isObject(item)) throw errBadArgType(MAP_TYPE, item);
        if (!hasOwn(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      }
    }
    [items, del] = extractToDeleteItems(toSort);
  }
  const pos = (x: JsonValue) => {
    const i = indexIn(order, x, mergeKey, kind);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const sorted = items
    .map((v, i) => ({ v, i, p: pos(v) }))
    .sort((a, b) => a.p - b.p || a.i - b.i)
    .map((x) => x.v);
  return [...sorted, ...del];
}

function normalizeElementOrder(
  patchItems: JsonValue[],
  serverOnly: JsonValue[],
  patchOrder: JsonValue[],
  serverOrder: JsonValue[],
  mergeKey: string,
  kind: ElemKind,
): JsonValue[] {
  const p = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

/**
 * Interleaves server-only items (left) with patch items (right), both already
 * sorted. A server-only item goes first only when both items are in the live
 * list and it came earlier there; so new patch items land before the rest.
 */
function mergeSortedSlice(left: JsonValue[], right: JsonValue[], serverOrder: JsonValue[], mergeKey: string, kind: ElemKind): JsonValue[] {
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]!);
    else if (j >= right.length) out.push(left[i++]!);
    else {
      const li = indexIn(serverOrder, left[i]!, mergeKey, kind);
      const ri = indexIn(serverOrder, right[j]!, mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]!);
      else out.push(right[j++]!);
    }
  }
  return out;
}
