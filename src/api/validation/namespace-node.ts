/**
 * @module api/validation/namespace-node
 * The two cluster-scoped core kinds: Namespace (`ValidateNamespace`, names are
 * DNS-1123 labels, spec.finalizers) and Node (minimal: name, taints, podCIDRs,
 * and the update rules on podCIDRs/providerID).
 */

import { type FieldError, FieldPath, duplicate, forbidden, goQuote, goValue, invalid, notSupported, required } from '../field-errors.js';
import { isQualifiedName, isValidLabelValue, nameIsDNSLabel, nameIsDNSSubdomain } from './formats.js';
import { goStrSlice } from './go-value.js';
import { isIPv6String, parseCIDR, validateCIDR } from './ip.js';
import { validateKubeFinalizerName, validateLabelName, validateObjectMeta, validateObjectMetaUpdate } from './metadata.js';
import { type Obj, getObj, getObjArr, getStr, getStrArr } from './unstructured.js';

/** `ValidateNamespace`. */
export function validateNamespace(ns: Obj): FieldError[] {
  const errs = validateObjectMeta(getObj(ns, 'metadata'), { nameFn: nameIsDNSLabel, namespaced: false });
  const path = FieldPath.of('spec', 'finalizers');
  for (const f of getStrArr(getObj(ns, 'spec'), 'finalizers')) {
    for (const m of isQualifiedName(f)) errs.push(invalid(path, f, m));
    errs.push(...validateKubeFinalizerName(f, path));
  }
  return errs;
}

/** `ValidateNamespaceUpdate`: metadata rules only. */
export function validateNamespaceUpdate(ns: Obj, old: Obj): FieldError[] {
  return validateObjectMetaUpdate(getObj(ns, 'metadata'), getObj(old, 'metadata'));
}

function validateTaints(taints: ReadonlyArray<Obj>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Map<string, Set<string>>();
  taints.forEach((t, i) => {
    const p = path.index(i);
    const key = getStr(t, 'key');
    const value = getStr(t, 'value');
    const effect = getStr(t, 'effect');
    errs.push(...validateLabelName(key, p.child('key')));
    const m = isValidLabelValue(value);
    if (m.length > 0) errs.push(invalid(p.child('value'), value, m.join(';')));
    if (effect.length === 0) errs.push(required(p.child('effect')));
    else if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect))
      errs.push(notSupported(p.child('effect'), effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
    const keys = seen.get(effect) ?? new Set<string>();
    if (keys.has(key)) {
      const d = duplicate(p, goValue(`core.Taint{Key:${goQuote(key)}, Value:${goQuote(value)}, Effect:${goQuote(effect)}, TimeAdded:(*v1.Time)(nil)}`));
      errs.push({ ...d, detail: 'taints must be unique by key and effect pair' });
      return;
    }
    keys.add(key);
    seen.set(effect, keys);
  });
  return errs;
}

/** `ValidateNode` (spec parts kwire uses). */
export function validateNode(node: Obj): FieldError[] {
  const errs = validateObjectMeta(getObj(node, 'metadata'), { nameFn: nameIsDNSSubdomain, namespaced: false });
  const spec = getObj(node, 'spec');
  const taints = getObjArr(spec, 'taints');
  if (taints.length > 0) errs.push(...validateTaints(taints, FieldPath.of('metadata', 'taints')));
  const cidrs = getStrArr(spec, 'podCIDRs');
  const p = FieldPath.of('spec', 'podCIDRs');
  cidrs.forEach((c, i) => errs.push(...validateCIDR(p.index(i), c)));
  if (cidrs.length > 1) {
    const fams = cidrs.map((c) => (parseCIDR(c) === undefined ? undefined : isIPv6String(c.split('/')[0] ?? '')));
    if (cidrs.length > 2 || fams[0] === fams[1]) errs.push(invalid(p, goStrSlice(cidrs), 'may specify no more than one CIDR for each IP family'));
    const seen = new Set<string>();
    cidrs.forEach((c, i) => {
      if (seen.has(c)) errs.push(duplicate(p.index(i), c));
      seen.add(c);
    });
  }
  return errs;
}

/** `ValidateNodeUpdate`: podCIDRs set once, providerID set once. */
export function validateNodeUpdate(node: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(getObj(node, 'metadata'), getObj(old, 'metadata'));
  const spec = getObj(node, 'spec');
  const oldSpec = getObj(old, 'spec');
  const oldCidrs = getStrArr(oldSpec, 'podCIDRs');
  const newCidrs = getStrArr(spec, 'podCIDRs');
  const msg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCidrs.length > 0) {
    if (oldCidrs.length !== newCidrs.length) errs.push(forbidden(FieldPath.of('spec', 'podCIDRs'), msg));
    else oldCidrs.forEach((c, i) => c !== newCidrs[i] && errs.push(forbidden(FieldPath.of('spec', 'podCIDRs'), msg)));
  }
  const oldPid = getStr(oldSpec, 'providerID');
  if (oldPid.length > 0 && oldPid !== getStr(spec, 'providerID'))
    errs.push(forbidden(FieldPath.of('spec', 'providerID'), 'node updates may not change providerID except from "" to valid'));
  const taints = getObjArr(spec, 'taints');
  if (taints.length > 0) errs.push(...validateTaints(taints, FieldPath.of('metadata', 'taints')));
  return errs;
}
