/**
 * @module web/lib/graph
 * The map's model: the cluster's objects (as the watch stream delivers them)
 * turned into cytoscape element definitions. Pure: no DOM, no cytoscape; the
 * unit tests run it under Node.
 *
 *   node network ─► ingress controller ─► host/path rules ─┐
 *   (node IPs, host listeners) ───────────────────────────►├─► Services ─► endpoint pods
 *                                                          │   (namespace groups, pods grouped
 *                                                          │    by their owner Deployment)
 *
 * Compound nodes: `ns:NS` per namespace that holds something, `deploy:NS/NAME`
 * per Deployment (expanded: its pods inside; collapsed: one node "name 3/3"),
 * `nodenet` (nodes, listeners, the host) and `ingress` (the controller and its
 * rules). Edges: Service -> each ready endpoint (to the pod, or to its collapsed
 * Deployment), rule -> Service, listener -> Service or controller.
 */

/** @typedef {import('kubernetes-types/core/v1.js').Pod} Pod */
/** @typedef {import('kubernetes-types/core/v1.js').Service} Service */
/** @typedef {import('kubernetes-types/core/v1.js').Namespace} Namespace */
/** @typedef {import('kubernetes-types/core/v1.js').Node} KNode */
/** @typedef {import('kubernetes-types/apps/v1.js').Deployment} Deployment */
/** @typedef {import('kubernetes-types/apps/v1.js').ReplicaSet} ReplicaSet */
/** @typedef {import('kubernetes-types/discovery/v1.js').EndpointSlice} EndpointSlice */
/** @typedef {import('kubernetes-types/networking/v1.js').Ingress} Ingress */
/** @typedef {{ what: string, address: string, error?: string }} Listener */

/**
 * @typedef {object} ClusterObjects
 * @property {ReadonlyArray<Namespace>} namespaces
 * @property {ReadonlyArray<KNode>} nodes
 * @property {ReadonlyArray<Pod>} pods
 * @property {ReadonlyArray<Service>} services
 * @property {ReadonlyArray<EndpointSlice>} slices
 * @property {ReadonlyArray<Deployment>} deployments
 * @property {ReadonlyArray<ReplicaSet>} replicasets
 * @property {ReadonlyArray<Ingress>} ingresses
 * @property {ReadonlyArray<Listener>} listeners
 */

/**
 * @typedef {object} GraphOptions
 * @property {ReadonlySet<string>} [expanded] Deployment keys (ns/name) the user opened.
 * @property {ReadonlySet<string>} [collapsed] Deployment keys the user closed.
 * @property {number} [groupLimit] A Deployment with more pods starts collapsed (default 6).
 * @property {number} [totalLimit] Above this many pods every Deployment starts collapsed (default 80).
 */

/**
 * @typedef {object} ElementData
 * @property {string} id
 * @property {string} [parent]
 * @property {string} [source]
 * @property {string} [target]
 * @property {string} label
 * @property {string} kind  namespace | deployment | pod | service | rule | controller | node | listener | host | group | route
 * @property {string} [key] ns/name of the object it stands for
 * @property {string} [ns]
 * @property {string} [ip]
 * @property {string} [phase]
 * @property {boolean} [collapsed]
 */

/** @typedef {{ group: 'nodes' | 'edges', data: ElementData, classes?: string }} ElementDef */

/**
 * @typedef {object} Graph
 * @property {ElementDef[]} elements Nodes first (parents before children), then edges.
 * @property {Map<string, string>} podElement Pod key (ns/name) -> the element showing it.
 * @property {Map<string, string>} ipElement Node IPs and pod IPs -> element id.
 * @property {string} signature Changes exactly when nodes or their parents change (a new layout is due).
 */

/** @param {{ metadata?: { namespace?: string, name?: string } }} o */
export const keyOf = (o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** @param {Pod} p */
function podReady(p) {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** @param {Pod} p */
export function podPhase(p) {
  if (p.metadata?.deletionTimestamp) return 'Terminating';
  const waiting = (p.status?.containerStatuses ?? []).map((c) => c.state?.waiting?.reason).find((r) => r);
  if (waiting) return waiting;
  return p.status?.phase ?? 'Pending';
}

/**
 * The Deployment owning each pod, through its ReplicaSet.
 * @param {ReadonlyArray<Pod>} pods
 * @param {ReadonlyArray<ReplicaSet>} replicasets
 * @returns {Map<string, string>} pod key -> deployment key
 */
export function podOwners(pods, replicasets) {
  /** @type {Map<string, string>} */
  const rsToDeploy = new Map();
  for (const rs of replicasets) {
    const d = (rs.metadata?.ownerReferences ?? []).find((o) => o.kind === 'Deployment');
    if (d) rsToDeploy.set(keyOf(rs), `${rs.metadata?.namespace ?? ''}/${d.name}`);
  }
  /** @type {Map<string, string>} */
  const out = new Map();
  for (const p of pods) {
    const rs = (p.metadata?.ownerReferences ?? []).find((o) => o.kind === 'ReplicaSet');
    if (!rs) continue;
    const d = rsToDeploy.get(`${p.metadata?.namespace ?? ''}/${rs.name}`);
    if (d) out.set(keyOf(p), d);
  }
  return out;
}

/** @param {Service} s */
export function serviceLabel(s) {
  const spec = s.spec ?? {};
  const lines = [s.metadata?.name ?? ''];
  const type = spec.type ?? 'ClusterIP';
  lines.push(`${type} ${spec.clusterIP ?? ''}`.trim());
  const ports = (spec.ports ?? []).map((p) => {
    const target = p.targetPort !== undefined && p.targetPort !== p.port ? `→${p.targetPort}` : '';
    const node = p.nodePort ? ` node:${p.nodePort}` : '';
    return `${p.port}${target}${p.protocol && p.protocol !== 'TCP' ? `/${p.protocol}` : ''}${node}`;
  });
  if (ports.length) lines.push(ports.slice(0, 3).join(' ') + (ports.length > 3 ? ' …' : ''));
  const ext = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname).filter((x) => x);
  if (ext.length) lines.push(`EXTERNAL-IP ${ext.join(',')}`);
  else if (type === 'LoadBalancer') lines.push('EXTERNAL-IP <pending>');
  return lines.join('\n');
}

/**
 * Which element a listener leads to.
 * @param {Listener} l
 * @returns {string | undefined}
 */
export function listenerTarget(l) {
  const m = /^(?:NodePort|LoadBalancer) ([^/\s]+)\/(\S+)$/.exec(l.what);
  if (m) return `svc:${m[1]}/${m[2]}`;
  if (l.what.startsWith('ingress ')) return 'ingctl';
  return undefined;
}

/**
 * @param {ClusterObjects} objs
 * @param {GraphOptions} [opts]
 * @returns {Graph}
 */
export function buildGraph(objs, opts = {}) {
  const groupLimit = opts.groupLimit ?? 6;
  const totalLimit = opts.totalLimit ?? 80;
  const expandedSet = opts.expanded ?? new Set();
  const collapsedSet = opts.collapsed ?? new Set();
  /** @type {ElementDef[]} */
  const nodes = [];
  /** @type {ElementDef[]} */
  const edges = [];
  /** @type {Set<string>} */
  const edgeIds = new Set();
  /** @type {Map<string, string>} */
  const podElement = new Map();
  /** @type {Map<string, string>} */
  const ipElement = new Map();
  /** @type {Set<string>} */
  const nsUsed = new Set();
  /** @type {Set<string>} */
  const ids = new Set();

  /** @param {ElementData} data @param {string} [classes] */
  const node = (data, classes) => {
    if (ids.has(data.id)) return;
    ids.add(data.id);
    nodes.push(classes ? { group: 'nodes', data, classes } : { group: 'nodes', data });
  };
  /** @param {string} source @param {string} target @param {string} kind @param {string} [classes] */
  const edge = (source, target, kind, classes) => {
    const id = `e:${source}->${target}`;
    if (source === target || edgeIds.has(id)) return;
    edgeIds.add(id);
    edges.push({ group: 'edges', data: { id, source, target, label: '', kind }, ...(classes ? { classes } : {}) });
  };

  const pods = objs.pods.filter((p) => p.metadata?.name);
  const owners = podOwners(pods, objs.replicasets);
  /** @type {Map<string, Pod[]>} */
  const podsByDeploy = new Map();
  for (const p of pods) {
    const d = owners.get(keyOf(p));
    if (!d) continue;
    const list = podsByDeploy.get(d);
    if (list) list.push(p);
    else podsByDeploy.set(d, [p]);
  }
  const total = pods.length;
  /** @param {string} key @param {number} n */
  const isExpanded = (key, n) => (expandedSet.has(key) ? true : collapsedSet.has(key) ? false : n <= groupLimit && total <= totalLimit);

  for (const p of pods) nsUsed.add(p.metadata?.namespace ?? 'default');
  for (const s of objs.services) nsUsed.add(s.metadata?.namespace ?? 'default');
  for (const d of objs.deployments) nsUsed.add(d.metadata?.namespace ?? 'default');

  // The node network: nodes, the host's own clients, listeners (grouped by what they serve).
  node({ id: 'nodenet', label: 'node network', kind: 'group' }, 'group');
  node({ id: 'host', parent: 'nodenet', label: 'host clients\n127.0.0.1', kind: 'host', ip: '127.0.0.1' }, 'host');
  ipElement.set('127.0.0.1', 'host');
  for (const n of [...objs.nodes].sort((a, b) => keyOf(a).localeCompare(keyOf(b)))) {
    const ip = (n.status?.addresses ?? []).find((a) => a.type === 'InternalIP')?.address ?? '';
    const id = `node:${n.metadata?.name ?? ''}`;
    node({ id, parent: 'nodenet', label: `${n.metadata?.name ?? ''}\n${ip}`, kind: 'node', key: n.metadata?.name ?? '', ip }, 'node');
    if (ip) ipElement.set(ip, id);
  }
  /** @type {Map<string, Listener[]>} */
  const byWhat = new Map();
  for (const l of objs.listeners) {
    if (l.what === 'api-server' || l.what === 'dns') continue;
    const list = byWhat.get(l.what);
    if (list) list.push(l);
    else byWhat.set(l.what, [l]);
  }

  // The ingress controller with its hosts and paths.
  const ctlSvc = objs.services.find((s) => s.metadata?.namespace === 'ingress-nginx' && s.metadata?.name === 'ingress-nginx-controller');
  const ctlIp = ctlSvc?.status?.loadBalancer?.ingress?.[0]?.ip;
  const hasIngress = objs.ingresses.length > 0 || byWhat.has('ingress http') || byWhat.has('ingress https');
  if (hasIngress) {
    node({ id: 'ingress', label: 'ingress controller', kind: 'group' }, 'group');
    node({ id: 'ingctl', parent: 'ingress', label: `nginx${ctlIp ? `\n${ctlIp}` : ''}\n:80 :443`, kind: 'controller' }, 'controller');
  }

  // Namespaces, Deployments, pods.
  for (const ns of [...nsUsed].sort()) node({ id: `ns:${ns}`, label: ns, kind: 'namespace', key: ns, ns }, 'namespace');
  for (const d of [...objs.deployments].sort((a, b) => keyOf(a).localeCompare(keyOf(b)))) {
    const key = keyOf(d);
    const ns = d.metadata?.namespace ?? 'default';
    const members = podsByDeploy.get(key) ?? [];
    const ready = members.filter(podReady).length;
    const open = isExpanded(key, members.length);
    node(
      { id: `deploy:${key}`, parent: `ns:${ns}`, label: open ? `${d.metadata?.name ?? ''}` : `${d.metadata?.name ?? ''}\n${ready}/${members.length} pods`, kind: 'deployment', key, ns, collapsed: !open },
      open ? 'deployment open' : 'deployment collapsed',
    );
    if (!open) for (const p of members) podElement.set(keyOf(p), `deploy:${key}`);
  }
  for (const p of [...pods].sort((a, b) => keyOf(a).localeCompare(keyOf(b)))) {
    const key = keyOf(p);
    const ns = p.metadata?.namespace ?? 'default';
    const d = owners.get(key);
    const ip = p.status?.podIP ?? '';
    if (d && ids.has(`deploy:${d}`) && podElement.get(key) === `deploy:${d}`) {
      if (ip) ipElement.set(ip, `deploy:${d}`);
      continue;
    }
    const parent = d && ids.has(`deploy:${d}`) ? `deploy:${d}` : `ns:${ns}`;
    const phase = podPhase(p);
    const id = `pod:${key}`;
    node({ id, parent, label: `${p.metadata?.name ?? ''}\n${ip || phase}`, kind: 'pod', key, ns, ip, phase }, `pod ${podReady(p) ? 'ready' : 'not-ready'}`);
    podElement.set(key, id);
    if (ip) ipElement.set(ip, id);
  }

  // Services and their endpoints.
  for (const s of [...objs.services].sort((a, b) => keyOf(a).localeCompare(keyOf(b)))) {
    const key = keyOf(s);
    const ns = s.metadata?.namespace ?? 'default';
    const id = `svc:${key}`;
    node({ id, parent: `ns:${ns}`, label: serviceLabel(s), kind: 'service', key, ns, ip: s.spec?.clusterIP ?? '' }, `service type-${(s.spec?.type ?? 'ClusterIP').toLowerCase()}`);
    const cip = s.spec?.clusterIP;
    if (cip && cip !== 'None') ipElement.set(cip, id);
  }
  for (const sl of objs.slices) {
    const svc = sl.metadata?.labels?.['kubernetes.io/service-name'];
    if (!svc) continue;
    const sid = `svc:${sl.metadata?.namespace ?? ''}/${svc}`;
    if (!ids.has(sid)) continue;
    for (const ep of sl.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      const ref = ep.targetRef;
      if (!ref || ref.kind !== 'Pod' || !ref.name) continue;
      const target = podElement.get(`${ref.namespace ?? sl.metadata?.namespace ?? ''}/${ref.name}`);
      if (target) edge(sid, target, 'endpoint', 'endpoint');
    }
  }

  // Ingress rules -> Services.
  for (const ing of [...objs.ingresses].sort((a, b) => keyOf(a).localeCompare(keyOf(b)))) {
    const ns = ing.metadata?.namespace ?? 'default';
    const rules = ing.spec?.rules ?? [];
    const def = ing.spec?.defaultBackend?.service;
    /** @type {Array<{ host: string, path: string, service?: string }>} */
    const routes = [];
    for (const r of rules) for (const p of r.http?.paths ?? []) routes.push({ host: r.host ?? '*', path: p.path ?? '/', service: p.backend.service?.name });
    if (def) routes.push({ host: '*', path: '(default)', service: def.name });
    for (const r of routes) {
      const id = `rule:${ns}/${ing.metadata?.name ?? ''}#${r.host}${r.path}`;
      node({ id, parent: 'ingress', label: `${r.host}${r.path.startsWith('/') ? r.path : ` ${r.path}`}\n${ing.metadata?.name ?? ''}`, kind: 'rule', key: keyOf(ing), ns }, 'rule');
      edge('ingctl', id, 'route', 'route');
      if (r.service && ids.has(`svc:${ns}/${r.service}`)) edge(id, `svc:${ns}/${r.service}`, 'route', 'route');
    }
  }

  // Host listeners -> what they serve.
  for (const [what, ls] of [...byWhat].sort((a, b) => a[0].localeCompare(b[0]))) {
    const first = ls[0];
    if (!first) continue;
    const id = `lis:${what}`;
    const addrs = ls.map((l) => l.address);
    const bad = ls.some((l) => l.error);
    const shown = addrs.length > 3 ? [...addrs.slice(0, 2), `… ${addrs.length} addresses`] : addrs;
    node({ id, parent: 'nodenet', label: `${what}\n${shown.join('\n')}`, kind: 'listener', key: what }, bad ? 'listener failed' : 'listener');
    const t = listenerTarget(first);
    if (t && ids.has(t)) edge(id, t, 'listener', 'listener');
  }

  const elements = [...nodes, ...edges];
  const signature = nodes.map((n) => `${n.data.id}<${n.data.parent ?? ''}`).join('|') + '#' + edges.map((e) => e.data.id).join('|');
  return { elements, podElement, ipElement, signature };
}

/**
 * @typedef {object} FlowPeer
 * @property {string} ip
 * @property {number} port
 * @property {{ kind: 'pod', namespace: string, name: string, node?: string } | { kind: 'node', name: string }} [owner]
 */

/**
 * @typedef {object} FlowRecord
 * @property {number} id
 * @property {number} time
 * @property {'TCP' | 'UDP'} protocol
 * @property {FlowPeer} src
 * @property {{ ip: string, port: number }} dst
 * @property {{ namespace: string, name: string, port?: string }} [service]
 * @property {FlowPeer} [endpoint]
 * @property {{ ip: string, port: number }} [snat]
 * @property {'forwarded' | 'dropped' | 'refused' | 'error'} verdict
 * @property {string} reason
 * @property {ReadonlyArray<string>} policies
 */

/**
 * The elements a flow goes between on the map: the source (pod, its collapsed
 * Deployment, a node, the host) and the endpoint (or the Service when refused).
 * @param {Graph} g
 * @param {FlowRecord} f
 * @returns {{ source: string, target: string } | undefined}
 */
export function flowEnds(g, f) {
  /** @param {FlowPeer | undefined} p */
  const at = (p) => {
    if (!p) return undefined;
    const o = p.owner;
    if (o && o.kind === 'pod') return g.podElement.get(`${o.namespace}/${o.name}`) ?? g.ipElement.get(p.ip);
    if (o && o.kind === 'node') return `node:${o.name}`;
    return g.ipElement.get(p.ip) ?? (p.ip.startsWith('127.') ? 'host' : undefined);
  };
  const source = at(f.src);
  const target = at(f.endpoint) ?? (f.service ? `svc:${f.service.namespace}/${f.service.name}` : g.ipElement.get(f.dst.ip));
  if (!source || !target) return undefined;
  return { source, target };
}
