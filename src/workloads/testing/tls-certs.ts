/**
 * @module workloads/testing/tls-certs
 *
 * Certificates for TLS tests of the workloads, made in process the way
 * apiserver/pki.ts makes kwire's (ECDSA P-256 with @peculiar/x509 over Node's
 * WebCrypto): a test CA that issues leaf certificates with chosen names and
 * validity, and self-signed certificates. Plus an HTTPS server on the
 * FakeNetwork, fed its connections as the ingress controller pod's is.
 */
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import https from 'node:https';
import type http from 'node:http';
// @peculiar/x509 needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import type { FakeNetwork } from './fake-net.js';
import { selfSignedServer } from '../../ingress/fake-cert.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 3600 * 1000;

export interface CertPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface LeafOptions {
  /** Distinguished name, e.g. "CN=app.test" or "O=Acme Co, CN=x". */
  readonly subject: string;
  /** subjectAltName entries; none when empty or absent. */
  readonly dns?: ReadonlyArray<string>;
  readonly ips?: ReadonlyArray<string>;
  /** Validity; default: from a minute ago for a day. */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

export interface TestCa {
  readonly certPem: string;
  issue(o: LeafOptions): Promise<CertPair>;
}

function serial(): string {
  const b = randomBytes(12);
  b[0] = (b[0] ?? 0) & 0x7f;
  return b.toString('hex');
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
}

function sanExtension(o: LeafOptions): x509.Extension[] {
  const names: x509.JsonGeneralName[] = [
    ...(o.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(o.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  return names.length ? [new x509.SubjectAlternativeNameExtension(names)] : [];
}

function validity(o: LeafOptions): { notBefore: Date; notAfter: Date } {
  const notBefore = o.notBefore ?? new Date(Date.now() - 60_000);
  return { notBefore, notAfter: o.notAfter ?? new Date(notBefore.getTime() + DAY) };
}

/** A CA named `name` ("CN=..."), valid for a day. */
export async function makeTestCa(name = 'CN=kwire test CA'): Promise<TestCa> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const { notBefore, notAfter } = validity({ subject: name });
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name,
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certPem: ca.toString('pem'),
    issue: async (o) => {
      const leafKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: o.subject,
        issuer: ca.subject,
        ...validity(o),
        signingKey: keys.privateKey,
        publicKey: leafKeys.publicKey,
        signingAlgorithm: ALG,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          await x509.AuthorityKeyIdentifierExtension.create(ca, false),
          ...sanExtension(o),
        ],
      });
      return { certPem: cert.toString('pem'), keyPem: await keyPem(leafKeys.privateKey) };
    },
  };
}

/** A self-signed certificate, with ingress-nginx's fake certificate's extensions (no keyCertSign). */
export function selfSigned(o: Pick<LeafOptions, 'subject' | 'dns'>): Promise<CertPair> {
  return selfSignedServer(o.subject, o.dns ?? []);
}

/**
 * Serves HTTPS on ip:port of the fake network with `pair`; each request's SNI
 * name (or "-") is recorded in `servernames`.
 */
export function listenHttps(net: FakeNetwork, ip: string, port: number, pair: CertPair, handler: http.RequestListener): { readonly server: https.Server; readonly servernames: string[] } {
  const servernames: string[] = [];
  const server = https.createServer({ cert: pair.certPem, key: pair.keyPem }, handler);
  server.on('secureConnection', (s: import('node:tls').TLSSocket) => {
    const name = (s as import('node:tls').TLSSocket & { servername?: string | false }).servername;
    servernames.push(typeof name === 'string' && name !== '' ? name : '-');
  });
  net.listen(ip, port, (sock) => server.emit('connection', sock));
  return { server, servernames };
}
