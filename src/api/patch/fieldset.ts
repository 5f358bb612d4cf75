/**
 * @module api/patch/fieldset
 * Sets of field paths, the unit of ownership in server-side apply, with the
 * FieldsV1 wire form of `metadata.managedFields[].fieldsV1`
 * (sigs.k8s.io/structured-merge-diff fieldpath). No I/O.
 *
 * A path is a list of path elements (PEs), each in its FieldsV1 spelling:
 *   f:<name>          a field of a struct or map        ("f:spec", "f:app")
 *   k:<json>          an item of an associative list   ('k:{"name":"web"}')
 *   v:<json>          an item of a set                 ('v:"example.com/fin"')
 *   i:<n>             an item by position (lists without keys)
 *
 * The set is a tree: a node is a *member* when the path to it is in the set,
 * and may have children. In FieldsV1 a member with children carries ".": {}.
 *
 *   {"f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:containers":
 *     {"k:{\"name\":\"web\"}": {".": {}, "f:image": {}}}}}}}
 */
import { isObject, sortedJson, type JsonObject, type JsonValue } from './json.js';

export type PathElement = string;
export type FieldPath = ReadonlyArray<PathElement>;

export class FieldSet {
  member = false;
  readonly children = new Map<PathElement, FieldSet>();

  /** Parses a FieldsV1 object; unknown shapes are ignored. */
  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    if (!isObject(v)) return s;
    for (const [k, child] of Object.entries(v)) {
      if (k === '.') continue;
      const c = FieldSet.fromFieldsV1(child);
      const hasChildren = isObject(child) && Object.keys(child).some((x) => x !== '.');
      c.member = !hasChildren || (isObject(child) && '.' in child);
      s.children.set(k, c);
    }
    return s;
  }

  /** The FieldsV1 form, children in structured-merge-diff's order. */
  toFieldsV1(): JsonObject {
    const out: JsonObject = {};
    for (const pe of sortPathElements([...this.children.keys()])) {
      const c = this.children.get(pe)!;
      const inner = c.toFieldsV1();
      out[pe] = c.member && c.children.size > 0 ? { '.': {}, ...inner } : inner;
    }
    return out;
  }

  static of(paths: Iterable<FieldPath>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  isEmpty(): boolean {
    return !this.member && this.children.size === 0;
  }

  insert(path: FieldPath): void {
    let n: FieldSet = this;
    for (const pe of path) {
      let c = n.children.get(pe);
      if (!c) {
        c = new FieldSet();
        n.children.set(pe, c);
      }
      n = c;
    }
    n.member = true;
  }

  /** The node at `path`, if any. */
  node(path: FieldPath): FieldSet | undefined {
    let n: FieldSet | undefined = this;
    for (const pe of path) {
      n = n.children.get(pe);
      if (!n) return undefined;
    }
    return n;
  }

  has(path: FieldPath): boolean {
    return this.node(path)?.member ?? false;
  }

  /** True when `path` or anything below it is a member. */
  hasAtOrBelow(path: FieldPath): boolean {
    const n = this.node(path);
    return n !== undefined && !n.isEmpty();
  }

  clone(): FieldSet {
    const s = new FieldSet();
    s.member = this.member;
    for (const [k, c] of this.children) s.children.set(k, c.clone());
    return s;
  }

  union(o: FieldSet): FieldSet {
    const s = this.clone();
    s.addAll(o);
    return s;
  }

  private addAll(o: FieldSet): void {
    this.member ||= o.member;
    for (const [k, oc] of o.children) {
      const c = this.children.get(k);
      if (c) c.addAll(oc);
      else this.children.set(k, oc.clone());
    }
  }

  /** Members of this set that are not members of `o`. */
  difference(o: FieldSet): FieldSet {
    const s = new FieldSet();
    s.member = this.member && !o.member;
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      const d = oc ? c.difference(oc) : c.clone();
      if (!d.isEmpty()) s.children.set(k, d);
    }
    return s;
  }

  /** Members in both sets. */
  intersection(o: FieldSet): FieldSet {
    const s = new FieldSet();
    s.member = this.member && o.member;
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      if (!oc) continue;
      const i = c.intersection(oc);
      if (!i.isEmpty()) s.children.set(k, i);
    }
    return s;
  }

  /** This set without `path` and everything below it. */
  withoutPrefix(path: FieldPath): FieldSet {
    const s = this.clone();
    if (path.length === 0) return new FieldSet();
    const parent = s.node(path.slice(0, -1));
    parent?.children.delete(path[path.length - 1]!);
    return s.pruned();
  }

  /** Drops nodes that are neither members nor have members below. */
  private pruned(): FieldSet {
    for (const [k, c] of [...this.children]) {
      c.pruned();
      if (c.isEmpty()) this.children.delete(k);
    }
    return this;
  }

  /** Member paths, in structured-merge-diff's iteration order (members first, then children). */
  paths(prefix: PathElement[] = []): FieldPath[] {
    const out: FieldPath[] = [];
    const keys = sortPathElements([...this.children.keys()]);
    for (const k of keys) if (this.children.get(k)!.member) out.push([...prefix, k]);
    for (const k of keys) {
      const c = this.children.get(k)!;
      if (c.children.size > 0) out.push(...c.paths([...prefix, k]));
    }
    return out;
  }

  equals(o: FieldSet): boolean {
    if (this.member !== o.member || this.children.size !== o.children.size) return false;
    for (const [k, c] of this.children) {
      const oc = o.children.get(k);
      if (!oc || !c.equals(oc)) return false;
    }
    return true;
  }
}

// ---- path elements -------------------------------------------------------------

export const fieldPE = (name: string): PathElement => `f:${name}`;
/** 'k:{"containerPort":80,"protocol":"TCP"}' (key fields sorted by name). */
export const keyPE = (key: Readonly<Record<string, JsonValue>>): PathElement => `k:${sortedJson({ ...key })}`;
export const valuePE = (v: JsonValue): PathElement => `v:${sortedJson(v)}`;
export const indexPE = (i: number): PathElement => `i:${i}`;

const TYPE_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function parseJson(s: string): JsonValue | undefined {
  try {
    return JSON.parse(s) as JsonValue;
  } catch {
    return undefined;
  }
}

/** structured-merge-diff's value.Compare: numbers < strings < bools < lists < maps < null. */
function compareValues(a: JsonValue | undefined, b: JsonValue | undefined): number {
  const rank = (v: JsonValue | undefined) =>
    typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : Array.isArray(v) ? 3 : isObject(v) ? 4 : 5;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = a === undefined ? '' : sortedJson(a);
  const sb = b === undefined ? '' : sortedJson(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Orders path elements as structured-merge-diff does: fields, keys, values, indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const ta = TYPE_ORDER[a[0]!] ?? 4;
  const tb = TYPE_ORDER[b[0]!] ?? 4;
  if (ta !== tb) return ta - tb;
  const ra = a.slice(2);
  const rb = b.slice(2);
  if (a[0] === 'f') return ra < rb ? -1 : ra > rb ? 1 : 0;
  if (a[0] === 'i') return Number(ra) - Number(rb);
  if (a[0] === 'v') return compareValues(parseJson(ra), parseJson(rb));
  if (a[0] === 'k') {
    const ka = parseJson(ra);
    const kb = parseJson(rb);
    if (isObject(ka) && isObject(kb)) {
      const fa = Object.keys(ka).sort();
      const fb = Object.keys(kb).sort();
      for (let i = 0; ; i++) {
        if (i >= fa.length && i >= fb.length) return 0;
        if (i >= fb.length) return 1;
        if (i >= fa.length) return -1;
        if (fa[i] !== fb[i]) return fa[i]! < fb[i]! ? -1 : 1;
        const c = compareValues(ka[fa[i]!], kb[fb[i]!]);
        if (c !== 0) return c;
      }
    }
  }
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

export function sortPathElements(pes: PathElement[]): PathElement[] {
  return pes.sort(comparePathElements);
}

/** structured-merge-diff's value.ToString: strings quoted, maps as {k=v}. */
function valueToString(v: JsonValue | undefined): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  return `{${Object.keys(v)
    .map((k) => `${k}=${valueToString(v[k])}`)
    .join(';')}}`;
}

/** A path as kube-apiserver prints it in conflicts: `.spec.template.spec.containers[name="web"].image`. */
export function formatPath(path: FieldPath): string {
  return path
    .map((pe) => {
      const rest = pe.slice(2);
      switch (pe[0]) {
        case 'f':
          return `.${rest}`;
        case 'k': {
          const k = parseJson(rest);
          if (!isObject(k)) return `[${rest}]`;
          return `[${Object.keys(k)
            .sort()
            .map((n) => `${n}=${valueToString(k[n])}`)
            .join(',')}]`;
        }
        case 'v':
          return `[=${valueToString(parseJson(rest))}]`;
        case 'i':
          return `[${rest}]`;
        default:
          return pe;
      }
    })
    .join('');
}
