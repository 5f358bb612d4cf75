/**
 * @module dns/backend
 * The kubernetes plugin's lookups over the record table (CoreDNS
 * `plugin/kubernetes/kubernetes.go` Records/findServices/findPods, `reverse.go`,
 * `ns.go`): a parsed request becomes a list of `Item`s (CoreDNS `msg.Service`),
 * or a name error (NXDOMAIN). An empty list is "the name exists, no data"
 * (NODATA). Record building from items lives in dns/answers.
 *
 * Rules kept from CoreDNS:
 * - the namespace must exist, else NXDOMAIN; `<ns>.svc.<zone>` itself is NODATA;
 * - a ClusterIP Service answers with its cluster IPs, one item per matching port
 *   (port -1 when it has none); no matching port -> NXDOMAIN;
 * - a headless Service, or any `<endpoint>.<service>` name, answers from ready
 *   endpoint addresses; none -> NXDOMAIN;
 * - ExternalName answers a CNAME item (never for an endpoint name);
 * - pod names `a-b-c-d.<ns>.pod`: `insecure` answers any IP-shaped name in an
 *   existing namespace, `verified` only IPs of pods in that namespace.
 * Pure.
 */
import { canonicalIp, formatIp, parseIp, addressFromReverse, isReverseName } from './ip.js';
import { isHeadless, type DnsEndpointAddress, type DnsPort } from './objects.js';
import { labels, trimZone } from './names.js';
import { parseRequest } from './parse.js';
import type { RecordTable } from './record-table.js';

/** One thing a name stands for (CoreDNS `msg.Service`). */
export interface Item {
  /** An IP, a target name (CNAME/PTR), or '' for text items. */
  readonly host: string;
  /** Port for SRV; -1 = none. */
  readonly port: number;
  /** The name this item is known by: SRV targets and NS names use it. */
  readonly domain: string;
  readonly ttl: number;
  /** TXT content. */
  readonly text?: string;
  /** The record type `host` makes, when known up front (canonical IPs from the table). */
  readonly kind?: 'A' | 'AAAA';
}

export type Lookup = { readonly kind: 'items'; readonly items: ReadonlyArray<Item> } | { readonly kind: 'nameError' };

export type PodMode = 'disabled' | 'insecure' | 'verified';

export interface BackendConfig {
  readonly table: RecordTable;
  /** The cluster domain, normalized (e.g. cluster.local). PTR targets use it. */
  readonly primaryZone: string;
  readonly ttl: number;
  readonly podMode: PodMode;
  /** CoreDNS `endpoint_pod_names`: use the pod name as endpoint hostname when unset. */
  readonly endpointPodNames: boolean;
  /** The Service that fronts cluster DNS (NS records), e.g. kube-system/kube-dns. */
  readonly dnsService: { readonly namespace: string; readonly name: string };
  /** Addresses for `ns.dns.<zone>` when that Service does not exist. */
  readonly nameserverIps: ReadonlyArray<string>;
}

/** The query being looked up: normalized name and zone, and the zone as the client spelled it. */
export interface LookupState {
  readonly name: string;
  readonly qtype: string;
  readonly zone: string;
  readonly zoneAsAsked: string;
}

export const DNS_SCHEMA_VERSION = '1.1.0';
export const DNS_VERSION_TTL = 28800;

const NAME_ERROR: Lookup = { kind: 'nameError' };
const items = (list: ReadonlyArray<Item>): Lookup => ({ kind: 'items', items: list });

/** What kind of record an item's host makes (CoreDNS `HostType`). */
export function hostType(item: Item): 'A' | 'AAAA' | 'CNAME' | 'TXT' {
  if (item.kind) return item.kind;
  const b = parseIp(item.host);
  if (!b) return item.text ? 'TXT' : 'CNAME';
  return b.length === 4 ? 'A' : 'AAAA';
}

/** Table IPs are canonical, so the family shows in the text. */
function ipKind(canonical: string): 'A' | 'AAAA' {
  return canonical.includes(':') ? 'AAAA' : 'A';
}

function endpointHostname(addr: DnsEndpointAddress, podNames: boolean): string {
  if (addr.hostname) return addr.hostname;
  if (podNames && addr.targetRefName) return addr.targetRefName;
  return addr.ip.replace(/[.:]/g, '-');
}

function matchPort(reqPort: string, reqProto: string, p: DnsPort): boolean {
  return (reqPort === '' || reqPort === p.name) && (reqProto === '' || reqProto === p.protocol);
}

/** CoreDNS `Services`: special names (dns-version TXT, NS, ns.dns) then `records`. */
export function services(cfg: BackendConfig, st: LookupState): Lookup {
  if (st.qtype === 'TXT') {
    const segs = labels(trimZone(st.name, st.zone));
    if (segs.length !== 1 || segs[0] !== 'dns-version') return items([]);
    return items([{ host: '', port: -1, domain: st.name, ttl: DNS_VERSION_TTL, text: DNS_SCHEMA_VERSION }]);
  }
  if (st.qtype === 'NS') {
    return items(nsAddrs(cfg, st.zoneAsAsked).map((a) => ({ host: a.ip, port: -1, domain: a.name, ttl: cfg.ttl })));
  }
  if (st.name === `ns.dns.${st.zone}`) {
    const fam = st.qtype === 'A' ? 4 : st.qtype === 'AAAA' ? 6 : 0;
    const out = nsAddrs(cfg, st.zoneAsAsked).filter((a) => (parseIp(a.ip)?.length === 4 ? 4 : 6) === fam);
    return items(out.map((a) => ({ host: a.ip, port: -1, domain: st.name, ttl: cfg.ttl })));
  }
  const r = records(cfg, st);
  if (st.qtype !== 'SRV' || r.kind === 'nameError') return r;
  return items(r.items.filter((i) => hostType(i) !== 'CNAME'));
}

/** CoreDNS `Records`: parse, then services or pods. */
export function records(cfg: BackendConfig, st: LookupState): Lookup {
  const r = parseRequest(st.name, st.zone);
  if (r.kind === 'invalid') return NAME_ERROR;
  if (r.kind === 'apex') return items([]);
  if (isReverseName(st.name)) return NAME_ERROR;
  if (!cfg.table.hasNamespace(r.namespace)) return NAME_ERROR;
  const zone = st.zoneAsAsked;
  if (r.podOrSvc === 'pod') return findPod(cfg, r.namespace, r.service, zone);
  if (r.service === '') return items([]);
  const svc = cfg.table.service(r.namespace, r.service);
  if (!svc) return NAME_ERROR;
  const base = `${svc.name}.${svc.namespace}.svc.${zone}`;
  if (svc.type === 'ExternalName') {
    if (r.endpoint !== '' || !svc.externalName || parseIp(svc.externalName)) return NAME_ERROR;
    return items([{ host: svc.externalName, port: -1, domain: base, ttl: cfg.ttl }]);
  }
  const out: Item[] = [];
  let found = false;
  if (isHeadless(svc) || r.endpoint !== '') {
    for (const eps of cfg.table.endpointsOf(svc.namespace, svc.name)) {
      for (const addr of eps.addresses) {
        const host = endpointHostname(addr, cfg.endpointPodNames);
        if (r.endpoint !== '' && r.endpoint !== host.toLowerCase()) continue;
        for (const p of eps.ports) {
          if (!matchPort(r.port, r.protocol, p)) continue;
          found = true;
          out.push({ host: addr.ip, port: p.port, domain: `${host}.${base}`, ttl: cfg.ttl, kind: ipKind(addr.ip) });
        }
      }
    }
    return found ? items(out) : NAME_ERROR;
  }
  for (const p of svc.ports) {
    if (!matchPort(r.port, r.protocol, p)) continue;
    found = true;
    for (const ip of svc.clusterIPs) if (ip) out.push({ host: ip, port: p.port, domain: base, ttl: cfg.ttl, kind: ipKind(ip) });
  }
  return found ? items(out) : NAME_ERROR;
}

function findPod(cfg: BackendConfig, namespace: string, podName: string, zone: string): Lookup {
  if (cfg.podMode === 'disabled') return NAME_ERROR;
  if (podName === '') return items([]);
  const dashed = podName.split('-').length - 1 === 3 && !podName.includes('--');
  const ip = canonicalIp(dashed ? podName.replace(/-/g, '.') : podName.replace(/-/g, ':'));
  if (!ip || (dashed && !/^(0|[1-9]\d*)(\.(0|[1-9]\d*)){3}$/.test(podName.replace(/-/g, '.')))) return NAME_ERROR;
  const item: Item = { host: ip, port: 0, domain: `${podName}.${namespace}.pod.${zone}`, ttl: cfg.ttl };
  if (cfg.podMode === 'insecure') return items([item]);
  const match = cfg.table.podsByIP(ip).filter((p) => p.namespace === namespace);
  return match.length ? items([item]) : NAME_ERROR;
}

/** CoreDNS `Reverse`: PTR targets for a reverse name (Service first, else endpoints). */
export function reverse(cfg: BackendConfig, st: LookupState): Lookup {
  const ip = addressFromReverse(st.name);
  if (!ip) {
    const r = records(cfg, st);
    return r.kind === 'nameError' ? r : items([]);
  }
  const svc = cfg.table.servicesByIP(ip)[0];
  if (svc) return items([{ host: `${svc.name}.${svc.namespace}.svc.${cfg.primaryZone}`, port: -1, domain: st.name, ttl: cfg.ttl }]);
  const out: Item[] = [];
  for (const eps of cfg.table.endpointsByIP(ip)) {
    if (!eps.serviceName) continue;
    for (const addr of eps.addresses) {
      if (addr.ip !== ip) continue;
      const host = endpointHostname(addr, cfg.endpointPodNames);
      out.push({ host: `${host}.${eps.serviceName}.${eps.namespace}.svc.${cfg.primaryZone}`, port: -1, domain: st.name, ttl: cfg.ttl });
    }
  }
  return out.length ? items(out) : NAME_ERROR;
}

/** The cluster DNS server's names and addresses (CoreDNS `nsAddrs`). */
export function nsAddrs(cfg: BackendConfig, zone: string): Array<{ name: string; ip: string }> {
  const { namespace, name } = cfg.dnsService;
  const svc = cfg.table.service(namespace, name);
  const out: Array<{ name: string; ip: string }> = [];
  if (svc && svc.type !== 'ExternalName') {
    const svcName = `${svc.name}.${svc.namespace}.svc.${cfg.primaryZone}`;
    if (isHeadless(svc)) {
      for (const eps of cfg.table.endpointsOf(namespace, name)) {
        for (const a of eps.addresses) out.push({ name: `${endpointHostname(a, cfg.endpointPodNames)}.${svcName}`, ip: a.ip });
      }
    } else {
      for (const ip of svc.clusterIPs) if (ip) out.push({ name: svcName, ip });
    }
  }
  if (out.length === 0) {
    for (const ip of cfg.nameserverIps) {
      const b = parseIp(ip);
      if (b) out.push({ name: `ns.dns.${zone}`, ip: formatIp(b) });
    }
  }
  return out;
}
