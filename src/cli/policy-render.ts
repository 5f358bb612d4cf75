/**
 * @module cli/policy-render
 * Printers for `kwire explain`, `kwire matrix` and `kwire flows`:
 *
 * - explain: the verdict line, the Service translation, each endpoint path's
 *   reasoning (paths that decide alike are folded into one), then the hints;
 * - matrix: the upstream e2e probe layout per protocol/port (`-` corner, tabs,
 *   `.` allowed, `X` dropped, `?` depends on the endpoint picked), CSV, JSON;
 * - flows: one line per flow in `hubble observe`'s layout:
 *   `Nov 28 02:33:11.123: ns/pod:41234 (10.244.1.5) -> ns/pod:8080 (10.244.2.3)
 *    via svc/ns/name:80 tcp DROPPED (policy ns/deny-all)`; a NodePort flow says
 *   `via 127.0.10.3:30080 (svc/ns/name)`, the node address dialled.
 * Pure string building over the JSON the API returns.
 */
import type { FlowRecord } from '../dataplane/flow-log.js';
import type { Peer } from '../dataplane/types.js';
import { printTruthTable } from '../policy/index.js';
import type { ExplainPath, ExplainResult, ReachabilityMatrix } from '../apiserver/kwire-query.js';

// ------------------------------------------------------------------ explain

function groupKey(p: ExplainPath): string {
  const d = p.decision;
  const refs = (xs: ReadonlyArray<{ namespace: string; name: string }>): string => xs.map((r) => `${r.namespace}/${r.name}`).join(',');
  return [p.verdict, p.policies.join(','), d.reason, d.egress.reason, refs(d.egress.selectedBy), d.ingress.reason, refs(d.ingress.selectedBy)].join('|');
}

/** `kwire explain` for people. */
export function renderExplainText(x: ExplainResult): string {
  const out: string[] = [x.summary];
  if (x.sources) out.push(`source ${x.from} stands for the pods behind it: ${x.sources.join(', ')}`);
  const s = x.service;
  if (s) {
    const target = s.targetPort === undefined ? '' : ` -> targetPort ${String(s.targetPort)}`;
    out.push(`service: ${s.namespace}/${s.name}${s.clusterIP ? ` ${s.clusterIP}` : ''}:${s.port}/${s.protocol}${s.portName ? ` (${s.portName})` : ''}${target}`);
    if (s.endpoints.length > 0) {
      out.push(`  ${s.endpoints.length} endpoint${s.endpoints.length === 1 ? '' : 's'} the proxy may pick: ${s.endpoints.map((e) => (e.target === e.ip ? `${e.ip}:${e.port}` : `${e.target} (${e.ip}:${e.port})`)).join(', ')}`);
    }
  }
  const groups = new Map<string, ExplainPath[]>();
  for (const p of x.paths) {
    const k = groupKey(p);
    const g = groups.get(k);
    if (g) g.push(p);
    else groups.set(k, [p]);
  }
  for (const [, g] of groups) {
    const [first, ...rest] = g;
    if (!first) continue;
    out.push('');
    out.push(`path ${first.from} -> ${first.to}:${first.port}: ${first.verdict.toUpperCase()}`);
    for (const l of first.lines) if (!l.startsWith('hint: ')) out.push(`  ${l}`);
    if (rest.length > 0) out.push(`  (decided the same way for ${rest.map((p) => `${p.from} -> ${p.to}:${p.port}`).join(', ')})`);
  }
  if (x.hints.length > 0) {
    out.push('');
    out.push('hints:');
    for (const h of x.hints) out.push(`  - ${h.message}${h.suggestion ? `\n    Try: ${h.suggestion}` : ''}`);
  }
  return out.join('\n') + '\n';
}

// ------------------------------------------------------------------ matrix

/** The upstream probe layout, one block per protocol/port. */
export function renderMatrixTable(m: ReachabilityMatrix): string {
  const blocks = m.tables.map((t) => `${t.protocol}/${t.port}:\n${printTruthTable({ froms: m.froms, tos: m.tos, values: t.allowed })}`);
  const partial = m.tables.some((t) => t.allowed.some((r) => r.some((v) => v === null)));
  return blocks.join('\n\n') + '\n' + (partial ? '\n? = the outcome depends on the endpoint the proxy picks (some admit it, some do not), or the Service has no pod to send from\n' : '');
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV: `protocol,port,from,<to…>`, one row per protocol/port/from; cells allow, deny or empty. */
export function renderMatrixCSV(m: ReachabilityMatrix): string {
  const lines = [['protocol', 'port', 'from', ...m.tos].map(csvCell).join(',')];
  for (const t of m.tables) {
    m.froms.forEach((from, i) => {
      const cells = (t.allowed[i] ?? []).map((v) => (v === null ? '' : v ? 'allow' : 'deny'));
      lines.push([t.protocol, String(t.port), csvCell(from), ...cells].join(','));
    });
  }
  return lines.join('\n') + '\n';
}

export function renderJSON(v: unknown): string {
  return JSON.stringify(v, null, 2) + '\n';
}

// ------------------------------------------------------------------ flows

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Go's time.StampMilli ("Jan _2 15:04:05.000"), as hubble prints it; local time unless `utc`. */
export function stampMilli(ms: number, utc = false): string {
  const d = new Date(ms);
  const [mo, day, h, mi, s, milli] = utc
    ? [d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()]
    : [d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds(), d.getMilliseconds()];
  return `${MONTHS[mo] ?? '???'} ${String(day).padStart(2, ' ')} ${pad(h)}:${pad(mi)}:${pad(s)}.${pad(milli, 3)}`;
}

function peerText(p: Peer): string {
  const o = p.owner;
  if (o === undefined) return `${p.ip}:${p.port} (world)`;
  switch (o.kind) {
    case 'pod':
      return `${o.namespace}/${o.name}:${p.port} (${p.ip})`;
    case 'node':
      return `node/${o.name}:${p.port} (${p.ip})`;
    default: {
      const never: never = o;
      return String(never);
    }
  }
}

function outcome(r: FlowRecord): string {
  const list = r.policies.join(', ');
  const policy = `polic${r.policies.length === 1 ? 'y' : 'ies'} ${list}`;
  switch (r.verdict) {
    case 'forwarded':
      return `FORWARDED${r.policies.length ? ` (allowed by ${list})` : ''}`;
    case 'dropped':
      return `DROPPED (${r.policies.length ? policy : r.reason})`;
    case 'refused':
      return `REFUSED (${r.reason})`;
    case 'error':
      return `ERROR (${r.reason})`;
    default: {
      const never: never = r.verdict;
      return String(never);
    }
  }
}

/** One flow in hubble observe's layout. */
export function renderFlowLine(r: FlowRecord, opts: { readonly utc?: boolean } = {}): string {
  // A ClusterIP flow names the Service and its port; a NodePort or LoadBalancer flow
  // (dialled on the node network, 127.0.0.0/8) the address dialled, then the Service.
  const onNodeNetwork = r.dst.ip.startsWith('127.');
  const svc = r.service
    ? onNodeNetwork
      ? `${r.dst.ip}:${r.dst.port} (svc/${r.service.namespace}/${r.service.name})`
      : `svc/${r.service.namespace}/${r.service.name}:${r.dst.port}`
    : undefined;
  const dst = r.endpoint ? peerText(r.endpoint) : svc ? (onNodeNetwork ? svc : `${svc} (${r.dst.ip})`) : `${r.dst.ip}:${r.dst.port}`;
  const via = svc && r.endpoint ? ` via ${svc}` : '';
  const snat = r.snat ? ` snat ${r.snat.ip}:${r.snat.port}` : '';
  return `${stampMilli(r.time, opts.utc)}: ${peerText(r.src)} -> ${dst}${via}${snat} ${r.protocol.toLowerCase()} ${outcome(r)}`;
}
