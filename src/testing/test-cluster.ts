/**
 * @module testing/test-cluster
 * `startTestCluster()`: a real kwire cluster in the test process, in a temporary
 * folder, with its own kubeconfig and kubectl cache folder, so tests never touch
 * the user's ~/.kube or ~/.kwire. `kubectl(...)` runs the real binary against it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type RunningCluster } from '../cluster/cluster.js';
import { standaloneKubeconfig } from '../cli/kubeconfig.js';
import type { ClusterConfig } from '../cluster/config.js';
import { kubectlBinary, run, type RunResult } from './kubectl.js';

export interface TestCluster {
  readonly cluster: RunningCluster;
  readonly dir: string;
  readonly kubeconfig: string;
  /** Runs kubectl (the PATH one, or `version` e.g. "1.27") against the cluster. */
  kubectl(args: ReadonlyArray<string>, opts?: { version?: string; input?: string; timeoutMs?: number }): Promise<RunResult>;
  /** Like kubectl() but fails the test on a non-zero exit, returning stdout. */
  kubectlOk(args: ReadonlyArray<string>, opts?: { version?: string; input?: string; timeoutMs?: number }): Promise<string>;
  /** Writes a file in the cluster's temp folder and returns its path. */
  file(name: string, content: string): string;
  stop(): Promise<void>;
}

// Node subnets differ between test processes running side by side (their NodePorts and
// LoadBalancer IPs are real sockets on 127.0.<subnet>.x).
let subnet = 30 + ((process.pid * 7) % 200);

export async function startTestCluster(
  opts: { nodes?: number; kubernetesVersion?: string; ephemeral?: boolean; dir?: string; ingressPorts?: { http: number; https: number } } = {},
): Promise<TestCluster> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'kwire-e2e-'));
  const cfg: ClusterConfig = {
    name: 'kwire',
    nodes: opts.nodes ?? 3,
    nodeSubnet: 30 + (subnet++ % 200),
    apiPort: 0,
    kubernetesVersion: opts.kubernetesVersion ?? '1.31',
    ephemeral: opts.ephemeral ?? false,
    clusterDomain: 'cluster.local',
  };
  const cluster = await startCluster(cfg, { dataDir: join(dir, 'data'), ingressPorts: opts.ingressPorts ?? { http: 0, https: 0 } });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, standaloneKubeconfig({ contextName: 'kwire', server: cluster.url, caPem: cluster.pki.caCert, clientCertPem: cluster.pki.clientCert, clientKeyPem: cluster.pki.clientKey }));
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir };
  const kubectl = (args: ReadonlyArray<string>, o: { version?: string; input?: string; timeoutMs?: number } = {}) =>
    run(kubectlBinary(o.version), [`--cache-dir=${join(dir, 'kube-cache', o.version ?? 'path')}`, ...args], { env, input: o.input, timeoutMs: o.timeoutMs });
  return {
    cluster,
    dir,
    kubeconfig,
    kubectl,
    async kubectlOk(args, o) {
      const r = await kubectl(args, o);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      return r.stdout;
    },
    file(name, content) {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    async stop() {
      await cluster.stop();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
