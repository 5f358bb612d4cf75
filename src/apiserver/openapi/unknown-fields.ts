/**
 * @module apiserver/openapi/unknown-fields
 * Server-side field validation (`fieldValidation=Strict|Warn|Ignore`) the way
 * kube-apiserver's strict JSON decoder reports it, driven by the OpenAPI schemas:
 *
 *   findUnknownFields("v1", "Service", obj)  -> ["spec.foo", "spec.ports[0].bar"]
 *   findDuplicateFields('{"a":1,"a":2}')     -> ["a"]
 *   strictDecodingMessage(unknown, dups)     -> 'strict decoding error: unknown field "spec.foo", ...'
 *   fieldValidationWarnings(unknown, dups)   -> ['unknown field "spec.foo"', ...]  (Warn)
 *   warningHeaderValue(text)                 -> '299 - "unknown field \"spec.foo\""'
 *
 * Paths use the decoder's format: fields joined by ".", list items as "[i]", map keys as
 * ".key". Matching is case-sensitive (upstream reports a case mismatch as unknown).
 * Maps (`additionalProperties`) accept any key; int-or-string, Quantity, RawExtension,
 * `x-kubernetes-preserve-unknown-fields` and other free-form objects accept anything.
 * Only unknown and duplicate fields are reported: type mismatches are the decoder's and
 * validation's business, so a value of the wrong JSON type is not descended into.
 * No I/O.
 */
import { SCHEMAS, resolveRef, schemaNameFor, type Schema } from './schemas.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Follows `$ref` and single-element `allOf` wrappers to the schema that says what a value is. */
function concrete(s: Schema): Schema {
  let cur: Schema = s;
  for (let depth = 0; depth < 32; depth++) {
    const ref = cur.$ref;
    if (typeof ref === 'string') {
      const next = resolveRef(ref);
      if (!next) return {};
      cur = next;
      continue;
    }
    const allOf = cur.allOf;
    if (Array.isArray(allOf) && allOf.length === 1 && isRecord(allOf[0]) && !isRecord(cur.properties)) {
      cur = allOf[0];
      continue;
    }
    return cur;
  }
  return cur;
}

/** True when the schema accepts any JSON value without field checks. */
function freeForm(s: Schema): boolean {
  if (s['x-kubernetes-preserve-unknown-fields'] === true) return true;
  if (s['x-kubernetes-int-or-string'] === true || s.format === 'int-or-string') return true;
  if (Array.isArray(s.oneOf) || Array.isArray(s.anyOf)) return true; // Quantity, IntOrString
  if (s.type === 'object' && !isRecord(s.properties) && s.additionalProperties === undefined) return true;
  return s.type === undefined && !isRecord(s.properties) && s.items === undefined && s.additionalProperties === undefined;
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

function walk(schema: Schema, value: unknown, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  const s = concrete(schema);
  if (freeForm(s)) return;
  if (Array.isArray(value)) {
    if (!isRecord(s.items)) return;
    const items = s.items;
    value.forEach((v, i) => walk(items, v, `${path}[${i}]`, out));
    return;
  }
  if (!isRecord(value)) return;
  const props = s.properties;
  if (isRecord(props)) {
    for (const [k, v] of Object.entries(value)) {
      const p = props[k];
      if (isRecord(p)) walk(p, v, join(path, k), out);
      else out.push(join(path, k));
    }
    return;
  }
  const ap = s.additionalProperties;
  if (isRecord(ap)) {
    for (const [k, v] of Object.entries(value)) walk(ap, v, join(path, k), out);
  }
}

/**
 * Unknown field paths of `obj` against the schema named `schemaName`
 * (`io.k8s.api.autoscaling.v1.Scale`), in document order. Unknown schema: [].
 */
export function findUnknownFieldsInSchema(schemaName: string, obj: unknown): string[] {
  const s = SCHEMAS.get(schemaName);
  if (!s) return [];
  const out: string[] = [];
  walk(s, obj, '', out);
  return out;
}

/**
 * Unknown field paths of an object of `apiVersion`/`kind` ("apps/v1", "Deployment"),
 * e.g. `spec.foo`, `spec.template.spec.containers[0].foo`, `metadata.foo`.
 * A kind without a schema yields [] (the caller rejects unknown kinds elsewhere).
 */
export function findUnknownFields(apiVersion: string, kind: string, obj: unknown): string[] {
  const name = schemaNameFor(apiVersion, kind);
  return name === undefined ? [] : findUnknownFieldsInSchema(name, obj);
}

// ---------------------------------------------------------------------------
// Duplicate fields need the raw text: JSON.parse keeps only the last one.
// ---------------------------------------------------------------------------

class DuplicateScanner {
  private i = 0;
  readonly out: string[] = [];
  constructor(private readonly text: string) {}

  scan(): void {
    this.ws();
    this.value('');
  }

  private ws(): void {
    while (this.i < this.text.length) {
      const c = this.text.charCodeAt(this.i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.i++;
      else break;
    }
  }

  private fail(): never {
    throw new SyntaxError(`invalid JSON at offset ${this.i}`);
  }

  private string(): string {
    const start = this.i;
    if (this.text[this.i] !== '"') this.fail();
    this.i++;
    while (this.i < this.text.length) {
      const c = this.text[this.i];
      if (c === '\\') this.i += 2;
      else if (c === '"') {
        this.i++;
        const raw = this.text.slice(start, this.i);
        const decoded: unknown = JSON.parse(raw);
        return typeof decoded === 'string' ? decoded : this.fail();
      } else this.i++;
    }
    return this.fail();
  }

  private value(path: string): void {
    const c = this.text[this.i];
    if (c === '{') this.object(path);
    else if (c === '[') this.array(path);
    else if (c === '"') this.string();
    else {
      const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.text.slice(this.i, this.i + 64));
      if (!m) this.fail();
      this.i += m[0].length;
    }
  }

  private object(path: string): void {
    this.i++; // {
    this.ws();
    const seen = new Set<string>();
    if (this.text[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      const key = this.string();
      const p = join(path, key);
      if (seen.has(key)) this.out.push(p);
      seen.add(key);
      this.ws();
      if (this.text[this.i] !== ':') this.fail();
      this.i++;
      this.ws();
      this.value(p);
      this.ws();
      const d = this.text[this.i++];
      if (d === '}') return;
      if (d !== ',') this.fail();
    }
  }

  private array(path: string): void {
    this.i++; // [
    this.ws();
    if (this.text[this.i] === ']') {
      this.i++;
      return;
    }
    for (let n = 0; ; n++) {
      this.ws();
      this.value(`${path}[${n}]`);
      this.ws();
      const d = this.text[this.i++];
      if (d === ']') return;
      if (d !== ',') this.fail();
    }
  }
}

/**
 * Paths of fields that occur more than once in the same JSON object of `jsonText`
 * (`metadata.name`, `spec.ports[0].port`), in document order. Throws SyntaxError on
 * malformed JSON (parse the body first; this is only for bodies that parsed).
 */
export function findDuplicateFields(jsonText: string): string[] {
  const s = new DuplicateScanner(jsonText);
  s.scan();
  return s.out;
}

// ---------------------------------------------------------------------------
// Messages.
// ---------------------------------------------------------------------------

/** One message per problem: `unknown field "spec.foo"`, then `duplicate field "a"`. */
export function fieldValidationWarnings(unknown: ReadonlyArray<string>, duplicates: ReadonlyArray<string> = []): string[] {
  return [...unknown.map((p) => `unknown field ${JSON.stringify(p)}`), ...duplicates.map((p) => `duplicate field ${JSON.stringify(p)}`)];
}

/**
 * The fieldValidation=Strict error text (400 BadRequest):
 * `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`.
 * kube-apiserver prefixes it on create/update with
 * `<Kind> in version "<version>" cannot be handled as a <Kind>: ` (see cannotBeHandledMessage).
 */
export function strictDecodingMessage(unknown: ReadonlyArray<string>, duplicates: ReadonlyArray<string> = []): string {
  return `strict decoding error: ${fieldValidationWarnings(unknown, duplicates).join(', ')}`;
}

/** `Service in version "v1" cannot be handled as a Service: <detail>` (create/update decode failures). */
export function cannotBeHandledMessage(kind: string, version: string, detail: string): string {
  return `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${detail}`;
}

/**
 * A `Warning:` header value as kube-apiserver writes it: code 299, agent "-", and the
 * text as a Go-quoted string (`299 - "unknown field \"spec.foo\""`).
 */
export function warningHeaderValue(text: string): string {
  let q = '"';
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') q += `\\${ch}`;
    else if (ch === '\n') q += '\\n';
    else if (ch === '\r') q += '\\r';
    else if (ch === '\t') q += '\\t';
    else if (c < 0x20 || c === 0x7f) q += `\\x${c.toString(16).padStart(2, '0')}`;
    else q += ch;
  }
  return `299 - ${q}"`;
}
