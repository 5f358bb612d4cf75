/**
 * @module dataplane/errors
 * Socket errors shaped exactly as Node's own `net`/`dgram` errors are, so code
 * written against real sockets (`err.code === 'ECONNREFUSED'`, `err.syscall`,
 * `err.address`, `err.port`, the message text) behaves the same on the
 * virtual network. Not the project's API error catalogue (`src/errors.ts`):
 * these never leave the process as Kubernetes `Status` objects.
 */
import { constants } from 'node:os';

/** The errno codes the virtual network produces. */
export type NetErrorCode =
  | 'ECONNREFUSED'
  | 'ETIMEDOUT'
  | 'ECONNRESET'
  | 'EADDRINUSE'
  | 'EADDRNOTAVAIL'
  | 'EPIPE'
  | 'ENOTFOUND';

/** An error as Node's `net` module reports it. */
export interface NetError extends Error {
  readonly code: NetErrorCode;
  /** Negative errno, as in Node (`-111` for ECONNREFUSED on Linux). */
  readonly errno: number;
  readonly syscall: string;
  readonly address?: string;
  readonly port?: number;
}

/** The libuv wording Node appends for listen/bind errors. */
const UV_MESSAGES: Partial<Record<NetErrorCode, string>> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
};

function errnoOf(code: NetErrorCode): number {
  if (code === 'ENOTFOUND') return -3008; // UV_EAI_NONAME, as getaddrinfo reports it
  const n = (constants.errno as Readonly<Record<string, number | undefined>>)[code];
  return n === undefined ? 0 : -n;
}

/**
 * Builds a Node-shaped socket error.
 *
 * - `netError('ECONNREFUSED', 'connect', '10.244.1.5', 8080)` -> `connect ECONNREFUSED 10.244.1.5:8080`
 * - `netError('EADDRINUSE', 'listen', ip, port)` -> `listen EADDRINUSE: address already in use ip:port`
 * - `netError('ECONNRESET', 'read')` -> `read ECONNRESET`
 */
export function netError(code: NetErrorCode, syscall: string, address?: string, port?: number): NetError {
  const uv = UV_MESSAGES[code];
  let message = uv !== undefined ? `${syscall} ${code}: ${uv}` : `${syscall} ${code}`;
  if (code === 'ENOTFOUND' && address !== undefined) message += ` ${address}`;
  else if (address !== undefined) message += port !== undefined ? ` ${address}:${port}` : ` ${address}`;
  const err = new Error(message) as Error & {
    code: NetErrorCode; errno: number; syscall: string; address?: string; port?: number; hostname?: string;
  };
  err.errno = errnoOf(code);
  err.code = code;
  err.syscall = syscall;
  if (code === 'ENOTFOUND') {
    if (address !== undefined) err.hostname = address;
  } else {
    if (address !== undefined) err.address = address;
    if (port !== undefined) err.port = port;
  }
  return err;
}

/** The error Node raises when an AbortSignal cancels an operation (`code: 'ABORT_ERR'`). */
export function abortError(reason?: unknown): Error {
  const err = new Error('The operation was aborted', reason === undefined ? undefined : { cause: reason }) as Error & {
    code: string;
  };
  err.name = 'AbortError';
  err.code = 'ABORT_ERR';
  return err;
}

/** Wraps whatever a hook threw into an Error. */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
