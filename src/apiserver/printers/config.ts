/**
 * @module apiserver/printers/config
 * Printers for the simple core kinds: Namespace (STATUS = phase), ConfigMap
 * (DATA = keys of data + binaryData), Secret (TYPE, DATA), ServiceAccount
 * (SECRETS = len(secrets), still printed by kube-apiserver 1.31+). Ports of
 * the upstream printers.
 */
import type { ConfigMap, Namespace, Secret, ServiceAccount } from 'kubernetes-types/core/v1.js';
import { AGE_COLUMN, NAME_COLUMN, col } from './columns.js';
import { DOC } from './descriptions.js';
import { translateTimestampSince } from './duration.js';
import { asKube } from './format.js';
import type { PrintedRow, Printer } from './types.js';

function keyCount(...maps: Array<Readonly<Record<string, unknown>> | undefined>): number {
  const keys = new Set<string>();
  for (const m of maps) for (const k of Object.keys(m ?? {})) keys.add(k);
  return keys.size;
}

export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, col('Status', 'string', 'The status of the namespace'), AGE_COLUMN],
  print(obj: unknown, now: Date): PrintedRow {
    const ns = asKube<Namespace>(obj);
    return { cells: [ns.metadata?.name ?? '', ns.status?.phase ?? '', translateTimestampSince(ns.metadata?.creationTimestamp, now)] };
  },
};

export const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, col('Data', 'string', DOC.configMapData), AGE_COLUMN],
  print(obj: unknown, now: Date): PrintedRow {
    const cm = asKube<ConfigMap>(obj);
    // len(Data)+len(BinaryData); validation forbids overlapping keys.
    const n = Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;
    return { cells: [cm.metadata?.name ?? '', n, translateTimestampSince(cm.metadata?.creationTimestamp, now)] };
  },
};

export const secretPrinter: Printer = {
  columns: [NAME_COLUMN, col('Type', 'string', DOC.secretType), col('Data', 'string', DOC.secretData), AGE_COLUMN],
  print(obj: unknown, now: Date): PrintedRow {
    const s = asKube<Secret>(obj);
    // stringData is merged into data on write; count the union in case it was stored unmerged.
    return {
      cells: [s.metadata?.name ?? '', s.type || 'Opaque', keyCount(s.data, s.stringData), translateTimestampSince(s.metadata?.creationTimestamp, now)],
    };
  },
};

export const serviceAccountPrinter: Printer = {
  columns: [NAME_COLUMN, col('Secrets', 'string', DOC.serviceAccountSecrets), AGE_COLUMN],
  print(obj: unknown, now: Date): PrintedRow {
    const sa = asKube<ServiceAccount>(obj);
    return { cells: [sa.metadata?.name ?? '', (sa.secrets ?? []).length, translateTimestampSince(sa.metadata?.creationTimestamp, now)] };
  },
};
