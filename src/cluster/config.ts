/**
 * @module cluster/config
 * A cluster's lasting configuration and where it lives on disk:
 * `$KWIRE_HOME/<name>/` (default `~/.kwire/<name>/`) holds `config.json` (chosen
 * once at creation: node count, node subnet, API port, Kubernetes version),
 * `state.json` (the running server: pid and listeners), `kwire.db` and `pki/`.
 * Node IPs are loopback addresses (127.0.<subnet>.2, .3, ...) so they need no setup.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { endianness, homedir } from 'node:os';
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

/**
 * Picks a node subnet (10, 11, ...) that no cluster of this KWIRE_HOME has taken
 * and where nothing on this machine listens: a cluster of another user or another
 * KWIRE_HOME, or any other program, would collide with this one's NodePorts.
 */
export function freeNodeSubnet(env: NodeJS.ProcessEnv = process.env, inUse: () => ReadonlySet<number> = subnetsInUse): number {
  const taken = new Set(listClusters(env).map((n) => loadConfig(n, env)?.nodeSubnet));
  const busy = inUse();
  for (let s = 10; s <= 255; s++) if (!taken.has(s) && !busy.has(s)) return s;
  throw new Error('no free node subnet in 127.0.10.0-127.0.255.0: every one is taken by a cluster or in use on this machine');
}

// The socket tables of this network namespace, every user's sockets included (Linux).
const PROC_NET: ReadonlyArray<readonly [file: string, tcp: boolean]> = [
  ['/proc/net/tcp', true],
  ['/proc/net/udp', false],
  ['/proc/net/tcp6', true],
  ['/proc/net/udp6', false],
];
const TCP_LISTEN = '0A';
// ::ffff:0:0/96 as /proc/net/*6 prints it: four 32-bit words, each in host byte order.
const V4_MAPPED = { LE: '0000000000000000FFFF0000', BE: '00000000000000000000FFFF' } as const;

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Third octets X of 127.0.X.0/24 where a socket listens (TCP) or is bound (UDP) on this
 * machine, read from /proc/net; empty where there is no /proc (not Linux), which leaves
 * the choice to this KWIRE_HOME's records as before.
 */
export function subnetsInUse(read: (file: string) => string | undefined = readIfExists, order: 'LE' | 'BE' = endianness()): Set<number> {
  const out = new Set<number>();
  for (const [file, tcp] of PROC_NET) for (const s of subnetsInProcNet(read(file) ?? '', tcp, order)) out.add(s);
  return out;
}

/** The third octets of the 127.0.X.Y sockets in one /proc/net table (its header line first). */
export function subnetsInProcNet(table: string, tcp: boolean, order: 'LE' | 'BE'): number[] {
  const out: number[] = [];
  for (const line of table.split('\n').slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/);
    // Only listeners: a connection or a TIME_WAIT left by curl says nothing about the subnet's owner.
    if (local === undefined || (tcp && state !== TCP_LISTEN)) continue;
    const s = loopbackSubnetOf(local, order);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** X when a /proc/net local address ("020A007F:7530", IPv4 or IPv4-mapped IPv6) is 127.0.X.Y. */
export function loopbackSubnetOf(local: string, order: 'LE' | 'BE'): number | undefined {
  const hex = local.split(':')[0] ?? '';
  const word = hex.length === 8 ? hex : hex.length === 32 && hex.startsWith(V4_MAPPED[order]) ? hex.slice(24) : undefined;
  if (word === undefined || !/^[0-9A-Fa-f]{8}$/.test(word)) return undefined;
  const v = parseInt(word, 16);
  const bytes = [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
  const [a, b, c] = order === 'LE' ? bytes.reverse() : bytes;
  return a === 127 && b === 0 ? c : undefined;
}

export function saveConfig(cfg: ClusterConfig, env: NodeJS.ProcessEnv = process.env): void {
  const dir = clusterDir(cfg.name, env);
  mkdirSync(dir, { recursive: true });
  writeJson(join(dir, 'config.json'), cfg);
}
