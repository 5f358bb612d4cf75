/**
 * @module dataplane/virtual-socket
 * One end of an in-process TCP connection: a `stream.Duplex` that looks enough
 * like `net.Socket` for `node:http` (client and server) and for workloads.
 *
 * ```
 *   A.write(buf) ──> B's inbox ──(delivery drain, next turn)──> B.push(buf) ──> B 'data'
 *        ^                                                          |
 *        └── A's write callback held while B's readable buffer is full ┘ (B._read releases it)
 *   A.end()      ──> EOF marker after A's data  ──> B.push(null) ──> B 'end'
 *   A.destroy()  ──> FIN if A read everything (peer sees 'end', later writes to A
 *                    reset the peer); RST otherwise or with an error (peer: ECONNRESET)
 * ```
 *
 * What it implements from net.Socket: remote/local address, port and family,
 * `connecting`/`pending`/`readyState`, the idle `setTimeout` + 'timeout' event,
 * `setNoDelay`/`setKeepAlive` (accepted, no effect), `ref`/`unref` (on its timers),
 * `destroySoon`, `resetAndDestroy`, `address()`, `bytesRead`/`bytesWritten`,
 * writes while connecting (held until 'connect'), cork/uncork via `_writev`,
 * allowHalfOpen. There is no `_handle`: node:http then uses its JS path.
 *
 * Buffers are handed over without copying: a writer must not modify a Buffer
 * after writing it (node:http never does).
 * It does not decide anything about routing: the TCP stack creates and links pairs.
 */
import { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { scheduleDelivery, type DeliveryTarget } from './delivery.js';
import { netError } from './errors.js';
import type { NetTimer } from './timers.js';

/** Construction options. */
export interface VirtualSocketOptions {
  /** As net's: when false (default), the socket ends its writable side once the peer's EOF is read. */
  readonly allowHalfOpen?: boolean;
  readonly localAddress: string;
  readonly localPort: number;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** True for the dialling side until the network links it (default false). */
  readonly connecting?: boolean;
  /** Readable/writable high-water mark in bytes (default: Node's stream default). */
  readonly highWaterMark?: number;
}

type WriteCallback = (error?: Error | null) => void;

function destroyedWriteError(): Error {
  const e = new Error('Cannot call write after a stream was destroyed') as Error & { code: string };
  e.code = 'ERR_STREAM_DESTROYED';
  return e;
}

function toBuffer(chunk: unknown, encoding: BufferEncoding): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return Buffer.from(String(chunk), encoding);
}

/** A virtual TCP socket. Created by the TCP stack; user code only uses the net-like surface. */
export class VirtualSocket extends Duplex implements DeliveryTarget {
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  readonly remoteFamily = 'IPv4';
  localAddress: string | undefined;
  localPort: number | undefined;
  readonly localFamily = 'IPv4';
  /** True until the connection is established (or fails). */
  connecting: boolean;
  /** The idle timeout set by `setTimeout`, 0 when none. */
  timeout = 0;
  bytesRead = 0;
  bytesWritten = 0;

  /** @internal delivery bookkeeping (see delivery.ts). */
  deliveryQueued = false;

  #peer: VirtualSocket | null = null;
  readonly #cap: number;
  // inbound, not yet pushed
  #inbox: Buffer[] = [];
  #inboxBytes = 0;
  #inboxEof = false;
  #inboxReset = false;
  /** Our readable buffer is full: the peer's writes wait. */
  #rxBlocked = false;
  /** Our last write's callback, held until the peer drains. */
  #heldCb: WriteCallback | null = null;
  /** We have sent EOF. */
  #finSent = false;
  // while connecting
  #pendingChunks: Buffer[] | null = null;
  #pendingCb: WriteCallback | null = null;
  #pendingFinal: WriteCallback | null = null;
  #teardown: (() => void) | null = null;
  // timers
  #idleTimer: NodeJS.Timeout | null = null;
  #lastActive = 0;
  #refed = true;
  #extraTimers: NetTimer[] = [];

  constructor(opts: VirtualSocketOptions) {
    super({
      allowHalfOpen: opts.allowHalfOpen ?? false,
      ...(opts.highWaterMark !== undefined ? { highWaterMark: opts.highWaterMark } : {}),
    });
    this.localAddress = opts.localAddress;
    this.localPort = opts.localPort;
    this.remoteAddress = opts.remoteAddress;
    this.remotePort = opts.remotePort;
    this.connecting = opts.connecting ?? false;
    this.#cap = this.readableHighWaterMark;
  }

  // ---------------------------------------------------------------- net-like API

  /** As net's: true while connecting or after the socket is gone. */
  get pending(): boolean {
    return this.connecting || this.#peer === null;
  }

  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable) return 'readOnly';
    if (this.writable) return 'writeOnly';
    return 'closed';
  }

  /** Deprecated in net; kept for code that still reads it. */
  get bufferSize(): number {
    return this.writableLength;
  }

  address(): { address: string; family: string; port: number } | Record<string, never> {
    if (this.localAddress === undefined || this.localPort === undefined) return {};
    return { address: this.localAddress, family: 'IPv4', port: this.localPort };
  }

  /** Idle timeout: emits 'timeout' after `msecs` without reads or writes (0 disables). Does not destroy. */
  setTimeout(msecs: number, callback?: () => void): this {
    if (this.destroyed) return this;
    if (!Number.isFinite(msecs) || msecs < 0) throw new RangeError(`The value of "msecs" is out of range. Received ${msecs}`);
    this.timeout = msecs;
    this.#disarmIdle();
    if (msecs === 0) {
      if (callback !== undefined) this.removeListener('timeout', callback);
      return this;
    }
    this.#lastActive = performance.now();
    this.#armIdle(msecs);
    if (callback !== undefined) this.once('timeout', callback);
    return this;
  }

  /** Accepted for compatibility; there is no Nagle on the virtual network. */
  setNoDelay(_noDelay?: boolean): this {
    return this;
  }

  /** Accepted for compatibility; virtual connections never go silently dead. */
  setKeepAlive(_enable?: boolean, _initialDelay?: number): this {
    return this;
  }

  /** Lets the socket's timers keep the process alive (the default). */
  ref(): this {
    this.#refed = true;
    this.#idleTimer?.ref();
    for (const t of this.#extraTimers) t.ref();
    return this;
  }

  /** Stops the socket's timers from keeping the process alive. */
  unref(): this {
    this.#refed = false;
    this.#idleTimer?.unref();
    for (const t of this.#extraTimers) t.unref();
    return this;
  }

  /** As net's: end, then destroy once everything is flushed. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** Closes with a reset: the peer gets ECONNRESET at once, unread data is discarded. */
  resetAndDestroy(): this {
    this.#resetPeer();
    this.destroy();
    return this;
  }

  /** As net's private hook, used by node:http: counts as activity for the idle timer. */
  _unrefTimer(): void {
    this.#touch();
  }

  // ---------------------------------------------------------------- stack-facing API (@internal)

  /** @internal Joins two fresh sockets into one connection. */
  static link(a: VirtualSocket, b: VirtualSocket): void {
    a.#peer = b;
    b.#peer = a;
  }

  /** @internal Runs once when the socket is destroyed (the stack releases ports there). */
  setTeardown(fn: () => void): void {
    this.#teardown = fn;
  }

  /** @internal A timer belonging to this socket (connect timeout), refed like the socket. */
  adoptTimer(t: NetTimer): void {
    if (!this.#refed) t.unref();
    this.#extraTimers.push(t);
  }

  /** @internal The dial succeeded: emit 'connect' and flush what was written meanwhile. */
  established(): void {
    if (this.destroyed) return;
    this.connecting = false;
    this.#clearExtraTimers();
    this.emit('connect');
    this.emit('ready');
    const chunks = this.#pendingChunks;
    const cb = this.#pendingCb;
    if (chunks !== null && cb !== null) {
      this.#pendingChunks = null;
      this.#pendingCb = null;
      this.#send(chunks, cb);
    }
    const fin = this.#pendingFinal;
    if (fin !== null) {
      this.#pendingFinal = null;
      this._final(fin);
    }
  }

  /** @internal Hands queued input to the reader (called by the delivery drain). */
  deliver(): void {
    if (this.destroyed) {
      this.#inbox.length = 0;
      this.#inboxBytes = 0;
      return;
    }
    const inbox = this.#inbox;
    if (inbox.length > 0) {
      this.#touch();
      let i = 0;
      let completed = false;
      try {
        // Live length: anything appended while we push is delivered in this pass too.
        while (i < inbox.length) {
          const chunk = inbox[i++] as Buffer;
          this.#inboxBytes -= chunk.length;
          this.bytesRead += chunk.length;
          if (!this.push(chunk)) this.#rxBlocked = true;
          if (this.destroyed) break;
        }
        completed = true;
      } finally {
        if (!completed) {
          // A 'data' handler threw: keep what is left for the next turn.
          inbox.splice(0, i);
          if (!this.destroyed) scheduleDelivery(this);
        }
      }
      inbox.length = 0;
      if (this.destroyed) {
        this.#inboxBytes = 0;
        return;
      }
    }
    if (this.#inboxReset) {
      this.#inboxReset = false;
      this.destroy(netError('ECONNRESET', 'read'));
      return;
    }
    if (this.#inboxEof) {
      this.#inboxEof = false;
      this.push(null);
    }
    if (!this.#rxBlocked && this.#peer !== null) this.#peer.#releaseHeld();
  }

  // ---------------------------------------------------------------- Duplex implementation

  override _read(_size: number): void {
    if (this.#rxBlocked) {
      this.#rxBlocked = false;
      if (this.#inboxBytes < this.#cap && this.#peer !== null) this.#peer.#releaseHeld();
    }
  }

  override _write(chunk: unknown, encoding: BufferEncoding, callback: WriteCallback): void {
    const buf = toBuffer(chunk, encoding);
    if (this.connecting) {
      this.#pendingChunks = [buf];
      this.#pendingCb = callback;
      return;
    }
    this.#send([buf], callback);
  }

  override _writev(chunks: ReadonlyArray<{ chunk: unknown; encoding: BufferEncoding }>, callback: WriteCallback): void {
    const bufs: Buffer[] = new Array<Buffer>(chunks.length);
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i] as { chunk: unknown; encoding: BufferEncoding };
      bufs[i] = toBuffer(c.chunk, c.encoding);
    }
    if (this.connecting) {
      this.#pendingChunks = bufs;
      this.#pendingCb = callback;
      return;
    }
    this.#send(bufs, callback);
  }

  override _final(callback: WriteCallback): void {
    if (this.connecting) {
      this.#pendingFinal = callback;
      return;
    }
    this.#finSent = true;
    const peer = this.#peer;
    if (peer !== null && !peer.destroyed) {
      peer.#inboxEof = true;
      scheduleDelivery(peer);
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#disarmIdle();
    this.#clearExtraTimers();
    this.connecting = false; // a pending dial sees `destroyed` and gives up
    const peer = this.#peer;
    if (peer !== null && !peer.destroyed) {
      const unread = this.#inboxBytes > 0 || this.readableLength > 0;
      if (error !== null || unread) {
        this.#resetPeer();
      } else {
        if (!this.#finSent) {
          this.#finSent = true;
          peer.#inboxEof = true;
          scheduleDelivery(peer);
        }
        // Data the peer is still pushing at us would hit a closed socket: RST.
        if (peer.#heldCb !== null) this.#resetPeer();
      }
    }
    this.#peer = null;
    this.#inbox.length = 0;
    this.#inboxBytes = 0;
    const held = this.#heldCb ?? this.#pendingCb;
    this.#heldCb = null;
    this.#pendingCb = null;
    this.#pendingChunks = null;
    this.#pendingFinal = null;
    const teardown = this.#teardown;
    this.#teardown = null;
    if (teardown !== null) teardown();
    if (held !== null) held(error ?? destroyedWriteError());
    callback(error);
  }

  // ---------------------------------------------------------------- internals

  #send(bufs: Buffer[], callback: WriteCallback): void {
    const peer = this.#peer;
    if (peer === null || peer.destroyed) {
      // Data to a closed socket: the peer's stack answers with RST.
      if (!this.#inboxReset) {
        this.#inboxReset = true;
        scheduleDelivery(this);
      }
      callback();
      return;
    }
    let n = 0;
    for (let i = 0; i < bufs.length; i++) {
      const b = bufs[i] as Buffer;
      if (b.length === 0) continue;
      n += b.length;
      peer.#inbox.push(b);
    }
    if (n > 0) {
      peer.#inboxBytes += n;
      this.bytesWritten += n;
      scheduleDelivery(peer);
      this.#touch();
    }
    if (peer.#rxBlocked || peer.#inboxBytes >= peer.#cap) this.#heldCb = callback;
    else callback();
  }

  #releaseHeld(): void {
    const cb = this.#heldCb;
    if (cb !== null) {
      this.#heldCb = null;
      cb();
    }
  }

  #resetPeer(): void {
    const peer = this.#peer;
    if (peer === null || peer.destroyed) return;
    peer.#inboxReset = true;
    scheduleDelivery(peer);
  }

  #touch(): void {
    if (this.timeout > 0) {
      this.#lastActive = performance.now();
      if (this.#idleTimer === null) this.#armIdle(this.timeout);
    }
  }

  #armIdle(ms: number): void {
    const t = setTimeout(this.#onIdle, ms);
    if (!this.#refed) t.unref();
    this.#idleTimer = t;
  }

  #disarmIdle(): void {
    if (this.#idleTimer !== null) {
      clearTimeout(this.#idleTimer);
      this.#idleTimer = null;
    }
  }

  #clearExtraTimers(): void {
    for (const t of this.#extraTimers) t.clear();
    this.#extraTimers.length = 0;
  }

  readonly #onIdle = (): void => {
    this.#idleTimer = null;
    if (this.destroyed || this.timeout === 0) return;
    const idle = performance.now() - this.#lastActive;
    if (idle + 1 < this.timeout) {
      this.#armIdle(Math.ceil(this.timeout - idle));
      return;
    }
    this.emit('timeout');
  };
}
