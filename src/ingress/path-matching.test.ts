/**
 * @module ingress/path-matching.test
 * Table-driven path matching: every row of the Kubernetes Ingress documentation's
 * "Examples" table (concepts/services-networking/ingress, "Path types" →
 * "Examples"), then ImplementationSpecific as ingress-nginx treats it (nginx's
 * plain string prefix) and the precedence rules. Each row: the Ingress paths
 * (type, path, backend), the request path, and the backend or 404.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRouteTable } from './route-table.js';
import { decide } from './decide.js';
import { ingress, nginxClass, service } from './test-support.js';
import { SPEC_PATH_EXAMPLES, type PathExample } from './spec-path-examples.js';

type Row = PathExample;
const SPEC_ROWS = SPEC_PATH_EXAMPLES;

const MORE_ROWS: ReadonlyArray<Row> = [
  // precedence: the longest match wins, Exact before Prefix at equal length
  { paths: [['Prefix', '/aaa', 'aaa'], ['Exact', '/aaa/bbb', 'exact']], request: '/aaa/bbb', expect: 'exact' },
  { paths: [['Prefix', '/aaa', 'aaa'], ['Exact', '/aaa/bbb', 'exact']], request: '/aaa/bbb/c', expect: 'aaa' },
  { paths: [['Prefix', '/aaa/bbb', 'long'], ['Prefix', '/aaa', 'short']], request: '/aaa/bbb/x', expect: 'long' },
  { paths: [['Prefix', '/foo', 'prefix'], ['Exact', '/foo', 'exact']], request: '/foo/', expect: 'prefix' },
  // ImplementationSpecific: nginx's string prefix
  { paths: [['ImplementationSpecific', '/foo', 'impl']], request: '/foobar', expect: 'impl' },
  { paths: [['ImplementationSpecific', '/foo', 'impl']], request: '/foo/x', expect: 'impl' },
  { paths: [['ImplementationSpecific', '/foo', 'impl']], request: '/fo', expect: 404 },
  { paths: [['ImplementationSpecific', '/', 'impl']], request: '/x', expect: 'impl' },
  { paths: [['ImplementationSpecific', '/foo', 'impl'], ['Prefix', '/foo/bar', 'prefix']], request: '/foo/bar/baz', expect: 'prefix' },
  { paths: [['ImplementationSpecific', '/foo/b', 'impl'], ['Prefix', '/foo', 'prefix']], request: '/foo/bar', expect: 'impl' },
  // nginx reading of the request path
  { paths: [['Prefix', '/foo', 'foo']], request: '/foo//x', expect: 'foo', note: 'slashes merged' },
  { paths: [['Prefix', '/foo', 'foo']], request: '/bar/../foo/x', expect: 'foo', note: 'dot segments resolved' },
  { paths: [['Prefix', '/foo/bar', 'bar']], request: '/foo%2Fbar', expect: 'bar', note: 'encoded slash is a slash' },
  { paths: [['Exact', '/a b', 'space']], request: '/a%20b', expect: 'space' },
  { paths: [['Prefix', '/Foo', 'foo']], request: '/foo', expect: 404, note: 'case-sensitive without regex' },
  { paths: [['Prefix', '/foo', 'foo']], request: '/foo?x=/bar', expect: 'foo' },
];

function route(row: Row): string | number {
  const ing = ingress({
    name: 'paths',
    rules: [{ host: 'example.com', paths: row.paths.map(([pathType, path, backend]) => ({ path, pathType, service: backend })) }],
  });
  const services = [...new Set(row.paths.map((p) => p[2]))].map((n) => service(n));
  const table = compileRouteTable({ ingresses: [ing], ingressClasses: [nginxClass()], services, secrets: [] });
  const d = decide(table, { host: 'example.com', url: row.request, headers: {}, scheme: 'http' });
  if (d.kind === 'proxy') return d.service.name;
  if (d.kind === 'default-backend') return 404;
  return `unexpected ${d.kind}`;
}

for (const [name, rows] of [['spec examples', SPEC_ROWS], ['ingress-nginx semantics', MORE_ROWS]] as const) {
  for (const row of rows) {
    const desc = row.paths.map(([t, p, b]) => `${t} ${p}->${b}`).join(', ');
    test(`${name}: [${desc}] ${row.request} => ${row.expect}${row.note ? ` (${row.note})` : ''}`, () => {
      assert.equal(route(row), row.expect);
    });
  }
}

test('spec table has every documented row', () => {
  assert.equal(SPEC_ROWS.length, 22);
});
