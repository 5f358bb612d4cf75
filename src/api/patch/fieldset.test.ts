/**
 * @module api/patch/fieldset.test
 * Field sets: FieldsV1 round trips, set algebra, ordering and path printing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, formatPath, keyPE, valuePE, comparePathElements } from './fieldset.js';

const sample = {
  'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
  'f:spec': {
    'f:replicas': {},
    'f:template': {
      'f:spec': {
        'f:containers': {
          'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} },
        },
      },
    },
  },
};

test('FieldsV1 round trip keeps members and "." markers', () => {
  const s = FieldSet.fromFieldsV1(sample);
  assert.deepEqual(s.toFieldsV1(), sample);
  assert.ok(s.has(['f:metadata', 'f:labels']));
  assert.ok(!s.has(['f:metadata']));
  assert.ok(s.has(['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"web"}']));
  assert.ok(!s.has(['f:spec', 'f:template']));
});

test('FieldsV1 is written in structured-merge-diff order: "." first, fields, keys, values', () => {
  const s = FieldSet.of([['f:b'], ['f:a', 'k:{"port":443}'], ['f:a', 'k:{"port":80}'], ['f:a'], ['f:a', 'f:z'], ['f:a', 'v:"x"']]);
  assert.equal(
    JSON.stringify(s.toFieldsV1()),
    '{"f:a":{".":{},"f:z":{},"k:{\\"port\\":80}":{},"k:{\\"port\\":443}":{},"v:\\"x\\"":{}},"f:b":{}}',
  );
});

test('set algebra', () => {
  const a = FieldSet.of([['f:x'], ['f:y', 'f:z'], ['f:y', 'f:w']]);
  const b = FieldSet.of([['f:y', 'f:z'], ['f:q']]);
  assert.deepEqual(a.intersection(b).paths(), [['f:y', 'f:z']]);
  assert.deepEqual(a.difference(b).paths(), [['f:x'], ['f:y', 'f:w']]);
  assert.deepEqual(a.union(b).paths(), [['f:q'], ['f:x'], ['f:y', 'f:w'], ['f:y', 'f:z']]);
  assert.ok(a.hasAtOrBelow(['f:y']));
  assert.ok(!a.hasAtOrBelow(['f:q']));
  assert.deepEqual(a.withoutPrefix(['f:y']).paths(), [['f:x']]);
  assert.ok(a.difference(a).isEmpty());
});

test('paths iterate members before children, each level sorted', () => {
  const s = FieldSet.of([['f:spec', 'f:template', 'f:x'], ['f:spec', 'f:replicas'], ['f:metadata', 'f:labels', 'f:app']]);
  assert.deepEqual(
    s.paths().map(formatPath),
    ['.metadata.labels.app', '.spec.replicas', '.spec.template.x'],
  );
});

test('formatPath prints paths as kube-apiserver conflict messages do', () => {
  assert.equal(formatPath(['f:spec', 'f:replicas']), '.spec.replicas');
  assert.equal(
    formatPath(['f:spec', 'f:template', 'f:spec', 'f:containers', keyPE({ name: 'web' }), 'f:image']),
    '.spec.template.spec.containers[name="web"].image',
  );
  assert.equal(formatPath(['f:spec', 'f:ports', keyPE({ protocol: 'TCP', port: 80 }), 'f:targetPort']), '.spec.ports[port=80,protocol="TCP"].targetPort');
  assert.equal(formatPath(['f:metadata', 'f:finalizers', valuePE('example.com/x')]), '.metadata.finalizers[="example.com/x"]');
});

test('keys are written with sorted field names; numeric keys compare as numbers', () => {
  assert.equal(keyPE({ protocol: 'TCP', containerPort: 80 }), 'k:{"containerPort":80,"protocol":"TCP"}');
  assert.ok(comparePathElements(keyPE({ port: 80 }), keyPE({ port: 443 })) < 0);
  assert.ok(comparePathElements('f:z', keyPE({ a: 1 })) < 0);
});
