/**
 * @module cli/service-command
 * `kwire service NAME [-n NAMESPACE] [--url] [--name CLUSTER]`: the URLs that
 * reach a Service from this machine, as `minikube service --url` prints them:
 * - NodePort: `http://<node InternalIP>:<nodePort>` for every node and port;
 * - LoadBalancer: `http://<EXTERNAL-IP>:<port>` for every port;
 * - ClusterIP (and headless, ExternalName): none; a message says the Service is
 *   reachable only inside the cluster and how to reach it from here
 *   (`kubectl port-forward`, or making it a NodePort).
 * Without --url it prints a table; a URL whose host listener kwire could not bind
 * (state.json) is flagged on stderr. Exit 0 with URLs, 1 without (or on error).
 */
import type { Node, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { join } from 'node:path';
import { clusterDir, readJson, type ClusterState } from '../cluster/config.js';
import { parse, UsageError } from './args.js';
import { clusterNameOf, processCommandIO, runCommand, type CommandIO } from './cluster-client.js';
import { ClientError, clusterTarget, getJson } from './policy-client.js';

export const SERVICE_USAGE = `Usage: kwire service NAME [-n NAMESPACE] [--url] [--name CLUSTER]

Prints the URLs that reach Service NAME from this machine, as minikube service --url:
a NodePort on every node's IP (http://<node IP>:<nodePort>), a LoadBalancer on its
EXTERNAL-IP (http://<EXTERNAL-IP>:<port>). A ClusterIP Service is reachable only in
the cluster: kwire says how to reach it from here instead.

  -n, --namespace NS   the Service's namespace (default "default")
  --url                print only the URLs, one per line
  --name CLUSTER       the kwire cluster (default $KWIRE_CLUSTER, else "kwire")
`;

export interface ServiceUrl {
  /** "80" or "80:30080" as kubectl's PORT(S) column shows it. */
  readonly port: string;
  readonly url: string;
  /** The host address and port the URL connects to (for the listener check). */
  readonly address: string;
}

export type ServiceReach =
  | { readonly kind: 'urls'; readonly type: 'NodePort' | 'LoadBalancer'; readonly urls: ReadonlyArray<ServiceUrl> }
  | { readonly kind: 'unreachable'; readonly type: string; readonly message: string };

function scheme(p: ServicePort): string {
  const proto = p.protocol ?? 'TCP';
  if (proto !== 'TCP') return proto.toLowerCase();
  return p.port === 443 || p.name === 'https' || p.appProtocol === 'https' ? 'https' : 'http';
}

function internalIps(nodes: ReadonlyArray<Node>): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    const a = n.status?.addresses?.find((x) => x.type === 'InternalIP')?.address;
    if (a) out.push(a);
  }
  return out;
}

const hostPort = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

/** How a Service is reached from the host, from the Service and the nodes as the API returns them. */
export function serviceUrls(svc: Service, nodes: ReadonlyArray<Node>): ServiceReach {
  const ns = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  const type = svc.spec?.type ?? 'ClusterIP';
  const ports = svc.spec?.ports ?? [];
  const ref = `service ${ns}/${name}`;
  if (type === 'NodePort') {
    const ips = internalIps(nodes);
    if (ips.length === 0) return { kind: 'unreachable', type, message: `${ref} is a NodePort, but the cluster has no node with an InternalIP` };
    const urls: ServiceUrl[] = [];
    for (const p of ports) {
      if (p.nodePort === undefined) continue;
      for (const ip of ips) urls.push({ port: `${p.port}:${p.nodePort}`, url: `${scheme(p)}://${hostPort(ip, p.nodePort)}`, address: hostPort(ip, p.nodePort) });
    }
    return urls.length > 0 ? { kind: 'urls', type, urls } : { kind: 'unreachable', type, message: `${ref} has no node port yet` };
  }
  if (type === 'LoadBalancer') {
    const ingress = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname).filter((x): x is string => !!x);
    if (ingress.length === 0) {
      return { kind: 'unreachable', type, message: `${ref} is a LoadBalancer whose EXTERNAL-IP is still <pending>; try again in a moment (kubectl get svc ${name} -n ${ns} -w)` };
    }
    const urls: ServiceUrl[] = [];
    for (const p of ports) for (const ip of ingress) urls.push({ port: p.nodePort ? `${p.port}:${p.nodePort}` : `${p.port}`, url: `${scheme(p)}://${hostPort(ip, p.port)}`, address: hostPort(ip, p.port) });
    return { kind: 'urls', type, urls };
  }
  if (type === 'ExternalName') {
    return { kind: 'unreachable', type, message: `${ref} is of type ExternalName: it is a DNS alias for ${svc.spec?.externalName ?? '?'} inside the cluster; reach that name directly` };
  }
  const first = ports[0];
  const port = first?.port ?? 80;
  const local = port < 1024 ? 8080 : port;
  const headless = svc.spec?.clusterIP === 'None';
  return {
    kind: 'unreachable',
    type,
    message: [
      `${ref} is of type ClusterIP${headless ? ' (headless)' : ''}: it is reachable only inside the cluster${first ? `, at ${name}.${ns}.svc.cluster.local:${port}` : ''}${!headless && svc.spec?.clusterIP ? ` (${svc.spec.clusterIP})` : ''}, not from this machine.`,
      'To reach it from here:',
      `  kubectl port-forward -n ${ns} service/${name} ${local}:${port}    then ${scheme(first ?? { port })}://127.0.0.1:${local}`,
      `  or make it a NodePort: kubectl patch service ${name} -n ${ns} -p '{"spec":{"type":"NodePort"}}'    then kwire service ${name} -n ${ns}`,
    ].join('\n'),
  };
}

/** Host listeners kwire could not bind, by address (from state.json). */
function listenerErrors(cluster: string, env: NodeJS.ProcessEnv): Map<string, string> {
  const st = readJson<ClusterState>(join(clusterDir(cluster, env), 'state.json'));
  return new Map((st?.listeners ?? []).filter((l) => l.error).map((l) => [l.address, l.error ?? ''] as const));
}

function table(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n') + '\n';
}

export async function serviceCommand(argv: string[], io: CommandIO = processCommandIO): Promise<number> {
  return runCommand('service', io, SERVICE_USAGE, argv, async () => {
    const { values, positionals } = parse(argv, { namespace: { type: 'string', short: 'n' }, url: { type: 'boolean' }, name: { type: 'string' } });
    const [svcName, ...rest] = positionals;
    if (svcName === undefined) throw new UsageError('which Service? give its name: kwire service NAME -n NAMESPACE');
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0] ?? ''}"`);
    const ns = (values['namespace'] as string | undefined) ?? 'default';
    const cluster = clusterNameOf(values['name'] as string | undefined, io.env);
    const target = clusterTarget(cluster, io.env);
    const svc = (await getJson(target, `/api/v1/namespaces/${encodeURIComponent(ns)}/services/${encodeURIComponent(svcName)}`, new URLSearchParams())) as Service;
    const nodes = ((await getJson(target, '/api/v1/nodes', new URLSearchParams())) as { items?: Node[] }).items ?? [];
    if (svc.kind !== 'Service') throw new ClientError('the server did not answer with a Service');
    const reach = serviceUrls(svc, nodes);
    if (reach.kind === 'unreachable') {
      io.stderr(`kwire service: ${reach.message}\n`);
      return 1;
    }
    if (values['url'] === true) io.stdout(reach.urls.map((u) => u.url).join('\n') + '\n');
    else io.stdout(table([['NAMESPACE', 'NAME', 'TYPE', 'PORT', 'URL'], ...reach.urls.map((u) => [ns, svcName, reach.type, u.port, u.url])]));
    const errors = listenerErrors(cluster, io.env);
    for (const u of reach.urls) {
      const e = errors.get(u.address);
      if (e) io.stderr(`warning: ${u.url} does not answer: kwire could not listen on ${u.address}: ${e}\n`);
    }
    return 0;
  });
}
