/**
 * @module web/lib/matrix
 * Heat-map grids: a `ReachabilityMatrix` (GET /kwire/v1/matrix) or a
 * `WhatIf` (POST /kwire/v1/whatif) as rows of cells, each cell allowed,
 * dropped or unknown (depends on the endpoint picked), and for what-if the
 * change: a new allowance (green) or an added denial (red). Pure.
 */

/**
 * @typedef {{ protocol: string, port: number }} PortRef
 * @typedef {{ froms: ReadonlyArray<string>, tos: ReadonlyArray<string>, tables: ReadonlyArray<{ protocol: string, port: number, allowed: ReadonlyArray<ReadonlyArray<boolean | null>> }>, revision: number }} ReachabilityMatrix
 * @typedef {{ from: string, to: string, protocol: string, port: number, before: 'allowed' | 'dropped', after: 'allowed' | 'dropped' }} CellChange
 * @typedef {{ flow: import('./graph.js').FlowRecord, count: number, before: 'allowed' | 'dropped', after: 'allowed' | 'dropped', policies: ReadonlyArray<string> }} FlowChange
 */

/**
 * The answer of POST /kwire/v1/whatif (src/web/whatif.ts WhatIfResult, plus the objects as sent).
 * @typedef {object} WhatIfResponse
 * @property {ReadonlyArray<{ namespace: string, name: string, action: 'create' | 'update' }>} candidates
 * @property {{ pods: ReadonlyArray<string>, ports: ReadonlyArray<PortRef>, tables?: ReadonlyArray<PortRef & { before: ReadonlyArray<ReadonlyArray<boolean>>, after: ReadonlyArray<ReadonlyArray<boolean>> }>, changes: ReadonlyArray<CellChange> }} matrix
 * @property {{ judged: number, unjudged: number, changes: ReadonlyArray<FlowChange> }} flows
 * @property {{ addedDenials: number, newAllowances: number, flowsChanged: number }} summary
 * @property {number} revision
 * @property {ReadonlyArray<{ metadata: { name: string, namespace: string } } & Record<string, unknown>>} objects
 */

/**
 * @typedef {object} Cell
 * @property {string} to
 * @property {'allowed' | 'dropped' | 'unknown'} state
 * @property {'new-allowance' | 'added-denial'} [change]
 */

/**
 * @typedef {object} Grid
 * @property {string} protocol
 * @property {number} port
 * @property {ReadonlyArray<string>} tos
 * @property {Array<{ from: string, cells: Cell[] }>} rows
 * @property {number} allowed
 * @property {number} dropped
 * @property {number} changed
 */

/** @param {boolean | null | undefined} v @returns {Cell['state']} */
const stateOf = (v) => (v === true ? 'allowed' : v === false ? 'dropped' : 'unknown');

/**
 * @param {Pick<ReachabilityMatrix, 'froms' | 'tos' | 'tables'>} m
 * @returns {Grid[]}
 */
export function matrixGrids(m) {
  return m.tables.map((t) => {
    let allowed = 0;
    let dropped = 0;
    const rows = m.froms.map((from, i) => ({
      from,
      cells: m.tos.map((to, j) => {
        const state = stateOf(t.allowed[i]?.[j]);
        if (state === 'allowed') allowed++;
        if (state === 'dropped') dropped++;
        return { to, state };
      }),
    }));
    return { protocol: t.protocol, port: t.port, tos: m.tos, rows, allowed, dropped, changed: 0 };
  });
}

/**
 * @param {{ matrix: Pick<WhatIfResponse['matrix'], 'pods' | 'tables'> }} w
 * @returns {Grid[]}
 */
export function whatIfGrids(w) {
  const pods = w.matrix.pods;
  return (w.matrix.tables ?? []).map((t) => {
    let allowed = 0;
    let dropped = 0;
    let changed = 0;
    const rows = pods.map((from, i) => ({
      from,
      cells: pods.map((to, j) => {
        const b = t.before[i]?.[j] === true;
        const a = t.after[i]?.[j] === true;
        if (a) allowed++;
        else dropped++;
        /** @type {Cell} */
        const cell = { to, state: a ? 'allowed' : 'dropped' };
        if (a !== b) {
          changed++;
          cell.change = a ? 'new-allowance' : 'added-denial';
        }
        return cell;
      }),
    }));
    return { protocol: t.protocol, port: t.port, tos: pods, rows, allowed, dropped, changed };
  });
}

/**
 * A short label for a row or column: the name when every pod is in one namespace.
 * @param {string} full ns/name
 * @param {boolean} oneNamespace
 */
export function shortLabel(full, oneNamespace) {
  const s = oneNamespace ? full.slice(full.indexOf('/') + 1) : full;
  return s.length > 32 ? `${s.slice(0, 14)}…${s.slice(-16)}` : s;
}

/** @param {ReadonlyArray<string>} names */
export function oneNamespace(names) {
  const set = new Set(names.map((n) => n.slice(0, n.indexOf('/'))));
  return set.size <= 1;
}
