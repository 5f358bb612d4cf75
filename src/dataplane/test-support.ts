/**
 * @module dataplane/test-support
 * Small fixtures shared by the dataplane tests: a network with a few
 * registered pods, a server-side accept helper, and stream readers. Not used
 * by production code.
 */
import { once } from 'node:events';
import { finished, type Readable } from 'node:stream';
import { createPodNetwork, type PodNetwork, type PodNetworkOptions } from './pod-network.js';
import type { ConnectionInfo, TcpListener } from './tcp-stack.js';
import type { NetTimer, NetTimers } from './timers.js';
import type { VirtualSocket } from './virtual-socket.js';

/** Pod IPs every fixture network registers. */
export const POD_A = '10.244.1.5'; // default/web
export const POD_B = '10.244.2.7'; // default/client
export const POD_C = '10.244.2.8'; // other/probe
export const NODE_IP = '127.0.10.2'; // node kwire-worker

/** A network with pods A, B, C and one node registered. */
export function fixtureNetwork(opts?: PodNetworkOptions): PodNetwork {
  const net = createPodNetwork(opts);
  net.registerAddress(POD_A, { kind: 'pod', namespace: 'default', name: 'web' });
  net.registerAddress(POD_B, { kind: 'pod', namespace: 'default', name: 'client' });
  net.registerAddress(POD_C, { kind: 'pod', namespace: 'other', name: 'probe' });
  net.registerAddress(NODE_IP, { kind: 'node', name: 'kwire-worker' });
  return net;
}

/** Listens and queues accepted sockets; `next()` waits for the next one. */
export function acceptQueue(
  net: PodNetwork,
  ip: string,
  port: number,
  allowHalfOpen = false,
): { listener: TcpListener; next(): Promise<{ socket: VirtualSocket; info: ConnectionInfo }> } {
  const ready: Array<{ socket: VirtualSocket; info: ConnectionInfo }> = [];
  const waiting: Array<(v: { socket: VirtualSocket; info: ConnectionInfo }) => void> = [];
  const listener = net.listen(
    ip,
    port,
    (socket, info) => {
      const w = waiting.shift();
      if (w !== undefined) w({ socket, info });
      else ready.push({ socket, info });
    },
    { allowHalfOpen },
  );
  return {
    listener,
    next: () =>
      new Promise((resolve) => {
        const r = ready.shift();
        if (r !== undefined) resolve(r);
        else waiting.push(resolve);
      }),
  };
}

/** Reads a stream to its end without destroying it (unlike `for await`); rejects on error or premature close. */
export function readAll(stream: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => {
      chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
    });
    finished(stream, { writable: false }, (err) => {
      if (err !== undefined && err !== null) reject(err);
      else resolve(Buffer.concat(chunks));
    });
  });
}

/** Resolves with the error the emitter emits next. */
export async function nextError(emitter: NodeJS.EventEmitter): Promise<Error & { code?: string }> {
  const [err] = (await once(emitter, 'error')) as [Error & { code?: string }];
  return err;
}

/** Resolves after `ms` (for short, bounded waits only). */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Timers driven by hand: `advance(ms)` fires what falls due. For the network's `timers` option. */
export class FakeTimers implements NetTimers {
  now = 0;
  #pending: Array<{ at: number; fn: () => void; live: boolean }> = [];

  set(fn: () => void, ms: number): NetTimer {
    const entry = { at: this.now + ms, fn, live: true };
    this.#pending.push(entry);
    return {
      clear: () => {
        entry.live = false;
      },
      ref: () => undefined,
      unref: () => undefined,
    };
  }

  /** Live timers not yet fired. */
  get pending(): number {
    return this.#pending.filter((e) => e.live).length;
  }

  advance(ms: number): void {
    this.now += ms;
    const due = this.#pending.filter((e) => e.live && e.at <= this.now).sort((a, b) => a.at - b.at);
    this.#pending = this.#pending.filter((e) => e.live && e.at > this.now);
    for (const e of due) e.fn();
  }
}

/** Polls `cond` every few ms until it holds; fails after `maxMs`. */
export async function waitFor(cond: () => boolean, maxMs = 2_000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + maxMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(2);
  }
}
