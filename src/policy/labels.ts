/**
 * @module policy/labels
 * Label selectors (metav1.LabelSelector): compile one into a matcher plus a
 * canonical string, so that equal selectors written differently (matchLabels
 * `a: b` vs matchExpressions `a In [b]`, any order) share one key in the
 * selector cache. Operators: In, NotIn, Exists, DoesNotExist, as in
 * apimachinery `labels.Selector`. An invalid selector (unknown operator, In
 * without values, Exists with values) matches nothing and says why. No I/O.
 */

import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import type { Labels } from './types.js';

type Operator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

/** One normalised requirement. */
export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  /** Sorted, de-duplicated; empty for Exists/DoesNotExist. */
  readonly values: ReadonlyArray<string>;
}

export interface CompiledSelector {
  /** Canonical form; '' is the empty selector, which matches everything. */
  readonly key: string;
  readonly requirements: ReadonlyArray<Requirement>;
  /** False when the selector is malformed; it then matches nothing. */
  readonly valid: boolean;
  /** Why it is invalid. */
  readonly error?: string;
  /** True for `{}`: selects everything. */
  readonly matchesAll: boolean;
}

function isOperator(op: string): op is Operator {
  return op === 'In' || op === 'NotIn' || op === 'Exists' || op === 'DoesNotExist';
}

function requirementKey(r: Requirement): string {
  switch (r.operator) {
    case 'In':
      return `${r.key} in (${r.values.join(',')})`;
    case 'NotIn':
      return `${r.key} notin (${r.values.join(',')})`;
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    default:
      return assertNever(r.operator);
  }
}

/** Compile a selector. `undefined` is treated as `{}` (callers decide what absence means). */
export function compileSelector(sel: LabelSelector | undefined): CompiledSelector {
  const reqs: Requirement[] = [];
  const errors: string[] = [];
  for (const [key, value] of Object.entries(sel?.matchLabels ?? {})) {
    reqs.push({ key, operator: 'In', values: [String(value)] });
  }
  for (const [i, expr] of (sel?.matchExpressions ?? []).entries()) {
    const op = String(expr.operator);
    const values = [...new Set((expr.values ?? []).map(String))].sort();
    if (!isOperator(op)) {
      errors.push(`matchExpressions[${i}].operator: Unsupported value: "${op}": supported values: "In", "NotIn", "Exists", "DoesNotExist"`);
      continue;
    }
    if ((op === 'In' || op === 'NotIn') && values.length === 0) {
      errors.push(`matchExpressions[${i}].values: Required value: must be specified when \`operator\` is 'In' or 'NotIn'`);
      continue;
    }
    if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) {
      errors.push(`matchExpressions[${i}].values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist'`);
      continue;
    }
    reqs.push({ key: String(expr.key), operator: op, values });
  }
  if (errors.length > 0) {
    return { key: `!invalid ${JSON.stringify(sel ?? {})}`, requirements: [], valid: false, error: errors.join('; '), matchesAll: false };
  }
  const byKey = new Map<string, Requirement>();
  for (const r of reqs) byKey.set(requirementKey(r), r);
  const keys = [...byKey.keys()].sort();
  const requirements = keys.map((k) => byKey.get(k) as Requirement);
  return { key: keys.join(','), requirements, valid: true, matchesAll: requirements.length === 0 };
}

/** Does a compiled selector select these labels? */
export function selectorMatches(sel: CompiledSelector, labels: Labels): boolean {
  if (!sel.valid) return false;
  for (const r of sel.requirements) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.operator) {
      case 'In':
        if (!has || !r.values.includes(labels[r.key] as string)) return false;
        break;
      case 'NotIn':
        if (has && r.values.includes(labels[r.key] as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return assertNever(r.operator);
    }
  }
  return true;
}

/** A selector as kubectl prints it (`app=web,tier in (a,b)`), `<all>` for `{}`. */
export function formatSelector(sel: CompiledSelector): string {
  if (!sel.valid) return '<invalid>';
  if (sel.matchesAll) return '<all>';
  return sel.requirements
    .map((r) => (r.operator === 'In' && r.values.length === 1 ? `${r.key}=${r.values[0]}` : requirementKey(r)))
    .join(',');
}

/** Canonical, order-independent string of a label map (identity keys). */
export function labelsKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
