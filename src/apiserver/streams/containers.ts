/**
 * @module apiserver/streams/containers
 * The checks that stand between a log/exec/attach/port-forward request and the
 * container, with upstream's wording:
 *
 * - kube-apiserver (pkg/registry/core/pod/strategy.go validateContainer): defaulting of
 *   `container` when the pod has one, `a container name must be specified for pod x,
 *   choose one of: [a b]`, `container foo is not valid for pod x`; streams also need a
 *   node: `pod x does not have a host assigned`. All 400 BadRequest.
 * - kubelet (validateContainerLogStatus) for logs: `container "c" in pod "p" is waiting
 *   to start: ContainerCreating` and friends, relayed by the API server as 400.
 * - kubelet GetExec/GetAttach for a container that is not running:
 *   `container not found ("c")`, a plain-text 500 kubectl prints as
 *   `error: unable to upgrade connection: container not found ("c")`.
 */
import { errors } from '../../errors.js';
import type { KObject } from '../../store/store.js';

interface ContainerState {
  readonly waiting?: { readonly reason?: string };
  readonly running?: { readonly startedAt?: string };
  readonly terminated?: { readonly containerID?: string; readonly exitCode?: number; readonly reason?: string };
}

export interface ContainerStatusView {
  readonly name: string;
  readonly containerID?: string;
  readonly state: ContainerState;
  readonly lastState: ContainerState;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function namesOf(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const out: string[] = [];
  for (const c of list) {
    const n = record(c)?.['name'];
    if (typeof n === 'string') out.push(n);
  }
  return out;
}

function podName(pod: Readonly<KObject>): string {
  return pod.metadata.name ?? '';
}

/** Names of the pod's containers, init containers and ephemeral containers. */
export function podContainers(pod: Readonly<KObject>): { containers: string[]; init: string[]; ephemeral: string[] } {
  const spec = record(pod['spec']) ?? {};
  return { containers: namesOf(spec['containers']), init: namesOf(spec['initContainers']), ephemeral: namesOf(spec['ephemeralContainers']) };
}

/**
 * kube-apiserver's validateContainer: the requested container, or the only one.
 * The "choose one of" list follows podutil.VisitContainers: init, regular, ephemeral.
 */
export function resolveContainer(pod: Readonly<KObject>, requested: string | null | undefined): string {
  const { containers, init, ephemeral } = podContainers(pod);
  const name = podName(pod);
  if (!requested) {
    if (containers.length === 1) return containers[0]!;
    if (containers.length === 0) throw errors.badRequest(`a container name must be specified for pod ${name}`);
    throw errors.badRequest(`a container name must be specified for pod ${name}, choose one of: [${[...init, ...containers, ...ephemeral].join(' ')}]`);
  }
  if (!containers.includes(requested) && !init.includes(requested) && !ephemeral.includes(requested)) {
    throw errors.badRequest(`container ${requested} is not valid for pod ${name}`);
  }
  return requested;
}

/** exec/attach/portforward need a scheduled pod. */
export function requireNode(pod: Readonly<KObject>): void {
  const node = record(pod['spec'])?.['nodeName'];
  if (typeof node !== 'string' || node === '') throw errors.badRequest(`pod ${podName(pod)} does not have a host assigned`);
}

export function hasNode(pod: Readonly<KObject>): boolean {
  const node = record(pod['spec'])?.['nodeName'];
  return typeof node === 'string' && node !== '';
}

function stateOf(v: unknown): ContainerState {
  const s = record(v) ?? {};
  const out: { waiting?: ContainerState['waiting']; running?: ContainerState['running']; terminated?: ContainerState['terminated'] } = {};
  const w = record(s['waiting']);
  if (w) out.waiting = { reason: typeof w['reason'] === 'string' ? w['reason'] : undefined };
  const r = record(s['running']);
  if (r) out.running = { startedAt: typeof r['startedAt'] === 'string' ? r['startedAt'] : undefined };
  const t = record(s['terminated']);
  if (t) {
    out.terminated = {
      containerID: typeof t['containerID'] === 'string' ? t['containerID'] : undefined,
      exitCode: typeof t['exitCode'] === 'number' ? t['exitCode'] : undefined,
      reason: typeof t['reason'] === 'string' ? t['reason'] : undefined,
    };
  }
  return out;
}

/** The container's status from containerStatuses, initContainerStatuses or ephemeralContainerStatuses. */
export function containerStatus(pod: Readonly<KObject>, container: string): ContainerStatusView | undefined {
  const status = record(pod['status']) ?? {};
  for (const key of ['containerStatuses', 'initContainerStatuses', 'ephemeralContainerStatuses']) {
    const list = status[key];
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const cs = record(item);
      if (!cs || cs['name'] !== container) continue;
      return {
        name: container,
        containerID: typeof cs['containerID'] === 'string' ? cs['containerID'] : undefined,
        state: stateOf(cs['state']),
        lastState: stateOf(cs['lastState']),
      };
    }
  }
  return undefined;
}

/** The kubelet's plain-text refusal (HTTP 500) when exec/attach find no running container. */
export class KubeletError extends Error {
  constructor(
    readonly httpCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'KubeletError';
  }
}

/** exec/attach: the container must be running (kubelet findContainer). */
export function requireRunning(pod: Readonly<KObject>, container: string): void {
  const cs = containerStatus(pod, container);
  if (!cs || !cs.state.running) throw new KubeletError(500, `container not found (${JSON.stringify(container)})`);
}

/**
 * logs: the kubelet's validateContainerLogStatus. Returns normally when there is a
 * log to read (running, terminated, or a previous instance when `previous`).
 */
export function requireLogs(pod: Readonly<KObject>, container: string, previous: boolean): void {
  const p = JSON.stringify(podName(pod));
  const c = JSON.stringify(container);
  const cs = containerStatus(pod, container);
  if (!cs) throw errors.badRequest(`container ${c} in pod ${p} is not available`);
  const { state, lastState } = cs;
  if (previous) {
    if (!lastState.terminated?.containerID) throw errors.badRequest(`previous terminated container ${c} in pod ${p} not found`);
    return;
  }
  if (state.running) return;
  if (state.terminated) {
    if (state.terminated.containerID || lastState.terminated?.containerID) return;
    throw errors.badRequest(`container ${c} in pod ${p} is terminated`);
  }
  if (lastState.terminated) {
    if (lastState.terminated.containerID) return;
    throw errors.badRequest(`container ${c} in pod ${p} is terminated`);
  }
  if (state.waiting) {
    const reason = state.waiting.reason ?? '';
    if (reason === 'ErrImagePull') throw errors.badRequest(`container ${c} in pod ${p} is waiting to start: image can't be pulled`);
    if (reason === 'ImagePullBackOff') throw errors.badRequest(`container ${c} in pod ${p} is waiting to start: trying and failing to pull image`);
    throw errors.badRequest(`container ${c} in pod ${p} is waiting to start: ${reason}`);
  }
  throw errors.badRequest(`container ${c} in pod ${p} is waiting to start - no logs yet`);
}
