/**
 * @module api/validation/endpoints
 * core/v1 Endpoints (`ValidateEndpoints`) and discovery.k8s.io/v1
 * EndpointSlice (`ValidateEndpointSlice`) validation.
 */

import { type FieldError, FieldPath, duplicate, invalid, notSupported, required, tooMany } from '../field-errors.js';
import { isFullyQualifiedDomainName, isQualifiedName, isValidPortNum, nameIsDNSSubdomain } from './formats.js';
import { SUPPORTED_PORT_PROTOCOLS, validateDNS1123Label } from './container.js';
import { validateIP, validateIPv4, validateIPv6, validateNonSpecialIP } from './ip.js';
import { type Obj, getNum, getObj, getObjArr, getOptStr, getStr, getStrArr, getStrMap } from './unstructured.js';
import { validateImmutable, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './metadata.js';

const META = { nameFn: nameIsDNSSubdomain, namespaced: true };

function validateEndpointAddress(a: Obj, path: FieldPath): FieldError[] {
  const ip = getStr(a, 'ip');
  const errs = validateIP(path.child('ip'), ip);
  const hostname = getStr(a, 'hostname');
  if (hostname.length > 0) errs.push(...validateDNS1123Label(hostname, path.child('hostname')));
  const nodeName = getOptStr(a, 'nodeName');
  if (nodeName !== undefined) for (const m of nameIsDNSSubdomain(nodeName, false)) errs.push(invalid(path.child('nodeName'), nodeName, m));
  errs.push(...validateNonSpecialIP(path.child('ip'), ip, { allowHostLoopback: true }));
  return errs;
}

function validateEndpointPort(p: Obj, requireName: boolean, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = getStr(p, 'name');
  if (requireName && name.length === 0) errs.push(required(path.child('name')));
  else if (name.length !== 0) errs.push(...validateDNS1123Label(name, path.child('name')));
  const port = getNum(p, 'port');
  for (const m of isValidPortNum(port)) errs.push(invalid(path.child('port'), port, m));
  const proto = getStr(p, 'protocol');
  if (proto.length === 0) errs.push(required(path.child('protocol')));
  else if (!(SUPPORTED_PORT_PROTOCOLS as ReadonlyArray<string>).includes(proto)) errs.push(notSupported(path.child('protocol'), proto, SUPPORTED_PORT_PROTOCOLS));
  const ap = getOptStr(p, 'appProtocol');
  if (ap !== undefined) for (const m of isQualifiedName(ap)) errs.push(invalid(path.child('appProtocol'), ap, m));
  return errs;
}

/** `ValidateEndpoints` (create and update share it). */
export function validateEndpoints(ep: Obj): FieldError[] {
  const errs = validateObjectMeta(getObj(ep, 'metadata'), META);
  getObjArr(ep, 'subsets').forEach((ss, i) => {
    const p = FieldPath.of('subsets').index(i);
    const addrs = getObjArr(ss, 'addresses');
    const notReady = getObjArr(ss, 'notReadyAddresses');
    if (addrs.length === 0 && notReady.length === 0) errs.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    addrs.forEach((a, j) => errs.push(...validateEndpointAddress(a, p.child('addresses').index(j))));
    notReady.forEach((a, j) => errs.push(...validateEndpointAddress(a, p.child('notReadyAddresses').index(j))));
    const ports = getObjArr(ss, 'ports');
    ports.forEach((port, j) => errs.push(...validateEndpointPort(port, ports.length > 1, p.child('ports').index(j))));
  });
  return errs;
}

export function validateEndpointsUpdate(ep: Obj, old: Obj): FieldError[] {
  return [...validateObjectMetaUpdate(getObj(ep, 'metadata'), getObj(old, 'metadata')), ...validateEndpoints(ep)];
}

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

function validateSliceEndpoints(eps: ReadonlyArray<Obj>, addrType: string, path: FieldPath): FieldError[] {
  if (eps.length > 1000) return [tooMany(path, eps.length, 1000)];
  const errs: FieldError[] = [];
  eps.forEach((ep, i) => {
    const ip = path.index(i);
    const ap = ip.child('addresses');
    const addrs = getStrArr(ep, 'addresses');
    if (addrs.length === 0) errs.push(required(ap, 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push(tooMany(ap, addrs.length, 100));
    addrs.forEach((a, j) => {
      const p = ap.index(j);
      if (addrType === 'IPv4' || addrType === 'IPv6') {
        const e = addrType === 'IPv4' ? validateIPv4(p, a) : validateIPv6(p, a);
        errs.push(...(e.length > 0 ? e : validateNonSpecialIP(p, a, { allowHostLoopback: true })));
      } else if (addrType === 'FQDN') {
        const r = isFullyQualifiedDomainName(a);
        if (r === 'required') errs.push(required(p));
        else for (const x of r) errs.push(invalid(p, x.value, x.message));
      }
    });
    const nodeName = getOptStr(ep, 'nodeName');
    if (nodeName !== undefined) for (const m of nameIsDNSSubdomain(nodeName, false)) errs.push(invalid(ip.child('nodeName'), nodeName, m));
    const topo = getStrMap(ep, 'deprecatedTopology');
    if (topo !== undefined && Object.keys(topo).length > 16) errs.push(tooMany(ip.child('deprecatedTopology'), Object.keys(topo).length, 16));
    errs.push(...validateLabels(topo, ip.child('deprecatedTopology')));
    const hostname = getOptStr(ep, 'hostname');
    if (hostname !== undefined) errs.push(...validateDNS1123Label(hostname, ip.child('hostname')));
  });
  return errs;
}

function validateSlicePorts(ports: ReadonlyArray<Obj>, path: FieldPath): FieldError[] {
  if (ports.length > 100) return [tooMany(path, ports.length, 100)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const ip = path.index(i);
    const name = getStr(p, 'name');
    if (name.length > 0) errs.push(...validateDNS1123Label(name, ip.child('name')));
    if (names.has(name)) errs.push(duplicate(ip.child('name'), name));
    else names.add(name);
    const proto = getOptStr(p, 'protocol');
    if (proto === undefined) errs.push(required(ip.child('protocol')));
    else if (!(SUPPORTED_PORT_PROTOCOLS as ReadonlyArray<string>).includes(proto)) errs.push(notSupported(ip.child('protocol'), proto, SUPPORTED_PORT_PROTOCOLS));
    const port = p['port'];
    if (typeof port === 'number') for (const m of isValidPortNum(port)) errs.push(invalid(ip.child('port'), port, m));
    const ap = getOptStr(p, 'appProtocol');
    if (ap !== undefined) for (const m of isQualifiedName(ap)) errs.push(invalid(ip.child('appProtocol'), ap, m));
  });
  return errs;
}

/** `ValidateEndpointSliceCreate`. */
export function validateEndpointSlice(slice: Obj): FieldError[] {
  const errs = validateObjectMeta(getObj(slice, 'metadata'), META);
  const at = getStr(slice, 'addressType');
  if (at === '') errs.push(required(FieldPath.of('addressType')));
  else if (!ADDRESS_TYPES.includes(at)) errs.push(notSupported(FieldPath.of('addressType'), at, ADDRESS_TYPES));
  errs.push(...validateSliceEndpoints(getObjArr(slice, 'endpoints'), at, FieldPath.of('endpoints')));
  errs.push(...validateSlicePorts(getObjArr(slice, 'ports'), FieldPath.of('ports')));
  return errs;
}

/**
 * `ValidateEndpointSliceUpdate`: the create rules plus an immutable
 * addressType (upstream's strategy adds no ObjectMeta update check of its own;
 * the generic one runs for every kind).
 */
export function validateEndpointSliceUpdate(slice: Obj, old: Obj): FieldError[] {
  const errs = validateEndpointSlice(slice);
  const at = getStr(slice, 'addressType');
  errs.push(...validateImmutable(at, getStr(old, 'addressType'), FieldPath.of('addressType'), at));
  return errs;
}
