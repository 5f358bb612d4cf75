/**
 * @module apiserver/printers/networking
 * networking.k8s.io/v1 printers: Ingress (CLASS, HOSTS with "*" and
 * "+ N more...", ADDRESS from the load-balancer status, PORTS "80" or
 * "80, 443", AGE), IngressClass (CONTROLLER, PARAMETERS "Kind[.group]/name",
 * AGE) and NetworkPolicy (POD-SELECTOR, AGE). Port of the upstream printers.
 */
import type { Ingress, IngressClass, IngressRule, IngressTLS, NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { AGE_COLUMN, NAME_COLUMN, col } from './columns.js';
import { DOC } from './descriptions.js';
import { translateTimestampSince } from './duration.js';
import { asKube, formatLabelSelector } from './format.js';
import { loadBalancerStatusString } from './service.js';
import type { PrintedRow, Printer, PrintOptions } from './types.js';

/** `formatHosts`: the first 3 rule hosts, "*" when none has a host. */
export function formatHosts(rules: ReadonlyArray<IngressRule> | undefined): string {
  const all = rules ?? [];
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const rule of all) {
    if (list.length === max) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  // Upstream counts every rule, host or not, in "N more".
  return more ? `${ret} + ${all.length - max} more...` : ret;
}

/** `formatPorts`: "80, 443" when TLS is configured, else "80". */
export function formatIngressPorts(tls: ReadonlyArray<IngressTLS> | undefined): string {
  return (tls ?? []).length !== 0 ? '80, 443' : '80';
}

export const ingressPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    AGE_COLUMN,
  ],
  print(obj: unknown, now: Date, options: PrintOptions): PrintedRow {
    const ing = asKube<Ingress>(obj);
    return {
      cells: [
        ing.metadata?.name ?? '',
        ing.spec?.ingressClassName ?? '<none>',
        formatHosts(ing.spec?.rules),
        loadBalancerStatusString(ing.status?.loadBalancer, options.wide),
        formatIngressPorts(ing.spec?.tls),
        translateTimestampSince(ing.metadata?.creationTimestamp, now),
      ],
    };
  },
};

export const ingressClassPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Controller', 'string', 'Controller that is responsible for handling this class'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters'),
    AGE_COLUMN,
  ],
  print(obj: unknown, now: Date): PrintedRow {
    const ic = asKube<IngressClass>(obj);
    const p = ic.spec?.parameters;
    let parameters = '<none>';
    if (p) parameters = `${p.kind}${p.apiGroup !== undefined && p.apiGroup !== null ? `.${p.apiGroup}` : ''}/${p.name}`;
    return { cells: [ic.metadata?.name ?? '', ic.spec?.controller ?? '', parameters, translateTimestampSince(ic.metadata?.creationTimestamp, now)] };
  },
};

export const networkPolicyPrinter: Printer = {
  columns: [NAME_COLUMN, col('Pod-Selector', 'string', DOC.networkPolicySpecPodSelector), AGE_COLUMN],
  print(obj: unknown, now: Date): PrintedRow {
    const np = asKube<NetworkPolicy>(obj);
    // podSelector is a struct upstream, never nil: an absent one is the empty selector.
    return {
      cells: [np.metadata?.name ?? '', formatLabelSelector(np.spec?.podSelector ?? {}), translateTimestampSince(np.metadata?.creationTimestamp, now)],
    };
  },
};
