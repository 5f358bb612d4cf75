/**
 * @module api/validation/authentication.test
 * The TokenRequest of `kubectl create token` as kube-apiserver reads it: the v1 default
 * (3600 s), the 10-minute and 2^32-second bounds with kube's messages, the body's name
 * and namespace checked against the URL, and fields of the wrong type refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFieldError } from '../field-errors.js';
import { TokenRequestDecodeError, readTokenRequest, validateTokenRequest, validateTokenRequestTarget } from './authentication.js';

const KUBECTL_BODY = { kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: { audiences: null, expirationSeconds: null, boundObjectRef: null }, status: { token: '', expirationTimestamp: null } };

test('what kubectl sends is defaulted to one hour for the API server audiences, unbound', () => {
  assert.deepEqual(readTokenRequest(KUBECTL_BODY), { name: '', namespace: '', audiences: [], expirationSeconds: 3600 });
  assert.deepEqual(readTokenRequest({}), { name: '', namespace: '', audiences: [], expirationSeconds: 3600 });
  assert.deepEqual(validateTokenRequest(readTokenRequest(KUBECTL_BODY)), []);
});

test('audiences, expirationSeconds and boundObjectRef are read as given', () => {
  const r = readTokenRequest({ metadata: { name: 'sa', namespace: 'lab' }, spec: { audiences: ['vault', 'x'], expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p' } } });
  assert.deepEqual(r, { name: 'sa', namespace: 'lab', audiences: ['vault', 'x'], expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p', uid: '' } });
});

test('under ten minutes and over 2^32 seconds are refused with kube\'s messages', () => {
  assert.deepEqual(validateTokenRequest({ expirationSeconds: 300 }).map(formatFieldError), ['spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes']);
  assert.deepEqual(validateTokenRequest({ expirationSeconds: 0 }).map(formatFieldError), ['spec.expirationSeconds: Invalid value: 0: may not specify a duration less than 10 minutes']);
  assert.deepEqual(validateTokenRequest({ expirationSeconds: 599 }).length, 1);
  assert.deepEqual(validateTokenRequest({ expirationSeconds: 600 }), []);
  assert.deepEqual(validateTokenRequest({ expirationSeconds: 2 ** 32 }), []);
  assert.deepEqual(validateTokenRequest({ expirationSeconds: 2 ** 32 + 1 }).map(formatFieldError), ['spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds']);
});

test('a body naming another ServiceAccount or namespace than the URL is invalid', () => {
  const req = (name: string, namespace: string) => readTokenRequest({ metadata: { name, namespace } });
  assert.deepEqual(validateTokenRequestTarget(req('', ''), 'default', 'lab'), []);
  assert.deepEqual(validateTokenRequestTarget(req('default', 'lab'), 'default', 'lab'), []);
  assert.deepEqual(validateTokenRequestTarget(req('other', ''), 'default', 'lab').map(formatFieldError), ['metadata.name: Invalid value: "other": must match the service account name if specified']);
  assert.deepEqual(validateTokenRequestTarget(req('', 'prod'), 'default', 'lab').map(formatFieldError), ['metadata.namespace: Invalid value: "prod": must match the service account namespace if specified']);
});

test('fields of the wrong type are a decode error', () => {
  for (const spec of [{ expirationSeconds: '600' }, { expirationSeconds: 600.5 }, { audiences: 'vault' }, { audiences: [1] }, { boundObjectRef: 'Pod' }, { boundObjectRef: { name: 3 } }]) {
    assert.throws(() => readTokenRequest({ spec }), TokenRequestDecodeError, JSON.stringify(spec));
  }
  assert.throws(() => readTokenRequest({ spec: [] }), TokenRequestDecodeError);
});
