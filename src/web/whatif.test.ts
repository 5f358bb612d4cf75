/**
 * @module web/whatif.test
 * What-if over the lab: the predicted "after" matrix equals the matrix of an
 * engine that really holds the candidate (for every table and several
 * candidate sets), the changed cells are exactly the differences, recent
 * flows are re-judged (grouped, newest kept; gone pods and refused flows only
 * counted), the live engine is never touched, and the default tables come
 * from the ports the candidates name or select.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { FlowRecord } from '../dataplane/flow-log.js';
import type { Peer } from '../dataplane/types.js';
import { LAB_DENY_ALL, LAB_PODS, LAB_SELECTIVE, PolicyEngine, computeMatrix, labModel } from '../policy/index.js';
import { candidatePorts, copyEngine, judgeFlow, whatIf } from './whatif.js';

const NS = 'networking-lab';
const pods = LAB_PODS.filter((p) => p.namespace === NS);
const podNamed = (prefix: string, i = 0) => pods.filter((p) => p.name.startsWith(prefix))[i]!;
const peer = (name: string, port: number): Peer => {
  const p = LAB_PODS.find((x) => x.name === name)!;
  return { ip: p.ip!, port, owner: { kind: 'pod', namespace: p.namespace, name: p.name } };
};

let seq = 0;
function flow(src: Peer, endpoint: Peer | undefined, verdict: FlowRecord['verdict'], extra: Partial<FlowRecord> = {}): FlowRecord {
  return {
    id: ++seq,
    time: 1_700_000_000_000 + seq,
    protocol: 'TCP',
    src,
    dst: endpoint ? { ip: endpoint.ip, port: endpoint.port } : { ip: '10.96.0.50', port: 80 },
    ...(endpoint ? { endpoint } : {}),
    verdict,
    reason: verdict,
    policies: verdict === 'dropped' ? [`${NS}/deny-all`] : [],
    ...extra,
  };
}

const allowBackendFromTestPod: NetworkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'allow-test-pod', namespace: NS },
  spec: { podSelector: { matchLabels: { app: 'backend' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { run: 'test-pod' } } }], ports: [{ port: 8080 }] }] },
};
const denyEgressFrontend: NetworkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'frontend-no-egress', namespace: NS },
  spec: { podSelector: { matchLabels: { app: 'frontend' } }, policyTypes: ['Egress'] },
};

describe('what-if predicts what applying would do', () => {
  const cases: ReadonlyArray<[string, ReadonlyArray<NetworkPolicy>, ReadonlyArray<NetworkPolicy>]> = [
    ['the lab selective policies over deny-all', [LAB_DENY_ALL], LAB_SELECTIVE],
    ['deny-all over nothing', [], [LAB_DENY_ALL]],
    ['an allowance for test-pod over the lab', [LAB_DENY_ALL, ...LAB_SELECTIVE], [allowBackendFromTestPod]],
    ['an egress lock-down of the frontend', [...LAB_SELECTIVE], [denyEgressFrontend]],
    ['deny-all replaced by an ingress-only one', [LAB_DENY_ALL], [{ ...LAB_DENY_ALL, spec: { podSelector: {}, policyTypes: ['Ingress'] } }]],
  ];
  for (const [name, live, candidates] of cases) {
    test(name, () => {
      const engine = PolicyEngine.fromModel(labModel(live));
      const rev = engine.revision;
      const ports = [
        { protocol: 'TCP' as const, port: 80 },
        { protocol: 'TCP' as const, port: 8080 },
        { protocol: 'UDP' as const, port: 53 },
      ];
      const w = whatIf(engine, candidates, [], { ports });
      const applied = PolicyEngine.fromModel(labModel([...live.filter((p) => !candidates.some((c) => c.metadata?.name === p.metadata?.name)), ...candidates]));
      const beforeM = computeMatrix(engine, { ports: [80], protocols: ['TCP'] });
      assert.deepEqual(w.matrix.pods, beforeM.pods);
      let diffs = 0;
      for (const t of w.matrix.tables ?? []) {
        const want = computeMatrix(applied, { ports: [t.port], protocols: [t.protocol] }).tables[0]!.table.values;
        const was = computeMatrix(engine, { ports: [t.port], protocols: [t.protocol] }).tables[0]!.table.values;
        assert.deepEqual(t.after, want, `${t.protocol}/${t.port} after`);
        assert.deepEqual(t.before, was, `${t.protocol}/${t.port} before`);
        for (let i = 0; i < want.length; i++) for (let j = 0; j < want.length; j++) if (want[i]![j] !== was[i]![j]) diffs++;
      }
      assert.equal(w.matrix.changes.length, diffs);
      assert.equal(w.summary.addedDenials + w.summary.newAllowances, diffs);
      for (const c of w.matrix.changes) assert.notEqual(c.before, c.after);
      assert.equal(engine.revision, rev, 'the live engine is untouched');
    });
  }

  test('the lab: frontend -> backend on 8080 becomes allowed, six cells, nothing denied', () => {
    const engine = PolicyEngine.fromModel(labModel([LAB_DENY_ALL]));
    const w = whatIf(engine, LAB_SELECTIVE, [], { namespaces: [NS], ports: [{ protocol: 'TCP', port: 8080 }] });
    assert.deepEqual(w.candidates.map((c) => `${c.name}:${c.action}`), ['allow-frontend-to-backend:create', 'allow-ingress-to-frontend:create', 'allow-dns-egress:create']);
    assert.equal(w.matrix.pods.length, 6);
    assert.equal(w.summary.addedDenials, 0);
    assert.equal(w.summary.newAllowances, 6);
    for (const c of w.matrix.changes) {
      assert.match(c.from, /\/frontend-/);
      assert.match(c.to, /\/backend-/);
      assert.deepEqual([c.before, c.after], ['dropped', 'allowed']);
    }
  });

  test('default tables: the ports the candidates name or select', () => {
    const engine = PolicyEngine.fromModel(labModel([LAB_DENY_ALL]));
    const after = copyEngine(engine, { policies: LAB_SELECTIVE });
    assert.deepEqual(candidatePorts(after, LAB_SELECTIVE), [
      { protocol: 'TCP', port: 80 },
      { protocol: 'TCP', port: 8080 },
      { protocol: 'UDP', port: 53 },
    ]);
    assert.deepEqual(candidatePorts(after, [denyEgressFrontend]), [{ protocol: 'TCP', port: 80 }]);
    const none: NetworkPolicy = { ...denyEgressFrontend, spec: { podSelector: { matchLabels: { app: 'nothing' } } } };
    assert.deepEqual(candidatePorts(copyEngine(engine, { policies: [none] }), [none]), [{ protocol: 'TCP', port: 80 }]);
    const named: NetworkPolicy = { ...denyEgressFrontend, spec: { podSelector: { matchLabels: { app: 'nothing' } }, ingress: [{ ports: [{ port: 'dns-tcp', protocol: 'TCP' }] }] } };
    assert.deepEqual(candidatePorts(copyEngine(engine, { policies: [named] }), [named]), [{ protocol: 'TCP', port: 53 }]);
  });
});

describe('recent flows re-judged', () => {
  const engine = PolicyEngine.fromModel(labModel([LAB_DENY_ALL]));
  const front = podNamed('frontend-').name;
  const back = podNamed('backend-').name;
  const ghost: Peer = { ip: '10.244.2.99', port: 40000, owner: { kind: 'pod', namespace: NS, name: 'gone-pod' } };
  const records = [
    flow(peer(front, 41000), peer(back, 8080), 'dropped'),
    flow(peer('test-pod', 41001), peer(back, 8080), 'dropped'),
    flow(peer(front, 41002), peer(back, 8080), 'dropped'),
    flow(ghost, peer(back, 8080), 'dropped'),
    flow(peer(front, 41003), undefined, 'refused', { service: { namespace: NS, name: 'backend-clusterip' } }),
  ];

  test('changed flows grouped by source, endpoint and port, the newest kept', () => {
    const w = whatIf(engine, LAB_SELECTIVE, records, { namespaces: [NS], ports: [{ protocol: 'TCP', port: 8080 }] });
    assert.equal(w.flows.judged, 3);
    assert.equal(w.flows.unjudged, 2, 'the gone pod and the refused flow');
    assert.equal(w.flows.changes.length, 1);
    const c = w.flows.changes[0]!;
    assert.equal(c.count, 2);
    assert.equal(c.flow.id, records[2]!.id);
    assert.deepEqual([c.before, c.after], ['dropped', 'allowed']);
    assert.deepEqual(c.policies, [`${NS}/allow-dns-egress`, `${NS}/allow-frontend-to-backend`]);
    assert.equal(w.summary.flowsChanged, 1);
  });

  test('judgeFlow: before is what the current policies say, not what was recorded', () => {
    const open = PolicyEngine.fromModel(labModel([]));
    const j = judgeFlow(open, records[1]!);
    assert.deepEqual(j, { verdict: 'allowed', policies: [] });
    assert.equal(judgeFlow(open, records[3]!), undefined);
    const w = whatIf(open, [LAB_DENY_ALL], records.slice(0, 3));
    assert.equal(w.flows.changes.length, 2, 'front->back and test-pod->back: allowed now, dropped after');
    for (const c of w.flows.changes) assert.deepEqual([c.before, c.after], ['allowed', 'dropped']);
  });

  test('a candidate of the same name is an update', () => {
    const w = whatIf(engine, [{ ...LAB_DENY_ALL, spec: { podSelector: {}, policyTypes: ['Ingress'] } }], []);
    assert.deepEqual(w.candidates, [{ namespace: NS, name: 'deny-all', action: 'update' }]);
    assert.ok(w.summary.newAllowances > 0);
    assert.equal(w.summary.addedDenials, 0);
  });

  test('a deletion is judged against the matrix of an engine without the policy', () => {
    const live = PolicyEngine.fromModel(labModel([LAB_DENY_ALL, ...LAB_SELECTIVE]));
    const ports = [{ protocol: 'TCP' as const, port: 8080 }];
    const w = whatIf(live, [], [], { namespaces: [NS], ports }, [{ namespace: NS, name: 'allow-frontend-to-backend' }]);
    assert.deepEqual(w.candidates, [{ namespace: NS, name: 'allow-frontend-to-backend', action: 'delete' }]);
    assert.equal(w.summary.newAllowances, 0);
    assert.equal(w.summary.addedDenials, 6, 'frontend -> backend on 8080 is denied again');
    const without = PolicyEngine.fromModel(labModel([LAB_DENY_ALL, ...LAB_SELECTIVE.filter((p) => p.metadata?.name !== 'allow-frontend-to-backend')]));
    const want = computeMatrix(without, { ports: [8080], protocols: ['TCP'], namespaces: [NS] }).tables[0]!.table.values;
    assert.deepEqual(whatIf(live, [], [], { namespaces: [NS], ports }, [{ namespace: NS, name: 'allow-frontend-to-backend' }]).matrix.tables?.[0]?.after, want);
    assert.ok(live.getPolicy({ namespace: NS, name: 'allow-frontend-to-backend' }), 'the live engine keeps it');
    // Default tables come from the removed policy's ports and the pods it selected.
    const d = whatIf(live, [], [], { namespaces: [NS] }, [{ namespace: NS, name: 'allow-frontend-to-backend' }]);
    assert.ok(d.matrix.ports.some((p) => p.protocol === 'TCP' && p.port === 8080), JSON.stringify(d.matrix.ports));
    // A policy that does not exist changes nothing and is not listed.
    const none = whatIf(live, [], [], { namespaces: [NS], ports }, [{ namespace: NS, name: 'no-such-policy' }]);
    assert.deepEqual(none.candidates, []);
    assert.equal(none.matrix.changes.length, 0);
  });

  test('a deletion re-judges recent flows', () => {
    const live = PolicyEngine.fromModel(labModel([LAB_DENY_ALL, ...LAB_SELECTIVE]));
    const w = whatIf(live, [], records.slice(0, 3), { namespaces: [NS], ports: [{ protocol: 'TCP', port: 8080 }] }, [{ namespace: NS, name: 'allow-frontend-to-backend' }]);
    assert.equal(w.flows.changes.length, 1, 'frontend -> backend: allowed now, dropped after; test-pod was dropped either way');
    assert.deepEqual([w.flows.changes[0]!.before, w.flows.changes[0]!.after], ['allowed', 'dropped']);
  });
});
