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

type Row = {
  readonly paths: ReadonlyArray<readonly [type: string, path: string, backend: string]>;
  readonly request: string;
  readonly expect: string | 404;
  readonly note?: string;
};

const SPEC_ROWS: ReadonlyArray<Row> = [
  { paths: [['Prefix', '/', 'root']], request: '/', expect: 'root', note: 'Prefix / matches all paths' },
  { paths: [['Prefix', '/', 'root']], request: '/anything/at/all', expect: 'root', note: 'Prefix / matches all paths' },
  { paths: [['Exact', '/foo', 'foo']], request: '/foo', expect: 'foo' },
  { paths: [['Exact', '/foo', 'foo']], request: '/bar', expect: 404 },
  { paths: [['Exact', '/foo', 'foo']], request: '/foo/', expect: 404 },
  { paths: [['Exact', '/foo/', 'foo']], request: '/foo', expect: 404 },
  { paths: [['Prefix', '/foo', 'foo']], request: '/foo', expect: 'foo' },
  { paths: [['Prefix', '/foo', 'foo']], request: '/foo/', expect: 'foo' },
  { paths: [['Prefix', '/foo/', 'foo']], request: '/foo', expect: 'foo' },
  { paths: [['Prefix', '/foo/', 'foo']], request: '/foo/', expect: 'foo' },
  { paths: [['Prefix', '/aaa/bb', 'bb']], request: '/aaa/bbb', expect: 404 },
  { paths: [['Prefix', '/aaa/bbb', 'bbb']], request: '/aaa/bbb', expect: 'bbb' },
  { paths: [['Prefix', '/aaa/bbb/', 'bbb']], request: '/aaa/bbb', expect: 'bbb', note: 'ignores trailing slash' },
  { paths: [['Prefix', '/aaa/bbb', 'bbb']], request: '/aaa/bbb/', expect: 'bbb', note: 'matches trailing slash' },
  { paths: [['Prefix', '/aaa/bbb', 'bbb']], request: '/aaa/bbb/ccc', expect: 'bbb', note: 'matches subpath' },
  { paths: [['Prefix', '/aaa/bbb', 'bbb']], request: '/aaa/bbbxyz', expect: 404, note: 'does not match string prefix' },
  { paths: [['Prefix', '/', 'root'], ['Prefix', '/aaa', 'aaa']], request: '/aaa/ccc', expect: 'aaa', note: 'matches /aaa prefix' },
  { paths: [['Prefix', '/', 'root'], ['Prefix', '/aaa', 'aaa'], ['Prefix', '/aaa/bbb', 'bbb']], request: '/aaa/bbb', expect: 'bbb', note: 'matches /aaa/bbb prefix' },
  { paths: [['Prefix', '/', 'root'], ['Prefix', '/aaa', 'aaa'], ['Prefix', '/aaa/bbb', 'bbb']], request: '/ccc', expect: 'root', note: 'matches / prefix' },
  { paths: [['Prefix', '/aaa', 'aaa']], request: '/ccc', expect: 404, note: 'uses default backend' },
  { paths: [['Prefix', '/foo', 'prefix'], ['Exact', '/foo', 'exact']], request: '/foo', expect: 'exact', note: 'prefers Exact' },
  { paths: [['Exact', '/foo', 'exact'], ['Prefix', '/foo', 'prefix']], request: '/foo', expect: 'exact', note: 'prefers Exact, whatever the order' },
];

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
