/**
 * @module api/validation/ingress
 * networking.k8s.io/v1 Ingress and IngressClass validation
 * (`pkg/apis/networking/validation`, 1.32 rules: backend Service names are
 * DNS-1035 labels; invalid wildcard-host rules and TLS secret names are only
 * tolerated on update when the stored object already had them).
 */

import { type FieldError, FieldPath, forbidden, invalid, notSupported, required, tooLong } from '../field-errors.js';
import {
  byteLen,
  isDNS1123Subdomain,
  isDomainPrefixedPath,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  isWildcardDNS1123Subdomain,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
} from './formats.js';
import { goEmptyList } from './go-value.js';
import { parseIP } from './ip.js';
import { validateImmutable, validateObjectMeta, validateObjectMetaUpdate } from './metadata.js';
import { type Obj, getNum, getObj, getObjArr, getOptStr, getStr, getStrArr, getStrMap, has } from './unstructured.js';

const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

interface IngressOptions {
  readonly allowInvalidSecretName: boolean;
  readonly allowInvalidWildcardHostRule: boolean;
}

function validateTypedLocalObjectReference(ref: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const apiGroup = getOptStr(ref, 'apiGroup');
  if (apiGroup !== undefined) for (const m of isDNS1123Subdomain(apiGroup)) errs.push(invalid(path.child('apiGroup'), apiGroup, m));
  for (const f of ['kind', 'name']) {
    const v = getStr(ref, f);
    if (v === '') errs.push(required(path.child(f)));
    else for (const m of isValidPathSegmentName(v)) errs.push(invalid(path.child(f), v, m));
  }
  return errs;
}

/** `validateIngressBackend`: service XOR resource; port name XOR number. */
function validateIngressBackend(backend: Obj, path: FieldPath): FieldError[] {
  const resource = getObj(backend, 'resource');
  const service = getObj(backend, 'service');
  if (resource !== undefined && service !== undefined) return [invalid(path, '', 'cannot set both resource and service backends')];
  if (resource !== undefined) return validateTypedLocalObjectReference(resource, path.child('resource'));
  if (service === undefined) return [invalid(path, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  const name = getStr(service, 'name');
  if (name.length === 0) errs.push(required(path.child('service', 'name')));
  else for (const m of nameIsDNS1035Label(name, false)) errs.push(invalid(path.child('service', 'name'), name, m));
  const port = getObj(service, 'port');
  const portName = getStr(port, 'name');
  const portNumber = getNum(port, 'number');
  if (portName.length > 0 && portNumber !== 0) errs.push(invalid(path, '', 'cannot set both port name & port number'));
  else if (portName.length > 0) for (const m of isValidPortName(portName)) errs.push(invalid(path.child('service', 'port', 'name'), portName, m));
  else if (portNumber !== 0) for (const m of isValidPortNum(portNumber)) errs.push(invalid(path.child('service', 'port', 'number'), portNumber, m));
  else errs.push(required(path, 'port name or number is required'));
  return errs;
}

function validateHTTPIngressPath(p: Obj, path: FieldPath): FieldError[] {
  const pathType = getOptStr(p, 'pathType');
  if (pathType === undefined) return [required(path.child('pathType'), 'pathType must be specified')];
  const errs: FieldError[] = [];
  const value = getStr(p, 'path');
  const pp = path.child('path');
  if (pathType === 'Exact' || pathType === 'Prefix') {
    if (!value.startsWith('/')) errs.push(invalid(pp, value, 'must be an absolute path'));
    if (value.length > 0) {
      for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) errs.push(invalid(pp, value, `must not contain '${seq}'`));
      for (const suf of INVALID_PATH_SUFFIXES) if (value.endsWith(suf)) errs.push(invalid(pp, value, `cannot end with '${suf}'`));
    }
  } else if (pathType === 'ImplementationSpecific') {
    if (value.length > 0 && !value.startsWith('/')) errs.push(invalid(pp, value, 'must be an absolute path'));
  } else {
    errs.push(notSupported(path.child('pathType'), pathType, ['Exact', 'ImplementationSpecific', 'Prefix']));
  }
  errs.push(...validateIngressBackend(getObj(p, 'backend') ?? {}, path.child('backend')));
  return errs;
}

function validateRuleValue(rule: Obj, path: FieldPath): FieldError[] {
  const http = getObj(rule, 'http');
  if (http === undefined) return [];
  const hp = path.child('http');
  const paths = getObjArr(http, 'paths');
  const errs: FieldError[] = [];
  if (paths.length === 0) errs.push(required(hp.child('paths')));
  paths.forEach((p, i) => errs.push(...validateHTTPIngressPath(p, hp.child('paths').index(i))));
  return errs;
}

function validateIngressRules(rules: ReadonlyArray<Obj>, path: FieldPath, opts: IngressOptions): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((rule, i) => {
    const host = getStr(rule, 'host');
    let wildcard = false;
    if (host.length > 0) {
      const hp = path.index(i).child('host');
      if (parseIP(host) !== undefined) errs.push(invalid(hp, host, 'must be a DNS name, not an IP address'));
      if (host.includes('*')) {
        for (const m of isWildcardDNS1123Subdomain(host)) errs.push(invalid(hp, host, m));
        wildcard = true;
      } else {
        for (const m of isDNS1123Subdomain(host)) errs.push(invalid(hp, host, m));
      }
    }
    if (!wildcard || !opts.allowInvalidWildcardHostRule) errs.push(...validateRuleValue(rule, path.index(i)));
  });
  return errs;
}

function validateIngressTLS(tls: ReadonlyArray<Obj>, path: FieldPath, opts: IngressOptions): FieldError[] {
  const errs: FieldError[] = [];
  tls.forEach((t, i) => {
    getStrArr(t, 'hosts').forEach((host, j) => {
      const hp = path.index(i).child('hosts').index(j);
      const msgs = host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
      for (const m of msgs) errs.push(invalid(hp, host, m));
    });
    const secretName = getStr(t, 'secretName');
    if (!opts.allowInvalidSecretName && secretName.length > 0)
      for (const m of nameIsDNSSubdomain(secretName, false)) errs.push(invalid(path.index(i).child('secretName'), secretName, m));
  });
  return errs;
}

function validateIngressSpec(spec: Obj | undefined, opts: IngressOptions): FieldError[] {
  const path = FieldPath.of('spec');
  const errs: FieldError[] = [];
  const rules = getObjArr(spec, 'rules');
  const defaultBackend = getObj(spec, 'defaultBackend');
  if (rules.length === 0 && defaultBackend === undefined)
    errs.push(invalid(path, goEmptyList('[]networking.IngressRule', spec?.['rules']), 'either `defaultBackend` or `rules` must be specified'));
  if (defaultBackend !== undefined) errs.push(...validateIngressBackend(defaultBackend, path.child('defaultBackend')));
  if (rules.length > 0) errs.push(...validateIngressRules(rules, path.child('rules'), opts));
  const tls = getObjArr(spec, 'tls');
  if (tls.length > 0) errs.push(...validateIngressTLS(tls, path.child('tls'), opts));
  const cls = getOptStr(spec, 'ingressClassName');
  if (cls !== undefined) for (const m of nameIsDNSSubdomain(cls, false)) errs.push(invalid(path.child('ingressClassName'), cls, m));
  return errs;
}

function validateIngress(ing: Obj, opts: IngressOptions): FieldError[] {
  return [...validateObjectMeta(getObj(ing, 'metadata'), { nameFn: nameIsDNSSubdomain, namespaced: true }), ...validateIngressSpec(getObj(ing, 'spec'), opts)];
}

/** `ValidateIngressCreate`. */
export function validateIngressCreate(ing: Obj): FieldError[] {
  const errs = validateIngress(ing, { allowInvalidSecretName: false, allowInvalidWildcardHostRule: false });
  const ann = getStrMap(getObj(ing, 'metadata'), 'annotations') ?? {};
  const annClass = ann['kubernetes.io/ingress.class'];
  const cls = getOptStr(getObj(ing, 'spec'), 'ingressClassName');
  if (annClass !== undefined && cls !== undefined && annClass !== cls)
    errs.push(invalid(FieldPath.of('annotations').child('kubernetes.io/ingress.class'), annClass, 'must match `ingressClassName` when both are specified'));
  return errs;
}

/** `ValidateIngressUpdate`: invalid data already stored is tolerated. */
export function validateIngressUpdate(ing: Obj, old: Obj): FieldError[] {
  const oldSpec = getObj(old, 'spec');
  const opts: IngressOptions = {
    allowInvalidSecretName: getObjArr(oldSpec, 'tls').some((t) => {
      const n = getStr(t, 'secretName');
      return n.length > 0 && nameIsDNSSubdomain(n, false).length > 0;
    }),
    allowInvalidWildcardHostRule: getObjArr(oldSpec, 'rules').some((r) => getStr(r, 'host').includes('*') && validateRuleValue(r, FieldPath.of('')).length > 0),
  };
  return [...validateObjectMetaUpdate(getObj(ing, 'metadata'), getObj(old, 'metadata')), ...validateIngress(ing, opts)];
}

function validateParametersReference(params: Obj | undefined, path: FieldPath): FieldError[] {
  if (params === undefined) return [];
  const errs: FieldError[] = [];
  const apiGroup = getOptStr(params, 'apiGroup');
  if (apiGroup !== undefined) for (const m of isDNS1123Subdomain(apiGroup)) errs.push(invalid(path.child('apiGroup'), apiGroup, m));
  for (const f of ['kind', 'name']) {
    const v = getStr(params, f);
    if (v === '') errs.push(required(path.child(f)));
    else for (const m of isValidPathSegmentName(v)) errs.push(invalid(path.child(f), v, m));
  }
  const scope = getOptStr(params, 'scope');
  if (scope === undefined) {
    errs.push(required(path.child('scope')));
    return errs;
  }
  if (scope !== 'Cluster' && scope !== 'Namespace') errs.push(notSupported(path.child('scope'), scope, ['Cluster', 'Namespace']));
  else if (scope === 'Namespace') {
    const ns = getOptStr(params, 'namespace');
    if (ns === undefined) errs.push(required(path.child('namespace'), "`parameters.scope` is set to 'Namespace'"));
    else for (const m of nameIsDNSLabel(ns, false)) errs.push(invalid(path.child('namespace'), ns, m));
  } else if (has(params, 'namespace')) {
    errs.push(forbidden(path.child('namespace'), "`parameters.scope` is set to 'Cluster'"));
  }
  return errs;
}

/** `ValidateIngressClass`. */
export function validateIngressClass(ic: Obj): FieldError[] {
  const errs = validateObjectMeta(getObj(ic, 'metadata'), { nameFn: nameIsDNSSubdomain, namespaced: false });
  const spec = getObj(ic, 'spec');
  const path = FieldPath.of('spec');
  const controller = getStr(spec, 'controller');
  if (controller.length === 0) errs.push(required(path.child('controller')));
  else {
    if (byteLen(controller) > 250) errs.push(tooLong(path.child('controller'), 250));
    for (const e of isDomainPrefixedPath(controller)) errs.push(invalid(path.child('controller'), e.value, e.message));
  }
  errs.push(...validateParametersReference(getObj(spec, 'parameters'), path.child('parameters')));
  return errs;
}

/** `ValidateIngressClassUpdate`: the controller is immutable. */
export function validateIngressClassUpdate(ic: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(getObj(ic, 'metadata'), getObj(old, 'metadata'));
  const c = getStr(getObj(ic, 'spec'), 'controller');
  errs.push(...validateImmutable(c, getStr(getObj(old, 'spec'), 'controller'), FieldPath.of('spec', 'controller'), c));
  errs.push(...validateIngressClass(ic));
  return errs;
}
