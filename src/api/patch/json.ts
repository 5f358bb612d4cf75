/**
 * @module api/patch/json
 * JSON value types and the small helpers every patch module shares: checked
 * deep copies of `unknown` input, structural equality, and Go-style formatting
 * (`%v` of a decoded map) so error messages read as kube-apiserver writes them.
 * Pure; nothing here knows about Kubernetes kinds.
 */

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

/**
 * A deep, mutable copy of `v` as JSON. `undefined` members are dropped (as
 * JSON.stringify does); functions, symbols, bigints and non-finite numbers are
 * rejected with a TypeError, since they can never arrive on the wire.
 */
export function toJson(v: unknown): JsonValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`not a JSON number: ${v}`);
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : toJson(x)));
  if (typeof v === 'object') {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) {
      if (x !== undefined) out[k] = toJson(x);
    }
    return out;
  }
  throw new TypeError(`not a JSON value: ${typeof v}`);
}

/** Deep copy of a value already known to be JSON. */
export function clone<T extends JsonValue>(v: T): T {
  return structuredClone(v);
}

/** Structural equality; key order of objects is irrelevant, list order is not. */
export function deepEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!hasOwn(b, k) || !deepEqual(a[k], b[k])) return false;
    return true;
  }
  return false;
}

/** Compact JSON with object keys sorted, as Go's encoding/json writes a map. */
export function sortedJson(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${sortedJson(v[k]!)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Go's `%v` of a value decoded into interface{}: `map[a:1 b:[x y]]`. */
export function goFormat(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  const keys = Object.keys(v).sort();
  return `map[${keys.map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
}

/** The Go type name reflect.TypeOf prints for a decoded JSON value. */
export function goTypeName(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return '%!s(<nil>)';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (Array.isArray(v)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** The word encoding/json uses for a JSON value in "cannot unmarshal X into ...". */
export function goJsonWord(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  return Array.isArray(v) ? 'array' : 'object';
}

/**
 * Removes `null` members of objects, recursively (also inside arrays; null
 * array elements stay). What decoding into a typed object and encoding it again
 * does to an omitempty field, and what evanphx/json-patch's pruneNulls does.
 */
export function pruneNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map((x) => (x === null ? null : pruneNulls(x)));
  if (isObject(v)) {
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = pruneNulls(x);
    return out;
  }
  return v;
}
