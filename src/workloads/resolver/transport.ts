/**
 * @module workloads/resolver/transport
 *
 * Sending a batch of DNS queries (A and AAAA for one name) to the
 * nameservers and collecting one reply per query, with each libc's timing:
 *
 * - musl (res_msend.c): every query goes to every nameserver at once; the
 *   unanswered ones are resent every timeout/attempts (2.5 s by default)
 *   until `timeout` (5 s) has passed in all. The first NOERROR or NXDOMAIN
 *   reply wins; SERVFAIL is resent at once (up to 2 x queries times) and
 *   otherwise ignored, so a failing server looks like a silent one.
 * - glibc (res_send.c): for each attempt, each nameserver in turn gets the
 *   unanswered queries and `timeout << i / nscount` seconds (i = server
 *   index; 5 s for the first); SERVFAIL/REFUSED/NOTIMP moves on to the next
 *   server and is kept as that query's answer if nothing better comes.
 *
 * Timing uses the context clock; each exchange goes through
 * ProcessNet.udpExchange and is cancelled once not needed.
 */
import { setMaxListeners } from 'node:events';
import type { Clock, ProcessNet } from '../process.js';
import { abortError } from '../process.js';
import type { ResolvConf } from './resolv-conf.js';
import { messageId } from './dns-wire.js';

export interface TransportContext {
  readonly net: ProcessNet;
  readonly clock: Clock;
}

/** One query's final state after a send. */
export interface SendOutcome {
  /** The reply taken for this query, if any. */
  readonly reply?: Buffer;
  /** The nameserver that sent it. */
  readonly server?: string;
  /** True when some server answered SERVFAIL (musl then reports a timeout-like EAI_AGAIN). */
  readonly sawServfail: boolean;
}

/** Resolves on the next notify() (or never, if none comes). */
class Notifier {
  private waiters: Array<() => void> = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** Waits until `notifier` fires, `ms` of clock time pass, or `signal` aborts. */
async function waitSome(clock: Clock, ms: number, notifier: Notifier, signal?: AbortSignal): Promise<void> {
  const ctl = new AbortController();
  const onAbort = (): void => ctl.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.race([notifier.wait(), clock.sleep(Math.max(0, ms), ctl.signal).catch(() => undefined)]);
  } finally {
    ctl.abort();
    signal?.removeEventListener('abort', onAbort);
  }
}

function linkedController(signal?: AbortSignal): AbortController {
  const ctl = new AbortController();
  setMaxListeners(0, ctl.signal); // one listener per datagram in flight
  if (signal?.aborted) ctl.abort();
  else signal?.addEventListener('abort', () => ctl.abort(), { once: true });
  return ctl;
}

/** musl's __res_msend_rc over ProcessNet. Throws an AbortError when `signal` aborts. */
export async function sendMusl(
  tc: TransportContext,
  conf: ResolvConf,
  queries: ReadonlyArray<Buffer>,
  signal?: AbortSignal,
): Promise<SendOutcome[]> {
  const timeout = conf.timeout * 1000;
  const retryInterval = Math.floor(timeout / conf.attempts);
  const t0 = tc.clock.now();
  const replies: Array<{ reply: Buffer; server: string } | undefined> = queries.map(() => undefined);
  const sawServfail = queries.map(() => false);
  const exchanges = linkedController(signal);
  const notifier = new Notifier();
  let servfailRetry = 0;

  const launch = (qi: number, server: string): void => {
    const remaining = timeout - (tc.clock.now() - t0);
    const q = queries[qi];
    if (remaining <= 0 || !q) return;
    tc.net.udpExchange(server, 53, q, { timeoutMs: remaining, signal: exchanges.signal }).then(
      (buf) => {
        if (replies[qi] || buf.length < 4 || messageId(buf) !== messageId(q)) return;
        const rcode = (buf[3] ?? 0) & 0x0f;
        if (rcode === 0 || rcode === 3) {
          replies[qi] = { reply: buf, server };
          notifier.notify();
        } else if (rcode === 2) {
          sawServfail[qi] = true;
          if (servfailRetry > 0) {
            servfailRetry--;
            launch(qi, server);
          }
        }
      },
      () => undefined,
    );
  };

  try {
    let nextRound = 0;
    for (;;) {
      if (signal?.aborted) throw abortError();
      if (replies.every(Boolean)) break;
      const elapsed = tc.clock.now() - t0;
      if (elapsed >= timeout) break;
      if (elapsed >= nextRound) {
        replies.forEach((r, qi) => {
          if (!r) for (const s of conf.nameservers) launch(qi, s);
        });
        servfailRetry = 2 * queries.length;
        nextRound = elapsed + retryInterval;
      }
      await waitSome(tc.clock, Math.min(nextRound, timeout) - elapsed, notifier, signal);
    }
  } finally {
    exchanges.abort();
  }
  if (signal?.aborted) throw abortError();
  return replies.map((r, i) => ({ reply: r?.reply, server: r?.server, sawServfail: sawServfail[i] ?? false }));
}

/** glibc's __res_context_send (UDP path) over ProcessNet. Throws an AbortError when `signal` aborts. */
export async function sendGlibc(
  tc: TransportContext,
  conf: ResolvConf,
  queries: ReadonlyArray<Buffer>,
  signal?: AbortSignal,
): Promise<SendOutcome[]> {
  const good: Array<{ reply: Buffer; server: string } | undefined> = queries.map(() => undefined);
  const failed: Array<{ reply: Buffer; server: string } | undefined> = queries.map(() => undefined);
  const nscount = conf.nameservers.length;
  for (let attempt = 0; attempt < conf.attempts; attempt++) {
    for (let ni = 0; ni < nscount; ni++) {
      const server = conf.nameservers[ni] ?? '127.0.0.1';
      let seconds = conf.timeout << ni;
      if (ni > 0) seconds = Math.floor(seconds / nscount);
      if (seconds <= 0) seconds = 1;
      const exchanges = linkedController(signal);
      const notifier = new Notifier();
      const pending = new Set<number>();
      const t0 = tc.clock.now();
      good.forEach((g, qi) => {
        const q = queries[qi];
        if (g || !q) return;
        pending.add(qi);
        tc.net.udpExchange(server, 53, q, { timeoutMs: seconds * 1000, signal: exchanges.signal }).then(
          (buf) => {
            if (!pending.has(qi) || buf.length < 4 || messageId(buf) !== messageId(q)) return;
            const rcode = (buf[3] ?? 0) & 0x0f;
            pending.delete(qi);
            if (rcode === 2 || rcode === 4 || rcode === 5) failed[qi] = { reply: buf, server };
            else good[qi] = { reply: buf, server };
            notifier.notify();
          },
          () => undefined,
        );
      });
      try {
        while (pending.size > 0) {
          if (signal?.aborted) throw abortError();
          const elapsed = tc.clock.now() - t0;
          if (elapsed >= seconds * 1000) break;
          await waitSome(tc.clock, seconds * 1000 - elapsed, notifier, signal);
        }
      } finally {
        exchanges.abort();
      }
      if (signal?.aborted) throw abortError();
      if (good.every(Boolean)) break;
    }
    if (good.every(Boolean)) break;
  }
  return queries.map((_, i) => {
    const r = good[i] ?? failed[i];
    return { reply: r?.reply, server: r?.server, sawServfail: failed[i] !== undefined };
  });
}
