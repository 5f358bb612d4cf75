/**
 * @module api/selectors
 * Label and field selectors: parsing the query-string forms kubectl sends
 * (`app=web,tier!=db,env in (a,b),!legacy`, `metadata.name=x,status.phase!=Running`)
 * and matching them. Also matching of structured `LabelSelector` objects
 * (matchLabels + matchExpressions) as Deployments, Services and policies use them.
 * Pure; errors are thrown as BadRequest `ApiError`s with kube-apiserver's wording.
 */
import { errors } from '../errors.js';

export type Requirement =
  | { readonly op: 'in' | 'notin'; readonly key: string; readonly values: ReadonlyArray<string> }
  | { readonly op: 'exists' | '!exists'; readonly key: string }
  | { readonly op: '=' | '!='; readonly key: string; readonly values: readonly [string] }
  | { readonly op: 'gt' | 'lt'; readonly key: string; readonly values: readonly [string] };

/** A parsed label selector: all requirements must hold (AND). Empty selects everything. */
export type LabelSelectorRequirements = ReadonlyArray<Requirement>;

export type Labels = Readonly<Record<string, string>> | undefined;

// Tokeniser for the selector grammar of apimachinery's labels.Parse.
type Tok = { t: 'id' | 'op' | '(' | ')' | ',' | '!'; v: string };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t') {
      i++;
    } else if (c === '(' || c === ')' || c === ',') {
      out.push({ t: c, v: c });
      i++;
    } else if (c === '!' && s[i + 1] === '=') {
      out.push({ t: 'op', v: '!=' });
      i += 2;
    } else if (c === '!') {
      out.push({ t: '!', v: '!' });
      i++;
    } else if (c === '=' && s[i + 1] === '=') {
      out.push({ t: 'op', v: '==' });
      i += 2;
    } else if (c === '=' || c === '<' || c === '>') {
      out.push({ t: 'op', v: c });
      i++;
    } else {
      let j = i;
      while (j < s.length && !' \t(),!=<>'.includes(s[j]!)) j++;
      out.push({ t: 'id', v: s.slice(i, j) });
      i = j;
    }
  }
  return out;
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkValue(v: string, whole: string): void {
  if (v.length > 63 || !LABEL_VALUE.test(v)) {
    throw errors.badRequest(`unable to parse requirement: values[0][${whole}]: Invalid value: "${v}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`);
  }
}

/** Parses the string form of a label selector. Throws BadRequest on syntax errors. */
export function parseLabelSelector(input: string | undefined | null): LabelSelectorRequirements {
  if (input == null || input.trim() === '') return [];
  const toks = tokenize(input);
  const reqs: Requirement[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw errors.badRequest(`unable to parse requirement: ${why}`);
  };
  const peek = (): Tok | undefined => toks[i];
  while (i < toks.length) {
    let negate = false;
    if (peek()?.t === '!') {
      negate = true;
      i++;
    }
    const keyTok = toks[i++];
    if (!keyTok || keyTok.t !== 'id') fail(`found '${keyTok?.v ?? ''}', expected: identifier`);
    const key = keyTok!.v;
    const next = peek();
    if (negate) {
      if (next && next.t !== ',') fail(`found '${next.v}', expected: ',' or end of string`);
      reqs.push({ op: '!exists', key });
    } else if (!next || next.t === ',') {
      reqs.push({ op: 'exists', key });
    } else if (next.t === 'op') {
      i++;
      const valTok = peek();
      let val = '';
      if (valTok && valTok.t === 'id') {
        val = valTok.v;
        i++;
      }
      if (next.v === '<' || next.v === '>') {
        if (!/^-?\d+$/.test(val)) fail(`for 'gt', 'lt' operators, the value must be an integer`);
        reqs.push({ op: next.v === '<' ? 'lt' : 'gt', key, values: [val] });
      } else {
        checkValue(val, key);
        reqs.push({ op: next.v === '!=' ? '!=' : '=', key, values: [val] });
      }
    } else if (next.t === 'id' && (next.v === 'in' || next.v === 'notin')) {
      i++;
      if (peek()?.t !== '(') fail(`found '${peek()?.v ?? ''}', expected: '('`);
      i++;
      const values: string[] = [];
      for (;;) {
        const t = toks[i];
        if (!t) fail(`found '', expected: ')'`);
        if (t!.t === ')') {
          i++;
          break;
        }
        if (t!.t === ',') {
          i++;
          continue;
        }
        if (t!.t !== 'id') fail(`found '${t!.v}', expected: ',', ')' or identifier`);
        checkValue(t!.v, key);
        values.push(t!.v);
        i++;
      }
      if (values.length === 0 && next.v === 'in') values.push('');
      reqs.push({ op: next.v, key, values });
    } else {
      fail(`found '${next.v}', expected: in, notin, =, ==, !=, gt, lt`);
    }
    const sep = peek();
    if (sep) {
      if (sep.t !== ',') fail(`found '${sep.v}', expected: ',' or end of string`);
      i++;
    }
  }
  return reqs;
}

function matchRequirement(r: Requirement, labels: Labels): boolean {
  const has = labels != null && Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels![r.key]! : undefined;
  switch (r.op) {
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case '=':
    case 'in':
      return has && r.values.includes(v!);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(v!);
    case 'gt':
      return has && /^-?\d+$/.test(v!) && Number(v) > Number(r.values[0]);
    case 'lt':
      return has && /^-?\d+$/.test(v!) && Number(v) < Number(r.values[0]);
  }
}

export function matchesLabels(reqs: LabelSelectorRequirements, labels: Labels): boolean {
  for (const r of reqs) if (!matchRequirement(r, labels)) return false;
  return true;
}

/** The structured `metav1.LabelSelector`. */
export interface LabelSelectorObject {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: ReadonlyArray<{ readonly key: string; readonly operator: string; readonly values?: ReadonlyArray<string> }>;
}

/** Converts a structured LabelSelector into requirements. An empty selector selects everything. */
export function selectorObjectToRequirements(sel: LabelSelectorObject | undefined | null): LabelSelectorRequirements {
  if (!sel) return [];
  const out: Requirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) out.push({ op: '=', key: k, values: [v] });
  for (const e of sel.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In':
        out.push({ op: 'in', key: e.key, values: e.values ?? [] });
        break;
      case 'NotIn':
        out.push({ op: 'notin', key: e.key, values: e.values ?? [] });
        break;
      case 'Exists':
        out.push({ op: 'exists', key: e.key });
        break;
      case 'DoesNotExist':
        out.push({ op: '!exists', key: e.key });
        break;
      default:
        throw errors.badRequest(`"${e.operator}" is not a valid label selector operator`);
    }
  }
  return out;
}

/** Whether a structured LabelSelector selects the labels. `null`/undefined selector selects nothing (as for Service selectors that are absent callers decide). */
export function selectorMatches(sel: LabelSelectorObject, labels: Labels): boolean {
  return matchesLabels(selectorObjectToRequirements(sel), labels);
}

/** A map selector (Service `spec.selector`): every pair must be present. */
export function mapSelectorMatches(sel: Readonly<Record<string, string>>, labels: Labels): boolean {
  for (const [k, v] of Object.entries(sel)) if (labels?.[k] !== v) return false;
  return true;
}

/** The canonical string form, as kubectl prints selectors ("app=web,tier in (a,b)"). */
export function formatRequirements(reqs: LabelSelectorRequirements): string {
  return reqs
    .map((r) => {
      switch (r.op) {
        case 'exists':
          return r.key;
        case '!exists':
          return `!${r.key}`;
        case '=':
          return `${r.key}=${r.values[0]}`;
        case '!=':
          return `${r.key}!=${r.values[0]}`;
        case 'in':
          return `${r.key} in (${[...r.values].sort().join(',')})`;
        case 'notin':
          return `${r.key} notin (${[...r.values].sort().join(',')})`;
        case 'gt':
          return `${r.key}>${r.values[0]}`;
        case 'lt':
          return `${r.key}<${r.values[0]}`;
      }
    })
    .join(',');
}

// ---- field selectors ----

export interface FieldRequirement {
  readonly field: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

/** Parses `a=b,c!=d,e==f`. Values may escape `\,` `\=` `\\`. */
export function parseFieldSelector(input: string | undefined | null): ReadonlyArray<FieldRequirement> {
  if (input == null || input.trim() === '') return [];
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (c === '\\' && i + 1 < input.length) {
      cur += c + input[i + 1];
      i++;
    } else if (c === ',') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts.map((p) => {
    const m = /^([^=!]+)(==|!=|=)(.*)$/.exec(p.trim());
    if (!m) throw errors.badRequest(`invalid selector: '${input}'; can't understand '${p}'`);
    const value = m[3]!.replace(/\\(.)/g, '$1');
    return { field: m[1]!.trim(), op: m[2] === '!=' ? '!=' : '=', value };
  });
}

/** Reads a dotted field path (`metadata.name`, `spec.nodeName`) from an object as a string ("" when absent). */
export function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const seg of path.split('.')) {
    if (cur == null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[seg];
  }
  if (cur == null) return '';
  return typeof cur === 'string' ? cur : String(cur);
}

export function matchesFields(reqs: ReadonlyArray<FieldRequirement>, obj: unknown): boolean {
  for (const r of reqs) {
    const v = fieldValue(obj, r.field);
    if (r.op === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}
