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
 * - The API server's service-account authenticator: a valid token authenticates as
 *   `system:serviceaccount:NS:NAME` while its pod (and ServiceAccount, when the
 *   token names one) still exists with the same uid.
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
import { R, resourceOf } from '../controllers/informer.js';
import { ROOT_CA_CONFIGMAP, SERVICE_ACCOUNT_DIR, type ServiceAccountCredentials } from '../controllers/kubelet/service-account.js';

const SERVICE_ACCOUNTS = resourceOf('v1', 'ServiceAccount');
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
    if (k.pod) {
      const pod = registry.tryGet(R.pods, k.namespace, k.pod.name);
      if (!pod || pod.metadata.uid !== k.pod.uid || gone(pod, t)) return undefined;
    }
    return r.user;
  };
}
