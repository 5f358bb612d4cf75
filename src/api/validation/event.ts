/**
 * @module api/validation/event
 * Minimal Event validation. core/v1 Events get only upstream's legacy checks
 * (namespace agreement; reporting fields when `eventTime` is set);
 * events.k8s.io/v1 Events add ObjectMeta, `eventTime` and `type`. Series and
 * length limits are not modelled.
 */

import { type FieldError, FieldPath, invalid, required } from '../field-errors.js';
import { isQualifiedName, nameIsDNSSubdomain } from './formats.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './metadata.js';
import { type Obj, getObj, getStr, has } from './unstructured.js';

function legacy(ev: Obj, eventsAPI: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ns = getStr(getObj(ev, 'metadata'), 'namespace');
  const involved = getObj(ev, eventsAPI ? 'regarding' : 'involvedObject');
  const ions = getStr(involved, 'namespace');
  const nsPath = FieldPath.of('involvedObject', 'namespace');
  if (!has(ev, 'eventTime')) {
    if (ions.length === 0) {
      if (ns !== '' && ns !== 'default') errs.push(invalid(nsPath, ions, 'does not match event.namespace'));
    } else if (ns !== ions) errs.push(invalid(nsPath, ions, 'does not match event.namespace'));
    return errs;
  }
  if (ions.length === 0 && ns !== 'default' && ns !== 'kube-system') errs.push(invalid(nsPath, ions, 'does not match event.namespace'));
  const rcField = eventsAPI ? 'reportingController' : 'reportingComponent';
  const rc = getStr(ev, rcField);
  if (rc.length === 0) errs.push(required(FieldPath.of(rcField)));
  for (const m of isQualifiedName(rc)) errs.push(invalid(FieldPath.of(rcField), rc, m));
  if (getStr(ev, 'reportingInstance').length === 0) errs.push(required(FieldPath.of('reportingInstance')));
  if (getStr(ev, 'action').length === 0) errs.push(required(FieldPath.of('action')));
  if (getStr(ev, 'reason').length === 0) errs.push(required(FieldPath.of('reason')));
  return errs;
}

/** core/v1 Event create. */
export function validateCoreEvent(ev: Obj): FieldError[] {
  return legacy(ev, false);
}

/** events.k8s.io/v1 Event create. */
export function validateEventsEvent(ev: Obj): FieldError[] {
  const errs = legacy(ev, true);
  errs.push(...validateObjectMeta(getObj(ev, 'metadata'), { nameFn: nameIsDNSSubdomain, namespaced: true }));
  if (!has(ev, 'eventTime')) errs.push(required(FieldPath.of('eventTime')));
  const t = getStr(ev, 'type');
  if (t !== 'Normal' && t !== 'Warning') errs.push(invalid(FieldPath.of('type'), '', `has invalid value: ${t}`));
  return errs;
}

export function validateEventUpdate(ev: Obj, old: Obj, eventsAPI: boolean): FieldError[] {
  return [...validateObjectMetaUpdate(getObj(ev, 'metadata'), getObj(old, 'metadata')), ...(eventsAPI ? validateEventsEvent(ev) : validateCoreEvent(ev))];
}
