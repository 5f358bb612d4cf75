/**
 * @module apiserver/streams/pod-identity
 * The runtime-level names a real node shows in port-forward errors: the pod sandbox
 * ID (64 hex digits, which the kubelet passes as the "pod" of its streaming server,
 * with an empty uid) and the sandbox's network namespace path. kwire derives both
 * deterministically from the pod UID, and formats containerd's error texts:
 *
 *   error forwarding port 8080 to pod <sandbox>, uid : failed to execute portforward in
 *   network namespace "/var/run/netns/cni-<uuid>": failed to connect to localhost:8080
 *   inside namespace "<sandbox>", IPv4: dial tcp4 127.0.0.1:8080: connect: connection
 *   refused IPv6 dial tcp6 [::1]:8080: connect: connection refused
 */
import { createHash } from 'node:crypto';
import type { KObject } from '../../store/store.js';

function digest(pod: Readonly<KObject>, salt: string): string {
  const id = pod.metadata.uid ?? `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
  return createHash('sha256').update(salt).update(id).digest('hex');
}

/** The pod sandbox ID (crictl pods --no-trunc style). */
export function sandboxId(pod: Readonly<KObject>): string {
  return digest(pod, 'sandbox:');
}

/** containerd's per-sandbox network namespace path. */
export function netnsPath(pod: Readonly<KObject>): string {
  const h = digest(pod, 'netns:');
  return `/var/run/netns/cni-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function errorCode(err: unknown): string | undefined {
  const c = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof c === 'string' ? c : undefined;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The text the kubelet writes on the port-forward error stream (containerd wording). */
export function portForwardErrorMessage(pod: Readonly<KObject>, port: number, err: unknown): string {
  const sandbox = sandboxId(pod);
  let reason: string;
  if (errorCode(err) === 'ECONNREFUSED') {
    reason =
      `failed to connect to localhost:${port} inside namespace ${JSON.stringify(sandbox)}, ` +
      `IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `;
  } else {
    reason = errorText(err);
  }
  return `error forwarding port ${port} to pod ${sandbox}, uid : failed to execute portforward in network namespace ${JSON.stringify(netnsPath(pod))}: ${reason}`;
}
