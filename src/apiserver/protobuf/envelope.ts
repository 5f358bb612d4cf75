/**
 * @module apiserver/protobuf/envelope
 *
 * Constants and small predicates for the Kubernetes protobuf envelope:
 *
 *   body = 6b 38 73 00 ("k8s\0")  ++  runtime.Unknown {
 *            1 typeMeta {1 apiVersion, 2 kind}
 *            2 raw              the object's own message (e.g. k8s.io.api.apps.v1.Deployment)
 *            3 contentEncoding  "" (anything else is refused)
 *            4 contentType      "" or application/vnd.kubernetes.protobuf (application/json tolerated)
 *          }
 */

export const KUBERNETES_PROTOBUF_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);
export const KUBERNETES_PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** True when the body starts with the `k8s\0` magic. */
export function hasKubernetesProtobufMagic(body: Uint8Array): boolean {
  return body.length >= 4 && body[0] === 0x6b && body[1] === 0x38 && body[2] === 0x73 && body[3] === 0x00;
}

/** True for `application/vnd.kubernetes.protobuf` (parameters and case ignored). */
export function isKubernetesProtobufContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  return contentType.split(';')[0]?.trim().toLowerCase() === KUBERNETES_PROTOBUF_CONTENT_TYPE;
}
