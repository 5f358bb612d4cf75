/**
 * @module api/patch/merge-patch
 * RFC 7386 JSON Merge Patch (`application/merge-patch+json`), with the
 * behaviour of evanphx/json-patch's MergePatch that kube-apiserver uses:
 * objects merge recursively, `null` deletes a key, anything else (lists
 * included) replaces; nulls inside replacing values are pruned. A body that is
 * not a JSON object is a 400 "Invalid JSON Patch". The input is never modified.
 */
import { patchErrors } from './errors.js';
import { clone, hasOwn, isObject, pruneNulls, toJson, type JsonObject } from './json.js';

function merge(doc: JsonObject, patch: JsonObject): JsonObject {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = hasOwn(doc, k) ? doc[k] : undefined;
    doc[k] = isObject(cur) && isObject(v) ? merge(cur, v) : pruneNulls(v);
  }
  return doc;
}

/** Applies an RFC 7386 merge patch to a copy of `obj`. */
export function applyMergePatch(obj: unknown, patch: unknown): JsonObject {
  const body = toJson(patch);
  if (!isObject(body)) throw patchErrors.badRequest('MergePatchInvalid', 'Invalid JSON Patch');
  const doc = toJson(obj);
  return merge(isObject(doc) ? doc : {}, clone(body));
}
