/**
 * @module api/patch/server-side-apply
 * Server-side apply (`PATCH` with `application/apply-patch+yaml`, what
 * `kubectl apply --server-side` sends) and the ownership records every other
 * write keeps, in `metadata.managedFields`, as kube-apiserver's fieldmanager
 * does. Pure: the caller decodes the body, reads and writes the store.
 *
 *   serverSideApply                             recordUpdate
 *   ---------------                             ------------
 *   check kind/version, no managedFields        managers from the new object,
 *   live without managers? -> "before-first-     else from the live one
 *     apply" owns everything it has             compare before/after:
 *   merge applied config into live                changed fields move to the
 *   prune what this manager applied last          updater, removed fields leave
 *     time and no longer does                     every manager
 *   changed fields owned by others? conflict    stamp the updater's time
 *     (unless force, or manager "kubectl"       cap Update entries at 10
 *      upgrading from client-side apply)        write managedFields
 *   applier owns exactly what it applied
 *   sync last-applied annotation ("kubectl")
 *   write managedFields
 *
 * Never recorded: apiVersion, kind, metadata.{name,namespace,uid,
 * resourceVersion,generation,creationTimestamp,selfLink,managedFields} and,
 * for kinds with a status subresource, status on the main resource (spec on
 * /status).
 */
import { patchErrors, type PatchError } from './errors.js';
import { compareObjects, toFieldSet, SchemaViolation, typedPatchError } from './field-paths.js';
import { FieldSet, formatPath, type FieldPath } from './fieldset.js';
import { clone, deepEqual, isObject, sortedJson, toJson, type JsonObject } from './json.js';
import {
  capUpdateManagers,
  decodeManagedFields,
  describeManager,
  encodeManagedFields,
  formatTime,
  managerId,
  type Managed,
  type ManagerEntry,
  type Operation,
} from './managed-fields.js';
import { kindSchema, KINDS_WITH_STATUS } from './schema.js';
import { mergeApplied, prune } from './ssa-merge.js';
import { zeroObject } from './zero-objects.js';

/** The annotation client-side apply keeps its last configuration in. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** The Update manager that takes ownership of an object's existing fields at its first apply. */
export const BEFORE_FIRST_APPLY = 'before-first-apply';

export interface ApplyConflict {
  readonly manager: string;
  readonly operation: Operation;
  readonly apiVersion: string;
  readonly subresource?: string;
  /** The field as kube-apiserver prints it: `.spec.replicas`, `.spec.ports[port=80,protocol="TCP"].targetPort`. */
  readonly field: string;
}

export interface ServerSideApplyInput {
  /** "group/Kind" of the resource ("apps/Deployment", "/Service"). */
  readonly groupKind: string;
  /** The stored object, or undefined when the apply creates it. */
  readonly live: unknown;
  /** The request body, decoded (YAML or JSON): the full intended configuration. */
  readonly applied: unknown;
  /** The `fieldManager` query parameter. */
  readonly manager: string;
  /** The `force` query parameter. */
  readonly force: boolean;
  readonly now: Date;
  /** The request's group-version ("apps/v1"); by default the live object's, else the applied one's. */
  readonly apiVersion?: string;
  readonly subresource?: string;
}

export type ServerSideApplyResult =
  | {
      /** The object to store (with managedFields). */
      readonly object: JsonObject;
      /** False when the result equals the live object (managedFields included): nothing to write. */
      readonly changed: boolean;
    }
  | {
      readonly conflicts: ReadonlyArray<ApplyConflict>;
      /** The 409 kube-apiserver answers with, causes included. */
      readonly error: PatchError;
    };

export interface RecordUpdateInput {
  readonly groupKind: string;
  /** The `fieldManager` of the request (or the user-agent prefix upstream falls back to). */
  readonly manager: string;
  /** The stored object; undefined for a create. */
  readonly before: unknown;
  /** The object about to be stored (after patching/updating, before defaulting is fine). */
  readonly after: unknown;
  readonly now: Date;
  readonly subresource?: string;
}

// ---- field filters --------------------------------------------------------------

const STRIPPED: FieldSet = FieldSet.of([
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((n) => [
    'f:metadata',
    `f:${n}`,
  ]),
]);

/** Fields never recorded for this write: system metadata, and status/spec across the subresource line. */
function recorded(set: FieldSet, groupKind: string, subresource: string | undefined): FieldSet {
  let s = set.difference(STRIPPED);
  if (subresource === 'status') s = s.withoutPrefix(['f:spec']);
  else if (!subresource && KINDS_WITH_STATUS.has(groupKind)) s = s.withoutPrefix(['f:status']);
  return s;
}

// ---- helpers ----------------------------------------------------------------------

function meta(o: JsonObject): JsonObject | undefined {
  const m = o['metadata'];
  return isObject(m) ? m : undefined;
}

function withoutManagedFields(o: JsonObject): JsonObject {
  const c = clone(o);
  const m = meta(c);
  if (m) delete m['managedFields'];
  return c;
}

function writeManagedFields(o: JsonObject, managed: Managed): void {
  const encoded = encodeManagedFields(managed);
  let m = meta(o);
  if (encoded.length === 0) {
    if (m) delete m['managedFields'];
    return;
  }
  if (!m) {
    m = {};
    o['metadata'] = m;
  }
  m['managedFields'] = encoded;
}

function cloneManaged(m: Managed): Managed {
  const out: Managed = new Map();
  for (const [id, e] of m) out.set(id, { ...e, set: e.set.clone() });
  return out;
}

function lastApplied(o: JsonObject): string | undefined {
  const a = meta(o)?.['annotations'];
  const v = isObject(a) ? a[LAST_APPLIED_ANNOTATION] : undefined;
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function parseGroupVersion(apiVersion: string): { group: string; version: string } {
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: parts[0]! };
  if (parts.length === 2) return { group: parts[0]!, version: parts[1]! };
  return { group: '', version: '' };
}

/**
 * The Update bookkeeping (upstream's Updater.Update through the
 * managedFieldsUpdater): fields the write changed move to `who`, fields it
 * removed leave everyone; `who` is stamped only when it gained fields.
 */
function recordChange(
  managed: Managed,
  before: JsonObject,
  after: JsonObject,
  who: { manager: string; apiVersion: string; subresource?: string | undefined },
  groupKind: string,
  now: Date,
): void {
  const cmp = compareObjects(before, after, kindSchema(groupKind));
  const changed = recorded(cmp.modified.union(cmp.added), groupKind, who.subresource);
  for (const [id, e] of managed) {
    e.set = e.set.difference(changed).difference(cmp.removed);
    if (e.set.isEmpty()) managed.delete(id);
  }
  if (changed.isEmpty()) return;
  const entry = { manager: who.manager, operation: 'Update' as const, apiVersion: who.apiVersion, ...(who.subresource ? { subresource: who.subresource } : {}) };
  const id = managerId(entry);
  const prev = managed.get(id);
  managed.set(id, { ...entry, time: formatTime(now), set: prev ? prev.set.union(changed) : changed });
}

/**
 * An applied configuration cannot move system metadata: a `creationTimestamp:
 * null` (as `kubectl create --dry-run -o yaml` writes) must not erase the live
 * value. resourceVersion stays as applied when given (a precondition).
 */
function keepSystemMetadata(live: JsonObject, merged: JsonObject): void {
  const lm = meta(live);
  const mm = meta(merged);
  if (!lm || !mm) return;
  for (const k of ['uid', 'creationTimestamp', 'generation', 'selfLink']) {
    if (lm[k] !== undefined) mm[k] = clone(lm[k]!);
  }
  if ((mm['resourceVersion'] === undefined || mm['resourceVersion'] === null) && lm['resourceVersion'] !== undefined) {
    mm['resourceVersion'] = lm['resourceVersion']!;
  }
}

// ---- updates ------------------------------------------------------------------------

/** True for `managedFields: []` or `[{}]`: the client asks to reset the records. */
function isReset(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  if (v.length === 0) return true;
  return v.length === 1 && isObject(v[0]) && Object.keys(v[0]).length === 0;
}

/**
 * Records an ordinary write (create, update, any non-apply patch) in
 * `metadata.managedFields` and returns the object to store. A create passes
 * `before: undefined`.
 */
export function recordUpdate(input: RecordUpdateInput): JsonObject {
  const after = toJson(input.after);
  if (!isObject(after)) throw patchErrors.badRequest('BodyNotDecodable', 'the object to record is not a JSON object');
  const beforeJ = input.before === undefined ? undefined : toJson(input.before);
  const before = isObject(beforeJ) ? beforeJ : undefined;

  // Whose records count: the request's, unless absent (clients that drop them) or on a subresource.
  const requested = meta(after)?.['managedFields'];
  let managed: Managed;
  if (input.subresource) managed = decodeManagedFields(before && meta(before)?.['managedFields']);
  else if (isReset(requested)) managed = new Map();
  else {
    managed = decodeManagedFields(requested);
    if (managed.size === 0) managed = decodeManagedFields(before && meta(before)?.['managedFields']);
  }

  const apiVersion = typeof after['apiVersion'] === 'string' ? after['apiVersion'] : typeof before?.['apiVersion'] === 'string' ? before['apiVersion'] : '';
  const base = before ? withoutManagedFields(before) : zeroObject(input.groupKind);
  const out = withoutManagedFields(after);
  recordChange(managed, base, out, { manager: input.manager, apiVersion, subresource: input.subresource }, input.groupKind, input.now);
  capUpdateManagers(managed);
  writeManagedFields(out, managed);
  return out;
}

// ---- apply ------------------------------------------------------------------------------

interface ApplyContext {
  readonly groupKind: string;
  readonly live: JsonObject; // without managedFields; {} on create
  readonly applied: JsonObject;
  readonly appliedSet: FieldSet;
  readonly managed: Managed;
  readonly manager: string;
  readonly apiVersion: string;
  readonly subresource: string | undefined;
}

type Attempt =
  | { readonly ok: true; readonly object: JsonObject; readonly managed: Managed; readonly objectChanged: boolean }
  | { readonly ok: false; readonly conflicts: Array<{ entry: ManagerEntry; path: FieldPath }> };

function applyOnce(ctx: ApplyContext, force: boolean): Attempt {
  const schema = kindSchema(ctx.groupKind);
  const managed = cloneManaged(ctx.managed);
  const myId = managerId({ manager: ctx.manager, operation: 'Apply', apiVersion: ctx.apiVersion, subresource: ctx.subresource });
  const previous = managed.get(myId);
  managed.set(myId, {
    manager: ctx.manager,
    operation: 'Apply',
    apiVersion: ctx.apiVersion,
    ...(ctx.subresource ? { subresource: ctx.subresource } : {}),
    ...(previous?.time ? { time: previous.time } : {}),
    set: ctx.appliedSet,
  });

  const merged = mergeApplied(ctx.live, ctx.applied, schema) as JsonObject;
  keepSystemMetadata(ctx.live, merged);
  if (previous) {
    let others = new FieldSet();
    for (const [id, e] of managed) if (id !== myId) others = others.union(e.set);
    prune(merged, previous.set, ctx.appliedSet, others, schema);
  }

  const cmp = compareObjects(ctx.live, merged, schema);
  const changed = recorded(cmp.modified.union(cmp.added), ctx.groupKind, ctx.subresource);
  const conflicts: Array<{ entry: ManagerEntry; path: FieldPath }> = [];
  const taken = new Map<string, FieldSet>();
  for (const [id, e] of managed) {
    if (id === myId) continue;
    const c = e.set.intersection(changed);
    if (c.isEmpty()) continue;
    taken.set(id, c);
    for (const path of c.paths()) conflicts.push({ entry: e, path });
  }
  if (conflicts.length > 0 && !force) return { ok: false, conflicts };

  for (const [id, e] of managed) {
    if (id !== myId) {
      const c = taken.get(id);
      e.set = (c ? e.set.difference(c) : e.set).difference(cmp.removed);
    }
    if (e.set.isEmpty()) managed.delete(id);
  }
  return { ok: true, object: merged, managed, objectChanged: !deepEqual(ctx.live, merged) };
}

/**
 * The fields client-side apply recorded in the last-applied annotation whose
 * values the live object still has: a "kubectl" apply may take those over
 * without a conflict (upstream's lastAppliedManager).
 */
function allowedFromLastApplied(ctx: ApplyContext): FieldSet | undefined {
  const raw = lastApplied(ctx.live);
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || parsed['apiVersion'] !== ctx.apiVersion) return undefined;
  const last = toJson(parsed) as JsonObject;
  const schema = kindSchema(ctx.groupKind);
  const cmp = compareObjects(last, ctx.live, schema);
  return toFieldSet(last, schema, false).difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
}

/** kube-apiserver's conflict message and Status causes. */
function conflictError(conflicts: ReadonlyArray<{ entry: ManagerEntry; path: FieldPath }>): PatchError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with ${describeManager(c.entry)}`,
    field: formatPath(c.path),
  }));
  if (conflicts.length === 1) {
    const c = conflicts[0]!;
    return patchErrors.applyConflict(`Apply failed with 1 conflict: conflict with ${describeManager(c.entry)}: ${formatPath(c.path)}`, causes);
  }
  const byManager = new Map<string, Array<{ entry: ManagerEntry; path: FieldPath }>>();
  for (const c of conflicts) {
    const id = managerId(c.entry);
    byManager.set(id, [...(byManager.get(id) ?? []), c]);
  }
  const lines: string[] = [];
  for (const id of [...byManager.keys()].sort()) {
    const list = byManager.get(id)!;
    lines.push(`conflicts with ${describeManager(list[0]!.entry)}`);
    for (const c of list) lines.push(`- ${formatPath(c.path)}`);
  }
  return patchErrors.applyConflict(`Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`, causes);
}

/** What the server stores in the last-applied annotation: the applied object without it, sorted JSON. */
function buildLastApplied(applied: JsonObject): string {
  const c = clone(applied);
  const m = meta(c);
  const a = m?.['annotations'];
  if (isObject(a)) delete a[LAST_APPLIED_ANNOTATION];
  return `${sortedJson(c)}\n`;
}

/**
 * Applies `applied` for `manager`: the merged object with updated
 * managedFields, or the conflicts (and the 409 to answer) when the apply would
 * change fields other managers own and `force` is false.
 * Throws `PatchError` for a malformed request (400) or an applied object that
 * does not fit the kind's list keys (500, as upstream).
 */
export function serverSideApply(input: ServerSideApplyInput): ServerSideApplyResult {
  const appliedJ = toJson(input.applied);
  if (!isObject(appliedJ)) {
    throw patchErrors.badRequest('ApplyBadRequest', 'error decoding YAML: the apply patch must be a single object');
  }
  const liveJ = input.live === undefined ? undefined : toJson(input.live);
  const liveIn = isObject(liveJ) ? liveJ : undefined;

  // The applied object must be of the request's kind and version.
  const [group = '', kind = ''] = input.groupKind.split('/');
  const appliedApiVersion = typeof appliedJ['apiVersion'] === 'string' ? appliedJ['apiVersion'] : '';
  const apiVersion = input.apiVersion ?? (typeof liveIn?.['apiVersion'] === 'string' ? liveIn['apiVersion'] : appliedApiVersion);
  const want = { ...parseGroupVersion(apiVersion), kind };
  const got = { ...parseGroupVersion(appliedApiVersion), kind: typeof appliedJ['kind'] === 'string' ? appliedJ['kind'] : '' };
  if (got.group !== group || got.group !== want.group || got.version !== want.version || got.kind !== want.kind) {
    throw patchErrors.badRequest('ApplyBadRequest', `invalid object type: ${got.group}/${got.version}, Kind=${got.kind}`);
  }
  const appliedMeta = meta(appliedJ);
  if (appliedMeta && appliedMeta['managedFields'] !== undefined && appliedMeta['managedFields'] !== null) {
    throw patchErrors.badRequest('ApplyBadRequest', 'metadata.managedFields must be nil');
  }
  if (appliedMeta && appliedMeta['managedFields'] === null) delete appliedMeta['managedFields'];

  const schema = kindSchema(input.groupKind);
  let appliedSet: FieldSet;
  try {
    appliedSet = recorded(toFieldSet(appliedJ, schema, true), input.groupKind, input.subresource);
  } catch (e) {
    if (e instanceof SchemaViolation) throw typedPatchError(appliedJ, e.message);
    throw e;
  }

  const live = liveIn ? withoutManagedFields(liveIn) : {};
  const managed = decodeManagedFields(liveIn && meta(liveIn)?.['managedFields']);
  if (liveIn && managed.size === 0) {
    recordChange(managed, zeroObject(input.groupKind), live, { manager: BEFORE_FIRST_APPLY, apiVersion }, input.groupKind, input.now);
  }

  const ctx: ApplyContext = {
    groupKind: input.groupKind,
    live,
    applied: appliedJ,
    appliedSet,
    managed,
    manager: input.manager,
    apiVersion,
    subresource: input.subresource,
  };
  let attempt = applyOnce(ctx, input.force);
  if (!attempt.ok && input.manager === 'kubectl') {
    // Upgrading from client-side apply: fields it applied and that still hold their value may be taken over.
    const allowed = allowedFromLastApplied(ctx);
    if (allowed) {
      const remaining = attempt.conflicts.filter((c) => !allowed.has(c.path));
      attempt = remaining.length === 0 ? applyOnce(ctx, true) : { ok: false, conflicts: remaining };
    }
  }
  if (!attempt.ok) {
    const conflicts = attempt.conflicts.map(({ entry, path }) => ({
      manager: entry.manager,
      operation: entry.operation,
      apiVersion: entry.apiVersion,
      ...(entry.subresource ? { subresource: entry.subresource } : {}),
      field: formatPath(path),
    }));
    return { conflicts, error: conflictError(attempt.conflicts) };
  }

  const object = attempt.object;
  const result = attempt.managed;
  const mine = result.get(managerId({ manager: input.manager, operation: 'Apply', apiVersion, subresource: input.subresource }));
  if (mine && (attempt.objectChanged || !mine.time)) mine.time = formatTime(input.now);
  if (input.manager === 'kubectl' && lastApplied(object) !== undefined) {
    (meta(object)!['annotations'] as JsonObject)[LAST_APPLIED_ANNOTATION] = buildLastApplied(appliedJ);
  }
  capUpdateManagers(result);
  writeManagedFields(object, result);
  return { object, changed: !deepEqual(liveIn, object) };
}
