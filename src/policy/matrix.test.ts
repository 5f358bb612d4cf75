/**
 * @module policy/matrix.test
 * Matrix computation and its text/JSON/CSV renderers; truth tables and the Reachability builder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyEngine } from './engine.js';
import { renderMatrixCSV, renderMatrixJSON, renderMatrixText } from './matrix.js';
import { parseTruthTable, printTruthTable, truthTableToCSV, diffTruthTables } from './truth-table.js';
import { Reachability } from './reachability.js';
import { upstreamModel, upstreamPodStrings } from './upstream-model.js';

function engineWithDenyIngressX(): PolicyEngine {
  const e = PolicyEngine.fromModel(upstreamModel());
  e.upsertPolicy({ metadata: { namespace: 'x', name: 'deny-ingress' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
  e.upsertPolicy({ metadata: { namespace: 'y', name: 'allow-81' }, spec: { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ ports: [{ port: 81 }] }] } });
  return e;
}

test('matrix text is the upstream probe table, one per protocol/port', () => {
  const m = engineWithDenyIngressX().matrix({ namespaces: ['x', 'y'], ports: [80, 81], protocols: ['TCP'] });
  assert.deepEqual(m.pods, ['x/a', 'x/b', 'x/c', 'y/a', 'y/b', 'y/c']);
  assert.equal(
    renderMatrixText(m),
    [
      'TCP/80:',
      '-\tx/a\tx/b\tx/c\ty/a\ty/b\ty/c',
      'x/a\t.\tX\tX\tX\t.\t.',
      'x/b\tX\t.\tX\tX\t.\t.',
      'x/c\tX\tX\t.\tX\t.\t.',
      'y/a\tX\tX\tX\t.\t.\t.',
      'y/b\tX\tX\tX\tX\t.\t.',
      'y/c\tX\tX\tX\tX\t.\t.',
      '',
      'TCP/81:',
      '-\tx/a\tx/b\tx/c\ty/a\ty/b\ty/c',
      'x/a\t.\tX\tX\t.\t.\t.',
      'x/b\tX\t.\tX\t.\t.\t.',
      'x/c\tX\tX\t.\t.\t.\t.',
      'y/a\tX\tX\tX\t.\t.\t.',
      'y/b\tX\tX\tX\t.\t.\t.',
      'y/c\tX\tX\tX\t.\t.\t.',
      '',
    ].join('\n'),
  );
});

test('matrix JSON and CSV', () => {
  const e = engineWithDenyIngressX();
  const m = e.matrix({ namespaces: ['x'], ports: [80], protocols: ['TCP', 'UDP'] });
  assert.deepEqual(JSON.parse(renderMatrixJSON(m)), {
    revision: e.revision,
    pods: ['x/a', 'x/b', 'x/c'],
    tables: [
      { protocol: 'TCP', port: 80, allowed: [[true, false, false], [false, true, false], [false, false, true]] },
      { protocol: 'UDP', port: 80, allowed: [[true, false, false], [false, true, false], [false, false, true]] },
    ],
  });
  assert.equal(
    renderMatrixCSV(m),
    [
      'protocol,port,from,x/a,x/b,x/c',
      'TCP,80,x/a,allow,deny,deny',
      'TCP,80,x/b,deny,allow,deny',
      'TCP,80,x/c,deny,deny,allow',
      'UDP,80,x/a,allow,deny,deny',
      'UDP,80,x/b,deny,allow,deny',
      'UDP,80,x/c,deny,deny,allow',
      '',
    ].join('\n'),
  );
});

test('matrix leaves host-network pods out and defaults to TCP over all namespaces', () => {
  const model = upstreamModel();
  const e = PolicyEngine.fromModel({ ...model, pods: [...model.pods, { namespace: 'x', name: 'node-agent', labels: {}, ip: '172.18.0.2', hostNetwork: true, ports: [] }] });
  const m = e.matrix({ ports: [80] });
  assert.deepEqual(m.pods, upstreamPodStrings());
  assert.equal(m.tables.length, 1);
  assert.equal(m.tables[0]?.protocol, 'TCP');
  assert.ok(m.tables[0]?.table.values.every((row) => row.every((v) => v === true)));
});

test('truth tables: print/parse round trip, CSV, diff, reachability builder', () => {
  const r = new Reachability(['x/a', 'x/b', 'y/a'], true)
    .expectPeer({}, { namespace: 'x' }, false)
    .expectAllEgress('y/a', false)
    .expect('x/b', 'x/a', true)
    .allowLoopback();
  const t = r.table();
  const printed = printTruthTable(t);
  assert.equal(printed, ['-\tx/a\tx/b\ty/a', 'x/a\t.\tX\t.', 'x/b\t.\t.\t.', 'y/a\tX\tX\t.'].join('\n'));
  assert.deepEqual(parseTruthTable(printed), t);
  assert.equal(truthTableToCSV(t), 'from\\to,x/a,x/b,y/a\nx/a,allow,deny,allow\nx/b,allow,allow,allow\ny/a,deny,deny,allow\n');
  const other = new Reachability(['x/a', 'x/b', 'y/a'], true).table();
  assert.deepEqual(
    diffTruthTables(t, other).map((d) => `${d.from}->${d.to}`),
    ['x/a->x/b', 'y/a->x/a', 'y/a->x/b'],
  );
  assert.throws(() => diffTruthTables(t, new Reachability(['x/a'], true).table()), /different pods/);
  assert.throws(() => new Reachability(['x/a'], true).expect('x/a', 'q/q', true), /unknown pod q\/q/);
});
