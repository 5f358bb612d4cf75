/**
 * @module ingress/fake-cert
 * ingress-nginx's default ("fake") certificate: self-signed, subject
 * `O=Acme Co, CN=Kubernetes Ingress Controller Fake Certificate`, SAN
 * `ingress.local`, served for hosts with no usable TLS Secret and for clients
 * that send no SNI. Made once per process (ECDSA P-256, as `apiserver/pki.ts`
 * makes its certificates with @peculiar/x509 over Node's WebCrypto).
 */
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
// @peculiar/x509 needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export const FAKE_CERT_SUBJECT = 'O=Acme Co, CN=Kubernetes Ingress Controller Fake Certificate';

export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

const DAY = 24 * 3600 * 1000;

/**
 * A self-signed server certificate as ingress-nginx makes its fake one: not a CA,
 * digitalSignature + keyEncipherment, serverAuth, the given DNS names.
 */
export async function selfSignedServer(subject: string, dns: ReadonlyArray<string>, validForMs = 365 * DAY): Promise<PemPair> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const now = new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: subject,
    notBefore: now,
    notAfter: new Date(now.getTime() + validForMs),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      ...(dns.length > 0 ? [new x509.SubjectAlternativeNameExtension(dns.map((value) => ({ type: 'dns' as const, value })))] : []),
    ],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const keyPem = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
  return { certPem: cert.toString('pem'), keyPem };
}

let cached: Promise<PemPair> | undefined;

/** The process's fake certificate, made on first use. */
export function fakeCertificate(): Promise<PemPair> {
  cached ??= selfSignedServer(FAKE_CERT_SUBJECT, ['ingress.local']);
  return cached;
}

/** A self-signed certificate for `hosts` (tests and tools), valid for a day. */
export function selfSignedFor(hosts: ReadonlyArray<string>, cn = hosts[0] ?? 'localhost'): Promise<PemPair> {
  return selfSignedServer(`CN=${cn}`, hosts, DAY);
}
