/**
 * @module dataplane/policy-hook
 * The NetworkPolicy engine behind the connect path's `PolicyHook`: each new
 * flow (after Service translation) becomes one `engine.decide`, and the
 * Decision is folded to the hook's verdict with `summarizeDecision`
 * (policy names as `namespace/name`).
 *
 *   PolicyRequest { src, snat?, dst (endpoint), protocol }
 *        | peers -> engine endpoints (pod by owner, else by IP)
 *        v
 *   engine.decide { src, dst, port: dst.port, protocol, snat }
 *        v
 *   { verdict: allow|drop, policies, reason }
 *
 * Peer mapping: a peer owned by a pod the engine knows is that pod (by
 * namespace/name, whatever IP the engine last saw for it); any other peer
 * (a node, an unowned address, a pod the engine has yet to hear of) is its
 * IP, which the engine itself resolves to a pod when one holds that IP and
 * otherwise treats as outside the pod network (only ipBlock matches it).
 * Egress is judged for `src`, ingress for `snat` when the proxy masqueraded.
 * Pure apart from reading the engine; no I/O.
 */
import { summarizeDecision, type Endpoint, type PolicyEngine } from '../policy/index.js';
import type { PolicyHook, PolicyRequest, PolicyVerdict } from './hooks.js';
import type { Peer } from './types.js';

/** The engine endpoint a dataplane peer stands for. */
export function endpointOfPeer(engine: PolicyEngine, peer: Peer): Endpoint {
  const o = peer.owner;
  if (o !== undefined && o.kind === 'pod' && engine.getPod(o) !== undefined) return { kind: 'pod', namespace: o.namespace, name: o.name };
  return { kind: 'ip', ip: peer.ip };
}

/** Judges one flow; exported for tests and for callers that hold a request. */
export function decideFlow(engine: PolicyEngine, req: PolicyRequest): PolicyVerdict {
  const d = engine.decide({
    src: endpointOfPeer(engine, req.src),
    dst: endpointOfPeer(engine, req.dst),
    port: req.dst.port,
    protocol: req.protocol,
    ...(req.snat !== undefined ? { snat: endpointOfPeer(engine, req.snat) } : {}),
  });
  const s = summarizeDecision(d);
  if (s.verdict === 'allow') return { verdict: 'allow', policies: s.policies };
  return s.reason !== undefined ? { verdict: 'drop', policies: s.policies, reason: `denied by network policy: ${s.reason}` } : { verdict: 'drop', policies: s.policies };
}

/** The hook to install with `net.setPolicy(policyHook(engine))`. */
export function policyHook(engine: PolicyEngine): PolicyHook {
  return { decide: (req) => decideFlow(engine, req) };
}
