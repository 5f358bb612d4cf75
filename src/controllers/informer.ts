/**
 * @module controllers/informer
 * The tiny piece of client-go's informer controllers need here: call a handler for
 * every current object of a resource and then for every change, through the store's
 * watch. Handlers only enqueue keys; reconciles read current state from the registry.
 */
import type { ResourceInfo } from '../api/resources.js';
import { RESOURCES } from '../api/resources.js';
import type { Registry } from '../apiserver/registry.js';
import { resourceKey, type KObject, type WatchEventType } from '../store/store.js';

export type Handler = (type: WatchEventType, obj: Readonly<KObject>) => void;

/** Lists then watches a resource; returns the stop function. */
export function inform(registry: Registry, res: ResourceInfo, handler: Handler): () => void {
  const stop = registry.store.watch(resourceKey(res.group, res.plural), {}, (e) => handler(e.type, e.object));
  for (const o of registry.list(res).items) handler('ADDED', o);
  return stop;
}

export function resourceOf(apiVersion: string, kind: string): ResourceInfo {
  const r = RESOURCES.find((x) => (x.group === '' ? x.version : `${x.group}/${x.version}`) === apiVersion && x.kind === kind);
  if (!r) throw new Error(`unknown resource ${apiVersion} ${kind}`);
  return r;
}

export const R = {
  pods: resourceOf('v1', 'Pod'),
  nodes: resourceOf('v1', 'Node'),
  namespaces: resourceOf('v1', 'Namespace'),
  services: resourceOf('v1', 'Service'),
  endpoints: resourceOf('v1', 'Endpoints'),
  events: resourceOf('v1', 'Event'),
  configmaps: resourceOf('v1', 'ConfigMap'),
  secrets: resourceOf('v1', 'Secret'),
  deployments: resourceOf('apps/v1', 'Deployment'),
  replicasets: resourceOf('apps/v1', 'ReplicaSet'),
  endpointslices: resourceOf('discovery.k8s.io/v1', 'EndpointSlice'),
  ingresses: resourceOf('networking.k8s.io/v1', 'Ingress'),
  ingressclasses: resourceOf('networking.k8s.io/v1', 'IngressClass'),
  networkpolicies: resourceOf('networking.k8s.io/v1', 'NetworkPolicy'),
} as const;

/** "ns/name" keys for work queues. */
export function keyOf(o: Readonly<KObject>): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export function splitKey(k: string): [string | undefined, string] {
  const i = k.indexOf('/');
  const ns = k.slice(0, i);
  return [ns === '' ? undefined : ns, k.slice(i + 1)];
}

/** The controller owner reference of an object, if any. */
export function controllerOf(o: Readonly<KObject>): { kind: string; name: string; uid: string } | undefined {
  return o.metadata.ownerReferences?.find((r) => r.controller);
}
