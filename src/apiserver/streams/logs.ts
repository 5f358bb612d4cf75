/**
 * @module apiserver/streams/logs
 * GET pods/{name}/log: kube-apiserver's PodLogOptions handling and container checks,
 * then the kubelet's log reader over the backend's entries: `tailLines` (counted over
 * the whole log, then `sinceSeconds`/`sinceTime` filter, as the kubelet does),
 * `timestamps` (RFC 3339 with 9 fractional digits, then a space), `limitBytes`
 * (timestamps included) and `follow` (chunked, until the container ends or the
 * client goes away).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KObject } from '../../store/store.js';
import type { LogEntry, StreamBackend } from './backend.js';
import { hasNode, requireLogs, resolveContainer } from './containers.js';
import { parseLogOptions, type LogOptions } from './params.js';

/** The kubelet's timeFormatOut: "2006-01-02T15:04:05.000000000Z07:00" (UTC). */
export function formatLogTimestamp(t: Date): string {
  const iso = t.toISOString(); // 2024-01-02T03:04:05.678Z
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}

/** Bytes for one entry, or undefined when filtered out by since*. */
function render(e: LogEntry, opts: LogOptions, since: Date | undefined): Buffer | undefined {
  if (since && e.time.getTime() < since.getTime()) return undefined;
  const data = typeof e.data === 'string' ? Buffer.from(e.data) : e.data;
  return opts.timestamps ? Buffer.concat([Buffer.from(`${formatLogTimestamp(e.time)} `), data]) : data;
}

/** Writes the log of `pod` to `res`. Throws ApiError before anything was written. */
export async function serveLogs(backend: StreamBackend, pod: Readonly<KObject>, query: URLSearchParams, _req: IncomingMessage, res: ServerResponse): Promise<void> {
  const opts = parseLogOptions(pod.metadata.name ?? '', query);
  const container = resolveContainer(pod, opts.container);
  const headers = { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' };
  if (!hasNode(pod)) {
    // LogLocation returns no location for an unscheduled pod: an empty answer.
    res.writeHead(200, { ...headers, 'Content-Length': '0' });
    res.end();
    return;
  }
  requireLogs(pod, container, opts.previous);
  const client = new AbortController();
  let gone = false;
  let onGone: () => void = () => {};
  const goneP = new Promise<void>((resolve) => {
    onGone = resolve;
  });
  res.once('close', () => {
    gone = true;
    client.abort();
    onGone();
  });
  const source = await backend.logs(pod, { container, previous: opts.previous, follow: opts.follow, signal: client.signal });
  const since = opts.sinceTime ?? (opts.sinceSeconds !== undefined ? new Date(Date.now() - opts.sinceSeconds * 1000) : undefined);

  res.writeHead(200, headers);
  res.flushHeaders();
  let remain = opts.limitBytes ?? Infinity;
  /** Writes one entry; false once the byte limit is reached. */
  const write = (e: LogEntry): boolean => {
    const b = render(e, opts, since);
    if (!b) return true;
    const out = b.length > remain ? b.subarray(0, remain) : b;
    remain -= out.length;
    if (out.length > 0) res.write(out);
    return remain > 0;
  };

  let history = source.history;
  if (opts.tailLines !== undefined) history = opts.tailLines === 0 ? [] : history.slice(-opts.tailLines);
  let open = true;
  for (const e of history) {
    if (gone || !(open = write(e))) break;
  }
  if (open && !gone && opts.follow && source.live) {
    const it = source.live[Symbol.asyncIterator]();
    try {
      for (;;) {
        const r = await Promise.race([it.next(), goneP.then(() => undefined)]);
        if (!r || r.done || gone) break;
        if (!write(r.value)) break;
      }
    } finally {
      it.return?.()?.catch(() => {});
    }
  }
  if (!gone) res.end();
}
