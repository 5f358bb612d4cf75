/**
 * @module apiserver/printers/apps
 * apps/v1 printers: Deployment (READY "ready/desired", UP-TO-DATE, AVAILABLE,
 * AGE; wide CONTAINERS, IMAGES, SELECTOR), ReplicaSet (DESIRED, CURRENT, READY,
 * AGE; wide the same three) and ControllerRevision (CONTROLLER as
 * "daemonset.apps/name", REVISION, AGE). Port of the upstream printers.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import type { ControllerRevision, Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, NAME_COLUMN, col } from './columns.js';
import { DOC } from './descriptions.js';
import { translateTimestampSince } from './duration.js';
import { asKube, formatLabelSelector, int, labelSelectorString, layoutContainerCells } from './format.js';
import type { Cell, PrintedRow, Printer, PrintOptions } from './types.js';

/** spec.replicas after defaulting (nil means 1). */
function desired(replicas: number | undefined): number {
  return replicas === undefined || replicas === null ? 1 : int(replicas);
}

export const deploymentPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', DOC.deploymentStatusUpdatedReplicas),
    col('Available', 'string', DOC.deploymentStatusAvailableReplicas),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    col('Selector', 'string', DOC.deploymentSpecSelector, 1),
  ],
  print(obj: unknown, now: Date, options: PrintOptions): PrintedRow {
    const d = asKube<Deployment>(obj);
    const st = d.status ?? {};
    const cells: Cell[] = [
      d.metadata?.name ?? '',
      `${int(st.readyReplicas)}/${desired(d.spec?.replicas)}`,
      int(st.updatedReplicas),
      int(st.availableReplicas),
      translateTimestampSince(d.metadata?.creationTimestamp, now),
    ];
    if (options.wide) {
      const [names, images] = layoutContainerCells(d.spec?.template?.spec?.containers);
      // printDeployment prints selector.String() (no "<none>") and "<invalid>" on error.
      cells.push(names, images, labelSelectorString(d.spec?.selector) ?? '<invalid>');
    }
    return { cells };
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'integer', DOC.replicaSetSpecReplicas),
    col('Current', 'integer', DOC.replicaSetStatusReplicas),
    col('Ready', 'integer', DOC.replicaSetStatusReadyReplicas),
    AGE_COLUMN,
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    col('Selector', 'string', DOC.replicaSetSpecSelector, 1),
  ],
  print(obj: unknown, now: Date, options: PrintOptions): PrintedRow {
    const rs = asKube<ReplicaSet>(obj);
    const cells: Cell[] = [
      rs.metadata?.name ?? '',
      desired(rs.spec?.replicas),
      int(rs.status?.replicas),
      int(rs.status?.readyReplicas),
      translateTimestampSince(rs.metadata?.creationTimestamp, now),
    ];
    if (options.wide) {
      const [names, images] = layoutContainerCells(rs.spec?.template?.spec?.containers);
      cells.push(names, images, formatLabelSelector(rs.spec?.selector));
    }
    return { cells };
  },
};

/** "kind.group/name" lower-cased (GroupKind.String()), or the bare name for an empty GroupKind. */
export function formatControllerRef(ref: OwnerReference): string {
  const apiVersion = ref.apiVersion ?? '';
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  if (ref.kind === '' && group === '') return ref.name;
  const gk = group === '' ? ref.kind : `${ref.kind}.${group}`;
  return `${gk.toLowerCase()}/${ref.name}`;
}

export const controllerRevisionPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'string', DOC.controllerRevisionRevision),
    AGE_COLUMN,
  ],
  print(obj: unknown, now: Date): PrintedRow {
    const cr = asKube<ControllerRevision>(obj);
    const ref = (cr.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
    return {
      cells: [
        cr.metadata?.name ?? '',
        ref ? formatControllerRef(ref) : '<none>',
        int(cr.revision),
        translateTimestampSince(cr.metadata?.creationTimestamp, now),
      ],
    };
  },
};
