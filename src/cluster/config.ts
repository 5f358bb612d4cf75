/**
 * @module cluster/config
 * A cluster's lasting configuration and where it lives on disk:
 * `$KWIRE_HOME/<name>/` (default `~/.kwire/<name>/`) holds `config.json` (chosen
 * once at creation: node count, node subnet, API port, Kubernetes version),
 * `state.json` (the running server: pid and listeners), `kwire.db` and `pki/`.
 * Node IPs are loopback addresses (127.0.<subnet>.2, .3, ...) so they need no setup.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ClusterConfig {
  readonly name: string;
  readonly nodes: number;
  /** Third octet of the node network 127.0.X.0/24. */
  readonly nodeSubnet: number;
  readonly apiPort: number;
  readonly kubernetesVersion: string; // "1.31"
  readonly ephemeral: boolean;
  readonly clusterDomain: string;
  /** Where cluster DNS forwards names outside the cluster ("host:port"); absent: NXDOMAIN. */
  readonly dnsUpstream?: string;
  /** Host ports of the ingress on 127.0.0.1 (default 80 and 443, falling back to 8080/8443). */
  readonly ingressPorts?: { readonly http: number; readonly https: number };
}

export interface ClusterState {
  readonly pid: number;
  readonly startedAt: string;
  readonly apiServer: string;
  readonly dnsPort?: number;
  readonly ingress?: { readonly http: number | null; readonly https: number | null };
  readonly loadBalancerPool?: string;
  /** The web UI's address (without credentials: `kwire ui` adds them). */
  readonly ui?: string;
  readonly listeners: ReadonlyArray<{ readonly what: string; readonly address: string; readonly error?: string }>;
}

export function kwireHome(env: NodeJS.ProcessEnv = process.env): string {
  return env['KWIRE_HOME'] ?? join(env['HOME'] ?? homedir(), '.kwire');
}

export function clusterDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(kwireHome(env), name);
}

export function contextName(name: string): string {
  return name === 'kwire' ? 'kwire' : `kwire-${name}`;
}

export function nodeNames(cfg: Pick<ClusterConfig, 'name' | 'nodes'>): string[] {
  const out = [`${cfg.name}-control-plane`];
  for (let i = 1; i < cfg.nodes; i++) out.push(i === 1 ? `${cfg.name}-worker` : `${cfg.name}-worker${i}`);
  return out;
}

export function nodeIp(cfg: Pick<ClusterConfig, 'nodeSubnet'>, index: number): string {
  return `127.0.${cfg.nodeSubnet}.${index + 2}`;
}

export function readJson<T>(file: string): T | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export function writeJson(file: string, value: unknown): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, file);
}

export function loadConfig(name: string, env: NodeJS.ProcessEnv = process.env): ClusterConfig | undefined {
  return readJson<ClusterConfig>(join(clusterDir(name, env), 'config.json'));
}

/** Every cluster with a folder under the kwire home. */
export function listClusters(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = kwireHome(env);
  if (!existsSync(home)) return [];
  return readdirSync(home).filter((n) => existsSync(join(home, n, 'config.json')));
}

/** Picks a node subnet no other cluster uses (10, 11, ...). */
export function freeNodeSubnet(env: NodeJS.ProcessEnv = process.env): number {
  const used = new Set(listClusters(env).map((n) => loadConfig(n, env)?.nodeSubnet));
  let s = 10;
  while (used.has(s)) s++;
  return s;
}

export function saveConfig(cfg: ClusterConfig, env: NodeJS.ProcessEnv = process.env): void {
  const dir = clusterDir(cfg.name, env);
  mkdirSync(dir, { recursive: true });
  writeJson(join(dir, 'config.json'), cfg);
}
