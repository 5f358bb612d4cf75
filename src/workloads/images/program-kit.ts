/**
 * @module workloads/images/program-kit
 *
 * Small pieces the image programs share: waiting for a signal without a
 * timer, Go's `log.Printf` to stderr, putting a node:http server on a
 * container socket, parsing Go's `host:port` listen addresses, and a latch
 * a handler can use to end the process (`os.Exit` from an HTTP handler).
 */
import type http from 'node:http';
import type { ProcessContext } from '../process.js';
import { put } from '../streams.js';
import { logLine } from './go/format.js';
import type { ContainerContext, ListenAddress, Listening } from './types.js';

/** Resolves with the signal's reason once `signal` aborts (at once if it has). No timer is kept. */
export function untilAborted(signal: AbortSignal): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
}

/** Go's log.Printf: "2025/10/06 12:00:00 message" on stderr. */
export function goLog(ctx: ProcessContext, message: string): void {
  put(ctx.stderr, logLine(ctx.clock.now(), message));
}

/** The exit status of a process killed by a signal it does not handle (128 + n). */
export function killedBy(reason: unknown): number {
  switch (reason) {
    case 'SIGHUP':
      return 129;
    case 'SIGINT':
      return 130;
    case 'SIGQUIT':
      return 131;
    case 'SIGKILL':
      return 137;
    default:
      return 143;
  }
}

/**
 * How a Go program ends on a signal it has no handler for: Go's runtime
 * re-raises it, which kills the process (128 + n), except as PID 1 where the
 * kernel ignores it and Go falls back to exit(2).
 */
export function goUnhandledSignal(ctx: ContainerContext, reason: unknown): number {
  return ctx.pod.pid === 1 ? 2 : killedBy(reason);
}

/** Serves `server` on a container socket (pod IP and/or loopback per `addr`). Throws the socket's error. */
export function serveOn(ctx: ContainerContext, addr: ListenAddress, server: http.Server): Listening {
  return ctx.pod.listenTcp(addr, (socket) => server.emit('connection', socket), { allowHalfOpen: true });
}

/** Splits Go's listen address ":8080", "0.0.0.0:80", "[::]:80"; undefined when malformed, with Go's error. */
export function splitListenAddress(s: string): { ok: true; addr: ListenAddress } | { ok: false; error: string } {
  const i = s.lastIndexOf(':');
  if (i < 0) return { ok: false, error: `listen tcp ${s}: address ${s}: missing port in address` };
  let host = s.slice(0, i);
  const portText = s.slice(i + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (portText === '') return { ok: true, addr: { host, port: 0 } };
  if (!/^[0-9]+$/.test(portText) || Number(portText) > 65535) {
    return { ok: false, error: `listen tcp: lookup tcp/${portText}: unknown port` };
  }
  return { ok: true, addr: { host, port: Number(portText) } };
}

/** A one-shot latch: `exit(code)` resolves `exited` (first call wins). */
export interface ExitLatch {
  readonly exited: Promise<number>;
  exit(code: number): void;
}

export function exitLatch(): ExitLatch {
  let resolve: (code: number) => void = () => undefined;
  let done = false;
  const exited = new Promise<number>((r) => {
    resolve = r;
  });
  return {
    exited,
    exit: (code) => {
      if (done) return;
      done = true;
      resolve(code);
    },
  };
}
