/**
 * @module cluster/cluster
 * The composition root: one running kwire cluster in this process. It opens the
 * store (SQLite unless ephemeral), builds the registry with every kind's strategy
 * and the admission hooks, starts the controllers, makes sure the cluster's own
 * objects exist (namespaces, nodes), and serves the API over TLS on 127.0.0.1.
 */
import { createServer as createHttpsServer, type Server } from 'node:https';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { release } from 'node:os';
import { Store } from '../store/store.js';
import { SqlitePersistence } from '../store/sqlite.js';
import { Registry, type Admission } from '../apiserver/registry.js';
import { ApiServer, type ApiServerDeps } from '../apiserver/server.js';
import { installStrategies } from '../apiserver/strategies.js';
import { loadOrCreatePki, type Pki } from '../apiserver/pki.js';
import { findResourceByKind } from '../api/resources.js';
import { ApiError } from '../errors.js';
import type { KObject } from '../store/store.js';
import { NamespaceController, namespaceAdmission } from '../controllers/namespace.js';
import { GarbageCollector } from '../controllers/garbage-collector.js';
import { DeploymentController } from '../controllers/deployment.js';
import { ReplicaSetController } from '../controllers/replicaset.js';
import { Scheduler } from '../controllers/scheduler.js';
import type { Controller } from '../controllers/controller.js';
import { Kubelet } from '../controllers/kubelet/kubelet.js';
import { createClusterDns, startHostDnsServer } from '../dns/index.js';
import { createPodNetwork, type PodNetwork } from '../dataplane/index.js';
import { ContainerRuntime } from '../workloads/images/runtime.js';
import { workloadsToolHost } from '../workloads/images/default-tools.js';
import { nodeIp, nodeNames, type ClusterConfig } from './config.js';
import { apiLayer, wireDeps } from './wiring.js';

export interface RunningCluster {
  readonly config: ClusterConfig;
  readonly registry: Registry;
  readonly pki: Pki;
  readonly apiServer: ApiServer;
  /** The virtual pod network (pod IPs, ClusterIPs, cluster DNS live only here). */
  readonly net: PodNetwork;
  readonly kubelet: Kubelet;
  readonly url: string;
  /** The host port of cluster DNS on 127.0.0.1 (UDP and TCP). */
  readonly dnsPort: number;
  readonly listeners: Array<{ what: string; address: string; error?: string }>;
  stop(): Promise<void>;
}

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function res(apiVersion: string, kind: string) {
  const r = findResourceByKind(apiVersion, kind);
  if (!r) throw new Error(`no resource for ${apiVersion} ${kind}`);
  return r;
}

/** Creates the object unless it exists (idempotent bootstrap). */
function ensure(registry: Registry, obj: KObject): Readonly<KObject> {
  const r = res(obj.apiVersion!, obj.kind!);
  const existing = registry.tryGet(r, obj.metadata.namespace, obj.metadata.name!);
  if (existing) return existing;
  return registry.create(r, obj.metadata.namespace, obj);
}

export function nodeObject(cfg: ClusterConfig, index: number, version: string): { object: KObject; status: Record<string, unknown> } {
  const name = nodeNames(cfg)[index]!;
  const controlPlane = index === 0;
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
  };
  if (controlPlane) {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
  }
  const podCIDR = `10.244.${index}.0/24`;
  const object: KObject = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels, annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwire.dev/emulated': 'true' } },
    spec: {
      podCIDR,
      podCIDRs: [podCIDR],
      providerID: `kwire://${name}`,
      ...(controlPlane ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } : {}),
    },
  };
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, lastHeartbeatTime: now, lastTransitionTime: now, reason, message });
  const status = {
    capacity: { cpu: '2', 'ephemeral-storage': '100Gi', memory: '8Gi', pods: '110' },
    allocatable: { cpu: '2', 'ephemeral-storage': '100Gi', memory: '8Gi', pods: '110' },
    conditions: [
      cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
    ],
    addresses: [
      { type: 'InternalIP', address: nodeIp(cfg, index) },
      { type: 'Hostname', address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: release(),
      osImage: 'kwire (emulated node)',
      containerRuntimeVersion: 'kwire://0.1.0',
      kubeletVersion: `v${version}.0`,
      kubeProxyVersion: `v${version}.0`,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
  return { object, status };
}

function bootstrap(registry: Registry, cfg: ClusterConfig): void {
  for (const ns of SYSTEM_NAMESPACES) ensure(registry, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  const nodes = res('v1', 'Node');
  for (let i = 0; i < cfg.nodes; i++) {
    const { object, status } = nodeObject(cfg, i, cfg.kubernetesVersion);
    const cur = ensure(registry, object);
    const next = structuredClone(cur) as KObject;
    next['status'] = status;
    registry.commitUpdate(nodes, cur, next, {}, 'status');
  }
  // Nodes beyond the configured count (a smaller --nodes) are removed.
  const wanted = new Set(nodeNames(cfg));
  for (const n of registry.list(nodes).items) if (!wanted.has(n.metadata.name!)) registry.delete(nodes, undefined, n.metadata.name!);
  ensure(registry, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } });
}

export interface StartOptions {
  readonly dataDir: string;
  /** 0 picks a free port. */
  readonly port?: number;
  /** Host port for cluster DNS on 127.0.0.1; 0 or absent picks a free one. */
  readonly dnsPort?: number;
  readonly extraAdmissions?: Admission[];
  /** Started after the built-in controllers, stopped with them. */
  readonly extraControllers?: Controller[];
}

export async function startCluster(cfg: ClusterConfig, opts: StartOptions): Promise<RunningCluster> {
  mkdirSync(opts.dataDir, { recursive: true });
  const pki = await loadOrCreatePki(opts.dataDir, cfg.name);
  const store = new Store(cfg.ephemeral ? undefined : new SqlitePersistence(join(opts.dataDir, 'kwire.db')));
  const registry = new Registry(store);
  installStrategies(registry, apiLayer());
  registry.addAdmission(namespaceAdmission(registry));
  for (const a of opts.extraAdmissions ?? []) registry.addAdmission(a);
  const net = createPodNetwork();
  const runtime = new ContainerRuntime({ tools: workloadsToolHost });
  const kubelet = new Kubelet({ net, runtime: { start: (spec) => runtime.startContainer(spec) }, clusterDomain: cfg.clusterDomain });
  const dns = createClusterDns({ clusterDomain: cfg.clusterDomain });
  const controllers: Controller[] = [new NamespaceController(), new GarbageCollector(), new DeploymentController(), new ReplicaSetController(), new Scheduler(), kubelet, dns.controller, ...(opts.extraControllers ?? [])];
  bootstrap(registry, cfg);
  for (const c of controllers) c.start(registry);
  const minor = cfg.kubernetesVersion.split('.')[1] ?? '31';
  const deps: ApiServerDeps = wireDeps({
    registry,
    version: { major: '1', minor, gitVersion: `v${cfg.kubernetesVersion}.0` },
    auth: { token: pki.token, caPem: pki.caCert },
  });
  const apiServer = new ApiServer(deps);
  const server: Server = createHttpsServer(
    { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: false, keepAliveTimeout: 60_000 },
    apiServer.handle,
  );
  server.on('upgrade', apiServer.handleUpgrade);
  server.on('clientError', (_e, sock) => sock.destroy());
  const port = await listen(server, opts.port ?? cfg.apiPort);
  const url = `https://127.0.0.1:${port}`;
  const dnsHost = await startHostDnsServer({ handler: dns.handler, port: opts.dnsPort ?? 0 });
  const listeners = [
    { what: 'api-server', address: `127.0.0.1:${port}` },
    { what: 'dns (cluster DNS on the host: dig @127.0.0.1 -p PORT)', address: `127.0.0.1:${dnsHost.port}` },
  ];
  return {
    config: cfg,
    registry,
    pki,
    apiServer,
    net,
    kubelet,
    url,
    listeners,
    dnsPort: dnsHost.port,
    async stop() {
      for (const c of controllers) c.stop();
      await dnsHost.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      store.close();
    },
  };
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onErr = (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE' && port !== 0) {
        // The configured port is taken: take any free one (the kubeconfig is rewritten).
        server.removeListener('error', onErr);
        listen(server, 0).then(resolve, reject);
      } else reject(e);
    };
    server.once('error', onErr);
    server.listen(port, '127.0.0.1', () => {
      server.removeListener('error', onErr);
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
}

export { ApiError };
