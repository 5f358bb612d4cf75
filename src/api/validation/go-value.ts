/**
 * @module api/validation/go-value
 * Renders the composite bad values that kube-apiserver prints with Go's `%#v`
 * (internal API types: `core.`, `networking.`; metav1 as `v1.`), so messages
 * match byte for byte, e.g.
 * `v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`.
 * Map keys are sorted, as Go's fmt sorts them.
 */

import { type GoValue, goQuote, goValue } from '../field-errors.js';
import { type IntOrString, type Obj, getArr, getObjArr, getStr, getStrMap } from './unstructured.js';

export function goStrMapText(m: Readonly<Record<string, string>> | undefined): string {
  if (m === undefined) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${goQuote(k)}:${goQuote(m[k] ?? '')}`).join(', ')}}`;
}

/** `map[string]string{...}`, or `map[string]string(nil)` when absent. */
export function goStrMap(m: Readonly<Record<string, string>> | undefined): GoValue {
  return goValue(goStrMapText(m));
}

export function goStrSliceText(a: ReadonlyArray<string> | undefined, typeName = '[]string'): string {
  if (a === undefined) return `${typeName}(nil)`;
  return `${typeName}{${a.map(goQuote).join(', ')}}`;
}

/** `[]string{"a", "b"}` (or another named string slice type), `(nil)` when absent. */
export function goStrSlice(a: ReadonlyArray<string> | undefined, typeName = '[]string'): GoValue {
  return goValue(goStrSliceText(a, typeName));
}

/** `v1.LabelSelector{...}` for a decoded selector object. */
export function goLabelSelector(sel: Obj | undefined): GoValue {
  const s = sel ?? {};
  const ml = goStrMapText(getStrMap(s, 'matchLabels'));
  let me: string;
  if (!Array.isArray(s['matchExpressions'])) {
    me = '[]v1.LabelSelectorRequirement(nil)';
  } else {
    const items = getObjArr(s, 'matchExpressions').map((r) => {
      const vals = Array.isArray(r['values']) ? getArr(r, 'values').map((v) => (typeof v === 'string' ? v : '')) : undefined;
      return `v1.LabelSelectorRequirement{Key:${goQuote(getStr(r, 'key'))}, Operator:${goQuote(getStr(r, 'operator'))}, Values:${goStrSliceText(vals)}}`;
    });
    me = `[]v1.LabelSelectorRequirement{${items.join(', ')}}`;
  }
  return goValue(`v1.LabelSelector{MatchLabels:${ml}, MatchExpressions:${me}}`);
}

export function goIntOrStringText(v: IntOrString | undefined): string {
  if (v === undefined) return 'intstr.IntOrString{Type:0, IntVal:0, StrVal:""}';
  return v.type === 'int'
    ? `intstr.IntOrString{Type:0, IntVal:${v.int}, StrVal:""}`
    : `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v.str)}}`;
}

/** `intstr.IntOrString{Type:1, IntVal:0, StrVal:"110%"}`. */
export function goIntOrString(v: IntOrString | undefined): GoValue {
  return goValue(goIntOrStringText(v));
}

/** The (protocol, port) key upstream reports for duplicate Service ports. */
export function goServicePortKey(protocol: string, port: number): GoValue {
  return goValue(
    `core.ServicePort{Name:"", Protocol:${goQuote(protocol)}, AppProtocol:(*string)(nil), Port:${port}, ` +
      `TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`,
  );
}

/** `[]networking.IngressRule(nil)` / `{}` for an absent or empty rules list. */
export function goEmptyList(typeName: string, present: unknown): GoValue {
  return goValue(Array.isArray(present) ? `${typeName}{}` : `${typeName}(nil)`);
}

