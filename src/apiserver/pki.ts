/**
 * @module apiserver/pki
 * The cluster's certificates: a CA that kwire makes once per cluster, a serving
 * certificate for 127.0.0.1/localhost, and an admin client certificate
 * (O=system:masters, as kind's admin.conf has). ECDSA P-256 keys: fast to make and
 * accepted by kubectl's Go TLS stack. Files live in `<data>/pki/`.
 */
import { webcrypto, X509Certificate, createPrivateKey, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
// @peculiar/x509 needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

// Node's webcrypto is the standard Crypto that @peculiar/x509 expects.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface Pki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** Bearer token accepted as an alternative to the client certificate. */
  readonly token: string;
}

async function keyToPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
}

function serial(): string {
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

async function makePki(clusterName: string): Promise<Pki> {
  const now = new Date(Date.now() - 60_000);
  const tenYears = new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000);
  const caKeys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=kwire-ca-${clusterName}`,
    notBefore: now,
    notAfter: tenYears,
    keys: caKeys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leaf = async (name: string, usage: string, sans?: x509.JsonGeneralName[]) => {
    const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const exts: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([usage]),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false),
    ];
    if (sans) exts.push(new x509.SubjectAlternativeNameExtension(sans));
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: name,
      issuer: ca.subject,
      notBefore: now,
      notAfter: tenYears,
      signingKey: caKeys.privateKey,
      publicKey: keys.publicKey,
      signingAlgorithm: ALG,
      extensions: exts,
    });
    return { cert: cert.toString('pem'), key: await keyToPem(keys.privateKey) };
  };
  const server = await leaf('CN=kube-apiserver', x509.ExtendedKeyUsage.serverAuth, [
    { type: 'ip', value: '127.0.0.1' },
    { type: 'dns', value: 'localhost' },
    { type: 'dns', value: 'kubernetes' },
    { type: 'dns', value: 'kubernetes.default.svc' },
  ]);
  const client = await leaf('CN=kubernetes-admin, O=system:masters', x509.ExtendedKeyUsage.clientAuth);
  return {
    caCert: ca.toString('pem'),
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
    token: randomBytes(24).toString('hex'),
  };
}

const FILES = {
  caCert: 'ca.crt',
  serverCert: 'apiserver.crt',
  serverKey: 'apiserver.key',
  clientCert: 'admin.crt',
  clientKey: 'admin.key',
  token: 'token',
} as const;

/** Loads the cluster's PKI from `<dir>/pki`, making it on first use. */
export async function loadOrCreatePki(dir: string, clusterName: string): Promise<Pki> {
  const pkiDir = join(dir, 'pki');
  if (existsSync(join(pkiDir, FILES.token))) {
    const read = (f: string) => readFileSync(join(pkiDir, f), 'utf8');
    return {
      caCert: read(FILES.caCert),
      serverCert: read(FILES.serverCert),
      serverKey: read(FILES.serverKey),
      clientCert: read(FILES.clientCert),
      clientKey: read(FILES.clientKey),
      token: read(FILES.token).trim(),
    };
  }
  const pki = await makePki(clusterName);
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  for (const [k, f] of Object.entries(FILES)) writeFileSync(join(pkiDir, f), pki[k as keyof Pki], { mode: 0o600 });
  return pki;
}

/** Whether a peer certificate (DER) was issued by our CA. */
export function issuedBy(peerDer: Buffer, caPem: string): boolean {
  try {
    const peer = new X509Certificate(peerDer);
    const ca = new X509Certificate(caPem);
    return peer.checkIssued(ca) && peer.verify(ca.publicKey);
  } catch {
    return false;
  }
}
