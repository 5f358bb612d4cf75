/**
 * @module apiserver/protobuf
 *
 * Kubernetes protobuf request bodies (what kubectl 1.32+ sends for `kubectl create <kind>`):
 * decode them into the JSON form the rest of the API server works with, and encode JSON objects
 * into them for tests. See decode.ts for the data flow and json-mapping.ts for the JSON rules.
 * Schema: schema.generated.ts (from kubectl 1.33's embedded descriptors; tools/gen-schema.mjs).
 */
export { decodeKubernetesProtobuf, type DecodedKubernetesObject } from './decode.js';
export { encodeKubernetesProtobuf } from './encode.js';
export {
  KUBERNETES_PROTOBUF_CONTENT_TYPE,
  KUBERNETES_PROTOBUF_MAGIC,
  hasKubernetesProtobufMagic,
  isKubernetesProtobufContentType,
} from './envelope.js';
export { KubernetesProtobufError, isKubernetesProtobufError, type KubernetesProtobufErrorCode } from './errors.js';
export { SCHEMA_SOURCE, supportedKinds } from './schema.js';
