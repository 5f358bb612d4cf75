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

async function make(): Promise<PemPair> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const now = new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: FAKE_CERT_SUBJECT,
    notBefore: now,
    notAfter: new Date(now.getTime() + 365 * 24 * 3600 * 1000),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'ingress.local' }]),
    ],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const keyPem = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
  return { certPem: cert.toString('pem'), keyPem };
}

let cached: Promise<PemPair> | undefined;

/** The process's fake certificate, made on first use. */
export function fakeCertificate(): Promise<PemPair> {
  cached ??= make();
  return cached;
}

/** A self-signed certificate for `hosts` (tests and tools). */
export async function selfSignedFor(hosts: ReadonlyArray<string>, cn = hosts[0] ?? 'localhost'): Promise<PemPair> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const now = new Date(Date.now() - 60_000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${cn}`,
    notBefore: now,
    notAfter: new Date(now.getTime() + 24 * 3600 * 1000),
    keys,
    signingAlgorithm: ALG,
    extensions: [new x509.SubjectAlternativeNameExtension(hosts.map((h) => ({ type: 'dns' as const, value: h })))],
  });
  const der = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const keyPem = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
  return { certPem: cert.toString('pem'), keyPem };
}
