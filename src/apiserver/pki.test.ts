/**
 * @module apiserver/pki.test
 * The cluster's PKI: the serving certificate names what kube-apiserver's does (so a
 * pod verifies https://kubernetes.default.svc and https://10.96.0.1 with its ca.crt),
 * and clusters made before keep working: a missing service-account key is made, a
 * serving certificate lacking names is issued again by the same CA when the CA key
 * is there, and kept as it is when it is not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coversServingNames, loadOrCreatePki } from './pki.js';

const dirs: string[] = [];
const fresh = () => {
  const d = mkdtempSync(join(tmpdir(), 'kwire-pki-'));
  dirs.push(d);
  return d;
};
test.after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('a new cluster: the serving certificate has the names of kube-apiserver\'s, signed by the CA; the service-account key is RSA', async () => {
  const dir = fresh();
  const pki = await loadOrCreatePki(dir, 'kwire');
  const cert = new X509Certificate(pki.serverCert);
  const ca = new X509Certificate(pki.caCert);
  assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey));
  assert.equal(
    cert.subjectAltName,
    'DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP Address:127.0.0.1, IP Address:10.96.0.1',
  );
  for (const name of ['kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'kubernetes', 'localhost']) assert.equal(cert.checkHost(name), name);
  assert.equal(cert.checkIP('10.96.0.1'), '10.96.0.1');
  assert.equal(createPrivateKey(pki.serviceAccountKey).asymmetricKeyType, 'ec');
  assert.ok(existsSync(join(dir, 'pki', 'ca.key')), 'the CA key is kept');
  const again = await loadOrCreatePki(dir, 'kwire');
  assert.deepEqual(again, pki, 'loaded as written');
  const other = await loadOrCreatePki(fresh(), 'kwire', { clusterDomain: 'example.org' });
  assert.ok(coversServingNames(other.serverCert, 'example.org'));
  assert.ok(!coversServingNames(other.serverCert, 'cluster.local'));
});

test('a cluster made before: the service-account key is made; a narrower serving certificate is issued again by the same CA', async () => {
  const dir = fresh();
  const first = await loadOrCreatePki(dir, 'kwire');
  // What an older kwire left: no sa.key, a serving certificate without the new names (here: the client certificate).
  unlinkSync(join(dir, 'pki', 'sa.key'));
  writeFileSync(join(dir, 'pki', 'apiserver.crt'), first.clientCert);
  const pki = await loadOrCreatePki(dir, 'kwire');
  assert.equal(pki.caCert, first.caCert, 'the same CA: kubeconfigs keep trusting it');
  assert.equal(pki.clientCert, first.clientCert);
  assert.equal(pki.token, first.token);
  assert.notEqual(pki.serviceAccountKey, first.serviceAccountKey);
  assert.equal(readFileSync(join(dir, 'pki', 'sa.key'), 'utf8'), pki.serviceAccountKey);
  assert.ok(coversServingNames(pki.serverCert));
  const cert = new X509Certificate(pki.serverCert);
  assert.ok(cert.verify(new X509Certificate(pki.caCert).publicKey));
  assert.ok(cert.checkPrivateKey(createPrivateKey(pki.serverKey)), 'the key goes with the certificate');
  assert.equal(readFileSync(join(dir, 'pki', 'apiserver.crt'), 'utf8'), pki.serverCert, 'written back');
});

test('a cluster made before the CA key was kept: its serving certificate stays as it is', async () => {
  const dir = fresh();
  const first = await loadOrCreatePki(dir, 'kwire');
  unlinkSync(join(dir, 'pki', 'ca.key'));
  writeFileSync(join(dir, 'pki', 'apiserver.crt'), first.clientCert);
  const pki = await loadOrCreatePki(dir, 'kwire');
  assert.equal(pki.serverCert, first.clientCert);
  assert.equal(pki.caCert, first.caCert);
});
