/**
 * @module controllers/kubelet/log-buffer
 * A container's log as the kubelet keeps it: timestamped chunks, bounded in size
 * (oldest dropped first), readable from the start or the last N lines, and
 * followable until the container ends (`kubectl logs -f`).
 */
import { Writable } from 'node:stream';

export interface LogChunk {
  readonly time: Date;
  readonly data: Buffer;
}

export class LogBuffer {
  private readonly chunks: LogChunk[] = [];
  private size = 0;
  private ended = false;
  private readonly followers = new Set<{ onData: (c: LogChunk) => void; onEnd: () => void }>();

  constructor(private readonly maxBytes = 1024 * 1024) {}

  /** A Writable that appends to this log (the container's stdout or stderr). */
  writer(): Writable {
    return new Writable({
      write: (chunk: Buffer | string, _enc, cb) => {
        this.append(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        cb();
      },
    });
  }

  append(data: Buffer): void {
    if (this.ended || data.length === 0) return;
    const c = { time: new Date(), data };
    this.chunks.push(c);
    this.size += data.length;
    while (this.size > this.maxBytes && this.chunks.length > 1) this.size -= this.chunks.shift()!.data.length;
    for (const f of this.followers) f.onData(c);
  }

  /** The container ended: followers finish. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const f of this.followers) f.onEnd();
    this.followers.clear();
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Lines (with their time) of what was logged, optionally only the last `tail` and those since `since`. */
  lines(opts: { tail?: number; since?: Date } = {}): Array<{ time: Date; line: Buffer }> {
    const out: Array<{ time: Date; line: Buffer }> = [];
    let pending: Buffer[] = [];
    let pendingTime = new Date(0);
    for (const c of this.chunks) {
      let start = 0;
      for (let i = 0; i < c.data.length; i++) {
        if (c.data[i] === 0x0a) {
          pending.push(c.data.subarray(start, i + 1));
          out.push({ time: pending.length > 1 ? pendingTime : c.time, line: Buffer.concat(pending) });
          pending = [];
          start = i + 1;
        }
      }
      if (start < c.data.length) {
        if (pending.length === 0) pendingTime = c.time;
        pending.push(c.data.subarray(start));
      }
    }
    if (pending.length) out.push({ time: pendingTime, line: Buffer.concat(pending) });
    let sel = opts.since ? out.filter((l) => l.time >= opts.since!) : out;
    if (opts.tail !== undefined && opts.tail >= 0) sel = sel.slice(Math.max(0, sel.length - opts.tail));
    return sel;
  }

  /** Calls back for every new chunk until the log ends or the returned function is called. */
  follow(onData: (c: LogChunk) => void, onEnd: () => void): () => void {
    if (this.ended) {
      onEnd();
      return () => {};
    }
    const f = { onData, onEnd };
    this.followers.add(f);
    return () => this.followers.delete(f);
  }
}
