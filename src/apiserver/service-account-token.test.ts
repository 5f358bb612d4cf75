/**
 * @module apiserver/service-account-token.test
 * Service-account JWTs: what a token carries (header, claims, the one-year extension
 * of a 3607 s request), and what verify refuses: another key, a changed payload, the
 * `none` algorithm, another audience or issuer, an expired or not-yet-valid token.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, createSign } from 'node:crypto';
import { EXTENDED_EXPIRATION_SECONDS, ServiceAccountTokens, keyId, serviceAccountUsername } from './service-account-token.js';
import { makeServiceAccountKey } from './pki.js';

const ISSUER = 'https://kubernetes.default.svc.cluster.local';
const keyA = await makeServiceAccountKey();
const keyB = await makeServiceAccountKey();

let clock = 1_800_000_000;
const tokensWith = (key: string, opts: { audiences?: string[]; issuer?: string } = {}) => new ServiceAccountTokens({ privateKeyPem: key, issuer: opts.issuer ?? ISSUER, ...(opts.audiences ? { audiences: opts.audiences } : {}), now: () => clock });

const REQ = {
  namespace: 'lab',
  serviceAccount: { name: 'default', uid: 'sa-uid' },
  pod: { name: 'client', uid: 'pod-uid' },
  node: { name: 'kwire-worker', uid: 'node-uid' },
};

function decode(token: string): { header: Record<string, unknown>; claims: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()) as Record<string, unknown>, claims: JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown> };
}

function reason(r: ReturnType<ServiceAccountTokens['verify']>): string {
  return r.ok ? 'ok' : r.reason;
}

test('a token is an ES256 JWT with the bound-token claims; a 3607 s request lasts a year and warns after 3607 s', () => {
  clock = 1_800_000_000;
  const tokens = tokensWith(keyA);
  const t = tokens.issue(REQ);
  const { header, claims } = decode(t);
  assert.deepEqual(header, { alg: 'ES256', kid: keyId(createPublicKey(keyA)) });
  assert.match(String(header['kid']), /^[A-Za-z0-9_-]{43}$/);
  assert.equal(typeof claims['jti'], 'string');
  assert.deepEqual({ ...claims, jti: '' }, {
    aud: [ISSUER],
    exp: clock + EXTENDED_EXPIRATION_SECONDS,
    iat: clock,
    iss: ISSUER,
    jti: '',
    'kubernetes.io': {
      namespace: 'lab',
      node: { name: 'kwire-worker', uid: 'node-uid' },
      pod: { name: 'client', uid: 'pod-uid' },
      serviceaccount: { name: 'default', uid: 'sa-uid' },
      warnafter: clock + 3607,
    },
    nbf: clock,
    sub: 'system:serviceaccount:lab:default',
  });
  const r = tokens.verify(t);
  assert.ok(r.ok, reason(r));
  assert.equal(r.user.username, serviceAccountUsername('lab', 'default'));
  assert.equal(r.user.uid, 'sa-uid');
  assert.deepEqual(r.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:lab', 'system:authenticated']);
  assert.deepEqual(r.user.extra['authentication.kubernetes.io/pod-name'], ['client']);
  assert.deepEqual(r.user.extra['authentication.kubernetes.io/pod-uid'], ['pod-uid']);
  assert.deepEqual(r.user.extra['authentication.kubernetes.io/node-name'], ['kwire-worker']);
  assert.deepEqual(r.user.extra['authentication.kubernetes.io/credential-id'], [`JTI=${String(claims['jti'])}`]);
});

test('expiry: a token of another lifetime is not extended, and is refused once past exp (with the one-minute leeway)', () => {
  clock = 1_800_000_000;
  const tokens = tokensWith(keyA);
  const t = tokens.issue({ ...REQ, expirationSeconds: 600 });
  const { claims } = decode(t);
  assert.equal(claims['exp'], clock + 600);
  assert.equal((claims['kubernetes.io'] as Record<string, unknown>)['warnafter'], undefined);
  clock += 600 + 60;
  assert.equal(reason(tokens.verify(t)), 'ok', 'within the leeway');
  clock += 1;
  assert.equal(reason(tokens.verify(t)), 'token is expired');
  clock = 1_800_000_000 - 120;
  assert.equal(reason(tokens.verify(t)), 'token is not valid yet');
});

test('a token signed by another key, or with a changed payload, is refused', () => {
  clock = 1_800_000_000;
  const a = tokensWith(keyA);
  const b = tokensWith(keyB);
  assert.notEqual(a.kid, b.kid);
  assert.equal(reason(a.verify(b.issue(REQ))), 'invalid signature');
  const [h, p, s] = a.issue(REQ).split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:default' })).toString('base64url');
  assert.equal(reason(a.verify(`${h}.${forged}.${s}`)), 'invalid signature');
  assert.equal(reason(a.verify(`${h}.${p}.${s.slice(0, -4)}AAAA`)), 'invalid signature');
});

test('the none algorithm, another algorithm and what is not a JWT are refused', () => {
  clock = 1_800_000_000;
  const a = tokensWith(keyA);
  const [, p] = a.issue(REQ).split('.') as [string, string, string];
  const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
  assert.equal(reason(a.verify(`${none}.${p}.`)), 'unexpected signing algorithm "none"');
  const hs = Buffer.from(JSON.stringify({ alg: 'HS256', kid: a.kid })).toString('base64url');
  assert.equal(reason(a.verify(`${hs}.${p}.c2ln`)), 'unexpected signing algorithm "HS256"');
  assert.equal(reason(a.verify('not-a-token')), 'not a JWT');
  assert.equal(reason(a.verify('a.b.c')), 'malformed header');
  assert.equal(reason(a.verify('')), 'not a JWT');
});

test('audience and issuer: a token for another audience, or from another issuer, is refused', () => {
  clock = 1_800_000_000;
  const api = tokensWith(keyA);
  const vault = api.issue({ ...REQ, audiences: ['vault'] });
  assert.deepEqual(decode(vault).claims['aud'], ['vault']);
  assert.equal(reason(api.verify(vault)), 'token audiences ["vault"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]');
  assert.equal(reason(tokensWith(keyA, { audiences: ['vault', ISSUER] }).verify(vault)), 'ok', 'an API server that accepts that audience');
  const other = tokensWith(keyA, { issuer: 'https://kubernetes.default.svc.example.org' });
  assert.match(reason(api.verify(other.issue(REQ))), /^issuer "https:\/\/kubernetes\.default\.svc\.example\.org" is not/);
});

test('claims are checked after the signature: a validly signed token without the kubernetes.io claims, or with a sub of another account, is refused', () => {
  clock = 1_800_000_000;
  const a = tokensWith(keyA);
  const signed = (claims: Record<string, unknown>): string => {
    const input = `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: a.kid })).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${input}.${createSign('sha256').update(input).sign({ key: keyA, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };
  const base = { iss: ISSUER, aud: ISSUER, iat: clock, nbf: clock, exp: clock + 600 };
  assert.equal(reason(a.verify(signed({ ...base, sub: 'system:serviceaccount:lab:default' }))), 'missing kubernetes.io claims');
  const k = { namespace: 'lab', serviceaccount: { name: 'default' } };
  assert.equal(reason(a.verify(signed({ ...base, sub: 'system:serviceaccount:kube-system:admin', 'kubernetes.io': k }))), 'sub does not match the kubernetes.io claims');
  const ok = a.verify(signed({ ...base, sub: 'system:serviceaccount:lab:default', 'kubernetes.io': k }));
  assert.ok(ok.ok, reason(ok));
  assert.equal(ok.user.uid, '', 'a string aud and no uid are accepted');
});

test('an RSA key signs RS256 and verifies only RS256; other key types are refused', async () => {
  clock = 1_800_000_000;
  const rsa = tokensWith(await makeServiceAccountKey('rsa'));
  const t = rsa.issue(REQ);
  assert.equal(decode(t).header['alg'], 'RS256');
  assert.equal(reason(rsa.verify(t)), 'ok');
  const es = tokensWith(keyA);
  assert.equal(reason(es.verify(t)), 'unexpected signing algorithm "RS256"');
  assert.equal(reason(rsa.verify(es.issue(REQ))), 'unexpected signing algorithm "ES256"');
  const { generateKeyPairSync } = await import('node:crypto');
  const ed = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  assert.throws(() => tokensWith(ed), /must be an RSA or an ECDSA P-256 key/);
});

test('only a pod-bound 3607 s request for the API server\'s audiences is extended (kube\'s TokenREST)', () => {
  const tokens = tokensWith(keyA);
  const lifetime = (t: string): number => {
    const { claims } = decode(t);
    return (claims['exp'] as number) - (claims['iat'] as number);
  };
  assert.equal(lifetime(tokens.issue(REQ)), EXTENDED_EXPIRATION_SECONDS);
  assert.equal(lifetime(tokens.issue({ ...REQ, audiences: [ISSUER] })), EXTENDED_EXPIRATION_SECONDS);
  const { pod: _pod, ...unbound } = REQ;
  assert.equal(lifetime(tokens.issue({ ...unbound, expirationSeconds: 3607 })), 3607, 'not pod-bound (kubectl create token --duration 3607s)');
  assert.equal(lifetime(tokens.issue({ ...REQ, audiences: ['vault'] })), 3607, 'another audience');
  assert.equal(lifetime(tokens.issue({ ...REQ, audiences: [ISSUER, 'vault'] })), 3607, 'not only the API server');
  const k = decode(tokens.issue({ ...REQ, audiences: ['vault'] })).claims['kubernetes.io'] as Record<string, unknown>;
  assert.equal(k['warnafter'], undefined);
});
