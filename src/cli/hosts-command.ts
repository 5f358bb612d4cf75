/**
 * @module cli/hosts-command
 * `kwire hosts [--write | --remove] [--file PATH] [--name CLUSTER]`: the
 * /etc/hosts lines that send every Ingress host name to the cluster's ingress,
 * `<address> host1 host2 ...`, where the address is 127.0.0.1 when the ingress
 * listens on 127.0.0.1:80, else the ingress-nginx controller's LoadBalancer IP
 * (the Ingress ADDRESS), unless kwire could not bind port 80 there either (no
 * root): then 127.0.0.1 and a note on the port it uses. Printed by default; `--write` puts them in the file
 * (default /etc/hosts) inside a block of its own,
 *
 *   # BEGIN kwire (cluster NAME)
 *   127.0.0.1 frontend.local backend.local
 *   # END kwire
 *
 * replacing that block if it is there, and `--remove` takes the block out. No
 * other line of the file is ever touched; what changes is printed.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type { Service } from 'kubernetes-types/core/v1.js';
import { clusterDir, kwireHome, readJson, type ClusterState } from '../cluster/config.js';
import { parse, UsageError } from './args.js';
import { clusterNameOf, processCommandIO, runCommand, type CommandIO } from './cluster-client.js';
import { ClientError, clusterTarget, getJson, ServerError } from './policy-client.js';

export const HOSTS_USAGE = `Usage: kwire hosts [--write | --remove] [--file PATH] [--name CLUSTER]

Prints the /etc/hosts lines that send every Ingress host to the cluster's ingress
("<address> host1 host2 ..."): 127.0.0.1 when the ingress listens on 127.0.0.1:80,
else the ingress-nginx LoadBalancer IP.

  --write        put the lines into the file, in a block of their own:
                   # BEGIN kwire (cluster NAME)
                   ...
                   # END kwire
                 (replacing that block if present; no other line is touched)
  --remove       take that block out of the file
  --file PATH    the hosts file (default /etc/hosts, which needs root to change)
  --name CLUSTER the kwire cluster (default $KWIRE_CLUSTER, else "kwire")

Without editing anything, curl can do the same per request:
  curl --resolve frontend.local:80:<address> http://frontend.local
`;

export const END_MARKER = '# END kwire';
export const beginMarker = (cluster: string): string => `# BEGIN kwire (cluster ${cluster})`;

/** Host names that can go in a hosts file (no wildcards), in first-seen order. */
function plainHosts(ing: Ingress): { hosts: string[]; wildcards: string[] } {
  const hosts: string[] = [];
  const wildcards: string[] = [];
  for (const r of ing.spec?.rules ?? []) {
    const h = r.host;
    if (!h) continue;
    (h.includes('*') ? wildcards : hosts).push(h);
  }
  for (const t of ing.spec?.tls ?? []) for (const h of t.hosts ?? []) (h.includes('*') ? wildcards : hosts).push(h);
  return { hosts, wildcards };
}

export interface HostsPlan {
  /** `<address> host ...`, one per address. */
  readonly lines: ReadonlyArray<string>;
  /** Wildcard hosts, which a hosts file cannot express. */
  readonly wildcards: ReadonlyArray<string>;
}

/**
 * The hosts lines for these Ingresses. `local80`: the ingress answers on
 * 127.0.0.1:80, so every name goes there; otherwise each Ingress's own ADDRESS,
 * else the controller's LoadBalancer IP.
 */
export function hostsLines(ingresses: ReadonlyArray<Ingress>, opts: { readonly local80: boolean; readonly controllerIp?: string }): HostsPlan {
  const byAddress = new Map<string, string[]>();
  const wildcards: string[] = [];
  for (const ing of ingresses) {
    const { hosts, wildcards: w } = plainHosts(ing);
    wildcards.push(...w);
    if (hosts.length === 0) continue;
    const address = opts.local80 ? '127.0.0.1' : ing.status?.loadBalancer?.ingress?.find((x) => x.ip)?.ip ?? opts.controllerIp;
    if (!address) continue;
    const list = byAddress.get(address) ?? [];
    for (const h of hosts) if (!list.includes(h)) list.push(h);
    byAddress.set(address, list);
  }
  return { lines: [...byAddress].map(([a, hs]) => `${a} ${hs.join(' ')}`), wildcards: [...new Set(wildcards)] };
}

export interface HostsEdit {
  readonly text: string;
  readonly changed: boolean;
  /** The block's lines before and after (markers included); empty when absent. */
  readonly before: ReadonlyArray<string>;
  readonly after: ReadonlyArray<string>;
}

export class HostsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostsFileError';
  }
}

/**
 * Sets (lines given and non-empty) or removes (undefined or empty) the block of
 * `cluster` in a hosts file's text. Every other line stays byte for byte.
 */
export function setHostsBlock(text: string, cluster: string, lines: ReadonlyArray<string> | undefined): HostsEdit {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const all = text === '' ? [] : text.split(eol);
  // A trailing newline leaves an empty last element: keep it apart.
  const trailing = all.length > 0 && all[all.length - 1] === '';
  if (trailing) all.pop();
  const begin = beginMarker(cluster);
  const start = all.findIndex((l) => l.trim() === begin);
  let end = -1;
  if (start >= 0) {
    end = all.findIndex((l, i) => i > start && l.trim() === END_MARKER);
    if (end < 0) throw new HostsFileError(`the kwire block for cluster "${cluster}" (line ${start + 1}) has no "${END_MARKER}" line; fix the file by hand`);
  }
  const before = start >= 0 ? all.slice(start, end + 1) : [];
  const after = lines && lines.length > 0 ? [begin, ...lines, END_MARKER] : [];
  if (before.join('\n') === after.join('\n')) return { text, changed: false, before, after };
  let out: string[];
  if (start >= 0) out = [...all.slice(0, start), ...after, ...all.slice(end + 1)];
  else out = [...all, ...after];
  const joined = out.join(eol);
  const newText = out.length === 0 ? '' : joined + (trailing || start < 0 ? eol : '');
  return { text: newText, changed: true, before, after };
}

/** Lines outside kwire's blocks that also name one of these hosts (left alone, but worth a word). */
export function otherMentions(text: string, hosts: ReadonlyArray<string>): Array<{ readonly line: number; readonly text: string }> {
  const out: Array<{ line: number; text: string }> = [];
  let inBlock = false;
  text.split(/\r?\n/).forEach((l, i) => {
    const t = l.trim();
    if (t.startsWith('# BEGIN kwire')) inBlock = true;
    else if (t === END_MARKER) inBlock = false;
    else if (!inBlock && !t.startsWith('#')) {
      const names = t.split(/\s+/).slice(1);
      if (names.some((n) => hosts.includes(n))) out.push({ line: i + 1, text: l });
    }
  });
  return out;
}

function describe(edit: HostsEdit, file: string, cluster: string): string {
  if (!edit.changed) return `kwire hosts: ${file} already has ${edit.after.length > 0 ? 'these lines' : 'no block'} for cluster "${cluster}"; nothing changed\n`;
  const minus = edit.before.map((l) => `- ${l}`);
  const plus = edit.after.map((l) => `+ ${l}`);
  const what = edit.before.length === 0 ? 'added' : edit.after.length === 0 ? 'removed' : 'updated';
  return `kwire hosts: ${what} the block for cluster "${cluster}" in ${file}:\n${[...minus, ...plus].join('\n')}\n`;
}

function readHostsFile(file: string): string {
  if (!existsSync(file)) return '';
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new ClientError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

function writeHostsFile(file: string, text: string, io: CommandIO, argv: ReadonlyArray<string>): void {
  try {
    // In place, not by rename: /etc/hosts is often a bind mount (containers) that cannot be replaced.
    writeFileSync(file, text);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new ClientError(
        `cannot write ${file} (${code}): it needs root. Run\n  sudo KWIRE_HOME=${kwireHome(io.env)} ${process.execPath} ${process.argv[1] ?? 'kwire'} hosts ${argv.join(' ')}\nor, with no file changed at all, curl --resolve HOST:80:ADDRESS http://HOST`,
      );
    }
    throw new ClientError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

export async function hostsCommand(argv: string[], io: CommandIO = processCommandIO): Promise<number> {
  return runCommand('hosts', io, HOSTS_USAGE, argv, async () => {
    const { values, positionals } = parse(argv, { write: { type: 'boolean' }, remove: { type: 'boolean' }, file: { type: 'string' }, name: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
    const write = values['write'] === true;
    const remove = values['remove'] === true;
    if (write && remove) throw new UsageError('--write and --remove exclude each other');
    const file = (values['file'] as string | undefined) ?? '/etc/hosts';
    const cluster = clusterNameOf(values['name'] as string | undefined, io.env);

    if (remove) {
      const text = readHostsFile(file);
      const edit = setHostsBlock(text, cluster, undefined);
      if (edit.changed) writeHostsFile(file, edit.text, io, argv);
      io.stdout(edit.changed ? describe(edit, file, cluster) : `kwire hosts: ${file} has no block for cluster "${cluster}"; nothing to remove\n`);
      return 0;
    }

    const target = clusterTarget(cluster, io.env);
    const list = (await getJson(target, '/apis/networking.k8s.io/v1/ingresses', new URLSearchParams())) as { items?: Ingress[] };
    let controllerIp: string | undefined;
    try {
      const svc = (await getJson(target, '/api/v1/namespaces/ingress-nginx/services/ingress-nginx-controller', new URLSearchParams())) as Service;
      controllerIp = svc.status?.loadBalancer?.ingress?.find((x) => x.ip)?.ip;
    } catch (e) {
      if (!(e instanceof ServerError && e.code === 404)) throw e;
    }
    const st = readJson<ClusterState>(join(clusterDir(cluster, io.env), 'state.json'));
    const http = st?.ingress?.http ?? null;
    // The EXTERNAL-IP answers only if kwire could bind port 80 there (it needs root, as 127.0.0.1:80 does).
    const lbBound = controllerIp !== undefined && (st?.listeners ?? []).some((l) => l.address === `${controllerIp}:80` && !l.error);
    const local = http === 80 || (!lbBound && http !== null);
    const plan = hostsLines(list.items ?? [], { local80: local, controllerIp });
    if (local && http !== 80 && http !== null && plan.lines.length > 0) {
      io.stderr(`kwire hosts: the ingress answers on 127.0.0.1:${http}, not on port 80 (binding port 80 needs root): open http://<host>:${http}\n`);
    }
    for (const w of plan.wildcards) io.stderr(`kwire hosts: ${w} is a wildcard, which a hosts file cannot hold; use curl --resolve for its names\n`);

    if (!write) {
      if (plan.lines.length === 0) io.stderr(`kwire hosts: no Ingress in cluster "${cluster}" names a host (or none has an address yet)\n`);
      else io.stdout(plan.lines.join('\n') + '\n');
      return 0;
    }
    const text = readHostsFile(file);
    const edit = setHostsBlock(text, cluster, plan.lines);
    if (edit.changed) writeHostsFile(file, edit.text, io, argv);
    io.stdout(describe(edit, file, cluster));
    const hosts = plan.lines.flatMap((l) => l.split(' ').slice(1));
    for (const m of otherMentions(edit.text, hosts)) io.stderr(`kwire hosts: note: line ${m.line} of ${file} also names one of these hosts (not kwire's; left as is): ${m.text}\n`);
    return 0;
  });
}
