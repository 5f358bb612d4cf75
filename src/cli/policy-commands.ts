/**
 * @module cli/policy-commands
 * `kwire explain`, `kwire matrix` and `kwire flows`: thin clients of the
 * running cluster's `/kwire/v1/...` endpoints (policy-client.ts), and for
 * explain and matrix also offline over manifests (`-f file|dir|-`), with the
 * same engine functions and no cluster at all.
 *
 *   kwire explain --from networking-lab/test-pod --to svc/backend-clusterip -n networking-lab --port 80
 *   kwire matrix -n x,y,z --ports 80,81 --protocols tcp,udp [-o table|json|csv] [-f dir/]
 *   kwire flows [-f|--follow] [-n ns] [--verdict dropped] [--since 5m] [-o json]
 *
 * Exit codes: 0 done (whatever the verdict), 1 failure (server error, not
 * running, bad input file), 2 usage. Output goes through `CliIO` so tests
 * capture it.
 */
import { isIP } from 'node:net';
import { ApiError } from '../errors.js';
import { explainEndpoints, matrixEndpoints, parsePort, parsePortList, parseProtocol, parseProtocolList, splitList, type ExplainRequest, type ExplainResult, type MatrixRequest, type ReachabilityMatrix } from '../apiserver/kwire-query.js';
import type { FlowRecord } from '../dataplane/flow-log.js';
import { parse, UsageError, type Options } from './args.js';
import { runCommand } from './cluster-client.js';
import { clusterTarget, ClientError, getJson, streamJsonLines } from './policy-client.js';
import { loadOffline } from './policy-offline.js';
import { renderExplainText, renderFlowLine, renderJSON, renderMatrixCSV, renderMatrixTable } from './policy-render.js';

/** Where a command reads and writes. */
export interface CliIO {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** The whole of standard input (for `-f -`). */
  readonly stdin: () => Promise<string>;
  /** Ends `flows --follow` (otherwise it runs until the process is interrupted). */
  readonly signal?: AbortSignal;
}

export const processIO: CliIO = {
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  env: process.env,
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
    return Buffer.concat(chunks).toString('utf8');
  },
};

export const EXPLAIN_USAGE = `Usage: kwire explain --from FROM --to TO [--port N] [--protocol tcp|udp|sctp] [-n NAMESPACE] [-o text|json] [-f FILE|DIR|- [-R]] [--name CLUSTER]

Explains whether FROM can connect to TO and why: the Service translation, every
policy selecting the source (egress) and the destination (ingress), the rule that
admitted the connection or why none did, and hints for the usual mistakes.
FROM and TO: ns/pod, pod, svc/ns/name, svc/name, ip:ADDRESS (short forms use -n).
--port is the Service port for a Service, the pod port otherwise (default: the only one).
With -f the manifests are analysed offline (kubectl get -o yaml exports), no cluster needed.
`;

export const MATRIX_USAGE = `Usage: kwire matrix [-n NS[,NS]]... [--ports 80,81] [--protocols tcp,udp] [--from X]... [--to X]... [-o table|json|csv] [-f FILE|DIR|- [-R]] [--name CLUSTER]

Prints who can reach whom, one table per protocol and port, in the layout of the
upstream network policy tests ("." allowed, "X" dropped). Rows and columns default to
the pods of the namespaces (all of them without -n); --from/--to take ns/pod,
svc/ns/name (judged after translation) and ip:ADDRESS. Default port 80, TCP.
With -f the manifests are analysed offline (kubectl get -o yaml exports), no cluster needed.
`;

export const FLOWS_USAGE = `Usage: kwire flows [-f|--follow] [-n NAMESPACE] [--verdict forwarded|dropped|refused|error] [--since 5m] [--last N|--all] [--pod ns/name] [--service ns/name] [--protocol tcp|udp] [-o text|json] [--name CLUSTER]

Shows connection attempts with their verdicts and deciding policies, like hubble observe.
Without --since or --all, the last 20 held flows (--last changes it); --follow then waits for new ones.
`;

type Values = Record<string, string | boolean | string[] | undefined>;

const str = (v: Values, k: string): string | undefined => {
  const x = v[k];
  return typeof x === 'string' ? x : undefined;
};
const strs = (v: Values, k: string): string[] => {
  const x = v[k];
  return Array.isArray(x) ? x : typeof x === 'string' ? [x] : [];
};

const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function clusterName(v: Values, env: NodeJS.ProcessEnv): string {
  const n = str(v, 'name') ?? env['KWIRE_CLUSTER'] ?? 'kwire';
  if (!CLUSTER_NAME.test(n) || n.length > 40) throw new UsageError(`invalid cluster name "${n}": use lower case letters, digits and '-'`);
  return n;
}

/** Client-side checks of user input speak as usage errors. */
function usage<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ApiError) throw new UsageError(e.message);
    throw e;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The server's JSON is trusted to be the document it names (checked by kind). */
function expectKind<T>(v: unknown, kind: string): T {
  if (!isRecord(v) || v['kind'] !== kind) throw new ClientError(`the server did not answer with a ${kind}; is this a kwire cluster of the same version?`);
  return v as T;
}

const OFFLINE_OPTIONS: Options = {
  filename: { type: 'string', short: 'f', multiple: true },
  recursive: { type: 'boolean', short: 'R' },
};

function warn(io: CliIO, warnings: ReadonlyArray<string>): void {
  for (const w of warnings) io.stderr(`warning: ${w}\n`);
}

// ------------------------------------------------------------------ explain

export async function explainCommand(argv: string[], io: CliIO = processIO): Promise<number> {
  return runCommand('explain', io, EXPLAIN_USAGE, argv, async () => {
    const { values, positionals } = parse(argv, {
      from: { type: 'string' },
      to: { type: 'string' },
      port: { type: 'string' },
      protocol: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      output: { type: 'string', short: 'o' },
      name: { type: 'string' },
      ...OFFLINE_OPTIONS,
    });
    const rest = [...positionals];
    const from = str(values, 'from') ?? rest.shift();
    const to = str(values, 'to') ?? rest.shift();
    if (from === undefined || to === undefined) throw new UsageError('--from and --to are required');
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0] ?? ''}"`);
    const output = str(values, 'output') ?? 'text';
    if (output !== 'text' && output !== 'json') throw new UsageError(`unknown output format "${output}": use -o text or -o json`);
    const portText = str(values, 'port');
    const protocolText = str(values, 'protocol');
    const namespace = str(values, 'namespace');
    const req: ExplainRequest = {
      from,
      to,
      ...(portText !== undefined ? { port: usage(() => parsePort(portText)) } : {}),
      ...(protocolText !== undefined ? { protocol: usage(() => parseProtocol(protocolText)) } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
    };
    const files = strs(values, 'filename');
    let result: ExplainResult;
    if (files.length > 0) {
      const input = await loadOffline(files, values['recursive'] === true, io.stdin);
      warn(io, input.warnings);
      result = explainEndpoints(input.engine, input.catalog, req);
    } else {
      const target = clusterTarget(clusterName(values, io.env), io.env);
      const q = new URLSearchParams({ from: req.from, to: req.to });
      if (req.port !== undefined) q.set('port', String(req.port));
      if (req.protocol !== undefined) q.set('protocol', req.protocol);
      if (req.namespace !== undefined) q.set('namespace', req.namespace);
      result = expectKind<ExplainResult>(await getJson(target, '/kwire/v1/explain', q), 'Explanation');
    }
    io.stdout(output === 'json' ? renderJSON(result) : renderExplainText(result));
    return 0;
  });
}

// ------------------------------------------------------------------ matrix

export async function matrixCommand(argv: string[], io: CliIO = processIO): Promise<number> {
  return runCommand('matrix', io, MATRIX_USAGE, argv, async () => {
    const { values, positionals } = parse(argv, {
      namespace: { type: 'string', short: 'n', multiple: true },
      ports: { type: 'string', multiple: true },
      protocols: { type: 'string', multiple: true },
      from: { type: 'string', multiple: true },
      to: { type: 'string', multiple: true },
      output: { type: 'string', short: 'o' },
      name: { type: 'string' },
      ...OFFLINE_OPTIONS,
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
    const output = str(values, 'output') ?? 'table';
    if (output !== 'table' && output !== 'text' && output !== 'json' && output !== 'csv') throw new UsageError(`unknown output format "${output}": use -o table, -o json or -o csv`);
    const namespaces = splitList(strs(values, 'namespace'));
    const req: MatrixRequest = {
      namespaces,
      ports: usage(() => parsePortList(strs(values, 'ports'))),
      protocols: usage(() => parseProtocolList(strs(values, 'protocols'))),
      from: splitList(strs(values, 'from')),
      to: splitList(strs(values, 'to')),
      ...(namespaces[0] !== undefined ? { namespace: namespaces[0] } : {}),
    };
    const files = strs(values, 'filename');
    let m: ReachabilityMatrix;
    if (files.length > 0) {
      const input = await loadOffline(files, values['recursive'] === true, io.stdin);
      warn(io, input.warnings);
      m = matrixEndpoints(input.engine, input.catalog, req);
    } else {
      const target = clusterTarget(clusterName(values, io.env), io.env);
      const q = new URLSearchParams();
      if (namespaces.length) q.set('namespaces', namespaces.join(','));
      if (req.ports?.length) q.set('ports', req.ports.join(','));
      if (req.protocols?.length) q.set('protocols', req.protocols.join(','));
      for (const f of req.from ?? []) q.append('from', f);
      for (const t of req.to ?? []) q.append('to', t);
      if (req.namespace !== undefined) q.set('namespace', req.namespace);
      m = expectKind<ReachabilityMatrix>(await getJson(target, '/kwire/v1/matrix', q), 'ReachabilityMatrix');
    }
    if (m.froms.length === 0 || m.tos.length === 0) io.stderr(`kwire matrix: no pods${namespaces.length ? ` in namespace${namespaces.length > 1 ? 's' : ''} ${namespaces.join(', ')}` : ''}: the table is empty\n`);
    io.stdout(output === 'json' ? renderJSON(m) : output === 'csv' ? renderMatrixCSV(m) : renderMatrixTable(m));
    return 0;
  });
}

// ------------------------------------------------------------------ flows

function flowOf(line: unknown): FlowRecord {
  if (!isRecord(line) || !isRecord(line['flow'])) throw new ClientError('the server sent a line that is not a flow');
  return line['flow'] as unknown as FlowRecord;
}

export async function flowsCommand(argv: string[], io: CliIO = processIO): Promise<number> {
  return runCommand('flows', io, FLOWS_USAGE, argv, async () => {
    const { values, positionals } = parse(argv, {
      follow: { type: 'boolean', short: 'f' },
      namespace: { type: 'string', short: 'n' },
      verdict: { type: 'string', multiple: true },
      since: { type: 'string' },
      last: { type: 'string' },
      all: { type: 'boolean' },
      pod: { type: 'string' },
      service: { type: 'string' },
      protocol: { type: 'string' },
      ip: { type: 'string' },
      output: { type: 'string', short: 'o' },
      name: { type: 'string' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
    const output = str(values, 'output') ?? 'text';
    if (output !== 'text' && output !== 'compact' && output !== 'json') throw new UsageError(`unknown output format "${output}": use -o text or -o json`);
    const last = str(values, 'last');
    if (last !== undefined && !/^\d+$/.test(last)) throw new UsageError(`--last must be a whole number, not "${last}"`);
    const ip = str(values, 'ip');
    if (ip !== undefined && isIP(ip) === 0) throw new UsageError(`--ip "${ip}" is not an IP address`);
    const q = new URLSearchParams();
    for (const k of ['namespace', 'since', 'pod', 'service', 'protocol', 'ip'] as const) {
      const v = str(values, k);
      if (v !== undefined) q.set(k, v);
    }
    const verdicts = splitList(strs(values, 'verdict'));
    if (verdicts.length) q.set('verdict', verdicts.join(','));
    const limit = values['all'] === true ? undefined : last ?? (str(values, 'since') === undefined ? '20' : undefined);
    if (limit !== undefined && limit !== '0') q.set('limit', limit);
    const target = clusterTarget(clusterName(values, io.env), io.env);
    const print = (r: FlowRecord): void => io.stdout(output === 'json' ? JSON.stringify({ flow: r }) + '\n' : renderFlowLine(r) + '\n');
    if (values['follow'] === true) {
      q.set('follow', 'true');
      await streamJsonLines(target, '/kwire/v1/flows', q, (line) => print(flowOf(line)), io.signal);
      return 0;
    }
    const list = await getJson(target, '/kwire/v1/flows', q);
    const items = isRecord(list) && list['kind'] === 'FlowList' && Array.isArray(list['items']) ? list['items'] : undefined;
    if (!items) throw new ClientError('the server did not answer with a FlowList');
    for (const r of items) print(flowOf({ flow: r }));
    return 0;
  });
}
