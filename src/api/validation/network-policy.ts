/**
 * @module api/validation/network-policy
 * networking.k8s.io/v1 NetworkPolicy validation (`ValidateNetworkPolicy`,
 * `ValidateNetworkPolicyUpdate`): selectors, ports and endPort, peers and
 * ipBlocks, policyTypes.
 */

import { type FieldError, FieldPath, forbidden, invalid, notSupported, required } from '../field-errors.js';
import { isValidPortName, isValidPortNum, nameIsDNSSubdomain } from './formats.js';
import { goStrSlice } from './go-value.js';
import { cidrContains, parseCIDR, validateCIDR } from './ip.js';
import { type LabelSelectorOptions, validateLabelSelector } from './label-selector.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './metadata.js';
import { type Obj, getIntOrString, getObj, getObjArr, getOptNum, getOptStr, getStr, getStrArr } from './unstructured.js';

/** `ValidateNetworkPolicyPort`. */
export function validateNetworkPolicyPort(port: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const proto = getOptStr(port, 'protocol');
  if (proto !== undefined && proto !== 'TCP' && proto !== 'UDP' && proto !== 'SCTP') errs.push(notSupported(path.child('protocol'), proto, ['TCP', 'UDP', 'SCTP']));
  const p = getIntOrString(port, 'port');
  const endPort = getOptNum(port, 'endPort');
  if (p !== undefined) {
    if (p.type === 'int') {
      for (const m of isValidPortNum(p.int)) errs.push(invalid(path.child('port'), p.int, m));
      if (endPort !== undefined) {
        if (endPort < p.int) errs.push(invalid(path.child('endPort'), endPort, 'must be greater than or equal to `port`'));
        for (const m of isValidPortNum(endPort)) errs.push(invalid(path.child('endPort'), endPort, m));
      }
    } else {
      if (endPort !== undefined) errs.push(invalid(path.child('endPort'), endPort, 'may not be specified when `port` is non-numeric'));
      for (const m of isValidPortName(p.str)) errs.push(invalid(path.child('port'), p.str, m));
    }
  } else if (endPort !== undefined) {
    errs.push(invalid(path.child('endPort'), endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

/** `ValidateIPBlock`: cidr valid, every `except` a strict subset of it. */
export function validateIPBlock(ipb: Obj, path: FieldPath): FieldError[] {
  const cidrText = getStr(ipb, 'cidr');
  if (cidrText === '') return [required(path.child('cidr'))];
  const errs = validateCIDR(path.child('cidr'), cidrText);
  const cidr = parseCIDR(cidrText);
  if (cidr === undefined) return errs;
  getStrArr(ipb, 'except').forEach((ex, i) => {
    const ep = path.child('except').index(i);
    errs.push(...validateCIDR(ep, ex));
    const exc = parseCIDR(ex);
    if (exc === undefined) return;
    const exceptFull = exc.v4 ? exc.prefix + 96 : exc.prefix;
    const cidrFull = cidr.v4 ? cidr.prefix + 96 : cidr.prefix;
    const netIP = { bytes: exc.network, v4: exc.v4 };
    if (!cidrContains(cidr, netIP) || cidrFull >= exceptFull) errs.push(invalid(ep, ex, 'must be a strict subset of `cidr`'));
  });
  return errs;
}

/** `ValidateNetworkPolicyPeer`: at least one selector or an ipBlock, never ipBlock with another. */
export function validateNetworkPolicyPeer(peer: Obj, path: FieldPath, opts: LabelSelectorOptions = {}): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const k of ['podSelector', 'namespaceSelector']) {
    const sel = getObj(peer, k);
    if (sel === undefined) continue;
    n++;
    errs.push(...validateLabelSelector(sel, path.child(k), opts));
  }
  const ipb = getObj(peer, 'ipBlock');
  if (ipb !== undefined) {
    n++;
    errs.push(...validateIPBlock(ipb, path.child('ipBlock')));
  }
  if (n === 0) errs.push(required(path, 'must specify a peer'));
  else if (n > 1 && ipb !== undefined) errs.push(forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

/** `ValidateNetworkPolicySpec`. */
export function validateNetworkPolicySpec(spec: Obj | undefined, opts: LabelSelectorOptions = {}): FieldError[] {
  const path = FieldPath.of('spec');
  const errs = validateLabelSelector(getObj(spec, 'podSelector') ?? {}, path.child('podSelector'), opts);
  for (const [dir, peers] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    getObjArr(spec, dir).forEach((rule, i) => {
      const rp = path.child(dir).index(i);
      getObjArr(rule, 'ports').forEach((p, j) => errs.push(...validateNetworkPolicyPort(p, rp.child('ports').index(j))));
      getObjArr(rule, peers).forEach((p, j) => errs.push(...validateNetworkPolicyPeer(p, rp.child(peers).index(j), opts)));
    });
  }
  const types = getStrArr(spec, 'policyTypes');
  if (types.length > 2) {
    errs.push(invalid(path.child('policyTypes'), goStrSlice(types, '[]networking.PolicyType'), 'may not specify more than two policyTypes'));
    return errs;
  }
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(path.child('policyTypes').index(i), t, ['Ingress', 'Egress']));
  });
  return errs;
}

export function validateNetworkPolicy(np: Obj): FieldError[] {
  return [...validateObjectMeta(getObj(np, 'metadata'), { nameFn: nameIsDNSSubdomain, namespaced: true }), ...validateNetworkPolicySpec(getObj(np, 'spec'))];
}

/** Update: an already-invalid stored podSelector value is tolerated (upstream's option). */
export function validateNetworkPolicyUpdate(np: Obj, old: Obj): FieldError[] {
  const oldSel = getObj(getObj(old, 'spec'), 'podSelector') ?? {};
  const allowInvalid = validateLabelSelector(oldSel, FieldPath.of('')).length > 0;
  return [
    ...validateObjectMetaUpdate(getObj(np, 'metadata'), getObj(old, 'metadata')),
    ...validateNetworkPolicySpec(getObj(np, 'spec'), { allowInvalidLabelValueInSelector: allowInvalid }),
  ];
}
