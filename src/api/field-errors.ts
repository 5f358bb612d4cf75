/**
 * @module api/field-errors
 * Field-level validation errors exactly as apimachinery's
 * `pkg/util/validation/field` renders them (target: kube-apiserver 1.32), plus
 * the pieces of the `Invalid` Status that kube-apiserver builds from them
 * (`apimachinery/pkg/api/errors.NewInvalid`).
 *
 *   FieldPath ──► FieldError{type, field, badValue, detail}
 *                      │
 *                      ├─ formatFieldError  "spec.ports[0].port: Invalid value: 0: must be between …"
 *                      ├─ statusCauses      [{reason: "FieldValueInvalid", message, field}]
 *                      └─ invalidStatusMessage  `Service "x" is invalid: [err1, err2]`
 *
 * Bad values print as Go's `%v`/`%q`/`%#v` would: strings quoted, numbers and
 * booleans bare, composite values through a pre-rendered `GoValue`. It does not
 * validate anything and does no I/O.
 */

/** The machine-readable error types; they double as Status cause `reason`s. */
export type FieldErrorType =
  | 'FieldValueNotFound'
  | 'FieldValueRequired'
  | 'FieldValueDuplicate'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'InternalError'
  | 'FieldValueTypeInvalid';

/** A bad value already rendered in Go `%#v` syntax, e.g. `map[string]string{"app":"x"}`. */
export interface GoValue {
  readonly kind: 'go';
  readonly text: string;
}

/** Marks a bad value that must not be printed (Go's `field.OmitValueType`). */
export interface OmitValue {
  readonly kind: 'omit';
}

export const OMIT_VALUE: OmitValue = Object.freeze({ kind: 'omit' });

/** What a FieldError may carry as its offending value. `null` prints as `null`. */
export type BadValue = string | number | boolean | null | GoValue | OmitValue;

/** One field-level error, the TypeScript twin of Go's `field.Error`. */
export interface FieldError {
  readonly type: FieldErrorType;
  /** The field path as Go prints it: `spec.ports[0].nodePort`. */
  readonly field: string;
  readonly badValue?: BadValue;
  readonly detail?: string;
}

/** Wraps Go `%#v` text so it prints verbatim. */
export function goValue(text: string): GoValue {
  return { kind: 'go', text };
}

/**
 * A field path, built like Go's `field.NewPath("spec").Child("ports").Index(0)`.
 * Immutable; each call returns a new path.
 */
export class FieldPath {
  private constructor(
    private readonly parent: FieldPath | undefined,
    private readonly name: string,
    private readonly idx: string,
  ) {}

  /** `field.NewPath(name, more...)`. */
  static of(name: string, ...more: string[]): FieldPath {
    let p = new FieldPath(undefined, name, '');
    for (const m of more) p = p.child(m);
    return p;
  }

  child(name: string, ...more: string[]): FieldPath {
    let p = new FieldPath(this, name, '');
    for (const m of more) p = new FieldPath(p, m, '');
    return p;
  }

  index(i: number): FieldPath {
    return new FieldPath(this, '', String(i));
  }

  key(k: string): FieldPath {
    return new FieldPath(this, '', k);
  }

  toString(): string {
    const elems: FieldPath[] = [];
    for (let p: FieldPath | undefined = this; p; p = p.parent) elems.unshift(p);
    let s = '';
    for (const e of elems) {
      if (e.parent !== undefined && e.name.length > 0) s += '.';
      s += e.name.length > 0 ? e.name : `[${e.idx}]`;
    }
    return s;
  }
}

type PathLike = FieldPath | string;
const pathString = (p: PathLike): string => (typeof p === 'string' ? p : p.toString());

/** `field.Required`: the value is missing. */
export function required(field: PathLike, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field: pathString(field), badValue: '', detail };
}

/** `field.Invalid`: the value is malformed. */
export function invalid(field: PathLike, badValue: BadValue, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field: pathString(field), badValue, detail };
}

/** `field.NotSupported`: the value is not one of an enumeration. */
export function notSupported(field: PathLike, badValue: BadValue, validValues: ReadonlyArray<string>): FieldError {
  const detail = validValues.length > 0 ? 'supported values: ' + validValues.map(goQuote).join(', ') : '';
  return { type: 'FieldValueNotSupported', field: pathString(field), badValue, detail };
}

/** `field.Duplicate`: the value collides with an earlier one. */
export function duplicate(field: PathLike, badValue: BadValue): FieldError {
  return { type: 'FieldValueDuplicate', field: pathString(field), badValue, detail: '' };
}

/** `field.Forbidden`: the value is valid in form but not allowed here. */
export function forbidden(field: PathLike, detail: string): FieldError {
  return { type: 'FieldValueForbidden', field: pathString(field), badValue: '', detail };
}

/** `field.TooLong` (1.32 wording): the value is longer than `maxLength` bytes. */
export function tooLong(field: PathLike, maxLength: number): FieldError {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} bytes` : 'value is too long';
  return { type: 'FieldValueTooLong', field: pathString(field), badValue: '<value omitted>', detail };
}

/** `field.TooMany`: a list has more than `maxQuantity` items. */
export function tooMany(field: PathLike, actualQuantity: number, maxQuantity: number): FieldError {
  const detail = maxQuantity >= 0 ? `must have at most ${maxQuantity} items` : 'too many items';
  const badValue: BadValue = actualQuantity >= 0 ? actualQuantity : OMIT_VALUE;
  return { type: 'FieldValueTooMany', field: pathString(field), badValue, detail };
}

/** `field.NotFound`: a referenced value does not exist. */
export function notFound(field: PathLike, badValue: BadValue, detail = ''): FieldError {
  return { type: 'FieldValueNotFound', field: pathString(field), badValue, detail };
}

/** `field.InternalError`: not the user's fault. */
export function internalError(field: PathLike, message: string): FieldError {
  return { type: 'InternalError', field: pathString(field), badValue: null, detail: message };
}

const TYPE_STRINGS: Readonly<Record<FieldErrorType, string>> = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
};

/** The canonical phrase of an error type ("Required value", "Invalid value", ...). */
export function errorTypeString(t: FieldErrorType): string {
  return TYPE_STRINGS[t];
}

/** Go's `%v` for a number: integers bare, floats in shortest form, 2-digit exponents. */
function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const s = String(n);
  const m = /^(.*)e([+-])(\d+)$/.exec(s);
  if (m === null) return s;
  return `${m[1] ?? ''}e${m[2] ?? '+'}${(m[3] ?? '').padStart(2, '0')}`;
}

/** `Error.ErrorBody()`: the message without the field path. */
export function errorBody(e: FieldError): string {
  let s: string;
  const t = errorTypeString(e.type);
  const v = e.badValue;
  if (
    e.type === 'FieldValueRequired' ||
    e.type === 'FieldValueForbidden' ||
    e.type === 'FieldValueTooLong' ||
    e.type === 'InternalError' ||
    (typeof v === 'object' && v !== null && v.kind === 'omit')
  ) {
    s = t;
  } else if (v === undefined || v === null) {
    s = `${t}: null`;
  } else if (typeof v === 'string') {
    s = `${t}: ${goQuote(v)}`;
  } else if (typeof v === 'number') {
    s = `${t}: ${goNumber(v)}`;
  } else if (typeof v === 'boolean') {
    s = `${t}: ${v ? 'true' : 'false'}`;
  } else {
    s = `${t}: ${v.kind === 'go' ? v.text : ''}`;
  }
  if (e.detail !== undefined && e.detail.length > 0) s += `: ${e.detail}`;
  return s;
}

/** `Error.Error()`: `<field>: <body>`. */
export function formatFieldError(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

/**
 * `ErrorList.ToAggregate().Error()`: duplicates (by message) dropped, one
 * message bare, several as `[a, b]`; "" for none.
 */
export function aggregateMessage(errors: ReadonlyArray<FieldError>): string {
  const seen = new Set<string>();
  const msgs: string[] = [];
  for (const e of errors) {
    const m = formatFieldError(e);
    if (seen.has(m)) continue;
    seen.add(m);
    msgs.push(m);
  }
  if (msgs.length === 0) return '';
  if (msgs.length === 1) return msgs[0] ?? '';
  return `[${msgs.join(', ')}]`;
}

/**
 * `schema.GroupKind.String()`. Accepts the project's "<group>/<Kind>" key
 * ("/Service", "apps/Deployment") or a bare kind ("Service").
 */
export function qualifiedKind(kindOrGroupKind: string): string {
  const slash = kindOrGroupKind.indexOf('/');
  if (slash < 0) return kindOrGroupKind;
  const group = kindOrGroupKind.slice(0, slash);
  const kind = kindOrGroupKind.slice(slash + 1);
  return group === '' ? kind : `${kind}.${group}`;
}

/**
 * The `message` of the 422 Invalid Status:
 * `Service "x" is invalid: spec.ports[0].port: Invalid value: 0: ...` or
 * `Deployment.apps "x" is invalid: [err1, err2]`.
 * `kind` is "<group>/<Kind>" or an already qualified kind.
 */
export function invalidStatusMessage(kind: string, name: string, errors: ReadonlyArray<FieldError>): string {
  const head = `${qualifiedKind(kind)} ${goQuote(name)} is invalid`;
  const agg = aggregateMessage(errors);
  return agg === '' ? head : `${head}: ${agg}`;
}

/** One `details.causes[]` entry of a Status. */
export interface StatusCause {
  readonly reason: FieldErrorType;
  readonly message: string;
  readonly field: string;
}

/** `details.causes` of the Invalid Status: one per error, not de-duplicated. */
export function statusCauses(errors: ReadonlyArray<FieldError>): StatusCause[] {
  return errors.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
}

/** The whole 422 Status object kube-apiserver returns for invalid objects. */
export interface InvalidStatus {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure';
  readonly message: string;
  readonly reason: 'Invalid';
  readonly details: { readonly name: string; readonly group?: string; readonly kind: string; readonly causes: StatusCause[] };
  readonly code: 422;
}

/** Builds the full Status for `groupKind` ("/Service", "apps/Deployment"). */
export function invalidStatus(groupKind: string, name: string, errors: ReadonlyArray<FieldError>): InvalidStatus {
  const slash = groupKind.indexOf('/');
  const group = slash < 0 ? '' : groupKind.slice(0, slash);
  const kind = slash < 0 ? groupKind : groupKind.slice(slash + 1);
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: invalidStatusMessage(groupKind, name, errors),
    reason: 'Invalid',
    details: group === '' ? { name, kind, causes: statusCauses(errors) } : { name, group, kind, causes: statusCauses(errors) },
    code: 422,
  };
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's `strconv.Quote` (what `%q` prints). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
      default:
        break;
    }
    if (PRINTABLE.test(ch)) out += ch;
    else if (cp < 0x80) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + '"';
}
