/**
 * @module ingress/tls-secret
 * Reads a `kubernetes.io/tls` Secret (base64 `tls.crt` and `tls.key` in `data`)
 * into PEM strings and checks them as ingress-nginx does before using them: the
 * certificate parses, the key parses and matches it. `coversHost` is Go's
 * VerifyHostname with ingress-nginx's Common Name fallback. Parsing only; the
 * TLS contexts are made by the shell (`tls-contexts.ts`).
 */
import { X509Certificate, createPrivateKey, createHash } from 'node:crypto';
import type { Secret } from './types.js';

export interface TlsCert {
  /** Stable identity of this certificate/key pair (for caching TLS contexts). */
  readonly id: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly x509: X509Certificate;
}

export type TlsSecretResult = { readonly ok: true; readonly cert: TlsCert } | { readonly ok: false; readonly error: string };

function field(secret: Secret, key: string): string | undefined {
  const b64 = secret.data?.[key];
  if (b64 !== undefined) return Buffer.from(b64, 'base64').toString('utf8');
  const s = secret.stringData?.[key];
  return s;
}

/** Validates and decodes a TLS Secret. */
export function readTlsSecret(secret: Secret): TlsSecretResult {
  const certPem = field(secret, 'tls.crt');
  const keyPem = field(secret, 'tls.key');
  if (certPem === undefined || certPem.trim() === '') return { ok: false, error: 'the secret has no tls.crt' };
  if (keyPem === undefined || keyPem.trim() === '') return { ok: false, error: 'the secret has no tls.key' };
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certPem);
  } catch (e) {
    return { ok: false, error: `tls.crt is not a valid PEM certificate: ${e instanceof Error ? e.message : String(e)}` };
  }
  try {
    const key = createPrivateKey(keyPem);
    if (!x509.checkPrivateKey(key)) return { ok: false, error: 'tls.key does not match the certificate in tls.crt' };
  } catch (e) {
    return { ok: false, error: `tls.key is not a valid PEM private key: ${e instanceof Error ? e.message : String(e)}` };
  }
  const id = createHash('sha256').update(certPem).update('\0').update(keyPem).digest('hex').slice(0, 32);
  return { ok: true, cert: { id, certPem, keyPem, x509 } };
}

/** Whether the certificate is valid for `host` (SAN DNS names, wildcards; CN when there are no SANs). */
export function coversHost(cert: TlsCert, host: string): boolean {
  if (cert.x509.checkHost(host, { subject: 'default' }) !== undefined) return true;
  // ingress-nginx falls back to the Common Name even when SANs exist.
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.x509.subject)?.[1];
  if (cn === undefined) return false;
  const c = cn.toLowerCase();
  const h = host.toLowerCase();
  if (c === h) return true;
  if (c.startsWith('*.')) {
    const dot = h.indexOf('.');
    return dot > 0 && h.slice(dot + 1) === c.slice(2);
  }
  return false;
}
