/**
 * @module policy/naive
 * The reference evaluator: the NetworkPolicy semantics written as directly as
 * possible, re-checking every policy for every connection (no identities, no
 * selector cache, no compiled maps). It is the oracle the compiled engine is
 * tested against (same inputs, same Decision, revision aside) and the baseline
 * of the benchmark. Too slow for the dataplane; do not use it there. No I/O.
 */

import { formatIP, parseIP, type ParsedIP } from './cidr.js';
import { PolicyError } from './errors.js';
import { selectorMatches } from './labels.js';
import { compareRuleRefs } from './mapstate.js';
import { peerMatches, portMatches, portNamesFor, type PeerCandidate } from './match.js';
import { normalizePolicy, type NormalizedPolicy } from './spec.js';
import type { ClusterModel, Decision, DecideQuery, Direction, DirectionVerdict, EngineOptions, Endpoint, Labels, PodInfo, Protocol, ResolvedEndpoint, RuleRef } from './types.js';

type Resolved = { readonly kind: 'pod'; readonly pod: PodInfo } | { readonly kind: 'ip'; readonly ip: ParsedIP; readonly text: string };

const canon = (ip: string | undefined): string | undefined => {
  const p = ip ? parseIP(ip) : undefined;
  return p ? formatIP(p) : undefined;
};

export class NaiveEvaluator {
  private readonly policies: ReadonlyArray<NormalizedPolicy>;
  private readonly opts: Required<EngineOptions>;
  // Plain lookups of the input only (pod by name, by IP; namespace labels); the
  // policy evaluation below stays naive: every policy, every time.
  private readonly podByKey = new Map<string, PodInfo>();
  private readonly podByIP = new Map<string, PodInfo>();
  private readonly nsByName = new Map<string, Labels>();

  constructor(
    private readonly model: ClusterModel,
    options: EngineOptions = {},
  ) {
    this.policies = model.policies.map(normalizePolicy).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.opts = { allowLoopback: options.allowLoopback ?? true, allowNodeLocal: options.allowNodeLocal ?? true };
    for (const p of model.pods) {
      this.podByKey.set(`${p.namespace}/${p.name}`, p);
      const ip = canon(p.ip);
      // The last pod listed with an IP wins, as in the engine's IP index.
      if (ip && !p.hostNetwork) this.podByIP.set(ip, p);
    }
    for (const n of model.namespaces) this.nsByName.set(n.name, n.labels);
  }

  decide(q: DecideQuery): Decision {
    const protocol: Protocol = q.protocol ?? 'TCP';
    if (!Number.isInteger(q.port) || q.port < 1 || q.port > 65535) throw new PolicyError('POLICY_INVALID_PORT', `invalid port ${String(q.port)}`);
    const src = this.resolve(q.src);
    const dst = this.resolve(q.dst);
    const seen = q.snat ? this.resolve(q.snat) : src;
    const dstNames = dst.kind === 'pod' ? portNamesFor(dst.pod.ports, protocol, q.port) : [];
    const egress = this.verdict('egress', src, dst, protocol, q.port, dstNames);
    const ingress = this.verdict('ingress', dst, seen, protocol, q.port, dstNames);
    const b = this.bypass(src, seen, dst);
    // Written out rather than shared with the engine, on purpose.
    const allowed = b.loopback || ((b.egress || egress.allowed) && (b.ingress || ingress.allowed));
    const reason = b.loopback ? 'loopback' : allowed && ((b.egress && !egress.allowed) || (b.ingress && !ingress.allowed)) ? 'node-local' : 'policy';
    return {
      allowed,
      reason,
      protocol,
      port: q.port,
      src: this.describe(src),
      ...(q.snat ? { snat: this.describe(seen) } : {}),
      dst: this.describe(dst),
      egress,
      ingress,
      revision: 0,
    };
  }

  private nsLabels(ns: string): Labels {
    return this.nsByName.get(ns) ?? { 'kubernetes.io/metadata.name': ns };
  }

  private resolve(ep: Endpoint): Resolved {
    if (ep.kind === 'pod') {
      const pod = this.podByKey.get(`${ep.namespace}/${ep.name}`);
      if (!pod) throw new PolicyError('POLICY_UNKNOWN_POD', `pods "${ep.name}" not found in namespace "${ep.namespace}"`);
      return { kind: 'pod', pod };
    }
    const ip = parseIP(ep.ip);
    if (!ip) throw new PolicyError('POLICY_INVALID_IP', `invalid IP "${ep.ip}"`);
    const text = formatIP(ip);
    const pod = this.podByIP.get(text);
    return pod ? { kind: 'pod', pod } : { kind: 'ip', ip, text };
  }

  private describe(r: Resolved): ResolvedEndpoint {
    if (r.kind === 'ip') {
      const node = this.model.nodes?.find((n) => canon(n.ip) === r.text)?.name;
      return node ? { kind: 'ip', ip: r.text, node } : { kind: 'ip', ip: r.text };
    }
    const ip = canon(r.pod.ip);
    return { kind: 'pod', namespace: r.pod.namespace, name: r.pod.name, ...(ip ? { ip } : {}), ...(r.pod.hostNetwork ? { hostNetwork: true } : {}) };
  }

  private candidate(r: Resolved): PeerCandidate {
    if (r.kind === 'ip') return { ip: r.ip };
    const ip = r.pod.ip ? parseIP(r.pod.ip) : undefined;
    if (r.pod.hostNetwork) return ip ? { ip } : {};
    return {
      pod: { namespace: r.pod.namespace, namespaceLabels: this.nsLabels(r.pod.namespace), labels: r.pod.labels },
      ...(ip ? { ip } : {}),
    };
  }

  private bypass(src: Resolved, seen: Resolved, dst: Resolved): { loopback: boolean; egress: boolean; ingress: boolean } {
    const loopback = this.opts.allowLoopback && src.kind === 'pod' && dst.kind === 'pod' && src.pod.namespace === dst.pod.namespace && src.pod.name === dst.pod.name;
    if (!this.opts.allowNodeLocal) return { loopback, egress: false, ingress: false };
    const nodeIP = (p: PodInfo): string | undefined => canon(p.nodeIP ?? this.model.nodes?.find((n) => n.name === p.nodeName)?.ip);
    const outside = (r: Resolved): string | undefined => (r.kind === 'ip' ? r.text : r.pod.hostNetwork ? canon(r.pod.ip) : undefined);
    const normalPod = (r: Resolved): PodInfo | undefined => (r.kind === 'pod' && !r.pod.hostNetwork ? r.pod : undefined);
    const sp = normalPod(src);
    const dp = normalPod(dst);
    const di = outside(dst);
    const si = outside(seen);
    return {
      loopback,
      egress: sp !== undefined && di !== undefined && nodeIP(sp) === di,
      ingress: dp !== undefined && si !== undefined && nodeIP(dp) === si,
    };
  }

  private verdict(direction: Direction, self: Resolved, peer: Resolved, protocol: Protocol, port: number, dstNames: ReadonlyArray<string>): DirectionVerdict {
    if (self.kind === 'ip') return { direction, allowed: true, isolated: false, reason: 'not-a-pod', selectedBy: [], allowedBy: [] };
    const pod = { namespace: self.pod.namespace, name: self.pod.name };
    if (self.pod.hostNetwork) return { direction, pod, allowed: true, isolated: false, reason: 'host-network', selectedBy: [], allowedBy: [] };
    const selecting = this.policies.filter(
      (p) => p.ref.namespace === self.pod.namespace && selectorMatches(p.subject, self.pod.labels) && (direction === 'ingress' ? p.affectsIngress : p.affectsEgress),
    );
    if (selecting.length === 0) return { direction, pod, allowed: true, isolated: false, reason: 'not-isolated', selectedBy: [], allowedBy: [] };
    const cand = this.candidate(peer);
    const allowedBy: RuleRef[] = [];
    for (const p of selecting) {
      for (const rule of direction === 'ingress' ? p.ingress : p.egress) {
        const peerHits: Array<number | undefined> = rule.peers === null ? [undefined] : rule.peers.filter((x) => peerMatches(x, p.ref.namespace, cand)).map((x) => x.index);
        const portHits: Array<number | undefined> = rule.ports === null ? [undefined] : rule.ports.filter((x) => portMatches(x, protocol, port, dstNames)).map((x) => x.index);
        for (const peerIndex of peerHits) {
          for (const portIndex of portHits) {
            allowedBy.push({
              policy: p.ref,
              direction,
              ruleIndex: rule.index,
              ...(peerIndex === undefined ? {} : { peerIndex }),
              ...(portIndex === undefined ? {} : { portIndex }),
            });
          }
        }
      }
    }
    allowedBy.sort(compareRuleRefs);
    return {
      direction,
      pod,
      allowed: allowedBy.length > 0,
      isolated: true,
      reason: allowedBy.length > 0 ? 'allowed-by-rule' : 'no-matching-rule',
      selectedBy: selecting.map((p) => p.ref),
      allowedBy,
    };
  }
}
