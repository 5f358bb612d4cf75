/**
 * @module workloads/testing/fake-clock
 *
 * A Clock whose time moves only when told to, so timeout tests run in
 * microseconds. With `autoAdvance` (the default) it jumps to the next timer
 * once the process has been idle for a while (no clock activity for a number
 * of event-loop turns): in-memory streams settle within a few turns, so time
 * only passes when everything is waiting on it, like a blocked process
 * waiting out a dropped packet.
 */
import type { Clock } from '../process.js';
import { abortError } from '../process.js';

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

export interface FakeClockOptions {
  /** Start time, ms since the epoch (default 2025-10-06T12:00:00Z). */
  readonly start?: number;
  /** Jump to the next timer when idle (default true). */
  readonly autoAdvance?: boolean;
  /** Event-loop turns without activity that count as idle (default 40). */
  readonly idleTurns?: number;
}

export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: Timer[] = [];
  private activity = 0;
  private driving = false;
  private readonly auto: boolean;
  private readonly idleTurns: number;

  constructor(opts: FakeClockOptions = {}) {
    this.t = opts.start ?? Date.UTC(2025, 9, 6, 12, 0, 0);
    this.auto = opts.autoAdvance ?? true;
    this.idleTurns = opts.idleTurns ?? 40;
  }

  now(): number {
    return this.t;
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.timers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      const timer: Timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.timers = this.timers.filter((x) => x !== timer);
        this.activity++;
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      this.activity++;
      if (this.auto) this.drive();
    });
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const target = this.t + ms;
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      this.activity++;
      next.resolve();
    }
    this.t = target;
  }

  private drive(): void {
    if (this.driving) return;
    this.driving = true;
    let seen = this.activity;
    let idle = 0;
    const turn = (): void => {
      if (this.timers.length === 0) {
        this.driving = false;
        return;
      }
      if (this.activity !== seen) {
        seen = this.activity;
        idle = 0;
      } else if (++idle >= this.idleTurns) {
        idle = 0;
        const next = this.timers[0];
        if (next) this.advance(next.at - this.t);
        seen = this.activity;
      }
      setImmediate(turn);
    };
    setImmediate(turn);
  }
}
