/**
 * @module apiserver/strategies
 * Builds each kind's `KindStrategy` from the API layer's defaulting and validation,
 * plus the status rules kube-apiserver applies: on create, status is reset for kinds
 * that have a status subresource; on update of the main resource, status is kept.
 */
import { RESOURCES, groupKind } from '../api/resources.js';
import type { KObject } from '../store/store.js';
import type { KindStrategy, Registry } from './registry.js';

/** Kinds whose metadata.generation tracks spec changes. */
const TRACKS_GENERATION = new Set(['apps/Deployment', 'apps/ReplicaSet', 'networking.k8s.io/Ingress', 'networking.k8s.io/NetworkPolicy', 'networking.k8s.io/IngressClass', '/Service', '/Pod']);

/** Initial status on create, for kinds whose status the server owns. */
const INITIAL_STATUS: Record<string, () => Record<string, unknown>> = {
  '/Pod': () => ({ phase: 'Pending', qosClass: 'BestEffort' }),
  '/Service': () => ({ loadBalancer: {} }),
  'apps/Deployment': () => ({}),
  'apps/ReplicaSet': () => ({ replicas: 0 }),
  'networking.k8s.io/Ingress': () => ({ loadBalancer: {} }),
  '/Namespace': () => ({ phase: 'Active' }),
};

export interface ApiLayer {
  readonly applyDefaults?: (gk: string, obj: KObject) => void;
  /** Kind-specific update preparation (e.g. a re-applied Service keeps its allocated clusterIP). */
  readonly prepareForUpdate?: (gk: string, obj: KObject, old: Readonly<KObject>) => void;
  /** Throw an Invalid ApiError listing every field error. */
  readonly validateCreate?: (gk: string, obj: KObject) => void;
  readonly validateUpdate?: (gk: string, obj: KObject, old: Readonly<KObject>) => void;
}

export function installStrategies(registry: Registry, api: ApiLayer): void {
  for (const r of RESOURCES) {
    const gk = groupKind(r.group, r.kind);
    const hasStatus = r.subresources.some((s) => s.name === 'status');
    const initial = INITIAL_STATUS[gk];
    const s: KindStrategy = {
      tracksGeneration: TRACKS_GENERATION.has(gk),
      prepareForCreate(obj) {
        if (hasStatus && gk !== '/Node') {
          if (initial) obj['status'] = initial();
          else delete obj['status'];
        }
        if (gk === '/Namespace') {
          obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name! };
          const spec = (obj['spec'] ?? {}) as { finalizers?: string[] };
          obj['spec'] = { ...spec, finalizers: spec.finalizers ?? ['kubernetes'] };
        }
      },
      prepareForUpdate(obj, old) {
        if (hasStatus) {
          if (old['status'] === undefined) delete obj['status'];
          else obj['status'] = structuredClone(old['status']);
        }
        if (gk === '/Namespace') {
          obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name! };
          obj['spec'] = old['spec'];
        }
        api.prepareForUpdate?.(gk, obj, old);
      },
      defaults: api.applyDefaults ? (obj) => api.applyDefaults!(gk, obj) : undefined,
      validateCreate: api.validateCreate ? (obj) => api.validateCreate!(gk, obj) : undefined,
      validateUpdate: api.validateUpdate ? (obj, old) => api.validateUpdate!(gk, obj, old) : undefined,
    };
    registry.setStrategy(gk, s);
  }
}
