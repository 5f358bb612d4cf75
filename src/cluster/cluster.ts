/**
 * @module cluster/cluster
 * The composition root: one running kwire cluster in this process. It opens the
 * store (SQLite unless ephemeral), builds the registry with every kind's strategy
 * and the admission hooks, starts the controllers, makes sure the cluster's own
 * objects exist (namespaces, nodes), and serves the API over TLS on 127.0.0.1,
 * whose address the `kubernetes` Service's Endpoints and EndpointSlice then name
 * (pods reach the API there with the service-account token the kubelet gives them).
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
import { NamespaceDefaultsController } from '../controllers/namespace-defaults.js';
import { GarbageCollector } from '../controllers/garbage-collector.js';
import { DeploymentController } from '../controllers/deployment.js';
import { ReplicaSetController } from '../controllers/replicaset.js';
import { Scheduler } from '../controllers/scheduler.js';
import type { Controller } from '../controllers/controller.js';
import { Kubelet } from '../controllers/kubelet/kubelet.js';
import { createClusterDns, startHostDnsServer, dnsUpstream, RCODE } from '../dns/index.js';
import { LoopbackHostDialer, createPodNetwork, type PodNetwork } from '../dataplane/index.js';
import { EventRecorder } from '../controllers/events.js';
import { ContainerRuntime } from '../workloads/images/runtime.js';
import { workloadsToolHost } from '../workloads/images/default-tools.js';
import { nodeIp, nodeNames, type ClusterConfig } from './config.js';
import { createServiceAllocators } from '../controllers/service-allocators.js';
import { EndpointSliceController } from '../controllers/endpointslice.js';
import { LoadBalancerController, defaultLoadBalancerPool } from '../controllers/loadbalancer.js';
import { PolicySync } from '../controllers/policy-sync.js';
import { R } from '../controllers/informer.js';
import { ServiceProxy, feedServiceProxy, proxyTranslator } from '../dataplane/service-proxy/index.js';
import { HostListeners, type HostListenerSpec } from '../dataplane/host-listeners.js';
import { policyHook } from '../dataplane/policy-hook.js';
import { PolicyEngine } from '../policy/index.js';
import { IngressController, IngressProxy, TlsContexts, createIngressServer, fakeCertificate, type ConnectToService, type ServiceTarget } from '../ingress/index.js';
import { ImageRegistry } from '../workloads/images/registry.js';
import { EMULATED_IMAGES } from '../workloads/images/runtime.js';
import { createKwireRoutes } from '../apiserver/kwire-api.js';
import { chainRoutes, createUiRoutes } from '../web/ui-routes.js';
import { startUiServer, type UiServer } from '../web/ui-server.js';
import { createStreamHandlers } from '../apiserver/streams/index.js';
import { kubeletStreamBackend } from '../controllers/kubelet/stream-backend.js';
import { corednsImage, ingressControllerImage } from './system-images.js';
import { systemObjects, INGRESS_NAMESPACE, INGRESS_SERVICE } from './system-objects.js';
import { apiLayer, wireDeps } from './wiring.js';
import { ServiceAccountTokens } from '../apiserver/service-account-token.js';
import { ApiServerEndpointsReconciler } from './apiserver-endpoints.js';
import { kubeletCredentials, serviceAccountAdmission, serviceAccountAuthenticator, serviceAccountTokenRequest } from './service-accounts.js';

export interface ListenerReport {
  readonly what: string;
  readonly address: string;
  readonly error?: string;
}

export interface RunningCluster {
  readonly config: ClusterConfig;
  readonly registry: Registry;
  readonly pki: Pki;
  /** Issues and checks the cluster's service-account tokens. */
  readonly serviceAccountTokens: ServiceAccountTokens;
  readonly apiServer: ApiServer;
  /** The virtual pod network (pod IPs, ClusterIPs, cluster DNS live only here). */
  readonly net: PodNetwork;
  readonly kubelet: Kubelet;
  readonly policyEngine: PolicyEngine;
  readonly serviceProxy: ServiceProxy;
  readonly url: string;
  /** The host port of cluster DNS on 127.0.0.1 (UDP and TCP). */
  readonly dnsPort: number;
  /** Node name -> InternalIP. */
  readonly nodeIps: ReadonlyMap<string, string>;
  readonly loadBalancerPool: string;
  /** Every host listener in use, with the reason where one could not be bound. */
  listeners(): ListenerReport[];
  /** The web UI on 127.0.0.1: `url` without credentials, `loginUrl` with the API token (what `kwire up` prints). */
  readonly ui: { readonly url: string; readonly loginUrl: string };
  /** The port the ingress listens on at 127.0.0.1, if bound. */
  ingressPort(scheme: 'http' | 'https'): number | undefined;
  onListenersChanged(f: () => void): () => void;
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
  /** Ingress ports on 127.0.0.1 (default 80/443, falling back to 8080/8443); 0 picks free ones. */
  readonly ingressPorts?: { readonly http: number; readonly https: number };
  readonly extraAdmissions?: Admission[];
  /** The web UI's port on 127.0.0.1; 0 or absent picks a free one. */
  readonly uiPort?: number;
  /** Started after the built-in controllers, stopped with them. */
  readonly extraControllers?: Controller[];
}

interface ServiceJson {
  spec?: { clusterIP?: string; type?: string; ports?: Array<{ name?: string; port?: number; protocol?: string }> };
  status?: { loadBalancer?: { ingress?: Array<{ ip?: string }> } };
}

interface EndpointSliceJson {
  addressType?: string;
  ports?: Array<{ name?: string; port?: number; protocol?: string }>;
  endpoints?: Array<{ addresses?: string[]; conditions?: { ready?: boolean } }>;
}

export async function startCluster(cfg: ClusterConfig, opts: StartOptions): Promise<RunningCluster> {
  mkdirSync(opts.dataDir, { recursive: true });
  const pki = await loadOrCreatePki(opts.dataDir, cfg.name, { clusterDomain: cfg.clusterDomain });
  // kind's --service-account-issuer and --api-audiences.
  const issuer = `https://kubernetes.default.svc.${cfg.clusterDomain}`;
  const serviceAccountTokens = new ServiceAccountTokens({ privateKeyPem: pki.serviceAccountKey, issuer, audiences: [issuer] });
  const store = new Store(cfg.ephemeral ? undefined : new SqlitePersistence(join(opts.dataDir, 'kwire.db')));
  const registry = new Registry(store);
  installStrategies(registry, apiLayer());
  registry.addAdmission(namespaceAdmission(registry));
  const { allocators } = createServiceAllocators(registry, { serviceCIDR: '10.96.0.0/12', nodePortRange: '30000-32767' });
  registry.addAdmission(allocators);
  registry.addAdmission(serviceAccountAdmission(registry));
  for (const a of opts.extraAdmissions ?? []) registry.addAdmission(a);

  // The node network: names and loopback IPs.
  const names = nodeNames(cfg);
  const nodeIps = new Map(names.map((n, i) => [n, nodeIp(cfg, i)] as const));
  const nodeOfIp = new Map([...nodeIps].map(([n, ip]) => [ip, n] as const));

  // The pod network, with kube-proxy's translation and NetworkPolicy on every connection.
  // Service endpoints on host addresses (127.0.0.0/8 outside the node network) are dialled for real.
  const hostDialer = new LoopbackHostDialer({ exclude: (ip) => ip.startsWith(`127.0.${cfg.nodeSubnet}.`) });
  const net = createPodNetwork({ hostDialer });
  const serviceProxy = new ServiceProxy();
  const proxyFeed = feedServiceProxy(store, serviceProxy);
  net.setTranslator(
    proxyTranslator(serviceProxy, {
      nodeIp: (n) => nodeIps.get(n),
      nodeOfIp: (ip) => nodeOfIp.get(ip),
      receivingNode: (svc) => names.find((n) => serviceProxy.localEndpointCount(svc, n) > 0) ?? names[1] ?? names[0],
    }),
  );
  const policyEngine = new PolicyEngine();
  net.setPolicy(policyHook(policyEngine));

  // Cluster DNS, served by the coredns pods and on a host port.
  // Names outside the cluster: the host's resolver when --dns-upstream is given, else NXDOMAIN at once.
  const upstream = cfg.dnsUpstream ? parseHostPort(cfg.dnsUpstream) : undefined;
  const dns = createClusterDns({ clusterDomain: cfg.clusterDomain, finalRcode: RCODE.NXDOMAIN, ...(upstream ? { upstream: dnsUpstream(upstream) } : {}) });

  // The ingress controller: routes from the Ingress objects, proxied from the controller pod's IP.
  const serviceOf = (ns: string, name: string) => registry.tryGet(R.services, ns, name) as (Readonly<KObject> & ServiceJson) | undefined;
  const ingressPodIp = (): string | undefined => {
    for (const p of registry.list(R.pods, INGRESS_NAMESPACE, 'app.kubernetes.io/component=controller').items) {
      const st = p['status'] as { phase?: string; podIP?: string } | undefined;
      if (st?.phase === 'Running' && st.podIP && !p.metadata.deletionTimestamp) return st.podIP;
    }
    return undefined;
  };
  const ingressCtl = new IngressController({ loadBalancerIp: () => serviceOf(INGRESS_NAMESPACE, INGRESS_SERVICE)?.status?.loadBalancer?.ingress?.[0]?.ip });
  // As ingress-nginx, the proxy balances over a Service port's ready endpoints itself
  // (round-robin per request, one keep-alive pool per endpoint). A Service with an
  // endpoint that is not a pod (a host backend of a selectorless Service) is reached
  // through its ClusterIP instead, where the service proxy knows what to do with it.
  const serviceEndpoints = (t: ServiceTarget): string[] => {
    const sp = serviceOf(t.namespace, t.name)?.spec?.ports?.find((p) => p.port === t.port && (p.protocol ?? 'TCP') === 'TCP');
    if (!sp) return [];
    const out = new Set<string>();
    for (const s of registry.list(R.endpointslices, t.namespace, `kubernetes.io/service-name=${t.name}`).items) {
      const slice = s as Readonly<KObject> & EndpointSliceJson;
      if (slice.addressType !== 'IPv4') continue;
      const port = slice.ports?.find((p) => (p.name ?? '') === (sp.name ?? '') && (p.protocol ?? 'TCP') === 'TCP')?.port;
      if (port === undefined) continue;
      for (const e of slice.endpoints ?? []) {
        const ip = e.addresses?.[0];
        if (!ip || e.conditions?.ready === false) continue;
        if (net.ownerOf(ip)?.kind !== 'pod') return [];
        out.add(`${ip}:${port}`);
      }
    }
    return [...out].sort();
  };
  const connectToService: ConnectToService = async (t) => {
    const svc = serviceOf(t.namespace, t.name);
    const src = ingressPodIp();
    if (src && t.endpoint !== undefined) {
      const colon = t.endpoint.lastIndexOf(':');
      return net.connect({ srcIp: src, dstIp: t.endpoint.slice(0, colon), dstPort: Number(t.endpoint.slice(colon + 1)), timeoutMs: 60_000 });
    }
    const vip = svc?.spec?.clusterIP;
    if (!svc || !src || !vip || vip === 'None') throw Object.assign(new Error(`no endpoints for ${t.namespace}/${t.name}`), { code: 'ENOENDPOINTS' });
    try {
      return await net.connect({ srcIp: src, dstIp: vip, dstPort: t.port, timeoutMs: 60_000 });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const hasEndpoints = names.some((n) => serviceProxy.localEndpointCount({ namespace: t.namespace, name: t.name }, n) > 0);
      if (code === 'ECONNREFUSED' && !hasEndpoints) throw Object.assign(new Error(`no endpoints for ${t.namespace}/${t.name}`), { code: 'ENOENDPOINTS' });
      throw e;
    }
  };
  let ingressHttpsPort: number | undefined;
  const ingressProxy = new IngressProxy({ routes: () => ingressCtl.table(), connect: connectToService, httpsPort: () => ingressHttpsPort, endpoints: serviceEndpoints });
  const tls = new TlsContexts(() => ingressCtl.table(), await fakeCertificate());
  const ingressServers = { http: createIngressServer(ingressProxy, 'http'), https: createIngressServer(ingressProxy, 'https', tls) };

  // Pods: the kubelet runs the image emulations, the cluster's own images included.
  const images = new ImageRegistry([...EMULATED_IMAGES, corednsImage(dns.handler), ingressControllerImage(() => ingressServers)]);
  const runtime = new ContainerRuntime({ tools: workloadsToolHost, registry: images });
  const kubelet = new Kubelet({
    net,
    runtime: { start: (spec) => runtime.startContainer(spec) },
    clusterDomain: cfg.clusterDomain,
    serviceAccounts: kubeletCredentials(serviceAccountTokens, registry, pki.caCert),
  });

  // Policies are loaded before the kubelet starts anything, so no early connection slips through.
  const controllers: Controller[] = [
    new NamespaceController(),
    new NamespaceDefaultsController(pki.caCert),
    new GarbageCollector(),
    new DeploymentController(),
    new ReplicaSetController(),
    new Scheduler(),
    new EndpointSliceController(),
    new LoadBalancerController({ pool: defaultLoadBalancerPool(cfg.nodeSubnet) }),
    new PolicySync(policyEngine),
    dns.controller,
    ingressCtl,
    kubelet,
    ...(opts.extraControllers ?? []),
  ];
  bootstrap(registry, cfg);
  for (const o of systemObjects()) ensure(registry, o);
  for (const c of controllers) c.start(registry);

  // The node side: NodePorts on every node IP, LoadBalancer IPs, and the ingress ports of 127.0.0.1.
  const hostListeners = new HostListeners(net, { onChange: () => publishListeners() });
  const ingressPorts = opts.ingressPorts ?? { http: 80, https: 443 };
  const desiredListeners = (): HostListenerSpec[] => {
    const out: HostListenerSpec[] = [];
    for (const np of serviceProxy.nodePorts()) {
      if (np.protocol === 'SCTP') continue;
      for (const ip of nodeIps.values()) out.push({ ip, port: np.port, protocol: np.protocol, what: `NodePort ${np.service.namespace}/${np.service.name}` });
    }
    for (const lb of serviceProxy.loadBalancerListeners()) if (lb.protocol !== 'SCTP') out.push({ ip: lb.ip, port: lb.port, protocol: lb.protocol, what: `LoadBalancer ${lb.service.namespace}/${lb.service.name}` });
    const toIngress = (port: number) => () => {
      const ip = ingressPodIp();
      return ip ? { ip, port } : undefined;
    };
    out.push({ ip: '127.0.0.1', port: ingressPorts.http, protocol: 'TCP', what: 'ingress http', forwardTo: toIngress(80), ...(ingressPorts.http === 80 ? { fallbackPort: 8080 } : {}) });
    out.push({ ip: '127.0.0.1', port: ingressPorts.https, protocol: 'TCP', what: 'ingress https', forwardTo: toIngress(443), ...(ingressPorts.https === 443 ? { fallbackPort: 8443 } : {}) });
    return out;
  };
  const listenerSubscribers = new Set<() => void>();
  // A NodePort or LoadBalancer port that cannot be bound: one Warning Event on its Service per
  // failure, and a Normal one when a later retry binds it (the other program let it go).
  const events = new EventRecorder(registry);
  let reportedBindErrors = new Map<string, string>(); // listener -> the error reported
  const reportBindErrors = (): void => {
    const still = new Map<string, string>();
    for (const l of hostListeners.state()) {
      const m = /^(NodePort|LoadBalancer) ([^/\s]+)\/(\S+)$/.exec(l.what);
      if (!m) continue;
      const key = `${l.what}|${l.protocol}/${l.ip}:${l.port}`;
      const svc = registry.tryGet(R.services, m[2], m[3]!);
      const before = reportedBindErrors.get(key);
      if (!svc || (!l.error && before === undefined)) continue;
      const node = nodeOfIp.get(l.ip);
      const where = m[1] === 'NodePort' ? `NodePort ${l.port}/${l.protocol} on ${l.ip}${node ? ` (${node})` : ''}` : `LoadBalancer IP ${l.ip}:${l.port}/${l.protocol}`;
      const source = { component: 'kube-proxy', ...(node ? { host: node } : {}) };
      if (!l.error) {
        events.record(svc, 'Normal', 'BoundPort', `${where} is listened on now`, source);
        continue;
      }
      still.set(key, l.error);
      if (before !== l.error) events.record(svc, 'Warning', 'FailedToBindPort', `${where} cannot be listened on: ${l.error}`, source);
    }
    reportedBindErrors = still;
  };
  // What follows a change of the listeners: sync() by the cluster, or a retry that bound a port.
  const publishListeners = (): void => {
    reportBindErrors();
    const https = hostListeners.state().find((l) => l.what === 'ingress https');
    ingressHttpsPort = https && !(https.error && https.boundPort === undefined) ? https.boundPort ?? https.port : undefined;
    for (const f of listenerSubscribers) f();
  };
  let syncing = Promise.resolve();
  const syncHost = () => {
    syncing = syncing.then(async () => {
      await hostListeners.sync(desiredListeners());
      publishListeners();
    });
    return syncing;
  };
  const stopListenerWatch = serviceProxy.onListenersChanged(() => void syncHost());
  await syncHost();

  const minor = cfg.kubernetesVersion.split('.')[1] ?? '31';
  let ui: UiServer | undefined;
  const uiRoutes = createUiRoutes({
    engine: policyEngine,
    registry,
    net,
    listeners: () => listeners(),
    onListenersChanged: (f) => {
      listenerSubscribers.add(f);
      return () => listenerSubscribers.delete(f);
    },
    uiUrl: () => ui?.url,
  });
  const deps: ApiServerDeps = {
    ...wireDeps({
      registry,
      version: { major: '1', minor, gitVersion: `v${cfg.kubernetesVersion}.0` },
      auth: { token: pki.token, caPem: pki.caCert, verifyToken: serviceAccountAuthenticator(serviceAccountTokens, registry) },
    }),
    kwireRoutes: chainRoutes(createKwireRoutes({ engine: policyEngine, registry, net }), uiRoutes.routes),
    streams: createStreamHandlers(kubeletStreamBackend(kubelet, net)),
    tokenRequest: serviceAccountTokenRequest(serviceAccountTokens, registry),
  };
  const apiServer = new ApiServer(deps);
  const server: Server = createHttpsServer(
    { key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: false, keepAliveTimeout: 60_000 },
    apiServer.handle,
  );
  server.on('upgrade', apiServer.handleUpgrade);
  server.on('clientError', (_e, sock) => sock.destroy());
  const port = await listen(server, opts.port ?? cfg.apiPort);
  const url = `https://127.0.0.1:${port}`;
  // The `kubernetes` Service's endpoint: this socket, reached from pods through the host dialer.
  const apiEndpoints = new ApiServerEndpointsReconciler({ ip: '127.0.0.1', port });
  apiEndpoints.start(registry);
  ui = await startUiServer({ handler: apiServer.handle, token: pki.token, port: opts.uiPort ?? 0 });
  const uiServer = ui;
  const dnsHost = await startHostDnsServer({ handler: dns.handler, port: opts.dnsPort ?? 0 });
  const listeners = (): ListenerReport[] => [
    { what: 'api-server', address: `127.0.0.1:${port}` },
    { what: 'dns', address: `127.0.0.1:${dnsHost.port}` },
    ...hostListeners.state().map((l) => ({
      what: l.what,
      address: `${l.ip}:${l.boundPort ?? l.port}${l.protocol === 'UDP' ? '/UDP' : ''}`,
      ...(l.error ? { error: l.error } : {}),
    })),
  ];
  return {
    config: cfg,
    registry,
    pki,
    serviceAccountTokens,
    apiServer,
    net,
    kubelet,
    policyEngine,
    serviceProxy,
    url,
    dnsPort: dnsHost.port,
    nodeIps,
    loadBalancerPool: defaultLoadBalancerPool(cfg.nodeSubnet),
    listeners,
    ui: { url: uiServer.url, loginUrl: uiServer.loginUrl },
    ingressPort: (scheme) => {
      const l = hostListeners.state().find((x) => x.what === `ingress ${scheme}`);
      return l && !(l.error && l.boundPort === undefined) ? l.boundPort ?? l.port : undefined;
    },
    onListenersChanged(f) {
      listenerSubscribers.add(f);
      return () => listenerSubscribers.delete(f);
    },
    async stop() {
      stopListenerWatch();
      apiEndpoints.stop();
      for (const c of controllers) c.stop();
      proxyFeed.stop();
      await hostListeners.closeAll();
      hostDialer.closeAll();
      await ingressProxy.close();
      await dnsHost.close();
      uiRoutes.stop();
      await uiServer.close();
      await new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      });
      store.close();
    },
  };
}

/** "1.1.1.1:53" or "1.1.1.1" (port 53). */
export function parseHostPort(s: string): { host: string; port: number } {
  const m = /^([^:]+)(?::(\d+))?$/.exec(s.trim());
  if (!m) throw new Error(`--dns-upstream must be host[:port], not "${s}"`);
  return { host: m[1]!, port: m[2] ? Number(m[2]) : 53 };
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
