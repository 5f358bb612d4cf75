/**
 * @module web/lib/flow-edges
 * Live flows as map edges: one edge per (source, target, verdict) that counts
 * the flows it stands for. Fifty connections a second between two pods then
 * cost one element update per frame instead of fifty new edges, and the map
 * never holds more flow edges than there are distinct pairs. Pure: the page
 * turns the ids this returns into cytoscape changes.
 */

/**
 * @typedef {object} FlowEdge
 * @property {string} id          the map edge's id
 * @property {string} source      map element ids of the two ends
 * @property {string} target
 * @property {string} verdict
 * @property {Map<number, number>} flows  flow id -> when it stops being drawn (ms)
 * @property {number} latest      the newest flow's id (what clicking the edge explains)
 */

/**
 * @param {string} source @param {string} target @param {string} verdict
 * @returns {string}
 */
export function flowEdgeId(source, target, verdict) {
  return `flow:${source}->${target}:${verdict}`;
}

/** The label an edge shows: nothing for one flow, the count for more. @param {FlowEdge} e */
export function flowEdgeLabel(e) {
  return e.flows.size > 1 ? `${e.flows.size}×` : '';
}

export class FlowEdges {
  /** @param {number} cap the most flows held at once (the oldest go first) */
  constructor(cap = 2000) {
    this.cap = cap;
    /** @type {Map<string, FlowEdge>} */
    this.edges = new Map();
    /** Flow id -> its edge's id, in arrival order. @type {Map<number, string>} */
    this.byFlow = new Map();
  }

  /**
   * Counts one flow on its pair's edge. Returns the ids of the edges that
   * changed (the flow's own, and one whose oldest flow made room).
   * @param {number} flowId @param {{ source: string, target: string }} ends
   * @param {string} verdict @param {number} until
   * @returns {string[]}
   */
  add(flowId, ends, verdict, until) {
    const changed = [];
    const previous = this.byFlow.get(flowId);
    if (previous !== undefined) {
      this.#drop(flowId, previous);
      changed.push(previous);
    }
    const id = flowEdgeId(ends.source, ends.target, verdict);
    let e = this.edges.get(id);
    if (!e) {
      e = { id, source: ends.source, target: ends.target, verdict, flows: new Map(), latest: flowId };
      this.edges.set(id, e);
    }
    e.flows.set(flowId, until);
    if (flowId >= e.latest) e.latest = flowId;
    this.byFlow.set(flowId, id);
    changed.push(id);
    while (this.byFlow.size > this.cap) {
      const [oldest, edgeId] = /** @type {[number, string]} */ (this.byFlow.entries().next().value);
      this.#drop(oldest, edgeId);
      changed.push(edgeId);
    }
    return changed;
  }

  /**
   * Forgets the flows whose time is up. Returns the ids of the edges that
   * changed; an id no longer in `edges` means the edge goes.
   * @param {number} now
   * @returns {Set<string>}
   */
  expire(now) {
    const changed = new Set();
    for (const e of [...this.edges.values()]) {
      for (const [flowId, until] of e.flows) {
        if (until > now) continue;
        this.#drop(flowId, e.id);
        changed.add(e.id);
      }
    }
    return changed;
  }

  /** @param {string} id */
  get(id) {
    return this.edges.get(id);
  }

  clear() {
    this.edges.clear();
    this.byFlow.clear();
  }

  /** @param {number} flowId @param {string} edgeId */
  #drop(flowId, edgeId) {
    this.byFlow.delete(flowId);
    const e = this.edges.get(edgeId);
    if (!e) return;
    e.flows.delete(flowId);
    if (e.flows.size === 0) {
      this.edges.delete(edgeId);
      return;
    }
    if (e.latest === flowId) e.latest = Math.max(...e.flows.keys());
  }
}
