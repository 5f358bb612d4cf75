/**
 * @module workloads/timing
 *
 * Racing an operation against the context clock and the process signal, the
 * way the real tools arm alarm(2) or a poll timeout around a connect or a
 * read. Rejections of the operation itself pass through untouched.
 */
import type { Clock } from './process.js';

export type Raced<T> =
  | { readonly kind: 'value'; readonly value: T }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'aborted' };

/**
 * Waits for `p`, at most `ms` of clock time (no limit when undefined), or
 * until `signal` aborts. On timeout or abort `onGiveUp` runs (to cancel the
 * operation), and a later rejection of `p` is swallowed.
 */
export async function race<T>(
  clock: Clock,
  ms: number | undefined,
  signal: AbortSignal,
  p: Promise<T>,
  onGiveUp?: () => void,
): Promise<Raced<T>> {
  if (signal.aborted) {
    p.catch(() => undefined);
    onGiveUp?.();
    return { kind: 'aborted' };
  }
  const timer = new AbortController();
  const contenders: Array<Promise<Raced<T>>> = [p.then((value) => ({ kind: 'value' as const, value }))];
  if (ms !== undefined) {
    contenders.push(
      clock.sleep(Math.max(0, ms), timer.signal).then(
        () => ({ kind: 'timeout' as const }),
        () => new Promise<never>(() => undefined),
      ),
    );
  }
  let onAbort: (() => void) | undefined;
  contenders.push(
    new Promise<Raced<T>>((resolve) => {
      onAbort = () => resolve({ kind: 'aborted' });
      signal.addEventListener('abort', onAbort, { once: true });
    }),
  );
  try {
    const r = await Promise.race(contenders);
    if (r.kind !== 'value') {
      p.catch(() => undefined);
      onGiveUp?.();
    }
    return r;
  } finally {
    timer.abort();
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/** A signal linked to others; dispose() detaches it so long-lived parents do not collect listeners. */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** Aborts the linked signal itself (not the parents). */
  abort(reason?: unknown): void;
  dispose(): void;
}

/** A signal that aborts when any of `parents` does, with the same reason. */
export function linkSignals(parents: ReadonlyArray<AbortSignal>): LinkedSignal {
  const ctl = new AbortController();
  const detach: Array<() => void> = [];
  for (const s of parents) {
    if (s.aborted) {
      ctl.abort(s.reason);
      break;
    }
    const f = (): void => ctl.abort(s.reason);
    s.addEventListener('abort', f, { once: true });
    detach.push(() => s.removeEventListener('abort', f));
  }
  return {
    signal: ctl.signal,
    abort: (reason?: unknown) => ctl.abort(reason),
    dispose: () => {
      for (const d of detach) d();
      detach.length = 0;
    },
  };
}
