/**
 * @module apiserver/protobuf/errors
 *
 * The one error type thrown by the Kubernetes protobuf codec. Every failure (bad magic, truncated
 * or garbage bytes, unknown kind, unsupported envelope encoding, a JSON value that cannot be
 * encoded) surfaces as a KubernetesProtobufError with a stable `code` and the HTTP status an API
 * server should answer with. Nothing else escapes decode/encode: library exceptions are wrapped.
 */

export type KubernetesProtobufErrorCode =
  /** body does not start with the 4-byte `k8s\0` magic */
  | 'PB_BAD_MAGIC'
  /** bytes are not a valid message (truncated, wrong wire types, impossible values) */
  | 'PB_MALFORMED'
  /** runtime.Unknown names an apiVersion/kind this codec has no message for */
  | 'PB_UNKNOWN_KIND'
  /** runtime.Unknown carries a contentEncoding/contentType we do not handle */
  | 'PB_UNSUPPORTED_ENCODING'
  /** (encoder) a JSON value does not fit the field it is meant for */
  | 'PB_INVALID_VALUE';

const STATUS: Readonly<Record<KubernetesProtobufErrorCode, number>> = {
  PB_BAD_MAGIC: 400,
  PB_MALFORMED: 400,
  PB_UNKNOWN_KIND: 400,
  PB_UNSUPPORTED_ENCODING: 415,
  PB_INVALID_VALUE: 400,
};

export class KubernetesProtobufError extends Error {
  override readonly name = 'KubernetesProtobufError';
  readonly code: KubernetesProtobufErrorCode;
  /** HTTP status an API server should answer with (reason BadRequest / UnsupportedMediaType). */
  readonly status: number;
  /** Field path (e.g. `spec.template.spec.containers[0].ports[0]`) where known. */
  readonly path: string | undefined;

  constructor(code: KubernetesProtobufErrorCode, message: string, options?: { path?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = STATUS[code];
    this.path = options?.path;
  }
}

export function isKubernetesProtobufError(e: unknown): e is KubernetesProtobufError {
  return e instanceof KubernetesProtobufError;
}
