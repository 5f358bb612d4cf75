/**
 * @module controllers/kubelet/service-account
 * The service-account volume as the kubelet projects it: which container gets
 * `/var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,namespace}`, and
 * where each file goes. Pure; the kubelet fills in the contents (a token from the
 * cluster's issuer, the cluster CA, the pod's namespace).
 *
 * A container that mounts a volume at that path gets what the volume projects when
 * it is the `kube-api-access-*` kind (a projected volume with a serviceAccountToken
 * source: the token at its path with its audience and lifetime, the CA where the
 * `kube-root-ca.crt` ConfigMap's `ca.crt` goes, the namespace where the downward API
 * puts `metadata.namespace`); any other volume there is the user's, and kwire
 * projects nothing into it. A container without a mount there (a pod stored before
 * the ServiceAccount admission added the volume) follows the automount rule:
 * `automountServiceAccountToken` of the pod, else of its ServiceAccount, else true.
 */

/** kube's DefaultAPITokenMountPath. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The ConfigMap every namespace has on a real cluster, holding the cluster CA as `ca.crt`. */
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

interface KeyToPath {
  key: string;
  path: string;
}

interface VolumeProjection {
  serviceAccountToken?: { audience?: string; expirationSeconds?: number; path: string };
  configMap?: { name?: string; items?: KeyToPath[] };
  downwardAPI?: { items?: Array<{ path: string; fieldRef?: { fieldPath: string } }> };
}

export interface PodSpecVolumes {
  automountServiceAccountToken?: boolean;
  volumes?: Array<{ name: string; projected?: { sources?: VolumeProjection[] } }>;
}

/** What fills one file of the volume. */
export interface ServiceAccountFile {
  /** Absolute path in the container. */
  readonly path: string;
  readonly source: 'token' | 'ca.crt' | 'namespace';
  readonly audience?: string;
  readonly expirationSeconds?: number;
}

/** The volume a container gets: its directory (mounted read-only) and files. */
export interface ServiceAccountVolumePlan {
  readonly dir: string;
  readonly files: ReadonlyArray<ServiceAccountFile>;
}

/** A request for a pod's token (the kubelet's TokenRequest). */
export interface PodTokenRequest {
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly podName: string;
  readonly podUid: string;
  readonly nodeName: string;
  readonly audience?: string;
  readonly expirationSeconds?: number;
}

/** What the kubelet needs from the control plane for the volume. */
export interface ServiceAccountCredentials {
  /** The cluster CA (PEM): `ca.crt`. */
  readonly caCert: string;
  /** A signed token for the pod. */
  token(req: PodTokenRequest): string;
}

function normalize(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** The default volume (kube-api-access-*) at the default path. */
function defaultPlan(): ServiceAccountVolumePlan {
  return {
    dir: SERVICE_ACCOUNT_DIR,
    files: [
      { path: `${SERVICE_ACCOUNT_DIR}/token`, source: 'token' },
      { path: `${SERVICE_ACCOUNT_DIR}/ca.crt`, source: 'ca.crt' },
      { path: `${SERVICE_ACCOUNT_DIR}/namespace`, source: 'namespace' },
    ],
  };
}

/**
 * The service-account volume of one container, or undefined when it gets none.
 * `serviceAccountAutomount` is the pod's ServiceAccount's automountServiceAccountToken.
 */
export function serviceAccountVolume(spec: PodSpecVolumes, container: { volumeMounts?: VolumeMount[] }, serviceAccountAutomount: boolean | undefined): ServiceAccountVolumePlan | undefined {
  const mount = (container.volumeMounts ?? []).find((m) => normalize(m.mountPath) === SERVICE_ACCOUNT_DIR);
  if (mount) {
    const sources = spec.volumes?.find((v) => v.name === mount.name)?.projected?.sources ?? [];
    const sat = sources.find((s) => s.serviceAccountToken)?.serviceAccountToken;
    if (!sat) return undefined;
    const at = (p: string) => normalize(`${SERVICE_ACCOUNT_DIR}/${p}`);
    const files: ServiceAccountFile[] = [];
    for (const s of sources) {
      if (s.serviceAccountToken) {
        const t = s.serviceAccountToken;
        files.push({
          path: at(t.path),
          source: 'token',
          ...(t.audience ? { audience: t.audience } : {}),
          ...(t.expirationSeconds !== undefined ? { expirationSeconds: t.expirationSeconds } : {}),
        });
      }
      if (s.configMap?.name === ROOT_CA_CONFIGMAP) {
        for (const i of s.configMap.items ?? [{ key: 'ca.crt', path: 'ca.crt' }]) if (i.key === 'ca.crt') files.push({ path: at(i.path), source: 'ca.crt' });
      }
      for (const i of s.downwardAPI?.items ?? []) if (i.fieldRef?.fieldPath === 'metadata.namespace') files.push({ path: at(i.path), source: 'namespace' });
    }
    // Paths are relative to the volume (validation refuses ".."); nothing lands outside it.
    return { dir: SERVICE_ACCOUNT_DIR, files: files.filter((f) => f.path.startsWith(`${SERVICE_ACCOUNT_DIR}/`)) };
  }
  const automount = spec.automountServiceAccountToken ?? serviceAccountAutomount ?? true;
  return automount ? defaultPlan() : undefined;
}
