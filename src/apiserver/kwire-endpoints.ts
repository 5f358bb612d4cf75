/**
 * @module apiserver/kwire-endpoints
 * The endpoint forms `kwire explain` / `kwire matrix` (and their HTTP
 * endpoints) accept, and the Service translation behind them:
 *
 *   ns/pod        a pod                 pod            a pod in the default namespace
 *   svc/ns/name   a Service             svc/name       a Service in the default namespace
 *   ip:1.2.3.4    an address (a bare IP works too; a pod's IP stands for that pod)
 *
 * A Service is judged after translation, as the dataplane judges it: the
 * Service port (number + protocol) selects the port mapping, and the
 * connection is judged once per endpoint the proxy could pick, on that
 * endpoint's pod IP and target port. Which endpoints: every ready one (all of
 * them are reported, because kube-proxy picks one at random per connection);
 * when none is ready, the serving terminating ones (kube-proxy's fallback);
 * when there are none, or the Service has no such port, or it is an
 * ExternalName Service, the connection is refused. As a source, a Service
 * stands for the pods behind it (its endpoints over all ports).
 *
 * Endpoints come from a `ServiceCatalog`: the live one reads Services and
 * EndpointSlices (kwire-services.ts); `selectorCatalog` here derives them from
 * the Services' selectors over the engine's pods (offline input, where
 * EndpointSlices are often missing from an export).
 * Pure: reads the engine and the catalog; throws `ApiError`s for bad input.
 */
import { isIP } from 'node:net';
import { errors } from '../errors.js';
import type { Endpoint, OfflineService, PodInfo, PolicyEngine, Protocol, ServicePortMapping } from '../policy/index.js';

/** One end of a query, as the user wrote it (normalised). */
export type EndpointSpec =
  | { readonly kind: 'pod'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'ip'; readonly ip: string };

/** A Service as the translation needs it. */
export interface CatalogService {
  readonly namespace: string;
  readonly name: string;
  readonly clusterIP?: string;
  /** ExternalName Services are not proxied. */
  readonly externalName?: boolean;
  readonly ports: ReadonlyArray<ServicePortMapping>;
}

/** One endpoint behind a Service port. */
export interface CatalogBackend {
  /** The pod behind it (EndpointSlice targetRef, or the selected pod). */
  readonly pod?: { readonly namespace: string; readonly name: string };
  readonly ip: string;
  /** The port on the pod: the targetPort, resolved. */
  readonly port: number;
}

/** Where Services and their endpoints come from. */
export interface ServiceCatalog {
  service(namespace: string, name: string): CatalogService | undefined;
  /** The endpoints the proxy would choose among for one port (see the module doc); empty = refused. */
  backends(svc: CatalogService, port: ServicePortMapping): ReadonlyArray<CatalogBackend>;
}

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const FORMS = 'use ns/pod, pod, svc/ns/name, svc/name or ip:ADDRESS';

function checkName(text: string, what: string, value: string, re: RegExp, max: number): string {
  if (value.length === 0 || value.length > max || !re.test(value)) throw errors.badRequest(`invalid endpoint "${text}": "${value}" is not a valid ${what} name (${FORMS})`);
  return value;
}

/** Parses one endpoint form; `defaultNamespace` completes the short forms. */
export function parseEndpointSpec(text: string, defaultNamespace = 'default'): EndpointSpec {
  const t = text.trim();
  if (t === '') throw errors.badRequest(`an endpoint is required (${FORMS})`);
  if (t.startsWith('ip:')) {
    const ip = t.slice(3);
    if (isIP(ip) === 0) throw errors.badRequest(`invalid endpoint "${text}": "${ip}" is not an IP address`);
    return { kind: 'ip', ip };
  }
  if (isIP(t) !== 0) return { kind: 'ip', ip: t };
  const svc = /^(svc|service|services)\//.exec(t);
  const rest = svc ? t.slice(svc[0].length) : t;
  const parts = rest.split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) throw errors.badRequest(`invalid endpoint "${text}": ${FORMS}`);
  const [a = '', b] = parts;
  const namespace = checkName(text, 'namespace', b === undefined ? defaultNamespace : a, LABEL, 63);
  const name = checkName(text, svc ? 'Service' : 'pod', b ?? a, svc ? LABEL : SUBDOMAIN, svc ? 63 : 253);
  return { kind: svc ? 'service' : 'pod', namespace, name };
}

/** The canonical text of a spec: `ns/pod`, `svc/ns/name`, `ip:ADDRESS`. */
export function formatEndpointSpec(e: EndpointSpec): string {
  switch (e.kind) {
    case 'pod':
      return `${e.namespace}/${e.name}`;
    case 'service':
      return `svc/${e.namespace}/${e.name}`;
    case 'ip':
      return `ip:${e.ip}`;
    default: {
      const never: never = e;
      throw new Error(`unknown endpoint ${JSON.stringify(never)}`);
    }
  }
}

/** One concrete end the engine judges: a pod or an address, with a label for people. */
export interface Concrete {
  readonly endpoint: Endpoint;
  /** `ns/pod` or the IP. */
  readonly label: string;
}

/** A concrete destination: where the connection lands and on which port. */
export interface ConcreteTarget extends Concrete {
  readonly port: number;
}

/** The Service hop of a query, for people and for explain's port hint. */
export interface ServiceHop {
  readonly namespace: string;
  readonly name: string;
  readonly clusterIP?: string;
  /** The Service port dialled. */
  readonly port: number;
  readonly protocol: Protocol;
  readonly portName?: string;
  readonly targetPort?: number | string;
  /** Every endpoint the proxy could pick (`ns/pod` or IP, with the pod port). */
  readonly endpoints: ReadonlyArray<{ readonly target: string; readonly ip: string; readonly port: number }>;
  /** All ports of the Service. */
  readonly ports: ReadonlyArray<ServicePortMapping>;
}

/** Where a destination spec leads for one port/protocol. */
export type Translation =
  | { readonly kind: 'direct'; readonly targets: ReadonlyArray<ConcreteTarget> }
  | { readonly kind: 'service'; readonly service: ServiceHop; readonly targets: ReadonlyArray<ConcreteTarget> }
  /** The proxy refuses (no such port, no endpoints, ExternalName): `service.endpoints` is empty. */
  | { readonly kind: 'refused'; readonly service: ServiceHop; readonly reason: string };

function requirePod(engine: PolicyEngine, namespace: string, name: string): PodInfo {
  const p = engine.getPod({ namespace, name });
  if (!p) throw errors.notFound('', 'pods', name);
  return p;
}

export function requireService(catalog: ServiceCatalog, namespace: string, name: string): CatalogService {
  const s = catalog.service(namespace, name);
  if (!s) throw errors.notFound('', 'services', name);
  return s;
}

const protoOf = (p: ServicePortMapping): Protocol => p.protocol ?? 'TCP';
const portText = (p: ServicePortMapping): string => `${p.port}/${protoOf(p)}${p.name ? ` (${p.name})` : ''}`;

function concreteOf(engine: PolicyEngine, b: CatalogBackend): Concrete {
  if (b.pod && engine.getPod(b.pod)) return { endpoint: { kind: 'pod', namespace: b.pod.namespace, name: b.pod.name }, label: `${b.pod.namespace}/${b.pod.name}` };
  const owner = engine.podByIPAddress(b.ip);
  return owner ? { endpoint: { kind: 'pod', namespace: owner.namespace, name: owner.name }, label: `${owner.namespace}/${owner.name}` } : { endpoint: { kind: 'ip', ip: b.ip }, label: b.ip };
}

/** The sources a spec stands for (a Service: the pods behind it; possibly none). */
export function sourcesOf(engine: PolicyEngine, catalog: ServiceCatalog, spec: EndpointSpec): Concrete[] {
  switch (spec.kind) {
    case 'pod':
      requirePod(engine, spec.namespace, spec.name);
      return [{ endpoint: spec, label: `${spec.namespace}/${spec.name}` }];
    case 'ip':
      return [concreteOf(engine, { ip: spec.ip, port: 0 })];
    case 'service': {
      const svc = requireService(catalog, spec.namespace, spec.name);
      const seen = new Set<string>();
      const out: Concrete[] = [];
      for (const p of svc.ports) {
        for (const b of catalog.backends(svc, p)) {
          const c = concreteOf(engine, b);
          if (seen.has(c.label)) continue;
          seen.add(c.label);
          out.push(c);
        }
      }
      return out.sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    }
    default: {
      const never: never = spec;
      throw new Error(`unknown endpoint ${JSON.stringify(never)}`);
    }
  }
}

/**
 * The port a query means when none was given: a Service's only port of that
 * protocol, or a pod's only declared container port of that protocol.
 */
export function defaultPort(engine: PolicyEngine, catalog: ServiceCatalog, spec: EndpointSpec, protocol: Protocol): number {
  switch (spec.kind) {
    case 'ip':
      throw errors.badRequest(`a port is required for ${formatEndpointSpec(spec)}`);
    case 'service': {
      const svc = requireService(catalog, spec.namespace, spec.name);
      const ports = svc.ports.filter((p) => protoOf(p) === protocol);
      if (ports.length === 1 && ports[0]) return ports[0].port;
      throw errors.badRequest(
        `a port is required: Service ${spec.namespace}/${spec.name} has ${ports.length === 0 ? `no ${protocol} port` : `ports ${ports.map(portText).join(', ')}`}`,
      );
    }
    case 'pod': {
      const pod = requirePod(engine, spec.namespace, spec.name);
      const ports = [...new Set(pod.ports.filter((p) => (p.protocol ?? 'TCP') === protocol).map((p) => p.containerPort))];
      if (ports.length === 1 && ports[0] !== undefined) return ports[0];
      throw errors.badRequest(
        `a port is required: pod ${spec.namespace}/${spec.name} declares ${ports.length === 0 ? `no ${protocol} container port` : `${protocol} ports ${ports.join(', ')}`}`,
      );
    }
    default: {
      const never: never = spec;
      throw new Error(`unknown endpoint ${JSON.stringify(never)}`);
    }
  }
}

/** Where a destination spec leads on `port`/`protocol` (a Service port is translated). */
export function translate(engine: PolicyEngine, catalog: ServiceCatalog, spec: EndpointSpec, port: number, protocol: Protocol): Translation {
  switch (spec.kind) {
    case 'pod':
      requirePod(engine, spec.namespace, spec.name);
      return { kind: 'direct', targets: [{ endpoint: spec, label: `${spec.namespace}/${spec.name}`, port }] };
    case 'ip':
      return { kind: 'direct', targets: [{ ...concreteOf(engine, { ip: spec.ip, port }), port }] };
    case 'service': {
      const svc = requireService(catalog, spec.namespace, spec.name);
      const base: ServiceHop = { namespace: svc.namespace, name: svc.name, ...(svc.clusterIP ? { clusterIP: svc.clusterIP } : {}), port, protocol, endpoints: [], ports: svc.ports };
      if (svc.externalName) return { kind: 'refused', service: base, reason: `Service ${svc.namespace}/${svc.name} is an ExternalName Service: the proxy does not translate it` };
      const sp = svc.ports.find((p) => p.port === port && protoOf(p) === protocol);
      if (!sp) {
        return {
          kind: 'refused',
          service: base,
          reason: `Service ${svc.namespace}/${svc.name} has no port ${port}/${protocol} (its ports: ${svc.ports.map(portText).join(', ') || 'none'}): the connection is refused`,
        };
      }
      const hop: ServiceHop = { ...base, ...(sp.name ? { portName: sp.name } : {}), targetPort: sp.targetPort ?? sp.port };
      const backends = catalog.backends(svc, sp);
      if (backends.length === 0) return { kind: 'refused', service: hop, reason: `Service ${svc.namespace}/${svc.name} has no ready endpoints for port ${port}/${protocol}: the connection is refused at once` };
      const targets = backends.map((b) => ({ ...concreteOf(engine, b), port: b.port }));
      return { kind: 'service', service: { ...hop, endpoints: targets.map((t, i) => ({ target: t.label, ip: backends[i]?.ip ?? '', port: t.port })) }, targets };
    }
    default: {
      const never: never = spec;
      throw new Error(`unknown endpoint ${JSON.stringify(never)}`);
    }
  }
}

function selects(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

/**
 * A catalog for offline input: each Service's endpoints are the engine's pods
 * in its namespace that its selector selects and that have an IP, with named
 * targetPorts resolved on each pod (a pod without that port is no endpoint).
 * Readiness is not known offline: every such pod counts as ready.
 */
export function selectorCatalog(engine: PolicyEngine, services: ReadonlyArray<OfflineService>): ServiceCatalog {
  const byKey = new Map(services.map((s) => [`${s.namespace}/${s.name}`, s]));
  return {
    service: (namespace, name) => byKey.get(`${namespace}/${name}`),
    backends(svc, port) {
      const s = byKey.get(`${svc.namespace}/${svc.name}`);
      if (!s) return [];
      const target = port.targetPort ?? port.port;
      const proto = protoOf(port);
      const out: CatalogBackend[] = [];
      for (const pod of engine.listPods()) {
        if (pod.namespace !== s.namespace || !pod.ip || !selects(s.selector, pod.labels)) continue;
        const n = typeof target === 'number' ? target : pod.ports.find((p) => p.name === target && (p.protocol ?? 'TCP') === proto)?.containerPort;
        if (n === undefined) continue;
        out.push({ pod: { namespace: pod.namespace, name: pod.name }, ip: pod.ip, port: n });
      }
      return out;
    },
  };
}
