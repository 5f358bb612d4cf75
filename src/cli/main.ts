/**
 * @module cli/main
 * The `kwire` command: cluster lifecycle (up, start, stop, delete, status,
 * kubeconfig). Exit codes scripts can trust: 0 success, 1 failure, 2 usage.
 */
import { spawn } from 'node:child_process';
import { existsSync, openSync, rmSync, unlinkSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listenerChanges } from './listener-report.js';
import { parse, UsageError } from './args.js';
import { mergeContext, removeContext, kubeconfigPath, standaloneKubeconfig } from './kubeconfig.js';
import {
  clusterDir,
  contextName,
  freeNodeSubnet,
  loadConfig,
  nodeIp,
  nodeNames,
  readJson,
  saveConfig,
  writeJson,
  type ClusterConfig,
  type ClusterState,
} from '../cluster/config.js';

const USAGE = `kwire: Kubernetes networking in one process, driven by the real kubectl

Usage:
  kwire up [--name NAME] [--nodes N] [-d] [--ephemeral] [--kubernetes-version 1.31] [--port PORT]
                          [--dns-upstream HOST[:PORT]] [--ingress-ports HTTP,HTTPS]
                          create (or start) a cluster and merge context "kwire" into your kubeconfig
  kwire start [--name NAME]   start a stopped cluster in the background (objects are kept)
  kwire stop [--name NAME]    stop a running cluster (objects are kept)
  kwire delete [--name NAME]  stop the cluster and remove its data and kubeconfig context
  kwire status [--name NAME] [-o json]
                          where everything is: API server, nodes, data folder, listeners
  kwire kubeconfig [--name NAME]
                          print a kubeconfig for this cluster only
  kwire explain --from FROM --to TO [--port N] [-n NS] [-o text|json] [-f DIR]
                          why a connection is allowed or dropped (policies, Service translation, hints)
  kwire matrix [-n NS]... [--ports 80,81] [--protocols tcp,udp] [-o table|json|csv] [-f DIR]
                          who can reach whom (live, or offline on manifests with -f)
  kwire flows [--follow] [-n NS] [--verdict dropped] [-o json]
                          every connection attempt with its verdict, like hubble observe
  kwire ui [--print]      open the web UI (map, live flows, why, who-can-reach-whom, what-if)
  kwire whatif -f POLICY.yaml [-n NS] [--namespaces a,b] [--ports 80,udp/53] [-o text|json]
                          what a NetworkPolicy would change (matrix cells, recent flows); exit 3 if anything
  kwire service NAME [-n NS] [--url]
                          the URLs that reach a NodePort or LoadBalancer Service from here
  kwire hosts [--write|--remove] [--file PATH]
                          the /etc/hosts lines for every Ingress host (kept in a marked block)
  kwire addons [list|enable NAME|disable NAME]
                          the add-ons (coredns, ingress-nginx) and whether they run
  kwire lab networking [--step N] [--keep] [--interactive]
                          the networking lab, every step, on a fresh cluster, checked
`;

const SUPPORTED_VERSIONS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'];

function out(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : s + '\n');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function statePath(name: string): string {
  return join(clusterDir(name), 'state.json');
}

function runningState(name: string): ClusterState | undefined {
  const st = readJson<ClusterState>(statePath(name));
  if (st && alive(st.pid)) return st;
  return undefined;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const p = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(p));
    });
  });
}

async function configFor(values: Record<string, unknown>, name: string): Promise<ClusterConfig> {
  const existing = loadConfig(name);
  const nodesFlag = values['nodes'] as string | undefined;
  const versionFlag = values['kubernetes-version'] as string | undefined;
  if (nodesFlag !== undefined && !/^[1-9]\d*$/.test(nodesFlag)) throw new UsageError(`--nodes must be a positive whole number, not "${nodesFlag}"`);
  const version = versionFlag?.replace(/^v/, '').split('.').slice(0, 2).join('.');
  if (version !== undefined && !SUPPORTED_VERSIONS.includes(version)) {
    throw new UsageError(`--kubernetes-version ${versionFlag} is not supported; choose one of ${SUPPORTED_VERSIONS.join(', ')}`);
  }
  const portFlag = values['port'] as string | undefined;
  const upstreamFlag = values['dns-upstream'] as string | undefined;
  const ingressFlag = values['ingress-ports'] as string | undefined;
  const ingressMatch = ingressFlag === undefined ? undefined : /^(\d{1,5}),(\d{1,5})$/.exec(ingressFlag);
  if (ingressFlag !== undefined && (!ingressMatch || Number(ingressMatch[1]) > 65535 || Number(ingressMatch[2]) > 65535)) {
    throw new UsageError(`--ingress-ports must be HTTP,HTTPS port numbers (e.g. 8080,8443), not "${ingressFlag}"`);
  }
  const ingressPorts = ingressMatch ? { http: Number(ingressMatch[1]), https: Number(ingressMatch[2]) } : undefined;
  if (upstreamFlag !== undefined && !/^[^:\s]+(:\d+)?$/.test(upstreamFlag)) throw new UsageError(`--dns-upstream must be host[:port], not "${upstreamFlag}"`);
  if (portFlag !== undefined && !/^\d+$/.test(portFlag)) throw new UsageError(`--port must be a number, not "${portFlag}"`);
  if (existing) {
    const cfg: ClusterConfig = {
      ...existing,
      nodes: nodesFlag ? Number(nodesFlag) : existing.nodes,
      kubernetesVersion: version ?? existing.kubernetesVersion,
      apiPort: portFlag ? Number(portFlag) : existing.apiPort,
      ...(upstreamFlag !== undefined ? { dnsUpstream: upstreamFlag } : {}),
      ...(ingressPorts ? { ingressPorts } : {}),
    };
    saveConfig(cfg);
    return cfg;
  }
  const cfg: ClusterConfig = {
    name,
    nodes: nodesFlag ? Number(nodesFlag) : 3,
    nodeSubnet: freeNodeSubnet(),
    apiPort: portFlag ? Number(portFlag) : await freePort(),
    kubernetesVersion: version ?? '1.31',
    ephemeral: values['ephemeral'] === true,
    clusterDomain: 'cluster.local',
    ...(upstreamFlag !== undefined ? { dnsUpstream: upstreamFlag } : {}),
    ...(ingressPorts ? { ingressPorts } : {}),
  };
  saveConfig(cfg);
  return cfg;
}

const NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function nameOf(values: Record<string, unknown>): string {
  const n = (values['name'] as string | undefined) ?? process.env['KWIRE_CLUSTER'] ?? 'kwire';
  if (!NAME_RE.test(n) || n.length > 40) throw new UsageError(`invalid cluster name "${n}": use lower case letters, digits and '-'`);
  return n;
}

/** Runs the cluster in this process until SIGINT/SIGTERM. */
async function runForeground(cfg: ClusterConfig, quiet: boolean): Promise<number> {
  const { startCluster } = await import('../cluster/cluster.js');
  const dir = clusterDir(cfg.name);
  const t0 = performance.now();
  const cluster = await startCluster(cfg, { dataDir: dir, ...(cfg.ingressPorts ? { ingressPorts: cfg.ingressPorts } : {}) });
  const port = Number(new URL(cluster.url).port);
  if (port !== cfg.apiPort) saveConfig({ ...cfg, apiPort: port });
  mergeContext({ contextName: contextName(cfg.name), server: cluster.url, caPem: cluster.pki.caCert, clientCertPem: cluster.pki.clientCert, clientKeyPem: cluster.pki.clientKey });
  const startedAt = new Date().toISOString();
  const writeState = () => {
    const state: ClusterState = {
      pid: process.pid,
      startedAt,
      apiServer: cluster.url,
      dnsPort: cluster.dnsPort,
      ingress: { http: cluster.ingressPort('http') ?? null, https: cluster.ingressPort('https') ?? null },
      loadBalancerPool: cluster.loadBalancerPool,
      ui: cluster.ui.url,
      listeners: cluster.listeners(),
    };
    writeJson(statePath(cfg.name), state);
  };
  writeState();
  let shownListeners = cluster.listeners();
  const stopWatching = cluster.onListenersChanged(() => {
    writeState();
    // A port freed later (or taken later) is said where the user looks: this terminal, or kwire.log.
    const now = cluster.listeners();
    if (!quiet) for (const line of listenerChanges(shownListeners, now)) out(line);
    shownListeners = now;
  });
  if (!quiet) {
    out(`kwire: cluster "${cfg.name}" is up in ${Math.round(performance.now() - t0)} ms`);
    out(`  API server   ${cluster.url}`);
    out(`  nodes        ${nodeNames(cfg).map((n, i) => `${n} (${nodeIp(cfg, i)})`).join(', ')}`);
    out(`  kubeconfig   context "${contextName(cfg.name)}" in ${kubeconfigPath()} (selected)`);
    out(`  cluster DNS  127.0.0.1:${cluster.dnsPort} (dig @127.0.0.1 -p ${cluster.dnsPort} kube-dns.kube-system.svc.cluster.local)`);
    out(`  ingress      http://127.0.0.1:${cluster.ingressPort('http') ?? '-'}  https://127.0.0.1:${cluster.ingressPort('https') ?? '-'}`);
    out(`  web UI       ${cluster.ui.loginUrl}  (\`kwire ui\` opens it)`);
    for (const l of cluster.listeners()) if (l.error) out(`  warning      ${l.what} on ${l.address}: ${l.error}`);
    out(`  data         ${cfg.ephemeral ? '(ephemeral: kept in memory only)' : dir}`);
    out(`Try: kubectl get nodes    Stop with Ctrl-C (objects are kept; \`kwire start\` resumes).`);
  }
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  stopWatching();
  await cluster.stop();
  try {
    const st = readJson<ClusterState>(statePath(cfg.name));
    if (st?.pid === process.pid) unlinkSync(statePath(cfg.name));
  } catch {
    /* already gone */
  }
  if (!quiet) out(`kwire: cluster "${cfg.name}" stopped`);
  return 0;
}

/** Starts the cluster in a detached child and waits until it answers. */
async function runBackground(cfg: ClusterConfig): Promise<number> {
  const dir = clusterDir(cfg.name);
  const logFile = join(dir, 'kwire.log');
  const fd = openSync(logFile, 'a');
  const bin = fileURLToPath(new URL('../../../bin/kwire.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'up', '--name', cfg.name, '--foreground-child'], { detached: true, stdio: ['ignore', fd, fd], env: process.env });
  child.unref();
  const t0 = Date.now();
  while (Date.now() - t0 < 20_000) {
    const st = readJson<ClusterState>(statePath(cfg.name));
    if (st && st.pid === child.pid) {
      out(`kwire: cluster "${cfg.name}" is up in the background (pid ${st.pid})`);
      out(`  API server   ${st.apiServer}`);
      out(`  kubeconfig   context "${contextName(cfg.name)}" in ${kubeconfigPath()} (selected)`);
      if (st.ui) out(`  web UI       ${st.ui}  (\`kwire ui\` opens it with your credentials)`);
      out(`  log          ${logFile}`);
      return 0;
    }
    if (child.exitCode !== null || !alive(child.pid!)) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
  process.stderr.write(`kwire: the cluster did not start; last lines of ${logFile}:\n${log}\n`);
  return 1;
}

async function up(argv: string[], background: boolean, mustExist: boolean): Promise<number> {
  const { values } = parse(argv, {
    name: { type: 'string' },
    nodes: { type: 'string' },
    detach: { type: 'boolean', short: 'd' },
    ephemeral: { type: 'boolean' },
    'kubernetes-version': { type: 'string' },
    port: { type: 'string' },
    'dns-upstream': { type: 'string' },
    'ingress-ports': { type: 'string' },
    'foreground-child': { type: 'boolean' },
  });
  const name = nameOf(values);
  if (mustExist && !loadConfig(name)) {
    process.stderr.write(`kwire: no cluster named "${name}"; create one with \`kwire up --name ${name}\`\n`);
    return 1;
  }
  const running = runningState(name);
  if (running && running.pid !== process.pid) {
    out(`kwire: cluster "${name}" is already running (pid ${running.pid}, API server ${running.apiServer})`);
    return 0;
  }
  const cfg = await configFor(values, name);
  if (values['foreground-child']) return runForeground(cfg, false);
  if (background || values['detach']) return runBackground(cfg);
  return runForeground(cfg, false);
}

async function stopCluster(name: string, quiet = false): Promise<boolean> {
  const st = runningState(name);
  if (!st) return false;
  process.kill(st.pid, 'SIGTERM');
  const t0 = Date.now();
  while (alive(st.pid) && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 25));
  if (alive(st.pid)) process.kill(st.pid, 'SIGKILL');
  try {
    unlinkSync(statePath(name));
  } catch {
    /* removed by the server itself */
  }
  if (!quiet) out(`kwire: cluster "${name}" stopped`);
  return true;
}

async function stop(argv: string[]): Promise<number> {
  const { values } = parse(argv, { name: { type: 'string' } });
  const name = nameOf(values);
  if (!loadConfig(name)) {
    process.stderr.write(`kwire: no cluster named "${name}"\n`);
    return 1;
  }
  if (!(await stopCluster(name))) out(`kwire: cluster "${name}" is not running`);
  return 0;
}

async function del(argv: string[]): Promise<number> {
  const { values } = parse(argv, { name: { type: 'string' } });
  const name = nameOf(values);
  const cfg = loadConfig(name);
  await stopCluster(name, true);
  removeContext(contextName(name));
  if (cfg || existsSync(clusterDir(name))) rmSync(clusterDir(name), { recursive: true, force: true });
  out(cfg ? `kwire: cluster "${name}" deleted` : `kwire: no cluster named "${name}" (kubeconfig context removed if present)`);
  return 0;
}

export interface StatusReport {
  readonly name: string;
  readonly running: boolean;
  readonly pid: number | null;
  readonly apiServer: string | null;
  readonly kubeconfig: { readonly path: string; readonly context: string };
  readonly dataDir: string;
  readonly ephemeral: boolean;
  readonly kubernetesVersion: string;
  readonly nodes: ReadonlyArray<{ readonly name: string; readonly internalIP: string; readonly role: string }>;
  readonly dnsPort: number | null;
  readonly ingress: { readonly http: number | null; readonly https: number | null };
  readonly loadBalancerPool: string | null;
  readonly ui: string | null;
  readonly listeners: ClusterState['listeners'];
}

function statusReport(cfg: ClusterConfig): StatusReport {
  const st = runningState(cfg.name);
  return {
    name: cfg.name,
    running: !!st,
    pid: st?.pid ?? null,
    apiServer: st?.apiServer ?? null,
    kubeconfig: { path: kubeconfigPath(), context: contextName(cfg.name) },
    dataDir: clusterDir(cfg.name),
    ephemeral: cfg.ephemeral,
    kubernetesVersion: cfg.kubernetesVersion,
    nodes: nodeNames(cfg).map((n, i) => ({ name: n, internalIP: nodeIp(cfg, i), role: i === 0 ? 'control-plane' : 'worker' })),
    dnsPort: st?.dnsPort ?? null,
    ingress: st?.ingress ?? { http: null, https: null },
    loadBalancerPool: st?.loadBalancerPool ?? null,
    ui: st?.ui ?? null,
    listeners: st?.listeners ?? [],
  };
}

async function status(argv: string[]): Promise<number> {
  const { values } = parse(argv, { name: { type: 'string' }, output: { type: 'string', short: 'o' } });
  const name = nameOf(values);
  const cfg = loadConfig(name);
  const fmt = values['output'] as string | undefined;
  if (fmt !== undefined && fmt !== 'json') throw new UsageError(`unknown output format "${fmt}": use -o json`);
  if (!cfg) {
    if (fmt === 'json') out(JSON.stringify({ name, exists: false, running: false }, null, 2));
    else process.stderr.write(`kwire: no cluster named "${name}"; create one with \`kwire up\`\n`);
    return 1;
  }
  const r = statusReport(cfg);
  if (fmt === 'json') {
    out(JSON.stringify(r, null, 2));
    return r.running ? 0 : 3;
  }
  out(`cluster      ${r.name} (${r.running ? `running, pid ${r.pid}` : 'stopped'})`);
  out(`API server   ${r.apiServer ?? '-'}`);
  out(`kubeconfig   context "${r.kubeconfig.context}" in ${r.kubeconfig.path}`);
  out(`data         ${r.ephemeral ? '(ephemeral)' : r.dataDir}`);
  out(`version      v${r.kubernetesVersion}`);
  if (r.running) {
    out(`cluster DNS  127.0.0.1:${r.dnsPort}`);
    out(`ingress      http 127.0.0.1:${r.ingress.http ?? '-'}, https 127.0.0.1:${r.ingress.https ?? '-'}`);
    out(`LB pool      ${r.loadBalancerPool ?? '-'}`);
    out(`web UI       ${r.ui ?? '-'}  (\`kwire ui\` opens it)`);
  }
  out('nodes');
  for (const n of r.nodes) out(`  ${n.name.padEnd(28)} ${n.internalIP.padEnd(15)} ${n.role}`);
  if (r.listeners.length) {
    out('host listeners');
    for (const l of r.listeners) out(`  ${l.what.padEnd(28)} ${l.address}${l.error ? `  (not bound: ${l.error})` : ''}`);
  }
  return r.running ? 0 : 3;
}

async function kubeconfig(argv: string[]): Promise<number> {
  const { values } = parse(argv, { name: { type: 'string' } });
  const name = nameOf(values);
  const st = runningState(name);
  const dir = clusterDir(name);
  if (!st) {
    process.stderr.write(`kwire: cluster "${name}" is not running\n`);
    return 1;
  }
  const read = (f: string) => readFileSync(join(dir, 'pki', f), 'utf8');
  out(standaloneKubeconfig({ contextName: contextName(name), server: st.apiServer, caPem: read('ca.crt'), clientCertPem: read('admin.crt'), clientKeyPem: read('admin.key') }));
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'up':
        return await up(rest, false, false);
      case 'start':
        return await up(rest, true, true);
      case 'stop':
        return await stop(rest);
      case 'delete':
        return await del(rest);
      case 'status':
        return await status(rest);
      case 'kubeconfig':
        return await kubeconfig(rest);
      case 'explain':
        return await (await import('./policy-commands.js')).explainCommand(rest);
      case 'matrix':
        return await (await import('./policy-commands.js')).matrixCommand(rest);
      case 'flows':
        return await (await import('./policy-commands.js')).flowsCommand(rest);
      case 'ui':
        return await (await import('./ui-command.js')).uiCommand(rest);
      case 'whatif':
        return await (await import('./whatif-command.js')).whatifCommand(rest);
      case 'service':
        return await (await import('./service-command.js')).serviceCommand(rest);
      case 'hosts':
        return await (await import('./hosts-command.js')).hostsCommand(rest);
      case 'addons':
        return await (await import('./addons-command.js')).addonsCommand(rest);
      case 'lab':
        return await (await import('./lab/command.js')).labCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        process.stderr.write(`kwire: unknown command "${cmd}"\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`kwire ${cmd}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
