/**
 * @module apiserver/protobuf/decode
 *
 * decodeKubernetesProtobuf: request body (application/vnd.kubernetes.protobuf) -> the object in
 * the Kubernetes JSON form, as if the client had sent JSON.
 *
 *   bytes --magic--> runtime.Unknown --typeMeta--> message for apiVersion/kind
 *         --protobufjs decode--> message object --json-mapping--> { kind, apiVersion, ... }
 *
 * Every failure is a KubernetesProtobufError (never a raw library exception). Fields that the
 * schema (kubectl 1.33's k8s.io/api) does not know are skipped, like any proto decoder does.
 * No defaulting, no validation beyond the wire format.
 */
import { KUBERNETES_PROTOBUF_CONTENT_TYPE, hasKubernetesProtobufMagic } from './envelope.js';
import { KubernetesProtobufError } from './errors.js';
import { messageToJson } from './json-mapping.js';
import { UNKNOWN, kindMessage, protoType } from './schema.js';

export interface DecodedKubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  /** The object in JSON form, `kind` and `apiVersion` included. */
  readonly object: Record<string, unknown>;
}

function wrap<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof KubernetesProtobufError) throw e;
    const detail = e instanceof Error ? e.message : String(e);
    throw new KubernetesProtobufError('PB_MALFORMED', `malformed protobuf ${what}: ${detail}`, { cause: e });
  }
}

function stringField(m: Record<string, unknown>, key: string): string {
  const v = Object.prototype.hasOwnProperty.call(m, key) ? m[key] : '';
  if (typeof v !== 'string') throw new KubernetesProtobufError('PB_MALFORMED', `malformed protobuf envelope: ${key} is not a string`);
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Decodes a Kubernetes protobuf body (magic + runtime.Unknown) into JSON form.
 * @throws KubernetesProtobufError PB_BAD_MAGIC | PB_MALFORMED | PB_UNKNOWN_KIND | PB_UNSUPPORTED_ENCODING
 */
export function decodeKubernetesProtobuf(body: Uint8Array): DecodedKubernetesObject {
  if (!(body instanceof Uint8Array)) throw new KubernetesProtobufError('PB_MALFORMED', 'protobuf body must be a Uint8Array');
  if (!hasKubernetesProtobufMagic(body)) {
    throw new KubernetesProtobufError('PB_BAD_MAGIC', 'not a Kubernetes protobuf body: missing the 6b 38 73 00 ("k8s\\0") prefix');
  }
  const envelope = wrap('envelope', () => protoType(UNKNOWN).decode(body.subarray(4)) as unknown as Record<string, unknown>);
  const typeMeta = isRecord(envelope.typeMeta) ? envelope.typeMeta : {};
  const apiVersion = stringField(typeMeta, 'apiVersion');
  const kind = stringField(typeMeta, 'kind');
  const contentEncoding = stringField(envelope, 'contentEncoding');
  const contentType = stringField(envelope, 'contentType');
  const rawValue = Object.prototype.hasOwnProperty.call(envelope, 'raw') ? envelope.raw : new Uint8Array(0);
  if (!(rawValue instanceof Uint8Array)) throw new KubernetesProtobufError('PB_MALFORMED', 'malformed protobuf envelope: raw is not bytes');
  const raw = rawValue;

  if (!kind) throw new KubernetesProtobufError('PB_MALFORMED', 'protobuf envelope has no kind (typeMeta.kind is empty)');
  if (contentEncoding !== '') {
    throw new KubernetesProtobufError('PB_UNSUPPORTED_ENCODING', `unsupported protobuf contentEncoding "${contentEncoding}"`);
  }
  const ct = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (ct === 'application/json') {
    const parsed = wrap('raw JSON', (): unknown => JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')));
    if (!isRecord(parsed)) throw new KubernetesProtobufError('PB_MALFORMED', 'raw JSON in protobuf envelope is not an object');
    return { apiVersion, kind, object: { ...parsed, kind, apiVersion } };
  }
  if (ct !== '' && ct !== KUBERNETES_PROTOBUF_CONTENT_TYPE) {
    throw new KubernetesProtobufError('PB_UNSUPPORTED_ENCODING', `unsupported contentType "${contentType}" inside the protobuf envelope`);
  }
  const messageName = kindMessage(apiVersion, kind);
  if (!messageName) {
    throw new KubernetesProtobufError('PB_UNKNOWN_KIND', `no kind "${kind}" is registered for version "${apiVersion}" (protobuf)`);
  }
  const json = wrap(`${kind}`, () => {
    const message = protoType(messageName).decode(raw) as unknown as Record<string, unknown>;
    return messageToJson(messageName, message);
  });
  if (!isRecord(json)) throw new KubernetesProtobufError('PB_MALFORMED', `decoded ${kind} is not an object`);
  return { apiVersion, kind, object: { kind, apiVersion, ...json } };
}
