/**
 * @module policy/truth-table
 * A who-can-reach-whom table (rows = from, columns = to) and its renderers:
 * the upstream e2e probe layout (`-` corner, tab-separated, `.` allowed, `X`
 * blocked, `?` unknown), CSV, and a JSON-ready object. Also the comparison
 * used by tests: which cells differ. Data and formatting only; no I/O.
 */

export interface TruthTable {
  readonly froms: ReadonlyArray<string>;
  readonly tos: ReadonlyArray<string>;
  /** values[i][j]: can froms[i] reach tos[j]? `null` = not observed. */
  readonly values: ReadonlyArray<ReadonlyArray<boolean | null>>;
}

export function newTruthTable(froms: ReadonlyArray<string>, tos: ReadonlyArray<string>, fill: boolean | null): TruthTable {
  return { froms: [...froms], tos: [...tos], values: froms.map(() => tos.map(() => fill)) };
}

/** The upstream PrettyPrint layout: header `-<TAB>to1<TAB>to2...`, then one row per from. */
export function printTruthTable(t: TruthTable, indent = ''): string {
  const lines = [indent + ['-', ...t.tos].join('\t')];
  t.froms.forEach((from, i) => {
    const row = t.tos.map((_, j) => {
      const v = t.values[i]?.[j];
      return v === null || v === undefined ? '?' : v ? '.' : 'X';
    });
    lines.push(indent + [from, ...row].join('\t'));
  });
  return lines.join('\n');
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV: a `from\to` corner, one column per destination, cells `allow`/`deny`/empty. */
export function truthTableToCSV(t: TruthTable): string {
  const lines = [['from\\to', ...t.tos].map(csvCell).join(',')];
  t.froms.forEach((from, i) => {
    const row = t.tos.map((_, j) => {
      const v = t.values[i]?.[j];
      return v === null || v === undefined ? '' : v ? 'allow' : 'deny';
    });
    lines.push([csvCell(from), ...row].join(','));
  });
  return lines.join('\n') + '\n';
}

/** Cells where two tables over the same froms/tos disagree. */
export function diffTruthTables(expected: TruthTable, actual: TruthTable): Array<{ from: string; to: string; expected: boolean | null; actual: boolean | null }> {
  if (expected.froms.join('\n') !== actual.froms.join('\n') || expected.tos.join('\n') !== actual.tos.join('\n')) {
    throw new Error('cannot compare truth tables over different pods');
  }
  const out: Array<{ from: string; to: string; expected: boolean | null; actual: boolean | null }> = [];
  expected.froms.forEach((from, i) => {
    expected.tos.forEach((to, j) => {
      const e = expected.values[i]?.[j] ?? null;
      const a = actual.values[i]?.[j] ?? null;
      if (e !== a) out.push({ from, to, expected: e, actual: a });
    });
  });
  return out;
}

/** Parse the printed layout back (golden expectations written as text). */
export function parseTruthTable(text: string): TruthTable {
  const rows = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => l.split(/\s+/));
  const header = rows[0];
  if (!header || header[0] !== '-') throw new Error('truth table: header must start with "-"');
  const tos = header.slice(1);
  const froms: string[] = [];
  const values: Array<Array<boolean | null>> = [];
  for (const r of rows.slice(1)) {
    if (r.length !== tos.length + 1) throw new Error(`truth table: row "${r[0] ?? ''}" has ${r.length - 1} cells, want ${tos.length}`);
    froms.push(r[0] as string);
    values.push(r.slice(1).map((c) => (c === '.' ? true : c === 'X' ? false : null)));
  }
  return { froms, tos, values };
}
