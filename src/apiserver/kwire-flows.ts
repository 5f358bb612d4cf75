/**
 * @module apiserver/kwire-flows
 * The flow query behind `GET /kwire/v1/flows` and `kwire flows`: parsing the
 * query (namespace, verdict, since, protocol, pod, service, ip, limit), the
 * matching, and the `follow` stream (chunked JSON lines, one `{"flow": …}`
 * object per line: first the held records that match, then each new one as
 * the network appends it, until the client goes away).
 *
 *   ?namespace=ns      the source pod, the endpoint pod or the Service is in ns
 *   ?verdict=dropped   forwarded | dropped | refused | error (comma list, any case)
 *   ?since=5m          a duration back from now, an RFC 3339 time, or epoch ms
 *   ?protocol=tcp  ?pod=ns/name  ?service=ns/name  ?ip=10.244.1.5
 *   ?limit=20          the newest N held records (the live tail is not limited)
 *   ?follow=true       keep the response open and stream new records
 *
 * Reads the flow log through `FlowSource` (the PodNetwork or its FlowLog).
 */
import type { ServerResponse } from 'node:http';
import type { FlowFilter, FlowListener, FlowRecord, FlowVerdict } from '../dataplane/flow-log.js';
import type { Peer } from '../dataplane/types.js';
import { errors } from '../errors.js';
import { splitList } from './kwire-query.js';

/** What the flow endpoints read: `PodNetwork` and `FlowLog` both fit. */
export interface FlowSource {
  recent(filter?: FlowFilter): ReadonlyArray<FlowRecord>;
  subscribe(listener: FlowListener): () => void;
}

export interface FlowQuery {
  readonly namespace?: string;
  readonly verdicts?: ReadonlyArray<FlowVerdict>;
  /** Epoch milliseconds. */
  readonly since?: number;
  readonly protocol?: 'TCP' | 'UDP';
  readonly pod?: string;
  readonly service?: string;
  readonly ip?: string;
  readonly limit?: number;
  readonly follow: boolean;
}

const VERDICTS: ReadonlyArray<FlowVerdict> = ['forwarded', 'dropped', 'refused', 'error'];
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `5m`, `1h30m`, `250ms`, `1.5h` (Go's time.ParseDuration units down to ms) in ms; undefined if not one. */
export function parseDuration(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  return total;
}

/** `since` as epoch ms: a duration back from `now`, epoch ms, or an RFC 3339 time. */
export function parseSince(text: string, now: number): number {
  const t = text.trim();
  const d = parseDuration(t);
  if (d !== undefined) return now - d;
  if (/^\d+$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw errors.badRequest(`invalid since "${text}": use a duration (30s, 5m, 1h), an RFC 3339 time or epoch milliseconds`);
  return ms;
}

function boolParam(v: string | null): boolean {
  return v === 'true' || v === '1' || v === 'True' || v === 'TRUE' || v === 't' || v === 'T';
}

/** Reads a flow query from URL parameters. */
export function parseFlowQuery(q: URLSearchParams, now: number): FlowQuery {
  const verdicts = splitList(q.getAll('verdict')).map((v) => {
    const l = v.toLowerCase();
    const found = VERDICTS.find((x) => x === l);
    if (!found) throw errors.badRequest(`invalid verdict "${v}": use one of ${VERDICTS.join(', ')}`);
    return found;
  });
  const proto = q.get('protocol');
  let protocol: 'TCP' | 'UDP' | undefined;
  if (proto !== null && proto !== '') {
    const p = proto.toUpperCase();
    if (p !== 'TCP' && p !== 'UDP') throw errors.badRequest(`unsupported protocol "${proto}": flows are "TCP" or "UDP"`);
    protocol = p;
  }
  const limitText = q.get('limit');
  let limit: number | undefined;
  if (limitText !== null && limitText !== '') {
    if (!/^\d+$/.test(limitText)) throw errors.badRequest(`invalid limit "${limitText}": must be a whole number`);
    limit = Number(limitText);
  }
  const str = (k: string): string | undefined => {
    const v = q.get(k);
    return v === null || v === '' ? undefined : v;
  };
  const since = str('since');
  const namespace = str('namespace');
  const pod = str('pod');
  const service = str('service');
  const ip = str('ip');
  return {
    ...(namespace ? { namespace } : {}),
    ...(verdicts.length ? { verdicts } : {}),
    ...(since !== undefined ? { since: parseSince(since, now) } : {}),
    ...(protocol ? { protocol } : {}),
    ...(pod ? { pod } : {}),
    ...(service ? { service } : {}),
    ...(ip ? { ip } : {}),
    ...(limit !== undefined && limit > 0 ? { limit } : {}),
    follow: boolParam(q.get('follow')),
  };
}

const podNamespace = (p: Peer | undefined): string | undefined => (p?.owner?.kind === 'pod' ? p.owner.namespace : undefined);

/** Whether a record matches the query (every given field must). */
export function flowMatches(r: FlowRecord, q: FlowQuery): boolean {
  if (q.verdicts && !q.verdicts.includes(r.verdict)) return false;
  if (q.namespace !== undefined && podNamespace(r.src) !== q.namespace && podNamespace(r.endpoint) !== q.namespace && r.service?.namespace !== q.namespace) return false;
  if (q.since !== undefined && r.time < q.since) return false;
  if (q.protocol !== undefined && r.protocol !== q.protocol) return false;
  const pod = (p: Peer | undefined): string | undefined => (p?.owner?.kind === 'pod' ? `${p.owner.namespace}/${p.owner.name}` : undefined);
  if (q.pod !== undefined && pod(r.src) !== q.pod && pod(r.endpoint) !== q.pod) return false;
  if (q.service !== undefined && (r.service === undefined || `${r.service.namespace}/${r.service.name}` !== q.service)) return false;
  if (q.ip !== undefined && r.src.ip !== q.ip && r.dst.ip !== q.ip && r.endpoint?.ip !== q.ip && r.snat?.ip !== q.ip) return false;
  return true;
}

/** The held records matching the query, oldest first (the newest `limit`). */
export function queryFlows(source: FlowSource, q: FlowQuery): FlowRecord[] {
  const held = source.recent(q.since !== undefined ? { since: q.since } : {}).filter((r) => flowMatches(r, q));
  return q.limit !== undefined && held.length > q.limit ? held.slice(held.length - q.limit) : held;
}

/** One line of the follow stream (and of `kwire flows -o json`). */
export function flowLine(r: FlowRecord): string {
  return JSON.stringify({ flow: r }) + '\n';
}

/**
 * Streams matching records as JSON lines on `res` (status 200 already chosen
 * here): the held ones, then new ones, until the response closes. Returns the
 * stop function (also called when the client goes away).
 */
export function followFlows(source: FlowSource, q: FlowQuery, res: ServerResponse): () => void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'X-Content-Type-Options': 'nosniff' });
  res.flushHeaders();
  // recent() and subscribe() run in the same tick: no record falls between them.
  const backlog = queryFlows(source, q);
  let stopped = false;
  const off = source.subscribe((r) => {
    if (!stopped && flowMatches(r, q)) res.write(flowLine(r));
  });
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    off();
  };
  res.on('close', stop);
  if (backlog.length > 0) res.write(backlog.map(flowLine).join(''));
  return stop;
}
