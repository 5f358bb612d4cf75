/**
 * @module cli/lab/cluster
 * The fresh cluster a lab run uses: created in the user's KWIRE_HOME with
 * `kwire up -d --name lab-<random>` (the very command a user runs), with its own
 * kubeconfig file in the cluster folder (the user's kubeconfig and current
 * context are left alone), and deleted with `kwire delete --name ...`.
 *
 * Its node subnet is one no other cluster of this KWIRE_HOME uses and whose
 * NodePort and LoadBalancer addresses nothing on this machine holds (another
 * kwire, a test, ...), so the lab's `curl`s reach this cluster and no other.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterDir, listClusters, loadConfig, readJson, saveConfig, type ClusterState } from '../../cluster/config.js';
import { exec, type RunResult } from './exec.js';
import type { LabTools } from './runner.js';
import { commandTools } from './tools.js';

/** bin/kwire.js of this installation, from src/ (tsx) or dist/ (compiled). */
export function kwireBin(): string {
  for (const rel of ['../../../bin/kwire.js', '../../../../bin/kwire.js']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new Error('bin/kwire.js is missing from this kwire installation');
}

/** Whether something already listens on ip:port (a failure to bind for any other reason, such as privileges, says nothing). */
function taken(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'EADDRINUSE'));
    s.listen(port, ip, () => s.close(() => resolve(false)));
  });
}

/**
 * A node subnet (127.0.X.0/24) for a new cluster: unused by this KWIRE_HOME's
 * clusters, and with the lab's NodePort (X.2:30080) and first LoadBalancer
 * addresses (X.100, X.101 on port 80) free on this machine.
 */
export async function freeLabSubnet(env: NodeJS.ProcessEnv = process.env, random: () => number = Math.random): Promise<number> {
  const used = new Set(listClusters(env).map((n) => loadConfig(n, env)?.nodeSubnet));
  const first = Math.floor(random() * 150);
  for (let i = 0; i < 150; i++) {
    const s = 100 + ((first + i) % 150);
    if (used.has(s)) continue;
    const busy = await Promise.all([taken(`127.0.${s}.2`, 30080), taken(`127.0.${s}.100`, 80), taken(`127.0.${s}.101`, 80)]);
    if (!busy.some(Boolean)) return s;
  }
  throw new Error('no free node subnet in 127.0.100.0-127.0.249.0: every candidate is in use on this machine');
}

export function randomLabName(random: () => number = Math.random): string {
  const abc = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let s = 'lab-';
  for (let i = 0; i < 4; i++) s += abc[Math.floor(random() * abc.length)];
  return s;
}

export interface LabCluster {
  readonly name: string;
  readonly dir: string;
  /** The cluster's own kubeconfig (context kwire-<name>, selected). */
  readonly kubeconfig: string;
  /** What `kwire up -d` printed. */
  readonly up: RunResult;
  /** The environment kubectl and kwire run with: KUBECONFIG and KWIRE_CLUSTER point at this cluster. */
  readonly env: NodeJS.ProcessEnv;
  delete(): Promise<RunResult>;
}

export class LabClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabClusterError';
  }
}

/** Creates and starts the lab's cluster; throws LabClusterError when it cannot. */
export async function createLabCluster(name: string, opts: { readonly keep: boolean; readonly env?: NodeJS.ProcessEnv }): Promise<LabCluster> {
  const baseEnv = opts.env ?? process.env;
  if (loadConfig(name, baseEnv) || existsSync(clusterDir(name, baseEnv))) {
    throw new LabClusterError(`a cluster named "${name}" already exists; a lab runs on a fresh cluster: choose another --name, or remove it with \`kwire delete --name ${name}\``);
  }
  const dir = clusterDir(name, baseEnv);
  saveConfig(
    {
      name,
      nodes: 3,
      nodeSubnet: await freeLabSubnet(baseEnv),
      apiPort: 0,
      kubernetesVersion: '1.31',
      // A throw-away cluster needs no database; a kept one survives `kwire stop`/`start`.
      ephemeral: !opts.keep,
      clusterDomain: 'cluster.local',
    },
    baseEnv,
  );
  const kubeconfig = join(dir, 'kubeconfig');
  const env: NodeJS.ProcessEnv = { ...baseEnv, KUBECONFIG: kubeconfig, KWIRE_CLUSTER: name };
  const bin = kwireBin();
  const del = () => exec(process.execPath, [bin, 'delete', '--name', name], { env, timeoutMs: 30_000 });
  const up = await exec(process.execPath, [bin, 'up', '-d', '--name', name], { env, timeoutMs: 40_000 });
  if (up.code !== 0) {
    await del();
    throw new LabClusterError(`\`kwire up -d --name ${name}\` failed (exit ${up.code}):\n${up.stdout}${up.stderr}`);
  }
  return { name, dir, kubeconfig, up, env, delete: del };
}

/** The lab's programs against a cluster made by createLabCluster: kubectl and curl from PATH, kwire from this installation. */
export function labClusterTools(c: LabCluster, manifests: string): LabTools {
  return commandTools({
    cwd: manifests,
    env: c.env,
    kwireBin: kwireBin(),
    listenerProblems() {
      const st = readJson<ClusterState>(join(c.dir, 'state.json'));
      return (st?.listeners ?? []).filter((l) => l.error && !/instead$/.test(l.error)).map((l) => `${l.what} ${l.address} is not bound: ${l.error ?? ''}`);
    },
  });
}
