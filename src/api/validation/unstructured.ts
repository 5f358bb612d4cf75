/**
 * @module api/validation/unstructured
 * Typed, total readers over decoded JSON (`Record<string, unknown>`): a field of
 * the wrong JSON type reads as absent. Shared by validation and defaulting so
 * neither needs `any`. Writers (`ensureObj`, `ensureArr`) are for defaulting only.
 */

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asObj(v: unknown): Obj | undefined {
  return isObj(v) ? v : undefined;
}

export function getObj(o: Obj | undefined, k: string): Obj | undefined {
  return o === undefined ? undefined : asObj(o[k]);
}

/** The string at `k`, or "" when absent or not a string. */
export function getStr(o: Obj | undefined, k: string): string {
  const v = o?.[k];
  return typeof v === 'string' ? v : '';
}

export function getOptStr(o: Obj | undefined, k: string): string | undefined {
  const v = o?.[k];
  return typeof v === 'string' ? v : undefined;
}

/** The number at `k`, or 0 when absent (Go's zero value). */
export function getNum(o: Obj | undefined, k: string): number {
  const v = o?.[k];
  return typeof v === 'number' ? v : 0;
}

export function getOptNum(o: Obj | undefined, k: string): number | undefined {
  const v = o?.[k];
  return typeof v === 'number' ? v : undefined;
}

export function getOptBool(o: Obj | undefined, k: string): boolean | undefined {
  const v = o?.[k];
  return typeof v === 'boolean' ? v : undefined;
}

export function getArr(o: Obj | undefined, k: string): ReadonlyArray<unknown> {
  const v = o?.[k];
  return Array.isArray(v) ? v : [];
}

/** Array elements that are objects, with their original index. */
export function getObjArr(o: Obj | undefined, k: string): ReadonlyArray<Obj> {
  return getArr(o, k).map((x) => (isObj(x) ? x : {}));
}

export function getStrArr(o: Obj | undefined, k: string): ReadonlyArray<string> {
  return getArr(o, k).map((x) => (typeof x === 'string' ? x : ''));
}

/** True when `k` is present with a non-null value. */
export function has(o: Obj | undefined, k: string): boolean {
  return o !== undefined && o[k] !== undefined && o[k] !== null;
}

/** A string→string map (labels, selectors), insertion-ordered; undefined when absent. */
export function getStrMap(o: Obj | undefined, k: string): Readonly<Record<string, string>> | undefined {
  const v = o?.[k];
  if (!isObj(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, val] of Object.entries(v)) out[key] = typeof val === 'string' ? val : val === null || val === undefined ? '' : String(val);
  return out;
}

/** An `intstr.IntOrString` as decoded from JSON. */
export type IntOrString = { readonly type: 'int'; readonly int: number } | { readonly type: 'string'; readonly str: string };

export function getIntOrString(o: Obj | undefined, k: string): IntOrString | undefined {
  const v = o?.[k];
  if (typeof v === 'number') return { type: 'int', int: v };
  if (typeof v === 'string') return { type: 'string', str: v };
  return undefined;
}

/** Defaulting helper: the object at `k`, created when absent. */
export function ensureObj(o: Obj, k: string): Obj {
  const v = o[k];
  if (isObj(v)) return v;
  const fresh: Obj = {};
  o[k] = fresh;
  return fresh;
}

/** Defaulting helper: sets `k` to `value` when absent (undefined or null). */
export function setDefault(o: Obj, k: string, value: unknown): void {
  if (o[k] === undefined || o[k] === null) o[k] = value;
}

/** Defaulting helper: sets `k` when absent or the empty string (Go's "" zero value). */
export function setDefaultStr(o: Obj, k: string, value: string): void {
  if (o[k] === undefined || o[k] === null || o[k] === '') o[k] = value;
}

/**
 * Semantic deep equality as apimachinery's `Semantic.DeepEqual`: nil and
 * empty slices/maps are equal; absent, null and empty collections are equal.
 */
export function semanticEqual(a: unknown, b: unknown): boolean {
  const emptyish = (v: unknown): boolean =>
    v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0);
  if (emptyish(a) && emptyish(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (isObj(a) && isObj(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) if (!semanticEqual(a[key], b[key])) return false;
    return true;
  }
  return a === b;
}
