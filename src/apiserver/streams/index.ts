/**
 * @module apiserver/streams
 * kubectl exec/attach/port-forward/logs for kwire: the transports kubectl 1.27-1.33
 * use (WebSocket channel protocols v4/v5, SPDY/3.1, SPDY tunnelled in a WebSocket),
 * kube-apiserver's and the kubelet's checks and wording, and the `StreamBackend`
 * contract the workloads layer implements. Entry point: `createStreamHandlers`.
 */
export { createStreamHandlers, type KwireStreamHandlers } from './handlers.js';
export type { AttachRequest, ExecRequest, ExecResult, LogEntry, LogRequest, LogSource, StreamBackend, StreamSession, TerminalSize } from './backend.js';
export { exitCodeStatus, internalErrorStatus, successStatus, type StreamStatus } from './status.js';
export { netnsPath, portForwardErrorMessage, sandboxId } from './pod-identity.js';
export { formatLogTimestamp } from './logs.js';
