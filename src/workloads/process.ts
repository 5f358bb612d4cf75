/**
 * @module workloads/process
 *
 * The process context: everything an emulated program (the busybox shell and
 * applets, curl, the stub resolver) may touch. Programs see the world only
 * through this interface, so the same code runs on the virtual pod network
 * (implemented by the cluster, on top of src/dataplane) and on the in-memory
 * fakes in ./testing/.
 *
 * What this module does NOT do: it implements nothing of the network, the
 * terminal or the file system. It holds the contracts, the `Program` type, the
 * exit-code conventions and the real clock.
 *
 * ```
 *   kubectl exec / attach / container start
 *        |  raw stdin bytes, tty flag, signal (SIGTERM on pod deletion)
 *        v
 *   runProgram(ctx, argv)              (./programs.ts)
 *        |  tty line discipline if ctx.tty (./tty.ts)
 *        v
 *   Program(ctx, argv) -> exit code    (sh, wget, nslookup, curl, ...)
 *        |  ctx.net.connectTcp / udpExchange      ctx.files   ctx.clock
 *        v
 *   the pod's view of the network: VIP translation, policy, listeners
 * ```
 */
import type { Duplex, Readable, Writable } from 'node:stream';

/** Error codes a network operation may fail with; errno names as Linux uses them. */
export type NetErrorCode = 'ECONNREFUSED' | 'ETIMEDOUT' | 'EHOSTUNREACH' | 'ENETUNREACH' | 'ECONNRESET';

/** A failed network operation. `code` says which way it failed (see NetErrorCode). */
export interface NetError extends Error {
  readonly code: NetErrorCode;
}

/** strerror(3) texts for the codes, as musl and glibc print them. */
export const NET_ERROR_TEXT: Readonly<Record<NetErrorCode, string>> = {
  ECONNREFUSED: 'Connection refused',
  ETIMEDOUT: 'Connection timed out',
  EHOSTUNREACH: 'No route to host',
  ENETUNREACH: 'Network is unreachable',
  ECONNRESET: 'Connection reset by peer',
};

/** Makes a NetError (for implementations of ProcessNet and for fakes). */
export function netError(code: NetErrorCode, detail?: string): NetError {
  const e = new Error(detail ?? NET_ERROR_TEXT[code]) as Error & { code: NetErrorCode };
  e.code = code;
  return e;
}

/** True when `e` carries one of the NetErrorCode codes. */
export function isNetError(e: unknown): e is NetError {
  if (!(e instanceof Error)) return false;
  const code: unknown = (e as Error & { code?: unknown }).code;
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(NET_ERROR_TEXT, code);
}

/** True when `e` is the rejection of an aborted operation (AbortSignal fired). */
export function isAbortError(e: unknown): boolean {
  return e instanceof Error && (e.name === 'AbortError' || (e as Error & { code?: unknown }).code === 'ABORT_ERR');
}

/** Makes the error an aborted operation rejects with. */
export function abortError(): Error {
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

export interface ConnectOptions {
  /**
   * Give up after this many milliseconds of `ProcessContext.clock` time and
   * reject with ETIMEDOUT. When omitted, a connection whose SYN is dropped
   * waits as the Linux kernel does (tcp_syn_retries=6: about 127 s) and then
   * rejects with ETIMEDOUT. Programs normally omit it and race their own
   * timers, as the real tools do.
   */
  readonly timeoutMs?: number;
  /** Aborting rejects the pending connect with an AbortError and cleans it up. */
  readonly signal?: AbortSignal;
}

export interface UdpOptions {
  /** Reject with ETIMEDOUT after this many milliseconds of clock time without a reply. */
  readonly timeoutMs: number;
  /** Aborting rejects the pending exchange with an AbortError. */
  readonly signal?: AbortSignal;
}

/**
 * The network as one process (one pod's network namespace) sees it.
 * Every call is one flow: the implementation records it and applies the
 * service VIP translation and NetworkPolicy.
 */
export interface ProcessNet {
  /** The pod IP (eth0 address) as a dotted quad, e.g. "10.244.1.5". */
  readonly localIp: string;
  /**
   * Opens a TCP connection from `localIp` to ip:port and resolves with the
   * byte stream once established (the 3-way handshake completed).
   * Rejects with a NetError:
   * - ECONNREFUSED: nothing listens there, or a Service without ready
   *   endpoints (kube-proxy's REJECT); immediate.
   * - ETIMEDOUT: the SYN was dropped (e.g. NetworkPolicy), after
   *   `timeoutMs` or the kernel's default (see ConnectOptions).
   * - EHOSTUNREACH / ENETUNREACH: no route (e.g. an unallocated pod IP).
   * Writes on the stream go to the peer; `end()` half-closes (FIN); reading
   * gets the peer's bytes then EOF; `destroy()` resets.
   * `ip` is always an IP literal: resolution is the caller's job.
   */
  connectTcp(ip: string, port: number, opts?: ConnectOptions): Promise<Duplex>;
  /**
   * Sends one UDP datagram from an ephemeral port of `localIp` to ip:port and
   * resolves with the first datagram that comes back to that port. Rejects
   * with ETIMEDOUT when none arrives within `timeoutMs` (a dropped packet, an
   * unanswered one), or ECONNREFUSED if an ICMP port-unreachable comes back.
   * Used for DNS; one call is one query/response.
   */
  udpExchange(ip: string, port: number, payload: Buffer, opts: UdpOptions): Promise<Buffer>;
}

/** Time as the program sees it; injectable so tests never sleep for real. */
export interface Clock {
  /** Milliseconds since the Unix epoch (wall clock; also used to measure durations). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds of this clock's time. Rejects with an
   * AbortError as soon as `signal` aborts (also if it already has).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Error thrown by FileMap operations; `code` is the errno name. */
export interface FsError extends Error {
  readonly code: 'ENOENT' | 'EISDIR' | 'ENOTDIR' | 'EACCES' | 'EROFS' | 'EEXIST' | 'ENOTEMPTY';
}

/**
 * The container's file system: a small image (read-only files such as
 * /etc/resolv.conf, /etc/hosts, /etc/hostname, /etc/passwd) under a writable
 * scratch layer shared by every process of the container (wget's index.html,
 * `echo x > /tmp/f`, curl -o). Paths are absolute and normalised by the caller
 * (no "." or ".." segments, no trailing slash). `createFileMap` in ./fs.ts
 * implements it.
 */
export interface FileMap {
  /** The file's bytes, or undefined when it does not exist. /dev/null reads empty. Throws EISDIR for a directory. */
  read(path: string): Buffer | undefined;
  /** Creates or replaces (or appends to) a file. /dev/null swallows. Throws ENOENT (no parent dir), EISDIR, EROFS (/proc, /sys). */
  write(path: string, data: Buffer | string, mode?: 'truncate' | 'append'): void;
  /** Sorted entry names of a directory, or undefined when it is not a directory. */
  list(path: string): ReadonlyArray<string> | undefined;
  /** 'file', 'dir', or undefined when nothing is there. */
  stat(path: string): 'file' | 'dir' | undefined;
  /** Makes a directory (parents must exist unless `parents`). Throws EEXIST, ENOENT. */
  mkdir(path: string, parents?: boolean): void;
  /** Removes a file or an empty directory. Throws ENOENT, ENOTEMPTY, EACCES (image files). */
  remove(path: string): void;
}

/** Which C library's resolver the image uses: Alpine/busybox-musl images vs Debian/Ubuntu ones. */
export type Libc = 'musl' | 'glibc';

/**
 * Everything a program may use. Owned by the caller; programs never end
 * stdout/stderr (the caller does after the returned promise settles) and never
 * keep references after they resolve.
 */
export interface ProcessContext {
  /**
   * Input bytes. With `tty`, these are raw terminal bytes (keystrokes: "\r"
   * for Enter, 0x03 for Ctrl-C, 0x04 for Ctrl-D, 0x7f for backspace); the
   * line discipline in ./tty.ts cooks them. Ends on EOF (stdin closed).
   */
  readonly stdin: Readable;
  /** Output bytes. With `tty`, "\n" is written as is; the line discipline turns it into "\r\n". */
  readonly stdout: Writable;
  /** Error output; with `tty` it is the same terminal as stdout. */
  readonly stderr: Writable;
  /** True when the process has a terminal (kubectl exec -t, kubectl run -t): stdin/stdout/stderr are it. */
  readonly tty: boolean;
  /**
   * Which of fds 0, 1, 2 are the terminal when they differ from `tty` (a shell
   * sets it for commands in pipes or with redirections). Absent: all three are
   * `tty`. Read it through isatty().
   */
  readonly ttyFds?: readonly [boolean, boolean, boolean];
  /** Initial environment (container env + PATH, HOME, HOSTNAME, TERM, ...). Programs copy it; never mutate. */
  readonly env: Readonly<Record<string, string>>;
  /** Initial working directory (the image's WORKDIR, "/" for busybox). */
  readonly cwd: string;
  /** The pod's hostname (metadata.name, or spec.hostname). */
  readonly hostname: string;
  /** Numeric user and group ids (0 for busybox; 100/101 curl_user for curlimages/curl). Names come from /etc/passwd, /etc/group. */
  readonly uid: number;
  readonly gid: number;
  /** The image's libc: decides the resolver's search-list and timeout behaviour. */
  readonly libc: Libc;
  /** The container's files; see FileMap. */
  readonly files: FileMap;
  /** The pod's network; see ProcessNet. */
  readonly net: ProcessNet;
  /**
   * Aborts when the process must stop: pod deletion, the exec session closing,
   * or an interrupt. `signal.reason` names the signal when it is a string
   * ("SIGINT", "SIGTERM", "SIGKILL"); programs then resolve promptly with
   * signalExitCode(reason).
   */
  readonly signal: AbortSignal;
  /** Time; see Clock. */
  readonly clock: Clock;
}

/**
 * A program: what an image's executable does. `argv[0]` is the name it was
 * invoked as. Resolves with the exit status (0..255). Errors go to ctx.stderr
 * with the tool's own wording; a program rejects only on a bug.
 */
export type Program = (ctx: ProcessContext, argv: ReadonlyArray<string>) => Promise<number>;

/** Exit statuses shared by the emulations. */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  /** Shell: a command that exists but cannot run. */
  CANNOT_EXECUTE: 126,
  /** Shell: command not found. */
  NOT_FOUND: 127,
} as const;

/** isatty(3) for fd 0, 1 or 2 of the process. */
export function isatty(ctx: Pick<ProcessContext, 'tty' | 'ttyFds'>, fd: 0 | 1 | 2): boolean {
  return ctx.ttyFds ? ctx.ttyFds[fd] : ctx.tty;
}

/** 128 + signal number, as a shell reports a process killed by that signal. */
export function signalExitCode(reason: unknown): number {
  switch (reason) {
    case 'SIGINT':
      return 130;
    case 'SIGKILL':
      return 137;
    case 'SIGPIPE':
      return 141;
    default:
      return 143; // SIGTERM, and any other abort
  }
}

/** The host's real clock, for production contexts. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
