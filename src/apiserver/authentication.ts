/**
 * @module apiserver/authentication
 * Who a request is, as kube-apiserver's authenticators and its authentication.k8s.io
 * SelfSubjectReview (`kubectl auth whoami`) tell it. Pure.
 *
 * - A client certificate issued by the cluster CA authenticates as its subject:
 *   CN the username, every O a group, plus `system:authenticated` (kube's x509
 *   CommonNameUserConversion). kwire's admin certificate is `CN=kubernetes-admin,
 *   O=system:masters`, as kind's admin.conf up to 1.28.
 * - `POST /apis/authentication.k8s.io/{v1,v1beta1}/selfsubjectreviews` answers the
 *   request's own user in `status.userInfo` (username, uid, groups, extra; empty
 *   ones left out), with `metadata.creationTimestamp` set, as
 *   pkg/registry/authentication/selfsubjectreview's REST.Create does.
 */
import type { KObject } from '../store/store.js';
import type { AuthenticatedUser } from './server.js';
import { nowRfc3339 } from './registry.js';

/** The subject of a peer certificate as node:tls gives it (multi-valued attributes as arrays). */
export type CertificateSubject = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>;

const values = (v: string | ReadonlyArray<string> | undefined): string[] => (v === undefined ? [] : typeof v === 'string' ? [v] : [...v]);

/** kube's x509 user conversion; undefined when the certificate has no CN (kube refuses it). */
export function userFromCertificate(subject: CertificateSubject | undefined): AuthenticatedUser | undefined {
  const cn = values(subject?.['CN'])[0];
  if (!cn) return undefined;
  return { username: cn, groups: [...values(subject?.['O']), 'system:authenticated'] };
}

/** The SelfSubjectReview kube-apiserver answers for `user`, in the request's group-version. */
export function selfSubjectReview(user: AuthenticatedUser, apiVersion: string, now: Date): KObject {
  const userInfo: Record<string, unknown> = {};
  if (user.username) userInfo['username'] = user.username;
  if (user.uid) userInfo['uid'] = user.uid;
  if (user.groups.length > 0) userInfo['groups'] = [...user.groups];
  const extra = Object.entries(user.extra ?? {});
  if (extra.length > 0) userInfo['extra'] = Object.fromEntries(extra.map(([k, v]) => [k, [...v]]));
  return { kind: 'SelfSubjectReview', apiVersion, metadata: { creationTimestamp: nowRfc3339(now) }, status: { userInfo } };
}
