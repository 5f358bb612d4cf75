/**
 * @module apiserver/pki
 * The cluster's certificates: a CA that kwire makes once per cluster, a serving
 * certificate for the names kube-apiserver's has (127.0.0.1, localhost, kubernetes,
 * kubernetes.default, kubernetes.default.svc, kubernetes.default.svc.<domain>, the
 * `kubernetes` Service's ClusterIP 10.96.0.1), and an admin client certificate
 * (O=system:masters, as kind's admin.conf has). ECDSA P-256 keys: fast to make and
 * accepted by kubectl's Go TLS stack. The service-account key (`sa.key`, ECDSA P-256; RSA keys work too, as
 * kubeadm makes it) signs the tokens pods get. Files live in `<data>/pki/`.
 *
 * Clusters made before a change keep working: a missing `sa.key` is made on load, and
 * a serving certificate that lacks one of the names is issued again when the CA key
 * (`ca.key`, kept since) is there. A cluster made before the CA key was kept cannot
 * have its serving certificate re-signed by its own CA; it keeps the one it has (which
 * names kubernetes.default.svc already) rather than get a new CA behind the back of
 * every kubeconfig that trusts the old one.
 */
import { webcrypto, X509Certificate, createPrivateKey, generateKeyPair as generateKeyPairCb, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
// @peculiar/x509 needs the Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

// Node's webcrypto is the standard Crypto that @peculiar/x509 expects.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const generateKeyPair = promisify(generateKeyPairCb);

/** The `kubernetes` Service's ClusterIP (the first of 10.96.0.0/12), a name of the serving certificate. */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

export interface Pki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** Bearer token accepted as an alternative to the client certificate. */
  readonly token: string;
  /** The service-account signing key (PEM, PKCS#8 RSA): kube-apiserver's --service-account-key-file. */
  readonly serviceAccountKey: string;
}

export interface PkiOptions {
  /** The cluster domain for kubernetes.default.svc.<domain> (default cluster.local). */
  readonly clusterDomain?: string;
}

/** The names the serving certificate carries, as kube-apiserver's (kubeadm's) does. */
export function servingNames(clusterDomain = 'cluster.local'): { readonly dns: ReadonlyArray<string>; readonly ips: ReadonlyArray<string> } {
  return {
    dns: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${clusterDomain}`],
    ips: ['127.0.0.1', KUBERNETES_SERVICE_IP],
  };
}

/** Whether a certificate's subjectAltName holds every name and address of `servingNames`. */
export function coversServingNames(certPem: string, clusterDomain = 'cluster.local'): boolean {
  let san: string;
  try {
    san = new X509Certificate(certPem).subjectAltName ?? '';
  } catch {
    return false;
  }
  const have = new Set(san.split(',').map((x) => x.trim()));
  const want = servingNames(clusterDomain);
  return want.dns.every((d) => have.has(`DNS:${d}`)) && want.ips.every((ip) => have.has(`IP Address:${ip}`));
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

/**
 * A new service-account key (PKCS#8 PEM): ECDSA P-256, so tokens are ES256, which
 * kube-apiserver accepts as it does RS256. An RSA 2048 key costs ~150 ms to make,
 * a tenth of a whole `kwire up`; P-256 under 1 ms.
 */
export async function makeServiceAccountKey(type: 'ec' | 'rsa' = 'ec'): Promise<string> {
  const { privateKey } = type === 'ec' ? await generateKeyPair('ec', { namedCurve: 'P-256' }) : await generateKeyPair('rsa', { modulusLength: 2048 });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

const validity = () => {
  const now = new Date(Date.now() - 60_000);
  return { notBefore: now, notAfter: new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000) };
};

/** A leaf certificate signed by the CA. */
async function issueLeaf(ca: x509.X509Certificate, caKey: webcrypto.CryptoKey, name: string, usage: string, sans?: x509.JsonGeneralName[]): Promise<{ cert: string; key: string }> {
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
    ...validity(),
    signingKey: caKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: exts,
  });
  return { cert: cert.toString('pem'), key: await keyToPem(keys.privateKey) };
}

/** The API server's serving certificate, with every name of `servingNames`. */
function issueServingCert(ca: x509.X509Certificate, caKey: webcrypto.CryptoKey, clusterDomain: string): Promise<{ cert: string; key: string }> {
  const names = servingNames(clusterDomain);
  const sans: x509.JsonGeneralName[] = [...names.dns.map((value) => ({ type: 'dns' as const, value })), ...names.ips.map((value) => ({ type: 'ip' as const, value }))];
  return issueLeaf(ca, caKey, 'CN=kube-apiserver', x509.ExtendedKeyUsage.serverAuth, sans);
}

interface MadePki extends Pki {
  /** The CA's private key (PKCS#8 PEM), kept so the serving certificate can be issued again. */
  readonly caKey: string;
}

async function makePki(clusterName: string, clusterDomain: string): Promise<MadePki> {
  const saKey = makeServiceAccountKey();
  saKey.catch(() => undefined); // awaited below; this keeps an early failure of the rest from leaving it unhandled
  const { notBefore: now, notAfter: tenYears } = validity();
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
  const server = await issueServingCert(ca, caKeys.privateKey, clusterDomain);
  const client = await issueLeaf(ca, caKeys.privateKey, 'CN=kubernetes-admin, O=system:masters', x509.ExtendedKeyUsage.clientAuth);
  return {
    caCert: ca.toString('pem'),
    caKey: await keyToPem(caKeys.privateKey),
    serverCert: server.cert,
    serverKey: server.key,
    clientCert: client.cert,
    clientKey: client.key,
    token: randomBytes(24).toString('hex'),
    serviceAccountKey: await saKey,
  };
}

const FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  serverCert: 'apiserver.crt',
  serverKey: 'apiserver.key',
  clientCert: 'admin.crt',
  clientKey: 'admin.key',
  token: 'token',
  serviceAccountKey: 'sa.key',
} as const;

/** Loads the cluster's PKI from `<dir>/pki`, making it on first use (and what a cluster made before lacks). */
export async function loadOrCreatePki(dir: string, clusterName: string, opts: PkiOptions = {}): Promise<Pki> {
  const domain = opts.clusterDomain ?? 'cluster.local';
  const pkiDir = join(dir, 'pki');
  const path = (f: string) => join(pkiDir, f);
  const write = (f: string, text: string) => writeFileSync(path(f), text, { mode: 0o600 });
  if (existsSync(path(FILES.token))) {
    const read = (f: string) => readFileSync(path(f), 'utf8');
    let serviceAccountKey: string;
    if (existsSync(path(FILES.serviceAccountKey))) serviceAccountKey = read(FILES.serviceAccountKey);
    else {
      serviceAccountKey = await makeServiceAccountKey();
      write(FILES.serviceAccountKey, serviceAccountKey);
    }
    const caCert = read(FILES.caCert);
    let serverCert = read(FILES.serverCert);
    let serverKey = read(FILES.serverKey);
    if (!coversServingNames(serverCert, domain) && existsSync(path(FILES.caKey))) {
      const der = createPrivateKey(read(FILES.caKey)).export({ format: 'der', type: 'pkcs8' });
      const caKey = await webcrypto.subtle.importKey('pkcs8', der, ALG, false, ['sign']);
      const server = await issueServingCert(new x509.X509Certificate(caCert), caKey, domain);
      write(FILES.serverCert, server.cert);
      write(FILES.serverKey, server.key);
      serverCert = server.cert;
      serverKey = server.key;
    }
    return {
      caCert,
      serverCert,
      serverKey,
      clientCert: read(FILES.clientCert),
      clientKey: read(FILES.clientKey),
      token: read(FILES.token).trim(),
      serviceAccountKey,
    };
  }
  const made = await makePki(clusterName, domain);
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  // The token last: its presence says the folder is complete.
  for (const [k, f] of Object.entries(FILES)) if (k !== 'token') write(f, made[k as keyof MadePki]);
  write(FILES.token, made.token);
  const { caKey: _caKey, ...pki } = made;
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
