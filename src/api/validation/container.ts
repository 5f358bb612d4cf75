/**
 * @module api/validation/container
 * Validation of one container as core `validateContainerCommon`, plus the
 * probe/lifecycle handler, port, env and volume-mount rules it relies on.
 * Pod-level concerns (uniqueness across containers, volumes, restart policy)
 * live in `pod.ts`.
 */

import { type FieldError, type FieldPath, duplicate, forbidden, invalid, notFound, notSupported, required } from '../field-errors.js';
import {
  isConfigMapKey,
  isDNS1123Label,
  isHTTPHeaderName,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
} from './formats.js';
import { IS_NEGATIVE, validateNonnegative } from './metadata.js';
import { compareQuantity, parseQuantity, quantityString } from './quantity.js';
import { type IntOrString, type Obj, getArr, getIntOrString, getNum, getObj, getObjArr, getOptNum, getStr } from './unstructured.js';

export const SUPPORTED_PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'] as const;

/** `ValidateDNS1123Label` at a path. */
export function validateDNS1123Label(value: string, path: FieldPath): FieldError[] {
  return isDNS1123Label(value).map((m) => invalid(path, value, m));
}

/** `ValidatePortNumOrName` for an IntOrString port (absent reads as 0). */
export function validatePortNumOrName(port: IntOrString | undefined, path: FieldPath): FieldError[] {
  if (port === undefined || port.type === 'int') {
    const n = port?.type === 'int' ? port.int : 0;
    return isValidPortNum(n).map((m) => invalid(path, n, m));
  }
  return isValidPortName(port.str).map((m) => invalid(path, port.str, m));
}

/** `validateContainerPorts`. */
export function validateContainerPorts(ports: ReadonlyArray<Obj>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const ip = path.index(i);
    const name = getStr(p, 'name');
    if (name.length > 0) {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) for (const m of msgs) errs.push(invalid(ip.child('name'), name, m));
      else if (names.has(name)) errs.push(duplicate(ip.child('name'), name));
      else names.add(name);
    }
    const cp = getNum(p, 'containerPort');
    if (cp === 0) errs.push(required(ip.child('containerPort')));
    else for (const m of isValidPortNum(cp)) errs.push(invalid(ip.child('containerPort'), cp, m));
    const hp = getNum(p, 'hostPort');
    if (hp !== 0) for (const m of isValidPortNum(hp)) errs.push(invalid(ip.child('hostPort'), hp, m));
    const proto = getStr(p, 'protocol');
    if (proto.length === 0) errs.push(required(ip.child('protocol')));
    else if (!(SUPPORTED_PORT_PROTOCOLS as ReadonlyArray<string>).includes(proto)) errs.push(notSupported(ip.child('protocol'), proto, SUPPORTED_PORT_PROTOCOLS));
  });
  return errs;
}

const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const CONVERTIBLE_FIELD_PATHS = new Set([
  ...ENV_FIELD_PATHS,
  'metadata.annotations',
  'metadata.labels',
  'spec.restartPolicy',
  'spec.schedulerName',
  'status.phase',
]);
const RESOURCE_FIELD_PATHS = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

function validateFieldRef(fs: Obj, path: FieldPath): FieldError[] {
  if (getStr(fs, 'apiVersion').length === 0) return [required(path.child('apiVersion'))];
  const fp = getStr(fs, 'fieldPath');
  if (fp.length === 0) return [required(path.child('fieldPath'))];
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(fp);
  if (sub !== null) {
    const key = sub[1] === 'metadata.annotations' ? (sub[2] ?? '').toLowerCase() : sub[2] ?? '';
    return isQualifiedName(key).map((m) => invalid(path, key, m));
  }
  if (!CONVERTIBLE_FIELD_PATHS.has(fp)) return [invalid(path.child('fieldPath'), fp, `error converting fieldPath: field label not supported: ${fp}`)];
  if (!ENV_FIELD_PATHS.includes(fp)) return [notSupported(path.child('fieldPath'), fp, ENV_FIELD_PATHS)];
  return [];
}

function validateKeySelector(s: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = getStr(s, 'name');
  for (const m of nameIsDNSSubdomain(name, false)) errs.push(invalid(path.child('name'), name, m));
  const key = getStr(s, 'key');
  if (key.length === 0) errs.push(required(path.child('key')));
  else for (const m of isConfigMapKey(key)) errs.push(invalid(path.child('key'), key, m));
  return errs;
}

/** `ValidateEnv` (relaxed names, as enabled by default in 1.32). */
export function validateEnv(env: ReadonlyArray<Obj>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  env.forEach((ev, i) => {
    const ip = path.index(i);
    const name = getStr(ev, 'name');
    if (name.length === 0) errs.push(required(ip.child('name')));
    else for (const m of isRelaxedEnvVarName(name)) errs.push(invalid(ip.child('name'), name, m));
    const vf = getObj(ev, 'valueFrom');
    if (vf === undefined) return;
    const vp = ip.child('valueFrom');
    let n = 0;
    const fieldRef = getObj(vf, 'fieldRef');
    if (fieldRef !== undefined) {
      n++;
      errs.push(...validateFieldRef(fieldRef, vp.child('fieldRef')));
    }
    const rf = getObj(vf, 'resourceFieldRef');
    if (rf !== undefined) {
      n++;
      const res = getStr(rf, 'resource');
      if (res.length === 0) errs.push(required(vp.child('resourceFieldRef', 'resource')));
      else if (!RESOURCE_FIELD_PATHS.includes(res) && !/^(requests|limits)\.hugepages-/.test(res))
        errs.push(notSupported(vp.child('resourceFieldRef', 'resource'), res, RESOURCE_FIELD_PATHS));
    }
    for (const k of ['configMapKeyRef', 'secretKeyRef']) {
      const ref = getObj(vf, k);
      if (ref !== undefined) {
        n++;
        errs.push(...validateKeySelector(ref, vp.child(k)));
      }
    }
    if (n === 0) errs.push(invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (getStr(ev, 'value').length !== 0) errs.push(invalid(vp, '', 'may not be specified when `value` is not empty'));
    else if (n > 1) errs.push(invalid(vp, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

/** `ValidateEnvFrom`. */
export function validateEnvFrom(envFrom: ReadonlyArray<Obj>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  envFrom.forEach((ev, i) => {
    const ip = path.index(i);
    const prefix = getStr(ev, 'prefix');
    if (prefix.length > 0) for (const m of isRelaxedEnvVarName(prefix)) errs.push(invalid(ip.child('prefix'), prefix, m));
    let n = 0;
    for (const k of ['configMapRef', 'secretRef']) {
      const ref = getObj(ev, k);
      if (ref === undefined) continue;
      n++;
      const name = getStr(ref, 'name');
      if (name.length === 0) errs.push(required(ip.child(k, 'name')));
      else for (const m of nameIsDNSSubdomain(name, true)) errs.push(invalid(ip.child(k, 'name'), name, m));
    }
    if (n === 0) errs.push(invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (n > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

function validateLocalDescendingPath(p: string, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  if (p.startsWith('/')) errs.push(invalid(path, p, 'must be a relative path'));
  if (p.split(/[\\/]/).includes('..')) errs.push(invalid(path, p, "must not contain '..'"));
  return errs;
}

/** `ValidateVolumeMounts` (volume devices and propagation are not modelled). */
export function validateVolumeMounts(mounts: ReadonlyArray<Obj>, volumes: ReadonlySet<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  mounts.forEach((m, i) => {
    const ip = path.index(i);
    const name = getStr(m, 'name');
    const mountPath = getStr(m, 'mountPath');
    if (name.length === 0) errs.push(required(ip.child('name')));
    if (!volumes.has(name)) errs.push(notFound(ip.child('name'), name));
    if (mountPath.length === 0) errs.push(required(ip.child('mountPath')));
    if (seen.has(mountPath)) errs.push(invalid(ip.child('mountPath'), mountPath, 'must be unique'));
    seen.add(mountPath);
    const subPath = getStr(m, 'subPath');
    const subPathExpr = getStr(m, 'subPathExpr');
    if (subPath.length > 0) errs.push(...validateLocalDescendingPath(subPath, path.child('subPath')));
    if (subPathExpr.length > 0) {
      if (subPath.length > 0) errs.push(invalid(ip.child('subPathExpr'), subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
      errs.push(...validateLocalDescendingPath(subPathExpr, path.child('subPathExpr')));
    }
  });
  return errs;
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const OVERCOMMIT_FORBIDDEN = (name: string): boolean => name.startsWith('hugepages-') || (name.includes('/') && !name.startsWith('kubernetes.io/') && !name.includes('.kubernetes.io/'));

function validateResourceName(name: string, path: FieldPath): FieldError[] {
  const q = isQualifiedName(name).map((m) => invalid(path, name, m));
  if (q.length > 0) return q;
  if (!name.includes('/') && !STANDARD_CONTAINER_RESOURCES.has(name) && !name.startsWith('hugepages-')) {
    return [invalid(path, name, 'must be a standard resource type or fully qualified'), invalid(path, name, 'must be a standard resource for containers')];
  }
  return [];
}

/** `ValidateContainerResourceRequirements` (names, non-negative, requests ≤ limits). */
export function validateResources(resources: Obj | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const limPath = path.child('limits');
  const reqPath = path.child('requests');
  const limits = getObj(resources, 'limits') ?? {};
  const requests = getObj(resources, 'requests') ?? {};
  const check = (name: string, raw: unknown, p: FieldPath): void => {
    errs.push(...validateResourceName(name, p));
    const q = typeof raw === 'string' ? parseQuantity(raw) : typeof raw === 'number' ? parseQuantity(String(raw)) : undefined;
    if (q !== undefined && q.nanos < 0n) errs.push(invalid(p, quantityString(q), IS_NEGATIVE));
  };
  for (const [name, raw] of Object.entries(limits)) check(name, raw, limPath.key(name));
  for (const [name, raw] of Object.entries(requests)) {
    check(name, raw, reqPath.key(name));
    const q = typeof raw === 'string' ? parseQuantity(raw) : typeof raw === 'number' ? parseQuantity(String(raw)) : undefined;
    const limRaw = limits[name];
    const lim = typeof limRaw === 'string' ? parseQuantity(limRaw) : typeof limRaw === 'number' ? parseQuantity(String(limRaw)) : undefined;
    if (q === undefined) continue;
    if (lim !== undefined) {
      if (compareQuantity(q, lim) !== 0 && OVERCOMMIT_FORBIDDEN(name))
        errs.push(invalid(reqPath, quantityString(q), `must be equal to ${name} limit of ${quantityString(lim)}`));
      else if (compareQuantity(q, lim) > 0)
        errs.push(invalid(reqPath, quantityString(q), `must be less than or equal to ${name} limit of ${quantityString(lim)}`));
    } else if (OVERCOMMIT_FORBIDDEN(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}

type HandlerKind = 'probe' | 'lifecycle';

/** `validateHandler`: exactly one of exec/httpGet/tcpSocket/grpc (probes) or sleep (lifecycle). */
export function validateHandler(h: Obj, kind: HandlerKind, gracePeriod: number | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  const keys = kind === 'probe' ? ['exec', 'httpGet', 'tcpSocket', 'grpc'] : ['exec', 'httpGet', 'tcpSocket', 'sleep'];
  for (const k of keys) {
    const v = getObj(h, k);
    if (v === undefined) continue;
    if (n > 0) {
      errs.push(forbidden(path.child(k), 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    const p = path.child(k);
    switch (k) {
      case 'exec':
        if (getArr(v, 'command').length === 0) errs.push(required(p.child('command')));
        break;
      case 'httpGet': {
        if (getStr(v, 'path').length === 0) errs.push(required(p.child('path')));
        errs.push(...validatePortNumOrName(getIntOrString(v, 'port'), p.child('port')));
        const scheme = getStr(v, 'scheme');
        if (scheme !== 'HTTP' && scheme !== 'HTTPS') errs.push(notSupported(p.child('scheme'), scheme, ['HTTP', 'HTTPS']));
        for (const hdr of getObjArr(v, 'httpHeaders'))
          for (const m of isHTTPHeaderName(getStr(hdr, 'name'))) errs.push(invalid(p.child('httpHeaders'), getStr(hdr, 'name'), m));
        break;
      }
      case 'tcpSocket':
        errs.push(...validatePortNumOrName(getIntOrString(v, 'port'), p.child('port')));
        break;
      case 'grpc': {
        const port = getNum(v, 'port');
        errs.push(...isValidPortNum(port).map((m) => invalid(p.child('port'), port, m)));
        break;
      }
      case 'sleep': {
        const secs = getNum(v, 'seconds');
        if (gracePeriod !== undefined && (secs <= 0 || secs > gracePeriod))
          errs.push(
            invalid(
              p,
              secs,
              `must be greater than 0 and less than terminationGracePeriodSeconds (${gracePeriod}). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.`,
            ),
          );
        break;
      }
      default:
        break;
    }
  }
  if (n === 0) errs.push(required(path, 'must specify a handler type'));
  return errs;
}

export type ProbeKind = 'livenessProbe' | 'readinessProbe' | 'startupProbe';

/** `validateLivenessProbe` / `validateReadinessProbe` / `validateStartupProbe`. */
export function validateProbe(probe: Obj | undefined, kind: ProbeKind, gracePeriod: number | undefined, path: FieldPath): FieldError[] {
  if (probe === undefined) return [];
  const errs = validateHandler(probe, 'probe', gracePeriod, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'])
    errs.push(...validateNonnegative(getNum(probe, f), path.child(f)));
  const tgps = getOptNum(probe, 'terminationGracePeriodSeconds');
  if (tgps !== undefined && tgps <= 0) errs.push(invalid(path.child('terminationGracePeriodSeconds'), tgps, 'must be greater than 0'));
  if (kind === 'readinessProbe') {
    if (tgps !== undefined) errs.push(invalid(path.child('terminationGracePeriodSeconds'), tgps, 'must not be set for readinessProbes'));
  } else {
    const st = getNum(probe, 'successThreshold');
    if (st !== 1) errs.push(invalid(path.child('successThreshold'), st, 'must be 1'));
  }
  return errs;
}

/** `validateLifecycle` (postStart/preStop). */
export function validateLifecycle(lc: Obj, gracePeriod: number | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['postStart', 'preStop']) {
    const h = getObj(lc, k);
    if (h !== undefined) errs.push(...validateHandler(h, 'lifecycle', gracePeriod, path.child(k)));
  }
  return errs;
}

/** `validateContainerCommon`: name, image, ports, env, mounts, pull policy, resources. */
export function validateContainerCommon(ctr: Obj, volumes: ReadonlySet<string>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  const name = getStr(ctr, 'name');
  if (name.length === 0) errs.push(required(path.child('name')));
  else errs.push(...validateDNS1123Label(name, path.child('name')));
  if (getStr(ctr, 'image').length === 0) errs.push(required(path.child('image')));
  const tmp = getStr(ctr, 'terminationMessagePolicy');
  if (tmp.length === 0) errs.push(required(path.child('terminationMessagePolicy')));
  else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError')
    errs.push(notSupported(path.child('terminationMessagePolicy'), tmp, ['File', 'FallbackToLogsOnError']));
  errs.push(...validateContainerPorts(getObjArr(ctr, 'ports'), path.child('ports')));
  errs.push(...validateEnv(getObjArr(ctr, 'env'), path.child('env')));
  errs.push(...validateEnvFrom(getObjArr(ctr, 'envFrom'), path.child('envFrom')));
  errs.push(...validateVolumeMounts(getObjArr(ctr, 'volumeMounts'), volumes, path.child('volumeMounts')));
  const pp = getStr(ctr, 'imagePullPolicy');
  if (pp.length === 0) errs.push(required(path.child('imagePullPolicy')));
  else if (pp !== 'Always' && pp !== 'IfNotPresent' && pp !== 'Never')
    errs.push(notSupported(path.child('imagePullPolicy'), pp, ['Always', 'IfNotPresent', 'Never']));
  errs.push(...validateResources(getObj(ctr, 'resources'), path.child('resources')));
  errs.push(...validateSecurityContext(getObj(ctr, 'securityContext'), path.child('securityContext')));
  return errs;
}

/** The id-range part of `ValidateSecurityContext`. */
function validateSecurityContext(sc: Obj | undefined, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['runAsUser', 'runAsGroup']) {
    const v = getOptNum(sc, k);
    if (v !== undefined && (v < 0 || v > 0xffffffff)) errs.push(invalid(path.child(k), v, `must be between 0 and ${0xffffffff}, inclusive`));
  }
  return errs;
}

/** A container image must not carry leading/trailing whitespace (pods only, not templates). */
export function validateContainerOnlyForPod(ctr: Obj, path: FieldPath): FieldError[] {
  const image = getStr(ctr, 'image');
  return image.length !== image.trim().length ? [invalid(path.child('image'), image, 'must not have leading or trailing whitespace')] : [];
}
