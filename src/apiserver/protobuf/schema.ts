/**
 * @module apiserver/protobuf/schema
 *
 * Turns the generated tables in schema.generated.ts into (a) a protobufjs Root that does the
 * wire-level work and (b) per-message field metadata (JSON names, omitempty, pointer-ness,
 * inline embedding) that json-mapping.ts uses to produce the Kubernetes JSON form.
 * Built lazily once per process; no file I/O, so it works the same from src/ (tsx) and dist/.
 */
import protobuf from 'protobufjs';
import {
  FIELD_INLINE,
  FIELD_MAP,
  FIELD_OMITEMPTY,
  FIELD_POINTER,
  FIELD_REPEATED,
  KIND_MESSAGES,
  MESSAGES,
  type FieldTuple,
} from './schema.generated.js';

export { SCHEMA_SOURCE } from './schema.generated.js';

/** Message full names (no leading dot) with a custom JSON form. */
export const TIME = 'k8s.io.apimachinery.pkg.apis.meta.v1.Time';
export const MICRO_TIME = 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime';
export const FIELDS_V1 = 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1';
export const INT_OR_STRING = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'k8s.io.apimachinery.pkg.api.resource.Quantity';
export const UNKNOWN = 'k8s.io.apimachinery.pkg.runtime.Unknown';
/** authentication/v1 `type ExtraValue []string`: `{items: [...]}` on the wire, a bare list in JSON. */
export const EXTRA_VALUE = 'k8s.io.api.authentication.v1.ExtraValue';

export interface FieldInfo {
  /** proto field number */
  readonly number: number;
  /** proto field name: the property name on protobufjs message objects */
  readonly protoName: string;
  /** JSON name ('' when inline) */
  readonly jsonName: string;
  /** proto scalar type name, or a message full name when `message` */
  readonly type: string;
  readonly message: boolean;
  readonly repeated: boolean;
  /** map<keyType, type> */
  readonly map: boolean;
  readonly keyType: string | undefined;
  /** json:",omitempty" */
  readonly omitempty: boolean;
  /** Go pointer: present-but-zero is meaningful and kept */
  readonly pointer: boolean;
  /** json:",inline": the sub-message's JSON fields live in the parent object */
  readonly inline: boolean;
}

const fieldCache = new Map<string, readonly FieldInfo[]>();

/** Field metadata of a message (ordered by field number), or undefined for an unknown name. */
export function messageFields(name: string): readonly FieldInfo[] | undefined {
  const cached = fieldCache.get(name);
  if (cached) return cached;
  const tuples: readonly FieldTuple[] | undefined = Object.hasOwn(MESSAGES, name) ? MESSAGES[name] : undefined;
  if (!tuples) return undefined;
  const fields = tuples.map((t): FieldInfo => {
    const [number, protoName, jsonName, type, flags] = t;
    return {
      number,
      protoName,
      jsonName,
      type,
      message: Object.hasOwn(MESSAGES, type),
      repeated: (flags & FIELD_REPEATED) !== 0,
      map: (flags & FIELD_MAP) !== 0,
      keyType: t.length === 6 ? t[5] : undefined,
      omitempty: (flags & FIELD_OMITEMPTY) !== 0,
      pointer: (flags & FIELD_POINTER) !== 0,
      inline: (flags & FIELD_INLINE) !== 0,
    };
  });
  fieldCache.set(name, fields);
  return fields;
}

/** The message full name for apiVersion+kind, if this codec knows the kind. */
export function kindMessage(apiVersion: string, kind: string): string | undefined {
  const kinds = Object.hasOwn(KIND_MESSAGES, apiVersion) ? KIND_MESSAGES[apiVersion] : undefined;
  return kinds && Object.hasOwn(kinds, kind) ? kinds[kind] : undefined;
}

/** Every (apiVersion, kind) pair the codec can decode and encode. */
export function supportedKinds(): ReadonlyArray<{ readonly apiVersion: string; readonly kind: string }> {
  return Object.entries(KIND_MESSAGES).flatMap(([apiVersion, kinds]) => Object.keys(kinds).map((kind) => ({ apiVersion, kind })));
}

interface JsonField {
  id: number;
  type: string;
  rule?: 'repeated';
  keyType?: string;
}
interface JsonNamespace {
  nested?: Record<string, JsonNamespace>;
  fields?: Record<string, JsonField>;
  edition?: string;
}

let root: protobuf.Root | undefined;

function buildRoot(): protobuf.Root {
  const top: JsonNamespace = { nested: {} };
  for (const [name, tuples] of Object.entries(MESSAGES)) {
    const parts = name.split('.');
    let ns = top;
    for (const p of parts) {
      ns.nested ??= {};
      ns = ns.nested[p] ??= {};
    }
    // protobufjs treats a message loaded from JSON as proto3 unless told otherwise; Kubernetes'
    // generated.proto files are proto2: explicit presence, unpacked repeated scalars (as Go writes).
    ns.edition = 'proto2';
    ns.fields = {};
    for (const [id, protoName, , type, flags, keyType] of tuples) {
      const f: JsonField = { id, type: Object.hasOwn(MESSAGES, type) ? `.${type}` : type };
      if (flags & FIELD_MAP) f.keyType = keyType;
      else if (flags & FIELD_REPEATED) f.rule = 'repeated';
      ns.fields[protoName] = f;
    }
  }
  return protobuf.Root.fromJSON(top); // fromJSON resolves every type reference
}

/** The protobufjs Type for a message full name (no leading dot). */
export function protoType(name: string): protobuf.Type {
  root ??= buildRoot();
  return root.lookupType(name);
}
