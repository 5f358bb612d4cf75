/**
 * @module apiserver/printers/table
 * Builds the `meta.k8s.io/v1` Table kube-apiserver returns for
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`: column definitions
 * (all priorities; kube-apiserver always generates wide), one row per object,
 * and each row's `object` per `includeObject` (default Metadata: a
 * PartialObjectMetadata carrying the object's full metadata). Pure; no I/O.
 *
 *   objects ──printRow──▶ cells (+ conditions) ──┐
 *   objects ──includeObject──▶ row.object ────────┴─▶ Table
 */
import { RESOURCES, groupVersion } from '../../api/resources.js';
import { columnsFor, printRow } from './registry.js';
import type { IncludeObjectPolicy, Table, TableRow } from './types.js';

/** Options of `buildTable`. */
export interface BuildTableOptions {
  /** The clock; ages are computed against it. */
  readonly now: Date;
  /** The list's resourceVersion (a single object's own resourceVersion for a GET). */
  readonly resourceVersion?: string;
  /** The list continue token, when paginating. */
  readonly continue?: string;
  /** The list's remainingItemCount, when known. */
  readonly remainingItemCount?: number;
  /** What each row's `object` holds; default 'Metadata'. */
  readonly includeObject?: IncludeObjectPolicy;
  /** Omit column definitions (`columnDefinitions: null`), as for every watch event after the first. */
  readonly noHeaders?: boolean;
  /** Generate wide rows (default true, as kube-apiserver does). */
  readonly wide?: boolean;
  /** Table group version; default v1. */
  readonly apiVersion?: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';
}

/** Type guard for a query-string `includeObject` value. */
export function isIncludeObjectPolicy(v: unknown): v is IncludeObjectPolicy {
  return v === 'None' || v === 'Object' || v === 'Metadata';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

/** The apiVersion of `groupKind` ("apps/Deployment" -> "apps/v1"), from the resource table. */
function apiVersionOf(groupKind: string): string | undefined {
  const slash = groupKind.indexOf('/');
  const group = groupKind.slice(0, slash);
  const kind = groupKind.slice(slash + 1);
  const r = RESOURCES.find((x) => x.group === group && x.kind === kind);
  return r ? groupVersion(r.group, r.version) : undefined;
}

/** A PartialObjectMetadata holding a copy of the object's metadata (meta.AsPartialObjectMetadata). */
export function partialObjectMetadata(obj: unknown, apiVersion = 'meta.k8s.io/v1'): Record<string, unknown> {
  const meta = isRecord(obj) && isRecord(obj['metadata']) ? clone(obj['metadata']) : {};
  return { kind: 'PartialObjectMetadata', apiVersion, metadata: meta };
}

function rowObject(groupKind: string, obj: unknown, policy: IncludeObjectPolicy, tableApiVersion: string): unknown {
  switch (policy) {
    case 'None':
      return null;
    case 'Metadata':
      return partialObjectMetadata(obj, tableApiVersion);
    case 'Object': {
      if (!isRecord(obj)) return clone(obj);
      const full = clone(obj);
      const apiVersion = apiVersionOf(groupKind);
      if (full['apiVersion'] === undefined && apiVersion) full['apiVersion'] = apiVersion;
      if (full['kind'] === undefined) full['kind'] = groupKind.slice(groupKind.indexOf('/') + 1);
      return full;
    }
    default: {
      const never: never = policy;
      throw new RangeError(`unrecognized includeObject value: "${String(never)}"`);
    }
  }
}

/** The Table for `objects` of `groupKind`, as kube-apiserver serialises it. */
export function buildTable(groupKind: string, objects: ReadonlyArray<unknown>, options: BuildTableOptions): Table {
  const policy = options.includeObject ?? 'Metadata';
  if (!isIncludeObjectPolicy(policy)) throw new RangeError(`unrecognized includeObject value: "${String(policy)}"`);
  const apiVersion = options.apiVersion ?? 'meta.k8s.io/v1';
  const wide = options.wide ?? true;
  const rows = objects.map((obj): TableRow => {
    const printed = printRow(groupKind, obj, options.now, { wide });
    // Key order as Go encodes TableRow: cells, conditions (omitempty), object.
    const object = rowObject(groupKind, obj, policy, apiVersion);
    if (printed.conditions && printed.conditions.length > 0) {
      return { cells: printed.cells, conditions: printed.conditions.map((c) => ({ ...c })), object };
    }
    return { cells: printed.cells, object };
  });
  const metadata: Table['metadata'] = {};
  if (options.resourceVersion) metadata.resourceVersion = options.resourceVersion;
  if (options.continue) metadata.continue = options.continue;
  if (options.remainingItemCount !== undefined) metadata.remainingItemCount = options.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion,
    metadata,
    columnDefinitions: options.noHeaders ? null : columnsFor(groupKind, { wide }).map((c) => ({ ...c })),
    rows,
  };
}
