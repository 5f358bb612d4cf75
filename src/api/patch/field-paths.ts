/**
 * @module api/patch/field-paths
 * Objects seen as sets of field paths, the way structured-merge-diff's typed
 * values are: which paths an applied configuration sets (`toFieldSet`), which
 * paths differ between two objects (`compareObjects`), and finding or removing
 * the value at a path. The list rules come from ./schema: associative lists
 * are addressed by key (`k:{"name":"web"}`), sets by value, atomic lists and
 * atomic structs are single leaves. No I/O.
 */
import { patchErrors } from './errors.js';
import { fieldPE, formatPath, FieldSet, indexPE, keyPE, valuePE, type FieldPath, type PathElement } from './fieldset.js';
import { deepEqual, hasOwn, isObject, type JsonObject, type JsonValue } from './json.js';
import { childSchema, isAtomicStruct, listKind, type FieldSchema } from './schema.js';

type Shape = 'scalar' | 'atomic' | 'map' | 'set' | 'assoc';

function shapeOf(v: JsonValue, s: FieldSchema | undefined): Shape {
  if (Array.isArray(v)) {
    const k = listKind(s).type;
    return k === 'atomic' ? 'atomic' : k === 'set' ? 'set' : 'assoc';
  }
  if (isObject(v)) return isAtomicStruct(s) ? 'atomic' : 'map';
  return 'scalar';
}

/** A schema problem in an applied object, reported as kube-apiserver's typed-conversion error. */
export class SchemaViolation extends Error {}

/**
 * The path element of each item of a list: by key for associative lists
 * (missing key fields take their declared default), by value for sets.
 * `strict` (applied configurations) refuses missing keys and duplicates;
 * otherwise (live objects) such items fall back to their index.
 */
export function listItemElements(list: JsonValue[], s: FieldSchema | undefined, path: FieldPath, strict: boolean): PathElement[] {
  const kind = listKind(s);
  const seen = new Set<PathElement>();
  return list.map((item, i) => {
    let pe: PathElement;
    if (kind.type === 'set') {
      pe = valuePE(item);
    } else if (kind.type === 'map') {
      if (!isObject(item)) {
        if (strict) throw new SchemaViolation(`${formatPath(path)}: element ${i}: associative list with keys may not have non-map elements`);
        return indexPE(i);
      }
      const key: Record<string, JsonValue> = {};
      for (const k of kind.keys) {
        const v = hasOwn(item, k) && item[k] !== null ? item[k] : kind.defaults[k];
        if (v === undefined) {
          if (strict) {
            throw new SchemaViolation(
              `${formatPath(path)}: element ${i}: associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`,
            );
          }
          return indexPE(i);
        }
        key[k] = v;
      }
      pe = keyPE(key);
    } else {
      pe = indexPE(i);
    }
    if (seen.has(pe)) {
      if (strict) throw new SchemaViolation(`${formatPath(path)}: duplicate entries for key ${formatPath([pe])}`);
      return indexPE(i);
    }
    seen.add(pe);
    return pe;
  });
}

/** The paths an (applied) object sets: leaves, list items, and empty or null fields. */
export function toFieldSet(obj: JsonObject, schema: FieldSchema | undefined, strict = true): FieldSet {
  const out = new FieldSet();
  const walk = (v: JsonValue, s: FieldSchema | undefined, path: PathElement[]): void => {
    const shape = shapeOf(v, s);
    if (shape === 'scalar' || shape === 'atomic') {
      if (path.length > 0) out.insert(path);
    } else if (shape === 'map') {
      for (const [k, c] of Object.entries(v as JsonObject)) {
        const cp = [...path, fieldPE(k)];
        walk(c, childSchema(s, k), cp);
        if (c === null || (isObject(c) && Object.keys(c).length === 0)) out.insert(cp);
      }
    } else {
      // set items are leaves; associative-list items are walked, and are members themselves
      const list = v as JsonValue[];
      const pes = listItemElements(list, s, path, strict);
      list.forEach((item, i) => {
        const ip = [...path, pes[i]!];
        if (shape === 'assoc') walk(item, s, ip);
        out.insert(ip);
      });
    }
  };
  walk(obj, schema, []);
  return out;
}

export interface Comparison {
  /** Paths present only in the new object (every node of an added subtree). */
  readonly added: FieldSet;
  /** Leaves present in both with different values. */
  readonly modified: FieldSet;
  /** Paths present only in the old object. */
  readonly removed: FieldSet;
}

function emptyLike(shape: Shape): JsonValue {
  return shape === 'map' ? {} : [];
}

/** What changed between `lhs` (old) and `rhs` (new), per path. */
export function compareObjects(lhs: JsonValue | undefined, rhs: JsonValue | undefined, schema: FieldSchema | undefined): Comparison {
  const c = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const walk = (l: JsonValue | undefined, r: JsonValue | undefined, s: FieldSchema | undefined, path: PathElement[]): void => {
    if (l === undefined && r === undefined) return;
    const sl = l === undefined ? undefined : shapeOf(l, s);
    const sr = r === undefined ? undefined : shapeOf(r, s);
    const container = (x: Shape | undefined) => x === 'map' || x === 'set' || x === 'assoc';
    // A null on one side of a container is an empty container of the other side's shape.
    if (l === null && container(sr)) l = emptyLike(sr!);
    else if (r === null && container(sl)) r = emptyLike(sl!);
    const shape = (r !== undefined ? shapeOf(r, s) : sl)!;
    const leaf = !container(shape) || (l !== undefined && r !== undefined && shapeOf(l, s) !== shape);
    if (leaf) {
      if (path.length === 0) return;
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
      else if (!deepEqual(l, r)) c.modified.insert(path);
      return;
    }
    if (shape === 'map') {
      const lo = (l ?? {}) as JsonObject;
      const ro = (r ?? {}) as JsonObject;
      for (const k of new Set([...Object.keys(lo), ...Object.keys(ro)])) {
        walk(hasOwn(lo, k) ? lo[k] : undefined, hasOwn(ro, k) ? ro[k] : undefined, childSchema(s, k), [...path, fieldPE(k)]);
      }
    } else {
      const ll = (l ?? []) as JsonValue[];
      const rl = (r ?? []) as JsonValue[];
      const lm = new Map<PathElement, JsonValue>();
      const rm = new Map<PathElement, JsonValue>();
      listItemElements(ll, s, path, false).forEach((pe, i) => lm.has(pe) || lm.set(pe, ll[i]!));
      listItemElements(rl, s, path, false).forEach((pe, i) => rm.has(pe) || rm.set(pe, rl[i]!));
      for (const pe of new Set([...lm.keys(), ...rm.keys()])) {
        const ip = [...path, pe];
        if (shape === 'set') {
          if (!lm.has(pe)) c.added.insert(ip);
          else if (!rm.has(pe)) c.removed.insert(ip);
        } else {
          walk(lm.get(pe), rm.get(pe), s, ip);
        }
      }
    }
    if (path.length > 0) {
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
    }
  };
  walk(lhs, rhs, schema, []);
  return c;
}

/** Where a path points inside an object: the containing map or list and the member. */
export type Location =
  | { readonly in: 'map'; readonly container: JsonObject; readonly key: string; readonly schema: FieldSchema | undefined; readonly parentSchema: FieldSchema | undefined }
  | { readonly in: 'list'; readonly container: JsonValue[]; readonly index: number; readonly schema: FieldSchema | undefined };

/** Finds the value at `path` (not the root); undefined when it is not there. */
export function locate(root: JsonObject, path: FieldPath, schema: FieldSchema | undefined): Location | undefined {
  let cur: JsonValue = root;
  let s = schema;
  let loc: Location | undefined;
  for (const pe of path) {
    if (pe.startsWith('f:')) {
      if (!isObject(cur)) return undefined;
      const key = pe.slice(2);
      if (!hasOwn(cur, key)) return undefined;
      const cs = childSchema(s, key);
      loc = { in: 'map', container: cur, key, schema: cs, parentSchema: s };
      cur = cur[key]!;
      s = cs;
    } else {
      if (!Array.isArray(cur)) return undefined;
      const index: number = pe.startsWith('i:') ? Number(pe.slice(2)) : listItemElements(cur, s, [], false).indexOf(pe);
      if (!(index >= 0 && index < cur.length)) return undefined;
      loc = { in: 'list', container: cur, index, schema: s };
      cur = cur[index]!;
    }
  }
  return loc;
}

/** Removes the value at `path`; true when something was removed. */
export function removeAt(root: JsonObject, path: FieldPath, schema: FieldSchema | undefined): boolean {
  const loc = locate(root, path, schema);
  if (!loc) return false;
  if (loc.in === 'map') delete loc.container[loc.key];
  else loc.container.splice(loc.index, 1);
  return true;
}

/** The value at `path`, or undefined. */
export function valueAt(root: JsonObject, path: FieldPath, schema: FieldSchema | undefined): JsonValue | undefined {
  if (path.length === 0) return root;
  const loc = locate(root, path, schema);
  if (!loc) return undefined;
  return loc.in === 'map' ? loc.container[loc.key] : loc.container[loc.index];
}

/** Wraps a schema violation of an applied object in kube-apiserver's words. */
export function typedPatchError(obj: JsonObject, why: string): Error {
  const meta = isObject(obj['metadata']) ? obj['metadata'] : {};
  const ns = typeof meta['namespace'] === 'string' ? meta['namespace'] : '';
  const name = typeof meta['name'] === 'string' ? meta['name'] : '';
  const apiVersion = typeof obj['apiVersion'] === 'string' ? obj['apiVersion'] : '';
  const gv = apiVersion.includes('/') ? apiVersion : `/${apiVersion}`;
  const kind = typeof obj['kind'] === 'string' ? obj['kind'] : '';
  return patchErrors.plain('ApplyFailed', `failed to create typed patch object (${ns}/${name}; ${gv}, Kind=${kind}): ${why}`);
}
