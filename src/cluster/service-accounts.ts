/**
 * @module cluster/service-accounts
 * Service accounts in a pod, as on a real cluster:
 *
 * - The ServiceAccount admission (kube-apiserver's `ServiceAccount` plugin) on every
 *   new Pod: `serviceAccountName` defaults to `default` (and the deprecated
 *   `serviceAccount` mirrors it, as the v1 API returns it), and unless
 *   `automountServiceAccountToken: false` on the pod or its ServiceAccount, the
 *   `kube-api-access-xxxxx` projected volume (token 3607 s, the `kube-root-ca.crt`
 *   ConfigMap's `ca.crt`, the namespace) is added and mounted read-only at
 *   /var/run/secrets/kubernetes.io/serviceaccount in every container that has no
 *   mount there. Unlike kube-apiserver it does not refuse a pod whose ServiceAccount
 *   does not exist yet (the `default` one is made by controllers/namespace-defaults.ts
 *   just after its namespace, and a pod created in between must not fail).
 * - The kubelet's TokenRequest: tokens signed by the cluster's service-account key,
 *   bound to the pod (and its node and ServiceAccount when they exist).
 * - The TokenRequest subresource (`kubectl create token`, kube's TokenREST): the
 *   ServiceAccount must exist, `spec.expirationSeconds` (default 3600) is validated, a
 *   bound Pod, Secret or Node must exist (with the uid, if given), and the token is
 *   signed for the requested audiences (default: the API server's).
 * - The API server's service-account authenticator: a valid token authenticates as
 *   `system:serviceaccount:NS:NAME` while its pod, secret or node (and ServiceAccount,
 *   when the token names one) still exists with the same uid.
 *
 * kwire has no authorization: an authenticated service account may do everything,
 * like every other user (a cluster run with --authorization-mode=AlwaysAllow).
 */
import type { Container, PodSpec, Volume, VolumeMount } from 'kubernetes-types/core/v1.js';
import type { Admission, Registry } from '../apiserver/registry.js';
import { randomSuffix } from '../apiserver/registry.js';
import type { AuthenticatedUser } from '../apiserver/server.js';
import { WARN_ONLY_EXPIRATION_SECONDS, type ServiceAccountTokens } from '../apiserver/service-account-token.js';
import type { KObject } from '../store/store.js';
import { errors } from '../errors.js';
import { invalidStatusMessage, statusCauses, type FieldError } from '../api/field-errors.js';
import { TokenRequestDecodeError, readTokenRequest, validateTokenRequest, validateTokenRequestTarget } from '../api/validation/authentication.js';
import { nowRfc3339 } from '../apiserver/registry.js';
import { R, resourceOf } from '../controllers/informer.js';
import { ROOT_CA_CONFIGMAP, SERVICE_ACCOUNT_DIR, type ServiceAccountCredentials } from '../controllers/kubelet/service-account.js';

const SERVICE_ACCOUNTS = resourceOf('v1', 'ServiceAccount');
const SECRETS = resourceOf('v1', 'Secret');
/** kube's ServiceAccountVolumeName: the volume is `kube-api-access-<5 random>`. */
export const API_ACCESS_VOLUME_PREFIX = 'kube-api-access-';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** kube's TokenVolumeSource(). */
export function tokenVolumeSource(): NonNullable<Volume['projected']> {
  return {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: WARN_ONLY_EXPIRATION_SECONDS, path: 'token' } },
      { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  };
}

/** kube's shouldAutomount: the pod's preference, else the ServiceAccount's, else true. */
export function shouldAutomount(spec: Pick<PodSpec, 'automountServiceAccountToken'>, sa: { automountServiceAccountToken?: boolean } | undefined): boolean {
  return spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true;
}

/**
 * Mutates a new pod's spec as the ServiceAccount admission does (mountServiceAccountToken).
 * `sa` is the pod's ServiceAccount if it exists. Pure apart from the random suffix.
 */
export function admitPodServiceAccount(spec: PodSpec, sa: { automountServiceAccountToken?: boolean } | undefined, suffix: () => string = randomSuffix): void {
  if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || 'default';
  spec.serviceAccount = spec.serviceAccountName;
  if (!shouldAutomount(spec, sa)) return;
  const existing = (spec.volumes ?? []).find((v) => v.name.startsWith(API_ACCESS_VOLUME_PREFIX));
  const name = existing?.name ?? `${API_ACCESS_VOLUME_PREFIX}${suffix()}`;
  const mount: VolumeMount = { name, readOnly: true, mountPath: SERVICE_ACCOUNT_DIR };
  let needed = false;
  const addTo = (cs: Container[] | undefined): void => {
    for (const c of cs ?? []) {
      if ((c.volumeMounts ?? []).some((m) => m.mountPath === SERVICE_ACCOUNT_DIR)) continue;
      c.volumeMounts = [...(c.volumeMounts ?? []), { ...mount }];
      needed = true;
    }
  };
  addTo(spec.initContainers);
  addTo(spec.containers);
  if (!existing && needed) spec.volumes = [...(spec.volumes ?? []), { name, projected: tokenVolumeSource() }];
}

/** The ServiceAccount admission for the registry (CREATE of a Pod, dry runs included). */
export function serviceAccountAdmission(registry: Registry): Admission {
  return {
    admit(op, res, obj) {
      if (op !== 'CREATE' || res.group !== '' || res.kind !== 'Pod' || !obj) return;
      if (obj.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
      const spec = obj['spec'] as PodSpec | undefined;
      if (!spec) return;
      const name = spec.serviceAccountName || spec.serviceAccount || 'default';
      const sa = registry.tryGet(SERVICE_ACCOUNTS, obj.metadata.namespace, name) as (Readonly<KObject> & { automountServiceAccountToken?: boolean }) | undefined;
      admitPodServiceAccount(spec, sa);
    },
  };
}

/** The kubelet's side: the CA and tokens bound to the pod, its node and its ServiceAccount. */
export function kubeletCredentials(tokens: ServiceAccountTokens, registry: Registry, caCert: string): ServiceAccountCredentials {
  return {
    caCert,
    token(req) {
      const sa = registry.tryGet(SERVICE_ACCOUNTS, req.namespace, req.serviceAccountName);
      const node = registry.tryGet(R.nodes, undefined, req.nodeName);
      return tokens.issue({
        namespace: req.namespace,
        serviceAccount: { name: req.serviceAccountName, ...(sa?.metadata.uid ? { uid: sa.metadata.uid } : {}) },
        pod: { name: req.podName, uid: req.podUid },
        node: { name: req.nodeName, ...(node?.metadata.uid ? { uid: node.metadata.uid } : {}) },
        ...(req.audience !== undefined ? { audiences: [req.audience] } : {}),
        ...(req.expirationSeconds !== undefined ? { expirationSeconds: req.expirationSeconds } : {}),
      });
    },
  };
}

/** Whether an object's deletionTimestamp has passed (kube's "awaiting removal"). */
function gone(o: Readonly<KObject>, now: number): boolean {
  const t = o.metadata.deletionTimestamp;
  return t !== undefined && t !== null && Date.parse(t) < now;
}

/**
 * The API server's service-account authenticator: a token with a valid signature and
 * claims whose bound objects are still there authenticates as the service account.
 */
export function serviceAccountAuthenticator(tokens: ServiceAccountTokens, registry: Registry, now: () => number = Date.now): (token: string) => AuthenticatedUser | undefined {
  return (token) => {
    const r = tokens.verify(token);
    if (!r.ok) return undefined;
    const k = r.claims['kubernetes.io'];
    const t = now();
    const sa = registry.tryGet(SERVICE_ACCOUNTS, k.namespace, k.serviceaccount.name);
    if (k.serviceaccount.uid !== undefined && (!sa || sa.metadata.uid !== k.serviceaccount.uid || gone(sa, t))) return undefined;
    if (k.secret) {
      const secret = registry.tryGet(SECRETS, k.namespace, k.secret.name);
      if (!secret || secret.metadata.uid !== k.secret.uid || gone(secret, t)) return undefined;
    }
    if (k.pod) {
      const pod = registry.tryGet(R.pods, k.namespace, k.pod.name);
      if (!pod || pod.metadata.uid !== k.pod.uid || gone(pod, t)) return undefined;
    } else if (k.node) {
      // A token bound to the node itself (not a pod's node claim): the node must still be there.
      const node = registry.tryGet(R.nodes, undefined, k.node.name);
      if (!node || node.metadata.uid !== k.node.uid || gone(node, t)) return undefined;
    }
    return r.user;
  };
}

const TOKEN_REQUEST_GK = 'authentication.k8s.io/TokenRequest';

function invalidTokenRequest(name: string, errs: FieldError[]): Error {
  return errors.invalid('authentication.k8s.io', 'TokenRequest', name, invalidStatusMessage(TOKEN_REQUEST_GK, name, errs), statusCauses(errs));
}

/** `schema.GroupVersionKind.String()`: "/v1, Kind=ConfigMap". */
function gvkString(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return `${group}/${version}, Kind=${kind}`;
}

/**
 * The TokenRequest subresource, as kube-apiserver's TokenREST.Create (1.31): the body's
 * name/namespace must match the URL, the ServiceAccount must exist (NotFound), then
 * `ValidateTokenRequest` (Invalid), then the bound object (NotFound, BadRequest for a
 * kind that cannot be bound or a pod of another ServiceAccount, Conflict for another
 * uid). Returns the TokenRequest with `status.token` and `status.expirationTimestamp`
 * (now + spec.expirationSeconds). `body` is the decoded request (apiVersion and kind
 * already checked).
 */
export function serviceAccountTokenRequest(tokens: ServiceAccountTokens, registry: Registry, now: () => Date = () => new Date()): (namespace: string, name: string, body: KObject) => KObject {
  return (namespace, name, body) => {
    let req;
    try {
      req = readTokenRequest(body);
    } catch (e) {
      if (e instanceof TokenRequestDecodeError) throw errors.badRequest(`TokenRequest in version "v1" cannot be handled as a TokenRequest: ${e.message}`);
      throw e;
    }
    const target = validateTokenRequestTarget(req, name, namespace);
    if (target.length > 0) throw invalidTokenRequest(name, target);
    const sa = registry.get(SERVICE_ACCOUNTS, namespace, name);
    const audiences = req.audiences.length > 0 ? [...req.audiences] : [...tokens.audiences];
    const created = now();
    const invalid = validateTokenRequest(req);
    if (invalid.length > 0) throw invalidTokenRequest('', invalid);
    let pod: { name: string; uid: string } | undefined;
    let secret: { name: string; uid: string } | undefined;
    let node: { name: string; uid?: string } | undefined;
    const ref = req.boundObjectRef;
    if (ref) {
      const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
      let uid: string | undefined;
      if (group === '' && ref.kind === 'Pod') {
        const p = registry.get(R.pods, namespace, ref.name);
        const podSa = (p['spec'] as { serviceAccountName?: string } | undefined)?.serviceAccountName;
        if (podSa !== name) throw errors.badRequest(`cannot bind token for serviceaccount ${JSON.stringify(name)} to pod running with different serviceaccount name.`);
        uid = p.metadata.uid;
        pod = { name: ref.name, uid: uid ?? '' };
        const nodeName = (p['spec'] as { nodeName?: string } | undefined)?.nodeName;
        if (nodeName) {
          // ServiceAccountTokenPodNodeInfo: the pod's node, with its uid when the Node exists.
          const n = registry.tryGet(R.nodes, undefined, nodeName);
          node = { name: nodeName, ...(n?.metadata.uid ? { uid: n.metadata.uid } : {}) };
        }
      } else if (group === '' && ref.kind === 'Node') {
        const n = registry.get(R.nodes, undefined, ref.name);
        uid = n.metadata.uid;
        node = { name: ref.name, uid: uid ?? '' };
      } else if (group === '' && ref.kind === 'Secret') {
        const s = registry.get(SECRETS, namespace, ref.name);
        uid = s.metadata.uid;
        secret = { name: ref.name, uid: uid ?? '' };
      } else {
        throw errors.badRequest(`cannot bind token to object of type ${gvkString(ref.apiVersion, ref.kind)}`);
      }
      if (ref.uid !== '' && uid !== ref.uid) {
        throw errors.conflict(group, ref.kind, ref.name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
      }
    }
    const token = tokens.issue({
      namespace,
      serviceAccount: { name, ...(sa.metadata.uid ? { uid: sa.metadata.uid } : {}) },
      ...(pod ? { pod } : {}),
      ...(secret ? { secret } : {}),
      ...(node ? { node } : {}),
      audiences,
      expirationSeconds: req.expirationSeconds,
    });
    const expires = new Date(created.getTime() + req.expirationSeconds * 1000);
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: nowRfc3339(created) },
      spec: {
        audiences,
        expirationSeconds: req.expirationSeconds,
        boundObjectRef: ref ? { ...(ref.kind ? { kind: ref.kind } : {}), ...(ref.apiVersion ? { apiVersion: ref.apiVersion } : {}), ...(ref.name ? { name: ref.name } : {}), ...(ref.uid ? { uid: ref.uid } : {}) } : null,
      },
      status: { token, expirationTimestamp: nowRfc3339(expires) },
    };
  };
}
