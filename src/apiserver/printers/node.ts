/**
 * @module apiserver/printers/node
 * The Node printer: STATUS (Ready / NotReady / Unknown, plus
 * SchedulingDisabled when cordoned), ROLES from `node-role.kubernetes.io/<role>`
 * and `kubernetes.io/role` labels, AGE, VERSION; wide INTERNAL-IP,
 * EXTERNAL-IP, OS-IMAGE, KERNEL-VERSION, CONTAINER-RUNTIME. Port of printNode.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { AGE_COLUMN, NAME_COLUMN, col } from './columns.js';
import { DOC } from './descriptions.js';
import { translateTimestampSince } from './duration.js';
import { asKube, sortedSet } from './format.js';
import type { PrintedRow, Printer, PrintOptions } from './types.js';

const ROLE_PREFIX = 'node-role.kubernetes.io/';
const ROLE_LABEL = 'kubernetes.io/role';

/** `findNodeRoles`: sorted unique roles from the role labels. */
export function nodeRoles(labels: Readonly<Record<string, string>> | undefined): string[] {
  const roles: string[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (k.startsWith(ROLE_PREFIX)) {
      const role = k.slice(ROLE_PREFIX.length);
      if (role.length > 0) roles.push(role);
    } else if (k === ROLE_LABEL && v !== '') {
      roles.push(v);
    }
  }
  return sortedSet(roles);
}

/** The STATUS cell: only the Ready condition counts; "Unknown" without it. */
export function nodeStatus(node: Partial<Node>): string {
  const status: string[] = [];
  // Go keeps the last condition of each type (map assignment).
  const ready = (node.status?.conditions ?? []).filter((c) => c.type === 'Ready').pop();
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  if (status.length === 0) status.push('Unknown');
  if (node.spec?.unschedulable) status.push('SchedulingDisabled');
  return status.join(',');
}

function address(node: Partial<Node>, type: string): string {
  return (node.status?.addresses ?? []).find((a) => a.type === type)?.address ?? '<none>';
}

export const nodePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    AGE_COLUMN,
    col('Version', 'string', DOC.nodeSystemInfoKubeletVersion),
    col('Internal-IP', 'string', DOC.nodeStatusAddresses, 1),
    col('External-IP', 'string', DOC.nodeStatusAddresses, 1),
    col('OS-Image', 'string', DOC.nodeSystemInfoOsImage, 1),
    col('Kernel-Version', 'string', DOC.nodeSystemInfoKernelVersion, 1),
    col('Container-Runtime', 'string', DOC.nodeSystemInfoContainerRuntimeVersion, 1),
  ],
  print(obj: unknown, now: Date, options: PrintOptions): PrintedRow {
    const node = asKube<Node>(obj);
    const info = node.status?.nodeInfo;
    const cells = [
      node.metadata?.name ?? '',
      nodeStatus(node),
      nodeRoles(node.metadata?.labels).join(',') || '<none>',
      translateTimestampSince(node.metadata?.creationTimestamp, now),
      info?.kubeletVersion ?? '',
    ];
    if (options.wide) {
      cells.push(
        address(node, 'InternalIP'),
        address(node, 'ExternalIP'),
        info?.osImage || '<unknown>',
        info?.kernelVersion || '<unknown>',
        info?.containerRuntimeVersion || '<unknown>',
      );
    }
    return { cells };
  },
};
