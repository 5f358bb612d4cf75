/**
 * @module web/app
 * The kwire page: the map (cytoscape, laid out by ELK), live flows, the "why"
 * panel, the reachability heat map and "what if". State comes from two
 * streams and nothing else: `/kwire/v1/watch` (every object the map shows,
 * then each change) and `/kwire/v1/flows?follow=true` (each connection
 * attempt). Writes go through the ordinary API (server-side apply), so the
 * page can do nothing the API would refuse. The pure parts live in lib/.
 */
import { buildGraph, flowEnds, keyOf } from './lib/graph.js';
import { addFlow, flowMatches, flowRow, isProbe } from './lib/flows.js';
import { FlowEdges, flowEdgeLabel } from './lib/flow-edges.js';
import { explainView } from './lib/explain.js';
import { follow } from './lib/stream.js';
import { matrixGrids, oneNamespace, shortLabel, whatIfGrids } from './lib/matrix.js';

/** @typedef {import('./lib/graph.js').FlowRecord} FlowRecord */
/** @typedef {import('./lib/graph.js').Graph} Graph */
/** @typedef {import('./lib/explain.js').Explanation} Explanation */
/** @typedef {import('./lib/matrix.js').Grid} Grid */
/** @typedef {{ metadata: { name: string, namespace?: string, labels?: Record<string, string> } } & Record<string, unknown>} KObject */

// ------------------------------------------------------------------ DOM helpers

/** @param {string} id @returns {HTMLElement} */
function $(id) {
  const e = document.getElementById(id);
  if (!e) throw new Error(`#${id} is missing`);
  return e;
}
/** @param {string} id @returns {HTMLInputElement} */
const input = (id) => /** @type {HTMLInputElement} */ ($(id));
/** @param {string} id @returns {HTMLSelectElement} */
const select = (id) => /** @type {HTMLSelectElement} */ ($(id));

/**
 * @param {string} tag
 * @param {Record<string, string> | null} [attrs]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

/** @param {string} path @param {RequestInit} [init] */
async function api(path, init) {
  const res = await fetch(path, { ...init, headers: { Accept: 'application/json', ...(init?.headers ?? {}) } });
  const text = await res.text();
  /** @type {unknown} */
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (!res.ok) {
    const msg = body && typeof body === 'object' && 'message' in body ? String(/** @type {{ message: unknown }} */ (body).message) : `${res.status} ${text.slice(0, 200)}`;
    const reason = body && typeof body === 'object' && 'reason' in body ? String(/** @type {{ reason: unknown }} */ (body).reason) : '';
    throw Object.assign(new Error(msg), { status: res.status, reason });
  }
  return body;
}

// ------------------------------------------------------------------ state

/** @type {Record<string, string>} */
const BUCKET = {
  Namespace: 'namespaces',
  Node: 'nodes',
  Pod: 'pods',
  Service: 'services',
  EndpointSlice: 'slices',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  Ingress: 'ingresses',
  NetworkPolicy: 'policies',
};
/** @type {Record<string, Map<string, KObject>>} */
const store = Object.fromEntries(Object.values(BUCKET).map((b) => [b, new Map()]));
/** @type {Array<{ what: string, address: string, error?: string }>} */
let hostListeners = [];
let synced = false;
/** @type {FlowRecord[]} */
const flows = [];
const FLOW_CAP = 2000;
/** @type {Set<string>} */
const expanded = new Set();
/** @type {Set<string>} */
const collapsed = new Set();
let layouts = 0;
let currentView = 'map';

/** @param {string} b */
const list = (b) => [...(store[b]?.values() ?? [])];

function objects() {
  return {
    namespaces: list('namespaces'),
    nodes: list('nodes'),
    pods: list('pods'),
    services: list('services'),
    slices: list('slices'),
    deployments: list('deployments'),
    replicasets: list('replicasets'),
    ingresses: list('ingresses'),
    listeners: hostListeners,
  };
}

// ------------------------------------------------------------------ connection

/** @param {'open' | 'retrying' | 'denied'} s @param {string} [detail] */
function setConn(s, detail) {
  const c = $('conn');
  c.className = `conn ${s}`;
  c.textContent = s === 'open' ? 'live' : s === 'denied' ? `not authorised (${detail ?? ''}): open the URL \`kwire ui\` prints` : 'reconnecting…';
}

// ------------------------------------------------------------------ the map

// The vendor bundles (classic scripts before this module) define the globals; cytoscape-elk
// registers the 'elk' layout on window.cytoscape by itself.
const cytoscapeGlobal = window.cytoscape;

/** @param {string} label */
function labelSize(label) {
  const lines = String(label ?? '').split('\n');
  const w = Math.max(...lines.map((l) => l.length));
  return { w: Math.max(40, w * 5.6 + 14), h: lines.length * 11 + 10 };
}

const COLORS = { fwd: '#1f9d55', drop: '#d93025', ref: '#e08a00' };

const cy = cytoscapeGlobal({
  container: $('map'),
  wheelSensitivity: 0.3,
  minZoom: 0.05,
  maxZoom: 3,
  boxSelectionEnabled: false,
  style: [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        'font-size': 9,
        'text-wrap': 'wrap',
        'text-valign': 'center',
        'text-halign': 'center',
        shape: 'round-rectangle',
        width: (/** @type {import('cytoscape').NodeSingular} */ n) => labelSize(n.data('label')).w,
        height: (/** @type {import('cytoscape').NodeSingular} */ n) => labelSize(n.data('label')).h,
        'background-color': '#fff',
        'border-width': 1,
        'border-color': '#9aa3b5',
        color: '#1d2330',
      },
    },
    {
      selector: ':parent',
      style: {
        'text-valign': 'top',
        'text-halign': 'center',
        'text-margin-y': -2,
        'font-size': 11,
        'font-weight': 'bold',
        padding: '10px',
        'background-opacity': 0.55,
      },
    },
    { selector: 'node.namespace', style: { 'background-color': '#e8eef9', 'border-color': '#8fa7d6', 'font-size': 12 } },
    { selector: 'node.group', style: { 'background-color': '#eef0f3', 'border-color': '#9aa3b5', 'border-style': 'dashed' } },
    { selector: 'node.deployment.open', style: { 'background-color': '#f7f9fd', 'border-style': 'dashed', 'border-color': '#7b8db3', 'font-size': 10 } },
    { selector: 'node.deployment.collapsed', style: { 'background-color': '#dfe8f7', 'border-width': 3, 'border-style': 'double', 'border-color': '#5b76ad' } },
    { selector: 'node.pod.ready', style: { 'border-color': COLORS.fwd, 'border-width': 1.5 } },
    { selector: 'node.pod.not-ready', style: { 'border-color': '#b5b5b5', 'border-style': 'dashed', color: '#6b7385' } },
    { selector: 'node.service', style: { 'background-color': '#f1ecfb', 'border-color': '#7a5cc7', shape: 'round-rectangle' } },
    { selector: 'node.rule', style: { 'background-color': '#e4f3f7', 'border-color': '#2a8da8' } },
    { selector: 'node.controller', style: { 'background-color': '#d6eef4', 'border-color': '#2a8da8', 'border-width': 2 } },
    { selector: 'node.node', style: { 'background-color': '#e9ecf1', 'border-color': '#6b7385' } },
    { selector: 'node.host', style: { 'background-color': '#fff', 'border-color': '#6b7385', shape: 'ellipse' } },
    { selector: 'node.listener', style: { 'background-color': '#f6f6f6', 'border-color': '#444' } },
    { selector: 'node.listener.failed', style: { 'border-color': COLORS.drop, 'border-style': 'dashed' } },
    { selector: 'node.hit-forwarded', style: { 'border-color': COLORS.fwd, 'border-width': 4 } },
    { selector: 'node.hit-dropped', style: { 'border-color': COLORS.drop, 'border-width': 4 } },
    { selector: 'node.picked', style: { 'border-color': '#2f6fde', 'border-width': 3 } },
    {
      selector: 'edge',
      style: { width: 1.2, 'line-color': '#b5bdcc', 'target-arrow-color': '#b5bdcc', 'target-arrow-shape': 'triangle', 'arrow-scale': 0.7, 'curve-style': 'bezier' },
    },
    { selector: 'edge.route', style: { 'line-color': '#7fbfd0', 'target-arrow-color': '#7fbfd0' } },
    { selector: 'edge.listener', style: { 'line-color': '#8a8f99', 'target-arrow-color': '#8a8f99', 'line-style': 'dashed' } },
    {
      selector: 'edge.flow',
      style: {
        // One edge per pair of ends: thicker and labelled with the count as flows add up.
        width: 'mapData(count, 1, 40, 3.5, 8)',
        label: 'data(label)',
        'font-size': 9,
        'text-background-color': '#fff',
        'text-background-opacity': 0.85,
        'text-background-padding': '1px',
        'z-index': 20,
        'curve-style': 'bezier',
        'arrow-scale': 1.1,
      },
    },
    { selector: 'edge.flow.forwarded', style: { 'line-color': COLORS.fwd, 'target-arrow-color': COLORS.fwd } },
    { selector: 'edge.flow.dropped', style: { 'line-color': COLORS.drop, 'target-arrow-color': COLORS.drop, 'target-arrow-shape': 'tee', 'line-style': 'dashed' } },
    { selector: 'edge.flow.refused, edge.flow.error', style: { 'line-color': COLORS.ref, 'target-arrow-color': COLORS.ref, 'target-arrow-shape': 'tee' } },
  ],
});

/** @type {Graph | undefined} */
let graph;
let signature = '';
let layoutRunning = false;
let layoutAgain = false;

function runLayout() {
  if (layoutRunning) {
    layoutAgain = true;
    return;
  }
  layoutRunning = true;
  /** cytoscape-elk's options (its own `elk` block holds ELK's layout options). @type {import('cytoscape').BaseLayoutOptions & Record<string, unknown>} */
  const options = {
    name: 'elk',
    nodeDimensionsIncludeLabels: true,
    fit: true,
    padding: 24,
    animate: false,
    elk: {
      algorithm: 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': 45,
      'elk.spacing.nodeNode': 12,
      'elk.spacing.componentComponent': 30,
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.padding': '[top=22,left=10,bottom=10,right=10]',
    },
  };
  const layout = cy.elements().not('.flow').layout(options);
  layout.one('layoutstop', () => {
    layoutRunning = false;
    layouts++;
    document.body.dataset['layouts'] = String(layouts);
    $('map-status').textContent = `${cy.nodes('.pod').length} pods shown, ${cy.nodes('.deployment.collapsed').length} Deployments collapsed, ${cy.nodes('.service').length} Services`;
    if (layoutAgain) {
      layoutAgain = false;
      runLayout();
    }
  });
  layout.run();
}

function renderMap() {
  const g = buildGraph(/** @type {import('./lib/graph.js').ClusterObjects} */ (/** @type {unknown} */ (objects())), { expanded, collapsed });
  graph = g;
  if (g.signature !== signature) {
    signature = g.signature;
    cy.batch(() => {
      cy.elements().remove();
      cy.add(g.elements);
    });
    runLayout();
    hits.clear();
    redrawFlows();
  } else {
    cy.batch(() => {
      for (const e of g.elements) {
        const c = cy.getElementById(e.data.id);
        if (c.empty()) continue;
        if (c.data('label') !== e.data.label) c.data('label', e.data.label);
        if (e.classes !== undefined && c.classes().join(' ') !== e.classes) c.classes(e.classes);
      }
    });
  }
}

/** Flows drawn on the map, until they expire (re-drawn when the map is rebuilt). @type {Map<number, { f: FlowRecord, until: number }>} */
const activeFlows = new Map();
const ACTIVE_CAP = 2000;
/** One edge per (source, target, verdict), counting its flows. */
const flowEdges = new FlowEdges(ACTIVE_CAP);
/** The last flows drawn, for tests and the curious. @type {Array<{ id: number, verdict: string, source: string, target: string }>} */
const drawn = [];
/** The ids in `drawn`, so a flow is looked up without a scan. @type {Set<number>} */
const drawnIds = new Set();

/** Makes the map's edge match the flow edge's state: added, recounted or removed. @param {string} id */
function syncFlowEdge(id) {
  const e = flowEdges.get(id);
  const el = cy.getElementById(id);
  if (!e) {
    el.remove();
    return;
  }
  const data = { count: e.flows.size, flowId: e.latest, label: flowEdgeLabel(e) };
  if (el.empty()) {
    if (cy.getElementById(e.source).empty() || cy.getElementById(e.target).empty()) return;
    cy.add({ group: 'edges', data: { id, source: e.source, target: e.target, kind: 'flow', ...data }, classes: `flow ${e.verdict}` });
  } else if (el.data('count') !== data.count || el.data('flowId') !== data.flowId) {
    el.data(data);
  }
}

/**
 * Counts a flow on its pair's edge; returns its ends and the edges that changed
 * (undefined when the map has no place for it).
 * @param {FlowRecord} f @param {number} until
 * @returns {{ ends: { source: string, target: string }, changed: string[] } | undefined}
 */
function countFlow(f, until) {
  if (!graph) return undefined;
  const ends = flowEnds(graph, f);
  if (!ends) return undefined;
  if (!drawnIds.has(f.id)) {
    drawnIds.add(f.id);
    drawn.push({ id: f.id, verdict: f.verdict, ...ends });
    if (drawn.length > 200) drawnIds.delete(/** @type {{ id: number }} */ (drawn.shift()).id);
  }
  return { ends, changed: flowEdges.add(f.id, ends, f.verdict, until) };
}

/** After the map was rebuilt (ends may now be a collapsed Deployment): every live flow again. */
function redrawFlows() {
  flowEdges.clear();
  cy.batch(() => {
    for (const a of activeFlows.values()) countFlow(a.f, a.until);
    for (const id of flowEdges.edges.keys()) syncFlowEdge(id);
  });
}

/** Flows waiting for the next frame: they are drawn together in one cytoscape batch. */
/** @type {FlowRecord[]} */
const pendingFlows = [];
let flowFrame = 0;

/** @param {FlowRecord} f */
function showFlowOnMap(f) {
  pendingFlows.push(f);
  // A hidden tab gets no frames: only the newest matter once many wait.
  if (pendingFlows.length > ACTIVE_CAP) pendingFlows.splice(0, pendingFlows.length - ACTIVE_CAP);
  if (!flowFrame) flowFrame = requestAnimationFrame(flushFlows);
}

/** Map elements lit by a recent flow's arrival: which class and until when. @type {Map<string, { cls: string, until: number }>} */
const hits = new Map();

function flushFlows() {
  flowFrame = 0;
  const batch = pendingFlows.splice(0);
  const now = Date.now();
  /** @type {Set<string>} */
  const changed = new Set();
  /** @type {Map<string, string>} */
  const lit = new Map();
  for (const f of batch) {
    const until = now + (f.verdict === 'forwarded' ? 6000 : 15000);
    activeFlows.set(f.id, { f, until });
    if (activeFlows.size > ACTIVE_CAP) {
      const [oldest] = activeFlows.keys();
      if (oldest !== undefined) activeFlows.delete(oldest);
    }
    const counted = countFlow(f, until);
    if (!counted) continue;
    for (const id of counted.changed) changed.add(id);
    lit.set(counted.ends.target, f.verdict === 'forwarded' ? 'hit-forwarded' : 'hit-dropped');
  }
  // One element update per changed pair and per lit target, however many flows arrived.
  cy.batch(() => {
    for (const id of changed) syncFlowEdge(id);
    for (const [target, cls] of lit) {
      const was = hits.get(target);
      hits.set(target, { cls, until: now + 1500 });
      if (was?.cls === cls) continue;
      const n = cy.getElementById(target);
      if (was) n.removeClass(was.cls);
      n.addClass(cls);
    }
  });
}

setInterval(() => {
  const now = Date.now();
  const gone = flowEdges.expire(now);
  for (const [id, a] of activeFlows) if (a.until <= now) activeFlows.delete(id);
  /** @type {Array<[string, string]>} */
  const unlit = [];
  for (const [target, h] of hits) {
    if (h.until > now) continue;
    hits.delete(target);
    unlit.push([target, h.cls]);
  }
  if (gone.size === 0 && unlit.length === 0) return;
  cy.batch(() => {
    for (const id of gone) syncFlowEdge(id);
    for (const [target, cls] of unlit) cy.getElementById(target).removeClass(cls);
  });
}, 500);

cy.on('tap', 'node', (ev) => {
  const n = ev.target;
  const kind = n.data('kind');
  if (kind === 'deployment') {
    const key = n.data('key');
    if (n.data('collapsed')) {
      expanded.add(key);
      collapsed.delete(key);
    } else {
      collapsed.add(key);
      expanded.delete(key);
    }
    renderMap();
    return;
  }
  if (kind === 'pod' || kind === 'service') pickEndpoint(kind === 'pod' ? n.data('key') : `svc/${n.data('key')}`);
});
cy.on('tap', 'edge.flow', (ev) => selectFlow(Number(ev.target.data('flowId'))));

$('map-fit').addEventListener('click', () => cy.fit(undefined, 24));
$('map-expand').addEventListener('click', () => {
  collapsed.clear();
  for (const d of store['deployments']?.values() ?? []) expanded.add(keyOf(d));
  renderMap();
});
$('map-collapse').addEventListener('click', () => {
  expanded.clear();
  for (const d of store['deployments']?.values() ?? []) collapsed.add(keyOf(d));
  renderMap();
});

/** Fills the explain form: the first pick is "from", the next "to". @param {string} ep */
function pickEndpoint(ep) {
  const from = input('x-from');
  const to = input('x-to');
  if (!from.value || (from.value && to.value)) {
    from.value = ep;
    to.value = '';
  } else {
    to.value = ep;
    if (!input('x-port').value) input('x-port').value = defaultPort(ep);
  }
}

/** @param {string} ep */
function defaultPort(ep) {
  if (ep.startsWith('svc/')) {
    const s = /** @type {import('./lib/graph.js').Service | undefined} */ (store['services']?.get(ep.slice(4)));
    const p = s?.spec?.ports?.[0]?.port;
    return p ? String(p) : '';
  }
  const pod = /** @type {import('./lib/graph.js').Pod | undefined} */ (store['pods']?.get(ep));
  const p = pod?.spec?.containers?.[0]?.ports?.[0]?.containerPort;
  return p ? String(p) : '';
}

// ------------------------------------------------------------------ the flow list

/** @returns {import('./lib/flows.js').FlowFilter} */
function flowFilter() {
  const port = Number(input('f-port').value.trim());
  return {
    namespace: select('f-namespace').value || undefined,
    pod: input('f-pod').value.trim() || undefined,
    verdict: select('f-verdict').value || undefined,
    ...(input('f-port').value.trim() && Number.isInteger(port) ? { port } : {}),
    probes: input('f-probes').checked,
  };
}

let selectedFlow = 0;

/** @param {FlowRecord} f */
function flowItem(f) {
  const r = flowRow(f);
  const li = h(
    'li',
    { class: `${f.verdict}${f.id === selectedFlow ? ' selected' : ''}`, 'data-flow-id': String(f.id), 'data-verdict': f.verdict, title: r.reason },
    h('span', { class: 'muted' }, r.time),
    ' ',
    h('span', { class: 'v' }, f.verdict.toUpperCase()),
    ' ',
    `${r.from} → ${r.to}:${r.port}/${r.protocol.toLowerCase()}`,
    r.via ? h('span', { class: 'muted' }, ` via ${r.via}`) : null,
    r.policies ? h('span', { class: 'muted' }, ` [${r.policies}]`) : null,
  );
  li.addEventListener('click', () => void selectFlow(f.id));
  return li;
}

const SHOWN = 300;

function renderFlowList() {
  const q = flowFilter();
  const shown = [];
  for (let i = flows.length - 1; i >= 0 && shown.length < SHOWN; i--) {
    const f = flows[i];
    if (f && flowMatches(f, q)) shown.push(flowItem(f));
  }
  $('flow-list').replaceChildren(...shown);
  $('flow-count').textContent = `${flows.length} held`;
}

/** @param {FlowRecord} f */
function onFlow(f) {
  if (!addFlow(flows, f, FLOW_CAP)) return;
  if (input('f-probes').checked || !isProbe(f)) showFlowOnMap(f);
  if (flowMatches(f, flowFilter())) {
    const ol = $('flow-list');
    ol.prepend(flowItem(f));
    while (ol.children.length > SHOWN) ol.lastElementChild?.remove();
  }
  $('flow-count').textContent = `${flows.length} held`;
  scheduleWhatIf(2000);
}

for (const id of ['f-namespace', 'f-verdict', 'f-probes']) $(id).addEventListener('change', renderFlowList);
for (const id of ['f-pod', 'f-port']) $(id).addEventListener('input', renderFlowList);

/** @param {number} id */
async function selectFlow(id) {
  selectedFlow = id;
  for (const li of document.querySelectorAll('#flow-list li')) li.classList.toggle('selected', li.getAttribute('data-flow-id') === String(id));
  const body = $('why-body');
  body.replaceChildren(h('span', { class: 'muted' }, `explaining flow ${id}…`));
  try {
    const x = /** @type {{ flow: FlowRecord, explanation?: Explanation, error?: string, gone: string[] }} */ (await api(`/kwire/v1/flowexplain?id=${id}`));
    showWhy(x.explanation, x.flow, x.gone, x.error);
  } catch (e) {
    body.replaceChildren(h('div', { class: 'error' }, e instanceof Error ? e.message : String(e)));
  }
}

// ------------------------------------------------------------------ why

/**
 * @param {Explanation | undefined} x
 * @param {FlowRecord} [flow]
 * @param {string[]} [gone]
 * @param {string} [error]
 */
function showWhy(x, flow, gone, error) {
  /** @type {Node[]} */
  const out = [];
  if (flow) {
    const r = flowRow(flow);
    out.push(
      h(
        'div',
        { class: 'why-section', id: 'why-flow' },
        h('h3', null, `flow ${flow.id} at ${r.time}`),
        h('span', { class: `verdict ${flow.verdict}` }, flow.verdict.toUpperCase()),
        ` ${r.from} → ${r.to}:${r.port}/${r.protocol}`,
        r.via ? ` via ${r.via}` : '',
        h('div', null, 'recorded: ', r.reason || '-'),
        flow.policies.length ? h('div', { id: 'why-flow-policies' }, 'deciding policies: ', ...flow.policies.map((p) => h('span', { class: `policy ${flow.verdict === 'forwarded' ? 'admitting' : 'deciding'}` }, p))) : null,
      ),
    );
    if (gone && gone.length) out.push(h('div', { class: 'muted' }, `${gone.join(', ')} no longer running: explained with the labels it last had.`));
  }
  if (error) out.push(h('div', { class: 'error' }, `No explanation against the current state: ${error}`));
  if (x) {
    const v = explainView(x);
    out.push(h('div', { class: 'why-section', id: 'why-summary' }, h('span', { class: `verdict ${v.verdict}` }, v.verdict.toUpperCase()), ' ', v.summary));
    if (v.service) {
      out.push(
        h('div', { class: 'why-section', id: 'why-service' }, h('h3', null, 'Service translation'), v.service, v.endpoints.length ? h('div', { class: 'muted' }, `endpoints the proxy may pick: ${v.endpoints.join(', ')}`) : null),
      );
    }
    if (v.sources) out.push(h('div', { class: 'muted' }, v.sources));
    if (v.refused) out.push(h('div', { class: 'error' }, v.refused));
    if (v.deciding.length) {
      out.push(h('div', { class: 'why-section', id: 'why-deciding' }, h('h3', null, v.verdict === 'allowed' ? 'Admitted by' : 'Decided by'), ...v.deciding.map((p) => h('span', { class: `policy ${v.verdict === 'allowed' ? 'admitting' : 'deciding'}` }, p))));
    }
    for (const g of v.groups) {
      /** @param {import('./lib/explain.js').SideView} s */
      const sideBox = (s) =>
        h(
          'div',
          { class: `side ${s.allowed ? 'allowed' : 'denied'}` },
          h('b', null, s.title),
          s.selectedBy.length ? h('div', null, 'selected by ', ...s.selectedBy.map((p) => h('span', { class: 'policy' }, p))) : h('div', { class: 'muted' }, 'no policy selects it'),
          h('div', null, s.outcome),
        );
      out.push(
        h(
          'div',
          { class: 'why-section path' },
          h('h3', null, `path ${g.title}: ${g.verdict}`),
          h('div', { class: 'sides' }, sideBox(g.egress), sideBox(g.ingress)),
          h('pre', { class: 'lines' }, g.lines.join('\n')),
          g.alsoFor ? h('div', { class: 'muted' }, `decided the same way for ${g.alsoFor}`) : null,
        ),
      );
    }
    if (v.hints.length) {
      out.push(
        h(
          'div',
          { class: 'why-section', id: 'why-hints' },
          h('h3', null, 'Hints'),
          ...v.hints.map((hi) => h('div', { class: 'hint' }, hi.message, hi.where ? h('div', { class: 'muted' }, hi.where) : null, hi.suggestion ? h('div', null, `Try: ${hi.suggestion}`) : null)),
        ),
      );
    }
  }
  $('why-body').replaceChildren(...out);
  $('why-body').scrollTop = 0;
}

/** @param {string} from @param {string} to @param {string} port @param {string} [protocol] */
async function explain(from, to, port, protocol) {
  const q = new URLSearchParams({ from, to });
  if (port) q.set('port', port);
  if (protocol) q.set('protocol', protocol);
  $('why-body').replaceChildren(h('span', { class: 'muted' }, `explaining ${from} → ${to}…`));
  try {
    showWhy(/** @type {Explanation} */ (await api(`/kwire/v1/explain?${q}`)));
  } catch (e) {
    $('why-body').replaceChildren(h('div', { class: 'error' }, e instanceof Error ? e.message : String(e)));
  }
}

$('explain-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  void explain(input('x-from').value.trim(), input('x-to').value.trim(), input('x-port').value.trim());
});

function updateChoices() {
  const nsSel = select('f-namespace');
  const cur = nsSel.value;
  const names = [...(store['namespaces']?.keys() ?? [])].map((k) => k.slice(1)).sort();
  nsSel.replaceChildren(h('option', { value: '' }, 'all namespaces'), ...names.map((n) => h('option', { value: n }, n)));
  nsSel.value = names.includes(cur) ? cur : '';
  const eps = [...(store['pods']?.keys() ?? []), ...[...(store['services']?.keys() ?? [])].map((k) => `svc/${k}`)].sort();
  $('endpoints').replaceChildren(...eps.map((e) => h('option', { value: e })));
  renderNamespaceChecks();
  renderExistingPolicies();
}

// ------------------------------------------------------------------ matrix

/** @type {Set<string> | undefined} */
let mxChosen;
const SYSTEM = new Set(['kube-system', 'ingress-nginx', 'kube-public', 'kube-node-lease']);

function namespacesWithPods() {
  return [...new Set([...(store['pods']?.values() ?? [])].map((p) => p.metadata.namespace ?? 'default'))].sort();
}

function chosenNamespaces() {
  const all = namespacesWithPods();
  if (mxChosen) return all.filter((n) => mxChosen?.has(n));
  const user = all.filter((n) => !SYSTEM.has(n));
  return user.length ? user : all;
}

function renderNamespaceChecks() {
  const chosen = new Set(chosenNamespaces());
  const boxes = namespacesWithPods().map((n) => {
    const cb = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', value: n, 'data-ns': n }));
    cb.checked = chosen.has(n);
    cb.addEventListener('change', () => {
      mxChosen = new Set([...document.querySelectorAll('#mx-namespaces input:checked')].map((x) => /** @type {HTMLInputElement} */ (x).value));
      scheduleMatrix();
    });
    return h('label', null, cb, ` ${n}`);
  });
  $('mx-namespaces').replaceChildren(...boxes);
}

/** The chosen ports as the API takes them. */
function chosenPorts() {
  return input('mx-ports')
    .value.split(/[\s,]+/)
    .map((p) => p.trim())
    .filter((p) => p);
}
let portsTouched = false;
input('mx-ports').addEventListener('input', () => (portsTouched = true));

/**
 * @param {HTMLElement} into
 * @param {Grid[]} grids
 * @param {string} [empty]
 */
function renderGrids(into, grids, empty) {
  if (grids.length === 0 || grids.every((g) => g.rows.length === 0)) {
    into.replaceChildren(h('div', { class: 'muted' }, empty ?? 'no pods in the chosen namespaces'));
    return;
  }
  const blocks = grids.map((g) => {
    const one = oneNamespace(g.tos);
    const head = h('tr', null, h('th', null, ''), ...g.tos.map((t) => h('th', { title: t }, h('span', null, shortLabel(t, one)))));
    const anyChange = g.changed > 0;
    const rows = g.rows.map((r) =>
      h(
        'tr',
        null,
        h('th', { title: r.from, style: 'text-align:right' }, shortLabel(r.from, one)),
        ...r.cells.map((c) => {
          const td = h('td', {
            class: `${c.state}${c.change ? ` ${c.change}` : anyChange ? ' dim' : ''}`,
            'data-from': r.from,
            'data-to': c.to,
            'data-port': String(g.port),
            'data-protocol': g.protocol,
            'data-state': c.state,
            ...(c.change ? { 'data-change': c.change } : {}),
            title: `${r.from} → ${c.to} ${g.protocol}/${g.port}: ${c.state}${c.change ? ` (${c.change.replace('-', ' ')})` : ''}`,
          });
          td.addEventListener('click', () => void explain(r.from, c.to, String(g.port), g.protocol));
          return td;
        }),
      ),
    );
    const stats = `${g.allowed} allowed, ${g.dropped} dropped${g.changed ? `, ${g.changed} change` : ''}`;
    return h('div', { class: 'grid-block', 'data-table': `${g.protocol}/${g.port}` }, h('h3', null, `${g.protocol}/${g.port} `, h('span', { class: 'muted' }, stats)), h('table', { class: g.tos.length <= 30 ? 'heat big' : 'heat' }, h('thead', null, head), h('tbody', null, ...rows)));
  });
  into.replaceChildren(...blocks);
}

let matrixSeq = 0;
/** The query and engine revision the grids on screen answer. */
let matrixShown = '';

async function refreshMatrix() {
  const seq = ++matrixSeq;
  const ns = chosenNamespaces();
  const q = new URLSearchParams();
  if (ns.length) q.set('namespaces', ns.join(','));
  const ports = chosenPorts();
  if (ports.length) q.set('ports', ports.join(','));
  q.set('protocols', select('mx-protocol').value);
  $('mx-status').textContent = 'computing…';
  try {
    const m = /** @type {import('./lib/matrix.js').ReachabilityMatrix} */ (await api(`/kwire/v1/matrix?${q}`));
    if (seq !== matrixSeq) return;
    // A pod's status changing (not its labels or IP) leaves the engine's revision as it was:
    // the grids shown are still right, and redrawing 200x200 cells is a long task.
    const shown = `${q}@${m.revision}`;
    if (shown !== matrixShown) renderGrids($('mx-grids'), matrixGrids(m));
    matrixShown = shown;
    $('mx-status').textContent = `revision ${m.revision}, ${m.froms.length} pods`;
    document.body.dataset['matrixRevision'] = String(m.revision);
  } catch (e) {
    $('mx-status').textContent = '';
    matrixShown = '';
    $('mx-grids').replaceChildren(h('div', { class: 'error' }, e instanceof Error ? e.message : String(e)));
  }
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let matrixTimer;
function scheduleMatrix() {
  if (currentView !== 'matrix') return;
  clearTimeout(matrixTimer);
  matrixTimer = setTimeout(() => void refreshMatrix(), 250);
}
$('mx-show').addEventListener('click', () => void refreshMatrix());
select('mx-protocol').addEventListener('change', scheduleMatrix);

// ------------------------------------------------------------------ what if

/** @type {import('./lib/matrix.js').WhatIfResponse['objects']} */
let candidates = [];

/** @param {string} msg @param {boolean} [bad] */
function wiStatus(msg, bad) {
  const s = $('wi-status');
  s.textContent = msg;
  s.className = bad ? 'error' : 'muted';
}

/** @param {import('./lib/matrix.js').CellChange} c */
function cellChangeItem(c) {
  const li = h('li', { class: c.after === 'allowed' ? 'new-allowance' : 'added-denial' }, `${c.after === 'allowed' ? '+' : '−'} ${c.from} → ${c.to} ${c.protocol}/${c.port}: ${c.before} → ${c.after}`);
  li.addEventListener('click', () => void explain(c.from, c.to, String(c.port), c.protocol));
  return li;
}

/** What the shown prediction asked, re-asked when policies, pods or flows change. @type {{ text: string, action: string } | undefined} */
let wiAsked;

/**
 * Asks the server what the policies would change. `live`: a refresh of the
 * prediction shown (the cluster changed), which leaves the status line and
 * the Apply button as they are.
 * @param {boolean} [live]
 */
async function predict(live) {
  const ask = live && wiAsked ? wiAsked : { text: /** @type {HTMLTextAreaElement} */ ($('wi-text')).value, action: select('wi-action').value };
  const q = new URLSearchParams();
  const ns = chosenNamespaces();
  if (ns.length) q.set('namespaces', ns.join(','));
  if (portsTouched) q.set('ports', chosenPorts().map((p) => (/^\d+$/.test(p) ? `${select('mx-protocol').value.toLowerCase()}/${p}` : p)).join(','));
  if (ask.action === 'delete') q.set('action', 'delete');
  if (!live) {
    wiStatus('predicting…');
    /** @type {HTMLButtonElement} */ ($('wi-apply')).disabled = true;
    $('wi-force').hidden = true;
  }
  try {
    const w = /** @type {import('./lib/matrix.js').WhatIfResponse} */ (await api(`/kwire/v1/whatif?${q}`, { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body: ask.text }));
    if (live && wiAsked !== ask) return; // a newer question was asked meanwhile
    wiAsked = ask;
    if (!live) candidates = w.objects ?? [];
    const s = w.summary;
    const res = $('wi-result');
    res.replaceChildren(
      h(
        'div',
        { class: 'summary', id: 'wi-summary' },
        `${w.candidates.map((c) => `${c.namespace}/${c.name} (${c.action})`).join(', ')}: `,
        h('span', { class: 'new' }, `${s.newAllowances} new allowances`),
        ', ',
        h('span', { class: 'add' }, `${s.addedDenials} added denials`),
        `, ${s.flowsChanged} recent flows would change verdict`,
        h('div', { class: 'muted' }, `matrix over ${w.matrix.pods.length} pods, ${w.matrix.ports.map((p) => `${p.protocol}/${p.port}`).join(', ')}; ${w.flows.judged} recent flows judged${w.flows.unjudged ? `, ${w.flows.unjudged} could not be (pods gone, or refused before policy)` : ''}`),
        h('div', { class: 'muted', id: 'wi-live' }, `as of revision ${w.revision}${live ? ', refreshed as the cluster changed' : ''}; follows the cluster while this view is open`),
      ),
      h('div', { id: 'wi-grids', class: 'grids' }),
      h('h3', null, 'Recent flows that would change'),
      w.flows.changes.length
        ? h(
            'ul',
            { class: 'changes', id: 'wi-flows' },
            ...w.flows.changes.map((fc) => {
              const r = flowRow(fc.flow);
              const li = h('li', { class: fc.after === 'allowed' ? 'new-allowance' : 'added-denial', 'data-flow-id': String(fc.flow.id) }, `${r.from} → ${r.to}:${r.port}/${r.protocol.toLowerCase()} ×${fc.count}: ${fc.before} → ${fc.after}${fc.policies.length ? ` [${fc.policies.join(', ')}]` : ''}`);
              li.addEventListener('click', () => void selectFlow(fc.flow.id));
              return li;
            }),
          )
        : h('div', { class: 'muted' }, 'none'),
      h('h3', null, 'Matrix cells that would change'),
      w.matrix.changes.length ? h('ul', { class: 'changes', id: 'wi-cells' }, ...w.matrix.changes.slice(0, 200).map(cellChangeItem)) : h('div', { class: 'muted' }, 'none'),
    );
    renderGrids($('wi-grids'), whatIfGrids(w));
    document.body.dataset['whatifRevision'] = String(w.revision);
    if (live) return;
    wiStatus(`revision ${w.revision}`);
    /** @type {HTMLButtonElement} */ ($('wi-apply')).disabled = candidates.length === 0;
    document.body.dataset['whatif'] = String(Date.now());
  } catch (e) {
    if (live && wiAsked !== ask) return;
    $('wi-result').replaceChildren(h('div', { class: 'error', id: 'wi-error' }, e instanceof Error ? e.message : String(e)));
    if (live) return;
    wiAsked = undefined;
    candidates = [];
    wiStatus('the API refused it', true);
  }
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let wiTimer;
/** Re-asks the shown prediction after the cluster changed; at most once per `ms`. @param {number} ms */
function scheduleWhatIf(ms) {
  if (currentView !== 'whatif' || !wiAsked || wiTimer) return;
  wiTimer = setTimeout(() => {
    wiTimer = undefined;
    void predict(true);
  }, ms);
}

/** Server-side apply of each candidate through the ordinary API (or its deletion). @param {boolean} force */
async function apply(force) {
  /** @type {string[]} */
  const done = [];
  const deleting = wiAsked?.action === 'delete';
  for (const o of candidates) {
    const ns = o.metadata.namespace;
    const name = o.metadata.name;
    const path = `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/networkpolicies/${encodeURIComponent(name)}`;
    const q = new URLSearchParams({ fieldManager: 'kwire-ui', fieldValidation: 'Strict' });
    if (force) q.set('force', 'true');
    try {
      if (deleting) {
        await api(path, { method: 'DELETE' });
        done.push(`networkpolicy.networking.k8s.io "${name}" deleted`);
        continue;
      }
      const existed = store['policies']?.has(`${ns}/${name}`);
      await api(`${path}?${q}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/apply-patch+yaml' },
        body: JSON.stringify(o),
      });
      done.push(`networkpolicy.networking.k8s.io/${name} ${existed ? 'configured' : 'created'}`);
    } catch (e) {
      const err = /** @type {Error & { status?: number }} */ (e);
      wiStatus(`${done.join(', ')}${done.length ? '; ' : ''}Error from server: ${err.message}`, true);
      if (err.status === 409 && !deleting) $('wi-force').hidden = false;
      return;
    }
  }
  $('wi-force').hidden = true;
  /** @type {HTMLButtonElement} */ ($('wi-apply')).disabled = true;
  // Deleted policies cannot be asked about again; applied ones can (and show nothing left to change).
  if (deleting) wiAsked = undefined;
  wiStatus(done.join(', '));
  document.body.dataset['applied'] = String(Date.now());
}

/** A policy in the cluster as a manifest: what `kubectl get -o json` shows, less the server's bookkeeping. @param {KObject} p */
function policyManifest(p) {
  const { uid: _u, resourceVersion: _r, generation: _g, creationTimestamp: _c, managedFields: _m, ...metadata } = /** @type {Record<string, unknown>} */ (p.metadata);
  return JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata, spec: p['spec'] }, null, 2);
}

function renderExistingPolicies() {
  const sel = select('wi-existing');
  const keys = [...(store['policies']?.keys() ?? [])].sort();
  sel.replaceChildren(h('option', { value: '' }, keys.length ? `${keys.length} policies…` : 'none'), ...keys.map((k) => h('option', { value: k }, k)));
}

select('wi-existing').addEventListener('change', () => {
  const p = store['policies']?.get(select('wi-existing').value);
  if (p) /** @type {HTMLTextAreaElement} */ ($('wi-text')).value = policyManifest(p);
  select('wi-existing').value = '';
});
select('wi-action').addEventListener('change', () => {
  $('wi-apply').textContent = select('wi-action').value === 'delete' ? 'Delete' : 'Apply';
  /** @type {HTMLButtonElement} */ ($('wi-apply')).disabled = true;
});

$('wi-predict').addEventListener('click', () => void predict());
$('wi-apply').addEventListener('click', () => void apply(false));
$('wi-force').addEventListener('click', () => void apply(true));
$('wi-file').addEventListener('change', async () => {
  const f = /** @type {HTMLInputElement} */ ($('wi-file')).files?.[0];
  if (f) /** @type {HTMLTextAreaElement} */ ($('wi-text')).value = await f.text();
});

// ------------------------------------------------------------------ views

/** @param {string} view */
function showView(view) {
  currentView = view;
  for (const t of document.querySelectorAll('.tab')) t.classList.toggle('active', t.getAttribute('data-view') === view);
  for (const v of document.querySelectorAll('.view')) v.classList.toggle('active', v.id === `view-${view}`);
  if (view === 'map') {
    cy.resize();
    cy.fit(undefined, 24);
  }
  if (view === 'matrix') void refreshMatrix();
  if (view === 'whatif') scheduleWhatIf(0);
}
for (const t of document.querySelectorAll('.tab')) t.addEventListener('click', () => showView(t.getAttribute('data-view') ?? 'map'));

// ------------------------------------------------------------------ streams

/** @type {ReturnType<typeof setTimeout> | undefined} */
let renderTimer;
let policiesChanged = false;
function scheduleRender() {
  if (!synced) return;
  clearTimeout(renderTimer);
  renderTimer = setTimeout(() => {
    renderMap();
    updateChoices();
    if (policiesChanged) {
      policiesChanged = false;
      scheduleMatrix();
      scheduleWhatIf(300);
    }
  }, 120);
}

follow({
  url: '/kwire/v1/watch',
  onOpen() {
    for (const m of Object.values(store)) m.clear();
    synced = false;
  },
  onLine(v) {
    const ev = /** @type {{ type: string, kind?: string, object?: KObject, listeners?: typeof hostListeners }} */ (v);
    if (ev.type === 'SYNCED') {
      synced = true;
      document.body.dataset['synced'] = 'true';
      policiesChanged = true;
      scheduleRender();
      return;
    }
    if (ev.type === 'LISTENERS') {
      hostListeners = ev.listeners ?? [];
      scheduleRender();
      return;
    }
    const bucket = BUCKET[ev.kind ?? ''];
    const o = ev.object;
    if (!bucket || !o) return;
    const m = store[bucket];
    if (!m) return;
    const k = keyOf(o);
    if (ev.type === 'DELETED') m.delete(k);
    else m.set(k, o);
    if (bucket === 'policies' || bucket === 'pods' || bucket === 'namespaces') policiesChanged = true;
    scheduleRender();
  },
  onState: setConn,
});

follow({
  url: '/kwire/v1/flows?follow=true&limit=500',
  onLine(v) {
    const f = /** @type {{ flow?: FlowRecord }} */ (v).flow;
    if (f) onFlow(f);
  },
});

/** For tests and the curious: the live state. */
Object.assign(window, {
  kwireUi: {
    cy,
    store,
    flows,
    drawn,
    graph: () => graph,
    get layoutRunning() {
      return layoutRunning;
    },
  },
});
