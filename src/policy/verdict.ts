/**
 * @module policy/verdict
 * A Decision folded to what the connect path and the flow log need: allow or
 * drop, the deciding policies as `namespace/name`, and for a drop a one-line
 * reason. For `allow`: the policies whose rules admitted the flow (empty when
 * neither pod is isolated, or when loopback/node-local bypassed policy); for
 * `drop`: the policies that isolated the dropping side without admitting it.
 * The shape matches the dataplane's PolicyVerdict without importing it (the
 * dataplane sits above the policy layer). Pure.
 */

import type { Decision, DirectionVerdict, ResolvedEndpoint } from './types.js';

export interface VerdictSummary {
  readonly verdict: 'allow' | 'drop';
  readonly policies: ReadonlyArray<string>;
  readonly reason?: string;
}

const name = (e: ResolvedEndpoint): string => (e.kind === 'pod' ? `${e.namespace}/${e.name}` : e.ip);

export function summarizeDecision(d: Decision): VerdictSummary {
  if (d.allowed) {
    if (d.reason !== 'policy') return { verdict: 'allow', policies: [] };
    const set = new Set<string>();
    for (const r of [...d.egress.allowedBy, ...d.ingress.allowedBy]) set.add(`${r.policy.namespace}/${r.policy.name}`);
    return { verdict: 'allow', policies: [...set].sort() };
  }
  const dropping: DirectionVerdict[] = [d.egress, d.ingress].filter((v) => !v.allowed);
  const set = new Set<string>();
  for (const v of dropping) for (const p of v.selectedBy) set.add(`${p.namespace}/${p.name}`);
  const seen = d.snat ?? d.src;
  const reason = dropping
    .map((v) =>
      v.direction === 'egress'
        ? `egress of ${name(d.src)}: no rule admits ${d.protocol}/${d.port} to ${name(d.dst)}`
        : `ingress of ${name(d.dst)}: no rule admits ${d.protocol}/${d.port} from ${name(seen)}`,
    )
    .join('; ');
  return { verdict: 'drop', policies: [...set].sort(), reason };
}
