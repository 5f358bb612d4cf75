/**
 * @module cli/whatif-command
 * `kwire whatif -f policy.yaml`: what applying NetworkPolicies would change on
 * the running cluster, before applying them. A thin client of
 * `POST /kwire/v1/whatif` (the web UI's "what if" view asks the same): the
 * matrix cells that change (new allowances, added denials) and the recent
 * flows whose verdict would change. Nothing is written.
 *
 * Exit codes, so CI can gate a policy change: 0 nothing would change,
 * 3 something would (cells or flows), 1 failure (the API refused the policy,
 * the cluster is not running), 2 usage.
 */
import { readFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, UsageError } from './args.js';
import { clusterNameOf, runCommand, sendBody } from './cluster-client.js';
import { clusterTarget, ClientError } from './policy-client.js';
import { processIO, type CliIO } from './policy-commands.js';
import { renderFlowLine } from './policy-render.js';
import type { WhatIfResult } from '../web/whatif.js';

export const WHATIF_USAGE = `Usage: kwire whatif -f FILE|DIR|- [-f ...] [-n NAMESPACE] [--namespaces a,b] [--ports 80,udp/53] [--since 10m] [-o text|json] [--name CLUSTER]
       kwire whatif --delete (-f FILE|DIR|- ... | NAME ...) [-n NAMESPACE] [options as above]

Predicts what applying the NetworkPolicies in FILE would change, without applying them:
the cells of the reachability matrix that change (new allowances, added denials) and
the recent flows whose verdict would change. The policies are checked as the API
checks them on apply (a dry run). With --delete, predicts deleting the policies FILE
names (as \`kubectl delete -f\`) or the policies NAME in NAMESPACE; each must exist.
-n fills in a missing metadata.namespace (default "default"); --namespaces limits the
matrix (default: every namespace); --ports picks its tables (default: the ports the
policies name or select); --since limits the flows.
Exit status: 0 nothing would change, 3 something would, 1 failure, 2 usage.
`;

/** Exit status when the policies would change something. */
export const EXIT_CHANGES = 3;

type Values = Record<string, string | boolean | string[] | undefined>;

const str = (v: Values, k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
const strs = (v: Values, k: string): string[] => {
  const x = v[k];
  return Array.isArray(x) ? x : typeof x === 'string' ? [x] : [];
};

function readInputs(files: ReadonlyArray<string>, stdin: () => Promise<string>): Promise<string> {
  return (async () => {
    const docs: string[] = [];
    for (const f of files) {
      if (f === '-') {
        docs.push(await stdin());
        continue;
      }
      if (!existsSync(f)) throw new ClientError(`the path "${f}" does not exist`);
      if (statSync(f).isDirectory()) {
        for (const name of readdirSync(f).sort()) if (/\.(ya?ml|json)$/.test(name)) docs.push(readFileSync(join(f, name), 'utf8'));
      } else docs.push(readFileSync(f, 'utf8'));
    }
    return docs.map((d) => d.replace(/\n?$/, '\n')).join('---\n');
  })();
}

/** Policies named on the command line, as the documents `kubectl delete -f` would read (the namespace comes from -n). */
function namedPolicies(names: ReadonlyArray<string>): string {
  return names
    .map((n) => {
      const bare = n.replace(/^(networkpolic(y|ies)(\.networking\.k8s\.io)?|netpol)\//, '');
      if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(bare)) throw new UsageError(`invalid policy name "${n}"`);
      return JSON.stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: bare } });
    })
    .join('\n---\n');
}

/** The text report: candidates, changed cells per table, changed flows, a summary line. */
export function renderWhatIf(w: WhatIfResult): string {
  const out: string[] = [];
  out.push(`what if: ${w.candidates.map((c) => `networkpolicy ${c.namespace}/${c.name} (${c.action})`).join(', ')}`);
  out.push('');
  out.push(`matrix (${w.matrix.pods.length} pods; ${w.matrix.ports.map((p) => `${p.protocol}/${p.port}`).join(', ')}):`);
  if (w.matrix.changes.length === 0) out.push('  no cell changes');
  for (const p of w.matrix.ports) {
    const cells = w.matrix.changes.filter((c) => c.protocol === p.protocol && c.port === p.port);
    if (cells.length === 0) continue;
    out.push(`  ${p.protocol}/${p.port}:`);
    for (const c of cells) out.push(`    ${c.after === 'allowed' ? '+' : '-'} ${c.from} -> ${c.to}: ${c.before} -> ${c.after}`);
  }
  out.push('');
  out.push(`recent flows (${w.flows.judged} judged${w.flows.unjudged ? `, ${w.flows.unjudged} not judged: a pod gone, or refused before policy` : ''}):`);
  if (w.flows.changes.length === 0) out.push('  no flow would change verdict');
  for (const f of w.flows.changes) {
    out.push(`  ${f.before === 'allowed' ? 'FORWARDED' : 'DROPPED'} -> ${f.after === 'allowed' ? 'FORWARDED' : 'DROPPED'}${f.count > 1 ? ` (x${f.count})` : ''}${f.policies.length ? ` by ${f.policies.join(', ')}` : ''}`);
    out.push(`    last: ${renderFlowLine(f.flow)}`);
  }
  out.push('');
  const s = w.summary;
  out.push(`${s.newAllowances} new allowance${s.newAllowances === 1 ? '' : 's'}, ${s.addedDenials} added denial${s.addedDenials === 1 ? '' : 's'}, ${s.flowsChanged} recent flow${s.flowsChanged === 1 ? '' : 's'} would change verdict`);
  return out.join('\n') + '\n';
}

export function whatifCommand(argv: string[], io: CliIO = processIO): Promise<number> {
  return runCommand('whatif', io, WHATIF_USAGE, argv, async () => {
    const { values, positionals } = parse(argv, {
      filename: { type: 'string', short: 'f', multiple: true },
      namespace: { type: 'string', short: 'n' },
      namespaces: { type: 'string', multiple: true },
      ports: { type: 'string', multiple: true },
      since: { type: 'string' },
      output: { type: 'string', short: 'o' },
      name: { type: 'string' },
      delete: { type: 'boolean' },
    });
    const deleting = values['delete'] === true;
    const files = strs(values, 'filename');
    if (positionals.length > 0 && (!deleting || files.length > 0)) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
    if (files.length === 0 && positionals.length === 0) throw new UsageError(deleting ? '-f FILE or the names of the policies to delete are required' : '-f FILE is required (the NetworkPolicies to judge)');
    const output = str(values, 'output') ?? 'text';
    if (output !== 'text' && output !== 'json') throw new UsageError(`unknown output format "${output}": use -o text or -o json`);
    const name = clusterNameOf(str(values, 'name'), io.env);
    const body = files.length > 0 ? await readInputs(files, io.stdin) : namedPolicies(positionals);
    const target = clusterTarget(name, io.env);
    const q = new URLSearchParams({ tables: 'false' });
    if (deleting) q.set('action', 'delete');
    const ns = str(values, 'namespace');
    if (ns !== undefined) q.set('namespace', ns);
    const namespaces = strs(values, 'namespaces');
    if (namespaces.length) q.set('namespaces', namespaces.join(','));
    const ports = strs(values, 'ports');
    if (ports.length) q.set('ports', ports.join(','));
    const since = str(values, 'since');
    if (since !== undefined) q.set('since', since);
    const res = (await sendBody(target, 'POST', `/kwire/v1/whatif?${q}`, Buffer.from(body), 'application/yaml')) as WhatIfResult & { kind?: unknown; objects?: unknown };
    if (res.kind !== 'WhatIf') throw new ClientError('the server did not answer with a WhatIf; is this a kwire cluster of the same version?');
    const { objects: _objects, ...result } = res;
    io.stdout(output === 'json' ? JSON.stringify(result, null, 2) + '\n' : renderWhatIf(result));
    return result.summary.addedDenials + result.summary.newAllowances + result.summary.flowsChanged > 0 ? EXIT_CHANGES : 0;
  });
}
