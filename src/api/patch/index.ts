/**
 * @module api/patch
 * The patching core the API server's PATCH handler calls, one function per
 * Content-Type, plus the ownership records of every write. Pure: objects in,
 * objects out, `PatchError` (an `ApiError`) for anything kube-apiserver refuses.
 *
 *   application/json-patch+json            applyJsonPatch(obj, ops)
 *   application/merge-patch+json           applyMergePatch(obj, patch)
 *   application/strategic-merge-patch+json applyStrategicMergePatch(groupKind, obj, patch)
 *   application/apply-patch+yaml           serverSideApply({...})
 *   any other write (create/update/patch)  recordUpdate({...}) for managedFields
 *
 * The merge-key table (also what OpenAPI publishes as x-kubernetes-patch-*
 * and x-kubernetes-list-*) is read with patchStrategyFor / listTypeFor.
 */
export { PatchError, isPatchError, type PatchErrorCode } from './errors.js';
export { applyJsonPatch, MAX_JSON_PATCH_OPERATIONS } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch, applyStrategicMergePatchWithSchema } from './strategic-merge.js';
export {
  serverSideApply,
  recordUpdate,
  LAST_APPLIED_ANNOTATION,
  BEFORE_FIRST_APPLY,
  type ApplyConflict,
  type ServerSideApplyInput,
  type ServerSideApplyResult,
  type RecordUpdateInput,
} from './server-side-apply.js';
export { patchStrategyFor, listTypeFor, schemaAt, kindSchema, KIND_SCHEMAS, type FieldSchema, type PatchStrategy } from './schema.js';
export type { JsonObject, JsonValue } from './json.js';
