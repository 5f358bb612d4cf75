/**
 * @module dataplane/flow-log
 * A bounded ring buffer of flow records: one per TCP connection attempt and one
 * per new UDP flow. Appending is O(1) and allocates nothing beyond the record;
 * subscribers are told synchronously. Reading (`recent`) copies out the window.
 * It does not persist anything and does not count bytes.
 */
import type { Address, Peer, Protocol, ServiceRef } from './types.js';

/** What became of a flow. */
export type FlowVerdict = 'forwarded' | 'dropped' | 'refused' | 'error';

/** One connection attempt (TCP) or new datagram flow (UDP). */
export interface FlowRecord {
  /** Increasing sequence number, unique within one network. */
  readonly id: number;
  /** Milliseconds since the epoch, from the network's clock. */
  readonly time: number;
  readonly protocol: Protocol;
  /** The sender as it dialled (before SNAT). */
  readonly src: Peer;
  /** The destination as dialled (a ClusterIP:port or a pod IP:port). */
  readonly dst: Address;
  /** The Service `dst` belonged to, when the translate hook said so. */
  readonly service?: ServiceRef;
  /** The destination after translation (equal to `dst` when nothing translated it). Absent when refused by the translator. */
  readonly endpoint?: Peer;
  /** The source the destination saw, when the translate hook SNATed. */
  readonly snat?: Address;
  readonly verdict: FlowVerdict;
  /** Why, in a few words: `no listener on 10.244.1.5:8080`, `denied by network policy`... */
  readonly reason: string;
  /** The policies that decided (`namespace/name`); empty when no policy applied. */
  readonly policies: ReadonlyArray<string>;
}

/** Selects records in `recent()`; every given field must match. */
export interface FlowFilter {
  readonly protocol?: Protocol;
  readonly verdict?: FlowVerdict;
  /** Matches the source IP, the dialled IP, the SNAT IP or the endpoint IP. */
  readonly ip?: string;
  /** Matches the source pod or the endpoint pod (`namespace/name`). */
  readonly pod?: string;
  /** Matches the service (`namespace/name`). */
  readonly service?: string;
  /** Only records with `time >= since`. */
  readonly since?: number;
  /** Only records with `id > afterId` (for polling). */
  readonly afterId?: number;
  /** At most this many, the newest ones. */
  readonly limit?: number;
}

/** Called with each record as it is appended. */
export type FlowListener = (record: FlowRecord) => void;

/** A record before the log numbers it. */
export type FlowRecordInput = Omit<FlowRecord, 'id'>;

function podKey(p: Peer | undefined): string | undefined {
  const o = p?.owner;
  return o !== undefined && o.kind === 'pod' ? `${o.namespace}/${o.name}` : undefined;
}

function matches(r: FlowRecord, f: FlowFilter): boolean {
  if (f.protocol !== undefined && r.protocol !== f.protocol) return false;
  if (f.verdict !== undefined && r.verdict !== f.verdict) return false;
  if (f.since !== undefined && r.time < f.since) return false;
  if (f.afterId !== undefined && r.id <= f.afterId) return false;
  if (f.ip !== undefined && r.src.ip !== f.ip && r.dst.ip !== f.ip && r.endpoint?.ip !== f.ip && r.snat?.ip !== f.ip) {
    return false;
  }
  if (f.pod !== undefined && podKey(r.src) !== f.pod && podKey(r.endpoint) !== f.pod) return false;
  if (f.service !== undefined && (r.service === undefined || `${r.service.namespace}/${r.service.name}` !== f.service)) {
    return false;
  }
  return true;
}

/** The ring buffer. */
export class FlowLog {
  readonly capacity: number;
  readonly #ring: Array<FlowRecord | undefined>;
  #next = 0; // slot for the next record
  #size = 0;
  #seq = 0;
  #listeners: FlowListener[] = [];
  readonly #onListenerError: (error: unknown) => void;

  /** `onListenerError` hears about subscribers that throw (default: a process warning). */
  constructor(capacity = 10_000, onListenerError?: (error: unknown) => void) {
    this.#onListenerError =
      onListenerError ?? ((err: unknown): void => process.emitWarning(`flow log subscriber threw: ${String(err)}`, 'KwireFlowLogWarning'));
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`flow log capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#ring = new Array<FlowRecord | undefined>(capacity).fill(undefined);
  }

  /** Number of records held (at most `capacity`). */
  get size(): number {
    return this.#size;
  }

  /** Appends a record, numbering it, and tells subscribers. Returns the stored record. */
  append(input: FlowRecordInput): FlowRecord {
    const record: FlowRecord = { id: ++this.#seq, ...input };
    this.#ring[this.#next] = record;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
    const ls = this.#listeners;
    for (let i = 0; i < ls.length; i++) {
      try {
        (ls[i] as FlowListener)(record);
      } catch (err) {
        this.#onListenerError(err);
      }
    }
    return record;
  }

  /** Calls `listener` with every future record. Returns the unsubscribe function. */
  subscribe(listener: FlowListener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  /** The held records matching `filter`, oldest first. */
  recent(filter: FlowFilter = {}): ReadonlyArray<FlowRecord> {
    const out: FlowRecord[] = [];
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let i = 0; i < this.#size; i++) {
      const r = this.#ring[(start + i) % this.capacity];
      if (r !== undefined && matches(r, filter)) out.push(r);
    }
    if (filter.limit !== undefined && out.length > filter.limit) return out.slice(out.length - filter.limit);
    return out;
  }

  /** Forgets every record (sequence numbers keep increasing). */
  clear(): void {
    this.#ring.fill(undefined);
    this.#next = 0;
    this.#size = 0;
  }
}
