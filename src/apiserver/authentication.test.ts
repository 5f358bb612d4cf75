/**
 * @module apiserver/authentication.test
 * The user of a client certificate (CN, every O, system:authenticated) and the
 * SelfSubjectReview `kubectl auth whoami` gets for a user: empty fields left out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selfSubjectReview, userFromCertificate } from './authentication.js';

const NOW = new Date('2026-03-01T10:20:30.456Z');

test('a client certificate authenticates as CN with its O groups, as kube\'s x509 authenticator', () => {
  assert.deepEqual(userFromCertificate({ CN: 'kubernetes-admin', O: 'system:masters' }), { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] });
  assert.deepEqual(userFromCertificate({ CN: 'jane', O: ['dev', 'ops'] }), { username: 'jane', groups: ['dev', 'ops', 'system:authenticated'] });
  assert.deepEqual(userFromCertificate({ CN: 'bob' }), { username: 'bob', groups: ['system:authenticated'] });
  assert.equal(userFromCertificate({ O: 'system:masters' }), undefined);
  assert.equal(userFromCertificate(undefined), undefined);
});

test('the review of the admin: username and groups, no uid or extra', () => {
  assert.deepEqual(selfSubjectReview({ username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] }, 'authentication.k8s.io/v1', NOW), {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: '2026-03-01T10:20:30Z' },
    status: { userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] } },
  });
});

test('the review of a service account carries its uid and extra, in the version asked (v1beta1 for kubectl 1.27)', () => {
  const user = {
    username: 'system:serviceaccount:lab:default',
    uid: 'sa-uid',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:lab', 'system:authenticated'],
    extra: { 'authentication.kubernetes.io/credential-id': ['JTI=abc'], 'authentication.kubernetes.io/pod-name': ['client'] },
  };
  const r = selfSubjectReview(user, 'authentication.k8s.io/v1beta1', NOW);
  assert.equal(r.apiVersion, 'authentication.k8s.io/v1beta1');
  assert.deepEqual(r['status'], { userInfo: { username: user.username, uid: 'sa-uid', groups: user.groups, extra: user.extra } });
  const bare = selfSubjectReview({ username: 'x', uid: '', groups: [], extra: {} }, 'authentication.k8s.io/v1', NOW);
  assert.deepEqual(bare['status'], { userInfo: { username: 'x' } });
});
