/**
 * @module ingress/spec-path-examples
 * The Ingress specification's path-matching examples (Kubernetes docs,
 * concepts/services-networking/ingress, "Path types" -> "Examples") as data: each
 * row gives the Ingress paths (type, path, backend), a request path and the backend
 * that must answer, or 404. Shared by the route-table unit test and the end-to-end
 * test through the real proxy.
 */

export interface PathExample {
  readonly paths: ReadonlyArray<readonly [type: string, path: string, backend: string]>;
  readonly request: string;
  readonly expect: string | 404;
  readonly note?: string;
}

export const SPEC_PATH_EXAMPLES: ReadonlyArray<PathExample> = [
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
