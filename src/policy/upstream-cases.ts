/**
 * @module policy/upstream-cases
 * The upstream e2e NetworkPolicy test cases (kubernetes/kubernetes
 * test/e2e/network/netpol/network_policy.go) as data, over the full model of
 * upstream-model.ts (x,y,z x a,b,c): each case is a list of steps; a step
 * applies actions (create/update/delete policies, relabel pods or namespaces)
 * then probes one port/protocol and expects a whole truth table. Expectations
 * are written the upstream way (Reachability: default allowed, then what the
 * policy changes) and re-derived for all nine pods where upstream now runs a
 * subset; loopback is always allowed (upstream ignores loopback; Kubernetes
 * documents that a pod cannot block itself). Cases marked `origin: 'kwire'`
 * are extra ones in the same style (endPort, egress named ports, additive
 * ipBlocks, policyTypes defaulting...).
 *
 * Reused by the unit tests (engine and reference evaluator) and by the
 * end-to-end test through kubectl: `materializeCase(c, ctx)` turns a case into
 * concrete objects, with `ctx.podIP` supplying the live cluster's pod IPs for
 * the ipBlock cases. Data only; no I/O.
 */

import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort } from 'kubernetes-types/networking/v1.js';
import { parseCidr } from './cidr.js';
import { Reachability } from './reachability.js';
import type { TruthTable } from './truth-table.js';
import type { Protocol } from './types.js';
import { upstreamPodIP, upstreamPodStrings } from './upstream-model.js';

/** What a case needs from the cluster it runs on. */
export interface CaseContext {
  /** The IP of model pod namespace/pod (x/a...). */
  podIP(namespace: string, pod: string): string;
}

export type CaseAction =
  /** Create, or replace if it exists (kubectl apply). */
  | { readonly kind: 'apply-policy'; readonly policy: NetworkPolicy }
  | { readonly kind: 'delete-policy'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'delete-all-policies' }
  /** Set the pod's complete label map. */
  | { readonly kind: 'set-pod-labels'; readonly namespace: string; readonly pod: string; readonly labels: Readonly<Record<string, string>> }
  /** Set the namespace's complete label map (kubernetes.io/metadata.name included). */
  | { readonly kind: 'set-namespace-labels'; readonly namespace: string; readonly labels: Readonly<Record<string, string>> };

export interface CaseProbe {
  readonly port: number;
  readonly protocol: Protocol;
  /** Rows = from, columns = to, over upstreamPodStrings(). */
  readonly expected: TruthTable;
}

export interface CaseStep {
  readonly description: string;
  readonly actions: ReadonlyArray<CaseAction>;
  readonly probes: ReadonlyArray<CaseProbe>;
}

export interface NetpolCase {
  /** The upstream `It(...)` title (protocol suffix added for the UDP/SCTP variants). */
  readonly name: string;
  readonly origin: 'upstream' | 'kwire';
  /** Protocols whose listeners the probes need. */
  readonly protocols: ReadonlyArray<Protocol>;
  /** Build the steps for a cluster (pod IPs matter to the ipBlock cases). */
  readonly steps: (ctx: CaseContext) => ReadonlyArray<CaseStep>;
}

export interface MaterializedCase {
  readonly name: string;
  readonly origin: 'upstream' | 'kwire';
  readonly protocols: ReadonlyArray<Protocol>;
  readonly steps: ReadonlyArray<CaseStep>;
}

/** The offline context: the model's deterministic IPs. */
export const DEFAULT_CASE_CONTEXT: CaseContext = { podIP: upstreamPodIP };

export function materializeCase(c: NetpolCase, ctx: CaseContext = DEFAULT_CASE_CONTEXT): MaterializedCase {
  return { name: c.name, origin: c.origin, protocols: c.protocols, steps: c.steps(ctx) };
}

// ------------------------------------------------------------------ builders

const NS = 'kubernetes.io/metadata.name';
const x = 'x';
const y = 'y';
const z = 'z';
const ps = (ns: string, pod: string): string => `${ns}/${pod}`;

const labels = (m: Record<string, string>): LabelSelector => ({ matchLabels: m });
const expr = (key: string, operator: string, values?: string[]): LabelSelector => ({
  matchExpressions: [values === undefined ? { key, operator } : { key, operator, values }],
});

interface Rules {
  readonly ingress?: NetworkPolicyIngressRule[];
  readonly egress?: NetworkPolicyEgressRule[];
  /** Explicit policyTypes (otherwise: Ingress if `ingress` given, Egress if `egress` given, like upstream's SetSpec*Rules). */
  readonly policyTypes?: string[];
}

/** GenNetworkPolicyWithNameAndPodSelector + SetSpecIngressRules/SetSpecEgressRules. */
function policy(namespace: string, name: string, podSelector: LabelSelector, rules: Rules): NetworkPolicy {
  const policyTypes = rules.policyTypes ?? [...(rules.ingress ? ['Ingress'] : []), ...(rules.egress ? ['Egress'] : [])];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace },
    spec: {
      podSelector,
      ...(rules.ingress && rules.ingress.length > 0 ? { ingress: rules.ingress } : {}),
      ...(rules.egress && rules.egress.length > 0 ? { egress: rules.egress } : {}),
      policyTypes,
    },
  };
}

const from = (...peers: NetworkPolicyPeer[]): NetworkPolicyIngressRule => ({ from: peers });
const to = (...peers: NetworkPolicyPeer[]): NetworkPolicyEgressRule => ({ to: peers });
const tcpPort = (port: number | string): NetworkPolicyPort => ({ port, protocol: 'TCP' });

const apply = (p: NetworkPolicy): CaseAction => ({ kind: 'apply-policy', policy: p });

/** A probe: start from all-allowed, let `f` state the changes, then allow loopback. */
function probe(port: number, protocol: Protocol, f: (r: Reachability) => unknown = () => undefined): CaseProbe {
  const r = new Reachability(upstreamPodStrings(), true);
  f(r);
  r.allowLoopback();
  return { port, protocol, expected: r.table() };
}

const step = (description: string, actions: CaseAction[], probes: CaseProbe[]): CaseStep => ({ description, actions, probes });

function oneStep(name: string, protocols: Protocol[], actions: (ctx: CaseContext) => CaseAction[], probes: CaseProbe[], origin: 'upstream' | 'kwire' = 'upstream'): NetpolCase {
  return { name, origin, protocols, steps: (ctx) => [step(name, actions(ctx), probes)] };
}

/** The /4 that contains an IP (upstream makeLargeCIDRForIP). */
function largeCidrFor(ip: string): string {
  const c = parseCidr(`${ip}/4`);
  if (!c) throw new Error(`bad IP ${ip}`);
  return c.text;
}
const host = (ip: string): string => `${ip}/${ip.includes(':') ? 128 : 32}`;

// ------------------------------------------------------------------ cases

/** Cases repeated for TCP, UDP and SCTP upstream. */
function perProtocol(protocol: Protocol, suffix: string): NetpolCase[] {
  return [
    oneStep(
      `should support a 'default-deny-ingress' policy${suffix}`,
      [protocol],
      () => [apply(policy(x, 'deny-all', {}, { ingress: [] }))],
      [probe(80, protocol, (r) => r.expectPeer({}, { namespace: x }, false))],
    ),
    oneStep(
      `should enforce policy based on Ports${suffix}`,
      [protocol],
      () => [apply(policy(x, 'allow-ingress-on-port-81-ns-x', labels({ pod: 'a' }), { ingress: [{ from: [{ namespaceSelector: labels({ [NS]: y }) }], ports: [{ port: 81, protocol }] }] }))],
      [
        probe(81, protocol, (r) => {
          r.expectPeer({ namespace: x }, { namespace: x, pod: 'a' }, false);
          r.expectPeer({ namespace: z }, { namespace: x, pod: 'a' }, false);
        }),
      ],
    ),
    oneStep(
      `should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector${suffix}`,
      [protocol],
      () => [apply(policy(x, 'allow-ns-y-pod-a-via-namespace-pod-selector', labels({ pod: 'a' }), { ingress: [from({ namespaceSelector: labels({ [NS]: y }), podSelector: labels({ pod: 'a' }) })] }))],
      [
        probe(80, protocol, (r) => {
          r.expectAllIngress(ps(x, 'a'), false);
          r.expect(ps(y, 'a'), ps(x, 'a'), true);
        }),
      ],
    ),
  ];
}

const TCP_CASES: NetpolCase[] = [
  oneStep(
    "should support a 'default-deny-all' policy",
    ['TCP'],
    () => [apply(policy(x, 'deny-all', {}, { ingress: [], egress: [] }))],
    [
      probe(80, 'TCP', (r) => {
        r.expectPeer({}, { namespace: x }, false);
        r.expectPeer({ namespace: x }, {}, false);
      }),
    ],
  ),
  oneStep(
    'should enforce policy to allow traffic from pods within server namespace based on PodSelector',
    ['TCP'],
    () => [apply(policy(x, 'x-a-allows-x-b', labels({ pod: 'a' }), { ingress: [from({ podSelector: labels({ pod: 'b' }) })] }))],
    [
      probe(80, 'TCP', (r) => {
        r.expectAllIngress(ps(x, 'a'), false);
        r.expect(ps(x, 'b'), ps(x, 'a'), true);
      }),
    ],
  ),
  oneStep(
    'should enforce policy to allow ingress traffic for a target',
    ['TCP'],
    () => [
      apply(policy(x, 'deny-all', {}, { ingress: [] })),
      apply(policy(x, 'allow-all-to-a', labels({ pod: 'a' }), { ingress: [from({ podSelector: {}, namespaceSelector: {} })] })),
    ],
    [
      probe(80, 'TCP', (r) => {
        r.expectPeer({}, { namespace: x }, false);
        r.expectAllIngress(ps(x, 'a'), true);
      }),
    ],
  ),
  oneStep(
    'should enforce policy to allow ingress traffic from pods in all namespaces',
    ['TCP'],
    () => [apply(policy(x, 'allow-from-another-ns', labels({ pod: 'a' }), { ingress: [from({ namespaceSelector: { matchLabels: {} } })] }))],
    [probe(80, 'TCP')],
  ),
  oneStep(
    'should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector',
    ['TCP'],
    () => [apply(policy(x, 'allow-client-a-via-ns-selector', labels({ pod: 'a' }), { ingress: [from({ namespaceSelector: labels({ [NS]: y }) })] }))],
    [
      probe(80, 'TCP', (r) => {
        r.expectPeer({ namespace: x }, { namespace: x, pod: 'a' }, false);
        r.expectPeer({ namespace: z }, { namespace: x, pod: 'a' }, false);
      }),
    ],
  ),
  oneStep(
    'should enforce policy based on PodSelector with MatchExpressions',
    ['TCP'],
    () => [apply(policy(x, 'x-a-allows-x-b', labels({ pod: 'a' }), { ingress: [from({ podSelector: expr('pod', 'In', ['b']) })] }))],
    [
      probe(80, 'TCP', (r) => {
        r.expectAllIngress(ps(x, 'a'), false);
        r.expect(ps(x, 'b'), ps(x, 'a'), true);
      }),
    ],
  ),
  oneStep(
    'should enforce policy based on NamespaceSelector with MatchExpressions',
    ['TCP'],
    () => [apply(policy(x, 'allow-ns-y-match-selector', labels({ pod: 'a' }), { ingress: [from({ namespaceSelector: expr(NS, 'In', [y]) })] }))],
    [
      probe(80, 'TCP', (r) => {
        r.expectPeer({ namespace: x }, { namespace: x, pod: 'a' }, false);
        r.expectPeer({ namespace: z }, { namespace: x, pod: 'a' }, false);
      }),
    ],
  ),
  oneStep(
    'should enforce policy based on PodSelector or NamespaceSelector',
    ['TCP'],
    () => [apply(policy(x, 'allow-ns-y-match-selector', labels({ pod: 'a' }), { ingress: [from({ namespaceSelector: expr(NS, 'NotIn', [x]) }, { podSelector: labels({ pod: 'b' }) })] }))],
    [
      probe(80, 'TCP', (r) => {
        r.expect(ps(x, 'a'), ps(x, 'a'), false);
        r.expect(ps(x, 'c'), ps(x, 'a'), false);
      }),
    ],
  ),
  oneStep(
    'should enforce policy based on PodSelector and NamespaceSelector',
    ['TCP'],
    () => [apply(policy(x, 'allow-ns-y-podselector-and-nsselector', labels({ pod: 'a' }), { ingress: [from({ namespaceSelector: expr(NS, 'NotIn', [x]), podSelector: labels({ pod: 'b' }) })] }))],
    [
      probe(80, 'TCP', (r) => {
        r.expectAllIngress(ps(x, 'a'), false);
        r.expect(ps(y, 'b'), ps(x, 'a'), true);
        r.expect(ps(z, 'b'), ps(x, 'a'), true);
      }),
    ],
  ),
  oneStep(
    'should enforce policy based on Multiple PodSelectors and NamespaceSelectors',
    ['TCP'],
    () => [apply(policy(x, 'allow-ns-y-z-pod-b-c', labels({ pod: 'a' }), { ingress: [from({ namespaceSelector: expr(NS, 'NotIn', [x]), podSelector: expr('pod', 'In', ['b', 'c']) })] }))],
    [
      probe(80, 'TCP', (r) => {
        r.expectPeer({ namespace: x }, { namespace: x, pod: 'a' }, false);
        r.expect(ps(y, 'a'), ps(x, 'a'), false);
        r.expect(ps(z, 'a'), ps(x, 'a'), false);
      }),
    ],
  ),
  oneStep(
    'should enforce policy based on any PodSelectors',
    ['TCP'],
    () => [apply(policy(x, 'allow-ns-x-pod-b-c', labels({ pod: 'a' }), { ingress: [from({ podSelector: labels({ pod: 'b' }) }, { podSelector: labels({ pod: 'c' }) })] }))],
    [
      probe(80, 'TCP', (r) => {
        r.expectAllIngress(ps(x, 'a'), false);
        r.expect(ps(x, 'b'), ps(x, 'a'), true);
        r.expect(ps(x, 'c'), ps(x, 'a'), true);
      }),
    ],
  ),
  {
    name: 'should enforce multiple, stacked policies with overlapping podSelectors',
    origin: 'upstream',
    protocols: ['TCP'],
    steps: () => {
      const allow = (r: Reachability): void => {
        r.expectPeer({ namespace: x }, { namespace: x, pod: 'a' }, false);
        r.expectPeer({ namespace: y }, { namespace: x, pod: 'a' }, true);
        r.expectPeer({ namespace: z }, { namespace: x, pod: 'a' }, false);
      };
      const rule = (port: number): NetworkPolicyIngressRule => ({ from: [{ namespaceSelector: labels({ [NS]: y }) }], ports: [tcpPort(port)] });
      return [
        step(
          'allow 81 from y',
          [apply(policy(x, 'allow-client-a-via-ns-selector', labels({ pod: 'a' }), { ingress: [rule(81)] }))],
          [probe(81, 'TCP', allow), probe(80, 'TCP', (r) => r.expectAllIngress(ps(x, 'a'), false))],
        ),
        step('add a policy to unblock port 80', [apply(policy(x, 'allow-client-a-via-ns-selector-80', labels({ pod: 'a' }), { ingress: [rule(80)] }))], [probe(80, 'TCP', allow), probe(81, 'TCP', allow)]),
      ];
    },
  },
  oneStep('should support allow-all policy', ['TCP'], () => [apply(policy(x, 'allow-all', {}, { ingress: [{}] }))], [probe(80, 'TCP'), probe(81, 'TCP')]),
  oneStep(
    'should allow ingress access on one named port',
    ['TCP'],
    () => [apply(policy(x, 'allow-all', {}, { ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] }))],
    [probe(81, 'TCP'), probe(80, 'TCP', (r) => r.expectPeer({}, { namespace: x }, false))],
  ),
  oneStep(
    'should allow ingress access from namespace on one named port',
    ['TCP'],
    () => [apply(policy(x, 'allow-client-a-via-ns-selector-80', labels({ pod: 'a' }), { ingress: [{ from: [{ namespaceSelector: labels({ [NS]: y }) }], ports: [tcpPort('serve-80-tcp')] }] }))],
    [
      probe(80, 'TCP', (r) => {
        r.expectPeer({ namespace: x }, { namespace: x, pod: 'a' }, false);
        r.expectPeer({ namespace: z }, { namespace: x, pod: 'a' }, false);
      }),
      probe(81, 'TCP', (r) => r.expectAllIngress(ps(x, 'a'), false)),
    ],
  ),
  oneStep(
    'should allow egress access on one named port',
    ['TCP'],
    () => [apply(policy(x, 'allow-egress', {}, { egress: [{ ports: [{ port: 'serve-80-tcp' }] }] }))],
    [probe(80, 'TCP'), probe(81, 'TCP', (r) => r.expectPeer({ namespace: x }, {}, false))],
  ),
  {
    name: 'should enforce updated policy',
    origin: 'upstream',
    protocols: ['TCP'],
    steps: () => [
      step('allow all', [apply(policy(x, 'allow-all-mutate-to-deny-all', {}, { ingress: [{}] }))], [probe(81, 'TCP')]),
      step('update the same policy to deny all', [apply(policy(x, 'allow-all-mutate-to-deny-all', {}, { ingress: [] }))], [probe(81, 'TCP', (r) => r.expectPeer({}, { namespace: x }, false))]),
    ],
  },
  {
    name: 'should allow ingress access from updated namespace',
    origin: 'upstream',
    protocols: ['TCP'],
    steps: () => [
      step(
        'policy selects namespaces labelled ns2=updated; none is',
        [apply(policy(x, 'allow-client-a-via-ns-selector', labels({ pod: 'a' }), { ingress: [from({ namespaceSelector: labels({ ns2: 'updated' }) })] }))],
        [probe(80, 'TCP', (r) => r.expectAllIngress(ps(x, 'a'), false))],
      ),
      step(
        'label namespace y ns2=updated',
        [{ kind: 'set-namespace-labels', namespace: y, labels: { ns: y, [NS]: y, ns2: 'updated' } }],
        [
          probe(80, 'TCP', (r) => {
            r.expectAllIngress(ps(x, 'a'), false);
            r.expectPeer({ namespace: y }, {}, true);
          }),
        ],
      ),
    ],
  },
  {
    name: 'should allow ingress access from updated pod',
    origin: 'upstream',
    protocols: ['TCP'],
    steps: () => [
      step(
        'policy selects pods labelled pod=b,pod2=updated; none is',
        [apply(policy(x, 'allow-client-a-via-pod-selector', labels({ pod: 'a' }), { ingress: [from({ podSelector: labels({ pod: 'b', pod2: 'updated' }) })] }))],
        [probe(80, 'TCP', (r) => r.expectAllIngress(ps(x, 'a'), false))],
      ),
      step(
        'label x/b pod2=updated',
        [{ kind: 'set-pod-labels', namespace: x, pod: 'b', labels: { pod: 'b', pod2: 'updated' } }],
        [
          probe(80, 'TCP', (r) => {
            r.expectAllIngress(ps(x, 'a'), false);
            r.expect(ps(x, 'b'), ps(x, 'a'), true);
          }),
        ],
      ),
    ],
  },
  oneStep(
    'should deny ingress from pods on other namespaces',
    ['TCP'],
    () => [apply(policy(x, 'deny-empty-policy', {}, { ingress: [from({ podSelector: { matchLabels: {} } })] }))],
    [
      probe(80, 'TCP', (r) => {
        r.expectPeer({ namespace: y }, { namespace: x }, false);
        r.expectPeer({ namespace: z }, { namespace: x }, false);
      }),
    ],
  ),
  {
    name: 'should deny ingress access to updated pod',
    origin: 'upstream',
    protocols: ['TCP'],
    steps: () => [
      step('policy isolates pods labelled target=isolated; none is', [apply(policy(x, 'deny-ingress-via-label-selector', labels({ target: 'isolated' }), { ingress: [] }))], [probe(80, 'TCP')]),
      step(
        'label x/a target=isolated',
        [{ kind: 'set-pod-labels', namespace: x, pod: 'a', labels: { pod: 'a', target: 'isolated' } }],
        [probe(80, 'TCP', (r) => r.expectAllIngress(ps(x, 'a'), false))],
      ),
    ],
  },
  oneStep(
    'should deny egress from pods based on PodSelector',
    ['TCP'],
    () => [apply(policy(x, 'deny-egress-pod-a', labels({ pod: 'a' }), { egress: [] }))],
    [probe(80, 'TCP', (r) => r.expectAllEgress(ps(x, 'a'), false))],
  ),
  oneStep(
    'should deny egress from all pods in a namespace',
    ['TCP'],
    () => [apply(policy(x, 'deny-egress-ns-x', {}, { egress: [] }))],
    [probe(80, 'TCP', (r) => r.expectPeer({ namespace: x }, {}, false))],
  ),
  oneStep(
    'should work with Ingress, Egress specified together',
    ['TCP'],
    () => [
      apply(
        policy(x, 'allow-client-a-via-pod-selector', labels({ pod: 'a' }), {
          ingress: [from({ podSelector: labels({ pod: 'b' }) })],
          egress: [{ ports: [{ port: 80 }] }],
          policyTypes: ['Egress', 'Ingress'],
        }),
      ),
    ],
    [
      probe(80, 'TCP', (r) => {
        r.expectAllIngress(ps(x, 'a'), false);
        r.expect(ps(x, 'b'), ps(x, 'a'), true);
      }),
      probe(81, 'TCP', (r) => {
        r.expectAllIngress(ps(x, 'a'), false);
        r.expectAllEgress(ps(x, 'a'), false);
        r.expect(ps(x, 'b'), ps(x, 'a'), true);
      }),
    ],
  ),
  oneStep(
    'should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)',
    ['TCP'],
    () => {
      const fromXA = from({ namespaceSelector: labels({ [NS]: x }), podSelector: labels({ pod: 'a' }) });
      return [
        apply(policy(x, 'allow-to-ns-y-pod-a', labels({ pod: 'a' }), { egress: [to({ namespaceSelector: labels({ [NS]: y }), podSelector: labels({ pod: 'a' }) })] })),
        apply(policy(y, 'allow-from-xa-on-ya-match-selector', labels({ pod: 'a' }), { ingress: [fromXA] })),
        apply(policy(y, 'allow-from-xa-on-yb-match-selector', labels({ pod: 'b' }), { ingress: [fromXA] })),
      ];
    },
    [
      probe(80, 'TCP', (r) => {
        r.expectPeer({ namespace: x, pod: 'a' }, {}, false);
        r.expectPeer({}, { namespace: y, pod: 'a' }, false);
        r.expectPeer({ namespace: x, pod: 'a' }, { namespace: y, pod: 'a' }, true);
        r.expectPeer({}, { namespace: y, pod: 'b' }, false);
      }),
    ],
  ),
  oneStep(
    'should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector',
    ['TCP'],
    () => [apply(policy(x, 'allow-to-ns-y-pod-a', labels({ pod: 'a' }), { egress: [to({ namespaceSelector: labels({ [NS]: y }), podSelector: labels({ pod: 'a' }) })] }))],
    [
      probe(80, 'TCP', (r) => {
        r.expectAllEgress(ps(x, 'a'), false);
        r.expect(ps(x, 'a'), ps(y, 'a'), true);
      }),
    ],
  ),
  oneStep(
    'should enforce ingress policy allowing any port traffic to a server on a specific protocol',
    ['TCP', 'UDP'],
    () => [apply(policy(x, 'allow-ingress-by-proto', labels({ pod: 'a' }), { ingress: [{ ports: [{ protocol: 'TCP' }] }] }))],
    [probe(80, 'TCP'), probe(80, 'UDP', (r) => r.expectPeer({}, { namespace: x, pod: 'a' }, false))],
  ),
  {
    name: 'should enforce multiple ingress policies with ingress allow-all policy taking precedence',
    origin: 'upstream',
    protocols: ['TCP'],
    steps: () => [
      step('allow only port 80', [apply(policy(x, 'allow-ingress-port-80', {}, { ingress: [{ ports: [{ port: 80 }] }] }))], [probe(81, 'TCP', (r) => r.expectPeer({}, { namespace: x }, false))]),
      step('add an allow-all ingress policy', [apply(policy(x, 'allow-ingress', {}, { ingress: [{}] }))], [probe(81, 'TCP')]),
    ],
  },
  {
    name: 'should enforce multiple egress policies with egress allow-all policy taking precedence',
    origin: 'upstream',
    protocols: ['TCP'],
    steps: () => [
      step('allow only port 80', [apply(policy(x, 'allow-egress-port-80', {}, { egress: [{ ports: [{ port: 80 }] }] }))], [probe(81, 'TCP', (r) => r.expectPeer({ namespace: x }, {}, false))]),
      step('add an allow-all egress policy', [apply(policy(x, 'allow-egress', {}, { egress: [{}] }))], [probe(81, 'TCP')]),
    ],
  },
  {
    name: 'should stop enforcing policies after they are deleted',
    origin: 'upstream',
    protocols: ['TCP'],
    steps: () => [
      step(
        'deny all traffic into and out of x',
        [apply(policy(x, 'deny-all', {}, { ingress: [], egress: [] }))],
        [
          probe(80, 'TCP', (r) => {
            r.expectPeer({ namespace: x }, {}, false);
            r.expectPeer({}, { namespace: x }, false);
          }),
        ],
      ),
      step('delete every policy', [{ kind: 'delete-all-policies' }], [probe(80, 'TCP')]),
    ],
  },
  oneStep(
    'should allow egress access to server in CIDR block',
    ['TCP'],
    (ctx) => [apply(policy(x, 'allow-client-a-via-cidr-egress-rule', labels({ pod: 'a' }), { egress: [to({ ipBlock: { cidr: host(ctx.podIP(y, 'b')) } })] }))],
    [
      probe(80, 'TCP', (r) => {
        r.expectAllEgress(ps(x, 'a'), false);
        r.expect(ps(x, 'a'), ps(y, 'b'), true);
      }),
    ],
  ),
  oneStep(
    'should enforce except clause while egress access to server in CIDR block',
    ['TCP'],
    (ctx) => {
      const ip = ctx.podIP(x, 'b');
      return [apply(policy(x, 'allow-client-a-via-cidr-egress-rule', labels({ pod: 'a' }), { egress: [to({ ipBlock: { cidr: largeCidrFor(ip), except: [host(ip)] } })] }))];
    },
    [probe(80, 'TCP', (r) => r.expect(ps(x, 'a'), ps(x, 'b'), false))],
  ),
  {
    name: 'should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed',
    origin: 'upstream',
    protocols: ['TCP'],
    steps: (ctx) => {
      const ip = ctx.podIP(x, 'b');
      return [
        step(
          'allow a large CIDR except x/b',
          [apply(policy(x, 'allow-client-a-via-cidr-egress-rule', labels({ pod: 'a' }), { egress: [to({ ipBlock: { cidr: largeCidrFor(ip), except: [host(ip)] } })] }))],
          [probe(80, 'TCP', (r) => r.expect(ps(x, 'a'), ps(x, 'b'), false))],
        ),
        step(
          'update the policy to allow x/b only',
          [apply(policy(x, 'allow-client-a-via-cidr-egress-rule', labels({ pod: 'a' }), { egress: [to({ ipBlock: { cidr: host(ip) } })] }))],
          [
            probe(80, 'TCP', (r) => {
              r.expectAllEgress(ps(x, 'a'), false);
              r.expect(ps(x, 'a'), ps(x, 'b'), true);
            }),
          ],
        ),
      ];
    },
  },
  {
    name: 'should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector',
    origin: 'upstream',
    protocols: ['TCP'],
    steps: () => [
      step('allow all egress of x/a', [apply(policy(x, 'allow-egress-for-target', labels({ pod: 'a' }), { egress: [{}] }))], [probe(80, 'TCP')]),
      step('deny all ingress of x/a', [apply(policy(x, 'deny-ingress-via-label-selector', labels({ pod: 'a' }), { ingress: [] }))], [probe(80, 'TCP', (r) => r.expectAllIngress(ps(x, 'a'), false))]),
    ],
  },
  oneStep(
    "should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't support SCTP",
    ['TCP'],
    () => [
      apply(policy(x, 'deny-ingress', {}, { ingress: [] })),
      apply(policy(x, 'allow-only-sctp-ingress-on-port-81', labels({ pod: 'a' }), { ingress: [{ ports: [{ port: 81, protocol: 'SCTP' }] }] })),
    ],
    [probe(81, 'TCP', (r) => r.expectPeer({}, { namespace: x }, false))],
  ),
  oneStep(
    "should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP",
    ['TCP'],
    () => [apply(policy(x, 'allow-only-sctp-ingress-on-port-80', labels({ pod: 'a' }), { ingress: [{ ports: [{ port: 80, protocol: 'SCTP' }] }] }))],
    [probe(81, 'TCP', (r) => r.expectAllIngress(ps(x, 'a'), false))],
  ),
  oneStep(
    'should not allow access by TCP when a policy specifies only UDP',
    ['TCP'],
    () => [apply(policy(x, 'allow-only-udp-ingress-on-port-81', labels({ pod: 'a' }), { ingress: [{ ports: [{ port: 81, protocol: 'UDP' }] }] }))],
    [probe(81, 'TCP', (r) => r.expectAllIngress(ps(x, 'a'), false))],
  ),
  oneStep(
    'should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label',
    ['TCP'],
    () => [apply(policy(x, 'allow-client-a-via-ns-selector-for-immutable-ns-label', labels({ pod: 'a' }), { ingress: [from({ namespaceSelector: labels({ [NS]: y }) })] }))],
    [
      probe(80, 'TCP', (r) => {
        r.expectPeer({ namespace: x }, { namespace: x, pod: 'a' }, false);
        r.expectPeer({ namespace: z }, { namespace: x, pod: 'a' }, false);
      }),
    ],
  ),
  oneStep(
    'should enforce policy based on NamespaceSelector with MatchExpressions using default ns label',
    ['TCP'],
    () => [apply(policy(x, 'allow-ns-y-match-selector-for-immutable-ns-label', labels({ pod: 'a' }), { egress: [to({ namespaceSelector: expr(NS, 'NotIn', [y]) })] }))],
    [probe(80, 'TCP', (r) => r.expectPeer({ namespace: x, pod: 'a' }, { namespace: y }, false))],
  ),
];

/** Extra cases in the upstream style for what upstream does not probe. */
const KWIRE_CASES: NetpolCase[] = [
  {
    name: 'should enforce policy based on Ports (port 80 stays closed)',
    origin: 'kwire',
    protocols: ['TCP'],
    steps: () => [
      step(
        'allow 81 from y only; 80 is then closed to everyone',
        [apply(policy(x, 'allow-client-a-via-ns-selector', labels({ pod: 'a' }), { ingress: [{ from: [{ namespaceSelector: labels({ [NS]: y }) }], ports: [tcpPort(81)] }] }))],
        [
          probe(81, 'TCP', (r) => {
            r.expectPeer({ namespace: x }, { namespace: x, pod: 'a' }, false);
            r.expectPeer({ namespace: z }, { namespace: x, pod: 'a' }, false);
          }),
          probe(80, 'TCP', (r) => r.expectAllIngress(ps(x, 'a'), false)),
        ],
      ),
    ],
  },
  oneStep(
    'should allow an ingress port range (endPort) from one namespace',
    ['TCP'],
    () => [apply(policy(x, 'allow-80-81-from-y', labels({ pod: 'a' }), { ingress: [{ from: [{ namespaceSelector: labels({ [NS]: y }) }], ports: [{ port: 80, endPort: 81, protocol: 'TCP' }] }] }))],
    [80, 81].map((port) =>
      probe(port, 'TCP', (r) => {
        r.expectPeer({ namespace: x }, { namespace: x, pod: 'a' }, false);
        r.expectPeer({ namespace: z }, { namespace: x, pod: 'a' }, false);
      }),
    ),
    'kwire',
  ),
  oneStep(
    'should allow an egress port range (endPort) that starts above the probed port',
    ['TCP'],
    () => [apply(policy(x, 'allow-egress-81-90', {}, { egress: [{ ports: [{ port: 81, endPort: 90 }] }] }))],
    [probe(80, 'TCP', (r) => r.expectPeer({ namespace: x }, {}, false)), probe(81, 'TCP')],
    'kwire',
  ),
  oneStep(
    'should match an endPort range on its protocol only',
    ['TCP', 'UDP'],
    () => [apply(policy(x, 'allow-udp-70-85', labels({ pod: 'a' }), { ingress: [{ ports: [{ protocol: 'UDP', port: 70, endPort: 85 }] }] }))],
    [probe(80, 'TCP', (r) => r.expectAllIngress(ps(x, 'a'), false)), probe(80, 'UDP'), probe(81, 'UDP')],
    'kwire',
  ),
  oneStep(
    'should resolve an egress named port on the destination pod',
    ['TCP'],
    () => [apply(policy(x, 'allow-egress-serve-81-to-y', labels({ pod: 'a' }), { egress: [{ to: [{ namespaceSelector: labels({ ns: y }) }], ports: [{ port: 'serve-81-tcp' }] }] }))],
    [
      probe(81, 'TCP', (r) => {
        r.expectAllEgress(ps(x, 'a'), false);
        r.expectPeer({ namespace: x, pod: 'a' }, { namespace: y }, true);
      }),
      probe(80, 'TCP', (r) => r.expectAllEgress(ps(x, 'a'), false)),
    ],
    'kwire',
  ),
  oneStep(
    'should combine an ipBlock except with a second policy that allows the excepted IP (additive)',
    ['TCP'],
    (ctx) => {
      const ip = ctx.podIP(x, 'b');
      return [
        apply(policy(x, 'allow-large-cidr-except-x-b', labels({ pod: 'a' }), { egress: [to({ ipBlock: { cidr: largeCidrFor(ip), except: [host(ip)] } })] })),
        apply(policy(x, 'allow-x-b', labels({ pod: 'a' }), { egress: [to({ ipBlock: { cidr: host(ip) } })] })),
      ];
    },
    [probe(80, 'TCP')],
    'kwire',
  ),
  oneStep(
    'should allow ingress from ipBlocks naming single pod IPs',
    ['TCP'],
    (ctx) => [apply(policy(x, 'allow-from-ya-zb-ips', labels({ pod: 'a' }), { ingress: [from({ ipBlock: { cidr: host(ctx.podIP(y, 'a')) } }, { ipBlock: { cidr: host(ctx.podIP(z, 'b')) } })] }))],
    [
      probe(80, 'TCP', (r) => {
        r.expectAllIngress(ps(x, 'a'), false);
        r.expect(ps(y, 'a'), ps(x, 'a'), true);
        r.expect(ps(z, 'b'), ps(x, 'a'), true);
      }),
    ],
    'kwire',
  ),
  {
    name: 'should follow DoesNotExist/NotIn selectors as namespace labels change',
    origin: 'kwire',
    protocols: ['TCP'],
    steps: () => [
      step(
        'allow from pods not labelled pod=c in namespaces without ns2',
        [
          apply(
            policy(x, 'allow-not-c-from-unlabelled-ns', labels({ pod: 'a' }), {
              ingress: [from({ namespaceSelector: expr('ns2', 'DoesNotExist'), podSelector: expr('pod', 'NotIn', ['c']) })],
            }),
          ),
        ],
        [
          probe(80, 'TCP', (r) => {
            r.expectAllIngress(ps(x, 'a'), false);
            for (const ns of [x, y, z]) for (const p of ['a', 'b']) r.expect(ps(ns, p), ps(x, 'a'), true);
          }),
        ],
      ),
      step(
        'label namespace z ns2=updated',
        [{ kind: 'set-namespace-labels', namespace: z, labels: { ns: z, [NS]: z, ns2: 'updated' } }],
        [
          probe(80, 'TCP', (r) => {
            r.expectAllIngress(ps(x, 'a'), false);
            for (const ns of [x, y]) for (const p of ['a', 'b']) r.expect(ps(ns, p), ps(x, 'a'), true);
          }),
        ],
      ),
      step(
        'remove the label again',
        [{ kind: 'set-namespace-labels', namespace: z, labels: { ns: z, [NS]: z } }],
        [
          probe(80, 'TCP', (r) => {
            r.expectAllIngress(ps(x, 'a'), false);
            for (const ns of [x, y, z]) for (const p of ['a', 'b']) r.expect(ps(ns, p), ps(x, 'a'), true);
          }),
        ],
      ),
    ],
  },
  oneStep(
    'should ignore ingress rules when policyTypes lists only Egress',
    ['TCP'],
    () => [apply(policy(x, 'egress-only', labels({ pod: 'a' }), { ingress: [from({ podSelector: labels({ pod: 'b' }) })], egress: [{}], policyTypes: ['Egress'] }))],
    [probe(80, 'TCP')],
    'kwire',
  ),
  oneStep(
    'should default policyTypes to Ingress and Egress when egress rules are present',
    ['TCP'],
    () => [
      {
        kind: 'apply-policy',
        policy: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          metadata: { name: 'egress-to-own-namespace', namespace: x },
          spec: { podSelector: labels({ pod: 'a' }), egress: [to({ podSelector: {} })] },
        },
      },
    ],
    [
      probe(80, 'TCP', (r) => {
        r.expectAllIngress(ps(x, 'a'), false);
        r.expectPeer({ namespace: x, pod: 'a' }, { namespace: y }, false);
        r.expectPeer({ namespace: x, pod: 'a' }, { namespace: z }, false);
      }),
    ],
    'kwire',
  ),
  {
    name: 'should isolate a pod again when its labels stop matching an allow rule',
    origin: 'kwire',
    protocols: ['TCP'],
    steps: () => [
      step(
        'x/a admits pods labelled role=client; label y/c role=client',
        [
          apply(policy(x, 'allow-clients', labels({ pod: 'a' }), { ingress: [from({ namespaceSelector: {}, podSelector: labels({ role: 'client' }) })] })),
          { kind: 'set-pod-labels', namespace: y, pod: 'c', labels: { pod: 'c', role: 'client' } },
        ],
        [
          probe(80, 'TCP', (r) => {
            r.expectAllIngress(ps(x, 'a'), false);
            r.expect(ps(y, 'c'), ps(x, 'a'), true);
          }),
        ],
      ),
      step(
        'drop the label',
        [{ kind: 'set-pod-labels', namespace: y, pod: 'c', labels: { pod: 'c' } }],
        [probe(80, 'TCP', (r) => r.expectAllIngress(ps(x, 'a'), false))],
      ),
      step('delete the policy', [{ kind: 'delete-policy', namespace: x, name: 'allow-clients' }], [probe(80, 'TCP')]),
    ],
  },
];

/** Every case: upstream TCP ones, the UDP and SCTP variants, then kwire's extras. */
export const UPSTREAM_CASES: ReadonlyArray<NetpolCase> = [
  ...perProtocol('TCP', ''),
  ...TCP_CASES,
  ...perProtocol('UDP', ' (UDP)'),
  ...perProtocol('SCTP', ' (SCTP)'),
  ...KWIRE_CASES,
];
