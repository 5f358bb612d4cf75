/**
 * @module cluster/apiserver-endpoints
 * kube-apiserver's endpoint reconciler for the `default/kubernetes` Service: the
 * Endpoints `kubernetes` (labelled `endpointslice.kubernetes.io/skip-mirror: "true"`)
 * and the EndpointSlice `kubernetes` (labelled only `kubernetes.io/service-name`, no
 * managed-by label, addressType IPv4, one ready endpoint), both naming where the API
 * server listens, with the port named `https` as the Service's:
 *
 * ```
 *   kind:   kubernetes  172.18.0.2:6443     (the node's address, --secure-port)
 *   kwire:  kubernetes  127.0.0.1:40767     (the API server's real socket on the host)
 * ```
 *
 * kwire's API server is a socket on the host's loopback, and kwire's Services may have
 * endpoints there (src/dataplane/host-dialer.ts): a pod's connection to 10.96.0.1:443
 * is translated to the slice's port (kube-proxy picks the endpoint port by the
 * Service port's name, so the Service keeps kind's targetPort 6443) and dialled for
 * real, with NetworkPolicy judging 127.0.0.1 as an ipBlock peer. The port is chosen
 * when kwire starts (it may change across `kwire stop`/`start`), so the objects are
 * rewritten at each start, and put back whenever someone edits or deletes them, as
 * the reconciler does. Other slices labelled for the Service are deleted, as kube's
 * does. The EndpointSlice controller leaves them alone: the Service has no selector.
 */
import type { Registry } from '../apiserver/registry.js';
import { ApiError } from '../errors.js';
import { resourceKey, type KObject } from '../store/store.js';
import type { Controller } from '../controllers/controller.js';
import { R } from '../controllers/informer.js';
import { WorkQueue } from '../controllers/workqueue.js';
import { canonicalJson } from '../controllers/endpointslice-plan.js';

export const KUBERNETES_SERVICE = 'kubernetes';
export const KUBERNETES_NAMESPACE = 'default';
export const SKIP_MIRROR_LABEL = 'endpointslice.kubernetes.io/skip-mirror';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const PORT_NAME = 'https';

/** Where the API server listens. */
export interface ApiServerEndpoint {
  readonly ip: string;
  readonly port: number;
}

/** The Endpoints `kubernetes` as kube-apiserver writes it (endpointsadapter.go). */
export function apiServerEndpoints(ep: ApiServerEndpoint): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: KUBERNETES_SERVICE, namespace: KUBERNETES_NAMESPACE, labels: { [SKIP_MIRROR_LABEL]: 'true' } },
    subsets: [{ addresses: [{ ip: ep.ip }], ports: [{ name: PORT_NAME, port: ep.port, protocol: 'TCP' }] }],
  };
}

/** The EndpointSlice `kubernetes` as kube-apiserver writes it. */
export function apiServerEndpointSlice(ep: ApiServerEndpoint): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: KUBERNETES_SERVICE, namespace: KUBERNETES_NAMESPACE, labels: { [SERVICE_NAME_LABEL]: KUBERNETES_SERVICE } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ep.ip], conditions: { ready: true } }],
    ports: [{ name: PORT_NAME, port: ep.port, protocol: 'TCP' }],
  };
}

const same = (a: unknown, b: unknown): boolean => canonicalJson(a ?? null) === canonicalJson(b ?? null);

function ignoreNotFound(f: () => void): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ApiError && e.code === 404)) throw e;
  }
}

/** Keeps the `kubernetes` Service's Endpoints and EndpointSlice naming the API server. */
export class ApiServerEndpointsReconciler implements Controller {
  readonly name = 'apiserver-endpoints';
  private queue?: WorkQueue;
  private readonly stops: Array<() => void> = [];
  /** Writes done (creates, updates, deletes), for tests. */
  writes = 0;

  constructor(private readonly endpoint: ApiServerEndpoint) {}

  start(registry: Registry): void {
    const q = new WorkQueue(() => this.reconcile(registry));
    this.queue = q;
    const ours = (o: Readonly<KObject>) => o.metadata.name === KUBERNETES_SERVICE || o.metadata.labels?.[SERVICE_NAME_LABEL] === KUBERNETES_SERVICE;
    for (const r of [R.endpoints, R.endpointslices]) {
      this.stops.push(registry.store.watch(resourceKey(r.group, r.plural), { namespace: KUBERNETES_NAMESPACE }, (e) => ours(e.object) && q.add(KUBERNETES_SERVICE)));
    }
    q.add(KUBERNETES_SERVICE);
  }

  stop(): void {
    this.queue?.stop();
    for (const s of this.stops.splice(0)) s();
  }

  /** Resolves when no reconcile is queued or running (tests). */
  async idle(): Promise<void> {
    await this.queue?.idle();
  }

  /** Level-triggered: writes only what differs. Public for tests. */
  reconcile(registry: Registry): void {
    this.reconcileEndpoints(registry);
    this.reconcileSlices(registry);
  }

  private reconcileEndpoints(registry: Registry): void {
    const want = apiServerEndpoints(this.endpoint);
    const cur = registry.tryGet(R.endpoints, KUBERNETES_NAMESPACE, KUBERNETES_SERVICE);
    if (!cur) {
      registry.create(R.endpoints, KUBERNETES_NAMESPACE, want);
      this.writes++;
      return;
    }
    if (same(cur['subsets'], want['subsets']) && same(cur.metadata.labels, want.metadata.labels)) return;
    const next = structuredClone(cur) as KObject;
    next.metadata.labels = want.metadata.labels;
    next['subsets'] = want['subsets'];
    registry.commitUpdate(R.endpoints, cur, next, {});
    this.writes++;
  }

  private reconcileSlices(registry: Registry): void {
    const want = apiServerEndpointSlice(this.endpoint);
    let primary: Readonly<KObject> | undefined;
    for (const s of registry.list(R.endpointslices, KUBERNETES_NAMESPACE, `${SERVICE_NAME_LABEL}=${KUBERNETES_SERVICE}`).items) {
      if (s.metadata.name === KUBERNETES_SERVICE && s['addressType'] === 'IPv4') primary = s;
      else {
        // kube's adapter: no other slice for the Service should exist.
        ignoreNotFound(() => registry.delete(R.endpointslices, KUBERNETES_NAMESPACE, s.metadata.name!));
        this.writes++;
      }
    }
    // A slice of that name without the label (or of another address type) is not found by the list.
    const byName = primary ?? registry.tryGet(R.endpointslices, KUBERNETES_NAMESPACE, KUBERNETES_SERVICE);
    if (byName && byName['addressType'] !== 'IPv4') {
      // addressType is immutable: the slice is made again.
      ignoreNotFound(() => registry.delete(R.endpointslices, KUBERNETES_NAMESPACE, KUBERNETES_SERVICE));
      this.writes++;
    } else primary = byName;
    if (!primary) {
      registry.create(R.endpointslices, KUBERNETES_NAMESPACE, want);
      this.writes++;
      return;
    }
    if (same(primary['endpoints'], want['endpoints']) && same(primary['ports'], want['ports']) && same(primary.metadata.labels, want.metadata.labels)) return;
    const next = structuredClone(primary) as KObject;
    next.metadata.labels = want.metadata.labels;
    next['endpoints'] = want['endpoints'];
    next['ports'] = want['ports'];
    registry.commitUpdate(R.endpointslices, primary, next, {});
    this.writes++;
  }
}
