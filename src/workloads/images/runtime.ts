/**
 * @module workloads/images/runtime
 *
 * The container runtime the kubelet calls: image lookup ("pull"), the
 * container's files and environment, ENTRYPOINT/CMD vs command/args with
 * `$(VAR)` expansion, the executable lookup, then the running Container.
 *
 * ```
 *   startContainer(spec)
 *     -> registry.lookup(image)        InvalidImageName | ErrImagePull (no emulation / no such tag)
 *     -> files, env, argv              CreateContainerError (nothing to run)
 *     -> lookupExecutable(argv[0])     StartError, exit code 128 (containerd's text)
 *     -> Container.start               { ok: true, container }
 * ```
 */
import type { FileMap } from '../process.js';
import { Container, containerFiles, findExecutable, homeOf } from './container.js';
import { containerArgv, lookupExecutable, startFailedMessage } from './entrypoint.js';
import { ImageRegistry } from './registry.js';
import type { ContainerSpec, ImageDefinition, ResolvedImage, StartResult, ToolHost } from './types.js';
import { AGNHOST_IMAGE } from './agnhost/image.js';
import { BUSYBOX_IMAGE } from './busybox/image.js';
import { CURL_IMAGE } from './curl/image.js';
import { HTTP_ECHO_IMAGE } from './http-echo/image.js';
import { NGINX_IMAGE } from './nginx/image.js';
import { WHOAMI_IMAGE } from './whoami/image.js';

/** Every emulated image. */
export const EMULATED_IMAGES: ReadonlyArray<ImageDefinition> = [
  HTTP_ECHO_IMAGE,
  NGINX_IMAGE,
  BUSYBOX_IMAGE,
  CURL_IMAGE,
  AGNHOST_IMAGE,
  WHOAMI_IMAGE,
];

/** The registry of every emulated image. */
export const defaultImageRegistry = new ImageRegistry(EMULATED_IMAGES);

/** Options of a runtime. */
export interface RuntimeOptions {
  /** Where busybox applets, curl and sh come from (the workloads' program registry). */
  readonly tools?: ToolHost;
  readonly registry?: ImageRegistry;
  /** containerd exec ids (64 hex digits by default). */
  readonly execId?: () => string;
}

/** The container's environment: image ENV, HOSTNAME, HOME, then the kubelet's. */
export function containerEnv(image: ResolvedImage, spec: ContainerSpec, files: FileMap): Record<string, string> {
  const uid = spec.runAsUser ?? image.config.uid;
  const env: Record<string, string> = { ...image.config.env, HOSTNAME: spec.hostname };
  Object.assign(env, spec.env);
  if (env['HOME'] === undefined) env['HOME'] = homeOf(files, uid);
  return env;
}

/** A container runtime bound to a tool host and a registry. */
export class ContainerRuntime {
  readonly registry: ImageRegistry;
  readonly #opts: RuntimeOptions;

  constructor(opts: RuntimeOptions = {}) {
    this.registry = opts.registry ?? defaultImageRegistry;
    this.#opts = opts;
  }

  /** Starts a container (see module doc). Never throws for user errors: they come back as StartFailure. */
  startContainer(spec: ContainerSpec): StartResult {
    const found = this.registry.lookup(spec.image);
    if (!found.ok) return { ok: false, reason: found.reason, message: found.message };
    const image = found.image;
    const files = containerFiles(spec.files, image.config);
    const env = containerEnv(image, spec, files);
    const argv = containerArgv(image.config, spec.command, spec.args, spec.env);
    if (argv.length === 0) {
      return { ok: false, reason: 'CreateContainerError', message: 'failed to generate container spec: no command specified' };
    }
    const cwd = spec.workingDir || image.config.workingDir;
    const exe = lookupExecutable(argv[0] ?? '', env['PATH'] ?? '', cwd, (p) => findExecutable(image.config, this.#opts.tools, p), files);
    if (!exe.ok) return { ok: false, reason: 'StartError', message: startFailedMessage(exe.error), exitCode: 128 };
    const container = Container.start(
      image,
      spec,
      { ...(this.#opts.tools ? { tools: this.#opts.tools } : {}), ...(this.#opts.execId ? { execId: this.#opts.execId } : {}) },
      files,
      env,
      argv,
      exe,
    );
    return { ok: true, container };
  }
}

/** Starts a container with a one-off runtime (pass `tools` for busybox/curl/sh). */
export function startContainer(spec: ContainerSpec, opts: RuntimeOptions = {}): StartResult {
  return new ContainerRuntime(opts).startContainer(spec);
}

/** The ErrImagePull message for an image without an emulation. */
export function unsupportedImageMessage(image: string): string {
  return defaultImageRegistry.unsupportedMessage(image);
}
