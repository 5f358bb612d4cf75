/**
 * @module api/defaults/pod
 * core/v1 defaulting for PodSpec (shared by Pods and the templates inside
 * Deployments/ReplicaSets), its containers, probes, handlers and volumes, and
 * the Pod-only extras (`SetDefaults_Pod`: requests from limits,
 * enableServiceLinks, hostNetwork host ports). Mutates in place.
 */

import { type Obj, ensureObj, getObj, getObjArr, getStr, isObj, setDefault, setDefaultStr } from '../validation/unstructured.js';
import { defaultPullPolicy } from './image.js';

function defaultHandler(h: Obj | undefined): void {
  const http = getObj(h, 'httpGet');
  if (http !== undefined) {
    setDefaultStr(http, 'path', '/');
    setDefaultStr(http, 'scheme', 'HTTP');
  }
}

function defaultProbe(p: Obj | undefined): void {
  if (p === undefined) return;
  for (const [k, v] of [
    ['timeoutSeconds', 1],
    ['periodSeconds', 10],
    ['successThreshold', 1],
    ['failureThreshold', 3],
  ] as const) {
    if (p[k] === undefined || p[k] === null || p[k] === 0) p[k] = v;
  }
  defaultHandler(p);
  const grpc = getObj(p, 'grpc');
  if (grpc !== undefined) setDefault(grpc, 'service', '');
}

/** `SetDefaults_Container` plus the defaults of what a container contains. */
export function defaultContainer(c: Obj): void {
  if (getStr(c, 'imagePullPolicy') === '') c['imagePullPolicy'] = defaultPullPolicy(getStr(c, 'image'));
  setDefaultStr(c, 'terminationMessagePath', '/dev/termination-log');
  setDefaultStr(c, 'terminationMessagePolicy', 'File');
  // Not a defaulter: the zero ResourceRequirements struct, which kube always serializes.
  setDefault(c, 'resources', {});
  for (const p of getObjArr(c, 'ports')) setDefaultStr(p, 'protocol', 'TCP');
  for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(getObj(c, k));
  const lc = getObj(c, 'lifecycle');
  defaultHandler(getObj(lc, 'postStart'));
  defaultHandler(getObj(lc, 'preStop'));
  for (const e of getObjArr(c, 'env')) {
    const fr = getObj(getObj(e, 'valueFrom'), 'fieldRef');
    if (fr !== undefined) setDefaultStr(fr, 'apiVersion', 'v1');
  }
}

const VOLUME_SOURCE_KEYS = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
];

/** `SetDefaults_Volume` and the volume-source defaults (file modes 0644 = 420). */
export function defaultVolume(v: Obj): void {
  if (!VOLUME_SOURCE_KEYS.some((k) => isObj(v[k]))) v['emptyDir'] = {};
  for (const k of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const src = getObj(v, k);
    if (src !== undefined) setDefault(src, 'defaultMode', 420);
  }
  const hp = getObj(v, 'hostPath');
  if (hp !== undefined) setDefault(hp, 'type', '');
  for (const s of getObjArr(getObj(v, 'projected'), 'sources')) {
    const sat = getObj(s, 'serviceAccountToken');
    if (sat !== undefined) setDefault(sat, 'expirationSeconds', 3600);
  }
}

/** `SetDefaults_PodSpec` and everything nested in a PodSpec. */
export function defaultPodSpec(spec: Obj): void {
  setDefaultStr(spec, 'dnsPolicy', 'ClusterFirst');
  setDefaultStr(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefaultStr(spec, 'schedulerName', 'default-scheduler');
  for (const k of ['containers', 'initContainers', 'ephemeralContainers']) for (const c of getObjArr(spec, k)) defaultContainer(c);
  for (const v of getObjArr(spec, 'volumes')) defaultVolume(v);
}

/** Defaults of a PodTemplateSpec (no Pod-only extras). */
export function defaultPodTemplate(tmpl: Obj | undefined): void {
  if (tmpl === undefined) return;
  defaultPodSpec(ensureObj(tmpl, 'spec'));
}

/** `SetDefaults_Pod` + `SetDefaults_PodSpec`. */
export function defaultPod(pod: Obj): void {
  const spec = ensureObj(pod, 'spec');
  for (const k of ['containers', 'initContainers']) {
    for (const c of getObjArr(spec, k)) {
      const res = getObj(c, 'resources');
      const limits = getObj(res, 'limits');
      if (res === undefined || limits === undefined) continue;
      const requests = ensureObj(res, 'requests');
      for (const [name, q] of Object.entries(limits)) if (!(name in requests)) requests[name] = q;
    }
  }
  setDefault(spec, 'enableServiceLinks', true);
  if (spec['hostNetwork'] === true) {
    for (const k of ['containers', 'initContainers'])
      for (const c of getObjArr(spec, k))
        for (const p of getObjArr(c, 'ports')) if (p['hostPort'] === undefined || p['hostPort'] === 0) p['hostPort'] = p['containerPort'];
  }
  defaultPodSpec(spec);
}
