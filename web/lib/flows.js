/**
 * @module web/lib/flows
 * Flow records for people: one row per record (source, destination, Service,
 * port, verdict, deciding policies), and the list's filter (namespace, pod,
 * verdict, port), matched the way `GET /kwire/v1/flows` matches. Pure.
 */

/** @typedef {import('./graph.js').FlowRecord} FlowRecord */
/** @typedef {import('./graph.js').FlowPeer} FlowPeer */

/**
 * @typedef {object} FlowFilter
 * @property {string} [namespace] the source pod, the endpoint pod or the Service is in it
 * @property {string} [pod] a substring of the source or endpoint pod's ns/name
 * @property {string} [verdict] forwarded | dropped | refused | error
 * @property {number} [port] the dialled port or the endpoint's port
 * @property {boolean} [probes] include the kubelet's probes (default: left out)
 */

/**
 * A kubelet probe: from a node straight to a pod on it (no Service).
 * @param {FlowRecord} f
 */
export function isProbe(f) {
  const s = f.src.owner;
  const e = f.endpoint?.owner;
  return s?.kind === 'node' && !f.service && e?.kind === 'pod' && (e.node === undefined || e.node === s.name);
}

/** @param {FlowPeer | undefined} p */
export function peerName(p) {
  if (!p) return '-';
  const o = p.owner;
  if (o && o.kind === 'pod') return `${o.namespace}/${o.name}`;
  if (o && o.kind === 'node') return `node/${o.name}`;
  return p.ip;
}

/** @param {FlowPeer | undefined} p */
const podOf = (p) => (p?.owner && p.owner.kind === 'pod' ? `${p.owner.namespace}/${p.owner.name}` : undefined);

/**
 * @param {FlowRecord} f
 * @param {FlowFilter} q
 */
export function flowMatches(f, q) {
  if (!q.probes && isProbe(f)) return false;
  if (q.verdict && f.verdict !== q.verdict) return false;
  if (q.namespace) {
    /** @param {FlowPeer | undefined} p */
    const ns = (p) => (p?.owner && p.owner.kind === 'pod' ? p.owner.namespace : undefined);
    if (ns(f.src) !== q.namespace && ns(f.endpoint) !== q.namespace && f.service?.namespace !== q.namespace) return false;
  }
  if (q.pod) {
    const needle = q.pod.trim();
    if (needle && !(podOf(f.src) ?? '').includes(needle) && !(podOf(f.endpoint) ?? '').includes(needle)) return false;
  }
  if (q.port !== undefined && f.dst.port !== q.port && f.endpoint?.port !== q.port) return false;
  return true;
}

/**
 * @typedef {object} FlowRow
 * @property {number} id
 * @property {string} time  HH:MM:SS.mmm
 * @property {string} from
 * @property {string} to    the endpoint (or the address dialled, when refused before one was picked)
 * @property {string} via   `svc/ns/name:port`, or ''
 * @property {number} port  the destination port after translation
 * @property {string} protocol
 * @property {string} verdict
 * @property {string} policies
 * @property {string} reason
 */

/** @param {number} ms */
function clock(ms) {
  const d = new Date(ms);
  /** @param {number} n @param {number} w */
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/**
 * @param {FlowRecord} f
 * @returns {FlowRow}
 */
export function flowRow(f) {
  const to = f.endpoint ? peerName(f.endpoint) : `${f.dst.ip}`;
  return {
    id: f.id,
    time: clock(f.time),
    from: peerName(f.src),
    to,
    via: f.service ? `svc/${f.service.namespace}/${f.service.name}:${f.dst.port}` : '',
    port: f.endpoint?.port ?? f.dst.port,
    protocol: f.protocol,
    verdict: f.verdict,
    policies: f.policies.join(', '),
    reason: f.reason,
  };
}

/**
 * Keeps the newest `cap` records, newest last, without duplicates (a reconnect replays held ones).
 * @param {FlowRecord[]} list
 * @param {FlowRecord} f
 * @param {number} cap
 * @returns {boolean} whether `f` was new
 */
export function addFlow(list, f, cap) {
  const last = list[list.length - 1];
  if (last && f.id <= last.id) {
    if (list.some((x) => x.id === f.id)) return false;
    list.push(f);
    list.sort((a, b) => a.id - b.id);
  } else list.push(f);
  if (list.length > cap) list.splice(0, list.length - cap);
  return true;
}
