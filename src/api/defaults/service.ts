/**
 * @module api/defaults/service
 * Service defaulting on create: core/v1 `SetDefaults_Service`, the
 * clusterIP→clusterIPs normalization of the Service strategy, and the
 * ipFamilyPolicy/ipFamilies initialization the registry does before
 * allocation (`initIPFamilyFields`, single-stack IPv4 cluster by default).
 *
 * Also exports `prepareServiceForUpdate`, the update-time counterpart the
 * Service strategy needs (`patchAllocatedValues`, `NormalizeClusterIPs`,
 * `dropTypeDependentFields`), so re-applying a manifest without clusterIP or
 * nodePort keeps the allocated values. Mutates in place.
 */

import { isIPv6String, parseIP } from '../validation/ip.js';
import { type Obj, ensureObj, getArr, getNum, getObj, getObjArr, getOptStr, getStr, getStrArr, getStrMap, isObj, semanticEqual, setDefault, setDefaultStr } from '../validation/unstructured.js';

export type IPFamily = 'IPv4' | 'IPv6';

const DEFAULT_CLIENT_IP_TIMEOUT = 10800;

function externallyAccessible(spec: Obj): boolean {
  const t = getStr(spec, 'type');
  return t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && getArr(spec, 'externalIPs').length > 0);
}

/** `SetDefaults_Service`. */
export function setServiceDefaults(svc: Obj): void {
  const spec = ensureObj(svc, 'spec');
  setDefaultStr(spec, 'sessionAffinity', 'None');
  const sa = getStr(spec, 'sessionAffinity');
  if (sa === 'None') delete spec['sessionAffinityConfig'];
  if (sa === 'ClientIP') {
    const cfg = getObj(spec, 'sessionAffinityConfig');
    const cip = getObj(cfg, 'clientIP');
    if (cip === undefined || typeof cip['timeoutSeconds'] !== 'number')
      spec['sessionAffinityConfig'] = { clientIP: { timeoutSeconds: DEFAULT_CLIENT_IP_TIMEOUT } };
  }
  setDefaultStr(spec, 'type', 'ClusterIP');
  for (const p of getObjArr(spec, 'ports')) {
    setDefaultStr(p, 'protocol', 'TCP');
    const tp = p['targetPort'];
    if (tp === undefined || tp === null || tp === 0 || tp === '') p['targetPort'] = p['port'];
  }
  if (externallyAccessible(spec)) setDefaultStr(spec, 'externalTrafficPolicy', 'Cluster');
  const t = getStr(spec, 'type');
  if (t === 'NodePort' || t === 'LoadBalancer' || t === 'ClusterIP') setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (t === 'LoadBalancer') {
    setDefault(spec, 'allocateLoadBalancerNodePorts', true);
    for (const ing of getObjArr(getObj(getObj(svc, 'status'), 'loadBalancer'), 'ingress'))
      if (getStr(ing, 'ip') !== '') setDefault(ing, 'ipMode', 'VIP');
  }
}

/** `NormalizeClusterIPs` for a create: a lone clusterIP seeds clusterIPs. */
function normalizeClusterIPsOnCreate(spec: Obj): void {
  const ip = getStr(spec, 'clusterIP');
  if (ip.length > 0 && getArr(spec, 'clusterIPs').length === 0) spec['clusterIPs'] = [ip];
}

const familyOf = (ip: string): IPFamily => (isIPv6String(ip) ? 'IPv6' : 'IPv4');

/**
 * The defaulting half of `initIPFamilyFields`: the policy (SingleStack, or
 * RequireDualStack for headless selector-less Services) and the families
 * (inferred from clusterIPs when the cluster has that family, else the cluster
 * default). Inconsistent input is left for validation to report.
 */
export function initServiceIPFamilies(svc: Obj, clusterFamilies: ReadonlyArray<IPFamily> = ['IPv4'], old?: Obj): void {
  const spec = ensureObj(svc, 'spec');
  if (getStr(spec, 'type') === 'ExternalName') return;
  const headlessSelectorless = getStr(spec, 'clusterIP') === 'None' && Object.keys(getStrMap(spec, 'selector') ?? {}).length === 0;
  if (getOptStr(spec, 'ipFamilyPolicy') === undefined) {
    const oldPolicy = getOptStr(getObj(old, 'spec'), 'ipFamilyPolicy');
    spec['ipFamilyPolicy'] = oldPolicy ?? (headlessSelectorless ? 'RequireDualStack' : 'SingleStack');
  }
  const fams = [...getStrArr(spec, 'ipFamilies')];
  const ips = getStrArr(spec, 'clusterIPs');
  for (let i = fams.length; i < ips.length; i++) {
    const ip = ips[i] ?? '';
    if (ip === 'None' || parseIP(ip) === undefined) break;
    if (!clusterFamilies.includes(familyOf(ip))) return;
    fams.push(familyOf(ip));
  }
  const primary = clusterFamilies[0] ?? 'IPv4';
  if (fams.length === 0) fams.push(primary);
  if (getStr(spec, 'ipFamilyPolicy') !== 'SingleStack' && fams.length === 1 && (headlessSelectorless || clusterFamilies.length === 2))
    fams.push(fams[0] === 'IPv4' ? 'IPv6' : 'IPv4');
  spec['ipFamilies'] = fams;
}

/** Everything a new Service gets before validation. */
export function defaultServiceOnCreate(svc: Obj, clusterFamilies: ReadonlyArray<IPFamily> = ['IPv4']): void {
  setServiceDefaults(svc);
  normalizeClusterIPsOnCreate(ensureObj(svc, 'spec'));
  initServiceIPFamilies(svc, clusterFamilies);
}

const needsClusterIP = (s: Obj): boolean => getStr(s, 'type') !== 'ExternalName';
const needsNodePort = (s: Obj): boolean => getStr(s, 'type') === 'NodePort' || getStr(s, 'type') === 'LoadBalancer';
const needsHCNodePort = (s: Obj): boolean => getStr(s, 'type') === 'LoadBalancer' && getStr(s, 'externalTrafficPolicy') === 'Local';

/**
 * The Service strategy's `PrepareForUpdate` field work, run after defaults on
 * the new object: keep allocated clusterIPs/nodePorts/healthCheckNodePort the
 * request omitted, normalize clusterIP/clusterIPs, wipe fields a type change
 * made meaningless (when the user did not also change them), then adopt the
 * stored IP-family policy.
 */
export function prepareServiceForUpdate(svc: Obj, old: Obj, clusterFamilies: ReadonlyArray<IPFamily> = ['IPv4']): void {
  const spec = ensureObj(svc, 'spec');
  const oldSpec = getObj(old, 'spec') ?? {};
  // patchAllocatedValues
  if (needsClusterIP(oldSpec) && needsClusterIP(spec)) {
    if (getStr(spec, 'clusterIP') === '' && getStr(oldSpec, 'clusterIP') !== '') spec['clusterIP'] = oldSpec['clusterIP'];
    if (getArr(spec, 'clusterIPs').length === 0 && getArr(oldSpec, 'clusterIPs').length > 0) spec['clusterIPs'] = [...getStrArr(oldSpec, 'clusterIPs')];
  }
  if (needsNodePort(oldSpec) && needsNodePort(spec)) {
    const used = (s: Obj): Set<number> => new Set(getObjArr(s, 'ports').map((p) => getNum(p, 'nodePort')).filter((n) => n !== 0));
    const newUsed = used(spec);
    const inBoth = new Set([...used(oldSpec)].filter((n) => newUsed.has(n)));
    const byName = new Map(getObjArr(oldSpec, 'ports').map((p) => [getStr(p, 'name'), getNum(p, 'nodePort')] as const));
    for (const p of getObjArr(spec, 'ports')) {
      if (getNum(p, 'nodePort') !== 0) continue;
      const oldVal = byName.get(getStr(p, 'name')) ?? 0;
      if (oldVal !== 0 && !inBoth.has(oldVal)) p['nodePort'] = oldVal;
    }
  }
  if (needsHCNodePort(oldSpec) && needsHCNodePort(spec) && getNum(spec, 'healthCheckNodePort') === 0 && getNum(oldSpec, 'healthCheckNodePort') !== 0)
    spec['healthCheckNodePort'] = oldSpec['healthCheckNodePort'];
  // NormalizeClusterIPs (update)
  const oldIP = getStr(oldSpec, 'clusterIP');
  const newIP = getStr(spec, 'clusterIP');
  const sameIPs = semanticEqual(oldSpec['clusterIPs'], spec['clusterIPs']);
  if (oldIP !== '' && newIP === '' && sameIPs) delete spec['clusterIPs'];
  if (newIP !== '' && newIP !== oldIP && sameIPs) spec['clusterIPs'] = [newIP];
  // dropTypeDependentFields
  if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
    if (getStr(spec, 'clusterIP') === oldIP && semanticEqual(spec['clusterIPs'], oldSpec['clusterIPs'])) {
      delete spec['clusterIP'];
      delete spec['clusterIPs'];
    }
    if (semanticEqual(spec['ipFamilies'], oldSpec['ipFamilies'])) delete spec['ipFamilies'];
    if (spec['ipFamilyPolicy'] === oldSpec['ipFamilyPolicy']) delete spec['ipFamilyPolicy'];
  }
  if (needsNodePort(oldSpec) && !needsNodePort(spec)) {
    const np = (s: Obj): number[] => getObjArr(s, 'ports').map((p) => getNum(p, 'nodePort'));
    if (semanticEqual(np(spec), np(oldSpec)) || np(spec).every((n) => n === 0 || np(oldSpec).includes(n)))
      for (const p of getObjArr(spec, 'ports')) delete p['nodePort'];
  }
  if (needsHCNodePort(oldSpec) && !needsHCNodePort(spec) && getNum(spec, 'healthCheckNodePort') === getNum(oldSpec, 'healthCheckNodePort'))
    delete spec['healthCheckNodePort'];
  if (getStr(oldSpec, 'type') === 'LoadBalancer' && getStr(spec, 'type') !== 'LoadBalancer') {
    if (spec['allocateLoadBalancerNodePorts'] !== undefined && spec['allocateLoadBalancerNodePorts'] === oldSpec['allocateLoadBalancerNodePorts'])
      delete spec['allocateLoadBalancerNodePorts'];
    if (spec['loadBalancerClass'] === oldSpec['loadBalancerClass']) delete spec['loadBalancerClass'];
  }
  if (externallyAccessible(oldSpec) && !needsNodePort(spec) && !externallyAccessible(spec) && spec['externalTrafficPolicy'] === oldSpec['externalTrafficPolicy'])
    delete spec['externalTrafficPolicy'];
  if (getStr(spec, 'type') !== 'LoadBalancer' && isObj(svc['status'])) ensureObj(svc, 'status')['loadBalancer'] = {};
  initServiceIPFamilies(svc, clusterFamilies, old);
}
