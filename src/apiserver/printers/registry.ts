/**
 * @module apiserver/printers/registry
 * Which printer serves which group/kind ("/Pod", "apps/Deployment",
 * "events.k8s.io/Event"), plus the fallback for kinds without one (Name, Age).
 * `columnsFor` and `rowFor` are the lookups the Table builder and the watch
 * encoder use. Pure.
 */
import { deploymentPrinter, controllerRevisionPrinter, replicaSetPrinter } from './apps.js';
import { AGE_COLUMN, NAME_COLUMN } from './columns.js';
import { configMapPrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from './config.js';
import { translateTimestampSince } from './duration.js';
import { endpointSlicePrinter, endpointsPrinter } from './endpoints.js';
import { coreEventPrinter, eventsEventPrinter } from './event.js';
import { asKube } from './format.js';
import { ingressClassPrinter, ingressPrinter, networkPolicyPrinter } from './networking.js';
import { nodePrinter } from './node.js';
import { podPrinter } from './pod.js';
import { servicePrinter } from './service.js';
import type { Cell, PrintedRow, Printer, TableColumnDefinition } from './types.js';
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

/**
 * Fallback for kinds without a printer: Name and Age. (kube-apiserver's own
 * default convertor prints Name and "Created At" as an RFC 3339 date; Age reads
 * better in kubectl and matches every built-in printer.)
 */
export const fallbackPrinter: Printer = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  print(obj: unknown, now: Date): PrintedRow {
    const meta = asKube<{ metadata: ObjectMeta }>(obj).metadata;
    return { cells: [meta?.name ?? '', translateTimestampSince(meta?.creationTimestamp, now)] };
  },
};

const PRINTERS: ReadonlyMap<string, Printer> = new Map([
  ['/Pod', podPrinter],
  ['/Service', servicePrinter],
  ['/Endpoints', endpointsPrinter],
  ['/Namespace', namespacePrinter],
  ['/Node', nodePrinter],
  ['/ConfigMap', configMapPrinter],
  ['/Secret', secretPrinter],
  ['/ServiceAccount', serviceAccountPrinter],
  ['/Event', coreEventPrinter],
  ['events.k8s.io/Event', eventsEventPrinter],
  ['discovery.k8s.io/EndpointSlice', endpointSlicePrinter],
  ['apps/Deployment', deploymentPrinter],
  ['apps/ReplicaSet', replicaSetPrinter],
  ['apps/ControllerRevision', controllerRevisionPrinter],
  ['networking.k8s.io/Ingress', ingressPrinter],
  ['networking.k8s.io/IngressClass', ingressClassPrinter],
  ['networking.k8s.io/NetworkPolicy', networkPolicyPrinter],
]);

/** Options for `columnsFor` / `rowFor`. */
export interface RowOptions {
  /** Include the priority > 0 columns/cells (default true, as kube-apiserver always does). */
  readonly wide?: boolean;
}

/** The group/kinds with a dedicated printer, for discovery-style checks and tests. */
export function printedKinds(): ReadonlyArray<string> {
  return [...PRINTERS.keys()];
}

/** True when `groupKind` has a dedicated printer (false means the Name/Age fallback). */
export function hasPrinter(groupKind: string): boolean {
  return PRINTERS.has(groupKind);
}

/** The printer for "<group>/<Kind>", or the Name/Age fallback. */
export function printerFor(groupKind: string): Printer {
  return PRINTERS.get(groupKind) ?? fallbackPrinter;
}

/** Column definitions for a group/kind; without `wide` only the priority-0 ones. */
export function columnsFor(groupKind: string, options: RowOptions = {}): ReadonlyArray<TableColumnDefinition> {
  const cols = printerFor(groupKind).columns;
  return options.wide === false ? cols.filter((c) => c.priority === 0) : cols;
}

/** The full printed row (cells and row conditions) of one object. */
export function printRow(groupKind: string, obj: unknown, now: Date, options: RowOptions = {}): PrintedRow {
  return printerFor(groupKind).print(obj, now, { wide: options.wide ?? true });
}

/** The cells of one object's row, one per column of `columnsFor(groupKind, options)`. */
export function rowFor(groupKind: string, obj: unknown, now: Date, options: RowOptions = {}): Cell[] {
  return printRow(groupKind, obj, now, options).cells;
}
