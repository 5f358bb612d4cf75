/**
 * @module api/defaults/workloads
 * apps/v1 defaulting: `SetDefaults_Deployment` (replicas 1, RollingUpdate
 * 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600) and
 * `SetDefaults_ReplicaSet` (replicas 1), each with its pod template's defaults.
 */

import { type Obj, ensureObj, getObj, getStr, setDefault, setDefaultStr } from '../validation/unstructured.js';
import { defaultPodTemplate } from './pod.js';

export function defaultDeployment(d: Obj): void {
  const spec = ensureObj(d, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = ensureObj(spec, 'strategy');
  setDefaultStr(strategy, 'type', 'RollingUpdate');
  if (getStr(strategy, 'type') === 'RollingUpdate') {
    const ru = ensureObj(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(getObj(spec, 'template'));
}

export function defaultReplicaSet(rs: Obj): void {
  const spec = ensureObj(rs, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(getObj(spec, 'template'));
}
