/**
 * @module dns/objects
 * Slim projections of the Kubernetes objects cluster DNS needs, made from the raw
 * JSON objects (CoreDNS `plugin/kubernetes/object/service.go`, `endpoint.go`,
 * `pod.go`): only the fields a DNS answer depends on, validated from `unknown`.
 *
 * - Service: name, namespace, type, clusterIPs ("None" = headless), externalName,
 *   ports; a Service without ports gets a sentinel port -1 (A records yes, SRV no).
 * - EndpointSlice: the owning Service (label `kubernetes.io/service-name`), ports
 *   (sentinel -1 when none), and the addresses of *ready* endpoints only
 *   (`conditions.ready` absent counts as ready, per the API docs). Addresses that
 *   are not IPs (FQDN slices) are left out.
 * - Pod: name, namespace, IPs, whether it is terminating.
 *
 * What it does not do: index anything (record-table does) or decide answers.
 */
import { canonicalIp } from './ip.js';

export interface DnsPort {
  /** Port name, lower case ('' for an unnamed port). */
  readonly name: string;
  /** Port number; -1 is the "no ports" sentinel. */
  readonly port: number;
  /** Protocol, lower case ('tcp', 'udp', 'sctp'; '' for the sentinel). */
  readonly protocol: string;
}

export interface DnsService {
  readonly name: string;
  readonly namespace: string;
  /** spec.type: ClusterIP, NodePort, LoadBalancer or ExternalName. */
  readonly type: string;
  /** Canonical cluster IPs; ['None'] for a headless Service, [''] before allocation. */
  readonly clusterIPs: ReadonlyArray<string>;
  readonly externalName: string;
  readonly ports: ReadonlyArray<DnsPort>;
}

export interface DnsEndpointAddress {
  /** Canonical IP. */
  readonly ip: string;
  /** The endpoint's hostname field ('' when unset). */
  readonly hostname: string;
  readonly nodeName: string;
  readonly targetRefName: string;
}

export interface DnsEndpoints {
  /** The EndpointSlice's own name. */
  readonly name: string;
  readonly namespace: string;
  /** The Service it belongs to (label kubernetes.io/service-name; '' when missing). */
  readonly serviceName: string;
  readonly ports: ReadonlyArray<DnsPort>;
  /** Ready addresses only. */
  readonly addresses: ReadonlyArray<DnsEndpointAddress>;
}

export interface DnsPod {
  readonly name: string;
  readonly namespace: string;
  /** Canonical pod IPs (status.podIPs, else status.podIP). */
  readonly ips: ReadonlyArray<string>;
  readonly deleting: boolean;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const NO_PORTS: ReadonlyArray<DnsPort> = Object.freeze([Object.freeze({ name: '', port: -1, protocol: '' })]);

function rec(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
function arr(v: unknown): ReadonlyArray<unknown> {
  return Array.isArray(v) ? v : [];
}

/** metadata.name and metadata.namespace, or undefined when the object has no name. */
export function objectKey(obj: unknown): { name: string; namespace: string } | undefined {
  const md = rec(rec(obj)?.['metadata']);
  const name = str(md?.['name']);
  if (!name) return undefined;
  return { name, namespace: str(md?.['namespace']) };
}

function ports(list: unknown): ReadonlyArray<DnsPort> {
  const out: DnsPort[] = [];
  for (const p of arr(list)) {
    const r = rec(p);
    if (!r) continue;
    const port = typeof r['port'] === 'number' ? r['port'] : -1;
    out.push({ name: str(r['name']).toLowerCase(), port, protocol: (str(r['protocol']) || 'TCP').toLowerCase() });
  }
  return out.length ? out : NO_PORTS;
}

export function toService(obj: unknown): DnsService | undefined {
  const key = objectKey(obj);
  if (!key) return undefined;
  const spec = rec(rec(obj)?.['spec']) ?? {};
  const ipsRaw = arr(spec['clusterIPs']).map(str).filter((s) => s !== '');
  const ips = ipsRaw.length ? ipsRaw : [str(spec['clusterIP'])];
  return {
    ...key,
    type: str(spec['type']) || 'ClusterIP',
    clusterIPs: ips.map((ip) => (ip === 'None' ? 'None' : (canonicalIp(ip) ?? ''))),
    externalName: str(spec['externalName']).replace(/\.$/, ''),
    ports: ports(spec['ports']),
  };
}

export function isHeadless(svc: DnsService): boolean {
  return svc.clusterIPs[0] === 'None';
}

export function toEndpoints(obj: unknown): DnsEndpoints | undefined {
  const key = objectKey(obj);
  const o = rec(obj);
  if (!key || !o) return undefined;
  const labels = rec(rec(o['metadata'])?.['labels']) ?? {};
  const addresses: DnsEndpointAddress[] = [];
  for (const e of arr(o['endpoints'])) {
    const ep = rec(e);
    if (!ep) continue;
    const ready = rec(ep['conditions'])?.['ready'];
    if (ready === false) continue;
    const hostname = str(ep['hostname']);
    const nodeName = str(ep['nodeName']);
    const target = str(rec(ep['targetRef'])?.['name']);
    for (const a of arr(ep['addresses'])) {
      const ip = canonicalIp(str(a));
      if (!ip) continue;
      addresses.push({ ip, hostname, nodeName, targetRefName: target.length < 64 ? target : '' });
    }
  }
  return { ...key, serviceName: str(labels[SERVICE_NAME_LABEL]), ports: ports(o['ports']), addresses };
}

export function toPod(obj: unknown): DnsPod | undefined {
  const key = objectKey(obj);
  const o = rec(obj);
  if (!key || !o) return undefined;
  const status = rec(o['status']) ?? {};
  const listed = arr(status['podIPs']).map((p) => str(rec(p)?.['ip']));
  const raw = listed.length ? listed : [str(status['podIP'])];
  const ips = raw.map((ip) => canonicalIp(ip)).filter((ip): ip is string => ip !== undefined);
  return { ...key, ips, deleting: Boolean(rec(o['metadata'])?.['deletionTimestamp']) };
}
