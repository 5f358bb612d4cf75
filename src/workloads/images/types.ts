/**
 * @module workloads/images/types
 *
 * The contracts between the kubelet and the image emulations: what a
 * container is started with (`ContainerSpec`), what a running container
 * offers (`RunningContainer`: exit, stop, exec, listening ports), what an
 * image is (`ImageDefinition` -> `ImageConfig`: ENTRYPOINT/CMD, ENV, WORKDIR,
 * USER, files, executables), and what an image's own programs may use beyond
 * a plain ProcessContext (`ContainerContext.pod`: listening sockets, the kill
 * signal, running other executables of the image).
 *
 * Data and interfaces only; the behaviour lives in container.ts and the
 * emulations.
 *
 * ```
 *   kubelet ── startContainer(spec) ──> Container ── main process: ImageProgram(ctx, argv)
 *                                          │            ctx.pod.listen / bindUdp (pod IP + loopback)
 *                                          │            ctx.net.connectTcp / udpExchange (the dataplane)
 *      exec(argv, stdio) ─────────────────>├── exec'd process (same files, env, net)
 *      stop('SIGTERM' | 'SIGKILL') ───────>└── signal -> exit code -> `exited`
 * ```
 */
import type { Readable, Writable } from 'node:stream';
import type { PodNetwork } from '../../dataplane/index.js';
import type { ConnectionHandler } from '../../dataplane/index.js';
import type { UdpMessageHandler } from '../../dataplane/index.js';
import type { Clock, FileMap, Libc, Program, ProcessContext } from '../process.js';

// ---------------------------------------------------------------- the network a container uses

/**
 * The part of the dataplane a container uses; `createPodNetwork()` satisfies it.
 * `podRoute` tells the container's own loopback from node-network addresses
 * that kwire puts in 127.0.0.0/8 (node IPs, LoadBalancer IPs).
 */
export type ContainerNet = Pick<PodNetwork, 'listen' | 'bindUdp' | 'connect' | 'udpExchange' | 'podRoute'>;

// ---------------------------------------------------------------- starting a container

/** One `ports[]` entry of the container spec (informational: processes listen where they want). */
export interface ContainerPortSpec {
  readonly containerPort: number;
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  readonly name?: string;
}

/** What the kubelet starts a container with. */
export interface ContainerSpec {
  /** The image reference exactly as in the pod spec (`nginx:1.21`, `registry.k8s.io/e2e-test-images/agnhost:2.47`). */
  readonly image: string;
  /** `command` as in the pod spec, `$(VAR)` references unexpanded: they are expanded here against `env`. Replaces ENTRYPOINT. */
  readonly command?: ReadonlyArray<string>;
  /** `args` as in the pod spec, unexpanded. Replaces CMD. */
  readonly args?: ReadonlyArray<string>;
  /**
   * The container's environment as the kubelet computed it (service links,
   * `env`, `envFrom`, downward API values), already resolved. The image's ENV
   * (PATH, NGINX_VERSION, ...) lies under it; HOSTNAME defaults to `hostname`.
   */
  readonly env: Readonly<Record<string, string>>;
  /** `workingDir`; default: the image's WORKDIR. */
  readonly workingDir?: string;
  readonly ports: ReadonlyArray<ContainerPortSpec>;
  /** status.podIP: where the container's sockets listen. */
  readonly podIp: string;
  /** The pod's hostname (spec.hostname or metadata.name). */
  readonly hostname: string;
  readonly podName: string;
  readonly namespace: string;
  /** The pod network; connections and listeners use `podIp`. */
  readonly net: ContainerNet;
  /**
   * The kubelet-managed files (/etc/resolv.conf, /etc/hosts, /etc/hostname,
   * mounted ConfigMaps...): either a FileMap (the image's files are written
   * into it where absent) or plain path -> contents (a FileMap is built with
   * the image's files underneath).
   */
  readonly files: FileMap | Readonly<Record<string, string | Buffer>>;
  /** The container log: the main process's stdout and stderr. Never ended here. */
  readonly stdout: Writable;
  readonly stderr: Writable;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** `stdin: true` (kubectl run -i / attach): the bytes typed. Default: EOF at once. */
  readonly stdin?: Readable;
  /** `tty: true` (kubectl run -t): stdin/stdout are a terminal; stderr is stdout. */
  readonly tty?: boolean;
  /** securityContext.runAsUser / runAsGroup; default: the image's USER. */
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
}

/** Why a container did not start (the kubelet turns it into the container's waiting state and an event). */
export type StartFailure =
  /** No emulation for the image: ErrImagePull, then ImagePullBackOff. */
  | { readonly ok: false; readonly reason: 'ErrImagePull'; readonly message: string }
  /** The reference is malformed: InvalidImageName. */
  | { readonly ok: false; readonly reason: 'InvalidImageName'; readonly message: string }
  /** ENTRYPOINT/command not found: the container terminates at once with reason StartError and exit code 128. */
  | { readonly ok: false; readonly reason: 'StartError'; readonly message: string; readonly exitCode: 128 }
  /** Neither command nor ENTRYPOINT/CMD: CreateContainerError. */
  | { readonly ok: false; readonly reason: 'CreateContainerError'; readonly message: string };

export type StartResult = { readonly ok: true; readonly container: RunningContainer } | StartFailure;

// ---------------------------------------------------------------- a running container

/** The signals the kubelet sends: SIGTERM (delivered as the image's STOPSIGNAL) then SIGKILL after the grace period. */
export type KillSignal = 'SIGTERM' | 'SIGKILL';

/** The terminal a `kubectl exec` session brings. */
export interface ExecStdio {
  /** Default: EOF at once. */
  readonly stdin?: Readable;
  readonly stdout: Writable;
  /** With `tty`, pass the same stream as stdout. */
  readonly stderr: Writable;
  readonly tty?: boolean;
  /** Aborts when the session goes away (the process gets SIGHUP). */
  readonly signal?: AbortSignal;
}

/** How an exec ended. */
export type ExecOutcome =
  /** The process ran: kubectl prints "command terminated with exit code N" for N != 0. */
  | { readonly kind: 'exited'; readonly exitCode: number }
  /**
   * The runtime could not start it (no such executable). `message` is the
   * kubelet's error text; the API server wraps it as an InternalError Status,
   * so kubectl prints `error: Internal error occurred: <message>` and exits 1.
   */
  | { readonly kind: 'start-failed'; readonly message: string };

/** A socket a process of the container listens on (readiness/liveness tcpSocket probes look here). */
export interface ListeningPort {
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  /** The address it listens on: '0.0.0.0' (pod IP and loopback), the pod IP, or '127.0.0.1'. */
  readonly address: string;
}

/** A started container. */
export interface RunningContainer {
  /** What the reference resolved to. */
  readonly image: ResolvedImage;
  /** The argv the main process was started with (after ENTRYPOINT/CMD and `$(VAR)` expansion). */
  readonly argv: ReadonlyArray<string>;
  /** Settles once with the main process's exit code (137 after SIGKILL). Never rejects. */
  readonly exited: Promise<number>;
  /** The exit code once exited, else undefined. */
  readonly exitCode: number | undefined;
  /**
   * Sends a signal: 'SIGTERM' is delivered as the image's STOPSIGNAL (nginx:
   * SIGQUIT); 'SIGKILL' ends the container at once (exit 137), closing its
   * sockets. Resolves when the container has exited: race it against the
   * grace period, then send SIGKILL.
   */
  stop(signal?: KillSignal): Promise<void>;
  /** Runs a program of the image inside the container (kubectl exec). */
  exec(argv: ReadonlyArray<string>, stdio: ExecStdio): Promise<ExecOutcome>;
  /** Sockets the container's processes listen on now. */
  listening(): ReadonlyArray<ListeningPort>;
  /** True when something in the container accepts TCP (or binds UDP) on `port` of the pod IP. */
  isListening(port: number, protocol?: 'TCP' | 'UDP'): boolean;
}

// ---------------------------------------------------------------- images

/** A parsed image reference (docker/distribution grammar, docker.io normalisation). */
export interface ImageReference {
  /** As written. */
  readonly original: string;
  /** Registry host: `docker.io`, `registry.k8s.io`, `localhost:5000`. */
  readonly domain: string;
  /** Repository path: `library/nginx`, `hashicorp/http-echo`, `e2e-test-images/agnhost`. */
  readonly path: string;
  /** The tag, `latest` when neither tag nor digest was given. */
  readonly tag: string | undefined;
  /** `sha256:...` when pinned by digest. */
  readonly digest: string | undefined;
  /** Fully qualified: `docker.io/library/nginx:1.21` (the containerd spelling). */
  readonly canonical: string;
}

/** An image matched to its emulation. */
export interface ResolvedImage {
  readonly reference: ImageReference;
  readonly definition: ImageDefinition;
  readonly config: ImageConfig;
}

/** A program of an image's own (a server, a CLI). It gets the container context, a superset of ProcessContext. */
export type ImageProgram = (ctx: ContainerContext, argv: ReadonlyArray<string>) => Promise<number>;

/** The tool sets the workloads' program registry provides (busybox applets, curl, a POSIX sh). */
export type ToolSet = 'busybox' | 'alpine-curl' | 'debian-curl';

/** How an executable of the image runs. */
export type Executable =
  /** One of the image's own programs. */
  | { readonly kind: 'own'; readonly program: ImageProgram; readonly rawTty?: boolean }
  /** A program of the shared registry (`ToolHost`), by command name: `sh`, `wget`, `curl`. */
  | { readonly kind: 'tool'; readonly set: ToolSet; readonly name: string; readonly rawTty?: boolean }
  /** A shell (busybox ash / dash / bash) whose commands resolve among the image's executables. */
  | { readonly kind: 'shell'; readonly set: ToolSet; readonly rawTty?: boolean };

/** What an image is for one tag: the OCI image config plus its executables and files. */
export interface ImageConfig {
  /** The emulated software's version for this tag (`1.21.6` for nginx:1.21). */
  readonly version: string;
  readonly entrypoint: ReadonlyArray<string>;
  readonly cmd: ReadonlyArray<string>;
  /** ENV of the image (PATH first). */
  readonly env: Readonly<Record<string, string>>;
  readonly workingDir: string;
  readonly uid: number;
  readonly gid: number;
  readonly libc: Libc;
  /** STOPSIGNAL: what 'SIGTERM' from the kubelet is delivered as. */
  readonly stopSignal: 'SIGTERM' | 'SIGQUIT' | 'SIGINT';
  /** The image's files (shared Buffers: never mutate them). */
  readonly files: Readonly<Record<string, string | Buffer>>;
  /** Empty directories of the image (parents of `files` are implied). */
  readonly dirs?: ReadonlyArray<string>;
  /** Absolute path -> executable. PATH lookups search these. */
  readonly executables: ReadonlyMap<string, Executable>;
  /**
   * Directories holding a whole tool set: `${dir}/${name}` is an executable
   * for every name of `names` (the real image's list; names the ToolHost
   * lacks report "not emulated") and every name the ToolHost's set provides.
   */
  readonly toolDirs?: ReadonlyArray<{ readonly dir: string; readonly set: ToolSet; readonly names: ReadonlySet<string> }>;
  /** Names that are shells in this image (`sh`, `ash`, `bash`): their commands resolve among the image's executables. */
  readonly shells?: ReadonlySet<string>;
}

/** One emulated image. */
export interface ImageDefinition {
  /** Stable id: `nginx`, `http-echo`, `busybox`, `curl`, `agnhost`, `whoami`. */
  readonly id: string;
  /** How users know it: `nginx`, `hashicorp/http-echo`, `registry.k8s.io/e2e-test-images/agnhost`. */
  readonly displayName: string;
  /** Repository paths it answers to, any registry (`library/nginx`, `e2e-test-images/agnhost`). */
  readonly repositories: ReadonlyArray<string>;
  /** The image config for a reference (the tag decides the version); undefined when the tag does not exist (pull: not found). */
  configure(ref: ImageReference): ImageConfig | undefined;
}

// ---------------------------------------------------------------- what the image's programs get

/** An address a program listens on, as Go's `net.Listen("tcp", ":8080")` takes it. */
export interface ListenAddress {
  /** '' or '0.0.0.0' or '::' (all: pod IP and loopback), the pod IP, '127.0.0.1'/'localhost', or anything else (EADDRNOTAVAIL). */
  readonly host: string;
  readonly port: number;
}

/** A listening socket owned by a process; closed by the runtime when the process ends. */
export interface Listening {
  readonly port: number;
  close(): void;
}

/** The pod-level services an image's own program may use. */
export interface PodServices {
  /** The process id in the container's PID namespace: 1 for the main process. */
  readonly pid: number;
  readonly podIp: string;
  readonly namespace: string;
  readonly podName: string;
  /** Accepts TCP connections. Throws an Error with code EADDRINUSE or EADDRNOTAVAIL (message in Go's wording). */
  listenTcp(addr: ListenAddress, onConnection: ConnectionHandler, opts?: { readonly allowHalfOpen?: boolean }): Listening;
  /** Binds a UDP port; `reply` answers along the flow. Same errors as listenTcp. */
  bindUdp(addr: ListenAddress, onMessage: UdpMessageHandler): Listening;
  /** Aborts on SIGKILL: the process must stop at once (ctx.signal aborts on the first signal). */
  readonly killed: AbortSignal;
  /**
   * Runs another executable of the image as a child process (`/bin/sh -c`
   * from netexec's /shell). Resolves with its exit code, or undefined when
   * there is no such executable.
   */
  spawn(argv: ReadonlyArray<string>, stdio: { readonly stdout: Writable; readonly stderr: Writable; readonly stdin?: Readable }): Promise<number | undefined>;
  /**
   * Replaces this process with another executable of the image, as exec(3)
   * does (an entrypoint script's `exec "$@"`): same stdio, terminal, signal.
   * Pass the context the program was given. Resolves with its exit code, or
   * undefined when there is no such executable.
   */
  execve(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number | undefined>;
  /** Sends a signal to the container's main process (`nginx -s quit` from an exec). */
  signalMain(signal: 'SIGTERM' | 'SIGQUIT' | 'SIGINT' | 'SIGHUP'): void;
}

/** The context an image's own program runs with. */
export interface ContainerContext extends ProcessContext {
  readonly pod: PodServices;
}

/** The shared program registry (busybox applets, curl, sh) the images' tools come from. */
export interface ToolHost {
  /** The programs of a tool set, by command name. */
  programs(set: ToolSet): Readonly<Record<string, Program>>;
  /**
   * Builds a shell whose commands resolve through `lookup` (so `sh -c
   * "/agnhost connect ..."` finds the image's own programs). Without it the
   * set's own `sh` is used.
   */
  makeShell?(lookup: (name: string) => Program | undefined): Program;
}
