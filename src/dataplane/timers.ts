/**
 * @module dataplane/timers
 * Where the network's own deadlines (TCP connect timeouts, UDP exchange
 * timeouts) get their timers. Real timers by default; a cluster running its
 * workloads on a fake clock passes timers driven by that clock. Sockets' idle
 * timeouts (`socket.setTimeout`, used by node:http) always use real timers.
 */

/** A cancellable one-shot timer. `ref`/`unref` as Node's (no-ops for fake timers). */
export interface NetTimer {
  clear(): void;
  ref(): void;
  unref(): void;
}

/** A source of timers. */
export interface NetTimers {
  /** Calls `fn` once after `ms` milliseconds unless cleared first. */
  set(fn: () => void, ms: number): NetTimer;
}

/** Node's timers. */
export const realTimers: NetTimers = Object.freeze({
  set(fn: () => void, ms: number): NetTimer {
    const t = setTimeout(fn, ms);
    return {
      clear: (): void => clearTimeout(t),
      ref: (): void => {
        t.ref();
      },
      unref: (): void => {
        t.unref();
      },
    };
  },
});
