/**
 * @module ingress/ingress-class
 * Which Ingresses this controller serves, as ingress-nginx decides it:
 * 1. `spec.ingressClassName` set: served when an IngressClass of that name exists
 *    whose `spec.controller` is ours (`k8s.io/ingress-nginx`); otherwise ignored.
 * 2. else the legacy `kubernetes.io/ingress.class` annotation: served when it
 *    equals our class name (`nginx`).
 * 3. else (no class at all): served when one of our IngressClasses is marked
 *    default (`ingressclass.kubernetes.io/is-default-class: "true"`).
 * No I/O.
 */
import type { IngressClass, Ingress } from './types.js';

export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export interface ClassConfig {
  /** IngressClass spec.controller value we own. */
  readonly controller: string;
  /** Value of the legacy annotation we answer to. */
  readonly annotationValue: string;
}

export const DEFAULT_CLASS_CONFIG: ClassConfig = { controller: 'k8s.io/ingress-nginx', annotationValue: 'nginx' };

export type ClassVerdict =
  | { readonly served: true; readonly via: 'ingressClassName' | 'annotation' | 'default-class'; readonly className: string }
  | { readonly served: false; readonly reason: string };

/** Precomputed view of the IngressClasses for `classify`. */
export interface ClassIndex {
  readonly ours: ReadonlySet<string>;
  readonly defaultClass?: string;
}

export function indexClasses(classes: ReadonlyArray<IngressClass>, cfg: ClassConfig = DEFAULT_CLASS_CONFIG): ClassIndex {
  const ours = new Set<string>();
  let defaultClass: string | undefined;
  for (const c of classes) {
    const name = c.metadata?.name;
    if (name === undefined || c.spec?.controller !== cfg.controller) continue;
    ours.add(name);
    if (c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true' && defaultClass === undefined) defaultClass = name;
  }
  return { ours, ...(defaultClass !== undefined ? { defaultClass } : {}) };
}

export function classify(ing: Ingress, idx: ClassIndex, cfg: ClassConfig = DEFAULT_CLASS_CONFIG): ClassVerdict {
  const className = ing.spec?.ingressClassName;
  if (className !== undefined) {
    if (idx.ours.has(className)) return { served: true, via: 'ingressClassName', className };
    return { served: false, reason: `IngressClass "${className}" is not handled by ${cfg.controller}` };
  }
  const ann = ing.metadata?.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (ann !== undefined) {
    if (ann === cfg.annotationValue) return { served: true, via: 'annotation', className: ann };
    return { served: false, reason: `ingress class annotation "${ann}" is not "${cfg.annotationValue}"` };
  }
  if (idx.defaultClass !== undefined) return { served: true, via: 'default-class', className: idx.defaultClass };
  return { served: false, reason: 'no IngressClass and no default IngressClass' };
}
