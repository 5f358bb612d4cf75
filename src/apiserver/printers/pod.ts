/**
 * @module apiserver/printers/pod
 * The Pod printer: READY, STATUS (the kubectl status reason: phase, init
 * progress "Init:x/y", container waiting/terminated reasons such as
 * CrashLoopBackOff or Completed, NotReady, Terminating), RESTARTS with the
 * "(5m ago)" suffix, AGE; wide IP, NODE, NOMINATED NODE, READINESS GATES.
 * A faithful port of printPod in kubernetes pkg/printers/internalversion.
 */
import type { Container, ContainerStatus, Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import { AGE_COLUMN, NAME_COLUMN, col } from './columns.js';
import { DOC } from './descriptions.js';
import { humanDuration, parseTime, translateTimestampSince } from './duration.js';
import { asKube, int } from './format.js';
import type { PrintedRow, Printer, PrintOptions, TableRowCondition } from './types.js';

const POD_SUCCEEDED: TableRowCondition = { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' };
const POD_FAILED: TableRowCondition = { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' };

/** The status of a pod whose node is lost (node controller's NodeUnreachablePodReason). */
const NODE_LOST = 'NodeLost';

function isRestartable(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function finishedAt(cs: ContainerStatus): number | undefined {
  return parseTime(cs.lastState?.terminated?.finishedAt);
}

function later(a: number | undefined, b: number | undefined): number | undefined {
  if (b === undefined) return a;
  return a === undefined || a < b ? b : a;
}

function conditionTrue(conds: ReadonlyArray<PodCondition> | undefined, type: string): boolean {
  for (const c of conds ?? []) if (c.type === type) return c.status === 'True';
  return false;
}

function hasReadyCondition(conds: ReadonlyArray<PodCondition> | undefined): boolean {
  return (conds ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** READY, STATUS and RESTARTS of a pod (the core of upstream printPod). */
export function podStatusCells(pod: Partial<Pod>, now: Date): { ready: string; reason: string; restarts: string } {
  const spec = pod.spec;
  const status = pod.status ?? {};
  const initSpecs = new Map<string, Container>();
  let total = spec?.containers?.length ?? 0;
  for (const c of spec?.initContainers ?? []) {
    initSpecs.set(c.name, c);
    if (isRestartable(c)) total++;
  }

  let reason = status.phase ?? '';
  if (status.reason) reason = status.reason;
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let restarts = 0;
  let ready = 0;
  let lastRestart: number | undefined;
  let sidecarRestarts = 0;
  let lastSidecarRestart: number | undefined;
  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  const initCount = spec?.initContainers?.length ?? 0;
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += int(cs.restartCount);
    lastRestart = later(lastRestart, finishedAt(cs));
    const restartable = isRestartable(initSpecs.get(cs.name));
    if (restartable) {
      sidecarRestarts += int(cs.restartCount);
      lastSidecarRestart = later(lastSidecarRestart, finishedAt(cs));
    }
    const term = cs.state?.terminated;
    const waiting = cs.state?.waiting;
    if (term && int(term.exitCode) === 0) continue;
    if (restartable && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (term) {
      if (!term.reason) {
        reason = int(term.signal) !== 0 ? `Init:Signal:${int(term.signal)}` : `Init:ExitCode:${int(term.exitCode)}`;
      } else {
        reason = `Init:${term.reason}`;
      }
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initCount}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += int(cs.restartCount);
      lastRestart = later(lastRestart, finishedAt(cs));
      const waiting = cs.state?.waiting;
      const term = cs.state?.terminated;
      if (waiting?.reason) {
        reason = waiting.reason;
      } else if (term?.reason) {
        reason = term.reason;
      } else if (term) {
        reason = int(term.signal) !== 0 ? `Signal:${int(term.signal)}` : `ExitCode:${int(term.exitCode)}`;
      } else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = hasReadyCondition(status.conditions) ? 'Running' : 'NotReady';
    }
  }

  const deleting = pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  if (deleting && status.reason === NODE_LOST) {
    reason = 'Unknown';
  } else if (deleting && status.phase !== 'Succeeded' && status.phase !== 'Failed') {
    reason = 'Terminating';
  }

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart !== undefined) {
    restartsStr = `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`;
  }
  return { ready: `${ready}/${total}`, reason, restarts: restartsStr };
}

function readinessGates(pod: Partial<Pod>): string {
  const gates = pod.spec?.readinessGates ?? [];
  if (gates.length === 0) return '<none>';
  let trueCount = 0;
  for (const g of gates) {
    const c = (pod.status?.conditions ?? []).find((x) => x.type === g.conditionType);
    if (c?.status === 'True') trueCount++;
  }
  return `${trueCount}/${gates.length}`;
}

export const podPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE_COLUMN,
    col('IP', 'string', DOC.podStatusPodIP, 1),
    col('Node', 'string', DOC.podSpecNodeName, 1),
    col('Nominated Node', 'string', DOC.podStatusNominatedNodeName, 1),
    col('Readiness Gates', 'string', DOC.podSpecReadinessGates, 1),
  ],
  print(obj: unknown, now: Date, options: PrintOptions): PrintedRow {
    const pod = asKube<Pod>(obj);
    const { ready, reason, restarts } = podStatusCells(pod, now);
    const cells = [pod.metadata?.name ?? '', ready, reason, restarts, translateTimestampSince(pod.metadata?.creationTimestamp, now)];
    if (options.wide) {
      const ip = pod.status?.podIPs?.[0]?.ip || pod.status?.podIP || '<none>';
      cells.push(ip, pod.spec?.nodeName || '<none>', pod.status?.nominatedNodeName || '<none>', readinessGates(pod));
    }
    const phase = pod.status?.phase;
    const conditions = phase === 'Succeeded' ? [POD_SUCCEEDED] : phase === 'Failed' ? [POD_FAILED] : undefined;
    return conditions ? { cells, conditions } : { cells };
  },
};
