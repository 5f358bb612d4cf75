/** @module api/field-errors.test
 * Tests for api/field-errors: Go-exact formatting, paths, aggregate Status message and causes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FieldPath,
  type FieldError,
  OMIT_VALUE,
  aggregateMessage,
  duplicate,
  errorBody,
  forbidden,
  formatFieldError,
  goQuote,
  goValue,
  internalError,
  invalid,
  invalidStatus,
  invalidStatusMessage,
  notFound,
  notSupported,
  qualifiedKind,
  required,
  statusCauses,
  tooLong,
  tooMany,
} from './field-errors.js';

const P = FieldPath.of('spec', 'ports').index(0).child('nodePort');

const FORMAT_ROWS: ReadonlyArray<readonly [string, FieldError, string]> = [
  ['required, no detail', required(FieldPath.of('spec', 'selector')), 'spec.selector: Required value'],
  ['required with detail', required('metadata.name', 'name or generateName is required'), 'metadata.name: Required value: name or generateName is required'],
  ['invalid number prints bare', invalid(P, 99999, 'bad'), 'spec.ports[0].nodePort: Invalid value: 99999: bad'],
  ['invalid string is quoted', invalid('metadata.name', 'X_y', 'bad'), 'metadata.name: Invalid value: "X_y": bad'],
  ['invalid empty string', invalid('spec.rules[0].http.paths[0].backend', '', 'cannot set both port name & port number'), 'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number'],
  ['invalid null', invalid('spec.x', null, 'd'), 'spec.x: Invalid value: null: d'],
  ['invalid bool', invalid('spec.x', false, 'd'), 'spec.x: Invalid value: false: d'],
  ['invalid Go value verbatim', invalid('spec.template.metadata.labels', goValue('map[string]string{"app":"x"}'), '`selector` does not match template `labels`'), 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`'],
  ['not supported lists quoted values', notSupported('spec.type', 'Foo', ['ClusterIP', 'ExternalName']), 'spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName"'],
  ['not supported without values', notSupported('spec.type', 'Foo', []), 'spec.type: Unsupported value: "Foo"'],
  ['duplicate', duplicate('spec.containers[1].name', 'web'), 'spec.containers[1].name: Duplicate value: "web"'],
  ['forbidden hides the value', forbidden('spec.ports[0].nodePort', "may not be used when `type` is 'ClusterIP'"), "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
  ['too long hides the value', tooLong('metadata.annotations', 262144), 'metadata.annotations: Too long: may not be more than 262144 bytes'],
  ['too long without max', tooLong('x', -1), 'x: Too long: value is too long'],
  ['too many', tooMany('endpoints', 1001, 1000), 'endpoints: Too many: 1001: must have at most 1000 items'],
  ['too many, omitted count', tooMany('endpoints', -1, 1000), 'endpoints: Too many: must have at most 1000 items'],
  ['not found', notFound('spec.containers[0].volumeMounts[0].name', 'data'), 'spec.containers[0].volumeMounts[0].name: Not found: "data"'],
  ['internal error', internalError('spec', 'boom'), 'spec: Internal error: boom'],
  ['omitted value', { type: 'FieldValueInvalid', field: 'x', badValue: OMIT_VALUE, detail: 'd' }, 'x: Invalid value: d'],
  ['float value', invalid('x', 1.5, 'd'), 'x: Invalid value: 1.5: d'],
];

for (const [name, err, want] of FORMAT_ROWS) test(`formatFieldError: ${name}`, () => assert.equal(formatFieldError(err), want));

const QUOTE_ROWS: ReadonlyArray<readonly [string, string]> = [
  ['plain', '"plain"'],
  ['a"b\\c', '"a\\"b\\\\c"'],
  ['tab\tnl\n', '"tab\\tnl\\n"'],
  ['\x00\x7f', '"\\x00\\x7f"'],
  ['héllo', '"héllo"'],
  ['\u200b', '"\\u200b"'],
  ['', '""'],
];
for (const [input, want] of QUOTE_ROWS) test(`goQuote ${JSON.stringify(input)}`, () => assert.equal(goQuote(input), want));

test('FieldPath renders children, indexes and keys like Go', () => {
  assert.equal(FieldPath.of('spec').child('ports').index(0).child('nodePort').toString(), 'spec.ports[0].nodePort');
  assert.equal(FieldPath.of('data').key('bad key').toString(), 'data[bad key]');
  assert.equal(FieldPath.of('metadata', 'annotations').key('a/b').toString(), 'metadata.annotations[a/b]');
  assert.equal(FieldPath.of('').toString(), '[]');
  assert.equal(FieldPath.of('spec').child('template', 'metadata', 'labels').toString(), 'spec.template.metadata.labels');
});

test('qualifiedKind accepts the resource-table key or a bare kind', () => {
  assert.equal(qualifiedKind('/Service'), 'Service');
  assert.equal(qualifiedKind('apps/Deployment'), 'Deployment.apps');
  assert.equal(qualifiedKind('networking.k8s.io/Ingress'), 'Ingress.networking.k8s.io');
  assert.equal(qualifiedKind('Service'), 'Service');
});

test('Status message for a Service with nodePort 99999 (one error)', () => {
  const errs = [invalid(P, 99999, 'provided port is not in the valid range. The range of valid ports is 30000-32767')];
  assert.equal(
    invalidStatusMessage('/Service', 'x', errs),
    'Service "x" is invalid: spec.ports[0].nodePort: Invalid value: 99999: provided port is not in the valid range. The range of valid ports is 30000-32767',
  );
});

test('Status message with several errors is bracketed and de-duplicated', () => {
  const a = required('spec.selector');
  const b = invalid('spec.template.metadata.labels', goValue('map[string]string{"app":"x"}'), '`selector` does not match template `labels`');
  assert.equal(
    invalidStatusMessage('apps/Deployment', 'web', [a, b, a]),
    'Deployment.apps "web" is invalid: [spec.selector: Required value, spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`]',
  );
  assert.equal(aggregateMessage([a, a]), 'spec.selector: Required value');
  assert.equal(aggregateMessage([]), '');
  assert.equal(invalidStatusMessage('/Service', 'x', []), 'Service "x" is invalid');
});

test('statusCauses carry reason, body and field; no de-duplication', () => {
  const a = invalid(P, 99999, 'd');
  assert.deepEqual(statusCauses([a, a]), [
    { reason: 'FieldValueInvalid', message: 'Invalid value: 99999: d', field: 'spec.ports[0].nodePort' },
    { reason: 'FieldValueInvalid', message: 'Invalid value: 99999: d', field: 'spec.ports[0].nodePort' },
  ]);
  assert.equal(errorBody(required('x')), 'Required value');
});

test('invalidStatus builds the whole 422 Status', () => {
  const s = invalidStatus('apps/Deployment', 'web', [required('spec.selector')]);
  assert.deepEqual(s, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Deployment.apps "web" is invalid: spec.selector: Required value',
    reason: 'Invalid',
    details: { name: 'web', group: 'apps', kind: 'Deployment', causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.selector' }] },
    code: 422,
  });
  assert.equal('group' in invalidStatus('/Service', 's', []).details, false);
});
