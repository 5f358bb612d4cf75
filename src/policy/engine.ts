/**
 * @module policy/engine
 * The NetworkPolicy engine: incremental state (namespaces, pods, nodes,
 * policies) and the decision for one connection. It owns the identity
 * allocator, the selector cache, the repository and the per-identity compiled
 * maps, and keeps them consistent as objects come and go:
 *
 *   upsertPod/removePod        identity acquire/release -> selector cache
 *   upsertNamespace/remove...  selector cache re-tests that namespace only
 *   upsertPolicy/removePolicy  repository (revision++) -> invalidate the maps
 *                              of identities its podSelector selected/selects
 *   decide                     src identity's egress map AND dst identity's
 *                              ingress map (built lazily, cached until invalidated)
 *
 * A decision touches only the maps of the two identities involved, so its cost
 * does not depend on policies that select neither pod. Pure: no I/O, no clock.
 *
 * Choices where Kubernetes leaves room (each documented upstream as allowed):
 * - ipBlock is matched against the peer's IP whoever it is, pod IPs included,
 *   as most CNIs do for in-cluster traffic (the upstream e2e CIDR cases rely
 *   on it). Outside IPs and node IPs are matched by ipBlock (or by rules with
 *   no peers) only.
 * - A pod reaching itself is always allowed; traffic between a pod and its
 *   own node (its hostIP) is always allowed (EngineOptions turn both off).
 * - Host-network pods are their node: never isolated, never selected by
 *   pod/namespace selectors, matched as peers by ipBlock only.
 * - Named ports resolve on the destination pod (ingress and egress rules),
 *   and need the container port's protocol to equal the rule's.
 * Explain and matrix live in their own modules and read through this class.
 */

import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { formatIP, parseIP, type ParsedIP } from './cidr.js';
import { PolicyError } from './errors.js';
import { IdentityAllocator } from './identity.js';
import { buildDirection, lookup, portView, viewAdmits, type DirectionState, type PeerContext, type PortView } from './mapstate.js';
import { portNamesFor } from './match.js';
import { Repository, type CompiledPolicy } from './repository.js';
import { SelectorCache } from './selector-cache.js';
import type { NormalizedPolicy } from './spec.js';
import { explainConnection, type Explanation, type ExplainQuery } from './explain.js';
import { computeMatrix, type MatrixQuery, type MatrixResult } from './matrix.js';
import {
  NAMESPACE_NAME_LABEL,
  type ClusterModel,
  type Decision,
  type DecideQuery,
  type Direction,
  type DirectionVerdict,
  type EngineOptions,
  type Endpoint,
  type Labels,
  type NamespaceInfo,
  type NodeInfo,
  type PodInfo,
  type PodRef,
  type PolicyRef,
  type Protocol,
  type ResolvedEndpoint,
} from './types.js';

interface PodEntry {
  readonly info: PodInfo;
  readonly key: string;
  /** Undefined for host-network pods (never selected, never isolated). */
  readonly identity?: number;
  readonly ip?: ParsedIP;
  readonly ipText?: string;
}

interface IdentityState {
  readonly ingress: DirectionState;
  readonly egress: DirectionState;
}

/** An endpoint resolved against the engine's state. */
type Resolved = { readonly kind: 'pod'; readonly pod: PodEntry } | { readonly kind: 'ip'; readonly ip: ParsedIP; readonly text: string };

const podKey = (namespace: string, name: string): string => `${namespace}/${name}`;

export function isProtocol(p: unknown): p is Protocol {
  return p === 'TCP' || p === 'UDP' || p === 'SCTP';
}

export class PolicyEngine {
  private readonly opts: Required<EngineOptions>;
  private readonly namespaceInfo = new Map<string, NamespaceInfo>();
  private readonly identities = new IdentityAllocator();
  private readonly cache: SelectorCache;
  private readonly repo: Repository;
  private readonly podMap = new Map<string, PodEntry>();
  private readonly podsByIdentity = new Map<number, Set<string>>();
  private readonly podByIP = new Map<string, string>();
  private readonly nodeMap = new Map<string, NodeInfo>();
  private readonly nodeByIP = new Map<string, string>();
  private readonly compiled = new Map<number, IdentityState>();
  private rev = 0;

  constructor(options: EngineOptions = {}) {
    this.opts = { allowLoopback: options.allowLoopback ?? true, allowNodeLocal: options.allowNodeLocal ?? true };
    this.cache = new SelectorCache({
      identities: this.identities,
      namespaceLabels: (ns) => this.namespaceLabels(ns),
      namespaceNames: () => this.namespaceNames(),
    });
    this.repo = new Repository(this.cache);
  }

  /** Build an engine from a whole model (namespaces first, then nodes, pods, policies). */
  static fromModel(model: ClusterModel, options: EngineOptions = {}): PolicyEngine {
    const e = new PolicyEngine(options);
    for (const ns of model.namespaces) e.upsertNamespace(ns);
    for (const n of model.nodes ?? []) e.upsertNode(n);
    for (const p of model.pods) e.upsertPod(p);
    for (const np of model.policies) e.upsertPolicy(np);
    return e;
  }

  /** Bumped by every change of any input. */
  get revision(): number {
    return this.rev;
  }

  /** Bumped by policy changes only (the repository's own counter). */
  get policyRevision(): number {
    return this.repo.revision;
  }

  // ---------------------------------------------------------------- updates

  upsertNamespace(ns: NamespaceInfo): void {
    if (typeof ns.name !== 'string' || ns.name === '') throw new PolicyError('POLICY_INVALID_INPUT', 'namespace: name is required');
    this.namespaceInfo.set(ns.name, { name: ns.name, labels: Object.freeze({ ...ns.labels }) });
    this.cache.namespaceChanged(ns.name);
    this.rev++;
  }

  removeNamespace(name: string): void {
    if (!this.namespaceInfo.delete(name)) return;
    if (this.identities.idsIn(name).size > 0) this.cache.namespaceChanged(name);
    else this.cache.namespaceForgotten(name);
    this.rev++;
  }

  upsertNode(node: NodeInfo): void {
    const ip = parseIP(node.ip);
    if (!ip) throw new PolicyError('POLICY_INVALID_IP', `node ${node.name}: invalid IP "${node.ip}"`);
    this.removeNode(node.name);
    const text = formatIP(ip);
    this.nodeMap.set(node.name, { name: node.name, ip: text });
    this.nodeByIP.set(text, node.name);
    this.rev++;
  }

  removeNode(name: string): void {
    const old = this.nodeMap.get(name);
    if (!old) return;
    this.nodeMap.delete(name);
    if (this.nodeByIP.get(old.ip) === name) this.nodeByIP.delete(old.ip);
    this.rev++;
  }

  upsertPod(info: PodInfo): void {
    if (!info.namespace || !info.name) throw new PolicyError('POLICY_INVALID_INPUT', 'pod: namespace and name are required');
    let ip: ParsedIP | undefined;
    if (info.ip !== undefined && info.ip !== '') {
      ip = parseIP(info.ip);
      if (!ip) throw new PolicyError('POLICY_INVALID_IP', `pod ${info.namespace}/${info.name}: invalid IP "${info.ip}"`);
    }
    const key = podKey(info.namespace, info.name);
    const frozen: PodInfo = Object.freeze({
      ...info,
      labels: Object.freeze({ ...info.labels }),
      ports: Object.freeze(info.ports.map((p) => Object.freeze({ ...p }))),
    });
    let identity: number | undefined;
    if (!info.hostNetwork) {
      const firstInNamespace = this.identities.idsIn(info.namespace).size === 0 && !this.namespaceInfo.has(info.namespace);
      const got = this.identities.acquire(info.namespace, frozen.labels);
      identity = got.identity.id;
      if (firstInNamespace) this.cache.namespaceChanged(info.namespace);
      if (got.created) this.cache.identityAdded(got.identity);
      let set = this.podsByIdentity.get(identity);
      if (!set) this.podsByIdentity.set(identity, (set = new Set()));
      set.add(key);
    }
    const old = this.podMap.get(key);
    if (old) this.detachPod(old, identity);
    const ipText = ip ? formatIP(ip) : undefined;
    const entry: PodEntry = { info: frozen, key, ...(identity === undefined ? {} : { identity }), ...(ip ? { ip, ipText } : {}) };
    this.podMap.set(key, entry);
    if (ipText && !info.hostNetwork) this.podByIP.set(ipText, key);
    this.rev++;
  }

  removePod(ref: PodRef): void {
    const key = podKey(ref.namespace, ref.name);
    const old = this.podMap.get(key);
    if (!old) return;
    this.podMap.delete(key);
    this.detachPod(old, undefined);
    this.rev++;
  }

  upsertPolicy(np: NetworkPolicy): void {
    const name = np.metadata?.name;
    if (!name) throw new PolicyError('POLICY_INVALID_INPUT', 'networkpolicy: metadata.name is required');
    const ref = { namespace: np.metadata?.namespace ?? 'default', name };
    const prev = this.repo.get(ref);
    if (prev) this.invalidate(this.cache.selected(prev.subject));
    const { current } = this.repo.upsert(np);
    this.invalidate(this.cache.selected(current.subject));
    this.rev++;
  }

  removePolicy(ref: PolicyRef): void {
    const prev = this.repo.get(ref);
    if (!prev) return;
    this.invalidate(this.cache.selected(prev.subject));
    this.repo.remove(ref);
    this.rev++;
  }

  // ---------------------------------------------------------------- decisions

  /** Judge one connection: source egress AND destination ingress. */
  decide(q: DecideQuery): Decision {
    const protocol = q.protocol ?? 'TCP';
    if (!isProtocol(protocol)) throw new PolicyError('POLICY_INVALID_PROTOCOL', `unsupported protocol "${String(protocol)}": supported values: "SCTP", "TCP", "UDP"`);
    if (!Number.isInteger(q.port) || q.port < 1 || q.port > 65535) throw new PolicyError('POLICY_INVALID_PORT', `invalid port ${String(q.port)}: must be between 1 and 65535, inclusive`);
    const src = this.resolve(q.src);
    const dst = this.resolve(q.dst);
    const seen = q.snat ? this.resolve(q.snat) : src;
    const dstNames = dst.kind === 'pod' ? portNamesFor(dst.pod.info.ports, protocol, q.port) : [];
    const egress = this.verdict('egress', src, dst, protocol, q.port, dstNames);
    const ingress = this.verdict('ingress', dst, seen, protocol, q.port, dstNames);
    const { allowed, reason } = combine(this.bypass(src, seen, dst), egress.allowed, ingress.allowed);
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
      revision: this.rev,
    };
  }

  /**
   * The boolean of `decide` between two known pods, without building a
   * Decision (matrix fast path). Throws like decide for unknown pods.
   */
  reachable(src: PodRef, dst: PodRef, protocol: Protocol, port: number): boolean {
    const s = this.podEntry(src);
    const d = this.podEntry(dst);
    const sr: Resolved = { kind: 'pod', pod: s };
    const dr: Resolved = { kind: 'pod', pod: d };
    const b = this.bypass(sr, sr, dr);
    if (b.loopback) return true;
    let names: string[] | undefined;
    const namesFor = (): string[] => (names ??= portNamesFor(d.info.ports, protocol, port));
    if (s.identity !== undefined && !b.egress) {
      const st = this.stateOf(s.identity).egress;
      if (st.isolatedBy.length > 0 && lookup(st, this.peerContext(dr), protocol, port, st.hasNamed ? namesFor() : [], this.selects, true).length === 0) return false;
    }
    if (d.identity !== undefined && !b.ingress) {
      const st = this.stateOf(d.identity).ingress;
      if (st.isolatedBy.length > 0 && lookup(st, this.peerContext(sr), protocol, port, st.hasNamed ? namesFor() : [], this.selects, true).length === 0) return false;
    }
    return true;
  }

  /** Decide, then explain for people: lines and hints (see explain.ts). */
  explain(q: ExplainQuery): Explanation {
    return explainConnection(this, q);
  }

  /** Who can reach whom, one truth table per port and protocol (see matrix.ts). */
  matrix(q: MatrixQuery): MatrixResult {
    return computeMatrix(this, q);
  }

  /**
   * A prepared probe for many pairs of the given pods on one protocol/port
   * (the matrix): per-identity maps are narrowed to that port once, so each
   * pair costs a few Set lookups. Returns `(i, j) => can pods[i] reach pods[j]`,
   * equal to `reachable(pods[i], pods[j], protocol, port)`. The probe reflects
   * the engine as it is now; do not keep it across updates.
   */
  prepareProbe(pods: ReadonlyArray<PodRef>, protocol: Protocol, port: number): (i: number, j: number) => boolean {
    const entries = pods.map((p) => this.podEntry(p));
    const selection = (id: number): ReadonlySet<number> => this.cache.selected(id);
    const egressViews = new Map<number, PortView>();
    const ingressViews = new Map<number, PortView>();
    const view = (cache: Map<number, PortView>, identity: number, direction: Direction): PortView => {
      let v = cache.get(identity);
      if (!v) cache.set(identity, (v = portView(this.stateOf(identity)[direction], protocol, port, selection)));
      return v;
    };
    const eg = entries.map((e) => (e.identity === undefined ? undefined : view(egressViews, e.identity, 'egress')));
    const ing = entries.map((e) => (e.identity === undefined ? undefined : view(ingressViews, e.identity, 'ingress')));
    const names = entries.map((e) => portNamesFor(e.info.ports, protocol, port));
    return (i, j) => {
      const s = entries[i];
      const d = entries[j];
      if (!s || !d) throw new PolicyError('POLICY_INVALID_INPUT', `probe: no pod at ${i} or ${j}`);
      if (s.identity === undefined || d.identity === undefined) return this.reachable(s.info, d.info, protocol, port);
      if (i === j || s.key === d.key) {
        if (this.opts.allowLoopback) return true;
      }
      const dn = names[j] as string[];
      return viewAdmits(eg[i] as PortView, d.identity, d.ip, dn) && viewAdmits(ing[j] as PortView, s.identity, s.ip, dn);
    };
  }

  // ---------------------------------------------------------------- reads (explain, matrix, glue)

  getPod(ref: PodRef): PodInfo | undefined {
    return this.podMap.get(podKey(ref.namespace, ref.name))?.info;
  }

  /** The pod owning a pod-network IP (host-network pods are not indexed by IP). */
  podByIPAddress(ip: string): PodInfo | undefined {
    const parsed = parseIP(ip);
    const key = parsed ? this.podByIP.get(formatIP(parsed)) : undefined;
    return key ? this.podMap.get(key)?.info : undefined;
  }

  /** The node whose InternalIP (or a pod's hostIP) this is. */
  nodeByIPAddress(ip: string): string | undefined {
    const parsed = parseIP(ip);
    return parsed ? this.nodeByIP.get(formatIP(parsed)) : undefined;
  }

  /** All pods, sorted by namespace then name. */
  listPods(): PodInfo[] {
    return [...this.podMap.values()].map((p) => p.info).sort(comparePods);
  }

  listNodes(): NodeInfo[] {
    return [...this.nodeMap.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Every namespace that exists or holds pods, with its current labels, sorted. */
  listNamespaces(): NamespaceInfo[] {
    return [...this.namespaceNames()].sort().map((name) => ({ name, labels: this.namespaceLabels(name) }));
  }

  hasNamespace(name: string): boolean {
    return this.namespaceInfo.has(name);
  }

  /** A namespace's labels; one never seen carries only `kubernetes.io/metadata.name`. */
  namespaceLabels(name: string): Labels {
    return this.namespaceInfo.get(name)?.labels ?? { [NAMESPACE_NAME_LABEL]: name };
  }

  /** Every policy, normalised, sorted by namespace/name. */
  listPolicies(): NormalizedPolicy[] {
    return [...this.repo.all()].map((p) => p.norm).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  getPolicy(ref: PolicyRef): NormalizedPolicy | undefined {
    return this.repo.get(ref)?.norm;
  }

  /** The pods a policy's podSelector selects (host-network pods never), sorted. */
  podsSelectedBy(ref: PolicyRef): PodInfo[] {
    const p = this.repo.get(ref);
    if (!p) return [];
    const out: PodInfo[] = [];
    for (const idn of this.cache.selected(p.subject)) {
      for (const key of this.podsByIdentity.get(idn) ?? []) {
        const e = this.podMap.get(key);
        if (e) out.push(e.info);
      }
    }
    return out.sort(comparePods);
  }

  /** The policies selecting a pod (any direction), sorted. */
  policiesSelecting(ref: PodRef): NormalizedPolicy[] {
    const e = this.podMap.get(podKey(ref.namespace, ref.name));
    if (!e || e.identity === undefined) return [];
    return this.repo.selecting(e.identity).map((p: CompiledPolicy) => p.norm);
  }

  /**
   * The compiled map of a pod's identity: how many policies isolate it and how
   * many entries a lookup may scan, per direction (explain, tests, benchmarks).
   */
  compiledMapOf(ref: PodRef): { identity?: number; ingress: { policies: number; entries: number }; egress: { policies: number; entries: number } } {
    const e = this.podEntry(ref);
    if (e.identity === undefined) return { ingress: { policies: 0, entries: 0 }, egress: { policies: 0, entries: 0 } };
    const st = this.stateOf(e.identity);
    return {
      identity: e.identity,
      ingress: { policies: st.ingress.isolatedBy.length, entries: st.ingress.size },
      egress: { policies: st.egress.isolatedBy.length, entries: st.egress.size },
    };
  }

  /** Sizes of the internal structures (tests, benchmarks, `kwire status`). */
  stats(): { pods: number; identities: number; selectors: number; policies: number; compiledIdentities: number; revision: number; policyRevision: number } {
    return {
      pods: this.podMap.size,
      identities: this.identities.size,
      selectors: this.cache.size,
      policies: this.repo.size,
      compiledIdentities: this.compiled.size,
      revision: this.rev,
      policyRevision: this.repo.revision,
    };
  }

  /** The options in force. */
  get options(): Required<EngineOptions> {
    return this.opts;
  }

  // ---------------------------------------------------------------- internals

  private readonly selects = (sel: number, identity: number): boolean => this.cache.selects(sel, identity);

  private namespaceNames(): Set<string> {
    const names = new Set<string>(this.namespaceInfo.keys());
    for (const ns of this.identities.namespaces()) names.add(ns);
    return names;
  }

  private detachPod(old: PodEntry, keepIdentity: number | undefined): void {
    if (old.ipText && this.podByIP.get(old.ipText) === old.key) this.podByIP.delete(old.ipText);
    if (old.identity === undefined) return;
    const set = this.podsByIdentity.get(old.identity);
    if (old.identity !== keepIdentity) set?.delete(old.key);
    const freed = this.identities.release(old.identity);
    if (!freed) return;
    this.podsByIdentity.delete(freed.id);
    this.cache.identityRemoved(freed);
    this.compiled.delete(freed.id);
    if (this.identities.idsIn(freed.namespace).size === 0 && !this.namespaceInfo.has(freed.namespace)) {
      this.cache.namespaceForgotten(freed.namespace);
    }
  }

  private invalidate(ids: Iterable<number>): void {
    for (const id of ids) this.compiled.delete(id);
  }

  private stateOf(identity: number): IdentityState {
    let st = this.compiled.get(identity);
    if (!st) {
      const policies = this.repo.selecting(identity);
      st = { ingress: buildDirection('ingress', policies), egress: buildDirection('egress', policies) };
      this.compiled.set(identity, st);
    }
    return st;
  }

  private podEntry(ref: PodRef): PodEntry {
    const e = this.podMap.get(podKey(ref.namespace, ref.name));
    if (!e) throw new PolicyError('POLICY_UNKNOWN_POD', `pods "${ref.name}" not found in namespace "${ref.namespace}"`);
    return e;
  }

  private resolve(ep: Endpoint): Resolved {
    switch (ep.kind) {
      case 'pod':
        return { kind: 'pod', pod: this.podEntry(ep) };
      case 'ip': {
        const ip = parseIP(ep.ip);
        if (!ip) throw new PolicyError('POLICY_INVALID_IP', `invalid IP "${ep.ip}"`);
        const text = formatIP(ip);
        const key = this.podByIP.get(text);
        const pod = key ? this.podMap.get(key) : undefined;
        return pod ? { kind: 'pod', pod } : { kind: 'ip', ip, text };
      }
      default: {
        const never: never = ep;
        throw new PolicyError('POLICY_INVALID_INPUT', `unknown endpoint ${JSON.stringify(never)}`);
      }
    }
  }

  private describe(r: Resolved): ResolvedEndpoint {
    if (r.kind === 'ip') {
      const node = this.nodeByIP.get(r.text);
      return node ? { kind: 'ip', ip: r.text, node } : { kind: 'ip', ip: r.text };
    }
    const i = r.pod.info;
    return {
      kind: 'pod',
      namespace: i.namespace,
      name: i.name,
      ...(r.pod.ipText ? { ip: r.pod.ipText } : {}),
      ...(i.hostNetwork ? { hostNetwork: true } : {}),
    };
  }

  private peerContext(r: Resolved): PeerContext {
    if (r.kind === 'ip') return { ip: r.ip };
    const ctx: { identity?: number; ip?: ParsedIP } = {};
    if (r.pod.identity !== undefined) ctx.identity = r.pod.identity;
    if (r.pod.ip) ctx.ip = r.pod.ip;
    return ctx;
  }

  private nodeIPOf(p: PodEntry): string | undefined {
    const raw = p.info.nodeIP ?? (p.info.nodeName ? this.nodeMap.get(p.info.nodeName)?.ip : undefined);
    const parsed = raw ? parseIP(raw) : undefined;
    return parsed ? formatIP(parsed) : undefined;
  }

  /**
   * What bypasses policy (Kubernetes documents both): a pod reaching itself,
   * and traffic between a pod and its own node: egress of a pod to its node's
   * IP, ingress of a pod from its node's IP (`seen` is the source the
   * destination sees, i.e. after SNAT).
   */
  private bypass(src: Resolved, seen: Resolved, dst: Resolved): Bypass {
    const loopback = this.opts.allowLoopback && src.kind === 'pod' && dst.kind === 'pod' && src.pod.key === dst.pod.key;
    if (!this.opts.allowNodeLocal) return { loopback, egress: false, ingress: false };
    const outsideIP = (r: Resolved): string | undefined => (r.kind === 'ip' ? r.text : r.pod.identity === undefined ? r.pod.ipText : undefined);
    const podOf = (r: Resolved): PodEntry | undefined => (r.kind === 'pod' && r.pod.identity !== undefined ? r.pod : undefined);
    const sPod = podOf(src);
    const dPod = podOf(dst);
    const dIP = outsideIP(dst);
    const seenIP = outsideIP(seen);
    return {
      loopback,
      egress: sPod !== undefined && dIP !== undefined && this.nodeIPOf(sPod) === dIP,
      ingress: dPod !== undefined && seenIP !== undefined && this.nodeIPOf(dPod) === seenIP,
    };
  }

  private verdict(direction: Direction, self: Resolved, peer: Resolved, protocol: Protocol, port: number, dstNames: ReadonlyArray<string>): DirectionVerdict {
    if (self.kind === 'ip') return { direction, allowed: true, isolated: false, reason: 'not-a-pod', selectedBy: [], allowedBy: [] };
    const pod = { namespace: self.pod.info.namespace, name: self.pod.info.name };
    if (self.pod.identity === undefined) return { direction, pod, allowed: true, isolated: false, reason: 'host-network', selectedBy: [], allowedBy: [] };
    const st = this.stateOf(self.pod.identity)[direction];
    if (st.isolatedBy.length === 0) return { direction, pod, allowed: true, isolated: false, reason: 'not-isolated', selectedBy: [], allowedBy: [] };
    const allowedBy = lookup(st, this.peerContext(peer), protocol, port, dstNames, this.selects);
    return {
      direction,
      pod,
      allowed: allowedBy.length > 0,
      isolated: true,
      reason: allowedBy.length > 0 ? 'allowed-by-rule' : 'no-matching-rule',
      selectedBy: st.isolatedBy,
      allowedBy,
    };
  }
}

/** Which parts of a connection bypass policy. */
export interface Bypass {
  readonly loopback: boolean;
  readonly egress: boolean;
  readonly ingress: boolean;
}

/** The verdict of a connection from its bypasses and its two direction verdicts. */
export function combine(b: Bypass, egressAllowed: boolean, ingressAllowed: boolean): { allowed: boolean; reason: 'policy' | 'loopback' | 'node-local' } {
  if (b.loopback) return { allowed: true, reason: 'loopback' };
  const allowed = (b.egress || egressAllowed) && (b.ingress || ingressAllowed);
  const usedBypass = (b.egress && !egressAllowed) || (b.ingress && !ingressAllowed);
  return { allowed, reason: allowed && usedBypass ? 'node-local' : 'policy' };
}

export function comparePods(a: PodInfo, b: PodInfo): number {
  return a.namespace < b.namespace ? -1 : a.namespace > b.namespace ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
