/**
 * @module api/validation/pod
 * Pod, PodSpec and PodTemplateSpec validation (core `ValidatePodCreate`,
 * `ValidatePodSpec`, `ValidatePodTemplateSpec`, `ValidatePodUpdate`). Volume
 * sources are counted and their required names checked; affinity, topology
 * spread, security-context details and ephemeral containers beyond "not on
 * create" are not modelled.
 */

import { type FieldError, FieldPath, duplicate, forbidden, invalid, notSupported, required } from '../field-errors.js';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue, nameIsDNSSubdomain } from './formats.js';
import {
  validateContainerCommon,
  validateContainerOnlyForPod,
  validateDNS1123Label,
  validateLifecycle,
  validateProbe,
} from './container.js';
import { goStrSlice } from './go-value.js';
import { validateIP } from './ip.js';
import { validateAnnotations, validateLabelName, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './metadata.js';
import { type Obj, getArr, getObj, getObjArr, getOptNum, getOptStr, getStr, getStrArr, getStrMap, has, semanticEqual } from './unstructured.js';

/** Volume source fields in upstream's check order, with the path name upstream reports. */
const VOLUME_SOURCES: ReadonlyArray<readonly [string, string]> = [
  ['emptyDir', 'emptyDir'],
  ['hostPath', 'hostPath'],
  ['gitRepo', 'gitRepo'],
  ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'],
  ['secret', 'secret'],
  ['nfs', 'nfs'],
  ['iscsi', 'iscsi'],
  ['glusterfs', 'glusterfs'],
  ['flocker', 'flocker'],
  ['persistentVolumeClaim', 'persistentVolumeClaim'],
  ['rbd', 'rbd'],
  ['cinder', 'cinder'],
  ['cephfs', 'cephFS'],
  ['quobyte', 'quobyte'],
  ['downwardAPI', 'downwarAPI'],
  ['fc', 'fc'],
  ['flexVolume', 'flexVolume'],
  ['configMap', 'configMap'],
  ['azureFile', 'azureFile'],
  ['vsphereVolume', 'vsphereVolume'],
  ['photonPersistentDisk', 'photonPersistentDisk'],
  ['portworxVolume', 'portworxVolume'],
  ['azureDisk', 'azureDisk'],
  ['storageos', 'storageos'],
  ['projected', 'projected'],
  ['scaleIO', 'scaleIO'],
  ['csi', 'csi'],
  ['ephemeral', 'ephemeral'],
  ['image', 'image'],
];

/** The one required field of the common volume sources. */
const VOLUME_REQUIRED: Readonly<Record<string, string>> = {
  hostPath: 'path',
  secret: 'secretName',
  configMap: 'name',
  persistentVolumeClaim: 'claimName',
  nfs: 'server',
};

function validateVolumeSource(vol: Obj, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  for (const [key, reported] of VOLUME_SOURCES) {
    const src = getObj(vol, key);
    if (src === undefined) continue;
    if (n > 0) {
      errs.push(forbidden(path.child(reported), 'may not specify more than 1 volume type'));
      continue;
    }
    n++;
    const req = VOLUME_REQUIRED[key];
    if (req !== undefined && getStr(src, req).length === 0) errs.push(required(path.child(key, req)));
  }
  if (n === 0) errs.push(required(path, 'must specify a volume type'));
  return errs;
}

/** `ValidateVolumes`: returns the accepted volume names with the errors. */
export function validateVolumes(vols: ReadonlyArray<Obj>, path: FieldPath): { names: Set<string>; errors: FieldError[] } {
  const names = new Set<string>();
  const errors: FieldError[] = [];
  vols.forEach((vol, i) => {
    const ip = path.index(i);
    const name = getStr(vol, 'name');
    const el = validateVolumeSource(vol, ip);
    if (name.length === 0) el.push(required(ip.child('name')));
    else el.push(...validateDNS1123Label(name, ip.child('name')));
    if (names.has(name)) el.push(duplicate(ip.child('name'), name));
    if (el.length === 0) names.add(name);
    else errors.push(...el);
  });
  return { names, errors };
}

function checkHostPortConflicts(containers: ReadonlyArray<Obj>, path: FieldPath, seen = new Set<string>()): FieldError[] {
  const errs: FieldError[] = [];
  containers.forEach((c, ci) => {
    getObjArr(c, 'ports').forEach((p, pi) => {
      const hp = getOptNum(p, 'hostPort') ?? 0;
      if (hp === 0) return;
      const key = `${getStr(p, 'protocol')}/${getStr(p, 'hostIP')}/${hp}`;
      if (seen.has(key)) errs.push(duplicate(path.index(ci).child('ports').index(pi).child('hostPort'), key));
      else seen.add(key);
    });
  });
  return errs;
}

function validateContainers(containers: ReadonlyArray<Obj>, volumes: ReadonlySet<string>, grace: number | undefined, path: FieldPath): FieldError[] {
  if (containers.length === 0) return [required(path)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, volumes, p));
    const name = getStr(c, 'name');
    if (names.has(name)) errs.push(duplicate(p.child('name'), name));
    else names.add(name);
    const lc = getObj(c, 'lifecycle');
    if (lc !== undefined) errs.push(...validateLifecycle(lc, grace, p.child('lifecycle')));
    for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) errs.push(...validateProbe(getObj(c, k), k, grace, p.child(k)));
    if (has(c, 'restartPolicy')) errs.push(forbidden(p.child('restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...checkHostPortConflicts(containers, path));
  return errs;
}

function validateInitContainers(
  inits: ReadonlyArray<Obj>,
  regular: ReadonlyArray<Obj>,
  volumes: ReadonlySet<string>,
  grace: number | undefined,
  path: FieldPath,
): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(regular.map((c) => getStr(c, 'name')));
  inits.forEach((c, i) => {
    const p = path.index(i);
    errs.push(...validateContainerCommon(c, volumes, p));
    const rp = getOptStr(c, 'restartPolicy');
    if (rp !== undefined && rp !== 'Always') errs.push(notSupported(p.child('restartPolicy'), rp, ['Always']));
    const restartAlways = rp === 'Always';
    const name = getStr(c, 'name');
    if (names.has(name)) errs.push(duplicate(p.child('name'), name));
    else if (name.length > 0) names.add(name);
    errs.push(...checkHostPortConflicts([c], path));
    if (restartAlways) {
      const lc = getObj(c, 'lifecycle');
      if (lc !== undefined) errs.push(...validateLifecycle(lc, grace, p.child('lifecycle')));
      for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) errs.push(...validateProbe(getObj(c, k), k, grace, p.child(k)));
    } else {
      for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'])
        if (has(c, k)) errs.push(forbidden(p.child(k), 'may not be set for init containers without restartPolicy=Always'));
    }
  });
  return errs;
}

function validateTolerations(tols: ReadonlyArray<Obj>, path: FieldPath): FieldError[] {
  const errs: FieldError[] = [];
  tols.forEach((t, i) => {
    const p = path.index(i);
    const key = getStr(t, 'key');
    const op = getStr(t, 'operator');
    const effect = getStr(t, 'effect');
    const value = getStr(t, 'value');
    if (key.length > 0) errs.push(...validateLabelName(key, p.child('key')));
    if (key.length === 0 && op !== 'Exists')
      errs.push(invalid(p.child('operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (has(t, 'tolerationSeconds') && effect !== 'NoExecute')
      errs.push(invalid(p.child('effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (op === 'Equal' || op === '') {
      const m = isValidLabelValue(value);
      if (m.length > 0) errs.push(invalid(p.child('operator'), value, m.join(';')));
    } else if (op === 'Exists') {
      if (value.length > 0) errs.push(invalid(p.child('operator'), value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(notSupported(p.child('operator'), op, ['Equal', 'Exists']));
    }
    if (effect.length > 0 && !['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(effect))
      errs.push(notSupported(p.child('effect'), effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']));
  });
  return errs;
}

function validateDNSConfig(cfg: Obj | undefined, dnsPolicy: string, path: FieldPath): FieldError[] {
  if (dnsPolicy === 'None') {
    if (cfg === undefined) return [required(path, 'must provide `dnsConfig` when `dnsPolicy` is None')];
    if (getArr(cfg, 'nameservers').length === 0) return [required(path.child('nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None')];
  }
  if (cfg === undefined) return [];
  const errs: FieldError[] = [];
  const ns = getStrArr(cfg, 'nameservers');
  if (ns.length > 3) errs.push(invalid(path.child('nameservers'), goStrSlice(ns), 'must not have more than 3 nameservers'));
  ns.forEach((n, i) => errs.push(...validateIP(path.child('nameservers').index(i), n)));
  const searches = getStrArr(cfg, 'searches');
  if (searches.length > 32) errs.push(invalid(path.child('searches'), goStrSlice(searches), 'must not have more than 32 search paths'));
  if (searches.join(' ').length > 2048) errs.push(invalid(path.child('searches'), goStrSlice(searches), 'must not have more than 2048 characters (including spaces) in the search list'));
  searches.forEach((s, i) => {
    const v = s.endsWith('.') ? s.slice(0, -1) : s;
    for (const m of isDNS1123Subdomain(v)) errs.push(invalid(path.child('searches').index(i), v, m));
  });
  getObjArr(cfg, 'options').forEach((o, i) => {
    if (getStr(o, 'name').length === 0) errs.push(required(path.child('options').index(i), 'must not be empty'));
  });
  return errs;
}

export interface PodSpecOptions {
  /** True when the spec belongs to a Pod (not a template inside a workload). */
  readonly resourceIsPod: boolean;
}

/** `ValidatePodSpec`. */
export function validatePodSpec(spec: Obj | undefined, path: FieldPath, opts: PodSpecOptions): FieldError[] {
  const errs: FieldError[] = [];
  const grace = getOptNum(spec, 'terminationGracePeriodSeconds');
  if (grace === undefined) errs.push(required(path.child('terminationGracePeriodSeconds')));
  const vols = validateVolumes(getObjArr(spec, 'volumes'), path.child('volumes'));
  errs.push(...vols.errors);
  const containers = getObjArr(spec, 'containers');
  errs.push(...validateContainers(containers, vols.names, grace, path.child('containers')));
  errs.push(...validateInitContainers(getObjArr(spec, 'initContainers'), containers, vols.names, grace, path.child('initContainers')));
  if (spec?.['hostNetwork'] === true) {
    containers.forEach((c, i) =>
      getObjArr(c, 'ports').forEach((p, j) => {
        const hp = getOptNum(p, 'hostPort') ?? 0;
        const cp = getOptNum(p, 'containerPort') ?? 0;
        if ((opts.resourceIsPod || hp !== 0) && hp !== cp)
          errs.push(invalid(path.child('containers').index(i).child('ports').index(j).child('hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
      }),
    );
  }
  const rp = getStr(spec, 'restartPolicy');
  if (rp === '') errs.push(required(path.child('restartPolicy')));
  else if (!['Always', 'OnFailure', 'Never'].includes(rp)) errs.push(notSupported(path.child('restartPolicy'), rp, ['Always', 'OnFailure', 'Never']));
  const dp = getStr(spec, 'dnsPolicy');
  const dnsPolicies = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
  if (dp === '') errs.push(required(path.child('dnsPolicy')));
  else if (!dnsPolicies.includes(dp)) errs.push(notSupported(path.child('dnsPolicy'), dp, dnsPolicies));
  errs.push(...validateLabels(getStrMap(spec, 'nodeSelector'), path.child('nodeSelector')));
  errs.push(...validateDNSConfig(getObj(spec, 'dnsConfig'), dp, path.child('dnsConfig')));
  getObjArr(spec, 'readinessGates').forEach((g, i) => {
    const ct = getStr(g, 'conditionType');
    for (const m of isQualifiedName(ct)) errs.push(invalid(path.child('readinessGates').index(i).child('conditionType'), ct, m));
  });
  const nameFields: ReadonlyArray<string> = ['serviceAccountName', 'nodeName'];
  for (const f of nameFields) {
    const v = getStr(spec, f);
    if (v.length > 0) for (const m of nameIsDNSSubdomain(v, false)) errs.push(invalid(path.child(f), v, m));
  }
  const ads = getOptNum(spec, 'activeDeadlineSeconds');
  if (ads !== undefined && (ads < 1 || ads > 2147483647)) errs.push(invalid(path.child('activeDeadlineSeconds'), ads, 'must be between 1 and 2147483647, inclusive'));
  for (const f of ['hostname', 'subdomain']) {
    const v = getStr(spec, f);
    if (v.length > 0) errs.push(...validateDNS1123Label(v, path.child(f)));
  }
  errs.push(...validateTolerations(getObjArr(spec, 'tolerations'), path.child('tolerations')));
  const pcn = getStr(spec, 'priorityClassName');
  if (pcn.length > 0) for (const m of nameIsDNSSubdomain(pcn, false)) errs.push(invalid(path.child('priorityClassName'), pcn, m));
  return errs;
}

/** `ValidatePodTemplateSpec` (templates inside Deployments and ReplicaSets). */
export function validatePodTemplateSpec(tmpl: Obj | undefined, path: FieldPath): FieldError[] {
  const meta = getObj(tmpl, 'metadata');
  const spec = getObj(tmpl, 'spec');
  const errs: FieldError[] = [];
  errs.push(...validateLabels(getStrMap(meta, 'labels'), path.child('labels')));
  errs.push(...validateAnnotations(getStrMap(meta, 'annotations'), path.child('annotations')));
  errs.push(...validatePodSpec(spec, path.child('spec'), { resourceIsPod: false }));
  if (getArr(spec, 'ephemeralContainers').length > 0)
    errs.push(forbidden(path.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  return errs;
}

function validatePodMetadataAndSpec(pod: Obj): FieldError[] {
  const spec = getObj(pod, 'spec');
  const specPath = FieldPath.of('spec');
  const errs = validateObjectMeta(getObj(pod, 'metadata'), { nameFn: nameIsDNSSubdomain, namespaced: true });
  errs.push(...validatePodSpec(spec, specPath, { resourceIsPod: true }));
  getObjArr(spec, 'containers').forEach((c, i) => errs.push(...validateContainerOnlyForPod(c, specPath.child('containers').index(i))));
  getObjArr(spec, 'initContainers').forEach((c, i) => errs.push(...validateContainerOnlyForPod(c, specPath.child('initContainers').index(i))));
  return errs;
}

/** `ValidatePodCreate`. */
export function validatePodCreate(pod: Obj): FieldError[] {
  const errs = validatePodMetadataAndSpec(pod);
  const spec = getObj(pod, 'spec');
  if (getArr(spec, 'ephemeralContainers').length > 0) errs.push(forbidden(FieldPath.of('spec', 'ephemeralContainers'), 'cannot be set on create'));
  if (getStr(spec, 'nodeName') !== '' && getArr(spec, 'schedulingGates').length > 0)
    errs.push(forbidden(FieldPath.of('spec', 'nodeName'), 'cannot be set until all schedulingGates have been cleared'));
  return errs;
}

const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function containerUpdateErrors(newC: ReadonlyArray<Obj>, oldC: ReadonlyArray<Obj>, path: FieldPath): { errors: FieldError[]; stop: boolean } {
  if (newC.length !== oldC.length) return { errors: [forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errors: FieldError[] = [];
  newC.forEach((c, i) => {
    const image = getStr(c, 'image');
    if (image.length === 0) errors.push(required(path.index(i).child('image')));
    if (image.trim().length !== image.length) errors.push(invalid(path.index(i).child('image'), image, 'must not have leading or trailing whitespace'));
  });
  return { errors, stop: false };
}

/** Lists the spec fields that differ, as a readable stand-in for upstream's cmp.Diff. */
function specDiff(oldSpec: unknown, newSpec: unknown, prefix = 'spec'): string[] {
  if (semanticEqual(oldSpec, newSpec)) return [];
  const isRec = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isRec(oldSpec) && isRec(newSpec)) {
    const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])].sort();
    return keys.flatMap((k) => specDiff(oldSpec[k], newSpec[k], `${prefix}.${k}`));
  }
  if (Array.isArray(oldSpec) && Array.isArray(newSpec) && oldSpec.length === newSpec.length)
    return oldSpec.flatMap((v, i) => specDiff(v, newSpec[i], `${prefix}[${i}]`));
  return [`- ${prefix}: ${JSON.stringify(oldSpec) ?? 'null'}`, `+ ${prefix}: ${JSON.stringify(newSpec) ?? 'null'}`];
}

/** `ValidatePodUpdate`. The diff after the Forbidden message approximates upstream's. */
export function validatePodUpdate(pod: Obj, old: Obj): FieldError[] {
  const errs = validateObjectMetaUpdate(getObj(pod, 'metadata'), getObj(old, 'metadata'));
  errs.push(...validatePodMetadataAndSpec(pod));
  const specPath = FieldPath.of('spec');
  const spec = getObj(pod, 'spec') ?? {};
  const oldSpec = getObj(old, 'spec') ?? {};
  for (const k of ['containers', 'initContainers']) {
    const r = containerUpdateErrors(getObjArr(spec, k), getObjArr(oldSpec, k), specPath.child(k));
    errs.push(...r.errors);
    if (r.stop) return errs;
  }
  const newAds = getOptNum(spec, 'activeDeadlineSeconds');
  const oldAds = getOptNum(oldSpec, 'activeDeadlineSeconds');
  if (newAds !== undefined) {
    if (newAds < 0 || newAds > 2147483647) {
      errs.push(invalid(specPath.child('activeDeadlineSeconds'), newAds, 'must be between 0 and 2147483647, inclusive'));
      return errs;
    }
    if (oldAds !== undefined && oldAds < newAds) {
      errs.push(invalid(specPath.child('activeDeadlineSeconds'), newAds, 'must be less than or equal to previous value'));
      return errs;
    }
  } else if (oldAds !== undefined) {
    errs.push(invalid(specPath.child('activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
  }
  const newTols = getObjArr(spec, 'tolerations');
  for (const ot of getObjArr(oldSpec, 'tolerations')) {
    const found = newTols.some((nt) => semanticEqual({ ...ot, tolerationSeconds: nt['tolerationSeconds'] }, nt));
    if (!found) {
      errs.push(forbidden(specPath.child('tolerations'), 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }
  if (semanticEqual(spec, oldSpec)) return errs;
  const munged: Obj = { ...spec };
  for (const k of ['containers', 'initContainers']) {
    const oldList = getObjArr(oldSpec, k);
    if (Array.isArray(spec[k])) munged[k] = getObjArr(spec, k).map((c, i) => ({ ...c, image: oldList[i]?.['image'] }));
  }
  munged['activeDeadlineSeconds'] = oldSpec['activeDeadlineSeconds'];
  munged['schedulingGates'] = oldSpec['schedulingGates'];
  munged['tolerations'] = oldSpec['tolerations'];
  const oldTgps = getOptNum(oldSpec, 'terminationGracePeriodSeconds');
  if (oldTgps !== undefined && oldTgps < 0 && getOptNum(munged, 'terminationGracePeriodSeconds') === 1) munged['terminationGracePeriodSeconds'] = oldTgps;
  if (!semanticEqual(munged, oldSpec)) {
    const diff = specDiff(oldSpec, munged).join('\n');
    errs.push(forbidden(specPath, `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${diff}`));
  }
  return errs;
}
