/**
 * @module workloads/images
 *
 * The image emulations and the container runtime the kubelet calls:
 * `ContainerRuntime#startContainer(spec)` -> RunningContainer (exit, stop,
 * exec, listening ports); the image registry (`defaultImageRegistry`,
 * `unsupportedImageMessage`); reference parsing; the ToolHost over the
 * workloads' program registry. See README.md for the contract.
 */
export type {
  ContainerContext,
  ContainerNet,
  ContainerPortSpec,
  ContainerSpec,
  ExecOutcome,
  ExecStdio,
  Executable,
  ImageConfig,
  ImageDefinition,
  ImageProgram,
  ImageReference,
  KillSignal,
  ListenAddress,
  Listening,
  ListeningPort,
  PodServices,
  ResolvedImage,
  RunningContainer,
  StartFailure,
  StartResult,
  ToolHost,
  ToolSet,
} from './types.js';
export { ContainerRuntime, EMULATED_IMAGES, containerEnv, defaultImageRegistry, startContainer, unsupportedImageMessage, type RuntimeOptions } from './runtime.js';
export { ImageRegistry, imageDisplayName, type ImageLookup } from './registry.js';
export { familiarName, parseImageReference, type ParsedReference } from './image-ref.js';
export { containerArgv, execFailedMessage, expandKubeVars, lookupExecutable, startFailedMessage } from './entrypoint.js';
export { workloadsToolHost } from './default-tools.js';
