/**
 * @module policy/upstream-cases.test
 * The upstream e2e NetworkPolicy cases, each comparing whole truth tables, run
 * as one shared conformance suite against every implementation: the compiled
 * engine's matrix fast path, the engine's full `decide`, and the reference
 * evaluator fed a from-scratch snapshot of the engine's state after each step.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCase, snapshotModel, type ProbeOutcome } from './case-runner.js';
import { PolicyEngine } from './engine.js';
import { NaiveEvaluator } from './naive.js';
import { printTruthTable, type TruthTable } from './truth-table.js';
import { materializeCase, UPSTREAM_CASES } from './upstream-cases.js';
import { upstreamModel, upstreamPodStrings } from './upstream-model.js';
import type { Protocol } from './types.js';

const pods = upstreamPodStrings();
const ref = (s: string): { namespace: string; name: string } => {
  const [namespace = '', name = ''] = s.split('/');
  return { namespace, name };
};

function tableFrom(f: (src: string, dst: string) => boolean): TruthTable {
  return { froms: pods, tos: pods, values: pods.map((s) => pods.map((d) => f(s, d))) };
}

const implementations: Record<string, (e: PolicyEngine, port: number, protocol: Protocol) => TruthTable> = {
  'engine decide': (e, port, protocol) => tableFrom((s, d) => e.decide({ src: { kind: 'pod', ...ref(s) }, dst: { kind: 'pod', ...ref(d) }, port, protocol }).allowed),
  'reference evaluator': (e, port, protocol) => {
    const naive = new NaiveEvaluator(snapshotModel(e));
    return tableFrom((s, d) => naive.decide({ src: { kind: 'pod', ...ref(s) }, dst: { kind: 'pod', ...ref(d) }, port, protocol }).allowed);
  },
};

function report(o: ProbeOutcome): string {
  return [
    `step ${o.step} (${o.description}) ${o.protocol}/${o.port}: ${o.wrong.length} wrong cell(s): ${o.wrong.map((w) => `${w.from}->${w.to}`).join(' ')}`,
    'expected:',
    printTruthTable(o.expected),
    'actual:',
    printTruthTable(o.actual),
  ].join('\n');
}

test('the suite holds at least 40 upstream cases and every probe covers all nine pods', () => {
  const upstream = UPSTREAM_CASES.filter((c) => c.origin === 'upstream');
  assert.ok(upstream.length >= 40, `only ${upstream.length} upstream cases`);
  const names = new Set(UPSTREAM_CASES.map((c) => c.name));
  assert.equal(names.size, UPSTREAM_CASES.length, 'case names are unique');
  for (const c of UPSTREAM_CASES) {
    const m = materializeCase(c);
    assert.ok(m.steps.length > 0, c.name);
    for (const s of m.steps) {
      assert.ok(s.probes.length > 0, `${c.name}: every step probes`);
      for (const p of s.probes) {
        assert.deepEqual(p.expected.froms, pods);
        assert.equal(p.expected.values.length, 9);
      }
    }
  }
});

describe('upstream netpol cases: engine matrix', () => {
  for (const c of UPSTREAM_CASES) {
    test(`[${c.origin}] ${c.name}`, () => {
      const outcomes = runCase(PolicyEngine.fromModel(upstreamModel()), materializeCase(c));
      for (const o of outcomes) assert.equal(o.wrong.length, 0, report(o));
    });
  }
});

for (const [label, observe] of Object.entries(implementations)) {
  describe(`upstream netpol cases: ${label}`, () => {
    for (const c of UPSTREAM_CASES) {
      test(`[${c.origin}] ${c.name}`, () => {
        const outcomes = runCase(PolicyEngine.fromModel(upstreamModel()), materializeCase(c), observe);
        for (const o of outcomes) assert.equal(o.wrong.length, 0, report(o));
      });
    }
  });
}

test('cases use live pod IPs through the context (ipBlock cases follow the cluster)', () => {
  const ip = (ns: string, p: string): string => `10.250.${['x', 'y', 'z'].indexOf(ns)}.${['a', 'b', 'c'].indexOf(p) + 100}`;
  const c = UPSTREAM_CASES.find((k) => k.name === 'should enforce except clause while egress access to server in CIDR block');
  assert.ok(c);
  const m = materializeCase(c, { podIP: ip });
  const action = m.steps[0]?.actions[0];
  assert.ok(action && action.kind === 'apply-policy');
  assert.deepEqual(action.policy.spec?.egress?.[0]?.to?.[0]?.ipBlock, { cidr: '0.0.0.0/4', except: ['10.250.0.101/32'] });
  const outcomes = runCase(PolicyEngine.fromModel(upstreamModel({ ip })), m);
  for (const o of outcomes) assert.equal(o.wrong.length, 0, report(o));
});
