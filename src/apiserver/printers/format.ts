/**
 * @module apiserver/printers/format
 * Cell-formatting helpers shared by the printers, each reproducing an
 * apimachinery/printers function: `labels.FormatLabels`, label-selector
 * `String()` / `metav1.FormatLabelSelector`, `layoutContainerCells`,
 * `listWithMoreString`, `net.JoinHostPort`, `sets.String.List()`. Pure.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';

/** Narrows an unknown object to a Kubernetes type. The store validated it; only null/non-objects are rejected. */
export function asKube<T extends object>(obj: unknown): Partial<T> {
  // The single cast point: objects reach printers after API validation.
  return typeof obj === 'object' && obj !== null ? (obj as Partial<T>) : {};
}

/** `labels.FormatLabels`: "k1=v1,k2=v2" sorted by key; "<none>" when empty. */
export function formatLabels(m: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(m ?? {}).sort(([a], [b]) => compareStrings(a, b));
  if (entries.length === 0) return '<none>';
  return entries.map(([k, v]) => `${k}=${v}`).join(',');
}

/** Byte-wise string order, as Go's sort.Strings. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted unique values, as `sets.NewString(...).List()`. */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(compareStrings);
}

const OPERATORS: Readonly<Record<string, string>> = { In: ' in ', NotIn: ' notin ', Exists: '', DoesNotExist: '' };

/**
 * `metav1.LabelSelectorAsSelector(sel).String()`: requirements sorted by key,
 * `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`, values sorted, joined by ",".
 * A nil or empty selector prints "". Returns undefined for an invalid selector
 * (unknown operator, In/NotIn without values, Exists with values).
 */
export function labelSelectorString(sel: LabelSelector | undefined | null): string | undefined {
  if (!sel) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of sel.matchExpressions ?? []) {
    const values = e.values ?? [];
    const op = OPERATORS[e.operator];
    if (op === undefined) return undefined;
    if (e.operator === 'In' || e.operator === 'NotIn') {
      if (values.length === 0) return undefined;
      // A single value prints as is; several are sorted (safeSort).
      const list = values.length === 1 ? values.join('') : [...values].sort(compareStrings).join(',');
      reqs.push({ key: e.key, text: `${e.key}${op}(${list})` });
    } else {
      if (values.length > 0) return undefined;
      reqs.push({ key: e.key, text: e.operator === 'Exists' ? e.key : `!${e.key}` });
    }
  }
  // Array.prototype.sort is stable; Go sorts requirements by key.
  return reqs
    .sort((a, b) => compareStrings(a.key, b.key))
    .map((r) => r.text)
    .join(',');
}

/** `metav1.FormatLabelSelector`: the selector string, "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  const s = labelSelectorString(sel);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

/** `layoutContainerCells`: container names and images, each comma-joined. */
export function layoutContainerCells(
  containers: ReadonlyArray<{ readonly name?: string; readonly image?: string }> | undefined,
): [names: string, images: string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** `listWithMoreString`: "a,b,c + N more..." past `max`; "<unset>" when empty. */
export function listWithMore(list: ReadonlyArray<string>, more: boolean, count: number, max: number): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${count - max} more...`;
  return ret === '' ? '<unset>' : ret;
}

/** `net.JoinHostPort`: brackets hosts containing a colon (IPv6). */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Go's `%d` of a possibly missing int field. */
export function int(n: number | undefined | null): number {
  return typeof n === 'number' && Number.isFinite(n) ? Math.trunc(n) : 0;
}
