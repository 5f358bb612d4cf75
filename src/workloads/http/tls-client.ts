/**
 * @module workloads/http/tls-client
 *
 * The TLS client side of the emulated tools (curl, busybox wget): Node's own
 * TLS (`tls.connect({ socket })`) run over the stream a program got from
 * ProcessNet.connectTcp. TLS is only bytes on that stream, so Service
 * translation, NetworkPolicy and the flow log see the connection exactly as
 * they see plain HTTP; nothing here opens a host socket.
 *
 * The handshake never rejects on its own: verification is always run with
 * `rejectUnauthorized: false` and no hostname check, and the caller reads the
 * chain result (`authorizationError`) and checks the name with its tool's own
 * rules and wording. A failed handshake reports Node's error and the first
 * bytes the peer sent (busybox prints them).
 *
 * Not here: timeouts (the caller races `done` against its clock), messages.
 */
import tls from 'node:tls';
import type { Duplex } from 'node:stream';

export interface TlsClientOptions {
  /** SNI; leave undefined for an IP literal (RFC 6066 allows names only). */
  readonly servername?: string;
  /** Trust and protocol settings (see trustContext). */
  readonly secureContext: tls.SecureContext;
  /** ALPN protocols offered, in order; none when undefined. */
  readonly alpn?: ReadonlyArray<string>;
}

export type TlsOutcome =
  | { readonly ok: true; readonly socket: tls.TLSSocket }
  | {
      readonly ok: false;
      /** Node's error (`code` such as ERR_SSL_WRONG_VERSION_NUMBER, ECONNRESET). */
      readonly error: Error & { readonly code?: string };
      /** What the peer sent before the failure (at most 4 KB), in arrival order. */
      readonly received: Buffer;
      /** Length of the first chunk the peer sent (0 when it sent nothing). */
      readonly firstChunk: number;
    };

export interface TlsHandshake {
  /** Settles once the handshake completes or fails; never rejects. */
  readonly done: Promise<TlsOutcome>;
  /** Abandons the handshake (timeout, signal) and tears the stream down. */
  abort(): void;
}

const CAPTURE = 4096;

/** Starts a client handshake on `raw`. On failure `raw` is destroyed. */
export function startTls(raw: Duplex, o: TlsClientOptions): TlsHandshake {
  const chunks: Buffer[] = [];
  let captured = 0;
  let firstChunk = 0;
  const socket = tls.connect({
    socket: raw,
    secureContext: o.secureContext,
    ...(o.servername !== undefined ? { servername: o.servername } : {}),
    ...(o.alpn !== undefined ? { ALPNProtocols: [...o.alpn] } : {}),
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  });
  // Errors after the handshake reach the HTTP client through its own
  // listener; this one only keeps a late error on an abandoned socket from
  // being unhandled.
  socket.on('error', () => undefined);
  // Node wraps a non-net Duplex in a stream socket that reads it with a
  // 'data' listener; ours goes first so it sees each chunk before TLS does.
  const tap = (c: Buffer): void => {
    if (firstChunk === 0) firstChunk = c.length;
    if (captured >= CAPTURE) return;
    chunks.push(c.subarray(0, CAPTURE - captured));
    captured += Math.min(c.length, CAPTURE - captured);
  };
  raw.prependListener('data', tap);
  const done = new Promise<TlsOutcome>((resolve) => {
    const finish = (r: TlsOutcome): void => {
      socket.off('secureConnect', onSecure);
      socket.off('error', onError);
      socket.off('close', onClose);
      raw.off('data', tap);
      resolve(r);
    };
    const fail = (error: Error & { code?: string }): void => {
      socket.destroy();
      raw.destroy();
      finish({ ok: false, error, received: Buffer.concat(chunks), firstChunk });
    };
    const onSecure = (): void => finish({ ok: true, socket });
    const onError = (e: Error): void => fail(e);
    const onClose = (): void => fail(Object.assign(new Error('Client network socket disconnected before secure TLS connection was established'), { code: 'ECONNRESET' }));
    socket.once('secureConnect', onSecure);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
  return {
    done,
    abort: () => {
      socket.destroy();
      raw.destroy();
    },
  };
}

const contexts = new Map<string, tls.SecureContext>();

/**
 * A secure context trusting `ca` (PEM texts; 'system' for the image's CA
 * bundle, which the emulation takes to be Node's Mozilla roots), optionally
 * capped at a protocol version. Cached: building one from the ~150 roots
 * costs milliseconds.
 */
export function trustContext(ca: 'system' | ReadonlyArray<string>, maxVersion?: tls.SecureVersion): tls.SecureContext {
  const key = `${maxVersion ?? ''}\u0000${ca === 'system' ? 'system' : ca.join('\u0000')}`;
  let ctx = contexts.get(key);
  if (ctx === undefined) {
    ctx = tls.createSecureContext({
      ca: ca === 'system' ? [...tls.rootCertificates] : [...ca],
      ...(maxVersion !== undefined ? { maxVersion } : {}),
    });
    if (contexts.size > 64) contexts.clear();
    contexts.set(key, ctx);
  }
  return ctx;
}

/** The PEM certificate blocks in a CA file's text (empty when there are none). */
export function pemCertificates(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
