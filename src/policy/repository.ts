/**
 * @module policy/repository
 * The policy repository (Cilium `repository.go`): compiled policies indexed by
 * namespace and by their subject selection, plus a revision counter that every
 * change bumps. Compiling a policy = normalising it (spec.ts), taking selector
 * cache references for its podSelector and its peers, and turning each
 * (rule, peer, port) into a map entry fragment (mapstate.ts). Releasing a
 * policy releases its selector references. No I/O.
 *
 *   NetworkPolicy --normalizePolicy--> NormalizedPolicy
 *        --compile--> CompiledPolicy { subject selector id, fragments }
 *                          |
 *   identity --selectorsOf--> subject selections --bySubject--> policies
 */

import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { ANY_PORT, namedKey, portKey, protocolKey, type MapEntry, type PeerMatcher, type PolicyFragment, type RangeEntry } from './mapstate.js';
import type { SelectorCache } from './selector-cache.js';
import { normalizePolicy, policyKey, type NormalizedPolicy, type NormalizedRule } from './spec.js';
import type { PolicyRef, RuleRef } from './types.js';

export interface CompiledPolicy {
  readonly norm: NormalizedPolicy;
  readonly ref: PolicyRef;
  readonly key: string;
  /** Selector-cache id of the policy's own podSelector (in its namespace). */
  readonly subject: number;
  /** Every selector-cache reference this policy holds (subject included). */
  readonly held: ReadonlyArray<number>;
  readonly affectsIngress: boolean;
  readonly affectsEgress: boolean;
  readonly ingress: PolicyFragment;
  readonly egress: PolicyFragment;
}

function compileRules(rules: ReadonlyArray<NormalizedRule>, ref: PolicyRef, namespace: string, cache: SelectorCache, held: number[]): PolicyFragment {
  const keyed: Array<readonly [string, MapEntry]> = [];
  const ranges: RangeEntry[] = [];
  for (const rule of rules) {
    const peers: Array<{ matcher: PeerMatcher; index?: number }> = [];
    if (rule.peers === null) peers.push({ matcher: { kind: 'any' } });
    else {
      for (const p of rule.peers) {
        switch (p.kind) {
          case 'invalid':
            break; // matches nothing
          case 'ipBlock':
            peers.push({ matcher: { kind: 'ipBlock', block: p.block }, index: p.index });
            break;
          case 'pods': {
            const id =
              p.namespaceSelector === null
                ? cache.acquire({ podSelector: p.podSelector, namespace })
                : cache.acquire({ podSelector: p.podSelector, namespaceSelector: p.namespaceSelector });
            held.push(id);
            peers.push({ matcher: { kind: 'selector', id }, index: p.index });
            break;
          }
          default: {
            const never: never = p;
            throw new Error(`unexpected peer ${JSON.stringify(never)}`);
          }
        }
      }
    }
    for (const peer of peers) {
      const base = { policy: ref, direction: rule.direction, ruleIndex: rule.index };
      const mk = (portIndex?: number): RuleRef => ({
        ...base,
        ...(peer.index === undefined ? {} : { peerIndex: peer.index }),
        ...(portIndex === undefined ? {} : { portIndex }),
      });
      if (rule.ports === null) {
        keyed.push([ANY_PORT, { peer: peer.matcher, rule: mk() }]);
        continue;
      }
      for (const port of rule.ports) {
        switch (port.kind) {
          case 'invalid':
            break;
          case 'protocol':
            keyed.push([protocolKey(port.protocol), { peer: peer.matcher, rule: mk(port.index) }]);
            break;
          case 'number':
            keyed.push([portKey(port.protocol, port.port), { peer: peer.matcher, rule: mk(port.index) }]);
            break;
          case 'named':
            keyed.push([namedKey(port.protocol, port.name), { peer: peer.matcher, rule: mk(port.index) }]);
            break;
          case 'range':
            ranges.push({ protocol: port.protocol, start: port.port, end: port.endPort, peer: peer.matcher, rule: mk(port.index) });
            break;
          default: {
            const never: never = port;
            throw new Error(`unexpected port ${JSON.stringify(never)}`);
          }
        }
      }
    }
  }
  return { keyed, ranges };
}

function compile(np: NetworkPolicy, cache: SelectorCache): CompiledPolicy {
  const norm = normalizePolicy(np);
  const held: number[] = [];
  const subject = cache.acquire({ podSelector: norm.subject, namespace: norm.ref.namespace });
  held.push(subject);
  const ingress = compileRules(norm.ingress, norm.ref, norm.ref.namespace, cache, held);
  const egress = compileRules(norm.egress, norm.ref, norm.ref.namespace, cache, held);
  return {
    norm,
    ref: norm.ref,
    key: norm.key,
    subject,
    held,
    affectsIngress: norm.affectsIngress,
    affectsEgress: norm.affectsEgress,
    ingress,
    egress,
  };
}

export class Repository {
  private rev = 0;
  private readonly byNamespace = new Map<string, Map<string, CompiledPolicy>>();
  private readonly bySubject = new Map<number, Set<CompiledPolicy>>();

  constructor(private readonly cache: SelectorCache) {}

  get revision(): number {
    return this.rev;
  }

  /** Add or replace a policy. Returns the replaced one (its selections are already released). */
  upsert(np: NetworkPolicy): { previous?: CompiledPolicy; current: CompiledPolicy } {
    // Compile first so selections shared with the previous version are not freed and rebuilt.
    const current = compile(np, this.cache);
    const previous = this.detach(current.ref);
    let ns = this.byNamespace.get(current.ref.namespace);
    if (!ns) this.byNamespace.set(current.ref.namespace, (ns = new Map()));
    ns.set(current.ref.name, current);
    let subj = this.bySubject.get(current.subject);
    if (!subj) this.bySubject.set(current.subject, (subj = new Set()));
    subj.add(current);
    if (previous) this.releaseAll(previous);
    this.rev++;
    return previous ? { previous, current } : { current };
  }

  remove(ref: PolicyRef): CompiledPolicy | undefined {
    const previous = this.detach(ref);
    if (!previous) return undefined;
    this.releaseAll(previous);
    this.rev++;
    return previous;
  }

  get(ref: PolicyRef): CompiledPolicy | undefined {
    return this.byNamespace.get(ref.namespace)?.get(ref.name);
  }

  inNamespace(namespace: string): IterableIterator<CompiledPolicy> {
    return (this.byNamespace.get(namespace) ?? new Map<string, CompiledPolicy>()).values();
  }

  *all(): IterableIterator<CompiledPolicy> {
    for (const ns of this.byNamespace.values()) yield* ns.values();
  }

  get size(): number {
    let n = 0;
    for (const ns of this.byNamespace.values()) n += ns.size;
    return n;
  }

  /** The policies whose podSelector selects an identity, sorted by namespace/name. */
  selecting(identity: number): CompiledPolicy[] {
    const out: CompiledPolicy[] = [];
    for (const sel of this.cache.selectorsOf(identity)) {
      const ps = this.bySubject.get(sel);
      if (ps) for (const p of ps) out.push(p);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  private detach(ref: PolicyRef): CompiledPolicy | undefined {
    const ns = this.byNamespace.get(ref.namespace);
    const p = ns?.get(ref.name);
    if (!ns || !p) return undefined;
    ns.delete(ref.name);
    if (ns.size === 0) this.byNamespace.delete(ref.namespace);
    const subj = this.bySubject.get(p.subject);
    subj?.delete(p);
    if (subj && subj.size === 0) this.bySubject.delete(p.subject);
    return p;
  }

  private releaseAll(p: CompiledPolicy): void {
    for (const id of p.held) this.cache.release(id);
  }
}

export { policyKey };
