/**
 * @module api/validation/apps
 * apps/v1 Deployment, ReplicaSet and ControllerRevision validation
 * (`pkg/apis/apps/validation`), including the apps/v1 strategy rule that a
 * selector may not change on update (`field is immutable`).
 */

import { type FieldError, FieldPath, forbidden, goQuote, goValue, invalid, notSupported, required } from '../field-errors.js';
import { isValidPercent, nameIsDNSSubdomain } from './formats.js';
import { goIntOrString, goLabelSelector, goStrMap } from './go-value.js';
import { labelSelectorAsSelector, selectorEmpty, selectorMatches, validateLabelSelector } from './label-selector.js';
import { FIELD_IMMUTABLE, validateNonnegative, validateObjectMeta, validateObjectMetaUpdate } from './metadata.js';
import { validatePodTemplateSpec } from './pod.js';
import { type IntOrString, type Obj, getIntOrString, getNum, getObj, getObjArr, getOptNum, getStr, getStrMap, semanticEqual } from './unstructured.js';

const META = { nameFn: nameIsDNSSubdomain, namespaced: true };

/** `ValidatePositiveIntOrPercent`. */
function validatePositiveIntOrPercent(v: IntOrString | undefined, path: FieldPath): FieldError[] {
  if (v === undefined) return [];
  if (v.type === 'string') return isValidPercent(v.str).map((m) => invalid(path, goIntOrString(v), m));
  return validateNonnegative(v.int, path);
}

function percentValue(v: IntOrString | undefined): number | undefined {
  if (v === undefined || v.type !== 'string' || isValidPercent(v.str).length > 0) return undefined;
  return Number.parseInt(v.str.slice(0, -1), 10);
}

function intOrPercentValue(v: IntOrString | undefined): number {
  const p = percentValue(v);
  if (p !== undefined) return p;
  if (v === undefined) return 0;
  return v.type === 'int' ? v.int : Number.parseInt(v.str, 10) || 0;
}

function isNotMoreThan100Percent(v: IntOrString | undefined, path: FieldPath): FieldError[] {
  const p = percentValue(v);
  return p === undefined || p <= 100 ? [] : [invalid(path, goIntOrString(v), 'must not be greater than 100%')];
}

/** `ValidateDeploymentStrategy`. */
function validateDeploymentStrategy(strategy: Obj | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const type = getStr(strategy, 'type');
  const ru = getObj(strategy, 'rollingUpdate');
  if (type === 'Recreate') {
    if (ru !== undefined) errs.push(forbidden(path.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === 'RollingUpdate') {
    if (ru === undefined) errs.push(required(path.child('rollingUpdate'), 'this should be defaulted and never be nil'));
    else {
      const rp = path.child('rollingUpdate');
      const mu = getIntOrString(ru, 'maxUnavailable');
      const ms = getIntOrString(ru, 'maxSurge');
      errs.push(...validatePositiveIntOrPercent(mu, rp.child('maxUnavailable')));
      errs.push(...validatePositiveIntOrPercent(ms, rp.child('maxSurge')));
      if (intOrPercentValue(mu) === 0 && intOrPercentValue(ms) === 0)
        errs.push(invalid(rp.child('maxUnavailable'), goIntOrString(mu), 'may not be 0 when `maxSurge` is 0'));
      errs.push(...isNotMoreThan100Percent(mu, rp.child('maxUnavailable')));
    }
  } else {
    // Upstream prints the whole strategy struct here.
    const ruText = ru === undefined ? '(*apps.RollingUpdateDeployment)(nil)' : '&apps.RollingUpdateDeployment{...}';
    errs.push(
      notSupported(path, goValue(`apps.DeploymentStrategy{Type:${goQuote(type)}, RollingUpdate:${ruText}}`), ['Recreate', 'RollingUpdate']),
    );
  }
  return errs;
}

/**
 * `ValidatePodTemplateSpecForReplicaSet`: the selector must match the
 * template labels, and the template must restart Always.
 */
function validateTemplateForReplicaSet(spec: Obj | undefined, kind: 'Deployment' | 'ReplicaSet', specPath: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const sel = labelSelectorAsSelector(getObj(spec, 'selector'));
  if ('error' in sel) return [invalid(specPath.child('selector'), goLabelSelector(getObj(spec, 'selector')), 'invalid label selector')];
  const tmpl = getObj(spec, 'template');
  const tmplPath = specPath.child('template');
  const labels = getStrMap(getObj(tmpl, 'metadata'), 'labels');
  if (!selectorEmpty(sel) && !selectorMatches(sel, labels))
    errs.push(invalid(tmplPath.child('metadata', 'labels'), goStrMap(labels), '`selector` does not match template `labels`'));
  errs.push(...validatePodTemplateSpec(tmpl, tmplPath));
  const tspec = getObj(tmpl, 'spec');
  const rp = getStr(tspec, 'restartPolicy');
  if (rp !== 'Always') errs.push(notSupported(tmplPath.child('spec', 'restartPolicy'), rp, ['Always']));
  if (getOptNum(tspec, 'activeDeadlineSeconds') !== undefined)
    errs.push(forbidden(tmplPath.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  return errs;
}

function validateSelectorRequired(spec: Obj | undefined, path: FieldPath): FieldError[] {
  const sel = getObj(spec, 'selector');
  if (sel === undefined) return [required(path.child('selector'))];
  const errs = validateLabelSelector(sel, path.child('selector'));
  if (Object.keys(getStrMap(sel, 'matchLabels') ?? {}).length + getObjArr(sel, 'matchExpressions').length === 0)
    errs.push(invalid(path.child('selector'), goLabelSelector(sel), 'empty selector is invalid for deployment'));
  return errs;
}

/** `ValidateDeploymentSpec`. */
function validateDeploymentSpec(spec: Obj | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(getNum(spec, 'replicas'), path.child('replicas')));
  errs.push(...validateSelectorRequired(spec, path));
  errs.push(...validateTemplateForReplicaSet(spec, 'Deployment', path));
  errs.push(...validateDeploymentStrategy(getObj(spec, 'strategy'), path.child('strategy')));
  const mrs = getNum(spec, 'minReadySeconds');
  errs.push(...validateNonnegative(mrs, path.child('minReadySeconds')));
  const rhl = getOptNum(spec, 'revisionHistoryLimit');
  if (rhl !== undefined) errs.push(...validateNonnegative(rhl, path.child('revisionHistoryLimit')));
  const pds = getOptNum(spec, 'progressDeadlineSeconds');
  if (pds !== undefined) {
    errs.push(...validateNonnegative(pds, path.child('progressDeadlineSeconds')));
    if (pds <= mrs) errs.push(invalid(path.child('progressDeadlineSeconds'), pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

/** `ValidateReplicaSetSpec`. */
function validateReplicaSetSpec(spec: Obj | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...validateNonnegative(getNum(spec, 'replicas'), path.child('replicas')));
  errs.push(...validateNonnegative(getNum(spec, 'minReadySeconds'), path.child('minReadySeconds')));
  errs.push(...validateSelectorRequired(spec, path));
  errs.push(...validateTemplateForReplicaSet(spec, 'ReplicaSet', path));
  return errs;
}

function selectorImmutable(obj: Obj, old: Obj): FieldError[] {
  const ns = getObj(getObj(obj, 'spec'), 'selector');
  const os = getObj(getObj(old, 'spec'), 'selector');
  return semanticEqual(ns, os) ? [] : [invalid(FieldPath.of('spec', 'selector'), ns === undefined ? null : goLabelSelector(ns), FIELD_IMMUTABLE)];
}

export function validateDeployment(d: Obj): FieldError[] {
  return [...validateObjectMeta(getObj(d, 'metadata'), META), ...validateDeploymentSpec(getObj(d, 'spec'), FieldPath.of('spec'))];
}

export function validateDeploymentUpdate(d: Obj, old: Obj): FieldError[] {
  return [
    ...validateObjectMetaUpdate(getObj(d, 'metadata'), getObj(old, 'metadata')),
    ...validateDeploymentSpec(getObj(d, 'spec'), FieldPath.of('spec')),
    ...selectorImmutable(d, old),
  ];
}

export function validateReplicaSet(rs: Obj): FieldError[] {
  return [...validateObjectMeta(getObj(rs, 'metadata'), META), ...validateReplicaSetSpec(getObj(rs, 'spec'), FieldPath.of('spec'))];
}

export function validateReplicaSetUpdate(rs: Obj, old: Obj): FieldError[] {
  return [
    ...validateObjectMetaUpdate(getObj(rs, 'metadata'), getObj(old, 'metadata')),
    ...validateReplicaSetSpec(getObj(rs, 'spec'), FieldPath.of('spec')),
    ...selectorImmutable(rs, old),
  ];
}

/** `ValidateControllerRevision`: revision non-negative, data required on create. */
export function validateControllerRevision(cr: Obj): FieldError[] {
  const errs = validateObjectMeta(getObj(cr, 'metadata'), META);
  if (cr['data'] === undefined || cr['data'] === null) errs.push(required(FieldPath.of('data'), 'data is mandatory'));
  errs.push(...validateNonnegative(getNum(cr, 'revision'), FieldPath.of('revision')));
  return errs;
}

export function validateControllerRevisionUpdate(cr: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(getObj(cr, 'metadata'), getObj(old, 'metadata'));
  errs.push(...validateControllerRevision(cr).filter((e) => !e.field.startsWith('metadata.')));
  if (!semanticEqual(cr['data'], old['data'])) errs.push(invalid(FieldPath.of('data'), null, FIELD_IMMUTABLE));
  return errs;
}
