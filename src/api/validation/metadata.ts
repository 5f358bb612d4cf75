/**
 * @module api/validation/metadata
 * ObjectMeta validation on create and update (apimachinery
 * `pkg/api/validation/objectmeta.go` plus core's finalizer-name rule), and the
 * label/annotation checks other modules reuse.
 *
 * Contract with the server: name generation has already happened or not; a
 * missing name is only an error when `generateName` is empty too. Namespace
 * presence for namespaced kinds is the server's job (it fills it from the URL);
 * a namespace, when present, must be a DNS-1123 label. On update the caller is
 * expected to have copied uid/creationTimestamp from the stored object when the
 * request omitted them, as kube-apiserver's `rest.BeforeUpdate` does.
 */

import { type BadValue, type FieldError, FieldPath, forbidden, goQuote, goValue, invalid, required, tooLong } from '../field-errors.js';
import { type NameFn, byteLen, isQualifiedName, isValidLabelValue, nameIsDNSLabel } from './formats.js';
import { goStrSliceText } from './go-value.js';
import { type Obj, getNum, getObjArr, getOptBool, getStr, getStrArr, getStrMap, has, semanticEqual } from './unstructured.js';

export const FIELD_IMMUTABLE = 'field is immutable';
export const IS_NEGATIVE = 'must be greater than or equal to 0';
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

/** `ValidateLabelName`. */
export function validateLabelName(name: string, path: FieldPath): FieldError[] {
  return isQualifiedName(name).map((m) => invalid(path, name, m));
}

/** `ValidateLabels`: keys are qualified names, values label values; all at `path`. */
export function validateLabels(labels: Readonly<Record<string, string>> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    for (const m of isValidLabelValue(v)) errs.push(invalid(path, v, m));
  }
  return errs;
}

/** `ValidateAnnotations`: keys (case-insensitive) are qualified names; total size ≤ 256 KiB. */
export function validateAnnotations(annotations: Readonly<Record<string, string>> | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(invalid(path, k, m));
    total += byteLen(k) + byteLen(v);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

/** `ValidateNonnegativeField`. */
export function validateNonnegative(value: number, path: FieldPath): FieldError[] {
  return value < 0 ? [invalid(path, value, IS_NEGATIVE)] : [];
}

/** `ValidateImmutableField`: `badValue` is what upstream prints for the new value. */
export function validateImmutable(newVal: unknown, oldVal: unknown, path: FieldPath, badValue: BadValue): FieldError[] {
  return semanticEqual(newVal, oldVal) ? [] : [invalid(path, badValue, FIELD_IMMUTABLE)];
}

/** A scalar JSON value as upstream would print it (strings quoted, numbers bare). */
export function scalar(v: unknown): BadValue {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return null;
}

/** `v1.OwnerReference{...}`; Go would print *bool as an address, we print the value. */
function ownerRefGo(r: Obj): string {
  const ptr = (b: boolean | undefined): string => (b === undefined ? '(*bool)(nil)' : `(*bool)(${b ? 'true' : 'false'})`);
  return (
    `v1.OwnerReference{APIVersion:${goQuote(getStr(r, 'apiVersion'))}, Kind:${goQuote(getStr(r, 'kind'))}, ` +
    `Name:${goQuote(getStr(r, 'name'))}, UID:${goQuote(getStr(r, 'uid'))}, Controller:${ptr(getOptBool(r, 'controller'))}, ` +
    `BlockOwnerDeletion:${ptr(getOptBool(r, 'blockOwnerDeletion'))}}`
  );
}

/** `ValidateOwnerReferences`. */
export function validateOwnerReferences(refs: ReadonlyArray<Obj>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let firstController = '';
  for (const r of refs) {
    const apiVersion = getStr(r, 'apiVersion');
    const slash = apiVersion.lastIndexOf('/');
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    const group = slash < 0 ? '' : apiVersion.slice(0, slash);
    const kind = getStr(r, 'kind');
    if (version.length === 0) errs.push(invalid(path.child('apiVersion'), apiVersion, 'version must not be empty'));
    if (kind.length === 0) errs.push(invalid(path.child('kind'), kind, 'must not be empty'));
    if (getStr(r, 'name').length === 0) errs.push(invalid(path.child('name'), '', 'must not be empty'));
    if (getStr(r, 'uid').length === 0) errs.push(invalid(path.child('uid'), '', 'must not be empty'));
    if (group === '' && version === 'v1' && kind === 'Event')
      errs.push(invalid(path, goValue(ownerRefGo(r)), '/v1, Kind=Event is disallowed from being an owner'));
    if (getOptBool(r, 'controller') === true) {
      const cur = `${kind}/${getStr(r, 'name')}`;
      if (firstController !== '')
        errs.push(
          invalid(path, goValue(`[]v1.OwnerReference{${refs.map(ownerRefGo).join(', ')}}`), `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`),
        );
      else firstController = cur;
    }
  }
  return errs;
}

/** `ValidateFinalizers` (apimachinery part: format and the orphan/foreground clash). */
function validateFinalizers(finalizers: ReadonlyArray<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of finalizers) for (const m of isQualifiedName(f)) errs.push(invalid(path, f, m));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion'))
    errs.push(invalid(path, goValue(goStrSliceText(finalizers)), 'finalizer orphan and foregroundDeletion cannot be both set'));
  return errs;
}

/** core's `validateKubeFinalizerName`: an unqualified finalizer must be a standard one. */
export function validateKubeFinalizerName(f: string, path: FieldPath): FieldError[] {
  return !f.includes('/') && !STANDARD_FINALIZERS.has(f) ? [invalid(path, f, 'name is neither a standard finalizer name nor is it fully qualified')] : [];
}

export interface ObjectMetaOptions {
  /** The name rule of the kind (DNS subdomain for most). */
  readonly nameFn: NameFn;
  /** Whether the kind is namespaced. */
  readonly namespaced: boolean;
  /** core's extra rule on unqualified finalizer names (off for the generic pass). */
  readonly kubeFinalizers?: boolean;
}

function commonMetaErrors(meta: Obj | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(getNum(meta, 'generation'), path.child('generation')));
  errs.push(...validateLabels(getStrMap(meta, 'labels'), path.child('labels')));
  errs.push(...validateAnnotations(getStrMap(meta, 'annotations'), path.child('annotations')));
  errs.push(...validateOwnerReferences(getObjArr(meta, 'ownerReferences'), path.child('ownerReferences')));
  errs.push(...validateFinalizers(getStrArr(meta, 'finalizers'), path.child('finalizers')));
  return errs;
}

function kubeFinalizerErrors(meta: Obj | undefined, path: FieldPath): FieldError[] {
  return getStrArr(meta, 'finalizers').flatMap((f, i) => validateKubeFinalizerName(f, path.child('finalizers').index(i)));
}

/** core `ValidateObjectMeta` on create. */
export function validateObjectMeta(meta: Obj | undefined, opts: ObjectMetaOptions, path: FieldPath = FieldPath.of('metadata')): FieldError[] {
  const errs: FieldError[] = [];
  const generateName = getStr(meta, 'generateName');
  const name = getStr(meta, 'name');
  if (generateName.length > 0) for (const m of opts.nameFn(generateName, true)) errs.push(invalid(path.child('generateName'), generateName, m));
  if (name.length === 0) {
    if (generateName.length === 0) errs.push(required(path.child('name'), 'name or generateName is required'));
  } else {
    for (const m of opts.nameFn(name, false)) errs.push(invalid(path.child('name'), name, m));
  }
  const ns = getStr(meta, 'namespace');
  if (opts.namespaced && ns.length > 0) for (const m of nameIsDNSLabel(ns, false)) errs.push(invalid(path.child('namespace'), ns, m));
  errs.push(...commonMetaErrors(meta, path));
  if (opts.kubeFinalizers !== false) errs.push(...kubeFinalizerErrors(meta, path));
  return errs;
}

/** core `ValidateObjectMetaUpdate`. */
export function validateObjectMetaUpdate(
  newMeta: Obj | undefined,
  oldMeta: Obj | undefined,
  path: FieldPath = FieldPath.of('metadata'),
  kubeFinalizers = true,
): FieldError[] {
  const errs: FieldError[] = [];
  if (has(oldMeta, 'deletionTimestamp')) {
    const old = new Set(getStrArr(oldMeta, 'finalizers'));
    const extra = [...new Set(getStrArr(newMeta, 'finalizers').filter((f) => !old.has(f)))].sort();
    if (extra.length > 0)
      errs.push(forbidden(path.child('finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers ${goStrSliceText(extra)}`));
  }
  const rv = getStr(newMeta, 'resourceVersion');
  if (rv.length === 0) errs.push(invalid(path.child('resourceVersion'), rv, 'must be specified for an update'));
  const gen = getNum(newMeta, 'generation');
  if (gen < getNum(oldMeta, 'generation')) errs.push(invalid(path.child('generation'), gen, 'must not be decremented'));
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
    const nv = newMeta?.[f];
    errs.push(...validateImmutable(nv, oldMeta?.[f], path.child(f), nv === undefined || nv === null ? (f === 'deletionGracePeriodSeconds' ? null : '') : scalar(nv)));
  }
  errs.push(...commonMetaErrors(newMeta, path).filter((e) => e.field !== path.child('generation').toString()));
  if (kubeFinalizers) errs.push(...kubeFinalizerErrors(newMeta, path));
  return errs;
}
