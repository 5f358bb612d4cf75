/**
 * @module policy/mapstate
 * The compiled per-identity policy map (Cilium `mapstate.go`, adapted). For one
 * identity and one direction it holds:
 *
 *   isolatedBy  the policies that select the identity and name the direction
 *   entries     Map  port key -> [ { peer, rule } ]
 *                    port keys:  "TCP/80"      exact port
 *                                "TCP#http"    named port (resolved on the destination pod)
 *                                "TCP"         protocol, any port   (port wildcard)
 *                                "*"           any protocol, any port
 *   ranges      [ { protocol, start, end, peer, rule } ]  endPort ranges
 *
 *   peer:  wildcard | selector <id> (a selector-cache selection) | ipBlock (prefix + excepts)
 *
 * A lookup for (peer, protocol, port) probes the exact key, the named keys the
 * destination gives that port, the protocol wildcard and the full wildcard, then
 * the ranges; an entry admits the connection when its peer matches: `any`
 * always (peer wildcard), a selector when the peer's identity is in the
 * selection (one Set probe), an ipBlock when the peer's IP is inside it.
 *
 * Unlike Cilium, peers are not expanded into per-identity keys: a map holds one
 * entry per (rule, peer, port) of the policies selecting the identity, so its
 * size and the cost of a lookup depend only on those policies, never on other
 * policies or on how many pods a peer selector covers, and a label change only
 * touches the selector cache. Keys and entries hold plain values only. No I/O.
 */

import type { IpBlockMatcher, ParsedIP } from './cidr.js';
import { ipBlockContains } from './cidr.js';
import type { PolicyRef, Protocol, RuleRef } from './types.js';

export type PeerMatcher =
  | { readonly kind: 'any' }
  | { readonly kind: 'selector'; readonly id: number }
  | { readonly kind: 'ipBlock'; readonly block: IpBlockMatcher };

export interface MapEntry {
  readonly peer: PeerMatcher;
  readonly rule: RuleRef;
}

export interface RangeEntry extends MapEntry {
  readonly protocol: Protocol;
  readonly start: number;
  readonly end: number;
}

/** What one policy contributes to one direction of every identity it selects. */
export interface PolicyFragment {
  readonly keyed: ReadonlyArray<readonly [string, MapEntry]>;
  readonly ranges: ReadonlyArray<RangeEntry>;
}

export const ANY_PORT = '*';
export const portKey = (protocol: Protocol, port: number): string => `${protocol}/${port}`;
export const namedKey = (protocol: Protocol, name: string): string => `${protocol}#${name}`;
export const protocolKey = (protocol: Protocol): string => protocol;

export interface DirectionState {
  readonly isolatedBy: ReadonlyArray<PolicyRef>;
  readonly entries: ReadonlyMap<string, ReadonlyArray<MapEntry>>;
  readonly ranges: ReadonlyArray<RangeEntry>;
  /** Any named-port key present (callers can skip resolving names otherwise). */
  readonly hasNamed: boolean;
  /** Any ipBlock peer present (the peer IP matters). */
  readonly hasIpBlock: boolean;
  /** Number of entries (for stats). */
  readonly size: number;
}

/** One compiled policy as the map builder needs it. */
export interface FragmentSource {
  readonly ref: PolicyRef;
  readonly affectsIngress: boolean;
  readonly affectsEgress: boolean;
  readonly ingress: PolicyFragment;
  readonly egress: PolicyFragment;
}

/** Merge the fragments of the policies selecting an identity (given sorted by policy key). */
export function buildDirection(direction: 'ingress' | 'egress', policies: ReadonlyArray<FragmentSource>): DirectionState {
  const isolatedBy: PolicyRef[] = [];
  const entries = new Map<string, MapEntry[]>();
  const ranges: RangeEntry[] = [];
  let hasNamed = false;
  let hasIpBlock = false;
  let size = 0;
  for (const p of policies) {
    if (!(direction === 'ingress' ? p.affectsIngress : p.affectsEgress)) continue;
    isolatedBy.push(p.ref);
    const frag = direction === 'ingress' ? p.ingress : p.egress;
    for (const [key, entry] of frag.keyed) {
      let list = entries.get(key);
      if (!list) entries.set(key, (list = []));
      list.push(entry);
      if (key.includes('#')) hasNamed = true;
      if (entry.peer.kind === 'ipBlock') hasIpBlock = true;
      size++;
    }
    for (const r of frag.ranges) {
      ranges.push(r);
      if (r.peer.kind === 'ipBlock') hasIpBlock = true;
      size++;
    }
  }
  return { isolatedBy, entries, ranges, hasNamed, hasIpBlock, size };
}

/** The peer being judged: its identity when it is a selectable pod, and its IP. */
export interface PeerContext {
  readonly identity?: number;
  readonly ip?: ParsedIP;
}

export type SelectsFn = (selector: number, identity: number) => boolean;

function peerOk(m: PeerMatcher, peer: PeerContext, selects: SelectsFn): boolean {
  switch (m.kind) {
    case 'any':
      return true;
    case 'selector':
      return peer.identity !== undefined && selects(m.id, peer.identity);
    case 'ipBlock':
      return peer.ip !== undefined && ipBlockContains(m.block, peer.ip);
    default: {
      const never: never = m;
      return never;
    }
  }
}

/**
 * The rules of an (isolated) direction that admit the connection, sorted.
 * `first` stops at the first one (for matrices, where only the boolean matters).
 */
export function lookup(
  state: DirectionState,
  peer: PeerContext,
  protocol: Protocol,
  port: number,
  dstNames: ReadonlyArray<string>,
  selects: SelectsFn,
  first = false,
): RuleRef[] {
  const out: RuleRef[] = [];
  const probe = (key: string): boolean => {
    const list = state.entries.get(key);
    if (!list) return false;
    for (const e of list) {
      if (peerOk(e.peer, peer, selects)) {
        out.push(e.rule);
        if (first) return true;
      }
    }
    return false;
  };
  if (probe(portKey(protocol, port))) return out;
  if (state.hasNamed) for (const n of dstNames) if (probe(namedKey(protocol, n))) return out;
  if (probe(protocolKey(protocol))) return out;
  if (probe(ANY_PORT)) return out;
  for (const r of state.ranges) {
    if (r.protocol === protocol && port >= r.start && port <= r.end && peerOk(r.peer, peer, selects)) {
      out.push(r.rule);
      if (first) return out;
    }
  }
  return out.length > 1 ? out.sort(compareRuleRefs) : out;
}

export function compareRuleRefs(a: RuleRef, b: RuleRef): number {
  return (
    cmp(a.policy.namespace, b.policy.namespace) ||
    cmp(a.policy.name, b.policy.name) ||
    cmp(a.direction, b.direction) ||
    a.ruleIndex - b.ruleIndex ||
    (a.peerIndex ?? -1) - (b.peerIndex ?? -1) ||
    (a.portIndex ?? -1) - (b.portIndex ?? -1)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A direction map narrowed to one (protocol, port): what a matrix needs to
 * answer "does peer P get in/out?" for many peers with a few Set probes. Peer
 * selectors are resolved to their live selection Sets up front.
 */
export interface PortView {
  readonly isolated: boolean;
  readonly direct: PeerSet;
  /** Named-port entries by port name (resolved against the destination per pair). */
  readonly named: ReadonlyMap<string, PeerSet>;
}

export interface PeerSet {
  any: boolean;
  readonly selections: Array<ReadonlySet<number>>;
  readonly blocks: IpBlockMatcher[];
}

const emptyPeerSet = (): PeerSet => ({ any: false, selections: [], blocks: [] });

function addPeer(set: PeerSet, m: PeerMatcher, selection: (id: number) => ReadonlySet<number>): void {
  switch (m.kind) {
    case 'any':
      set.any = true;
      return;
    case 'selector': {
      const s = selection(m.id);
      if (!set.selections.includes(s)) set.selections.push(s);
      return;
    }
    case 'ipBlock':
      set.blocks.push(m.block);
      return;
    default: {
      const never: never = m;
      throw new Error(`unexpected peer ${JSON.stringify(never)}`);
    }
  }
}

export function portView(state: DirectionState, protocol: Protocol, port: number, selection: (id: number) => ReadonlySet<number>): PortView {
  const direct = emptyPeerSet();
  const named = new Map<string, PeerSet>();
  for (const key of [portKey(protocol, port), protocolKey(protocol), ANY_PORT]) {
    for (const e of state.entries.get(key) ?? []) addPeer(direct, e.peer, selection);
  }
  for (const r of state.ranges) if (r.protocol === protocol && port >= r.start && port <= r.end) addPeer(direct, r.peer, selection);
  if (state.hasNamed) {
    const prefix = namedKey(protocol, '');
    for (const [key, list] of state.entries) {
      if (!key.startsWith(prefix)) continue;
      const set = emptyPeerSet();
      for (const e of list) addPeer(set, e.peer, selection);
      named.set(key.slice(prefix.length), set);
    }
  }
  return { isolated: state.isolatedBy.length > 0, direct, named };
}

function peerSetAdmits(s: PeerSet, identity: number | undefined, ip: ParsedIP | undefined): boolean {
  if (s.any) return true;
  if (identity !== undefined) for (const sel of s.selections) if (sel.has(identity)) return true;
  if (ip !== undefined) for (const b of s.blocks) if (ipBlockContains(b, ip)) return true;
  return false;
}

/** Does the view admit a peer (its identity if a selectable pod, its IP), given the destination's names for the port? */
export function viewAdmits(v: PortView, identity: number | undefined, ip: ParsedIP | undefined, dstNames: ReadonlyArray<string>): boolean {
  if (!v.isolated) return true;
  if (peerSetAdmits(v.direct, identity, ip)) return true;
  for (const n of dstNames) {
    const s = v.named.get(n);
    if (s && peerSetAdmits(s, identity, ip)) return true;
  }
  return false;
}
