/**
 * @module ingress/decide.test
 * Route-table decisions: hosts and wildcards, class selection, merging, default
 * backends, the ingress-nginx annotations (rewrite-target with and without
 * use-regex, app-root, redirects, ssl-redirect/force-ssl-redirect, backend
 * protocol), canary by header / cookie / weight, missing Services and bad input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRouteTable, type CompileInput } from './route-table.js';
import { decide } from './decide.js';
import type { Decision, Ingress, RouteRequest } from './types.js';
import { ingress, nginxClass, seededRng, service } from './test-support.js';

const A = 'nginx.ingress.kubernetes.io/';

function table(ingresses: Ingress[], extra: Partial<CompileInput> = {}) {
  return compileRouteTable({
    ingresses,
    ingressClasses: extra.ingressClasses ?? [nginxClass()],
    services: extra.services ?? ['frontend-service', 'backend-clusterip', 'a', 'b', 'c', 'web', 'canary', 'stable', 'dflt'].map((n) => service(n)),
    secrets: extra.secrets ?? [],
  });
}

function req(host: string | undefined, url: string, more: Partial<RouteRequest> = {}): RouteRequest {
  return { host, url, headers: {}, scheme: 'http', ...more };
}

function proxied(d: Decision): { svc: string; path: string } {
  assert.equal(d.kind, 'proxy', `expected proxy, got ${JSON.stringify(d)}`);
  if (d.kind !== 'proxy') throw new Error('unreachable');
  return { svc: d.service.name, path: d.upstreamPath };
}

test('lab step 7: host routing, rewrite-target "/" on path "/" rewrites nothing', () => {
  const t = table([
    ingress({
      name: 'app-ingress',
      annotations: { [A + 'rewrite-target']: '/' },
      rules: [
        { host: 'frontend.local', paths: [{ path: '/', service: 'frontend-service' }] },
        { host: 'backend.local', paths: [{ path: '/', service: 'backend-clusterip' }] },
      ],
    }),
  ]);
  assert.deepEqual(proxied(decide(t, req('frontend.local', '/'))), { svc: 'frontend-service', path: '/' });
  assert.deepEqual(proxied(decide(t, req('backend.local', '/x?y=1'))), { svc: 'backend-clusterip', path: '/x?y=1' });
  assert.deepEqual(proxied(decide(t, req('FRONTEND.local:80', '/index.html'))), { svc: 'frontend-service', path: '/index.html' });
  assert.equal(decide(t, req('other.local', '/')).kind, 'default-backend');
});

test('lab step 8: rewrite-target "/" without use-regex replaces the whole URI with "/"', () => {
  const t = table([
    ingress({
      name: 'path-based-ingress',
      annotations: { [A + 'rewrite-target']: '/' },
      rules: [
        {
          host: 'app.local',
          paths: [
            { path: '/frontend', service: 'frontend-service' },
            { path: '/backend', service: 'backend-clusterip' },
          ],
        },
      ],
    }),
  ]);
  assert.deepEqual(proxied(decide(t, req('app.local', '/frontend'))), { svc: 'frontend-service', path: '/' });
  assert.deepEqual(proxied(decide(t, req('app.local', '/backend'))), { svc: 'backend-clusterip', path: '/' });
  assert.deepEqual(proxied(decide(t, req('app.local', '/frontend/css/site.css?v=2'))), { svc: 'frontend-service', path: '/?v=2' });
  // the server is in regex mode: locations are `~* "^/frontend"`, case-insensitive string prefixes
  assert.deepEqual(proxied(decide(t, req('app.local', '/FRONTEND'))), { svc: 'frontend-service', path: '/' });
  assert.deepEqual(proxied(decide(t, req('app.local', '/backendx'))), { svc: 'backend-clusterip', path: '/' });
  assert.equal(decide(t, req('app.local', '/other')).kind, 'default-backend');
});

test('rewrite-target with capture groups under use-regex', () => {
  const t = table([
    ingress({
      name: 'rw',
      annotations: { [A + 'rewrite-target']: '/$2', [A + 'use-regex']: 'true' },
      rules: [{ host: 'rewrite.bar.com', paths: [{ path: '/something(/|$)(.*)', pathType: 'ImplementationSpecific', service: 'web' }] }],
    }),
  ]);
  assert.deepEqual(proxied(decide(t, req('rewrite.bar.com', '/something'))), { svc: 'web', path: '/' });
  assert.deepEqual(proxied(decide(t, req('rewrite.bar.com', '/something/'))), { svc: 'web', path: '/' });
  assert.deepEqual(proxied(decide(t, req('rewrite.bar.com', '/something/new'))), { svc: 'web', path: '/new' });
  assert.deepEqual(proxied(decide(t, req('rewrite.bar.com', '/something/a%20b/c%2Fd?x=1'))), { svc: 'web', path: '/a%20b/c/d?x=1' });
  assert.equal(decide(t, req('rewrite.bar.com', '/else')).kind, 'default-backend');
});

test('rewrite-target with a named capture and new arguments', () => {
  const t = table([
    ingress({
      name: 'rw',
      annotations: { [A + 'rewrite-target']: '/v2/$1?from=v1', [A + 'use-regex']: 'true' },
      rules: [{ host: 'h', paths: [{ path: '/api/v1/(.*)', pathType: 'ImplementationSpecific', service: 'web' }] }],
    }),
  ]);
  assert.deepEqual(proxied(decide(t, req('h', '/api/v1/users?page=2'))), { svc: 'web', path: '/v2/users?from=v1&page=2' });
});

test('use-regex without rewrite: regex locations, original URI forwarded', () => {
  const t = table([
    ingress({
      name: 're',
      annotations: { [A + 'use-regex']: 'true' },
      rules: [{ host: 'h', paths: [{ path: '/user/[0-9]+', pathType: 'ImplementationSpecific', service: 'a' }, { path: '/', service: 'b' }] }],
    }),
  ]);
  assert.deepEqual(proxied(decide(t, req('h', '/user/42/profile'))), { svc: 'a', path: '/user/42/profile' });
  assert.deepEqual(proxied(decide(t, req('h', '/user/me'))), { svc: 'b', path: '/user/me' });
});

test('an invalid regex path is reported and skipped', () => {
  const t = table([
    ingress({ name: 'bad', annotations: { [A + 'use-regex']: 'true' }, rules: [{ host: 'h', paths: [{ path: '/a(', pathType: 'ImplementationSpecific', service: 'a' }] }] }),
  ]);
  assert.ok(t.problems.some((p) => p.reason === 'InvalidPath' && p.ingress.name === 'bad'));
  assert.equal(decide(t, req('h', '/a(')).kind, 'default-backend');
});

test('exact and wildcard hosts; wildcard covers exactly one label', () => {
  const t = table([
    ingress({
      name: 'hosts',
      rules: [
        { host: 'foo.bar.com', paths: [{ service: 'a' }] },
        { host: '*.bar.com', paths: [{ service: 'b' }] },
        { paths: [{ path: '/nohost', service: 'c' }] },
      ],
    }),
  ]);
  assert.equal(proxied(decide(t, req('foo.bar.com', '/'))).svc, 'a');
  assert.equal(proxied(decide(t, req('baz.bar.com', '/'))).svc, 'b');
  assert.equal(decide(t, req('a.baz.bar.com', '/')).kind, 'default-backend');
  assert.equal(decide(t, req('bar.com', '/')).kind, 'default-backend');
  // rules without a host live in the catch-all server
  assert.equal(proxied(decide(t, req('anything.example', '/nohost'))).svc, 'c');
  assert.equal(proxied(decide(t, req('127.0.0.1', '/nohost/x'))).svc, 'c');
  assert.equal(decide(t, req('foo.bar.com', '/nohost')).kind, 'proxy');
  assert.equal(proxied(decide(t, req('foo.bar.com.', '/'))).svc, 'a');
});

test('class selection: ingressClassName, legacy annotation, default class, others ignored', () => {
  const ings = [
    ingress({ name: 'by-name', rules: [{ host: 'n', paths: [{ service: 'a' }] }] }),
    ingress({ name: 'by-annotation', className: null, annotations: { 'kubernetes.io/ingress.class': 'nginx' }, rules: [{ host: 'an', paths: [{ service: 'a' }] }] }),
    ingress({ name: 'traefik', className: 'traefik', rules: [{ host: 't', paths: [{ service: 'a' }] }] }),
    ingress({ name: 'other-annotation', className: null, annotations: { 'kubernetes.io/ingress.class': 'traefik' }, rules: [{ host: 'ta', paths: [{ service: 'a' }] }] }),
    ingress({ name: 'no-class', className: null, rules: [{ host: 'nc', paths: [{ service: 'a' }] }] }),
  ];
  const traefikClass = nginxClass({ name: 'traefik', controller: 'traefik.io/ingress-controller' });
  const noDefault = table(ings, { ingressClasses: [nginxClass(), traefikClass] });
  assert.deepEqual(noDefault.served.map((s) => s.name).sort(), ['by-annotation', 'by-name']);
  const withDefault = table(ings, { ingressClasses: [nginxClass({ isDefault: true }), traefikClass] });
  assert.deepEqual(withDefault.served.map((s) => s.name).sort(), ['by-annotation', 'by-name', 'no-class']);
  assert.equal(decide(withDefault, req('t', '/')).kind, 'default-backend');
  assert.equal(proxied(decide(withDefault, req('nc', '/'))).svc, 'a');
  // ingressClassName naming a class that does not exist: ignored
  const noClasses = table(ings, { ingressClasses: [] });
  assert.deepEqual(noClasses.served.map((s) => s.name), ['by-annotation']);
});

test('several Ingresses for one host merge; the oldest wins a duplicated path', () => {
  const t = table([
    ingress({ name: 'second', created: '2024-01-02T00:00:00Z', rules: [{ host: 'm', paths: [{ path: '/api', service: 'b' }, { path: '/shared', service: 'b' }] }] }),
    ingress({ name: 'first', created: '2024-01-01T00:00:00Z', rules: [{ host: 'm', paths: [{ path: '/', service: 'a' }, { path: '/shared', service: 'a' }] }] }),
  ]);
  assert.equal(proxied(decide(t, req('m', '/api/x'))).svc, 'b');
  assert.equal(proxied(decide(t, req('m', '/x'))).svc, 'a');
  assert.equal(proxied(decide(t, req('m', '/shared'))).svc, 'a');
});

test('spec.defaultBackend: the root of its hosts and the catch-all', () => {
  const t = table([ingress({ name: 'd', defaultBackend: { service: 'dflt' }, rules: [{ host: 'd.local', paths: [{ path: '/app', service: 'a' }] }] })]);
  assert.equal(proxied(decide(t, req('d.local', '/app'))).svc, 'a');
  assert.equal(proxied(decide(t, req('d.local', '/else'))).svc, 'dflt');
  assert.equal(proxied(decide(t, req('unknown.local', '/'))).svc, 'dflt');
  const only = table([ingress({ name: 'only', defaultBackend: { service: 'dflt', port: 80 } })]);
  assert.equal(proxied(decide(only, req('x', '/anything'))).svc, 'dflt');
});

test('backends by port name and number; missing Service or port gives service-missing for those routes only', () => {
  const services = [service('named', [{ port: 8080, name: 'http' }]), service('web')];
  const t = table(
    [
      ingress({
        name: 'p',
        rules: [
          {
            host: 'p',
            paths: [
              { path: '/named', service: 'named', port: 'http' },
              { path: '/num', service: 'named', port: 8080 },
              { path: '/badport', service: 'named', port: 'grpc' },
              { path: '/gone', service: 'nope' },
              { path: '/', service: 'web' },
            ],
          },
        ],
      }),
    ],
    { services },
  );
  const named = decide(t, req('p', '/named'));
  assert.equal(named.kind, 'proxy');
  if (named.kind === 'proxy') assert.deepEqual(named.service, { namespace: 'default', name: 'named', port: 8080 });
  assert.equal(proxied(decide(t, req('p', '/num'))).svc, 'named');
  const gone = decide(t, req('p', '/gone/x'));
  assert.equal(gone.kind, 'service-missing');
  if (gone.kind === 'service-missing') assert.match(gone.reason, /not found/);
  assert.equal(decide(t, req('p', '/badport')).kind, 'service-missing');
  assert.equal(proxied(decide(t, req('p', '/ok'))).svc, 'web');
});

test('app-root redirects "/" with 302', () => {
  const t = table([ingress({ name: 'r', annotations: { [A + 'app-root']: '/app1' }, rules: [{ host: 'approot.bar.com', paths: [{ service: 'a' }] }] })]);
  assert.deepEqual(decide(t, req('approot.bar.com', '/')), { kind: 'redirect', code: 302, location: 'http://approot.bar.com/app1', hsts: false });
  assert.deepEqual(decide(t, req('approot.bar.com:8080', '/?x')), { kind: 'redirect', code: 302, location: 'http://approot.bar.com:8080/app1', hsts: false });
  assert.equal(proxied(decide(t, req('approot.bar.com', '/app1'))).path, '/app1');
});

test('permanent-redirect (301, or its code) and temporal-redirect (302) take precedence', () => {
  const t = table([
    ingress({ name: 'p', annotations: { [A + 'permanent-redirect']: 'https://www.google.com' }, rules: [{ host: 'p', paths: [{ service: 'a' }] }] }),
    ingress({ name: 'pc', annotations: { [A + 'permanent-redirect']: 'https://x.example/y', [A + 'permanent-redirect-code']: '308' }, rules: [{ host: 'pc', paths: [{ service: 'a' }] }] }),
    ingress({ name: 't', annotations: { [A + 'temporal-redirect']: 'https://t.example', [A + 'permanent-redirect']: 'https://p.example' }, rules: [{ host: 't', paths: [{ service: 'a' }] }] }),
    ingress({ name: 'bad', annotations: { [A + 'permanent-redirect']: 'ftp://nope' }, rules: [{ host: 'bad', paths: [{ service: 'a' }] }] }),
  ]);
  assert.deepEqual(decide(t, req('p', '/x')), { kind: 'redirect', code: 301, location: 'https://www.google.com', hsts: false });
  assert.deepEqual(decide(t, req('pc', '/')), { kind: 'redirect', code: 308, location: 'https://x.example/y', hsts: false });
  assert.deepEqual(decide(t, req('t', '/')), { kind: 'redirect', code: 302, location: 'https://t.example', hsts: false });
  assert.equal(decide(t, req('bad', '/')).kind, 'proxy');
  assert.ok(t.problems.some((p) => p.ingress.name === 'bad' && p.reason === 'InvalidAnnotation'));
});

test('ssl-redirect: 308 only for hosts with TLS; force-ssl-redirect always; https passes', () => {
  const t = table([
    ingress({ name: 'tls', tls: [{ hosts: ['secure.local'] }], rules: [{ host: 'secure.local', paths: [{ service: 'a' }] }] }),
    ingress({ name: 'plain', rules: [{ host: 'plain.local', paths: [{ service: 'a' }] }] }),
    ingress({ name: 'forced', annotations: { [A + 'force-ssl-redirect']: 'true' }, rules: [{ host: 'forced.local', paths: [{ service: 'a' }] }] }),
    ingress({ name: 'off', annotations: { [A + 'ssl-redirect']: 'false' }, tls: [{ hosts: ['off.local'] }], rules: [{ host: 'off.local', paths: [{ service: 'a' }] }] }),
    ingress({ name: 'keep', annotations: { [A + 'preserve-trailing-slash']: 'true' }, tls: [{ hosts: ['keep.local'] }], rules: [{ host: 'keep.local', paths: [{ service: 'a' }] }] }),
  ]);
  assert.deepEqual(decide(t, req('secure.local', '/a/b/?q=1')), { kind: 'redirect', code: 308, location: 'https://secure.local/a/b/?q=1', hsts: false });
  assert.deepEqual(decide(t, req('secure.local:80', '/path/')), { kind: 'redirect', code: 308, location: 'https://secure.local/path', hsts: false });
  assert.deepEqual(decide(t, req('secure.local', '/')), { kind: 'redirect', code: 308, location: 'https://secure.local', hsts: false });
  assert.deepEqual(decide(t, req('keep.local', '/')), { kind: 'redirect', code: 308, location: 'https://keep.local/', hsts: false });
  const https = decide(t, req('secure.local', '/', { scheme: 'https' }));
  assert.equal(https.kind, 'proxy');
  if (https.kind === 'proxy') assert.equal(https.hsts, true);
  assert.equal(decide(t, req('plain.local', '/')).kind, 'proxy');
  assert.deepEqual(decide(t, req('forced.local', '/x')), { kind: 'redirect', code: 308, location: 'https://forced.local/x', hsts: false });
  assert.equal(decide(t, req('off.local', '/')).kind, 'proxy');
  assert.deepEqual(decide(t, req('secure.local', '/z'), { httpsPort: 8443 }), { kind: 'redirect', code: 308, location: 'https://secure.local:8443/z', hsts: false });
});

test('backend-protocol HTTPS; unsupported protocols fall back to HTTP with a problem', () => {
  const t = table([
    ingress({ name: 's', annotations: { [A + 'backend-protocol']: 'HTTPS' }, rules: [{ host: 's', paths: [{ service: 'a' }] }] }),
    ingress({ name: 'g', annotations: { [A + 'backend-protocol']: 'GRPC' }, rules: [{ host: 'g', paths: [{ service: 'a' }] }] }),
  ]);
  const s = decide(t, req('s', '/'));
  assert.ok(s.kind === 'proxy' && s.upstreamProtocol === 'HTTPS');
  const g = decide(t, req('g', '/'));
  assert.ok(g.kind === 'proxy' && g.upstreamProtocol === 'HTTP');
  assert.ok(t.problems.some((p) => p.ingress.name === 'g' && /not supported by kwire/.test(p.message)));
});

test('unsupported nginx annotations are reported by name', () => {
  const t = table([
    ingress({
      name: 'u',
      annotations: { [A + 'enable-cors']: 'true', [A + 'rewrite-target']: '/', [A + 'limit-rps']: '5', 'other.io/x': 'y' },
      rules: [{ host: 'u', paths: [{ service: 'a' }] }],
    }),
  ]);
  const msgs = t.problems.filter((p) => p.reason === 'UnsupportedAnnotation').map((p) => p.message);
  assert.deepEqual(msgs, [
    `annotation ${A}enable-cors is not supported by kwire; it is ignored`,
    `annotation ${A}limit-rps is not supported by kwire; it is ignored`,
  ]);
});

function canaryTable(canaryAnnotations: Record<string, string>) {
  return table([
    ingress({ name: 'stable', rules: [{ host: 'c.local', paths: [{ service: 'stable' }] }] }),
    ingress({ name: 'canary', annotations: { [A + 'canary']: 'true', ...canaryAnnotations }, rules: [{ host: 'c.local', paths: [{ service: 'canary' }] }] }),
  ]);
}

test('canary-weight routes its share of requests (seeded RNG, within statistical bounds)', () => {
  const t = canaryTable({ [A + 'canary-weight']: '30' });
  const rng = seededRng(42);
  const n = 10_000;
  let canary = 0;
  for (let i = 0; i < n; i++) {
    const d = decide(t, req('c.local', '/'), { rng });
    assert.equal(d.kind, 'proxy');
    if (d.kind === 'proxy' && d.service.name === 'canary') {
      assert.equal(d.canary, true);
      canary++;
    }
  }
  // binomial(10000, 0.3): sd ~ 46; allow 5 sd
  assert.ok(Math.abs(canary - 3000) < 230, `canary share ${canary}/${n}`);
  assert.equal(proxied(decide(canaryTable({ [A + 'canary-weight']: '0' }), req('c.local', '/'), { rng })).svc, 'stable');
  assert.equal(proxied(decide(canaryTable({ [A + 'canary-weight']: '100' }), req('c.local', '/'), { rng })).svc, 'canary');
});

test('canary-by-header: always/never override the weight; header value and cookie', () => {
  const t = canaryTable({ [A + 'canary-by-header']: 'X-Canary', [A + 'canary-weight']: '100' });
  const never = decide(t, req('c.local', '/', { headers: { 'x-canary': 'never' } }));
  assert.equal(proxied(never).svc, 'stable');
  assert.equal(proxied(decide(t, req('c.local', '/', { headers: { 'x-canary': 'always' } }))).svc, 'canary');
  const h = canaryTable({ [A + 'canary-by-header']: 'X-Canary' });
  assert.equal(proxied(decide(h, req('c.local', '/', { headers: { 'x-canary': 'always' } }))).svc, 'canary');
  assert.equal(proxied(decide(h, req('c.local', '/'))).svc, 'stable');
  const v = canaryTable({ [A + 'canary-by-header']: 'X-Region', [A + 'canary-by-header-value']: 'eu' });
  assert.equal(proxied(decide(v, req('c.local', '/', { headers: { 'x-region': 'eu' } }))).svc, 'canary');
  assert.equal(proxied(decide(v, req('c.local', '/', { headers: { 'x-region': 'us' } }))).svc, 'stable');
  const p = canaryTable({ [A + 'canary-by-header']: 'X-Region', [A + 'canary-by-header-pattern']: '^(eu|uk)$' });
  assert.equal(proxied(decide(p, req('c.local', '/', { headers: { 'x-region': 'uk' } }))).svc, 'canary');
  const c = canaryTable({ [A + 'canary-by-cookie']: 'beta' });
  assert.equal(proxied(decide(c, req('c.local', '/', { headers: { cookie: 'a=1; beta=always' } }))).svc, 'canary');
  assert.equal(proxied(decide(c, req('c.local', '/', { headers: { cookie: 'beta=never' } }))).svc, 'stable');
});

test('a canary without a primary is dropped; a canary Ingress makes no routes of its own', () => {
  const t = table([ingress({ name: 'lonely', annotations: { [A + 'canary']: 'true', [A + 'canary-weight']: '100' }, rules: [{ host: 'l', paths: [{ service: 'canary' }] }] })]);
  assert.equal(decide(t, req('l', '/')).kind, 'default-backend');
});

test('bad input: invalid URIs and hosts are 400', () => {
  const t = table([ingress({ name: 'x', rules: [{ host: 'x', paths: [{ service: 'a' }] }] })]);
  for (const url of ['/../etc/passwd', '/a/../../b', '/%zz', '/a%00b', 'relative']) {
    assert.deepEqual(decide(t, req('x', url)), { kind: 'bad-request', status: 400 }, url);
  }
  assert.deepEqual(decide(t, req('a/b', '/')), { kind: 'bad-request', status: 400 });
  assert.deepEqual(decide(t, req('..x', '/')), { kind: 'bad-request', status: 400 });
  // absolute-form targets route by their own host
  assert.equal(proxied(decide(t, req('zzz', 'http://x/p'))).path, '/p');
  // the raw target is forwarded unchanged when nothing rewrites it
  assert.equal(proxied(decide(t, req('x', '/a/./b/../c%2Fd?q'))).path, '/a/./b/../c%2Fd?q');
});
