/**
 * @module controllers/namespace-defaults
 * What kube-controller-manager puts in every namespace, kept there as it keeps it:
 *
 * - the `default` ServiceAccount (the serviceaccount controller), which pods use
 *   unless they name another;
 * - the `kube-root-ca.crt` ConfigMap (the root-ca-cert-publisher): the cluster CA
 *   that pods use to verify the API server at kubernetes.default.svc, the file the
 *   kube-api-access volume mounts as ca.crt.
 *
 * Both are made when a namespace appears and again when deleted; the ConfigMap's
 * data is put back when edited. A terminating namespace is left alone.
 */
import type { Registry } from '../apiserver/registry.js';
import type { KObject } from '../store/store.js';
import { resourceKey } from '../store/store.js';
import type { Controller } from './controller.js';
import { R, resourceOf } from './informer.js';
import { WorkQueue } from './workqueue.js';

const SERVICE_ACCOUNTS = resourceOf('v1', 'ServiceAccount');
export const ROOT_CA_NAME = 'kube-root-ca.crt';
/** root_ca_controller.go's Description, word for word (users read it in `kubectl get cm -o yaml`). */
export const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';
const MANAGER = 'kube-controller-manager';

export class NamespaceDefaultsController implements Controller {
  readonly name = 'namespace-defaults';
  private queue?: WorkQueue;
  private readonly stops: Array<() => void> = [];

  /** @param caCert the cluster CA (PEM) the ConfigMap publishes */
  constructor(private readonly caCert: string) {}

  start(registry: Registry): void {
    const q: WorkQueue = new WorkQueue((ns: string): void => this.reconcile(registry, ns));
    this.queue = q;
    this.stops.push(registry.store.watch(resourceKey('', 'namespaces'), {}, (e) => {
      if (e.type !== 'DELETED') q.add(e.object.metadata.name!);
    }));
    // Deleted or edited: put back (the namespace's own deletion is told apart in reconcile).
    const watchOwn = (group: string, plural: string, name: string, on: (t: string) => boolean): void => {
      this.stops.push(registry.store.watch(resourceKey(group, plural), {}, (e) => {
        if (e.object.metadata.name === name && on(e.type)) q.add(e.object.metadata.namespace!);
      }));
    };
    watchOwn('', 'serviceaccounts', 'default', (t) => t === 'DELETED');
    watchOwn('', 'configmaps', ROOT_CA_NAME, (t) => t !== 'ADDED');
    for (const ns of registry.list(R.namespaces).items) q.add(ns.metadata.name!);
  }

  private reconcile(registry: Registry, name: string): void {
    const ns = registry.tryGet(R.namespaces, undefined, name);
    if (!ns || ns.metadata.deletionTimestamp) return;
    if (!registry.tryGet(SERVICE_ACCOUNTS, name, 'default')) {
      registry.create(SERVICE_ACCOUNTS, name, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } }, { fieldManager: MANAGER });
    }
    const want = rootCaConfigMap(this.caCert);
    const cm = registry.tryGet(R.configmaps, name, ROOT_CA_NAME);
    if (!cm) {
      registry.create(R.configmaps, name, want, { fieldManager: MANAGER });
      return;
    }
    const data = (cm as KObject & { data?: Record<string, string> }).data;
    const described = cm.metadata.annotations?.['kubernetes.io/description'] === ROOT_CA_DESCRIPTION;
    if (data?.['ca.crt'] === this.caCert && Object.keys(data).length === 1 && described) return;
    registry.update(R.configmaps, name, ROOT_CA_NAME, { ...cm, metadata: { ...cm.metadata, annotations: { ...cm.metadata.annotations, ...want.metadata.annotations } }, data: want.data } as KObject, { fieldManager: MANAGER });
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s();
    this.queue?.stop();
  }
}

/** The ConfigMap as the root-ca-cert-publisher writes it. */
export function rootCaConfigMap(caCert: string): KObject & { data: Record<string, string> } {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: ROOT_CA_NAME, annotations: { 'kubernetes.io/description': ROOT_CA_DESCRIPTION } },
    data: { 'ca.crt': caCert },
  };
}
