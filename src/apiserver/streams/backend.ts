/**
 * @module apiserver/streams/backend
 * The contract between kwire's streaming endpoints (this folder: transports, kubectl's
 * wire, kube-apiserver's and the kubelet's checks and error texts) and whatever runs
 * the containers (the workloads layer). The backend only moves bytes and reports how
 * things ended; protocol framing, container-name validation, container-state checks,
 * log options (tail, since, timestamps, limit) and all error wording live here.
 *
 * Calls are made only after the checks passed: the container exists in the pod spec
 * and (exec/attach) its status says it is running, (logs) it has logs to show.
 */
import type { Duplex, Readable, Writable } from 'node:stream';
import type { KObject } from '../../store/store.js';
import type { TerminalSize } from './resize.js';
import type { ExecResult } from './status.js';

export type { ExecResult } from './status.js';
export type { TerminalSize } from './resize.js';

/** What kubectl asked for (after kube-apiserver's defaulting of `container`). */
export interface ExecRequest {
  readonly container: string;
  /** argv, never empty. */
  readonly command: ReadonlyArray<string>;
  readonly stdin: boolean;
  readonly stdout: boolean;
  /** Always false with tty (the kubelet drops stderr then). */
  readonly stderr: boolean;
  readonly tty: boolean;
}

export type AttachRequest = Omit<ExecRequest, 'command'>;

/**
 * One exec/attach conversation with the client, whatever the transport.
 * Bytes written to stdout/stderr reach kubectl in order; with `tty` there is no
 * stderr (a terminal merges it: write the program's stderr to stdout) and echoing
 * typed input is the backend's job, as a real tty's line discipline would do it.
 */
export interface StreamSession {
  /** The client's stdin when requested; ends on the client's EOF (`ff 00` / SPDY FIN). */
  readonly stdin?: Readable;
  /** The client's stdout (a sink that drops bytes if stdout was not requested). */
  readonly stdout: Writable;
  /** The client's stderr when requested (never with tty). */
  readonly stderr?: Writable;
  readonly tty: boolean;
  /** Terminal sizes from the client; a late subscriber first gets the latest size. */
  onResize(cb: (size: TerminalSize) => void): void;
  /**
   * Aborted when the connection closes: the client went away (the backend should then
   * stop the exec'd process, or detach from an attach), or after `finish()`.
   */
  readonly signal: AbortSignal;
  /**
   * Ends the session: flushes stdout/stderr, sends the Status (Success for exit 0,
   * NonZeroExitCode with the ExitCode cause otherwise, InternalError for `{error}`),
   * closes the transport. Idempotent; the endpoint calls it with the backend's result.
   */
  finish(result: ExecResult): Promise<void>;
}

/** One line (or partial line) of a container's output, as the runtime logged it. */
export interface LogEntry {
  readonly time: Date;
  /** The bytes, including the trailing "\n" of a complete line. */
  readonly data: Buffer | string;
  readonly stream?: 'stdout' | 'stderr';
}

export interface LogRequest {
  readonly container: string;
  /** The previous (terminated) instance of the container. */
  readonly previous: boolean;
  readonly follow: boolean;
  /**
   * Aborted when the client goes away. A `live` iterator that waits for the next entry
   * should end on it: `return()` on an async generator suspended at an `await` only
   * takes effect after that await settles.
   */
  readonly signal: AbortSignal;
}

/** A container's log: what was written so far, and with `follow` what comes next. */
export interface LogSource {
  readonly history: ReadonlyArray<LogEntry>;
  /**
   * With `follow` and a live container: the entries after `history`, ending when the
   * container ends. The endpoint stops iterating (calls `return()`) when the client goes away.
   */
  readonly live?: AsyncIterable<LogEntry>;
}

export interface StreamBackend {
  /** Runs `command` in the container; resolves with how it ended. A rejection becomes an InternalError Status. */
  exec(pod: Readonly<KObject>, req: ExecRequest, session: StreamSession): Promise<ExecResult>;
  /** Attaches to the container's main process; resolves when detached or the process ended. */
  attach(pod: Readonly<KObject>, req: AttachRequest, session: StreamSession): Promise<void>;
  /**
   * Opens a connection to `port` inside the pod's network namespace (localhost:port).
   * Reject with an Error whose `code` is 'ECONNREFUSED' when nothing listens: the
   * client then gets containerd's "connection refused" text. Other rejections are
   * reported with their message. `signal` aborts when the client connection goes away.
   */
  portForward(pod: Readonly<KObject>, port: number, signal: AbortSignal): Promise<Duplex>;
  /** The log of a container (or its previous instance). Throw an ApiError to answer with it. */
  logs(pod: Readonly<KObject>, req: LogRequest): LogSource | Promise<LogSource>;
}
