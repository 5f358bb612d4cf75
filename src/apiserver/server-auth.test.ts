/**
 * @module apiserver/server-auth.test
 * The API server's authentication with service-account tokens beside the cluster's
 * own token: a token `verifyToken` accepts authenticates as its user, anything else
 * (no credentials, an unknown or malformed bearer token, an empty one) is 401 with
 * kube-apiserver's Status body. And kube's pretty printing: indented JSON for curl,
 * Wget and browsers or `?pretty=true`, compact for everyone else.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiServer, ADMIN_USER, type AuthenticatedUser } from './server.js';
import { Registry } from './registry.js';
import { installStrategies } from './strategies.js';
import { apiLayer } from '../cluster/wiring.js';
import { Store } from '../store/store.js';

const ADMIN_TOKEN = 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeedf00dfeed';
const SA_TOKEN = 'header.payload.signature';
const SA_USER: AuthenticatedUser = { username: 'system:serviceaccount:lab:default', uid: 'u1', groups: ['system:serviceaccounts', 'system:serviceaccounts:lab', 'system:authenticated'] };

let server: Server;
let api: ApiServer;
const seen: Array<AuthenticatedUser | undefined> = [];

before(async () => {
  const registry = new Registry(new Store());
  installStrategies(registry, apiLayer());
  api = new ApiServer({
    registry,
    version: { major: '1', minor: '31', gitVersion: 'v1.31.0' },
    auth: { token: ADMIN_TOKEN, caPem: '', verifyToken: (t) => (t === SA_TOKEN ? SA_USER : undefined) },
  });
  server = createServer((req, res) => {
    res.on('finish', () => seen.push(api.userOf(req)));
    api.handle(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
});
after(() => new Promise<void>((r) => server.close(() => r())));

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const UNAUTHORIZED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };

test('a service-account token authenticates as the service account; the cluster token as the admin', async () => {
  seen.length = 0;
  const r = await get('/api', { Authorization: `Bearer ${SA_TOKEN}` });
  assert.equal(r.status, 200);
  assert.equal((JSON.parse(r.body) as { kind: string }).kind, 'APIVersions');
  const lower = await get('/version', { Authorization: `bearer ${SA_TOKEN}` });
  assert.equal(lower.status, 200, 'the scheme is case-insensitive, as kube reads it');
  const admin = await get('/api', { Authorization: `Bearer ${ADMIN_TOKEN}` });
  assert.equal(admin.status, 200);
  assert.deepEqual(seen, [SA_USER, SA_USER, ADMIN_USER]);
});

test('no credentials, an unknown token, an empty one: 401 with kube-apiserver\'s Status', async () => {
  seen.length = 0;
  const cases: Array<Record<string, string>> = [{}, { Authorization: 'Bearer nope' }, { Authorization: 'Bearer x.y.z' }, { Authorization: 'Bearer ' }, { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }];
  for (const headers of cases) {
    const r = await get('/version', headers);
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.deepEqual(JSON.parse(r.body), UNAUTHORIZED);
  }
  assert.deepEqual(seen, [undefined, undefined, undefined, undefined, undefined]);
});

test('curl, Wget and browsers get indented JSON (as kube-apiserver\'s isPrettyPrint); ?pretty decides when given', async () => {
  const auth = { Authorization: `Bearer ${SA_TOKEN}` };
  const compact = await get('/api', auth);
  // serverAddress: where this server was reached, as kube-apiserver advertises its own address and port.
  const port = (server.address() as AddressInfo).port;
  assert.equal(compact.body, `{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1:${port}"}]}\n`);
  for (const ua of ['curl/8.11.0', 'Wget', 'Mozilla/5.0 (X11; Linux x86_64)']) {
    const r = await get('/api', { ...auth, 'User-Agent': ua });
    assert.match(r.body, /^\{\n {2}"kind": "APIVersions",\n {2}"versions": \[\n {4}"v1"\n {2}\],/, ua);
  }
  assert.match((await get('/api?pretty=true', auth)).body, /^\{\n {2}"kind": "APIVersions"/);
  assert.equal((await get('/api?pretty=false', { ...auth, 'User-Agent': 'curl/8.11.0' })).body, compact.body);
  const denied = await get('/version', { 'User-Agent': 'curl/8.11.0' });
  assert.equal(denied.body, `${JSON.stringify(UNAUTHORIZED, null, 2)}\n`);
  assert.equal((await get('/api', { ...auth, 'User-Agent': 'kubectl/v1.31.0 (linux/amd64) kubernetes/abcdef' })).body, compact.body);
});

function post(path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path, method: 'POST', headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      let out = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (out += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: out }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('selfsubjectreviews answers the authenticated user (v1, and v1beta1 for kubectl 1.27); it is create-only', async () => {
  const auth = { Authorization: `Bearer ${SA_TOKEN}` };
  for (const gv of ['authentication.k8s.io/v1', 'authentication.k8s.io/v1beta1']) {
    const r = await post(`/apis/${gv}/selfsubjectreviews`, JSON.stringify({ kind: 'SelfSubjectReview', apiVersion: gv, metadata: { creationTimestamp: null }, status: { userInfo: {} } }), auth);
    assert.equal(r.status, 201, r.body);
    const review = JSON.parse(r.body) as { kind: string; apiVersion: string; metadata: { creationTimestamp: string }; status: { userInfo: unknown } };
    assert.equal(review.kind, 'SelfSubjectReview');
    assert.equal(review.apiVersion, gv);
    assert.match(review.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(review.status.userInfo, { username: SA_USER.username, uid: 'u1', groups: SA_USER.groups });
  }
  const admin = await post('/apis/authentication.k8s.io/v1/selfsubjectreviews', '{}', { Authorization: `Bearer ${ADMIN_TOKEN}` });
  assert.deepEqual((JSON.parse(admin.body) as { status: unknown }).status, { userInfo: { username: ADMIN_USER.username, groups: ADMIN_USER.groups } });
  const wrongKind = await post('/apis/authentication.k8s.io/v1/selfsubjectreviews', JSON.stringify({ kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1' }), auth);
  assert.equal(wrongKind.status, 400);
  assert.equal((await get('/apis/authentication.k8s.io/v1/selfsubjectreviews', auth)).status, 405);
  assert.equal((await get('/apis/authentication.k8s.io/v1/selfsubjectreviews/x', auth)).status, 404);
  assert.equal((await post('/apis/authentication.k8s.io/v1/selfsubjectreviews', '{}')).status, 401);
});

test('serviceaccounts/token without a token issuer (in-process servers) is 404, as before', async () => {
  const r = await post('/api/v1/namespaces/lab/serviceaccounts/default/token', JSON.stringify({ kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', spec: {} }), { Authorization: `Bearer ${ADMIN_TOKEN}` });
  assert.equal(r.status, 404);
});
