/**
 * @module apiserver/streams/portforward
 * Port-forward over a SPDY connection (raw, or tunnelled inside a WebSocket by
 * kubectl 1.31+). For every local TCP connection kubectl opens two streams with
 * headers `streamtype: error|data`, `port`, `requestid`; kwire pairs them like the
 * kubelet's httpStreamHandler, opens the pod port through the caller's `open()`, and
 * copies bytes both ways with half-close (as containerd: after one direction ends,
 * the other gets a 1 s grace). A failure is written as text on the `error` stream,
 * `error forwarding port P to pod ID, uid : <reason>`, which kubectl prints; the
 * SPDY session itself stays up (kubectl decides what to do next).
 */
import type { Duplex } from 'node:stream';
import { streamHeader, type SpdyConnection, type SpdyStream } from './spdy-facade.js';

export interface PortForwardTarget {
  /** Connects to `port` in the pod; rejects when it cannot. */
  open(port: number, signal: AbortSignal): Promise<Duplex>;
  /** The text for the error stream when open() or the copy failed. */
  describeError(port: number, err: unknown): string;
}

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
  timer?: NodeJS.Timeout;
}

const GRACE_MS = 1000;

function endStream(s: SpdyStream | undefined): void {
  if (!s) return;
  try {
    s.end();
  } catch {
    /* torn down */
  }
}

/** Serves port-forward streams on `conn` until the connection closes. */
export function servePortForward(conn: SpdyConnection, target: PortForwardTarget, closed: AbortSignal, opts: { streamTimeoutMs?: number } = {}): void {
  const pairs = new Map<string, Pair>();
  conn.on('error', () => {});
  conn.on('stream', (s) => {
    s.on('error', () => {});
    const portText = streamHeader(s, 'port') ?? '';
    const type = streamHeader(s, 'streamtype') ?? '';
    const port = /^\d+$/.test(portText) ? Number(portText) : NaN;
    if (!(port >= 1 && port <= 65535) || (type !== 'error' && type !== 'data')) {
      // httpStreamReceived refuses the stream: the client sees a reset.
      s.abort();
      return;
    }
    s.respond(200, {});
    const requestId = streamHeader(s, 'requestid') ?? String(type === 'error' ? s.id : s.id - 2);
    let pair = pairs.get(requestId);
    if (!pair) {
      pair = {};
      pairs.set(requestId, pair);
      const p = pair;
      p.timer = setTimeout(() => {
        pairs.delete(requestId);
        if (p.error) {
          p.error.write(`timed out waiting for streams for request ${requestId}`);
          endStream(p.error);
        }
        endStream(p.data);
      }, opts.streamTimeoutMs ?? 30_000);
      p.timer.unref();
    }
    if (pair[type]) {
      const msg = `error processing stream for request ${requestId}: ${type} stream already assigned`;
      if (pair.error) pair.error.write(msg);
      s.abort();
      return;
    }
    pair[type] = s;
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      pairs.delete(requestId);
      void forward(pair.data, pair.error, port, target, closed);
    }
  });
}

async function forward(data: SpdyStream, error: SpdyStream, port: number, target: PortForwardTarget, closed: AbortSignal): Promise<void> {
  const ac = new AbortController();
  const onClosed = () => ac.abort();
  closed.addEventListener('abort', onClosed);
  let sock: Duplex;
  try {
    sock = await target.open(port, ac.signal);
  } catch (err) {
    closed.removeEventListener('abort', onClosed);
    if (!closed.aborted) {
      error.write(target.describeError(port, err));
      endStream(error);
      endStream(data);
    }
    return;
  }
  let upDone = false; // client -> pod
  let downDone = false; // pod -> client
  let finished = false;
  let grace: NodeJS.Timeout | undefined;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(grace);
    closed.removeEventListener('abort', onClosed);
    if (!sock.destroyed) sock.destroy();
    endStream(data);
    endStream(error);
  };
  const directionDone = () => {
    if (upDone && downDone) return finish();
    if (!grace) {
      grace = setTimeout(finish, GRACE_MS);
      grace.unref();
    }
  };
  ac.signal.addEventListener('abort', finish);

  data.on('data', (chunk: Buffer) => {
    if (!sock.write(chunk)) {
      data.pause();
      sock.once('drain', () => data.resume());
    }
  });
  data.once('end', () => {
    upDone = true;
    if (!sock.destroyed) sock.end();
    directionDone();
  });
  data.once('close', () => {
    // RST from the client (kubectl resets the data stream once it is done).
    upDone = true;
    downDone = true;
    finish();
  });
  sock.on('data', (chunk: Buffer) => {
    if (finished) return;
    if (!data.write(chunk)) {
      sock.pause();
      data.once('drain', () => sock.resume());
    }
  });
  sock.once('end', () => {
    downDone = true;
    endStream(data);
    directionDone();
  });
  sock.once('error', (err: Error) => {
    if (finished) return;
    const code = (err as { code?: unknown }).code;
    // As the kubelet: EPIPE/ECONNRESET are logged, other errors reported to the client.
    if (code !== 'EPIPE' && code !== 'ECONNRESET') error.write(target.describeError(port, err));
    finish();
  });
  sock.once('close', () => {
    downDone = true;
    directionDone();
  });
}
