/**
 * @module api/validation/label-selector
 * `metav1.LabelSelector` validation (`ValidateLabelSelector`) and the
 * selector semantics validation depends on (`LabelSelectorAsSelector`,
 * `Selector.Matches`, `Selector.Empty`). Other layers (controllers, policy)
 * may reuse `selectorMatches` for the same meaning kube uses.
 */

import { type FieldError, type FieldPath, forbidden, invalid, required } from '../field-errors.js';
import { isQualifiedName, isValidLabelValue } from './formats.js';
import { validateLabelName, validateLabels } from './metadata.js';
import { type Obj, getArr, getObjArr, getStr, getStrMap } from './unstructured.js';

export interface LabelSelectorOptions {
  /** Tolerate invalid label values in matchExpressions (only for pre-existing objects). */
  readonly allowInvalidLabelValueInSelector?: boolean;
}

/** `ValidateLabelSelector`; a missing selector is valid here (callers require it). */
export function validateLabelSelector(sel: Obj | undefined, path: FieldPath, opts: LabelSelectorOptions = {}): FieldError[] {
  if (sel === undefined) return [];
  const errs = validateLabels(getStrMap(sel, 'matchLabels'), path.child('matchLabels'));
  getObjArr(sel, 'matchExpressions').forEach((r, i) => {
    const p = path.child('matchExpressions').index(i);
    const op = getStr(r, 'operator');
    const values = getArr(r, 'values');
    switch (op) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(p.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(p.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(p.child('operator'), op, 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(getStr(r, 'key'), p.child('key')));
    if (opts.allowInvalidLabelValueInSelector !== true) {
      values.forEach((v, vi) => {
        const s = typeof v === 'string' ? v : '';
        for (const m of isValidLabelValue(s)) errs.push(invalid(p.child('values').index(vi), s, m));
      });
    }
  });
  return errs;
}

/** One requirement of a compiled selector. */
export interface Requirement {
  readonly key: string;
  readonly op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals';
  readonly values: ReadonlyArray<string>;
}

/** A compiled selector: `nothing` (nil selector), `everything` (empty) or requirements. */
export type Selector =
  | { readonly kind: 'nothing' }
  | { readonly kind: 'everything' }
  | { readonly kind: 'requirements'; readonly requirements: ReadonlyArray<Requirement> };

function requirementError(key: string, op: Requirement['op'], values: ReadonlyArray<string>): string | undefined {
  if (isQualifiedName(key).length > 0) return `invalid key ${JSON.stringify(key)}`;
  if ((op === 'In' || op === 'NotIn') && values.length === 0) return "for 'in', 'notin' operators, values set can't be empty";
  if (op === 'Equals' && values.length !== 1) return "exact-match compatibility requires one single value";
  if ((op === 'Exists' || op === 'DoesNotExist') && values.length !== 0) return "values set must be empty for exists and does not exist";
  for (const v of values) if (isValidLabelValue(v).length > 0) return `invalid label value: ${JSON.stringify(v)}`;
  return undefined;
}

/** `metav1.LabelSelectorAsSelector`: a compiled selector, or an error string. */
export function labelSelectorAsSelector(sel: Obj | undefined): Selector | { readonly error: string } {
  if (sel === undefined) return { kind: 'nothing' };
  const matchLabels = getStrMap(sel, 'matchLabels') ?? {};
  const exprs = getObjArr(sel, 'matchExpressions');
  if (Object.keys(matchLabels).length + exprs.length === 0) return { kind: 'everything' };
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(matchLabels)) {
    const err = requirementError(k, 'Equals', [v]);
    if (err !== undefined) return { error: err };
    reqs.push({ key: k, op: 'Equals', values: [v] });
  }
  for (const e of exprs) {
    const op = getStr(e, 'operator');
    if (op !== 'In' && op !== 'NotIn' && op !== 'Exists' && op !== 'DoesNotExist') return { error: `${JSON.stringify(op)} is not a valid label selector operator` };
    const values = getArr(e, 'values').map((v) => (typeof v === 'string' ? v : ''));
    const err = requirementError(getStr(e, 'key'), op, values);
    if (err !== undefined) return { error: err };
    reqs.push({ key: getStr(e, 'key'), op, values });
  }
  return { kind: 'requirements', requirements: reqs };
}

/** `Selector.Matches(labels.Set(labels))`. */
export function selectorMatches(sel: Selector, labels: Readonly<Record<string, string>> | undefined): boolean {
  if (sel.kind === 'nothing') return false;
  if (sel.kind === 'everything') return true;
  const l = labels ?? {};
  return sel.requirements.every((r) => {
    const present = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'Equals':
      case 'In':
        return present && v !== undefined && r.values.includes(v);
      case 'NotIn':
        return !present || v === undefined || !r.values.includes(v);
      case 'Exists':
        return present;
      case 'DoesNotExist':
        return !present;
    }
  });
}

/** `Selector.Empty()`: true only for the match-everything selector. */
export function selectorEmpty(sel: Selector): boolean {
  return sel.kind === 'everything';
}
