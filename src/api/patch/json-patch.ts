/**
 * @module api/patch/json-patch
 * RFC 6902 JSON Patch (`application/json-patch+json`), applied with
 * fast-json-patch and answered the way kube-apiserver answers:
 *
 *   body not a list of objects      -> 400 BadRequest, encoding/json's words
 *   more than 10000 operations      -> 413 RequestEntityTooLarge
 *   any operation fails (test, path) -> 422 Invalid, "the server rejected our
 *                                      request due to an error in our request"
 *                                      (upstream drops the detail; kept in `detail`)
 *
 * The input object is never modified.
 */
import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { patchErrors } from './errors.js';
import { goJsonWord, isObject, toJson, type JsonObject, type JsonValue } from './json.js';

/** kube-apiserver's maxJSONPatchOperations. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

function toOperation(raw: JsonValue, index: number): Operation {
  const fail = (why: string) => patchErrors.unprocessable('JsonPatchFailed', `operation ${index}: ${why}`);
  if (!isObject(raw)) throw fail('Unexpected kind: unknown');
  const op = raw['op'];
  const path = raw['path'];
  if (typeof path !== 'string') throw fail(`missing path for op ${String(op)}`);
  const from = raw['from'];
  switch (op) {
    case 'add':
    case 'replace':
    case 'test':
      if (!('value' in raw)) throw fail(`${op} operation does not apply: missing value`);
      return { op, path, value: raw['value'] };
    case 'remove':
      return { op, path };
    case 'move':
    case 'copy':
      if (typeof from !== 'string') throw fail(`${op} operation does not apply: missing from`);
      return { op, path, from };
    default:
      throw fail(`Unexpected kind: ${typeof op === 'string' ? op : 'unknown'}`);
  }
}

/** Applies RFC 6902 `ops` to a copy of `obj`; throws `PatchError` as kube-apiserver would answer. */
export function applyJsonPatch(obj: unknown, ops: unknown): JsonObject {
  const body = toJson(ops);
  if (body === null) return toJson(obj) as JsonObject; // Go decodes `null` into an empty patch
  if (!Array.isArray(body)) {
    throw patchErrors.badRequest('BodyNotDecodable', `json: cannot unmarshal ${goJsonWord(body)} into Go value of type jsonpatch.Patch`);
  }
  for (const raw of body) {
    if (raw !== null && !isObject(raw)) {
      throw patchErrors.badRequest('BodyNotDecodable', `json: cannot unmarshal ${goJsonWord(raw)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (body.length > MAX_JSON_PATCH_OPERATIONS) {
    throw patchErrors.tooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${body.length}`);
  }
  const operations = body.map(toOperation);
  const doc = toJson(obj);
  let result: unknown;
  try {
    result = jsonpatch.applyPatch(doc, operations, true, true).newDocument;
  } catch (e) {
    throw patchErrors.unprocessable('JsonPatchFailed', e instanceof Error ? e.message : String(e));
  }
  if (!isObject(result)) throw patchErrors.unprocessable('JsonPatchFailed', 'the patched document is not a JSON object');
  return result;
}
