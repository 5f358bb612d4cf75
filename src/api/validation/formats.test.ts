/** @module api/validation/formats.test
 * Table-driven tests for api/validation/formats: one row per case, exact kube-apiserver messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isDomainPrefixedPath,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isWildcardDNS1123Subdomain,
  nameIsDNSSubdomain,
  nameIsPathSegment,
} from './formats.js';
import { LABEL_MSG, LABEL_VALUE_MSG, QNAME_NAME_MSG, SUBDOMAIN_MSG, WILDCARD_MSG } from './test-table.js';

type Check = (v: string) => string[];
const ROWS: ReadonlyArray<readonly [string, Check, string, string[]]> = [
  ['label ok', isDNS1123Label, 'my-name', []],
  ['label digits first ok', isDNS1123Label, '123-abc', []],
  ['label uppercase', isDNS1123Label, 'My', [LABEL_MSG]],
  ['label with dot', isDNS1123Label, 'a.b', ['must not contain dots']],
  ['label trailing dash', isDNS1123Label, 'a-', [LABEL_MSG]],
  ['label empty', isDNS1123Label, '', [LABEL_MSG]],
  ['label 64 chars', isDNS1123Label, 'a'.repeat(64), ['must be no more than 63 characters']],
  ['subdomain ok', isDNS1123Subdomain, 'a.b-c.d', []],
  ['subdomain underscore', isDNS1123Subdomain, 'a_b', [SUBDOMAIN_MSG]],
  ['subdomain 254 chars', isDNS1123Subdomain, 'a'.repeat(254), ['must be no more than 253 characters']],
  ['1035 digit first', isDNS1035Label, '1a', ["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]],
  ['wildcard ok', isWildcardDNS1123Subdomain, '*.a.com', []],
  ['wildcard nested', isWildcardDNS1123Subdomain, '*.*.a.com', [WILDCARD_MSG]],
  ['qualified ok', isQualifiedName, 'example.com/My_Name.1', []],
  ['qualified empty', isQualifiedName, '', ['name part must be non-empty', QNAME_NAME_MSG]],
  ['qualified empty prefix', isQualifiedName, '/a', ['prefix part must be non-empty']],
  ['qualified bad prefix', isQualifiedName, 'A_/a', [`prefix part ${SUBDOMAIN_MSG}`]],
  ['qualified long name', isQualifiedName, 'x'.repeat(64), ['name part must be no more than 63 characters']],
  ['label value empty ok', isValidLabelValue, '', []],
  ['label value space', isValidLabelValue, 'a b', [LABEL_VALUE_MSG]],
  ['port name ok', isValidPortName, 'http-alt', []],
  ['port name digits', isValidPortName, '8080', ['must contain at least one letter (a-z)']],
  ['port name upper', isValidPortName, 'HTTP', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
  ['configmap key dot', isConfigMapKey, '.', ["must not be '.'"]],
  ['configmap key ok', isConfigMapKey, '.env', []],
];

for (const [name, fn, input, want] of ROWS) test(`format: ${name}`, () => assert.deepEqual(fn(input), want));

test('generateName prefixes mask the trailing dash (with upstream quirk)', () => {
  assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
  assert.deepEqual(nameIsDNSSubdomain('w-', true), []);
  assert.deepEqual(nameIsDNSSubdomain('Web-', true), [SUBDOMAIN_MSG]);
});

test('path-segment names', () => {
  assert.deepEqual(nameIsPathSegment('..', false), ["may not be '..'"]);
  assert.deepEqual(nameIsPathSegment('a/b%c', false), ["may not contain '/'", "may not contain '%'"]);
  assert.deepEqual(nameIsPathSegment('..', true), []);
});

test('domain-prefixed paths report the failing part', () => {
  assert.deepEqual(isDomainPrefixedPath('acme.io/foo/bar'), []);
  assert.deepEqual(isDomainPrefixedPath('acme.io/'), [{ value: 'acme.io/', message: 'must be a domain-prefixed path (such as "acme.io/foo")' }]);
});
