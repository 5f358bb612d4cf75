/**
 * @module controllers/endpointslice-desired
 * The pure half of the EndpointSlice and Endpoints controllers: from a Service,
 * the pods its selector matches and the nodes' zones, what the endpoints should
 * be, exactly as kube-controller-manager computes them
 * (`pkg/controller/endpointslice` `podToEndpoint`/`getEndpointPorts`,
 * `pkg/controller/endpoint` `addEndpointSubset`/`RepackSubsets`,
 * `podutil.FindPort`, `ShouldPodBeInEndpoints`).
 *
 *   pods ──filter (IP, node, not terminal)──► endpoint per pod
 *        └─ FindPort per Service port ──────► port mapping per pod
 *   group by port mapping ──► one slice group per distinct mapping
 *
 * No I/O, no store: data in, data out.
 */
import type { Container, Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort } from 'kubernetes-types/discovery/v1.js';
import type { EndpointAddress, EndpointPort as CoreEndpointPort, EndpointSubset } from 'kubernetes-types/core/v1.js';

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';
export const ANNOTATION_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

/** `helper.IsServiceIPSet` negated: clusterIP "None" (or unset). */
export function isHeadless(svc: Service): boolean {
  const ip = svc.spec?.clusterIP ?? '';
  return ip === 'None' || ip === '';
}

/** The Service's selector, or undefined when it has none (an empty selector counts as none). */
export function serviceSelector(svc: Service): Readonly<Record<string, string>> | undefined {
  const sel = svc.spec?.selector;
  return sel !== undefined && sel !== null && Object.keys(sel).length > 0 ? sel : undefined;
}

export function selectorMatches(sel: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>> | undefined): boolean {
  for (const [k, v] of Object.entries(sel)) if (labels?.[k] !== v) return false;
  return true;
}

/** `podutil.IsPodReady`: the Ready condition is True. */
export function isPodReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The pod's IPv4 address (podIPs first, then podIP), or undefined. */
export function podIPv4(pod: Pod): string | undefined {
  const all = [...(pod.status?.podIPs ?? []).map((p) => p.ip ?? ''), pod.status?.podIP ?? ''];
  return all.find((ip) => ip !== '' && !ip.includes(':'));
}

/**
 * `ShouldPodBeInEndpoints` plus the scheduling requirement: not terminal, has an
 * IPv4 address and a node, and (unless `includeTerminating`) is not terminating.
 */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (podIPv4(pod) === undefined) return false;
  if ((pod.spec?.nodeName ?? '') === '') return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp !== undefined) return false;
  return true;
}

/** `podutil.FindPort`: a named targetPort resolved against the pod's containers (and restartable init containers). */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === 'number') return tp;
  if (/^[0-9]+$/.test(tp)) return Number(tp);
  const protocol = sp.protocol ?? 'TCP';
  const containers: Container[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of containers) {
    for (const p of c.ports ?? []) if (p.name === tp && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** `getEndpointPorts`: the ports this pod serves, in Service order; unresolvable ones are left out. */
export function endpointPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const n = findPort(pod, sp);
    if (n === undefined) continue;
    const p: EndpointPort = { name: sp.name ?? '', port: n, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol !== undefined) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

/** `ShouldSetHostname`. */
function hostnameFor(pod: Pod, svc: Service): string | undefined {
  const h = pod.spec?.hostname ?? '';
  return h !== '' && pod.spec?.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace ? h : undefined;
}

/** `podToEndpoint` for addressType IPv4. */
export function podToEndpoint(pod: Pod, svc: Service, zoneOf: (node: string) => string | undefined): Endpoint {
  const serving = isPodReady(pod);
  const terminating = pod.metadata?.deletionTimestamp !== undefined;
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = {
    addresses: [podIPv4(pod) ?? ''],
    conditions: { ready, serving, terminating },
  };
  const hostname = hostnameFor(pod, svc);
  if (hostname !== undefined) ep.hostname = hostname;
  const node = pod.spec?.nodeName ?? '';
  if (node !== '') ep.nodeName = node;
  ep.targetRef = { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' };
  const zone = node === '' ? undefined : zoneOf(node);
  if (zone !== undefined && zone !== '') ep.zone = zone;
  return ep;
}

/** The endpoints sharing one port mapping. */
export interface SliceGroup {
  /** Canonical key of `ports`. */
  readonly key: string;
  readonly ports: ReadonlyArray<EndpointPort>;
  readonly endpoints: ReadonlyArray<Endpoint>;
}

export function portsKey(ports: ReadonlyArray<EndpointPort> | undefined | null): string {
  return JSON.stringify((ports ?? []).map((p) => [p.name ?? '', p.port ?? 0, p.protocol ?? 'TCP', p.appProtocol ?? null]));
}

/**
 * The desired EndpointSlice content of a Service with a selector: endpoints
 * grouped by their port mapping (pods that resolve a named targetPort to
 * different numbers land in different groups). Pods come in any order; each
 * group's endpoints are sorted by pod name so the result is deterministic.
 */
export function desiredSliceGroups(svc: Service, pods: Iterable<Pod>, zoneOf: (node: string) => string | undefined): SliceGroup[] {
  const groups = new Map<string, { ports: EndpointPort[]; endpoints: Array<{ name: string; ep: Endpoint }> }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ports = endpointPorts(svc, pod);
    const key = portsKey(ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports, endpoints: [] }));
    g.endpoints.push({ name: pod.metadata?.name ?? '', ep: podToEndpoint(pod, svc, zoneOf) });
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, g]) => ({ key, ports: g.ports, endpoints: g.endpoints.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((x) => x.ep) }));
}

/** Labels of a managed slice: the Service's (minus reserved keys), headless, service-name, managed-by. */
export function sliceLabels(svc: Service): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) if (k !== LABEL_SERVICE_NAME && k !== LABEL_MANAGED_BY) out[k] = v;
  if (svc.spec?.clusterIP === 'None') out[LABEL_HEADLESS] = '';
  out[LABEL_SERVICE_NAME] = svc.metadata?.name ?? '';
  out[LABEL_MANAGED_BY] = CONTROLLER_NAME;
  return out;
}

// ---- legacy Endpoints ----

function endpointAddress(pod: Pod, svc: Service): EndpointAddress {
  const a: EndpointAddress = { ip: podIPv4(pod) ?? '' };
  const hostname = hostnameFor(pod, svc);
  if (hostname !== undefined) a.hostname = hostname;
  if ((pod.spec?.nodeName ?? '') !== '') a.nodeName = pod.spec?.nodeName;
  a.targetRef = { kind: 'Pod', namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' };
  return a;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function ipKey(ip: string): string {
  return ip
    .split('.')
    .map((o) => o.padStart(3, '0'))
    .join('.');
}

/** Maximum addresses an Endpoints object keeps (`maxCapacity`). */
export const ENDPOINTS_MAX_CAPACITY = 1000;

/**
 * The Endpoints controller's subsets: one address per pod and resolvable port,
 * ready ones in `addresses` (all of them with publishNotReadyAddresses),
 * the rest in `notReadyAddresses`, then repacked so the ports offered by the
 * same set of addresses share a subset (`RepackSubsets`), sorted (`SortSubsets`;
 * ports by name and number here where upstream orders them by hash).
 */
export function desiredEndpointSubsets(svc: Service, pods: Iterable<Pod>): { subsets: EndpointSubset[]; truncated: boolean } {
  const tolerate = svc.spec?.publishNotReadyAddresses === true;
  // address key -> {address, ready, ports}
  const entries = new Map<string, { addr: EndpointAddress; ready: boolean; ports: CoreEndpointPort[] }>();
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerate)) continue;
    const addr = endpointAddress(pod, svc);
    const ready = tolerate || isPodReady(pod);
    const ports: CoreEndpointPort[] = [];
    const svcPorts = svc.spec?.ports ?? [];
    if (svcPorts.length === 0) {
      if (svc.spec?.clusterIP !== 'None') continue;
    } else {
      for (const sp of svcPorts) {
        const n = findPort(pod, sp);
        if (n === undefined) continue;
        const p: CoreEndpointPort = { port: n, protocol: sp.protocol ?? 'TCP' };
        if ((sp.name ?? '') !== '') p.name = sp.name;
        if (sp.appProtocol !== undefined) p.appProtocol = sp.appProtocol;
        ports.push(p);
      }
      if (ports.length === 0) continue;
    }
    entries.set(`${addr.ip}/${addr.targetRef?.uid ?? ''}`, { addr, ready, ports });
  }
  // RepackSubsets: each port -> the addresses offering it; ports offered by the
  // same set of addresses share one subset.
  const NO_PORT = '-';
  const portAddrs = new Map<string, { port: CoreEndpointPort | undefined; addrs: Map<string, boolean> }>();
  for (const [addrKey, e] of entries) {
    const ports: Array<CoreEndpointPort | undefined> = e.ports.length > 0 ? e.ports : [undefined];
    for (const p of ports) {
      const pk = p === undefined ? NO_PORT : JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? '']);
      let g = portAddrs.get(pk);
      if (!g) portAddrs.set(pk, (g = { port: p, addrs: new Map() }));
      g.addrs.set(addrKey, e.ready);
    }
  }
  const bySet = new Map<string, { addrs: Map<string, boolean>; ports: CoreEndpointPort[] }>();
  for (const g of portAddrs.values()) {
    const setKey = JSON.stringify([...g.addrs.entries()].sort(([a], [b]) => cmp(a, b)));
    let b = bySet.get(setKey);
    if (!b) bySet.set(setKey, (b = { addrs: g.addrs, ports: [] }));
    if (g.port !== undefined) b.ports.push(g.port);
  }
  const byAddr = (a: EndpointAddress, b: EndpointAddress): number => cmp(ipKey(a.ip), ipKey(b.ip)) || cmp(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');
  let subsets: EndpointSubset[] = [...bySet.values()].map((g) => {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [k, r] of g.addrs) {
      const e = entries.get(k);
      if (e !== undefined) (r ? ready : notReady).push(e.addr);
    }
    const s: EndpointSubset = {};
    if (ready.length > 0) s.addresses = ready.sort(byAddr);
    if (notReady.length > 0) s.notReadyAddresses = notReady.sort(byAddr);
    if (g.ports.length > 0) s.ports = g.ports.sort((a, b) => cmp(a.name ?? '', b.name ?? '') || a.port - b.port || cmp(a.protocol ?? '', b.protocol ?? ''));
    return s;
  });
  subsets.sort((a, b) => cmp(JSON.stringify(a.ports ?? []), JSON.stringify(b.ports ?? [])));
  // Over capacity: keep ready addresses first, up to the limit.
  let total = 0;
  for (const s of subsets) total += (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0);
  let truncated = false;
  if (total > ENDPOINTS_MAX_CAPACITY) {
    truncated = true;
    let budget = ENDPOINTS_MAX_CAPACITY;
    subsets = subsets.map((s) => {
      const ready = (s.addresses ?? []).slice(0, budget);
      budget -= ready.length;
      return { ...s, addresses: ready };
    });
    subsets = subsets.map((s) => {
      const nr = (s.notReadyAddresses ?? []).slice(0, budget);
      budget -= nr.length;
      const out: EndpointSubset = { ...s, notReadyAddresses: nr };
      if ((out.addresses ?? []).length === 0) delete out.addresses;
      if (nr.length === 0) delete out.notReadyAddresses;
      return out;
    });
    subsets = subsets.filter((s) => s.addresses !== undefined || s.notReadyAddresses !== undefined);
  }
  return { subsets, truncated };
}

/** Go's `time.RFC3339Nano` in UTC: fractional seconds without trailing zeros. */
export function rfc3339Nano(d: Date): string {
  const iso = d.toISOString();
  return iso.replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac === '' ? 'Z' : `.${frac}Z`));
}
