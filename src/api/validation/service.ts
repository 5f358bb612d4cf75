/**
 * @module api/validation/service
 * Service validation as kube-apiserver applies it, in its three phases:
 *
 *   1. IP-family init (registry `initIPFamilyFields`): the clusterIP/clusterIPs/
 *      ipFamilies/ipFamilyPolicy checks, and families the cluster lacks;
 *   2. NodePort allocation (registry `initNodePorts`): a requested nodePort
 *      outside the range fails alone ("provided port is not in the valid range");
 *   3. `ValidateService` / `ValidateServiceUpdate` (core validation).
 *
 * A phase that finds errors ends the request with only its errors, exactly as
 * the real server answers. Allocation itself (free IPs, ports in use) belongs to
 * the allocators; only the range checks that fail before allocation are here.
 */

import { type FieldError, FieldPath, duplicate, forbidden, invalid, notSupported, required } from '../field-errors.js';
import { isDNS1123Subdomain, isQualifiedName, isValidPortNum, nameIsDNS1035Label } from './formats.js';
import { validateDNS1123Label, validatePortNumOrName, SUPPORTED_PORT_PROTOCOLS } from './container.js';
import { goServicePortKey, goStrSlice } from './go-value.js';
import { cidrContains, isIPv6String, parseCIDR, parseIP, validateCIDR, validateIP, validateNonSpecialIP } from './ip.js';
import { validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './metadata.js';
import {
  type Obj,
  getIntOrString,
  getNum,
  getObj,
  getObjArr,
  getOptNum,
  getOptStr,
  getStr,
  getStrArr,
  getStrMap,
  has,
} from './unstructured.js';

export type IPFamily = 'IPv4' | 'IPv6';

/** Cluster configuration the allocation-phase checks need. */
export interface ServiceClusterConfig {
  /** `--service-node-port-range`, inclusive. */
  readonly nodePortRange: { readonly min: number; readonly max: number };
  /** Families with a service CIDR, primary first. */
  readonly ipFamilies: ReadonlyArray<IPFamily>;
  /** `--service-cluster-ip-range` per family; requested clusterIPs must fall inside. */
  readonly serviceCIDRs?: Readonly<Partial<Record<IPFamily, string>>>;
}

/** kind's defaults: single-stack IPv4, 10.96.0.0/12, ports 30000-32767. */
export const DEFAULT_SERVICE_CLUSTER_CONFIG: ServiceClusterConfig = {
  nodePortRange: { min: 30000, max: 32767 },
  ipFamilies: ['IPv4'],
  serviceCIDRs: { IPv4: '10.96.0.0/12' },
};

const SPEC = FieldPath.of('spec');

const type = (svc: Obj | undefined): string => getStr(getObj(svc, 'spec'), 'type');

/** `isHeadlessService`: clusterIPs is exactly ["None"]. */
export function isHeadlessService(svc: Obj | undefined): boolean {
  const ips = getStrArr(getObj(svc, 'spec'), 'clusterIPs');
  return ips.length === 1 && ips[0] === 'None';
}

/** `apiservice.ExternallyAccessible`. */
export function externallyAccessible(svc: Obj | undefined): boolean {
  const t = type(svc);
  return t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && getStrArr(getObj(svc, 'spec'), 'externalIPs').length > 0);
}

/** `apiservice.NeedsHealthCheck`. */
export function needsHealthCheck(svc: Obj | undefined): boolean {
  return type(svc) === 'LoadBalancer' && getStr(getObj(svc, 'spec'), 'externalTrafficPolicy') === 'Local';
}

/** `ValidateServiceClusterIPsRelatedFields`. */
export function validateServiceClusterIPsRelatedFields(svc: Obj): FieldError[] {
  if (type(svc) === 'ExternalName') return [];
  const spec = getObj(svc, 'spec');
  const errs: FieldError[] = [];
  const ipsPath = SPEC.child('clusterIPs');
  const clusterIP = getStr(spec, 'clusterIP');
  const hasIPs = Array.isArray(spec?.['clusterIPs']);
  const ips = getStrArr(spec, 'clusterIPs');
  const ipsValue = goStrSlice(hasIPs ? ips : undefined);
  if (clusterIP.length !== 0) {
    if (ips.length === 0) errs.push(required(ipsPath));
    else if (ips[0] !== clusterIP) errs.push(invalid(ipsPath, ipsValue, 'first value must match `clusterIP`'));
  } else if (ips.length !== 0) {
    errs.push(invalid(ipsPath, ipsValue, 'must be empty when `clusterIP` is not specified'));
  }
  const seen = new Set<string>();
  getStrArr(spec, 'ipFamilies').forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(SPEC.child('ipFamilies').index(i), f, ['IPv4', 'IPv6']));
    if (seen.has(f)) errs.push(duplicate(SPEC.child('ipFamilies').index(i), f));
    seen.add(f);
  });
  const policy = getOptStr(spec, 'ipFamilyPolicy');
  if (policy !== undefined && !['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(policy))
    errs.push(notSupported(SPEC.child('ipFamilyPolicy'), policy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  let invalidIPs = false;
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) {
        invalidIPs = true;
        errs.push(invalid(ipsPath, ipsValue, "'None' must be the first and only value"));
      }
      return;
    }
    const e = validateIP(ipsPath.index(i), ip);
    if (e.length > 0) invalidIPs = true;
    errs.push(...e);
  });
  if (ips.length > 2) errs.push(invalid(ipsPath, ipsValue, 'may only hold up to 2 values'));
  if (invalidIPs) return errs;
  if (ips.length > 1) {
    const v6 = ips.map(isIPv6String);
    if (v6[0] === v6[1] || ips.length > 2) errs.push(invalid(ipsPath, ipsValue, 'may specify no more than one IP for each IP family'));
  }
  const fams = getStrArr(spec, 'ipFamilies');
  if (!isHeadlessService(svc) && ips.length > 0 && fams.length > 0) {
    ips.forEach((ip, i) => {
      if (i > fams.length - 1) return;
      if (fams[i] === 'IPv4' && isIPv6String(ip)) errs.push(invalid(ipsPath.index(i), ip, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (fams[i] === 'IPv6' && !isIPv6String(ip)) errs.push(invalid(ipsPath.index(i), ip, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return errs;
}

const familyOf = (ip: string): IPFamily => (isIPv6String(ip) ? 'IPv6' : 'IPv4');

/** Phase 1: what `initIPFamilyFields` and the IP allocator reject before validation. */
function ipFamilyPhase(svc: Obj, cfg: ServiceClusterConfig, creating: boolean): FieldError[] {
  if (type(svc) === 'ExternalName') return [];
  const early = validateServiceClusterIPsRelatedFields(svc);
  if (early.length > 0) return early;
  const spec = getObj(svc, 'spec');
  const errs: FieldError[] = [];
  const policy = getOptStr(spec, 'ipFamilyPolicy');
  const ips = getStrArr(spec, 'clusterIPs');
  const fams = getStrArr(spec, 'ipFamilies');
  if (policy === 'SingleStack') {
    if (ips.length === 2)
      errs.push(invalid(SPEC.child('ipFamilyPolicy'), policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    if (fams.length === 2)
      errs.push(invalid(SPEC.child('ipFamilyPolicy'), policy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
  }
  for (let i = 0; i < ips.length; i++) {
    const ip = ips[i] ?? '';
    if (ip === 'None') break;
    if (i >= fams.length && !cfg.ipFamilies.includes(familyOf(ip)))
      errs.push(invalid(SPEC.child('clusterIPs').index(i), goStrSlice(ips), `${familyOf(ip)} is not configured on this cluster`));
  }
  if (errs.length > 0) return errs;
  if (getStr(spec, 'clusterIP') === 'None' && Object.keys(getStrMap(spec, 'selector') ?? {}).length === 0) return [];
  if (policy === 'RequireDualStack' && cfg.ipFamilies.length < 2)
    errs.push(invalid(SPEC.child('ipFamilyPolicy'), policy, 'this cluster is not configured for dual-stack services'));
  fams.forEach((f, i) => {
    if (!cfg.ipFamilies.includes(f as IPFamily)) errs.push(invalid(SPEC.child('ipFamilies').index(i), f, 'not configured on this cluster'));
  });
  if (errs.length > 0 || !creating) return errs;
  for (const ip of ips) {
    if (ip === 'None' || ip === '') continue;
    const cidrText = cfg.serviceCIDRs?.[familyOf(ip)];
    const cidr = cidrText === undefined ? undefined : parseCIDR(cidrText);
    const parsed = parseIP(ip);
    if (cidr !== undefined && parsed !== undefined && !cidrContains(cidr, parsed))
      return [
        invalid(
          SPEC.child('clusterIPs'),
          goStrSlice(ips),
          `failed to allocate IP ${ip}: the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${cidrText ?? ''}`,
        ),
      ];
  }
  return [];
}

/** Phase 2: a requested nodePort outside the range fails allocation (first one only). */
function nodePortPhase(svc: Obj, cfg: ServiceClusterConfig, old?: Obj): FieldError[] {
  const t = type(svc);
  if (t !== 'NodePort' && t !== 'LoadBalancer') return [];
  const oldPorts = new Set(getObjArr(getObj(old, 'spec'), 'ports').map((p) => getNum(p, 'nodePort')));
  const { min, max } = cfg.nodePortRange;
  const ports = getObjArr(getObj(svc, 'spec'), 'ports');
  for (let i = 0; i < ports.length; i++) {
    const np = getNum(ports[i], 'nodePort');
    if (np === 0 || (old !== undefined && oldPorts.has(np))) continue;
    if (np < min || np > max)
      return [
        invalid(
          SPEC.child('ports').index(i).child('nodePort'),
          np,
          `provided port is not in the valid range. The range of valid ports is ${min}-${max}`,
        ),
      ];
  }
  return [];
}

function validateServicePort(sp: Obj, requireName: boolean, names: Set<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = getStr(sp, 'name');
  if (requireName && name.length === 0) errs.push(required(path.child('name')));
  else if (name.length !== 0) {
    errs.push(...validateDNS1123Label(name, path.child('name')));
    if (names.has(name)) errs.push(duplicate(path.child('name'), name));
    else names.add(name);
  }
  const port = getNum(sp, 'port');
  for (const m of isValidPortNum(port)) errs.push(invalid(path.child('port'), port, m));
  const proto = getStr(sp, 'protocol');
  if (proto.length === 0) errs.push(required(path.child('protocol')));
  else if (!(SUPPORTED_PORT_PROTOCOLS as ReadonlyArray<string>).includes(proto)) errs.push(notSupported(path.child('protocol'), proto, SUPPORTED_PORT_PROTOCOLS));
  errs.push(...validatePortNumOrName(getIntOrString(sp, 'targetPort'), path.child('targetPort')));
  const ap = getOptStr(sp, 'appProtocol');
  if (ap !== undefined) for (const m of isQualifiedName(ap)) errs.push(invalid(path.child('appProtocol'), ap, m));
  return errs;
}

function validateClientIPAffinityConfig(cfg: Obj | undefined, path: FieldPath): FieldError[] {
  const detail = 'when session affinity type is ClientIP';
  if (cfg === undefined) return [required(path, detail)];
  const clientIP = getObj(cfg, 'clientIP');
  if (clientIP === undefined) return [required(path.child('clientIP'), detail)];
  const t = getOptNum(clientIP, 'timeoutSeconds');
  if (t === undefined) return [required(path.child('clientIP', 'timeoutSeconds'), detail)];
  return t <= 0 || t > 86400 ? [invalid(path.child('clientIP', 'timeoutSeconds'), t, 'must be greater than 0 and less than 86400')] : [];
}

function validateLoadBalancerClass(svc: Obj, old: Obj | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const path = SPEC.child('loadBalancerClass');
  const cls = getOptStr(getObj(svc, 'spec'), 'loadBalancerClass');
  if (old !== undefined && type(old) === 'LoadBalancer' && type(svc) === 'LoadBalancer') {
    if (cls !== getOptStr(getObj(old, 'spec'), 'loadBalancerClass')) errs.push(invalid(path, cls ?? null, 'may not change once set'));
  }
  if (type(svc) === 'LoadBalancer') {
    if (cls !== undefined) for (const m of isQualifiedName(cls)) errs.push(invalid(path, cls, m));
  } else if (cls !== undefined) {
    errs.push(forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
  }
  return errs;
}

/** `ValidateService` (phase 3). */
export function validateService(svc: Obj): FieldError[] {
  const meta = getObj(svc, 'metadata');
  const spec = getObj(svc, 'spec');
  const errs = validateObjectMeta(meta, { nameFn: nameIsDNS1035Label, namespaced: true });
  const ann = getStrMap(meta, 'annotations') ?? {};
  const hints = ann['service.kubernetes.io/topology-aware-hints'];
  const mode = ann['service.kubernetes.io/topology-mode'];
  if (hints !== undefined && mode !== undefined && hints !== mode)
    errs.push(
      invalid(
        FieldPath.of('metadata', 'annotations').key('service.kubernetes.io/topology-mode'),
        mode,
        'must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified',
      ),
    );
  const t = getStr(spec, 'type');
  const ports = getObjArr(spec, 'ports');
  const headless = isHeadlessService(svc);
  const ips = getStrArr(spec, 'clusterIPs');
  if (ports.length === 0 && !headless && t !== 'ExternalName') errs.push(required(SPEC.child('ports')));
  if ((t === 'LoadBalancer' || t === 'NodePort') && headless)
    errs.push(invalid(SPEC.child('clusterIPs').index(0), ips[0] ?? '', `may not be set to 'None' for ${t} services`));
  if (t === 'ExternalName') {
    if (ips.length > 0) errs.push(forbidden(SPEC.child('clusterIPs'), 'may not be set for ExternalName services'));
    if (getStrArr(spec, 'ipFamilies').length > 0) errs.push(forbidden(SPEC.child('ipFamilies'), 'may not be set for ExternalName services'));
    if (has(spec, 'ipFamilyPolicy')) errs.push(forbidden(SPEC.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
    const en = getStr(spec, 'externalName');
    const cname = en.endsWith('.') ? en.slice(0, -1) : en;
    if (cname.length > 0) for (const m of isDNS1123Subdomain(cname)) errs.push(invalid(SPEC.child('externalName'), cname, m));
    else errs.push(required(SPEC.child('externalName')));
  }
  const names = new Set<string>();
  ports.forEach((p, i) => errs.push(...validateServicePort(p, ports.length > 1, names, SPEC.child('ports').index(i))));
  const selector = getStrMap(spec, 'selector');
  if (selector !== undefined) errs.push(...validateLabels(selector, SPEC.child('selector')));
  const sa = getStr(spec, 'sessionAffinity');
  if (sa.length === 0) errs.push(required(SPEC.child('sessionAffinity')));
  else if (sa !== 'ClientIP' && sa !== 'None') errs.push(notSupported(SPEC.child('sessionAffinity'), sa, ['ClientIP', 'None']));
  if (sa === 'ClientIP') errs.push(...validateClientIPAffinityConfig(getObj(spec, 'sessionAffinityConfig'), SPEC.child('sessionAffinityConfig')));
  else if (sa === 'None' && has(spec, 'sessionAffinityConfig'))
    errs.push(forbidden(SPEC.child('sessionAffinityConfig'), 'must not be set when session affinity is None'));
  errs.push(...validateServiceClusterIPsRelatedFields(svc));
  getStrArr(spec, 'externalIPs').forEach((ip, i) => {
    const p = SPEC.child('externalIPs').index(i);
    const e = validateIP(p, ip);
    errs.push(...(e.length > 0 ? e : validateNonSpecialIP(p, ip)));
  });
  if (t.length === 0) errs.push(required(SPEC.child('type')));
  else if (!['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'].includes(t))
    errs.push(notSupported(SPEC.child('type'), t, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']));
  if (t === 'ClusterIP')
    ports.forEach((p, i) => {
      if (getNum(p, 'nodePort') !== 0) errs.push(forbidden(SPEC.child('ports').index(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
    });
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const np = getNum(p, 'nodePort');
    if (np === 0) return;
    const key = `${getStr(p, 'protocol')}/${np}`;
    if (nodePorts.has(key)) errs.push(duplicate(SPEC.child('ports').index(i).child('nodePort'), np));
    nodePorts.add(key);
  });
  const portKeys = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${getStr(p, 'protocol')}/${getNum(p, 'port')}`;
    if (portKeys.has(key)) errs.push(duplicate(SPEC.child('ports').index(i), goServicePortKey(getStr(p, 'protocol'), getNum(p, 'port'))));
    portKeys.add(key);
  });
  const ranges = getStrArr(spec, 'loadBalancerSourceRanges');
  const lbAnnotation = ann['service.beta.kubernetes.io/load-balancer-source-ranges'];
  if (ranges.length > 0) {
    const p = SPEC.child('LoadBalancerSourceRanges');
    if (t !== 'LoadBalancer') errs.push(forbidden(p, "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => errs.push(...validateCIDR(p.index(i), r.trim())));
  } else if (lbAnnotation !== undefined) {
    const p = FieldPath.of('metadata', 'annotations').key('service.beta.kubernetes.io/load-balancer-source-ranges');
    if (t !== 'LoadBalancer') errs.push(forbidden(p, "may only be used when `type` is 'LoadBalancer'"));
    const v = lbAnnotation.trim();
    if (v !== '') for (const c of v.split(',')) errs.push(...validateCIDR(p, c.trim()));
  }
  if (has(spec, 'allocateLoadBalancerNodePorts') && t !== 'LoadBalancer')
    errs.push(forbidden(SPEC.child('allocateLoadBalancerNodePorts'), "may only be used when `type` is 'LoadBalancer'"));
  if (t === 'LoadBalancer' && !has(spec, 'allocateLoadBalancerNodePorts')) errs.push(required(FieldPath.of('allocateLoadBalancerNodePorts')));
  errs.push(...validateLoadBalancerClass(svc, undefined));
  const etp = getStr(spec, 'externalTrafficPolicy');
  if (!externallyAccessible(svc)) {
    if (etp !== '') errs.push(invalid(SPEC.child('externalTrafficPolicy'), etp, 'may only be set for externally-accessible services'));
  } else if (etp === '') errs.push(required(SPEC.child('externalTrafficPolicy')));
  else if (etp !== 'Cluster' && etp !== 'Local') errs.push(notSupported(SPEC.child('externalTrafficPolicy'), etp, ['Cluster', 'Local']));
  const hc = getNum(spec, 'healthCheckNodePort');
  if (!needsHealthCheck(svc)) {
    if (hc !== 0)
      errs.push(invalid(SPEC.child('healthCheckNodePort'), hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (hc !== 0) {
    // 0 means "not yet allocated": kwire's allocator fills it after admission.
    for (const m of isValidPortNum(hc)) errs.push(invalid(SPEC.child('healthCheckNodePort'), hc, m));
  }
  const itp = getOptStr(spec, 'internalTrafficPolicy');
  if (itp === undefined) {
    if (t === 'NodePort' || t === 'LoadBalancer' || t === 'ClusterIP') errs.push(required(SPEC.child('internalTrafficPolicy')));
  } else if (itp !== 'Cluster' && itp !== 'Local') errs.push(notSupported(SPEC.child('internalTrafficPolicy'), itp, ['Cluster', 'Local']));
  const td = getOptStr(spec, 'trafficDistribution');
  if (td !== undefined && td !== 'PreferClose') errs.push(notSupported(SPEC.child('trafficDistribution'), td, ['PreferClose']));
  return errs;
}

function validateUpgradeDowngradeClusterIPs(old: Obj, svc: Obj): FieldError[] {
  if (type(svc) === 'ExternalName' || type(old) === 'ExternalName') return [];
  if (isHeadlessService(old) && isHeadlessService(svc)) return [];
  const errs: FieldError[] = [];
  const o = getStrArr(getObj(old, 'spec'), 'clusterIPs');
  const n = getStrArr(getObj(svc, 'spec'), 'clusterIPs');
  const nv = goStrSlice(Array.isArray(getObj(svc, 'spec')?.['clusterIPs']) ? n : undefined);
  const p = SPEC.child('clusterIPs');
  const policy = getOptStr(getObj(svc, 'spec'), 'ipFamilyPolicy');
  if (o.length === n.length) {
    o.forEach((ip, i) => {
      if (ip !== n[i]) errs.push(invalid(p.index(i), nv, 'may not change once set'));
    });
  } else if (o.length > n.length) {
    if (n.length === 0) errs.push(invalid(p.index(0), nv, 'primary clusterIP can not be unset'));
    if (o.length > 0 && n.length > 0 && n[0] !== o[0]) errs.push(invalid(p.index(0), nv, 'may not change once set'));
    if (n.length === 1 && policy !== 'SingleStack')
      errs.push(invalid(SPEC.child('ipFamilyPolicy'), policy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
  } else if (o.length > 0 && n[0] !== o[0]) {
    errs.push(invalid(p.index(0), nv, 'may not change once set'));
  }
  return errs;
}

function validateUpgradeDowngradeIPFamilies(old: Obj, svc: Obj): FieldError[] {
  if (type(svc) === 'ExternalName' || type(old) === 'ExternalName') return [];
  if (isHeadlessService(old) !== isHeadlessService(svc) || isHeadlessService(svc)) return [];
  const errs: FieldError[] = [];
  const spec = getObj(svc, 'spec');
  const o = getStrArr(getObj(old, 'spec'), 'ipFamilies');
  const n = getStrArr(spec, 'ipFamilies');
  const famValue = goStrSlice(Array.isArray(spec?.['ipFamilies']) ? n : undefined, '[]core.IPFamily');
  const ipsValue = goStrSlice(Array.isArray(spec?.['clusterIPs']) ? getStrArr(spec, 'clusterIPs') : undefined);
  const p = SPEC.child('ipFamilies').index(0);
  const policy = getOptStr(spec, 'ipFamilyPolicy');
  if (o.length === n.length) {
    o.forEach((f, i) => {
      if (f !== n[i]) errs.push(invalid(p, famValue, 'may not change once set'));
    });
  } else if (o.length > n.length) {
    if (getStrArr(spec, 'clusterIPs').length === 0) errs.push(invalid(p, famValue, 'primary ipFamily can not be unset'));
    if (n.length > 0 && n[0] !== o[0]) errs.push(invalid(p, ipsValue, 'may not change once set'));
    if (n.length === 1 && policy !== 'SingleStack')
      errs.push(invalid(SPEC.child('ipFamilyPolicy'), policy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
  } else if (o.length > 0 && n.length > 0 && n[0] !== o[0]) {
    errs.push(invalid(p, ipsValue, 'may not change once set'));
  }
  return errs;
}

/** `ValidateServiceUpdate` (phase 3 on update). */
export function validateServiceUpdate(svc: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(getObj(svc, 'metadata'), getObj(old, 'metadata'));
  errs.push(...validateUpgradeDowngradeClusterIPs(old, svc));
  errs.push(...validateUpgradeDowngradeIPFamilies(old, svc));
  errs.push(...validateLoadBalancerClass(svc, old));
  if (needsHealthCheck(old) && needsHealthCheck(svc) && getNum(getObj(svc, 'spec'), 'healthCheckNodePort') !== getNum(getObj(old, 'spec'), 'healthCheckNodePort'))
    errs.push(forbidden(SPEC.child('healthCheckNodePort'), 'field is immutable'));
  errs.push(...validateService(svc));
  return errs;
}

/** All three create phases: what kube-apiserver reports for a new Service. */
export function validateServiceCreatePhases(svc: Obj, cfg: ServiceClusterConfig = DEFAULT_SERVICE_CLUSTER_CONFIG): FieldError[] {
  const p1 = ipFamilyPhase(svc, cfg, true);
  if (p1.length > 0) return p1;
  const p2 = nodePortPhase(svc, cfg);
  if (p2.length > 0) return p2;
  return validateService(svc);
}

/** All three update phases. */
export function validateServiceUpdatePhases(svc: Obj, old: Obj, cfg: ServiceClusterConfig = DEFAULT_SERVICE_CLUSTER_CONFIG): FieldError[] {
  const p1 = ipFamilyPhase(svc, cfg, false);
  if (p1.length > 0) return p1;
  const p2 = nodePortPhase(svc, cfg, old);
  if (p2.length > 0) return p2;
  return validateServiceUpdate(svc, old);
}
