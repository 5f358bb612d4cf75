/**
 * @module apiserver/protobuf/json-mapping
 *
 * Converts between protobufjs message objects and the Kubernetes JSON form, following what Go's
 * encoding/json does with the k8s.io/api structs:
 *
 *   wire (proto2)                         JSON
 *   ------------------------------------  ------------------------------------------------------
 *   scalar present, Go value type         kept; dropped when zero and json has omitempty
 *   scalar present, Go pointer            kept, zero included (replicas: 0, runAsUser: 0, ...)
 *   message present                       kept, `{}` when empty (Go never omits structs)
 *   repeated / map                        kept when non-empty (map keys sorted like Go)
 *   json ",inline" field                  its JSON fields are merged into the parent
 *   Time / MicroTime                      RFC3339 (MicroTime: 6 fraction digits), zero -> omitted
 *   IntOrString                           number or string
 *   Quantity                              its string, as sent (not re-canonicalised)
 *   FieldsV1                              the embedded JSON value
 *   bytes                                 standard base64 (Secret.data)
 *   int64                                 number (exact up to 2^53)
 *
 * Absent nil pointers/slices/maps are left out (Go would print `null` for the few without
 * omitempty). The encoder goes the other way and, like Go's generated Marshal, writes every
 * value-typed scalar and struct even when zero, so kubectl's bytes round-trip exactly.
 * Does not apply defaults or validate semantics: that is the API server's job.
 */
import { KubernetesProtobufError } from './errors.js';
import { EXTRA_VALUE, FIELDS_V1, INT_OR_STRING, MICRO_TIME, QUANTITY, TIME, messageFields, type FieldInfo } from './schema.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };
/** A protobufjs message (or a plain object with the same shape, for encoding). */
type Msg = Record<string, unknown>;

const own = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

function malformed(message: string, path: string): KubernetesProtobufError {
  return new KubernetesProtobufError('PB_MALFORMED', `${path ? `${path}: ` : ''}${message}`, { path });
}
function invalid(message: string, path: string): KubernetesProtobufError {
  return new KubernetesProtobufError('PB_INVALID_VALUE', `${path ? `${path}: ` : ''}${message}`, { path });
}
const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

// ---------------------------------------------------------------------------------------------
// protobuf -> JSON

function longToNumber(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && 'toNumber' in v && typeof v.toNumber === 'function') {
    const n: unknown = v.toNumber();
    if (typeof n === 'number') return n;
  }
  throw malformed('expected an integer', path);
}

function bytesToBase64(v: unknown, path: string): string {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  throw malformed('expected bytes', path);
}

function scalarToJson(type: string, v: unknown, path: string): Json {
  switch (type) {
    case 'string':
      if (typeof v !== 'string') throw malformed('expected a string', path);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw malformed('expected a bool', path);
      return v;
    case 'bytes':
      return bytesToBase64(v, path);
    case 'int64':
    case 'uint64':
    case 'sint64':
    case 'fixed64':
    case 'sfixed64':
      return longToNumber(v, path);
    default:
      if (typeof v !== 'number') throw malformed(`expected a ${type}`, path);
      return v;
  }
}

function isZero(v: Json): boolean {
  return v === '' || v === 0 || v === false || v === null;
}

function rfc3339(seconds: number, nanos: number, fractionDigits: number, path: string): string {
  const ms = seconds * 1000;
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (!Number.isFinite(ms) || Number.isNaN(d.getTime()) || year < 0 || year > 9999) throw malformed(`time out of range (${seconds}s)`, path);
  const base = d.toISOString().slice(0, 19);
  if (fractionDigits === 0) return `${base}Z`;
  if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) throw malformed(`nanos out of range (${nanos})`, path);
  return `${base}.${String(Math.floor(nanos / 10 ** (9 - fractionDigits))).padStart(fractionDigits, '0')}Z`;
}

/** JSON for a message value; undefined means "leave the field out". */
function specialToJson(type: string, m: Msg, path: string): Json | undefined {
  switch (type) {
    case TIME:
    case MICRO_TIME: {
      // Go: zero-length bytes decode to the zero time, which marshals as null.
      if (!own(m, 'seconds') && !own(m, 'nanos')) return undefined;
      const seconds = own(m, 'seconds') ? longToNumber(m.seconds, path) : 0;
      const nanos = own(m, 'nanos') ? longToNumber(m.nanos, path) : 0;
      // metav1.Time keeps seconds only (nanos are ignored on unmarshal); MicroTime keeps micros.
      return type === TIME ? rfc3339(seconds, 0, 0, path) : rfc3339(seconds, nanos, 6, path);
    }
    case INT_OR_STRING: {
      const t = own(m, 'type') ? longToNumber(m.type, path) : 0;
      if (t === 0) return own(m, 'intVal') ? longToNumber(m.intVal, path) : 0;
      if (t === 1) {
        const s = own(m, 'strVal') ? m.strVal : '';
        if (typeof s !== 'string') throw malformed('expected a string', path);
        return s;
      }
      throw malformed(`impossible IntOrString type ${t}`, path);
    }
    case QUANTITY: {
      const s = own(m, 'string') ? m.string : '0';
      if (typeof s !== 'string') throw malformed('expected a quantity string', path);
      return s === '' ? '0' : s;
    }
    case FIELDS_V1: {
      const raw = m.Raw;
      if (!(raw instanceof Uint8Array) || raw.length === 0) return undefined;
      try {
        return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')) as Json;
      } catch {
        throw malformed('fieldsV1 is not valid JSON', path);
      }
    }
    case EXTRA_VALUE: {
      const items: unknown = own(m, 'items') ? m.items : [];
      if (!Array.isArray(items) || !items.every((x): x is string => typeof x === 'string')) throw malformed('expected a list of strings', path);
      return [...items];
    }
    default:
      return undefined;
  }
}
const SPECIAL = new Set([TIME, MICRO_TIME, INT_OR_STRING, QUANTITY, FIELDS_V1, EXTRA_VALUE]);

function valueToJson(f: FieldInfo, v: unknown, path: string): Json | undefined {
  if (!f.message) return scalarToJson(f.type, v, path);
  if (typeof v !== 'object' || v === null) throw malformed('expected a message', path);
  return messageToJson(f.type, v as Msg, path);
}

/**
 * Converts a decoded protobufjs message of type `type` into its Kubernetes JSON object.
 * Returns undefined only for special types whose zero value Go prints as null (Time).
 */
export function messageToJson(type: string, m: Msg, path = ''): Json | undefined {
  if (SPECIAL.has(type)) return specialToJson(type, m, path);
  const fields = messageFields(type);
  if (!fields) throw malformed(`no schema for message ${type}`, path);
  const out: JsonObject = {};
  for (const f of fields) {
    if (!own(m, f.protoName)) continue;
    const v = m[f.protoName];
    if (v === null || v === undefined) continue;
    const p = f.inline ? path : join(path, f.jsonName);
    if (f.repeated) {
      if (!Array.isArray(v)) throw malformed('expected a list', p);
      if (v.length === 0) continue;
      out[f.jsonName] = v.map((e: unknown, i) => valueToJson(f, e, `${p}[${i}]`) ?? null);
    } else if (f.map) {
      if (typeof v !== 'object') throw malformed('expected a map', p);
      const keys = Object.keys(v).sort();
      if (keys.length === 0) continue;
      const o: JsonObject = {};
      for (const k of keys) o[k] = valueToJson(f, (v as Msg)[k], `${p}[${JSON.stringify(k)}]`) ?? null;
      out[f.jsonName] = o;
    } else if (f.message) {
      const j = valueToJson(f, v, p);
      if (j === undefined) continue;
      if (f.inline) {
        if (typeof j !== 'object' || j === null || Array.isArray(j)) throw malformed('inline field is not an object', p);
        Object.assign(out, j);
      } else out[f.jsonName] = j;
    } else {
      const j = scalarToJson(f.type, v, p);
      if (f.omitempty && !f.pointer && isZero(j)) continue;
      out[f.jsonName] = j;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON -> protobuf (plain objects for protobufjs Type.encode)

const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  sint32: [-(2 ** 31), 2 ** 31 - 1],
  sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  fixed32: [0, 2 ** 32 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  sint64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  sfixed64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint64: [0, Number.MAX_SAFE_INTEGER],
  fixed64: [0, Number.MAX_SAFE_INTEGER],
};

function zeroScalar(type: string): unknown {
  switch (type) {
    case 'string':
      return '';
    case 'bool':
      return false;
    case 'bytes':
      return new Uint8Array(0);
    default:
      return 0;
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function scalarFromJson(type: string, v: unknown, path: string): unknown {
  switch (type) {
    case 'string':
      if (typeof v !== 'string') throw invalid(`expected a string, got ${typeof v}`, path);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw invalid(`expected a boolean, got ${typeof v}`, path);
      return v;
    case 'bytes':
      if (typeof v !== 'string' || !BASE64.test(v)) throw invalid('expected a base64 string', path);
      return new Uint8Array(Buffer.from(v, 'base64'));
    case 'double':
    case 'float':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid('expected a number', path);
      return v;
    default: {
      const range = INT_RANGES[type];
      if (!range) throw invalid(`unsupported scalar type ${type}`, path);
      if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) throw invalid(`expected a ${type}`, path);
      return v;
    }
  }
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

function parseTime(v: unknown, path: string): { seconds: number; nanos: number } {
  const m = typeof v === 'string' ? TIME_RE.exec(v) : null;
  if (!m || typeof v !== 'string') throw invalid('expected an RFC3339 time string', path);
  const ms = Date.parse(v.replace(/\.\d+/, ''));
  if (Number.isNaN(ms)) throw invalid('expected an RFC3339 time string', path);
  const frac = m[7] ?? '';
  return { seconds: Math.floor(ms / 1000), nanos: frac ? Number(frac.padEnd(9, '0')) : 0 };
}

function specialFromJson(type: string, v: unknown, path: string): Msg {
  switch (type) {
    case TIME:
    case MICRO_TIME: {
      if (v === undefined || v === null) return {}; // zero time: Go writes zero-length bytes
      const t = parseTime(v, path);
      // Go's Time.ProtoTime() keeps seconds only; MicroTime keeps nanos.
      return { seconds: t.seconds, nanos: type === TIME ? 0 : t.nanos };
    }
    case INT_OR_STRING:
      if (v === undefined || v === null) return { type: 0, intVal: 0, strVal: '' };
      if (typeof v === 'number') return { type: 0, intVal: scalarFromJson('int32', v, path), strVal: '' };
      if (typeof v === 'string') return { type: 1, intVal: 0, strVal: v };
      throw invalid('expected an integer or a string', path);
    case QUANTITY:
      if (v === undefined || v === null) return { string: '0' };
      if (typeof v === 'number' && Number.isFinite(v)) return { string: String(v) };
      if (typeof v === 'string' && v !== '') return { string: v };
      throw invalid('expected a quantity string', path);
    case FIELDS_V1:
      if (v === undefined || v === null) return {};
      return { Raw: new Uint8Array(Buffer.from(JSON.stringify(v), 'utf8')) };
    case EXTRA_VALUE:
      if (v === undefined || v === null) return { items: [] };
      if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) throw invalid('expected a list of strings', path);
      return { items: [...v] };
    default:
      throw invalid(`no JSON mapping for ${type}`, path);
  }
}

const knownKeyCache = new Map<string, ReadonlySet<string>>();
function knownJsonKeys(type: string): ReadonlySet<string> {
  let keys = knownKeyCache.get(type);
  if (keys) return keys;
  const s = new Set<string>();
  for (const f of messageFields(type) ?? []) {
    if (f.inline) for (const k of knownJsonKeys(f.type)) s.add(k);
    else s.add(f.jsonName);
  }
  keys = s;
  knownKeyCache.set(type, keys);
  return keys;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function elementFromJson(f: FieldInfo, v: unknown, path: string): unknown {
  if (f.message) return messageFromJson(f.type, v, path);
  if (v === null) throw invalid('null is not allowed here', path);
  return scalarFromJson(f.type, v, path);
}

/**
 * Converts a Kubernetes JSON object into a plain object for protobufjs `Type.encode`, filling
 * value-typed fields that the JSON leaves out with Go's zero values (Go always writes them).
 * Keys that the message does not know are an error, except `skipKeys` (kind/apiVersion live in
 * the envelope); 'inline' means `v` is the parent's object and the parent checks the keys.
 */
export function messageFromJson(type: string, v: unknown, path = '', skipKeys: ReadonlySet<string> | 'inline' = new Set()): Msg {
  if (SPECIAL.has(type)) return specialFromJson(type, v, path);
  const fields = messageFields(type);
  if (!fields) throw invalid(`no schema for message ${type}`, path);
  if (v === undefined || v === null) v = {};
  if (!isObject(v)) throw invalid('expected an object', path);
  const obj = v;
  const known = knownJsonKeys(type);
  // An inlined struct shares its parent's object; the parent checks the keys.
  if (skipKeys !== 'inline') {
    for (const k of Object.keys(obj)) {
      if (!known.has(k) && !skipKeys.has(k)) throw invalid(`unknown field "${k}"`, join(path, k));
    }
  }
  const out: Msg = {};
  for (const f of fields) {
    if (f.inline) {
      out[f.protoName] = messageFromJson(f.type, obj, path, 'inline');
      continue;
    }
    const p = join(path, f.jsonName);
    const jv = own(obj, f.jsonName) ? obj[f.jsonName] : undefined;
    if (jv === undefined || jv === null) {
      // nil: Go writes nothing for pointers, slices and maps, and zero values for everything else.
      if (f.repeated || f.map || f.pointer) continue;
      out[f.protoName] = f.message ? messageFromJson(f.type, undefined, p) : zeroScalar(f.type);
      continue;
    }
    if (f.repeated) {
      if (!Array.isArray(jv)) throw invalid('expected a list', p);
      out[f.protoName] = jv.map((e: unknown, i) => elementFromJson(f, e, `${p}[${i}]`));
    } else if (f.map) {
      if (!isObject(jv)) throw invalid('expected an object (map)', p);
      const m: Msg = {};
      for (const k of Object.keys(jv).sort()) m[k] = elementFromJson(f, jv[k], `${p}[${JSON.stringify(k)}]`);
      out[f.protoName] = m;
    } else {
      out[f.protoName] = elementFromJson(f, jv, p);
    }
  }
  return out;
}
