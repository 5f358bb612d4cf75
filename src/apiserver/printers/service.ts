/**
 * @module apiserver/printers/service
 * The Service printer: TYPE, CLUSTER-IP, EXTERNAL-IP (`<none>`, `<pending>`
 * for a LoadBalancer without ingress, LB ingress IPs/hostnames, externalIPs,
 * externalName), PORT(S) as `80/TCP` or `80:30080/TCP`, AGE; wide SELECTOR.
 * Port of printService / getServiceExternalIP / makePortString.
 */
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { AGE_COLUMN, NAME_COLUMN, col } from './columns.js';
import { DOC } from './descriptions.js';
import { translateTimestampSince } from './duration.js';
import { asKube, formatLabels, int, sortedSet } from './format.js';
import type { PrintedRow, Printer, PrintOptions } from './types.js';

/** Width the non-wide EXTERNAL-IP / ADDRESS is clipped to ("2.3.4.5,3.4.5..."). */
export const LOAD_BALANCER_WIDTH = 16;

/** The part of a Service or Ingress load-balancer status the printers read. */
export interface LoadBalancerIngresses {
  readonly ingress?: ReadonlyArray<{ readonly ip?: string; readonly hostname?: string }>;
}

/** `loadBalancerStatusStringer`: sorted unique IPs (else hostnames), clipped to 16 chars unless wide. */
export function loadBalancerStatusString(s: LoadBalancerIngresses | undefined, wide: boolean): string {
  const values: string[] = [];
  for (const ing of s?.ingress ?? []) {
    if (ing.ip) values.push(ing.ip);
    else if (ing.hostname) values.push(ing.hostname);
  }
  let r = sortedSet(values).join(',');
  if (!wide && r.length > LOAD_BALANCER_WIDTH) r = `${r.slice(0, LOAD_BALANCER_WIDTH - 3)}...`;
  return r;
}

function externalIP(svc: Partial<Service>, wide: boolean): string {
  const spec = svc.spec ?? {};
  const externalIPs = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerStatusString(svc.status?.loadBalancer, wide);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** `makePortString`: "80/TCP", "80:30080/TCP", comma-joined; "" when there are no ports. */
export function portString(ports: ReadonlyArray<ServicePort> | undefined): string {
  return (ports ?? [])
    .map((p) => {
      const proto = p.protocol || 'TCP';
      return int(p.nodePort) > 0 ? `${int(p.port)}:${int(p.nodePort)}/${proto}` : `${int(p.port)}/${proto}`;
    })
    .join(',');
}

export const servicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Type', 'string', DOC.serviceSpecType),
    col('Cluster-IP', 'string', DOC.serviceSpecClusterIP),
    col('External-IP', 'string', DOC.serviceSpecExternalIPs),
    col('Port(s)', 'string', DOC.serviceSpecPorts),
    AGE_COLUMN,
    col('Selector', 'string', DOC.serviceSpecSelector, 1),
  ],
  print(obj: unknown, now: Date, options: PrintOptions): PrintedRow {
    const svc = asKube<Service>(obj);
    const spec = svc.spec ?? {};
    // Internally clusterIPs is always set (converted from clusterIP when absent).
    const clusterIP = spec.clusterIPs?.[0] ?? (spec.clusterIP || '<none>');
    const cells = [
      svc.metadata?.name ?? '',
      spec.type ?? 'ClusterIP',
      clusterIP,
      externalIP(svc, options.wide),
      portString(spec.ports) || '<none>',
      translateTimestampSince(svc.metadata?.creationTimestamp, now),
    ];
    if (options.wide) cells.push(formatLabels(spec.selector));
    return { cells };
  },
};
