/**
 * @module apiserver/service-account-token
 * Service-account tokens as kube-apiserver issues and checks them: JWTs signed
 * with the cluster's service-account key (ES256 for an ECDSA P-256 key, RS256 for RSA), `kid` derived from the public
 * key, and the bound-token claims of a TokenRequest:
 *
 * ```
 *   header  {"alg":"ES256","kid":"<base64url sha256 of the SPKI public key>"}
 *   claims  {"aud":["https://kubernetes.default.svc.cluster.local"],"exp":..,"iat":..,
 *            "iss":"https://kubernetes.default.svc.cluster.local","jti":"<uuid>",
 *            "kubernetes.io":{"namespace":"default","node":{"name":..,"uid":..},
 *                             "pod":{"name":..,"uid":..},"serviceaccount":{"name":"default","uid":..},
 *                             "warnafter":..},
 *            "nbf":..,"sub":"system:serviceaccount:default:default"}
 * ```
 *
 * A pod-bound request for 3607 seconds with the API server's own audiences (what the
 * `kube-api-access-*` volume asks for) is extended to a year with `warnafter` at 3607 s,
 * as kube-apiserver does by default (`--service-account-extend-token-expiration`); any
 * other request (`kubectl create token`, another audience) gets what it asked for.
 *
 * `verify` checks the signature with this key only, the algorithm (the key's own;
 * `none` and the rest are refused), the issuer, the audiences and the time claims (with
 * kube's one-minute leeway). Whether the bound pod and ServiceAccount still exist
 * is the caller's part (it has the registry). Node's crypto only.
 */
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, verify, type KeyObject } from 'node:crypto';

/** What the `kube-api-access-*` volume asks for (kube's WarnOnlyBoundTokenExpirationSeconds). */
export const WARN_ONLY_EXPIRATION_SECONDS = 3607;
/** The extended lifetime of such a token (kube's ExpirationExtensionSeconds: one year). */
export const EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 60 * 60;
/** kube's jwt leeway for exp and nbf. */
const LEEWAY_SECONDS = 60;

export interface TokenRequest {
  readonly namespace: string;
  readonly serviceAccount: { readonly name: string; readonly uid?: string };
  readonly pod?: { readonly name: string; readonly uid: string };
  readonly secret?: { readonly name: string; readonly uid: string };
  readonly node?: { readonly name: string; readonly uid?: string };
  /** Default: the API server's audiences. */
  readonly audiences?: ReadonlyArray<string>;
  /** Default 3607 (extended to a year when pod-bound for the API server's audiences). */
  readonly expirationSeconds?: number;
}

interface NameUid {
  readonly name: string;
  readonly uid?: string;
}

export interface TokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: ReadonlyArray<string>;
  readonly exp: number;
  readonly iat: number;
  readonly nbf: number;
  readonly jti?: string;
  readonly 'kubernetes.io': {
    readonly namespace: string;
    readonly serviceaccount: NameUid;
    readonly pod?: NameUid;
    readonly secret?: NameUid;
    readonly node?: NameUid;
    readonly warnafter?: number;
  };
}

/** The user a valid token authenticates, as kube-apiserver's service-account authenticator makes it. */
export interface ServiceAccountUser {
  readonly username: string;
  readonly uid: string;
  readonly groups: ReadonlyArray<string>;
  readonly extra: Readonly<Record<string, ReadonlyArray<string>>>;
}

export type VerifyResult = { readonly ok: true; readonly claims: TokenClaims; readonly user: ServiceAccountUser } | { readonly ok: false; readonly reason: string };

export interface ServiceAccountTokensOptions {
  /** PEM (PKCS#8 or PKCS#1) RSA private key: the cluster's sa.key. */
  readonly privateKeyPem: string;
  /** `--service-account-issuer`. */
  readonly issuer: string;
  /** `--api-audiences` (default: the issuer). */
  readonly audiences?: ReadonlyArray<string>;
  /** Seconds since the epoch (tests). */
  readonly now?: () => number;
}

/** kube's keyIDFromPublicKey: base64url(sha256(DER SubjectPublicKeyInfo)), unpadded. */
export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** "system:serviceaccount:NS:NAME". */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

const b64json = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

function parseSegment(s: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) return undefined;
  try {
    return JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function nameUid(v: unknown): NameUid | undefined {
  if (!isRecord(v) || typeof v['name'] !== 'string') return undefined;
  return typeof v['uid'] === 'string' ? { name: v['name'], uid: v['uid'] } : { name: v['name'] };
}

/** The claims of a token whose signature checked out, or why they are not usable. */
function readClaims(v: unknown): TokenClaims | string {
  if (!isRecord(v)) return 'malformed claims';
  const { iss, sub, exp, iat, nbf, jti } = v;
  const aud = typeof v['aud'] === 'string' ? [v['aud']] : v['aud'];
  if (typeof iss !== 'string' || typeof sub !== 'string') return 'malformed claims';
  if (!Array.isArray(aud) || !aud.every((a): a is string => typeof a === 'string')) return 'malformed audience claim';
  if (typeof exp !== 'number' || typeof iat !== 'number') return 'missing expiry claims';
  const k = v['kubernetes.io'];
  if (!isRecord(k) || typeof k['namespace'] !== 'string') return 'missing kubernetes.io claims';
  const sa = nameUid(k['serviceaccount']);
  if (!sa) return 'missing serviceaccount claim';
  const pod = k['pod'] === undefined ? undefined : nameUid(k['pod']);
  const secret = k['secret'] === undefined ? undefined : nameUid(k['secret']);
  const node = k['node'] === undefined ? undefined : nameUid(k['node']);
  if ((k['pod'] !== undefined && !pod) || (k['secret'] !== undefined && !secret) || (k['node'] !== undefined && !node)) return 'malformed bound object claims';
  return {
    iss,
    sub,
    aud,
    exp,
    iat,
    nbf: typeof nbf === 'number' ? nbf : iat,
    ...(typeof jti === 'string' ? { jti } : {}),
    'kubernetes.io': {
      namespace: k['namespace'],
      serviceaccount: sa,
      ...(pod ? { pod } : {}),
      ...(secret ? { secret } : {}),
      ...(node ? { node } : {}),
      ...(typeof k['warnafter'] === 'number' ? { warnafter: k['warnafter'] } : {}),
    },
  };
}

export type JwtAlgorithm = 'RS256' | 'ES256';

/** RS256 for an RSA key, ES256 for an ECDSA P-256 key; anything else is refused. */
function algorithmOf(key: KeyObject): JwtAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error('the service-account key must be an RSA or an ECDSA P-256 key');
}

/** Issues and verifies the cluster's service-account tokens. */
export class ServiceAccountTokens {
  readonly issuer: string;
  readonly audiences: ReadonlyArray<string>;
  readonly kid: string;
  /** The JWT algorithm the key signs with. */
  readonly alg: JwtAlgorithm;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly now: () => number;

  constructor(opts: ServiceAccountTokensOptions) {
    this.privateKey = createPrivateKey(opts.privateKeyPem);
    this.alg = algorithmOf(this.privateKey);
    this.publicKey = createPublicKey(this.privateKey);
    this.kid = keyId(this.publicKey);
    this.issuer = opts.issuer;
    this.audiences = opts.audiences && opts.audiences.length > 0 ? [...opts.audiences] : [opts.issuer];
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** A signed token for the request (TokenRequest semantics). */
  issue(req: TokenRequest): string {
    return this.issueWithClaims(req).token;
  }

  /**
   * A signed token and its claims. As kube's TokenREST, only a pod-bound 3607 s request
   * whose audiences are all the API server's own is extended to a year.
   */
  issueWithClaims(req: TokenRequest): { readonly token: string; readonly claims: TokenClaims } {
    const iat = this.now();
    const requested = req.expirationSeconds ?? WARN_ONLY_EXPIRATION_SECONDS;
    const aud = [...(req.audiences && req.audiences.length > 0 ? req.audiences : this.audiences)];
    const extended = requested === WARN_ONLY_EXPIRATION_SECONDS && req.pod !== undefined && aud.every((a) => this.audiences.includes(a));
    const claims: TokenClaims = {
      aud,
      exp: iat + (extended ? EXTENDED_EXPIRATION_SECONDS : requested),
      iat,
      iss: this.issuer,
      jti: randomUUID(),
      'kubernetes.io': {
        namespace: req.namespace,
        ...(req.node ? { node: req.node } : {}),
        ...(req.pod ? { pod: req.pod } : {}),
        ...(req.secret ? { secret: req.secret } : {}),
        serviceaccount: req.serviceAccount,
        ...(extended ? { warnafter: iat + requested } : {}),
      },
      nbf: iat,
      sub: serviceAccountUsername(req.namespace, req.serviceAccount.name),
    };
    const signingInput = `${b64json({ alg: this.alg, kid: this.kid })}.${b64json(claims)}`;
    const signature = sign('sha256', Buffer.from(signingInput), { key: this.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return { token: `${signingInput}.${signature}`, claims };
  }

  /** Checks a bearer token: signature, algorithm, issuer, audience, time. */
  verify(token: string): VerifyResult {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'not a JWT' };
    const [h, p, s] = parts as [string, string, string];
    const header = parseSegment(h);
    if (!isRecord(header)) return { ok: false, reason: 'malformed header' };
    if (header['alg'] !== this.alg) return { ok: false, reason: `unexpected signing algorithm ${JSON.stringify(header['alg'])}` };
    if (!/^[A-Za-z0-9_-]+$/.test(s)) return { ok: false, reason: 'malformed signature' };
    let valid: boolean;
    try {
      // JWS's ECDSA signatures are r||s (IEEE P1363), not DER; the option is ignored for RSA.
      valid = verify('sha256', Buffer.from(`${h}.${p}`), { key: this.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
    } catch {
      valid = false;
    }
    if (!valid) return { ok: false, reason: 'invalid signature' };
    const claims = readClaims(parseSegment(p));
    if (typeof claims === 'string') return { ok: false, reason: claims };
    if (claims.iss !== this.issuer) return { ok: false, reason: `issuer ${JSON.stringify(claims.iss)} is not ${JSON.stringify(this.issuer)}` };
    if (!claims.aud.some((a) => this.audiences.includes(a))) return { ok: false, reason: `token audiences ${JSON.stringify(claims.aud)} is invalid for the target audiences ${JSON.stringify(this.audiences)}` };
    const now = this.now();
    if (now > claims.exp + LEEWAY_SECONDS) return { ok: false, reason: 'token is expired' };
    if (now < claims.nbf - LEEWAY_SECONDS) return { ok: false, reason: 'token is not valid yet' };
    const k = claims['kubernetes.io'];
    if (claims.sub !== serviceAccountUsername(k.namespace, k.serviceaccount.name)) return { ok: false, reason: 'sub does not match the kubernetes.io claims' };
    const extra: Record<string, string[]> = {};
    if (claims.jti) extra['authentication.kubernetes.io/credential-id'] = [`JTI=${claims.jti}`];
    if (k.node) {
      extra['authentication.kubernetes.io/node-name'] = [k.node.name];
      if (k.node.uid) extra['authentication.kubernetes.io/node-uid'] = [k.node.uid];
    }
    if (k.pod) {
      extra['authentication.kubernetes.io/pod-name'] = [k.pod.name];
      if (k.pod.uid) extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid];
    }
    return {
      ok: true,
      claims,
      user: {
        username: claims.sub,
        uid: k.serviceaccount.uid ?? '',
        groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`, 'system:authenticated'],
        extra,
      },
    };
  }
}
