/**
 * @module web/ui-server.test
 * The UI's front door in front of a real ApiServer with authentication: 401
 * without the token (page, assets, API), the login URL trading the token for
 * an HttpOnly SameSite=Strict cookie, the cookie and a bearer header both
 * carried to the API server (which decides), writes by cookie only from the
 * page's own origin, and another Host name refused.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { ApiServer } from '../apiserver/server.js';
import { Registry } from '../apiserver/registry.js';
import { installStrategies } from '../apiserver/strategies.js';
import { apiLayer } from '../cluster/wiring.js';
import { PolicyEngine } from '../policy/index.js';
import { Store } from '../store/store.js';
import { createUiRoutes, type UiRoutes } from './ui-routes.js';
import { cookieName, parseCookies, startUiServer, type UiServer } from './ui-server.js';

const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(port: number, path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('the UI front door', () => {
  let ui: UiServer;
  let routes: UiRoutes;
  let cookie = '';
  before(async () => {
    const registry = new Registry(new Store());
    installStrategies(registry, apiLayer());
    routes = createUiRoutes({ engine: new PolicyEngine(), registry, uiUrl: () => ui.url });
    const api = new ApiServer({ registry, version: { major: '1', minor: '31', gitVersion: 'v1.31.0' }, auth: { token: TOKEN, caPem: '' }, kwireRoutes: routes.routes });
    ui = await startUiServer({ handler: api.handle, token: TOKEN });
  });
  after(async () => {
    routes.stop();
    await ui.close();
  });

  test('the URLs', () => {
    assert.equal(ui.url, `http://127.0.0.1:${ui.port}/kwire/ui/`);
    assert.equal(ui.loginUrl, `http://127.0.0.1:${ui.port}/?token=${TOKEN}`);
  });

  test('401 without the token: the page, its assets, the API, a wrong token', async () => {
    for (const [path, headers] of [
      ['/', {}],
      ['/kwire/ui/', {}],
      ['/kwire/ui/app.js', {}],
      ['/kwire/v1/watch', {}],
      ['/api/v1/namespaces', {}],
      ['/?token=nope', {}],
      ['/kwire/ui/', { Cookie: `${cookieName(ui.port)}=nope` }],
      ['/kwire/ui/', { Authorization: 'Bearer nope' }],
    ] as const) {
      const r = await call(ui.port, path, { headers });
      assert.equal(r.status, 401, `${path} ${JSON.stringify(headers)}`);
      assert.equal((JSON.parse(r.body) as { reason: string }).reason, 'Unauthorized');
    }
  });

  test('the login URL trades the token for a cookie and leaves the address bar clean', async () => {
    const r = await call(ui.port, `/?token=${TOKEN}`);
    assert.equal(r.status, 303);
    assert.equal(r.headers['location'], '/kwire/ui/');
    const set = r.headers['set-cookie']?.[0] ?? '';
    assert.equal(set, `${cookieName(ui.port)}=${TOKEN}; Path=/; HttpOnly; SameSite=Strict`);
    cookie = set.split(';')[0]!;
    const deep = await call(ui.port, `/kwire/ui/?token=${TOKEN}&x=1`);
    assert.equal(deep.headers['location'], '/kwire/ui/?x=1');
  });

  test('the cookie opens the page and the API; a bearer header works too', async () => {
    const page = await call(ui.port, '/kwire/ui/', { headers: { Cookie: cookie } });
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>kwire<\/title>/);
    const root = await call(ui.port, '/', { headers: { Cookie: cookie } });
    assert.equal(root.status, 200, 'the root serves the page');
    const ns = await call(ui.port, '/api/v1/namespaces', { headers: { Cookie: cookie } });
    assert.equal(ns.status, 200);
    assert.equal((JSON.parse(ns.body) as { kind: string }).kind, 'NamespaceList');
    const bearer = await call(ui.port, '/kwire/v1/ui', { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(JSON.parse(bearer.body).url, ui.url);
  });

  test('a write carried by the cookie must come from the page itself', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'from-ui' } });
    const json = { 'Content-Type': 'application/json', Cookie: cookie };
    const none = await call(ui.port, '/api/v1/namespaces', { method: 'POST', headers: json, body });
    assert.equal(none.status, 403);
    const other = await call(ui.port, '/api/v1/namespaces', { method: 'POST', headers: { ...json, Origin: 'http://evil.example' }, body });
    assert.equal(other.status, 403);
    assert.match((JSON.parse(other.body) as { message: string }).message, /a write from the web UI must come from its own page/);
    const own = await call(ui.port, '/api/v1/namespaces', { method: 'POST', headers: { ...json, Origin: `http://127.0.0.1:${ui.port}` }, body });
    assert.equal(own.status, 201, own.body);
  });

  test('another Host name is refused (DNS rebinding)', async () => {
    const r = await call(ui.port, '/kwire/ui/', { headers: { Host: `attacker.example:${ui.port}`, Cookie: cookie } });
    assert.equal(r.status, 403);
    const local = await call(ui.port, '/kwire/ui/', { headers: { Host: `localhost:${ui.port}`, Cookie: cookie } });
    assert.equal(local.status, 200);
  });

  test('cookies', () => {
    assert.deepEqual([...parseCookies('a=1; b = x%3Dy ;bad; =z')], [
      ['a', '1'],
      ['b', 'x=y'],
    ]);
  });
});
