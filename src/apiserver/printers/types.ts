/**
 * @module apiserver/printers/types
 * The wire shapes of a `meta.k8s.io/v1` Table (column definitions, rows, row
 * conditions) and the contract every per-kind printer implements. Data only.
 */

/** One column of a Table, exactly as kube-apiserver serialises `TableColumnDefinition`. */
export interface TableColumnDefinition {
  /** Human-readable name; kubectl prints it upper-cased as the header. */
  readonly name: string;
  /** OpenAPI type of the cells: "string", "integer", "number", "boolean", "date". */
  readonly type: string;
  /** OpenAPI format hint; "name" marks the column holding the object name. */
  readonly format: string;
  /** Description of the column (usually the field's API documentation). */
  readonly description: string;
  /** 0 = always shown; > 0 = shown only with `-o wide`. */
  readonly priority: number;
}

/** A cell value. Go prints `int64` cells as JSON numbers and strings as strings. */
export type Cell = string | number | boolean;

/** `metav1.TableRowCondition`; kube-apiserver sets `Completed` on finished pods. */
export interface TableRowCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

/** What a printer produces for one object: the cells and optional row conditions. */
export interface PrintedRow {
  readonly cells: Cell[];
  readonly conditions?: ReadonlyArray<TableRowCondition>;
}

/** Options a printer honours. kube-apiserver always generates with `wide: true`. */
export interface PrintOptions {
  /** Append the priority > 0 cells and do not clip load-balancer address lists. */
  readonly wide: boolean;
}

/**
 * A per-kind printer: the column list (all priorities, in order) and a pure
 * function turning one object into one row. With `wide: false` the row holds
 * exactly the cells of the priority-0 columns; with `wide: true` one cell per column.
 */
export interface Printer {
  readonly columns: ReadonlyArray<TableColumnDefinition>;
  print(obj: unknown, now: Date, options: PrintOptions): PrintedRow;
}

/** `includeObject` of `TableOptions`: what each row's `object` holds. */
export type IncludeObjectPolicy = 'None' | 'Object' | 'Metadata';

/** A row on the wire. `object` is `null` for `includeObject=None` (Go's RawExtension prints null). */
export interface TableRow {
  cells: Cell[];
  conditions?: TableRowCondition[];
  object: unknown;
}

/** The `meta.k8s.io/v1` (or v1beta1) Table kubectl renders. */
export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1' | 'meta.k8s.io/v1beta1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  /** `null` when headers are suppressed (every watch event after the first). */
  columnDefinitions: TableColumnDefinition[] | null;
  rows: TableRow[];
}
