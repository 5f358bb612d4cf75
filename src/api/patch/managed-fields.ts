/**
 * @module api/patch/managed-fields
 * `metadata.managedFields`: decoding the entries into per-manager field sets,
 * encoding them back in kube-apiserver's order, and the bookkeeping rules of
 * k8s.io/apiserver's fieldmanager that do not depend on the object: manager
 * identity, the cap on Update entries, and how a manager is named in a
 * conflict message. No I/O.
 *
 * Identity: an Apply entry is one per (manager, subresource); an Update entry
 * is one per (manager, apiVersion, subresource). The identifier is the JSON of
 * those fields, exactly as upstream's BuildManagerIdentifier makes it, so
 * sorting by it sorts as upstream does.
 */
import { FieldSet } from './fieldset.js';
import { isObject, type JsonObject } from './json.js';

export type Operation = 'Apply' | 'Update';

export interface ManagerEntry {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion: string;
  readonly subresource?: string;
  /** RFC 3339, seconds precision; absent when never stamped. */
  time?: string;
  set: FieldSet;
}

/** Managers keyed by their identifier (see managerId). */
export type Managed = Map<string, ManagerEntry>;

/** Upstream's manager identifier: JSON of manager, operation, apiVersion (Update only), subresource. */
export function managerId(e: { manager: string; operation: Operation; apiVersion: string; subresource?: string | undefined }): string {
  const id: Record<string, string> = { manager: e.manager, operation: e.operation };
  if (e.operation === 'Update' && e.apiVersion) id['apiVersion'] = e.apiVersion;
  if (e.subresource) id['subresource'] = e.subresource;
  return JSON.stringify(id);
}

/** Decodes `metadata.managedFields`; malformed entries are skipped, duplicates merged. */
export function decodeManagedFields(v: unknown): Managed {
  const m: Managed = new Map();
  if (!Array.isArray(v)) return m;
  for (const raw of v) {
    if (!isObject(raw)) continue;
    const { manager, operation, apiVersion, subresource, time, fieldsType, fieldsV1 } = raw;
    if (typeof manager !== 'string' || (operation !== 'Apply' && operation !== 'Update')) continue;
    if (fieldsType !== undefined && fieldsType !== 'FieldsV1') continue;
    const entry: ManagerEntry = {
      manager,
      operation,
      apiVersion: typeof apiVersion === 'string' ? apiVersion : '',
      ...(typeof subresource === 'string' && subresource ? { subresource } : {}),
      ...(typeof time === 'string' ? { time } : {}),
      set: FieldSet.fromFieldsV1(fieldsV1),
    };
    const id = managerId(entry);
    const prev = m.get(id);
    if (prev) prev.set = prev.set.union(entry.set);
    else m.set(id, entry);
  }
  return m;
}

const seconds = (t: string | undefined): number => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Encodes the managers as `metadata.managedFields`, sorted as upstream sorts them. */
export function encodeManagedFields(m: Managed): JsonObject[] {
  const entries = [...m.values()].filter((e) => !e.set.isEmpty());
  entries.sort(
    (p, q) =>
      cmp(p.operation, q.operation) ||
      seconds(p.time) - seconds(q.time) ||
      cmp(p.manager, q.manager) ||
      cmp(p.apiVersion, q.apiVersion) ||
      cmp(p.subresource ?? '', q.subresource ?? ''),
  );
  return entries.map((e) => {
    const out: JsonObject = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) out['time'] = e.time;
    out['fieldsType'] = 'FieldsV1';
    out['fieldsV1'] = e.set.toFieldsV1();
    if (e.subresource) out['subresource'] = e.subresource;
    return out;
  });
}

/** kube-apiserver's DefaultMaxUpdateManagers. */
export const MAX_UPDATE_MANAGERS = 10;
/** The manager the oldest Update entries are folded into. */
export const ANCIENT_CHANGES = 'ancient-changes';

/**
 * Keeps at most `max` Update entries: the oldest are folded, per apiVersion,
 * into an "ancient-changes" entry (upstream's capManagersManager).
 */
export function capUpdateManagers(m: Managed, max = MAX_UPDATE_MANAGERS): void {
  const updaters = [...m.entries()].filter(([, e]) => e.operation === 'Update').map(([id]) => id);
  if (updaters.length <= max) return;
  updaters.sort((a, b) => seconds(m.get(a)!.time) - seconds(m.get(b)!.time) || cmp(a, b));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i]!;
    const e = m.get(id)!;
    const bucketId = managerId({ manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: e.apiVersion });
    const first = firstByVersion.get(e.apiVersion);
    if (first === undefined) {
      firstByVersion.set(e.apiVersion, id);
      continue;
    }
    if (!m.has(bucketId)) {
      const f = m.get(first)!;
      m.delete(first);
      m.set(bucketId, { manager: ANCIENT_CHANGES, operation: 'Update', apiVersion: e.apiVersion, ...(f.time ? { time: f.time } : {}), set: f.set });
    }
    const bucket = m.get(bucketId)!;
    bucket.set = bucket.set.union(e.set);
    if (e.time) bucket.time = e.time;
    else delete bucket.time;
    m.delete(id);
    length--;
  }
}

/** How a conflict message names a manager: `"kubectl"`, `"x" using apps/v1`, `"x" with subresource "status"`. */
export function describeManager(e: { manager: string; operation: Operation; apiVersion: string; subresource?: string | undefined }): string {
  let s = JSON.stringify(e.manager);
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

/** RFC 3339 with seconds, as metav1.Time marshals. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
