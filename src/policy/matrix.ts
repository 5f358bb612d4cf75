/**
 * @module policy/matrix
 * Who can reach whom: one truth table per (port, protocol) over the pods of
 * the chosen namespaces (rows = from, columns = to), computed with the
 * engine's boolean fast path, plus the text (upstream probe layout), JSON and
 * CSV renderers. Host-network pods are left out (they are their node, not a
 * pod-network endpoint). Pure: reads the engine, no I/O.
 */

import type { PolicyEngine } from './engine.js';
import { printTruthTable, type TruthTable } from './truth-table.js';
import type { PodInfo, Protocol } from './types.js';

export interface MatrixQuery {
  /** Only pods of these namespaces (default: all). */
  readonly namespaces?: ReadonlyArray<string>;
  readonly ports: ReadonlyArray<number>;
  /** Default ['TCP']. */
  readonly protocols?: ReadonlyArray<Protocol>;
}

export interface MatrixTable {
  readonly port: number;
  readonly protocol: Protocol;
  readonly table: TruthTable;
}

export interface MatrixResult {
  /** "namespace/name" of every pod, the order of rows and columns. */
  readonly pods: ReadonlyArray<string>;
  readonly tables: ReadonlyArray<MatrixTable>;
  /** The engine revision the matrix reflects. */
  readonly revision: number;
}

export function computeMatrix(engine: PolicyEngine, q: MatrixQuery): MatrixResult {
  const wanted = q.namespaces ? new Set(q.namespaces) : undefined;
  const pods: PodInfo[] = engine.listPods().filter((p) => !p.hostNetwork && (!wanted || wanted.has(p.namespace)));
  const names = pods.map((p) => `${p.namespace}/${p.name}`);
  const tables: MatrixTable[] = [];
  for (const protocol of q.protocols ?? ['TCP']) {
    for (const port of q.ports) {
      const probe = engine.prepareProbe(pods, protocol, port);
      const values = pods.map((_, i) => pods.map((__, j) => probe(i, j)));
      tables.push({ port, protocol, table: { froms: names, tos: names, values } });
    }
  }
  return { pods: names, tables, revision: engine.revision };
}

/** Text: a `<protocol>/<port>` heading, then the upstream-style table; tables separated by a blank line. */
export function renderMatrixText(m: MatrixResult): string {
  return m.tables.map((t) => `${t.protocol}/${t.port}:\n${printTruthTable(t.table)}`).join('\n\n') + '\n';
}

/** JSON: `{ revision, pods, tables: [{ protocol, port, allowed: boolean[][] }] }`. */
export function renderMatrixJSON(m: MatrixResult): string {
  return (
    JSON.stringify(
      {
        revision: m.revision,
        pods: m.pods,
        tables: m.tables.map((t) => ({ protocol: t.protocol, port: t.port, allowed: t.table.values })),
      },
      null,
      2,
    ) + '\n'
  );
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV: one row per (protocol, port, from), one column per destination pod, cells allow/deny. */
export function renderMatrixCSV(m: MatrixResult): string {
  const lines = [['protocol', 'port', 'from', ...m.pods].map(csvCell).join(',')];
  for (const t of m.tables) {
    t.table.froms.forEach((from, i) => {
      const cells = (t.table.values[i] ?? []).map((v) => (v === null ? '' : v ? 'allow' : 'deny'));
      lines.push([t.protocol, String(t.port), csvCell(from), ...cells].join(','));
    });
  }
  return lines.join('\n') + '\n';
}
