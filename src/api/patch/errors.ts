/**
 * @module api/patch/errors
 * `PatchError`: the one error type the patch core throws. It extends the
 * project's `ApiError`, so the HTTP shell turns it into a `Status` like any
 * other, and carries kube-apiserver's exact status code, reason and message for
 * each failure (see the factory table below, one row per upstream error).
 *
 * Where kube-apiserver answers with a plain Go error (no reason: kubectl prints
 * "Error from server: <message>"), the Status is sent without a reason, as
 * upstream's ErrorToAPIStatus does.
 */
import { ApiError, type StatusCause, type StatusDetails, type StatusObject } from '../../errors.js';

/** Stable identifiers, one per kind of failure. */
export type PatchErrorCode =
  | 'BodyNotDecodable' // 400: the patch body is not the JSON shape the patch type needs
  | 'JsonPatchFailed' // 422: an RFC 6902 operation could not be applied
  | 'JsonPatchTooLarge' // 413: more than 10000 operations
  | 'MergePatchInvalid' // 400: RFC 7386 body is not a JSON object
  | 'StrategicPatchBadFormat' // 400: malformed $deleteFromPrimitiveList / $retainKeys / $setElementOrder
  | 'StrategicPatchUnprocessable' // 422: lists of lists
  | 'StrategicPatchFailed' // 500 (no reason): missing merge key, unknown $patch, ...
  | 'ApplyBadRequest' // 400: apply body rejected (managedFields set, wrong version)
  | 'ApplyConflict' // 409: field owned by another manager
  | 'ApplyFailed'; // 500 (no reason): applied object does not fit the schema

export class PatchError extends ApiError {
  /** The message a Go `errors.New` carried when upstream discards it from the Status (422 JSON patch). */
  readonly detail: string | undefined;
  /** True when upstream sends the Status without a `reason` (a plain Go error). */
  readonly noReason: boolean;

  constructor(
    readonly patchCode: PatchErrorCode,
    code: number,
    reason: ConstructorParameters<typeof ApiError>[1],
    message: string,
    opts: { details?: StatusDetails; detail?: string; noReason?: boolean } = {},
  ) {
    super(code, reason, message, opts.details);
    this.name = 'PatchError';
    this.detail = opts.detail;
    this.noReason = opts.noReason ?? false;
  }

  override toStatus(): StatusObject {
    const s = super.toStatus();
    if (this.noReason) delete s.reason;
    return s;
  }
}

export function isPatchError(e: unknown): e is PatchError {
  return e instanceof PatchError;
}

/** Builders, named after the upstream constructor each one mirrors. */
export const patchErrors = {
  /** errors.NewBadRequest(msg) */
  badRequest: (patchCode: PatchErrorCode, message: string) => new PatchError(patchCode, 400, 'BadRequest', message),
  /**
   * errors.NewGenericServerResponse(422, ...): kube-apiserver drops the
   * underlying message and answers with this fixed sentence (kept in `detail`).
   */
  unprocessable: (patchCode: PatchErrorCode, detail: string) =>
    new PatchError(patchCode, 422, 'Invalid', 'the server rejected our request due to an error in our request', { details: {}, detail }),
  /** A plain Go error from the merge code: 500, Status without a reason. */
  plain: (patchCode: PatchErrorCode, message: string) => new PatchError(patchCode, 500, 'InternalError', message, { noReason: true }),
  /** errors.NewRequestEntityTooLargeError(msg) */
  tooLarge: (message: string) => new PatchError('JsonPatchTooLarge', 413, 'RequestEntityTooLarge', `Request entity too large: ${message}`),
  /** errors.NewApplyConflict(causes, msg) */
  applyConflict: (message: string, causes: ReadonlyArray<StatusCause>) =>
    new PatchError('ApplyConflict', 409, 'Conflict', message, { details: { causes } }),
};
