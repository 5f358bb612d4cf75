/**
 * @module dns/kubernetes-plugin
 * The kubernetes plugin (CoreDNS `plugin/kubernetes/handler.go` ServeDNS): answers
 * the cluster zone and the reverse zones of the Service and Pod CIDRs from the
 * record table; falls through to the next plugin for every other name.
 *
 *   qname in zone? --no--> next
 *     | yes: by qtype -> A/AAAA/TXT/CNAME/PTR/MX/SRV/SOA/NS records (dns/answers)
 *     |       AXFR/IXFR -> REFUSED; other types -> NXDOMAIN or NODATA by a fake A lookup
 *     v
 *   name error -> NXDOMAIN (or next, for `fallthrough` zones)
 *   no records -> NOERROR, empty answer (NODATA)
 *   both carry the zone's SOA in the authority section; all answers are authoritative.
 *
 * Defaults follow CoreDNS: TTL 5, `pods insecure` (as kubeadm's Corefile sets it),
 * dns-version TXT "1.1.0" with TTL 28800.
 */
import type { Answer, Packet } from 'dns-packet';
import type { Handler, Plugin, DnsContext } from './chain.js';
import { address, cname, mx, ns, ptr, soa, srv, txt, type AnswerBackend, type Records } from './answers.js';
import { reverse, services, type BackendConfig, type Lookup, type PodMode } from './backend.js';
import { FLAG, RCODE, firstQuestion, replyTo } from './message.js';
import { matchZone, normalizeName, zoneAsAsked, isSubdomain } from './names.js';
import { isReverseName, reverseZonesForCidr } from './ip.js';
import type { RecordTable } from './record-table.js';

export interface KubernetesPluginOptions {
  readonly table: RecordTable;
  /** The cluster domain; default cluster.local. */
  readonly clusterDomain?: string;
  /** CIDRs whose reverse zones this plugin answers; default the Service and Pod ranges. */
  readonly reverseCidrs?: ReadonlyArray<string>;
  /** TTL of every record but dns-version; default 5 (CoreDNS's default). */
  readonly ttl?: number;
  /** Pod records `a-b-c-d.<ns>.pod.<zone>`; default 'insecure'. */
  readonly pods?: PodMode;
  /** Use pod names as endpoint hostnames when an endpoint has none (CoreDNS endpoint_pod_names). */
  readonly endpointPodNames?: boolean;
  /** The Service that fronts cluster DNS, for NS records; default kube-system/kube-dns. */
  readonly dnsService?: { readonly namespace: string; readonly name: string };
  /** Addresses of ns.dns.<zone> when that Service is missing; default 10.96.0.10. */
  readonly nameserverIps?: ReadonlyArray<string>;
  /** Zones whose name errors go to the next plugin instead of NXDOMAIN ('' = all). Default none. */
  readonly fallthrough?: ReadonlyArray<string>;
  /**
   * Resolves names outside the cluster zone (ExternalName targets) through the
   * whole chain, as CoreDNS's `upstream` does. Without it such CNAMEs are answered alone.
   */
  readonly upstream?: Handler;
}

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
export const DEFAULT_REVERSE_CIDRS: ReadonlyArray<string> = ['10.96.0.0/12', '10.244.0.0/16'];
export const DEFAULT_TTL = 5;
/** Upstream lookups for CNAME targets stop this deep. */
const MAX_DEPTH = 8;

/** The zones the plugin serves for these options: the cluster domain first, then reverse zones. */
export function kubernetesZones(opts: Pick<KubernetesPluginOptions, 'clusterDomain' | 'reverseCidrs'>): string[] {
  const zones = [normalizeName(opts.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN)];
  for (const c of opts.reverseCidrs ?? DEFAULT_REVERSE_CIDRS) for (const z of reverseZonesForCidr(c)) if (!zones.includes(z)) zones.push(z);
  return zones;
}

export function kubernetesPlugin(opts: KubernetesPluginOptions): Plugin {
  const zones = kubernetesZones(opts);
  const ttl = opts.ttl ?? DEFAULT_TTL;
  const cfg: BackendConfig = {
    table: opts.table,
    primaryZone: zones[0]!,
    ttl,
    podMode: opts.pods ?? 'insecure',
    endpointPodNames: opts.endpointPodNames ?? false,
    dnsService: opts.dnsService ?? { namespace: 'kube-system', name: 'kube-dns' },
    nameserverIps: opts.nameserverIps ?? ['10.96.0.10'],
  };
  const fall = (opts.fallthrough ?? []).map(normalizeName);
  const reverseZones = zones.filter(isReverseName);
  const forwardZones = zones.filter((z) => !isReverseName(z));

  return (next: Handler): Handler =>
    async (query: Packet, ctx: DnsContext): Promise<Packet> => {
      const q = firstQuestion(query);
      if (!q) return next(query, ctx);
      const name = normalizeName(q.name);
      const zone = matchZone(isReverseName(name) ? reverseZones : forwardZones, name);
      if (zone === undefined) return next(query, ctx);
      const b = new QueryBackend(cfg, zone, zoneAsAsked(q.name, zone), opts.table.serial, opts.upstream, ctx);
      let res: Records;
      switch (q.type) {
        case 'AXFR':
        case 'IXFR':
          return replyTo(query, RCODE.REFUSED);
        case 'A':
        case 'AAAA':
          res = await address(b, q.name, q.type);
          break;
        case 'TXT':
          res = txt(b, q.name);
          break;
        case 'CNAME':
          res = cname(b, q.name);
          break;
        case 'PTR':
          res = ptr(b, q.name);
          break;
        case 'MX':
          res = mx(b, q.name);
          break;
        case 'SRV':
          res = srv(b, q.name);
          break;
        case 'SOA':
          res = name === zone ? { kind: 'records', records: [soa(b)], extra: [], truncated: false } : NONE;
          break;
        case 'NS':
          res = name === zone ? ns(b, q.name) : await fakeA(b, q.name);
          break;
        default:
          res = await fakeA(b, q.name);
      }
      if (res.kind === 'nameError') {
        if (fall.some((z) => isSubdomain(name, z))) return next(query, ctx);
        return withAuthority(replyTo(query, RCODE.NXDOMAIN, { aa: true }), soa(b));
      }
      if (res.records.length === 0) return withAuthority(replyTo(query, RCODE.NOERROR, { aa: true }), soa(b));
      const reply = replyTo(query, RCODE.NOERROR, { aa: true });
      return {
        ...reply,
        flags: (reply.flags ?? 0) | (res.truncated ? FLAG.TC : 0),
        answers: res.records,
        additionals: res.extra,
      };
    };
}

const NONE: Records = { kind: 'records', records: [], extra: [], truncated: false };

/** Other query types: NXDOMAIN or NODATA, told apart by an A lookup (CoreDNS's "fake A"). */
async function fakeA(b: AnswerBackend, qname: string): Promise<Records> {
  const r = await address(b, qname, 'A');
  return r.kind === 'nameError' ? r : NONE;
}

/** The backend as one query sees it: its zone, the table, and the way out for CNAME targets. */
class QueryBackend implements AnswerBackend {
  constructor(
    private readonly cfg: BackendConfig,
    readonly zone: string,
    readonly zoneAsAsked: string,
    readonly serial: number,
    private readonly up: Handler | undefined,
    private readonly ctx: DnsContext,
  ) {}

  get ttl(): number {
    return this.cfg.ttl;
  }

  services(name: string, qtype: string): Lookup {
    return services(this.cfg, { name, qtype, zone: this.zone, zoneAsAsked: this.zoneAsAsked });
  }

  reverse(name: string): Lookup {
    return reverse(this.cfg, { name, qtype: 'PTR', zone: this.zone, zoneAsAsked: this.zoneAsAsked });
  }

  async upstream(target: string, qtype: 'A' | 'AAAA'): Promise<Packet | undefined> {
    const depth = this.ctx.depth ?? 0;
    if (!this.up || depth >= MAX_DEPTH) return undefined;
    const sub: Packet = { id: 0, type: 'query', flags: FLAG.RD, questions: [{ name: target, type: qtype }] };
    return this.up(sub, { ...this.ctx, depth: depth + 1 });
  }
}

function withAuthority(p: Packet, rr: Answer): Packet {
  return { ...p, authorities: [rr] };
}
