/**
 * @module apiserver/protobuf/encode
 *
 * encodeKubernetesProtobuf: the inverse of decodeKubernetesProtobuf, for tests and test doubles.
 * Produces the bytes a Go client (kubectl 1.32+) would send: fields in number order, value-typed
 * fields written even when zero, map keys sorted, runtime.Unknown with empty contentEncoding and
 * contentType. For objects that kubectl itself built the output is byte-identical to kubectl's.
 * Unknown JSON fields and ill-typed values are rejected (PB_INVALID_VALUE) rather than dropped.
 */
import { KUBERNETES_PROTOBUF_MAGIC } from './envelope.js';
import { KubernetesProtobufError } from './errors.js';
import { messageFromJson } from './json-mapping.js';
import { UNKNOWN, kindMessage, protoType } from './schema.js';

const TYPE_KEYS: ReadonlySet<string> = new Set(['kind', 'apiVersion']);

/**
 * Encodes a Kubernetes object (JSON form) as magic + runtime.Unknown{typeMeta, raw}.
 * `object.kind`/`object.apiVersion` may be present; if so they must match the arguments.
 * @throws KubernetesProtobufError PB_UNKNOWN_KIND | PB_INVALID_VALUE
 */
export function encodeKubernetesProtobuf(apiVersion: string, kind: string, object: unknown): Uint8Array {
  const messageName = kindMessage(apiVersion, kind);
  if (!messageName) throw new KubernetesProtobufError('PB_UNKNOWN_KIND', `no kind "${kind}" is registered for version "${apiVersion}" (protobuf)`);
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new KubernetesProtobufError('PB_INVALID_VALUE', 'object to encode must be a JSON object');
  }
  const o = object as Record<string, unknown>;
  for (const [key, want] of [['kind', kind], ['apiVersion', apiVersion]] as const) {
    if (o[key] !== undefined && o[key] !== want) {
      throw new KubernetesProtobufError('PB_INVALID_VALUE', `${key} "${String(o[key])}" does not match "${want}"`, { path: key });
    }
  }
  const message = messageFromJson(messageName, o, '', TYPE_KEYS);
  try {
    const raw = protoType(messageName).encode(message).finish();
    const envelope = protoType(UNKNOWN)
      .encode({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' })
      .finish();
    const out = new Uint8Array(4 + envelope.length);
    out.set(KUBERNETES_PROTOBUF_MAGIC, 0);
    out.set(envelope, 4);
    return out;
  } catch (e) {
    throw new KubernetesProtobufError('PB_INVALID_VALUE', `cannot encode ${kind}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}
