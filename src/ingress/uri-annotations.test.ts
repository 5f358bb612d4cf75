/**
 * @module ingress/uri-annotations.test
 * Unit tables for nginx's request-target reading (uri.ts), the annotation parser
 * (annotations.ts) and the PCRE helpers (pcre.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeUri, normalizeHost, parseTarget } from './uri.js';
import { parseAnnotations, parseGoBool, parseNginxSize, unsupportedAnnotations } from './annotations.js';
import { compileNginxRegex, substitute } from './pcre.js';
import { PrefixTrie } from './prefix-trie.js';

const TARGETS: ReadonlyArray<readonly [string, string | null, string?]> = [
  ['/', '/'],
  ['/a/b', '/a/b'],
  ['/a//b///c', '/a/b/c'],
  ['/a/./b', '/a/b'],
  ['/a/b/..', '/a/'],
  ['/a/b/../c', '/a/c'],
  ['/a/.', '/a/'],
  ['/a%2Fb', '/a/b'],
  ['/a%2e%2e/b', '/a../b'],
  ['/x/%2e%2e/y', '/y'],
  ['/%41%62', '/Ab'],
  ['/p?q=1', '/p', 'q=1'],
  ['/..', null],
  ['/a/../..', null],
  ['/%zz', null],
  ['/%4', null],
  ['/a%00', null],
  ['noslash', null],
];

test('parseTarget: decode, merge slashes, resolve dots; invalid targets', () => {
  for (const [raw, uri, args] of TARGETS) {
    const t = parseTarget(raw);
    if (uri === null) assert.equal(t.ok, false, raw);
    else {
      assert.ok(t.ok, raw);
      if (!t.ok) continue;
      assert.equal(t.uri, uri, raw);
      if (args !== undefined) assert.equal(t.args, args);
      assert.equal(t.requestUri, raw);
    }
  }
  const abs = parseTarget('http://Example.com:8080/x?y');
  assert.ok(abs.ok && abs.absoluteHost === 'Example.com:8080' && abs.uri === '/x' && abs.requestUri === '/x?y');
});

test('escapeUri is NGX_ESCAPE_URI', () => {
  assert.equal(escapeUri('/a b/%/#/?/~/é'), '/a%20b/%25/%23/%3F/~/%E9');
});

test('normalizeHost', () => {
  assert.equal(normalizeHost('Foo.Example.COM:8080'), 'foo.example.com');
  assert.equal(normalizeHost('foo.com.'), 'foo.com');
  assert.equal(normalizeHost('[::1]:80'), '[::1]');
  assert.equal(normalizeHost(''), '');
  for (const bad of ['a/b', '.a', 'a..b', 'a:b', 'a\\b']) assert.equal(normalizeHost(bad), undefined, bad);
});

test('annotation parsing: defaults, Go booleans, sizes, unsupported names', () => {
  const d = parseAnnotations(undefined).config;
  assert.equal(d.sslRedirect, true);
  assert.equal(d.forceSslRedirect, false);
  assert.equal(d.proxyBodySize, 1024 * 1024);
  assert.equal(d.proxyConnectTimeoutMs, 5000);
  assert.equal(parseGoBool('True'), true);
  assert.equal(parseGoBool('0'), false);
  assert.equal(parseGoBool('yes'), undefined);
  assert.equal(parseNginxSize('8m'), 8 * 1024 * 1024);
  assert.equal(parseNginxSize('0'), 0);
  assert.equal(parseNginxSize('1x'), undefined);
  const p = parseAnnotations({
    'nginx.ingress.kubernetes.io/ssl-redirect': 'nope',
    'nginx.ingress.kubernetes.io/app-root': 'http://abs',
    'nginx.ingress.kubernetes.io/permanent-redirect-code': '399',
    'nginx.ingress.kubernetes.io/permanent-redirect': 'https://x',
    'nginx.ingress.kubernetes.io/canary-weight': '25',
    'nginx.ingress.kubernetes.io/proxy-read-timeout': '120',
  });
  assert.equal(p.config.sslRedirect, true);
  assert.equal(p.config.appRoot, '');
  assert.deepEqual(p.config.redirect, { url: 'https://x', code: 301 });
  assert.equal(p.config.canary.weight, 25);
  assert.equal(p.config.proxyReadTimeoutMs, 120_000);
  assert.deepEqual(p.problems.map((x) => x.annotation).sort(), ['nginx.ingress.kubernetes.io/app-root', 'nginx.ingress.kubernetes.io/ssl-redirect']);
  assert.deepEqual(unsupportedAnnotations({ 'nginx.ingress.kubernetes.io/auth-url': 'x', 'nginx.ingress.kubernetes.io/use-regex': 'true', 'foo/bar': 'x' }), ['nginx.ingress.kubernetes.io/auth-url']);
});

test('PCRE helpers: inline flags, named groups, replacement variables', () => {
  const r = compileNginxRegex('(?i)/API/(?P<rest>.*)', { anchored: false, caseInsensitive: false });
  assert.ok(r.ok);
  if (!r.ok) return;
  const m = r.re.exec('/api/users/1')!;
  assert.equal(substitute('/v2/$rest?h=$host&s=${scheme}', m, { host: 'h.local', http_host: 'h.local:80', scheme: 'http', uri: '', args: '', request_uri: '', server_port: '80' }), '/v2/users/1?h=h.local&s=http');
  assert.equal(compileNginxRegex('/a(', { anchored: true, caseInsensitive: true }).ok, false);
});

test('prefix trie: longest inserted prefix, first insert wins', () => {
  const t = new PrefixTrie<string>();
  assert.equal(t.insert('/', 'root'), true);
  assert.equal(t.insert('/a/', 'a'), true);
  assert.equal(t.insert('/a/b', 'ab'), true);
  assert.equal(t.insert('/a/', 'dup'), false);
  assert.equal(t.longestPrefix('/a/bc'), 'ab');
  assert.equal(t.longestPrefix('/a/x'), 'a');
  assert.equal(t.longestPrefix('/a'), 'root');
  assert.equal(t.longestPrefix('x'), undefined);
  assert.equal(t.size, 3);
});
