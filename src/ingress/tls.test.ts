/**
 * @module ingress/tls.test
 * HTTPS: certificates from kubernetes.io/tls Secrets chosen by SNI, the fake
 * certificate for everything else, bad Secrets reported while other hosts keep
 * working, ssl-redirect to the HTTPS port and HSTS on HTTPS responses, and
 * backend-protocol HTTPS to a TLS backend.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { once } from 'node:events';
import { compileRouteTable } from './route-table.js';
import { IngressProxy } from './proxy.js';
import { TlsContexts } from './tls-contexts.js';
import { startIngressListeners } from './listeners.js';
import { fakeCertificate, selfSignedFor } from './fake-cert.js';
import { readTlsSecret } from './tls-secret.js';
import { FakeBackends, ingress, nginxClass, request, service, tlsSecret } from './test-support.js';

function httpsGet(port: number, servername: string | undefined, host: string, path = '/'): Promise<{ status: number; cn: string; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, path, headers: { host }, rejectUnauthorized: false, ...(servername !== undefined ? { servername } : {}), agent: false },
      (res) => {
        const cert = (res.socket as TLSSocket).getPeerCertificate();
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, cn: String(cert.subject?.CN ?? ''), body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test('SNI picks each host\'s Secret; others get the fake certificate; a bad Secret is reported', async () => {
  const [a, b, fake] = await Promise.all([selfSignedFor(['a.example.com']), selfSignedFor(['*.b.example.com']), fakeCertificate()]);
  const secrets = [
    tlsSecret('a-tls', a.certPem, a.keyPem),
    tlsSecret('b-tls', b.certPem, b.keyPem),
    tlsSecret('broken', 'not a cert', 'not a key'),
    tlsSecret('mismatch', a.certPem, b.keyPem),
  ];
  const ings = [
    ingress({ name: 'a', tls: [{ hosts: ['a.example.com'], secretName: 'a-tls' }], rules: [{ host: 'a.example.com', paths: [{ service: 'web' }] }] }),
    ingress({ name: 'b', tls: [{ hosts: ['*.b.example.com'], secretName: 'b-tls' }], rules: [{ host: '*.b.example.com', paths: [{ service: 'web' }] }] }),
    ingress({ name: 'bad', tls: [{ hosts: ['bad.example.com'], secretName: 'broken' }], rules: [{ host: 'bad.example.com', paths: [{ service: 'web' }] }] }),
    ingress({ name: 'mm', tls: [{ hosts: ['mm.example.com'], secretName: 'mismatch' }], rules: [{ host: 'mm.example.com', paths: [{ service: 'web' }] }] }),
    ingress({ name: 'plain', rules: [{ host: 'plain.example.com', paths: [{ service: 'web' }] }] }),
  ];
  const table = compileRouteTable({ ingresses: ings, ingressClasses: [nginxClass()], services: [service('web')], secrets });
  const bad = table.problems.filter((p) => p.reason === 'BadTLSSecret');
  assert.deepEqual(bad.map((p) => p.ingress.name).sort(), ['bad', 'mm']);
  assert.match(bad.find((p) => p.ingress.name === 'bad')!.message, /tls\.crt is not a valid PEM certificate/);
  assert.match(bad.find((p) => p.ingress.name === 'mm')!.message, /does not match/);

  const backends = new FakeBackends();
  backends.add('default/web:80', (req, res) => {
    // Two cookies and the backend's own HSTS: the controller's HSTS replaces it, both cookies stay.
    res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; Path=/']);
    res.setHeader('Strict-Transport-Security', 'max-age=5');
    res.end(`web ${req.headers['x-forwarded-proto']}`);
  });
  const proxy = new IngressProxy({ routes: () => table, connect: backends.connect });
  const contexts = new TlsContexts(() => table, fake);
  const listeners = await startIngressListeners(proxy, contexts, [
    { address: '127.0.0.1', port: 0, scheme: 'https' },
    { address: '127.0.0.1', port: 0, scheme: 'http' },
  ]);
  try {
    assert.equal(listeners.results.every((r) => r.port !== undefined && !r.fellBack), true);
    const port = listeners.results[0]!.port!;
    const ra = await httpsGet(port, 'a.example.com', 'a.example.com');
    assert.equal(ra.cn, 'a.example.com');
    assert.equal(ra.body, 'web https');
    assert.equal(ra.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    assert.deepEqual(ra.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/'], 'every Set-Cookie of the backend');
    const rb = await httpsGet(port, 'x.b.example.com', 'x.b.example.com');
    assert.equal(rb.cn, 'b.example.com'.replace(/^/, '*.'));
    for (const [sni, host] of [['bad.example.com', 'bad.example.com'], ['mm.example.com', 'mm.example.com'], ['plain.example.com', 'plain.example.com'], ['unknown.example', 'unknown.example'], ['', 'a.example.com']] as const) {
      const r = await httpsGet(port, sni, host); // '' sends no SNI at all
      assert.equal(r.cn, 'Kubernetes Ingress Controller Fake Certificate', `sni "${sni}"`);
    }
    // the bad host still serves over the fake certificate, and other hosts are unaffected
    assert.equal((await httpsGet(port, 'bad.example.com', 'bad.example.com')).body, 'web https');
    // plain HTTP to a TLS host redirects (308) to HTTPS on the bound port
    const httpPort = listeners.results[1]!.port!;
    const redirect = await request(httpPort, { path: '/x', headers: { host: 'a.example.com' } });
    assert.equal(redirect.status, 308);
    assert.equal(redirect.headers['location'], 'https://a.example.com/x');
    assert.equal((await request(httpPort, { headers: { host: 'plain.example.com' } })).body, 'web http');
  } finally {
    proxy.close();
    backends.close();
    await listeners.close();
  }
});

test('the fake certificate is ingress-nginx\'s', async () => {
  const fake = await fakeCertificate();
  const r = readTlsSecret(tlsSecret('fake', fake.certPem, fake.keyPem));
  assert.equal(r.ok, true);
  if (!r.ok) return;
  assert.match(r.cert.x509.subject, /CN=Kubernetes Ingress Controller Fake Certificate/);
  assert.match(r.cert.x509.subject, /O=Acme Co/);
  assert.equal(r.cert.x509.subjectAltName, 'DNS:ingress.local');
  assert.equal(await fakeCertificate(), fake, 'made once');
});

test('backend-protocol HTTPS speaks TLS to the backend', async () => {
  const backendCert = await selfSignedFor(['backend.internal']);
  const tlsBackend = https.createServer({ cert: backendCert.certPem, key: backendCert.keyPem }, (req, res) => res.end(`secure ${req.url}`));
  const table = compileRouteTable({
    ingresses: [ingress({ name: 's', annotations: { 'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS' }, rules: [{ host: 's.local', paths: [{ service: 'secure', port: 443 }] }] })],
    ingressClasses: [nginxClass()],
    services: [service('secure', [{ port: 443 }])],
    secrets: [],
  });
  const backends = new FakeBackends();
  backends.add('default/secure:443', tlsBackend);
  const proxy = new IngressProxy({ routes: () => table, connect: backends.connect });
  const server = http.createServer(IngressProxy.serverOptions());
  proxy.attach(server, 'http');
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const r = await request((server.address() as AddressInfo).port, { path: '/p', headers: { host: 's.local' } });
    assert.equal(r.body, 'secure /p');
  } finally {
    proxy.close();
    backends.close();
    tlsBackend.closeAllConnections();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

test('listeners report a port that cannot be bound and use the fallback', async () => {
  const table = compileRouteTable({ ingresses: [], ingressClasses: [], services: [], secrets: [] });
  const proxy = new IngressProxy({ routes: () => table, connect: new FakeBackends().connect });
  const blocker = http.createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const busy = (blocker.address() as AddressInfo).port;
  const contexts = new TlsContexts(() => table, await fakeCertificate());
  const l = await startIngressListeners(proxy, contexts, [
    { address: '127.0.0.1', port: busy, scheme: 'http', fallbackPort: 0 },
    { address: '127.0.0.1', port: busy, scheme: 'https' },
  ]);
  try {
    const [fb, failed] = l.results;
    assert.equal(fb!.fellBack, true);
    assert.ok(fb!.port !== undefined && fb!.port !== busy);
    assert.match(fb!.error ?? '', /EADDRINUSE/);
    assert.equal(failed!.port, undefined);
    assert.match(failed!.error ?? '', /EADDRINUSE/);
    assert.equal((await request(fb!.port!, { headers: { host: 'x' } })).status, 404);
  } finally {
    proxy.close();
    await l.close();
    await new Promise<void>((r) => blocker.close(() => r()));
  }
});
