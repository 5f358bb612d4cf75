/**
 * @module api/defaults
 * `applyDefaults(groupKind, obj)`: what kube-apiserver fills in on a create
 * before validation (the v1 defaulters, plus the few create-time fields its
 * strategies set that users see: a Namespace's finalizer and phase, a
 * Service's clusterIPs and IP families). Mutates `obj`; unknown kinds are left
 * alone. For updates, run it on the new object, then (for Services)
 * `prepareServiceForUpdate`.
 */

import type { Obj } from '../validation/unstructured.js';
import { defaultEndpointSlice, defaultEndpoints, defaultNamespace, defaultSecret } from './core-objects.js';
import { defaultIngressClass, defaultNetworkPolicy } from './networking.js';
import { defaultPod } from './pod.js';
import { type IPFamily, defaultServiceOnCreate } from './service.js';
import { defaultDeployment, defaultReplicaSet } from './workloads.js';

export { prepareServiceForUpdate, setServiceDefaults, initServiceIPFamilies, type IPFamily } from './service.js';
export { defaultPullPolicy, parseImageReference } from './image.js';

export interface DefaultsContext {
  /** IP families the cluster serves, primary first (default: IPv4 only). */
  readonly ipFamilies?: ReadonlyArray<IPFamily>;
}

const DEFAULTERS: Readonly<Record<string, (obj: Obj, ctx: DefaultsContext) => void>> = {
  '/Namespace': defaultNamespace,
  '/Pod': defaultPod,
  '/Service': (o, ctx) => defaultServiceOnCreate(o, ctx.ipFamilies ?? ['IPv4']),
  '/Endpoints': defaultEndpoints,
  '/Secret': defaultSecret,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'discovery.k8s.io/EndpointSlice': defaultEndpointSlice,
  'networking.k8s.io/NetworkPolicy': defaultNetworkPolicy,
  'networking.k8s.io/IngressClass': defaultIngressClass,
};

/** Fills kube-apiserver's defaults into `obj` ("/Service", "apps/Deployment", ...). */
export function applyDefaults(groupKind: string, obj: Record<string, unknown>, ctx: DefaultsContext = {}): void {
  DEFAULTERS[groupKind]?.(obj, ctx);
}
