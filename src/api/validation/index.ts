/**
 * @module api/validation
 * The entry points the API server calls: `validateCreate` and
 * `validateUpdate`, keyed by "<group>/<Kind>" ("/Service", "apps/Deployment").
 * Both return every error at once, in kube-apiserver's order, for objects that
 * have already been defaulted (see `api/defaults`).
 *
 *   create: kind rules ─ errors? ──► return them
 *                      └ none ────► generic ObjectMeta pass (path-segment names)
 *   update: generic ObjectMeta + ObjectMeta-update pass  ++  kind update rules
 *
 * (That is `rest.BeforeCreate` / `rest.BeforeUpdate`; the Status message
 * de-duplicates the repeats the update pass produces, causes keep them.)
 * Kinds without rules here get the generic ObjectMeta checks only.
 */

import type { FieldError } from '../field-errors.js';
import { RESOURCES } from '../resources.js';
import {
  validateControllerRevision,
  validateControllerRevisionUpdate,
  validateDeployment,
  validateDeploymentUpdate,
  validateReplicaSet,
  validateReplicaSetUpdate,
} from './apps.js';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate, validateServiceAccount, validateServiceAccountUpdate } from './config.js';
import { validateEndpointSlice, validateEndpointSliceUpdate, validateEndpoints, validateEndpointsUpdate } from './endpoints.js';
import { validateCoreEvent, validateEventUpdate, validateEventsEvent } from './event.js';
import { nameIsPathSegment } from './formats.js';
import { validateIngressClass, validateIngressClassUpdate, validateIngressCreate, validateIngressUpdate } from './ingress.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './metadata.js';
import { validateNamespace, validateNamespaceUpdate, validateNode, validateNodeUpdate } from './namespace-node.js';
import { validateNetworkPolicy, validateNetworkPolicyUpdate } from './network-policy.js';
import { validatePodCreate, validatePodUpdate } from './pod.js';
import { type ServiceClusterConfig, DEFAULT_SERVICE_CLUSTER_CONFIG, validateServiceCreatePhases, validateServiceUpdatePhases } from './service.js';
import { type Obj, getObj } from './unstructured.js';

export { type ServiceClusterConfig, DEFAULT_SERVICE_CLUSTER_CONFIG } from './service.js';
export { validateLabelSelector, labelSelectorAsSelector, selectorMatches, selectorEmpty, type Selector } from './label-selector.js';

/** Cluster facts some rules need (Service ranges). */
export interface ValidationContext {
  readonly service?: ServiceClusterConfig;
}

interface KindRules {
  readonly create: (obj: Obj, ctx: ValidationContext) => FieldError[];
  readonly update: (obj: Obj, old: Obj, ctx: ValidationContext) => FieldError[];
}

const RULES: Readonly<Record<string, KindRules>> = {
  '/Namespace': { create: validateNamespace, update: validateNamespaceUpdate },
  '/Node': { create: validateNode, update: validateNodeUpdate },
  '/Pod': { create: validatePodCreate, update: validatePodUpdate },
  '/Service': {
    create: (o, ctx) => validateServiceCreatePhases(o, ctx.service ?? DEFAULT_SERVICE_CLUSTER_CONFIG),
    update: (o, old, ctx) => validateServiceUpdatePhases(o, old, ctx.service ?? DEFAULT_SERVICE_CLUSTER_CONFIG),
  },
  '/Endpoints': { create: validateEndpoints, update: validateEndpointsUpdate },
  '/ConfigMap': { create: validateConfigMap, update: validateConfigMapUpdate },
  '/Secret': { create: validateSecret, update: validateSecretUpdate },
  '/ServiceAccount': { create: validateServiceAccount, update: validateServiceAccountUpdate },
  '/Event': { create: validateCoreEvent, update: (o, old) => validateEventUpdate(o, old, false) },
  'events.k8s.io/Event': { create: validateEventsEvent, update: (o, old) => validateEventUpdate(o, old, true) },
  'apps/Deployment': { create: validateDeployment, update: validateDeploymentUpdate },
  'apps/ReplicaSet': { create: validateReplicaSet, update: validateReplicaSetUpdate },
  'apps/ControllerRevision': { create: validateControllerRevision, update: validateControllerRevisionUpdate },
  'discovery.k8s.io/EndpointSlice': { create: validateEndpointSlice, update: validateEndpointSliceUpdate },
  'networking.k8s.io/Ingress': { create: validateIngressCreate, update: validateIngressUpdate },
  'networking.k8s.io/IngressClass': { create: validateIngressClass, update: validateIngressClassUpdate },
  'networking.k8s.io/NetworkPolicy': { create: validateNetworkPolicy, update: validateNetworkPolicyUpdate },
};

function isNamespaced(groupKind: string): boolean {
  const slash = groupKind.indexOf('/');
  const group = groupKind.slice(0, slash);
  const kind = groupKind.slice(slash + 1);
  return RESOURCES.find((r) => r.group === group && r.kind === kind)?.namespaced ?? true;
}

/** True when `groupKind` has kind-specific rules (others get generic metadata checks). */
export function hasValidationRules(groupKind: string): boolean {
  return Object.prototype.hasOwnProperty.call(RULES, groupKind);
}

/** All errors kube-apiserver would report creating `obj` (already defaulted). */
export function validateCreate(groupKind: string, obj: Record<string, unknown>, ctx: ValidationContext = {}): FieldError[] {
  const rules = RULES[groupKind];
  const kindErrors = rules === undefined ? [] : rules.create(obj, ctx);
  if (kindErrors.length > 0) return kindErrors;
  return validateObjectMeta(getObj(obj, 'metadata'), { nameFn: nameIsPathSegment, namespaced: isNamespaced(groupKind), kubeFinalizers: false });
}

/** All errors kube-apiserver would report replacing `oldObj` with `newObj` (already defaulted). */
export function validateUpdate(
  groupKind: string,
  newObj: Record<string, unknown>,
  oldObj: Record<string, unknown>,
  ctx: ValidationContext = {},
): FieldError[] {
  const newMeta = getObj(newObj, 'metadata');
  const common = [
    ...validateObjectMeta(newMeta, { nameFn: nameIsPathSegment, namespaced: isNamespaced(groupKind), kubeFinalizers: false }),
    ...validateObjectMetaUpdate(newMeta, getObj(oldObj, 'metadata'), undefined, false),
  ];
  const rules = RULES[groupKind];
  return [...common, ...(rules === undefined ? [] : rules.update(newObj, oldObj, ctx))];
}
