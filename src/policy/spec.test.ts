/**
 * @module policy/spec.test
 * NetworkPolicy normalisation: policyTypes defaulting, peers and ports, and what the API server would refuse.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NetworkPolicy, NetworkPolicySpec } from 'kubernetes-types/networking/v1.js';
import { normalizePolicy } from './spec.js';

const np = (spec: Partial<NetworkPolicySpec> & Record<string, unknown>): NetworkPolicy => ({
  metadata: { name: 'p', namespace: 'ns' },
  spec: { podSelector: {}, ...spec } as NetworkPolicySpec,
});

test('policyTypes defaulting', () => {
  const rows: Array<[string, Record<string, unknown>, boolean, boolean]> = [
    ['nothing: Ingress only', {}, true, false],
    ['ingress rules: Ingress only', { ingress: [{}] }, true, false],
    ['egress rules: Ingress and Egress', { egress: [{}] }, true, true],
    ['empty egress list: Ingress only', { egress: [] }, true, false],
    ['empty policyTypes list defaults too', { policyTypes: [], egress: [{}] }, true, true],
    ['explicit Egress', { policyTypes: ['Egress'], ingress: [{}] }, false, true],
    ['explicit both', { policyTypes: ['Ingress', 'Egress'] }, true, true],
    ['explicit Ingress ignores egress rules', { policyTypes: ['Ingress'], egress: [{}] }, true, false],
  ];
  for (const [name, spec, ing, eg] of rows) {
    const p = normalizePolicy(np(spec));
    assert.equal(p.affectsIngress, ing, `${name}: ingress`);
    assert.equal(p.affectsEgress, eg, `${name}: egress`);
    if (!ing) assert.equal(p.ingress.length, 0, `${name}: ingress rules dropped`);
    if (!eg) assert.equal(p.egress.length, 0, `${name}: egress rules dropped`);
  }
});

test('peers and ports normalise with their indexes; empty lists mean all', () => {
  const p = normalizePolicy(
    np({
      ingress: [
        { from: [], ports: [] },
        {
          from: [{ podSelector: { matchLabels: { a: 'b' } } }, { namespaceSelector: {} }, { namespaceSelector: {}, podSelector: {} }, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }],
          ports: [{ port: 80 }, { protocol: 'UDP' }, { port: 'http' }, { port: 8000, endPort: 9000, protocol: 'SCTP' }],
        },
      ],
    }),
  );
  const [r0, r1] = p.ingress;
  assert.ok(r0 && r1);
  assert.equal(r0.peers, null);
  assert.equal(r0.ports, null);
  assert.deepEqual(
    r1.peers?.map((x) => [x.kind, x.index, x.kind === 'pods' ? x.namespaceSelector?.key ?? 'own' : x.kind === 'ipBlock' ? x.block.text : '']),
    [
      ['pods', 0, 'own'],
      ['pods', 1, ''],
      ['pods', 2, ''],
      ['ipBlock', 3, '10.0.0.0/8 except 10.1.0.0/16'],
    ],
  );
  assert.deepEqual(r1.ports, [
    { kind: 'number', index: 0, protocol: 'TCP', port: 80 },
    { kind: 'protocol', index: 1, protocol: 'UDP' },
    { kind: 'named', index: 2, protocol: 'TCP', name: 'http' },
    { kind: 'range', index: 3, protocol: 'SCTP', port: 8000, endPort: 9000 },
  ]);
  assert.deepEqual(p.issues, []);
});

test('what the API server refuses compiles to "matches nothing" and is reported', () => {
  const rows: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['empty peer', { ingress: [{ from: [{}] }] }, 'spec.ingress[0].from[0]', /must specify a peer/],
    ['ipBlock with selector', { ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }] }, 'spec.ingress[0].from[0]', /more than 1 peer type/],
    ['bad cidr', { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0' } }] }] }, 'spec.egress[0].to[0].ipBlock.cidr', /valid CIDR/],
    ['except outside cidr', { egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['11.0.0.0/16'] } }] }] }, 'spec.egress[0].to[0].ipBlock.except[0]', /strict subset/],
    ['bad protocol', { ingress: [{ ports: [{ protocol: 'ICMP' }] }] }, 'spec.ingress[0].ports[0].protocol', /Unsupported value: "ICMP"/],
    ['endPort on named port', { ingress: [{ ports: [{ port: 'http', endPort: 90 }] }] }, 'spec.ingress[0].ports[0].endPort', /named port/],
    ['endPort below port', { ingress: [{ ports: [{ port: 90, endPort: 80 }] }] }, 'spec.ingress[0].ports[0].endPort', /greater than or equal/],
    ['endPort without port', { ingress: [{ ports: [{ endPort: 80 }] }] }, 'spec.ingress[0].ports[0].endPort', /not specified/],
    ['port out of range', { ingress: [{ ports: [{ port: 70000 }] }] }, 'spec.ingress[0].ports[0].port', /between 1 and 65535/],
    ['numeric string port', { ingress: [{ ports: [{ port: '80' }] }] }, 'spec.ingress[0].ports[0].port', /IANA_SVC_NAME/],
    ['bad policyType', { policyTypes: ['Sideways'] }, 'spec.policyTypes[0]', /Unsupported value/],
    ['bad selector operator', { podSelector: { matchExpressions: [{ key: 'a', operator: 'Equals' }] } }, 'spec.podSelector', /Unsupported value/],
    ['rules not a list', { ingress: { from: [] } }, 'spec.ingress', /must be a list/],
  ];
  for (const [name, spec, path, msg] of rows) {
    const p = normalizePolicy(np(spec));
    const issue = p.issues.find((i) => i.path === path);
    assert.ok(issue, `${name}: issue at ${path}, got ${JSON.stringify(p.issues)}`);
    assert.match(issue.message, msg, name);
  }
});

test('a policy without namespace lands in default; absent podSelector is {}', () => {
  const p = normalizePolicy({ metadata: { name: 'n' } } as NetworkPolicy);
  assert.deepEqual(p.ref, { namespace: 'default', name: 'n' });
  assert.equal(p.subject.matchesAll, true);
  assert.equal(p.affectsIngress, true);
});
