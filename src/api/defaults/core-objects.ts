/**
 * @module api/defaults/core-objects
 * Defaulting of the small core and discovery kinds: Namespace (the
 * `kubernetes.io/metadata.name` label, the `kubernetes` finalizer and phase
 * Active that its strategy sets on create), Secret (type Opaque; `stringData`
 * folded into base64 `data` as the v1 conversion does), Endpoints and
 * EndpointSlice port protocols.
 */

import { type Obj, ensureObj, getObjArr, getStr, getStrArr, getStrMap, setDefault, setDefaultStr } from '../validation/unstructured.js';

export function defaultNamespace(ns: Obj): void {
  const meta = ensureObj(ns, 'metadata');
  const name = getStr(meta, 'name');
  if (name.length > 0) ensureObj(meta, 'labels')['kubernetes.io/metadata.name'] = name;
  const spec = ensureObj(ns, 'spec');
  const finalizers = getStrArr(spec, 'finalizers');
  if (!finalizers.includes('kubernetes')) spec['finalizers'] = [...finalizers, 'kubernetes'];
  setDefaultStr(ensureObj(ns, 'status'), 'phase', 'Active');
}

export function defaultSecret(s: Obj): void {
  setDefaultStr(s, 'type', 'Opaque');
  const stringData = getStrMap(s, 'stringData');
  if (stringData !== undefined) {
    const data = ensureObj(s, 'data');
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
    delete s['stringData'];
  }
}

export function defaultEndpoints(ep: Obj): void {
  for (const ss of getObjArr(ep, 'subsets')) for (const p of getObjArr(ss, 'ports')) setDefaultStr(p, 'protocol', 'TCP');
}

export function defaultEndpointSlice(slice: Obj): void {
  for (const p of getObjArr(slice, 'ports')) {
    setDefault(p, 'name', '');
    setDefault(p, 'protocol', 'TCP');
  }
}
