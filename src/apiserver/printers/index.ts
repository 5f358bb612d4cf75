/**
 * @module apiserver/printers
 * Server-side Table printing for `kubectl get`: per-kind column definitions
 * and cells computed exactly as kube-apiserver's internal printers do, the
 * Table builder, and apimachinery's HumanDuration. Pure functions only; the
 * HTTP layer decides when a Table is wanted and encodes it.
 */
export { buildTable, isIncludeObjectPolicy, partialObjectMetadata } from './table.js';
export type { BuildTableOptions } from './table.js';
export { columnsFor, rowFor, printRow, printerFor, hasPrinter, printedKinds, fallbackPrinter } from './registry.js';
export type { RowOptions } from './registry.js';
export { humanDuration, shortHumanDuration, translateTimestampSince } from './duration.js';
export type {
  Cell,
  IncludeObjectPolicy,
  PrintedRow,
  Printer,
  PrintOptions,
  Table,
  TableColumnDefinition,
  TableRow,
  TableRowCondition,
} from './types.js';
