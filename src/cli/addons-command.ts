/**
 * @module cli/addons-command
 * `kwire addons [list]`, `kwire addons enable|disable NAME`: the cluster's
 * add-ons, as `minikube addons` shows them. kwire has two, both real pods
 * running from the start: `coredns` (cluster DNS, kube-system) and
 * `ingress-nginx` (the ingress controller; `ingress` is accepted too, as minikube
 * names it). Disabling one scales its Deployment to 0 replicas through the API,
 * and enabling scales it back to its default; nothing else changes, which the
 * output says.
 */
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import { join } from 'node:path';
import { clusterDir, readJson, type ClusterState } from '../cluster/config.js';
import { parse, UsageError } from './args.js';
import { clusterNameOf, processCommandIO, runCommand, sendJson, type CommandIO } from './cluster-client.js';
import { clusterTarget, getJson, ServerError, type ApiTarget } from './policy-client.js';

export const ADDONS_USAGE = `Usage: kwire addons [list] [--name CLUSTER]
       kwire addons enable|disable NAME [--name CLUSTER]

The cluster's add-ons and whether they run: coredns (cluster DNS) and ingress-nginx
(the ingress controller, also called "ingress"). Both are enabled when a cluster is
created. disable scales the add-on's Deployment to 0 replicas; enable scales it
back (coredns 2, ingress-nginx 1).
`;

export interface Addon {
  readonly name: string;
  readonly aliases: ReadonlyArray<string>;
  readonly namespace: string;
  readonly deployment: string;
  readonly replicas: number;
  readonly what: string;
}

export const ADDONS: ReadonlyArray<Addon> = [
  { name: 'coredns', aliases: ['dns', 'kube-dns'], namespace: 'kube-system', deployment: 'coredns', replicas: 2, what: 'cluster DNS' },
  { name: 'ingress-nginx', aliases: ['ingress'], namespace: 'ingress-nginx', deployment: 'ingress-nginx-controller', replicas: 1, what: 'ingress controller' },
];

export function findAddon(name: string): Addon | undefined {
  return ADDONS.find((a) => a.name === name || a.aliases.includes(name));
}

export type AddonState = 'enabled' | 'disabled' | 'missing';

export function addonState(d: Deployment | undefined): AddonState {
  if (!d) return 'missing';
  return (d.spec?.replicas ?? 1) > 0 ? 'enabled' : 'disabled';
}

async function getDeployment(target: ApiTarget, a: Addon): Promise<Deployment | undefined> {
  try {
    return (await getJson(target, `/apis/apps/v1/namespaces/${a.namespace}/deployments/${a.deployment}`, new URLSearchParams())) as Deployment;
  } catch (e) {
    if (e instanceof ServerError && e.code === 404) return undefined;
    throw e;
  }
}

async function getService(target: ApiTarget, ns: string, name: string): Promise<Service | undefined> {
  try {
    return (await getJson(target, `/api/v1/namespaces/${ns}/services/${name}`, new URLSearchParams())) as Service;
  } catch (e) {
    if (e instanceof ServerError && e.code === 404) return undefined;
    throw e;
  }
}

async function details(target: ApiTarget, a: Addon, st: ClusterState | undefined): Promise<string> {
  if (a.name === 'coredns') {
    const svc = await getService(target, 'kube-system', 'kube-dns');
    return `${a.what}: Service kube-dns ${svc?.spec?.clusterIP ?? '-'}${st?.dnsPort ? `, on this machine 127.0.0.1:${st.dnsPort}` : ''}`;
  }
  const svc = await getService(target, a.namespace, a.deployment);
  const ip = svc?.status?.loadBalancer?.ingress?.[0]?.ip;
  const http = st?.ingress?.http;
  return `${a.what}: EXTERNAL-IP ${ip ?? '<pending>'}${http ? `, and 127.0.0.1:${http}` : ''}`;
}

function table(rows: ReadonlyArray<ReadonlyArray<string>>): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]! + 3))).join('').trimEnd()).join('\n') + '\n';
}

export async function addonsCommand(argv: string[], io: CommandIO = processCommandIO): Promise<number> {
  return runCommand('addons', io, ADDONS_USAGE, argv, async () => {
    const { values, positionals } = parse(argv, { name: { type: 'string' } });
    const [verb = 'list', addonName, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0] ?? ''}"`);
    const cluster = clusterNameOf(values['name'] as string | undefined, io.env);
    if (verb === 'list') {
      if (addonName !== undefined) throw new UsageError(`unexpected argument "${addonName}"`);
      const target = clusterTarget(cluster, io.env);
      const st = readJson<ClusterState>(join(clusterDir(cluster, io.env), 'state.json'));
      const rows = [['NAME', 'NAMESPACE', 'STATE', 'READY', 'WHAT']];
      for (const a of ADDONS) {
        const d = await getDeployment(target, a);
        rows.push([a.name, a.namespace, addonState(d), d ? `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}` : '-', await details(target, a, st)]);
      }
      io.stdout(table(rows));
      return 0;
    }
    if (verb !== 'enable' && verb !== 'disable') throw new UsageError(`unknown action "${verb}": use list, enable or disable`);
    if (addonName === undefined) throw new UsageError(`which add-on? one of: ${ADDONS.map((a) => a.name).join(', ')}`);
    const a = findAddon(addonName);
    if (!a) throw new UsageError(`no add-on named "${addonName}"; kwire's add-ons: ${ADDONS.map((x) => x.name).join(', ')}`);
    const target = clusterTarget(cluster, io.env);
    const d = await getDeployment(target, a);
    if (!d) {
      io.stderr(`kwire addons: Deployment ${a.namespace}/${a.deployment} is missing (deleted?); \`kwire stop && kwire start\` recreates it\n`);
      return 1;
    }
    const want = verb === 'enable' ? a.replicas : 0;
    const was = d.spec?.replicas ?? 1;
    if ((verb === 'enable' && was > 0) || (verb === 'disable' && was === 0)) {
      io.stdout(`kwire addons: ${a.name} is already ${verb}d (Deployment ${a.namespace}/${a.deployment}: ${was} replica${was === 1 ? '' : 's'})\n`);
      return 0;
    }
    await sendJson(target, 'PATCH', `/apis/apps/v1/namespaces/${a.namespace}/deployments/${a.deployment}`, { spec: { replicas: want } }, 'application/merge-patch+json');
    const consequence =
      verb === 'enable'
        ? ''
        : a.name === 'coredns'
          ? '; pods cannot resolve names until `kwire addons enable coredns`'
          : '; Ingress objects stay, but nothing answers for them until `kwire addons enable ingress-nginx`';
    io.stdout(`kwire addons: ${verb}d ${a.name}: scaled Deployment ${a.namespace}/${a.deployment} from ${was} to ${want} replica${want === 1 ? '' : 's'}${consequence}\n`);
    return 0;
  });
}
