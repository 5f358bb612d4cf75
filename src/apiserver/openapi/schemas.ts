/**
 * @module apiserver/openapi/schemas
 * The OpenAPI v3 component schemas of every kind kwire serves, loaded from the committed
 * `schemas.generated.json` (made at dev time by `scripts/gen-openapi.ts` from the
 * kubernetes-types .d.ts files; nothing here depends on a devDependency at runtime).
 *
 * Offers look-ups by name and by group/version/kind, `$ref` resolution and the
 * transitive closure of the schemas a set of roots needs. Read-only; no I/O beyond
 * the JSON import.
 */
import generated from './schemas.generated.json' with { type: 'json' };

/** One OpenAPI schema object, as plain JSON. */
export type Schema = { readonly [key: string]: unknown };

/** Prefix of every `$ref` in the documents. */
export const SCHEMA_REF_PREFIX = '#/components/schemas/';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function load(): ReadonlyMap<string, Schema> {
  const data: unknown = generated;
  if (!isRecord(data) || !isRecord(data.schemas)) throw new Error('schemas.generated.json: no "schemas" object');
  const out = new Map<string, Schema>();
  for (const [name, s] of Object.entries(data.schemas)) {
    if (!isRecord(s)) throw new Error(`schemas.generated.json: ${name} is not an object`);
    out.set(name, s);
  }
  return out;
}

/** Every component schema by its upstream name (`io.k8s.api.core.v1.Service`). */
export const SCHEMAS: ReadonlyMap<string, Schema> = load();

/** Where the generated data came from, e.g. `kubernetes-types@1.30.0`. */
export const SCHEMAS_SOURCE: string = (() => {
  const data: unknown = generated;
  return isRecord(data) && typeof data.source === 'string' ? data.source : 'unknown';
})();

const gvkKey = (group: string, version: string, kind: string): string => `${group}/${version}/${kind}`;

/** The `x-kubernetes-group-version-kind` entries of a schema. */
export function schemaGVKs(s: Schema): ReadonlyArray<{ group: string; version: string; kind: string }> {
  const list = s['x-kubernetes-group-version-kind'];
  if (!Array.isArray(list)) return [];
  const out: Array<{ group: string; version: string; kind: string }> = [];
  for (const e of list) {
    if (isRecord(e) && typeof e.group === 'string' && typeof e.version === 'string' && typeof e.kind === 'string') {
      out.push({ group: e.group, version: e.version, kind: e.kind });
    }
  }
  return out;
}

const BY_GVK: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const [name, s] of SCHEMAS) {
    for (const g of schemaGVKs(s)) {
      const k = gvkKey(g.group, g.version, g.kind);
      // Shared meta kinds (DeleteOptions in every group) must not shadow a real kind.
      if (!m.has(k)) m.set(k, name);
    }
  }
  return m;
})();

/** The schema name registered for a group/version/kind, e.g. ("apps","v1","Deployment"). */
export function schemaNameForGVK(group: string, version: string, kind: string): string | undefined {
  return BY_GVK.get(gvkKey(group, version, kind));
}

/** The schema name for an object's apiVersion ("apps/v1", "v1") and kind. */
export function schemaNameFor(apiVersion: string, kind: string): string | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return schemaNameForGVK(group, version, kind);
}

/** Resolves `#/components/schemas/<name>` to its schema, or undefined. */
export function resolveRef(ref: string): Schema | undefined {
  if (!ref.startsWith(SCHEMA_REF_PREFIX)) return undefined;
  return SCHEMAS.get(ref.slice(SCHEMA_REF_PREFIX.length));
}

/** Every schema name referenced (directly) anywhere inside `v`. */
function directRefs(v: unknown, out: Set<string>): void {
  if (Array.isArray(v)) {
    for (const x of v) directRefs(x, out);
  } else if (isRecord(v)) {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string' && x.startsWith(SCHEMA_REF_PREFIX)) out.add(x.slice(SCHEMA_REF_PREFIX.length));
      else directRefs(x, out);
    }
  }
}

/**
 * The names of `roots` plus every schema reachable from them (and from any `$ref`
 * inside `extra`, e.g. a document's paths), sorted. Unknown names are skipped.
 */
export function schemaClosure(roots: Iterable<string>, extra?: unknown): string[] {
  const seen = new Set<string>();
  const queue: string[] = [...roots];
  if (extra !== undefined) {
    const refs = new Set<string>();
    directRefs(extra, refs);
    queue.push(...refs);
  }
  while (queue.length > 0) {
    const name = queue.pop();
    if (name === undefined || seen.has(name)) continue;
    const s = SCHEMAS.get(name);
    if (!s) continue;
    seen.add(name);
    const refs = new Set<string>();
    directRefs(s, refs);
    for (const r of refs) if (!seen.has(r)) queue.push(r);
  }
  return [...seen].sort();
}
