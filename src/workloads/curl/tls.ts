/**
 * @module workloads/curl/tls
 *
 * What curl's OpenSSL backend says about a TLS connection, from what Node's
 * TLS reports: the `-v` lines (lib/vtls/openssl.c: Curl_ossl_report_handshake,
 * Curl_oss_check_peer_cert, Curl_ossl_verifyhost, infof_certstack), the
 * verification texts (OpenSSL's X509_verify_cert_error_string) and the
 * handshake failures, for curl 8 (OpenSSL 3) and curl 7.74 (OpenSSL 1.1.1):
 *
 * ```
 * curl: (60) SSL certificate problem: self-signed certificate
 * curl: (60) SSL: no alternative certificate subject name matches target hostname 'x'
 * curl: (35) OpenSSL/3.3.2: error:0A00010B:SSL routines::wrong version number
 * curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to x:443
 * curl: (77) error setting certificate file: /path
 * ```
 *
 * Pure, apart from reading certificates Node already parsed.
 */
import { X509Certificate } from 'node:crypto';
import { rootCertificates, type TLSSocket } from 'node:tls';
import { ipFamily } from '../resolver/ip.js';
import type { CurlProfile } from './profile.js';

/** The OpenSSL builds behind the two curl profiles. */
export function opensslVersion(p: CurlProfile): string {
  return p.generation === 8 ? '3.3.2' : '1.1.1w';
}

/** X509_V_ERR_* as Node names them -> [number, OpenSSL 3 text]. */
const VERIFY: Readonly<Record<string, readonly [number, string]>> = {
  UNABLE_TO_GET_ISSUER_CERT: [2, 'unable to get issuer certificate'],
  UNABLE_TO_GET_CRL: [3, 'unable to get certificate CRL'],
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: [4, "unable to decrypt certificate's signature"],
  UNABLE_TO_DECRYPT_CRL_SIGNATURE: [5, "unable to decrypt CRL's signature"],
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: [6, 'unable to decode issuer public key'],
  CERT_SIGNATURE_FAILURE: [7, 'certificate signature failure'],
  CRL_SIGNATURE_FAILURE: [8, 'CRL signature failure'],
  CERT_NOT_YET_VALID: [9, 'certificate is not yet valid'],
  CERT_HAS_EXPIRED: [10, 'certificate has expired'],
  CRL_NOT_YET_VALID: [11, 'CRL is not yet valid'],
  CRL_HAS_EXPIRED: [12, 'CRL has expired'],
  ERROR_IN_CERT_NOT_BEFORE_FIELD: [13, "format error in certificate's notBefore field"],
  ERROR_IN_CERT_NOT_AFTER_FIELD: [14, "format error in certificate's notAfter field"],
  ERROR_IN_CRL_LAST_UPDATE_FIELD: [15, "format error in CRL's lastUpdate field"],
  ERROR_IN_CRL_NEXT_UPDATE_FIELD: [16, "format error in CRL's nextUpdate field"],
  OUT_OF_MEM: [17, 'out of memory'],
  DEPTH_ZERO_SELF_SIGNED_CERT: [18, 'self-signed certificate'],
  SELF_SIGNED_CERT_IN_CHAIN: [19, 'self-signed certificate in certificate chain'],
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: [20, 'unable to get local issuer certificate'],
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: [21, 'unable to verify the first certificate'],
  CERT_CHAIN_TOO_LONG: [22, 'certificate chain too long'],
  CERT_REVOKED: [23, 'certificate revoked'],
  INVALID_CA: [24, 'invalid CA certificate'],
  PATH_LENGTH_EXCEEDED: [25, 'path length constraint exceeded'],
  INVALID_PURPOSE: [26, 'unsupported certificate purpose'],
  CERT_UNTRUSTED: [27, 'certificate not trusted'],
  CERT_REJECTED: [28, 'certificate rejected'],
  HOSTNAME_MISMATCH: [62, 'hostname mismatch'],
  EE_KEY_TOO_SMALL: [66, 'EE certificate key too weak'],
  CA_KEY_TOO_SMALL: [67, 'CA certificate key too weak'],
  CA_MD_TOO_WEAK: [68, 'CA signature digest algorithm too weak'],
};

export interface VerifyResult {
  /** X509_V_OK (0) or the X509_V_ERR_* number: %{ssl_verify_result}. */
  readonly code: number;
  /** X509_verify_cert_error_string() of it ("ok" for 0). */
  readonly text: string;
}

let systemTrust: X509Certificate[] | undefined;

/** The trust anchors as certificates: the image's bundle ('system') and/or PEM texts. */
export function trustAnchors(ca: 'system' | ReadonlyArray<string>): X509Certificate[] {
  if (ca !== 'system') return ca.map((pem) => new X509Certificate(pem));
  systemTrust ??= rootCertificates.map((pem) => new X509Certificate(pem));
  return systemTrust;
}

/**
 * OpenSSL 3's "self-signed" (EXFLAG_SS): issuer = subject and signed by its
 * own key, whatever its key usage says (Node's checkIssued also demands
 * keyCertSign, which ingress-nginx's fake certificate does not have).
 */
function selfIssued(c: X509Certificate): boolean {
  return c.subject === c.issuer && c.verify(c.publicKey);
}

/** The anchor that issued `c`, if one did. */
function anchorOf(c: X509Certificate, anchors: ReadonlyArray<X509Certificate>): X509Certificate | undefined {
  return anchors.find((a) => a.fingerprint256 === c.fingerprint256) ?? anchors.find((a) => c.checkIssued(a) && c.verify(a.publicKey));
}

/** The peer's chain as sent, leaf first (Node links what the server sent). */
function sentChain(leaf: X509Certificate): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let c: X509Certificate | undefined = leaf;
  while (c && !seen.has(c.fingerprint256) && chain.length < 10) {
    seen.add(c.fingerprint256);
    chain.push(c);
    c = c.issuerCertificate;
  }
  return chain;
}

/**
 * The chain verification result of a finished handshake, as curl gets it.
 * `leaf` is the socket's getPeerX509Certificate(), taken once: Node 20 on a
 * client socket hands the leaf out of the peer chain, so a second call
 * returns nothing. Node verifies with a callback that keeps going and
 * reports the last error;
 * OpenSSL under curl stops at the first. The usual first errors come from
 * building the chain, so they are worked out here: a self-signed leaf (18), a
 * self-signed top of the sent chain (19), a top no anchor issued (20, which
 * Node reports as 21 for a lone leaf). Otherwise Node's (time, purpose...).
 */
export function verifyResult(sock: TLSSocket, leaf: X509Certificate | undefined, anchors: () => ReadonlyArray<X509Certificate>, p: CurlProfile): VerifyResult {
  if (sock.authorized) return { code: 0, text: 'ok' };
  let name = String(sock.authorizationError ?? 'CERT_UNTRUSTED');
  if (leaf) {
    const chain = sentChain(leaf);
    const top = chain[chain.length - 1] ?? leaf;
    const anchored = anchorOf(top, anchors()) !== undefined;
    if (!anchored && selfIssued(top)) name = chain.length === 1 ? 'DEPTH_ZERO_SELF_SIGNED_CERT' : 'SELF_SIGNED_CERT_IN_CHAIN';
    else if (!anchored) name = 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';
  }
  if (name === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE') name = 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY';
  const known = VERIFY[name];
  const [code, text3] = known ?? [1, name.toLowerCase().replace(/_/g, ' ')];
  // OpenSSL 1.1.1 still wrote "self signed".
  const text = p.generation === 7 ? text3.replace('self-signed', 'self signed') : text3;
  return { code, text };
}

/** Why the handshake failed, as curl words it (exit 35). */
export function handshakeErrorText(err: Error & { readonly code?: string }, host: string, port: number, p: CurlProfile): string {
  if (err.code === 'ECONNRESET') {
    const why = /socket disconnected before secure TLS connection/.test(err.message) ? 'SSL_ERROR_SYSCALL' : 'Connection reset by peer';
    return `OpenSSL SSL_connect: ${why} in connection to ${host}:${port} `;
  }
  const m = /error:([0-9A-Fa-f]{8}):SSL routines:([^:]*):([^:\n]+)/.exec(err.message);
  if (!m) return `OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to ${host}:${port} `;
  const code = (m[1] ?? '').toUpperCase();
  const func = m[2] ?? '';
  const reason = m[3] ?? '';
  if (p.generation === 8) return `OpenSSL/${opensslVersion(p)}: error:${code}:SSL routines::${reason}`;
  // OpenSSL 1.1.1 packs library 20, the function and the (unchanged) reason.
  const FUNC: Readonly<Record<string, number>> = { ssl3_get_record: 0x08f, ssl3_read_bytes: 0x094, tls_process_server_certificate: 0x1a2, tls_process_server_hello: 0x25b };
  const reasonNum = parseInt(code.slice(-3), 16);
  const f = FUNC[func] ?? 0;
  const packed = ((0x14 << 24) | (f << 12) | reasonNum) >>> 0;
  return `error:${packed.toString(16).toUpperCase().padStart(8, '0')}:SSL routines:${func}:${reason}`;
}

/** The "SSL connection using" line and the ALPN answer. */
export function connectionLines(sock: TLSSocket, cert: X509Certificate | undefined, p: CurlProfile): string[] {
  const version = sock.getProtocol() ?? 'unknown';
  const cipher = sock.getCipher().standardName;
  const alpn = sock.alpnProtocol;
  if (p.generation === 7) {
    return [
      `* SSL connection using ${version} / ${cipher}\n`,
      alpn ? `* ALPN, server accepted to use ${alpn}\n` : '* ALPN, server did not agree to a protocol\n',
    ];
  }
  const GROUP: Readonly<Record<string, string>> = { X25519: 'x25519', X448: 'x448', prime256v1: 'secp256r1' };
  const eph = sock.getEphemeralKeyInfo();
  const group = eph && 'name' in eph && typeof eph.name === 'string' ? (GROUP[eph.name] ?? eph.name) : '[blank]';
  const keyType = cert?.publicKey.asymmetricKeyType;
  const sigType = keyType === 'ec' ? 'id-ecPublicKey' : keyType === 'rsa' || keyType === 'rsa-pss' ? 'RSASSA-PSS' : keyType === 'ed25519' ? 'ED25519' : 'UNDEF';
  return [
    `* SSL connection using ${version} / ${cipher} / ${group} / ${sigType}\n`,
    alpn ? `* ALPN: server accepted ${alpn}\n` : '* ALPN: server did not agree on a protocol. Uses default.\n',
  ];
}

/** x509_name_oneline(): "C=US; O=Acme Co; CN=x". */
export function oneline(name: string): string {
  return name.split('\n').filter((l) => l !== '').join('; ');
}

/** The last commonName of a subject, the one curl compares. */
function lastCn(subject: string): string | undefined {
  let cn: string | undefined;
  for (const l of subject.split('\n')) if (l.startsWith('CN=')) cn = l.slice(3);
  return cn;
}

/** The subjectAltName entries of a certificate. */
function altNames(cert: X509Certificate): Array<{ readonly type: 'dns' | 'ip'; readonly value: string }> {
  const out: Array<{ type: 'dns' | 'ip'; value: string }> = [];
  const re = /(DNS|IP Address):("(?:[^"\\]|\\.)*"|[^,]*)/g;
  for (const m of (cert.subjectAltName ?? '').matchAll(re)) {
    let v = (m[2] ?? '').trim();
    if (v.startsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    out.push({ type: m[1] === 'DNS' ? 'dns' : 'ip', value: v });
  }
  return out;
}

/** An IPv4/IPv6 literal as 16 (or 4) canonical bytes in hex, for comparison. */
function ipKey(ip: string): string | undefined {
  const fam = ipFamily(ip);
  if (fam === 4) return ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('');
  if (fam !== 6) return undefined;
  let text = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const o = (v4[1] ?? '').split('.').map(Number);
    text = text.slice(0, v4.index) + `${(((o[0] ?? 0) << 8) | (o[1] ?? 0)).toString(16)}:${(((o[2] ?? 0) << 8) | (o[3] ?? 0)).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const hs = head === '' ? [] : head.split(':');
  const ts = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? hs : [...hs, ...Array<string>(8 - hs.length - ts.length).fill('0'), ...ts];
  return groups.map((g) => g.padStart(4, '0')).join('');
}

/** Curl_cert_hostcheck(): a certificate name pattern against the host. */
export function hostMatches(pattern: string, host: string): boolean {
  const pat = pattern.replace(/\.$/, '').toLowerCase();
  const h = host.replace(/\.$/, '').toLowerCase();
  const star = pat.indexOf('*');
  if (star < 0) return pat === h;
  if (ipFamily(h) !== undefined) return false;
  const patLabelEnd = pat.indexOf('.');
  if (patLabelEnd < 0 || pat.lastIndexOf('.') === patLabelEnd || pat.startsWith('xn--')) return pat === h;
  const hostLabelEnd = h.indexOf('.');
  if (hostLabelEnd < 0) return false;
  if (pat.slice(patLabelEnd) !== h.slice(hostLabelEnd)) return false;
  if (hostLabelEnd < patLabelEnd) return false;
  if (star > patLabelEnd) return false;
  const prefix = pat.slice(0, star);
  const suffix = pat.slice(star + 1, patLabelEnd);
  const label = h.slice(0, hostLabelEnd);
  return label.startsWith(prefix) && label.endsWith(suffix);
}

export type HostCheck = { readonly ok: true; readonly line: string } | { readonly ok: false; readonly lines: ReadonlyArray<string>; readonly message: string };

/** Curl_ossl_verifyhost(): the certificate's names against the URL's host. */
export function checkHost(cert: X509Certificate, host: string, p: CurlProfile): HostCheck {
  const fam = ipFamily(host);
  const hostKey = fam !== undefined ? ipKey(host) : undefined;
  const names = altNames(cert);
  let sawAlt = false;
  for (const n of names) {
    sawAlt = true;
    if (fam === undefined && n.type === 'dns' && hostMatches(n.value, host)) {
      return { ok: true, line: `*  subjectAltName: host "${host}" matched cert's "${n.value}"\n` };
    }
    if (fam !== undefined && n.type === 'ip' && hostKey !== undefined && ipKey(n.value) === hostKey) {
      return { ok: true, line: `*  subjectAltName: host "${host}" matched cert's IP address!\n` };
    }
  }
  const hostWord = p.generation === 8 ? 'hostname' : 'host name';
  if (sawAlt) {
    if (p.generation === 7) {
      return { ok: false, lines: [`*  subjectAltName does not match ${host}\n`], message: `SSL: no alternative certificate subject name matches target host name '${host}'` };
    }
    const tname = fam === 4 ? 'ipv4 address' : fam === 6 ? 'ipv6 address' : 'hostname';
    return {
      ok: false,
      lines: [`*  subjectAltName does not match ${tname} ${host}\n`],
      message: `SSL: no alternative certificate subject name matches target ${tname} '${host}'`,
    };
  }
  const cn = lastCn(cert.subject);
  if (cn === undefined) return { ok: false, lines: [], message: 'SSL: unable to obtain common name from peer certificate' };
  if (!hostMatches(cn, host)) return { ok: false, lines: [], message: `SSL: certificate subject name '${cn}' does not match target ${hostWord} '${host}'` };
  return { ok: true, line: `*  common name: ${cn} (matched)\n` };
}

// ------------------------------------------------------------ certificate levels

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

function tlv(b: Buffer, at: number): Tlv | undefined {
  const tag = b[at];
  let len = b[at + 1];
  if (tag === undefined || len === undefined) return undefined;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (b[start + i] ?? 0);
    start += n;
  }
  return { tag, start, end: start + len };
}

function oidText(b: Buffer): string {
  const first = b[0] ?? 0;
  const parts = [Math.floor(first / 40), first % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    const x = b[i] ?? 0;
    v = v * 128 + (x & 0x7f);
    if (!(x & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

const SIG_ALGS: Readonly<Record<string, string>> = {
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

/** Certificate.signatureAlgorithm, by OpenSSL's long name. */
function signatureAlgorithm(cert: X509Certificate): string {
  const der = cert.raw;
  const outer = tlv(der, 0);
  if (!outer) return 'undefined';
  const tbs = tlv(der, outer.start);
  if (!tbs) return 'undefined';
  const alg = tlv(der, tbs.end);
  if (!alg) return 'undefined';
  const oid = tlv(der, alg.start);
  if (!oid || oid.tag !== 0x06) return 'undefined';
  const text = oidText(der.subarray(oid.start, oid.end));
  return SIG_ALGS[text] ?? text;
}

const CURVE_BITS: Readonly<Record<string, readonly [number, number]>> = {
  prime256v1: [256, 128],
  secp384r1: [384, 192],
  secp521r1: [521, 256],
};

function rsaSecBits(bits: number): number {
  if (bits >= 15360) return 256;
  if (bits >= 7680) return 192;
  if (bits >= 4096) return 152;
  if (bits >= 3072) return 128;
  if (bits >= 2048) return 112;
  if (bits >= 1024) return 80;
  return 0;
}

/** "Public key type EC/prime256v1 (256/128 Bits/secBits)". */
function keyDescription(cert: X509Certificate): string {
  const k = cert.publicKey;
  const d = k.asymmetricKeyDetails ?? {};
  switch (k.asymmetricKeyType) {
    case 'ec': {
      const curve = d.namedCurve ?? '?';
      const [bits, sec] = CURVE_BITS[curve] ?? [0, 0];
      return `EC/${curve} (${bits}/${sec} Bits/secBits)`;
    }
    case 'rsa':
    case 'rsa-pss': {
      const bits = d.modulusLength ?? 0;
      return `${k.asymmetricKeyType === 'rsa' ? 'RSA' : 'RSA-PSS'} (${bits}/${rsaSecBits(bits)} Bits/secBits)`;
    }
    case 'ed25519':
      return 'ED25519 (253/128 Bits/secBits)';
    case 'ed448':
      return 'ED448 (456/224 Bits/secBits)';
    default:
      return `${(k.asymmetricKeyType ?? '?').toUpperCase()} (0/0 Bits/secBits)`;
  }
}

/**
 * infof_certstack(): one line per certificate, leaf first: the verified
 * chain (with its trust anchor) when verification passed, else the chain as
 * the server sent it.
 */
export function certLevelLines(leaf: X509Certificate, verified: boolean, anchors: ReadonlyArray<X509Certificate>): string[] {
  const chain = sentChain(leaf);
  if (verified) {
    const top = chain[chain.length - 1] ?? leaf;
    const anchor = anchorOf(top, anchors);
    if (anchor && anchor.fingerprint256 !== top.fingerprint256) chain.push(anchor);
  }
  return chain.map((c, i) => `*   Certificate level ${i}: Public key type ${keyDescription(c)}, signed using ${signatureAlgorithm(c)}\n`);
}

/** The tool's paragraph after "curl: (60) ..." (src/tool_operate.c CURL_CA_CERT_ERRORMSG). */
export function caCertHelp(p: CurlProfile): string {
  return (
    'More details here: https://curl.se/docs/sslcerts.html\n\n' +
    'curl failed to verify the legitimacy of the server and therefore could not\n' +
    'establish a secure connection to it. To learn more about this situation and\n' +
    `how to fix it, please visit the ${p.generation === 8 ? 'webpage' : 'web page'} mentioned above.\n`
  );
}
