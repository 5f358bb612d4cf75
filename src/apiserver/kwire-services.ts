/**
 * @module apiserver/kwire-services
 * The live `ServiceCatalog`: Services and their EndpointSlices read from the
 * registry at the moment of the query, picked the way kube-proxy picks them:
 * the slices labelled `kubernetes.io/service-name`, the slice port whose name
 * and protocol equal the Service port's (its number is the resolved
 * targetPort), the ready endpoints, or when none is ready anywhere the
 * serving terminating ones. An address listed by several slices counts once.
 * Reads only; no caching (queries are rare and the store is in memory).
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { findResourceByKind, type ResourceInfo } from '../api/resources.js';
import type { ServicePortMapping } from '../policy/index.js';
import type { CatalogBackend, CatalogService, ServiceCatalog } from './kwire-endpoints.js';
import type { Registry } from './registry.js';

function resource(apiVersion: string, kind: string): ResourceInfo {
  const r = findResourceByKind(apiVersion, kind);
  if (!r) throw new Error(`no resource for ${apiVersion} ${kind}`);
  return r;
}

const SERVICES = resource('v1', 'Service');
const SLICES = resource('discovery.k8s.io/v1', 'EndpointSlice');
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function protocolOf(v: unknown): 'TCP' | 'UDP' | 'SCTP' {
  return v === 'UDP' || v === 'SCTP' ? v : 'TCP';
}

/** The catalog's view of a Service object. */
export function catalogServiceOf(svc: Service): CatalogService | undefined {
  const namespace = svc.metadata?.namespace;
  const name = svc.metadata?.name;
  if (!namespace || !name) return undefined;
  const clusterIP = svc.spec?.clusterIP;
  const ports: ServicePortMapping[] = (svc.spec?.ports ?? []).map((p) => ({
    ...(p.name ? { name: p.name } : {}),
    port: p.port,
    targetPort: p.targetPort ?? p.port,
    protocol: protocolOf(p.protocol),
  }));
  return {
    namespace,
    name,
    ...(clusterIP && clusterIP !== 'None' ? { clusterIP } : {}),
    ...(svc.spec?.type === 'ExternalName' ? { externalName: true } : {}),
    ports,
  };
}

/** The endpoints kube-proxy would use for one Service port, from its slices. */
export function backendsFromSlices(slices: ReadonlyArray<EndpointSlice>, port: ServicePortMapping): CatalogBackend[] {
  const proto = protocolOf(port.protocol);
  const ready: CatalogBackend[] = [];
  const fallback: CatalogBackend[] = [];
  const seen = new Set<string>();
  const sorted = [...slices].sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  for (const slice of sorted) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    const sp = (slice.ports ?? []).find((p) => (p.name ?? '') === (port.name ?? '') && protocolOf(p.protocol) === proto);
    if (!sp || typeof sp.port !== 'number') continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!ip || seen.has(`${ip}:${sp.port}`)) continue;
      seen.add(`${ip}:${sp.port}`);
      const ref = ep.targetRef;
      const b: CatalogBackend = {
        ...(ref && ref.kind === 'Pod' && ref.name ? { pod: { namespace: ref.namespace ?? slice.metadata?.namespace ?? '', name: ref.name } } : {}),
        ip,
        port: sp.port,
      };
      const isReady = ep.conditions?.ready ?? true;
      const serving = ep.conditions?.serving ?? isReady;
      if (isReady) ready.push(b);
      else if (serving && ep.conditions?.terminating === true) fallback.push(b);
    }
  }
  return ready.length > 0 ? ready : fallback;
}

/** The catalog over the registry's Services and EndpointSlices. */
export function registryCatalog(registry: Registry): ServiceCatalog {
  return {
    service(namespace, name) {
      const o = registry.tryGet(SERVICES, namespace, name);
      return o ? catalogServiceOf(o as unknown as Service) : undefined;
    },
    backends(svc, port) {
      const slices = registry.list(SLICES, svc.namespace, `${SERVICE_NAME_LABEL}=${svc.name}`).items as unknown as ReadonlyArray<EndpointSlice>;
      return backendsFromSlices(slices, port);
    },
  };
}
