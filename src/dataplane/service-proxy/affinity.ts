/**
 * @module dataplane/service-proxy/affinity
 * `sessionAffinity: ClientIP`: which endpoint a client IP last reached through
 * a Service port, remembered for `timeoutSeconds` after its last use (the
 * iptables `recent --rcheck --seconds N --reap` / `--set` pair refreshes the
 * entry on every new connection). Time comes from an injected clock. Entries
 * are grouped per Service port, so forgetting a port is O(1); expired ones are
 * swept every few thousand records, so the table stays bounded.
 */

interface Entry {
  endpoint: string;
  lastUsed: number;
  timeoutMs: number;
}

/** Records between two sweeps of expired entries. */
const SWEEP_EVERY = 4096;

export class AffinityTable {
  private readonly byPort = new Map<string, Map<string, Entry>>();
  private recordsSinceSweep = 0;

  constructor(private readonly now: () => number) {}

  /** The endpoint ("ip:port") `client` is pinned to through `servicePort`, if still fresh. */
  lookup(servicePort: string, client: string, timeoutSeconds: number): string | undefined {
    const m = this.byPort.get(servicePort);
    const e = m?.get(client);
    if (m === undefined || e === undefined) return undefined;
    if (this.now() - e.lastUsed > timeoutSeconds * 1000) {
      m.delete(client);
      return undefined;
    }
    return e.endpoint;
  }

  /** Pins (or re-pins) `client` to `endpoint` for `timeoutSeconds` from now. Expired entries are swept now and then. */
  record(servicePort: string, client: string, endpoint: string, timeoutSeconds: number): void {
    let m = this.byPort.get(servicePort);
    if (m === undefined) this.byPort.set(servicePort, (m = new Map()));
    m.set(client, { endpoint, lastUsed: this.now(), timeoutMs: timeoutSeconds * 1000 });
    if (++this.recordsSinceSweep >= SWEEP_EVERY) this.sweep();
  }

  /** Forgets every entry of a Service port (it went away or lost affinity). */
  forgetPort(servicePort: string): void {
    this.byPort.delete(servicePort);
  }

  /** Drops every entry idle past its timeout. */
  sweep(): void {
    this.recordsSinceSweep = 0;
    const now = this.now();
    for (const [p, m] of this.byPort) {
      for (const [c, e] of m) if (now - e.lastUsed > e.timeoutMs) m.delete(c);
      if (m.size === 0) this.byPort.delete(p);
    }
  }

  get size(): number {
    let n = 0;
    for (const m of this.byPort.values()) n += m.size;
    return n;
  }
}
