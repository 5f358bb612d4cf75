/**
 * @module apiserver/streams/status
 * The `metav1.Status` documents a kubelet writes on the exec/attach error channel
 * (channel 3 / the SPDY `error` stream), in the exact JSON shape Go's
 * `json.Marshal(status.Status())` produces: no kind/apiVersion, `code` omitted when 0.
 *
 * kubectl takes the exit code from the cause whose `reason` is `ExitCode`, prints
 * `command terminated with exit code N` and exits N; any other Failure makes it print
 * `error: <message>` and exit 1. Protocols before v4 carry only the message as text.
 */

export interface StreamStatusCause {
  readonly reason?: string;
  readonly message?: string;
}

/** A `metav1.Status` as written on the error channel. */
export interface StreamStatus {
  readonly metadata: Record<string, never>;
  readonly status: 'Success' | 'Failure';
  readonly message?: string;
  readonly reason?: string;
  readonly details?: { readonly causes?: ReadonlyArray<StreamStatusCause> };
  readonly code?: number;
}

/** How an exec/attach ended. */
export type ExecResult = { readonly exitCode: number } | { readonly error: string };

export function successStatus(): StreamStatus {
  return { metadata: {}, status: 'Success' };
}

/**
 * The kubelet's non-zero exit Status. The message embeds the CRI runtime's error text,
 * which for containerd (and CRI-O) is `error executing command [sh -c exit 3], exit code 3`
 * (Go's `%v` of the command slice).
 */
export function exitCodeStatus(exitCode: number, command: ReadonlyArray<string> = []): StreamStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** `apierrors.NewInternalError(err)` as the kubelet writes it when exec/attach itself failed. */
export function internalErrorStatus(message: string): StreamStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${message}`,
    reason: 'InternalError',
    details: { causes: [{ message }] },
    code: 500,
  };
}

/**
 * The Status for a finished exec/attach. Errors get the kubelet's wrapping:
 * `error executing command in container: …` (exec) or `error attaching to container: …`.
 */
export function resultStatus(kind: 'exec' | 'attach', result: ExecResult, command: ReadonlyArray<string> = []): StreamStatus {
  if ('error' in result) {
    const prefix = kind === 'exec' ? 'error executing command in container' : 'error attaching to container';
    return internalErrorStatus(`${prefix}: ${result.error}`);
  }
  if (result.exitCode === 0) return successStatus();
  return exitCodeStatus(result.exitCode, command);
}

/** Bytes for the error channel: JSON from v4 on, the bare message (failures only) before. */
export function encodeStatus(status: StreamStatus, jsonStatus: boolean): Buffer | undefined {
  if (jsonStatus) return Buffer.from(JSON.stringify(status));
  if (status.status === 'Success') return undefined;
  return Buffer.from(status.message ?? 'unknown error');
}
