/**
 * @module api/defaults/networking
 * networking.k8s.io/v1 defaulting: NetworkPolicy policyTypes (Ingress, plus
 * Egress when egress rules exist) and port protocols (TCP); IngressClass
 * parameters scope (Cluster). Ingress has no defaults in v1.
 */

import { type Obj, ensureObj, getArr, getObj, getObjArr, setDefault } from '../validation/unstructured.js';

export function defaultNetworkPolicy(np: Obj): void {
  const spec = ensureObj(np, 'spec');
  if (getArr(spec, 'policyTypes').length === 0) {
    spec['policyTypes'] = getArr(spec, 'egress').length !== 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  for (const dir of ['ingress', 'egress']) for (const rule of getObjArr(spec, dir)) for (const p of getObjArr(rule, 'ports')) setDefault(p, 'protocol', 'TCP');
}

export function defaultIngressClass(ic: Obj): void {
  const params = getObj(getObj(ic, 'spec'), 'parameters');
  if (params !== undefined) setDefault(params, 'scope', 'Cluster');
}
