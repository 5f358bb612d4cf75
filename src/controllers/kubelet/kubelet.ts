/**
 * @module controllers/kubelet/kubelet
 * The kubelet of every node: for each pod bound to a node it allocates the pod IP
 * from the node's /24, registers it on the virtual pod network, writes the
 * kubelet-managed files (and the service-account volume: ca.crt, namespace and a
 * token, read-only at /var/run/secrets/kubernetes.io/serviceaccount), starts each
 * container's emulation with its computed environment, and keeps `status` true:
 * phase, conditions, container states, restart counts (with CrashLoopBackOff),
 * readiness and liveness probes. Deleting a pod stops its containers (SIGTERM,
 * then SIGKILL after the grace period) and removes it. Logs, exec and attach are
 * served from here.
 *
 *   pod bound -> IP -> files -> containers (runtime) -> status
 *   container exit -> restart policy -> status      probes -> ready -> status
 */
import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { Registry } from '../../apiserver/registry.js';
import { nowRfc3339 } from '../../apiserver/registry.js';
import { ApiError, errors } from '../../errors.js';
import type { KObject } from '../../store/store.js';
import type { PodNetwork } from '../../dataplane/index.js';
import type { ContainerSpec, RunningContainer, StartResult, ExecOutcome } from '../../workloads/images/types.js';
import { kubeletFiles } from '../../workloads/pod-files.js';
import { createFileMap } from '../../workloads/fs.js';
import type { FileMap } from '../../workloads/process.js';
import type { Controller } from '../controller.js';
import { WorkQueue } from '../workqueue.js';
import { R, inform, keyOf, resourceOf, splitKey } from '../informer.js';
import { EventRecorder } from '../events.js';
import { NodeIpam } from './ipam.js';
import { LogBuffer } from './log-buffer.js';
import { containerEnv, serviceLinkEnv, EnvError, type EnvVar, type EnvFromSource, type ServiceForEnv } from './env.js';
import { runProbe, type Probe } from './probes.js';
import { serviceAccountVolume, type PodSpecVolumes, type ServiceAccountCredentials, type VolumeMount } from './service-account.js';

export { SERVICE_ACCOUNT_DIR, type PodTokenRequest, type ServiceAccountCredentials } from './service-account.js';

/** Starts containers; the image emulations implement it. */
export interface ContainerRuntime {
  start(spec: ContainerSpec): StartResult | Promise<StartResult>;
}

interface K8sContainer {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  workingDir?: string;
  ports?: Array<{ containerPort: number; protocol?: 'TCP' | 'UDP' | 'SCTP'; name?: string }>;
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
  securityContext?: { runAsUser?: number; runAsGroup?: number };
  volumeMounts?: VolumeMount[];
}

interface PodSpecLike extends PodSpecVolumes {
  nodeName?: string;
  containers: K8sContainer[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  hostname?: string;
  subdomain?: string;
  dnsPolicy?: string;
  dnsConfig?: { nameservers?: string[]; searches?: string[]; options?: Array<{ name: string; value?: string }> };
  hostAliases?: Array<{ ip: string; hostnames: string[] }>;
  enableServiceLinks?: boolean;
  terminationGracePeriodSeconds?: number;
  serviceAccountName?: string;
  serviceAccount?: string;
}

type ContainerStateJson =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | { terminated: { exitCode: number; reason: string; message?: string; startedAt?: string; finishedAt: string; containerID?: string } };

interface ContainerRun {
  readonly spec: K8sContainer;
  running?: RunningContainer;
  state: ContainerStateJson;
  lastState?: ContainerStateJson;
  restartCount: number;
  ready: boolean;
  started: boolean;
  logs: LogBuffer;
  previousLogs?: LogBuffer;
  stdin?: PassThrough;
  attachments: number;
  stdinClosedOnce: boolean;
  /** Output fan-out to attached sessions. */
  readonly attached: Set<Writable>;
  containerId: string;
  timers: Set<NodeJS.Timeout>;
  probeFailures: number;
  /** The next crash back-off (the kubelet's per-container backOff: 0 until the first crash, then 10 s doubling to 5 min). */
  backoffMs: number;
}

interface PodRun {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  readonly ip: string;
  readonly hostIp: string;
  readonly startTime: string;
  readonly containers: Map<string, ContainerRun>;
  readonly abort: AbortController;
  stopping: boolean;
  /** Service-account tokens issued for this pod, by audience and lifetime (shared by its containers and restarts). */
  readonly tokens: Map<string, string>;
}

const CLUSTER_DNS = '10.96.0.10';

function hex(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

export interface KubeletOptions {
  readonly net: PodNetwork;
  readonly runtime: ContainerRuntime;
  readonly clusterDomain?: string;
  /** Node allocatable for resourceFieldRef defaults. */
  readonly nodeAllocatable?: Record<string, string>;
  /** The service-account volume's contents; absent: pods get no such files. */
  readonly serviceAccounts?: ServiceAccountCredentials;
}

const SERVICE_ACCOUNTS = resourceOf('v1', 'ServiceAccount');

export class Kubelet implements Controller {
  readonly name = 'kubelet';
  private readonly stops: Array<() => void> = [];
  private queue?: WorkQueue;
  private registry?: Registry;
  private events?: EventRecorder;
  private readonly pods = new Map<string, PodRun>(); // by "ns/name"
  private readonly ipam = new Map<string, NodeIpam>(); // by node name
  private readonly nodeIps = new Map<string, string>();

  constructor(private readonly opts: KubeletOptions) {}

  start(registry: Registry): void {
    this.registry = registry;
    this.events = new EventRecorder(registry);
    const q: WorkQueue = new WorkQueue((k: string) => this.reconcile(k));
    this.queue = q;
    registry.setPodGracefulDeletion((pod) => this.pods.has(keyOf(pod)));
    this.stops.push(
      inform(registry, R.nodes, (t, n) => {
        if (t === 'DELETED') return;
        const cidr = (n['spec'] as { podCIDR?: string } | undefined)?.podCIDR;
        if (cidr && !this.ipam.has(n.metadata.name!)) this.ipam.set(n.metadata.name!, new NodeIpam(cidr));
        const ip = ((n['status'] as { addresses?: Array<{ type: string; address: string }> } | undefined)?.addresses ?? []).find((a) => a.type === 'InternalIP')?.address;
        if (ip && this.nodeIps.get(n.metadata.name!) !== ip) {
          this.nodeIps.set(n.metadata.name!, ip);
          if (!this.opts.net.ownerOf(ip)) this.opts.net.registerAddress(ip, { kind: 'node', name: n.metadata.name! });
        }
      }),
    );
    // Pod IPs in use survive a restart of kwire: reserve them before anything is allocated.
    for (const p of registry.list(R.pods).items) {
      const node = (p['spec'] as PodSpecLike | undefined)?.nodeName;
      const ip = (p['status'] as { podIP?: string } | undefined)?.podIP;
      if (node && ip) this.ipam.get(node)?.reserve(ip);
    }
    this.stops.push(inform(registry, R.pods, (_t, o) => q.add(keyOf(o))));
  }

  stop(): void {
    this.queue?.stop();
    for (const s of this.stops) s();
    for (const run of this.pods.values()) void this.teardown(run, 0);
  }

  private reconcile(key: string): void | Promise<void> {
    const reg = this.registry!;
    const [ns, name] = splitKey(key);
    const pod = reg.tryGet(R.pods, ns, name);
    const run = this.pods.get(key);
    if (!pod) {
      if (run) return this.teardown(run, 0).then(() => undefined);
      return;
    }
    if (run && run.uid !== pod.metadata.uid) {
      // Same name, new pod: the old sandbox goes first.
      return this.teardown(run, 0).then(() => this.reconcile(key));
    }
    const spec = pod['spec'] as PodSpecLike;
    if (!spec?.nodeName) return;
    if (pod.metadata.deletionTimestamp) {
      if (!run) {
        reg.finalizePod(R.pods, ns!, name);
        return;
      }
      if (run.stopping) return;
      const grace = pod.metadata.deletionGracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30;
      for (const c of run.containers.values()) {
        if (c.running) this.events?.record(pod, 'Normal', 'Killing', `Stopping container ${c.spec.name}`, { component: 'kubelet', host: run.node }, `spec.containers{${c.spec.name}}`);
      }
      return this.teardown(run, grace).then(() => {
        try {
          reg.finalizePod(R.pods, ns!, name);
        } catch (e) {
          if (!(e instanceof ApiError && e.code === 404)) throw e;
        }
      });
    }
    if (!run) {
      const phase = (pod['status'] as { phase?: string } | undefined)?.phase;
      if (phase === 'Succeeded' || phase === 'Failed') return; // finished pods stay finished
      return this.startPod(pod);
    }
  }

  // ---- sandbox and containers ----

  private startPod(pod: Readonly<KObject>): void {
    const spec = pod['spec'] as PodSpecLike;
    const node = spec.nodeName!;
    const ipam = this.ipam.get(node);
    const hostIp = this.nodeIps.get(node);
    if (!ipam || !hostIp) {
      this.queue?.addAfter(keyOf(pod), 200);
      return;
    }
    const prevIp = (pod['status'] as { podIP?: string } | undefined)?.podIP;
    const ip = prevIp && this.opts.net.ownerOf(prevIp) === undefined && prevIp.startsWith(ipam.cidr.replace(/0\/24$/, '')) ? (ipam.reserve(prevIp), prevIp) : ipam.allocate();
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    this.opts.net.registerAddress(ip, { kind: 'pod', namespace: ns, name, node, uid: pod.metadata.uid });
    const run: PodRun = {
      uid: pod.metadata.uid!,
      namespace: ns,
      name,
      node,
      ip,
      hostIp,
      startTime: nowRfc3339(),
      containers: new Map(),
      abort: new AbortController(),
      stopping: false,
      tokens: new Map(),
    };
    this.pods.set(keyOf(pod), run);
    for (const c of spec.containers ?? []) {
      run.containers.set(c.name, {
        spec: c,
        state: { waiting: { reason: 'ContainerCreating' } },
        restartCount: 0,
        ready: false,
        started: false,
        logs: new LogBuffer(),
        attachments: 0,
        stdinClosedOnce: false,
        attached: new Set(),
        containerId: `containerd://${hex(64)}`,
        timers: new Set(),
        probeFailures: 0,
        backoffMs: 0,
      });
    }
    this.writeStatus(run);
    for (const c of run.containers.values()) void this.startContainer(run, c);
  }

  private podFiles(run: PodRun, spec: PodSpecLike): Record<string, string> {
    const hostname = spec.hostname ?? run.name;
    const files = kubeletFiles({
      podIp: run.ip,
      hostname,
      namespace: run.namespace,
      nameserver: CLUSTER_DNS,
      clusterDomain: this.opts.clusterDomain ?? 'cluster.local',
      subdomain: spec.subdomain,
      hostAliases: spec.hostAliases,
    });
    const policy = spec.dnsPolicy ?? 'ClusterFirst';
    if (policy === 'Default') files['/etc/resolv.conf'] = 'nameserver 127.0.0.53\noptions edns0 trust-ad\n';
    if (policy === 'None' || spec.dnsConfig) {
      const base = policy === 'None' ? { ns: [] as string[], search: [] as string[], options: [] as string[] } : parseResolv(files['/etc/resolv.conf']!);
      const d = spec.dnsConfig ?? {};
      const ns = [...base.ns, ...(d.nameservers ?? [])];
      const search = [...base.search, ...(d.searches ?? [])];
      const opts = new Map(base.options.map((o) => [o.split(':')[0]!, o] as const));
      for (const o of d.options ?? []) opts.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
      files['/etc/resolv.conf'] = `${search.length ? `search ${search.join(' ')}\n` : ''}${ns.map((n) => `nameserver ${n}\n`).join('')}${opts.size ? `options ${[...opts.values()].join(' ')}\n` : ''}`;
    }
    return files;
  }

  /**
   * A container's files: the kubelet's, plus the service-account volume when the
   * container mounts it (read-only, as projected volumes are).
   */
  private containerFiles(run: PodRun, spec: PodSpecLike, container: K8sContainer): FileMap | Record<string, string> {
    const files = this.podFiles(run, spec);
    const creds = this.opts.serviceAccounts;
    if (!creds) return files;
    const saName = spec.serviceAccountName || spec.serviceAccount || 'default';
    const sa = this.registry!.tryGet(SERVICE_ACCOUNTS, run.namespace, saName) as (Readonly<KObject> & { automountServiceAccountToken?: boolean }) | undefined;
    const plan = serviceAccountVolume(spec, container, sa?.automountServiceAccountToken);
    if (!plan) return files;
    for (const f of plan.files) {
      if (f.source === 'ca.crt') files[f.path] = creds.caCert;
      else if (f.source === 'namespace') files[f.path] = run.namespace;
      else {
        const key = `${f.audience ?? ''}|${f.expirationSeconds ?? ''}`;
        let token = run.tokens.get(key);
        if (token === undefined) {
          token = creds.token({
            namespace: run.namespace,
            serviceAccountName: saName,
            podName: run.name,
            podUid: run.uid,
            nodeName: run.node,
            ...(f.audience !== undefined ? { audience: f.audience } : {}),
            ...(f.expirationSeconds !== undefined ? { expirationSeconds: f.expirationSeconds } : {}),
          });
          run.tokens.set(key, token);
        }
        files[f.path] = token;
      }
    }
    return createFileMap(files, { readOnlyDirs: [plan.dir] });
  }

  private serviceEnv(ns: string, spec: PodSpecLike): Record<string, string> {
    const reg = this.registry!;
    const toEnv = (s: Readonly<KObject>): ServiceForEnv => {
      const sp = (s['spec'] ?? {}) as { clusterIP?: string; ports?: Array<{ name?: string; port: number; protocol?: string }> };
      return { name: s.metadata.name!, clusterIP: sp.clusterIP, ports: sp.ports ?? [] };
    };
    const kube = reg.tryGet(R.services, 'default', 'kubernetes');
    const env = kube ? serviceLinkEnv([toEnv(kube)]) : {};
    if (spec.enableServiceLinks === false) return env;
    return { ...env, ...serviceLinkEnv(reg.list(R.services, ns).items.map(toEnv)) };
  }

  private async startContainer(run: PodRun, c: ContainerRun): Promise<void> {
    const reg = this.registry!;
    const pod = reg.tryGet(R.pods, run.namespace, run.name);
    if (!pod || pod.metadata.uid !== run.uid || run.stopping) return;
    const spec = pod['spec'] as PodSpecLike;
    let env: Record<string, string>;
    try {
      env = containerEnv({
        pod: { metadata: pod.metadata, spec },
        podIp: run.ip,
        hostIp: run.hostIp,
        container: c.spec,
        nodeAllocatable: this.opts.nodeAllocatable ?? { cpu: '2', memory: '8Gi', 'ephemeral-storage': '100Gi' },
        configMap: (n) => (reg.tryGet(R.configmaps, run.namespace, n)?.['data'] as Record<string, string> | undefined) ?? (reg.tryGet(R.configmaps, run.namespace, n) ? {} : undefined),
        secret: (n) => {
          const s = reg.tryGet(R.secrets, run.namespace, n);
          if (!s) return undefined;
          const data = (s['data'] ?? {}) as Record<string, string>;
          return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
        },
        serviceEnv: this.serviceEnv(run.namespace, spec),
      });
    } catch (e) {
      if (!(e instanceof EnvError)) throw e;
      c.state = { waiting: { reason: 'CreateContainerConfigError', message: e.message } };
      this.events?.record(pod, 'Warning', 'Failed', `Error: ${e.message}`, { component: 'kubelet', host: run.node }, `spec.containers{${c.spec.name}}`);
      this.writeStatus(run);
      this.later(run, c, () => void this.startContainer(run, c), 2000);
      return;
    }
    const tty = !!c.spec.tty;
    if (c.spec.stdin) c.stdin = new PassThrough();
    const fanOut = (log: Writable) =>
      new (class extends PassThrough {})().on('data', (d: Buffer) => {
        log.write(d);
        for (const w of c.attached) w.write(d);
      });
    const logs = c.logs;
    const stdout = fanOut(logs.writer());
    const stderr = tty ? stdout : fanOut(logs.writer());
    let result: StartResult;
    try {
      result = await this.opts.runtime.start({
        image: c.spec.image,
        command: c.spec.command,
        args: c.spec.args,
        env,
        workingDir: c.spec.workingDir,
        ports: c.spec.ports ?? [],
        podIp: run.ip,
        hostname: spec.hostname ?? run.name,
        podName: run.name,
        namespace: run.namespace,
        net: this.opts.net,
        files: this.containerFiles(run, spec, c.spec),
        stdout,
        stderr,
        stdin: c.stdin as Readable | undefined,
        tty,
        runAsUser: c.spec.securityContext?.runAsUser,
        runAsGroup: c.spec.securityContext?.runAsGroup,
      });
    } catch (e) {
      result = { ok: false, reason: 'CreateContainerError', message: e instanceof Error ? e.message : String(e) };
    }
    if (run.stopping) {
      if (result.ok) await result.container.stop('SIGKILL');
      return;
    }
    const src = { component: 'kubelet', host: run.node };
    const fp = `spec.containers{${c.spec.name}}`;
    if (!result.ok) {
      if (result.reason === 'ErrImagePull' || result.reason === 'InvalidImageName') {
        const first = !('waiting' in c.state && (c.state.waiting.reason === 'ErrImagePull' || c.state.waiting.reason === 'ImagePullBackOff'));
        c.state = { waiting: { reason: first ? result.reason : result.reason === 'ErrImagePull' ? 'ImagePullBackOff' : result.reason, message: first ? result.message : `Back-off pulling image "${c.spec.image}"` } };
        if (first) {
          this.events?.record(pod, 'Normal', 'Pulling', `Pulling image "${c.spec.image}"`, src, fp);
          this.events?.record(pod, 'Warning', 'Failed', `Failed to pull image "${c.spec.image}": ${result.message}`, src, fp);
          this.events?.record(pod, 'Warning', 'Failed', `Error: ${result.reason}`, src, fp);
        } else this.events?.record(pod, 'Normal', 'BackOff', `Back-off pulling image "${c.spec.image}"`, src, fp);
        this.writeStatus(run);
        this.later(run, c, () => void this.startContainer(run, c), first ? 2000 : 10_000);
        return;
      }
      if (result.reason === 'StartError') {
        this.onExit(run, c, 128, result.message, 'StartError');
        return;
      }
      c.state = { waiting: { reason: result.reason, message: result.message } };
      this.events?.record(pod, 'Warning', 'Failed', `Error: ${result.message}`, src, fp);
      this.writeStatus(run);
      return;
    }
    const container = result.container;
    c.running = container;
    c.started = true;
    const startedAt = nowRfc3339();
    c.state = { running: { startedAt } };
    c.ready = !c.spec.readinessProbe;
    c.probeFailures = 0;
    if (c.restartCount === 0) this.events?.record(pod, 'Normal', 'Pulled', `Container image "${c.spec.image}" already present on machine`, src, fp);
    this.events?.record(pod, 'Normal', 'Created', `Created container ${c.spec.name}`, src, fp);
    this.events?.record(pod, 'Normal', 'Started', `Started container ${c.spec.name}`, src, fp);
    this.writeStatus(run);
    this.startProbes(run, c, container);
    void container.exited.then((code) => {
      if (c.running !== container) return;
      this.onExit(run, c, code, undefined, undefined, startedAt);
    });
  }

  private later(run: PodRun, c: ContainerRun, f: () => void, ms: number): void {
    const t = setTimeout(() => {
      c.timers.delete(t);
      if (!run.stopping) f();
    }, ms);
    t.unref();
    c.timers.add(t);
  }

  private startProbes(run: PodRun, c: ContainerRun, container: RunningContainer): void {
    const probeCtx = { net: this.opts.net, podIp: run.ip, hostIp: run.hostIp, container, ports: c.spec.ports };
    const rp = c.spec.readinessProbe;
    if (rp) {
      const tick = async () => {
        if (c.running !== container || run.stopping) return;
        const ok = await runProbe(rp, probeCtx);
        if (c.running !== container || run.stopping) return;
        c.probeFailures = ok ? 0 : c.probeFailures + 1;
        const ready = ok ? true : c.probeFailures >= (rp.failureThreshold ?? 3) ? false : c.ready;
        if (ready !== c.ready) {
          c.ready = ready;
          this.writeStatus(run);
        }
        this.later(run, c, () => void tick(), (rp.periodSeconds ?? 10) * 1000);
      };
      this.later(run, c, () => void tick(), (rp.initialDelaySeconds ?? 0) * 1000);
    }
    const lp = c.spec.livenessProbe;
    if (lp) {
      let failures = 0;
      const tick = async () => {
        if (c.running !== container || run.stopping) return;
        const ok = await runProbe(lp, probeCtx);
        if (c.running !== container || run.stopping) return;
        failures = ok ? 0 : failures + 1;
        if (failures >= (lp.failureThreshold ?? 3)) {
          const pod = this.registry!.tryGet(R.pods, run.namespace, run.name);
          if (pod) this.events?.record(pod, 'Normal', 'Killing', `Container ${c.spec.name} failed liveness probe, will be restarted`, { component: 'kubelet', host: run.node }, `spec.containers{${c.spec.name}}`);
          // A PID 1 without a SIGTERM handler (busybox sh) ignores it: SIGKILL after the grace period.
          const grace = lp.terminationGracePeriodSeconds ?? ((pod?.['spec'] ?? {}) as PodSpecLike).terminationGracePeriodSeconds ?? 30;
          await killWithGrace(container, grace);
          return;
        }
        this.later(run, c, () => void tick(), (lp.periodSeconds ?? 10) * 1000);
      };
      this.later(run, c, () => void tick(), (lp.initialDelaySeconds ?? 0) * 1000);
    }
  }

  private onExit(run: PodRun, c: ContainerRun, code: number, message?: string, reason?: string, startedAt?: string): void {
    if (run.stopping) return;
    const finishedAt = nowRfc3339();
    c.running = undefined;
    c.ready = false;
    const terminated = {
      terminated: { exitCode: code, reason: reason ?? (code === 0 ? 'Completed' : 'Error'), ...(message ? { message } : {}), ...(startedAt ? { startedAt } : {}), finishedAt, containerID: c.containerId },
    };
    c.state = terminated;
    for (const w of c.attached) w.end();
    c.attached.clear();
    const pod = this.registry!.tryGet(R.pods, run.namespace, run.name);
    const spec = (pod?.['spec'] ?? {}) as PodSpecLike;
    const policy = spec.restartPolicy ?? 'Always';
    const restart = policy === 'Always' || (policy === 'OnFailure' && code !== 0);
    if (!restart) {
      c.logs.end();
      this.writeStatus(run);
      return;
    }
    // The kubelet's back-off: the first exit restarts at once; after that CrashLoopBackOff,
    // 10 s doubling to 5 min; a container that ran for 10 min starts over.
    if (startedAt && Date.parse(finishedAt) - Date.parse(startedAt) >= 600_000) c.backoffMs = 0;
    const delay = c.backoffMs;
    c.backoffMs = delay === 0 ? 10_000 : Math.min(delay * 2, 300_000);
    if (delay > 0) {
      c.lastState = terminated;
      c.state = { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.spec.name} pod=${run.name}_${run.namespace}(${run.uid})` } };
      if (pod) this.events?.record(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${c.spec.name} in pod ${run.name}_${run.namespace}(${run.uid})`, { component: 'kubelet', host: run.node }, `spec.containers{${c.spec.name}}`);
    }
    this.writeStatus(run);
    this.later(
      run,
      c,
      () => {
        c.restartCount++;
        c.lastState = terminated;
        c.previousLogs = c.logs;
        c.previousLogs.end();
        c.logs = new LogBuffer();
        c.containerId = `containerd://${hex(64)}`;
        void this.startContainer(run, c);
      },
      delay,
    );
  }

  private async teardown(run: PodRun, graceSeconds: number): Promise<void> {
    if (run.stopping) return;
    run.stopping = true;
    run.abort.abort();
    await Promise.all(
      [...run.containers.values()].map(async (c) => {
        for (const t of c.timers) clearTimeout(t);
        c.timers.clear();
        const rc = c.running;
        c.running = undefined;
        c.stdin?.end();
        for (const w of c.attached) w.end();
        if (rc) await killWithGrace(rc, graceSeconds);
        c.logs.end();
      }),
    );
    this.opts.net.unregisterAddress(run.ip);
    this.ipam.get(run.node)?.release(run.ip);
    const key = `${run.namespace}/${run.name}`;
    if (this.pods.get(key) === run) this.pods.delete(key);
  }

  // ---- status ----

  private statusOf(run: PodRun, old: Record<string, unknown> | undefined): Record<string, unknown> {
    const pod = this.registry!.tryGet(R.pods, run.namespace, run.name);
    const spec = (pod?.['spec'] ?? {}) as PodSpecLike;
    const cs = [...run.containers.values()];
    const policy = spec.restartPolicy ?? 'Always';
    const allTerminated = cs.length > 0 && cs.every((c) => 'terminated' in c.state);
    let phase = 'Pending';
    if (allTerminated) phase = cs.every((c) => 'terminated' in c.state && c.state.terminated.exitCode === 0) ? 'Succeeded' : 'Failed';
    else if (cs.some((c) => c.started)) phase = 'Running';
    if (phase === 'Succeeded' && policy === 'Always') phase = 'Running';
    const allReady = cs.every((c) => c.ready);
    const oldConds = ((old?.['conditions'] as Array<Record<string, unknown>> | undefined) ?? []);
    const cond = (type: string, status: boolean, reason?: string) => {
      const prev = oldConds.find((c) => c['type'] === type);
      const s = status ? 'True' : 'False';
      const out: Record<string, unknown> = { type, status: s, lastProbeTime: null, lastTransitionTime: prev && prev['status'] === s ? prev['lastTransitionTime'] : nowRfc3339() };
      if (!status && reason) out['reason'] = reason;
      return out;
    };
    const notReady = cs.filter((c) => !c.ready).map((c) => c.spec.name);
    const conditions = [
      cond('PodReadyToStartContainers', true),
      cond('Initialized', true),
      { ...cond('Ready', allReady && phase === 'Running', phase === 'Succeeded' || phase === 'Failed' ? 'PodCompleted' : 'ContainersNotReady'), ...(!(allReady && phase === 'Running') && phase !== 'Succeeded' && phase !== 'Failed' ? { message: `containers with unready status: [${notReady.join(' ')}]` } : {}) },
      { ...cond('ContainersReady', allReady && phase === 'Running', phase === 'Succeeded' || phase === 'Failed' ? 'PodCompleted' : 'ContainersNotReady'), ...(!(allReady && phase === 'Running') && phase !== 'Succeeded' && phase !== 'Failed' ? { message: `containers with unready status: [${notReady.join(' ')}]` } : {}) },
      cond('PodScheduled', true),
    ];
    return {
      phase,
      conditions,
      hostIP: run.hostIp,
      hostIPs: [{ ip: run.hostIp }],
      podIP: run.ip,
      podIPs: [{ ip: run.ip }],
      startTime: (old?.['startTime'] as string | undefined) ?? run.startTime,
      containerStatuses: cs.map((c) => ({
        name: c.spec.name,
        state: c.state,
        ...(c.lastState ? { lastState: c.lastState } : { lastState: {} }),
        ready: c.ready,
        restartCount: c.restartCount,
        image: normalizeImage(c.spec.image),
        imageID: `${normalizeImage(c.spec.image).replace(/:[^:/]+$/, '')}@sha256:${'0'.repeat(64)}`,
        ...(c.started ? { containerID: c.containerId } : {}),
        started: 'running' in c.state,
      })),
      qosClass: (old?.['qosClass'] as string | undefined) ?? 'BestEffort',
    };
  }

  private writeStatus(run: PodRun): void {
    const reg = this.registry!;
    const pod = reg.tryGet(R.pods, run.namespace, run.name);
    if (!pod || pod.metadata.uid !== run.uid) return;
    const old = pod['status'] as Record<string, unknown> | undefined;
    const status = this.statusOf(run, old);
    if (JSON.stringify(status) === JSON.stringify(old)) return;
    const next = structuredClone(pod) as KObject;
    next['status'] = status;
    try {
      reg.commitUpdate(R.pods, pod, next, {}, 'status');
    } catch (e) {
      if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
    }
  }

  // ---- logs, exec, attach (the API server's stream handlers call these) ----

  private containerOf(pod: Readonly<KObject>, container: string | undefined): { run: PodRun; c: ContainerRun } {
    const spec = pod['spec'] as PodSpecLike;
    const names = (spec.containers ?? []).map((c) => c.name);
    if (!container) {
      if (names.length !== 1) throw errors.badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]`);
      container = names[0]!;
    }
    if (!names.includes(container)) throw errors.badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
    const run = this.pods.get(keyOf(pod));
    const c = run?.containers.get(container);
    if (!run || !c) throw errors.badRequest(`container "${container}" in pod "${pod.metadata.name}" is waiting to start: ContainerCreating`);
    return { run, c };
  }

  /** The log of a container (or its previous instance). */
  logsOf(pod: Readonly<KObject>, container: string | undefined, previous: boolean): LogBuffer {
    const { c } = this.containerOf(pod, container);
    if (previous) {
      if (!c.previousLogs) throw errors.badRequest(`previous terminated container "${c.spec.name}" in pod "${pod.metadata.name}" not found`);
      return c.previousLogs;
    }
    if ('waiting' in c.state && !c.started) {
      throw errors.badRequest(`container "${c.spec.name}" in pod "${pod.metadata.name}" is waiting to start: ${c.state.waiting.reason}`);
    }
    return c.logs;
  }

  async exec(pod: Readonly<KObject>, container: string | undefined, argv: ReadonlyArray<string>, stdio: { stdin?: Readable; stdout: Writable; stderr: Writable; tty: boolean; signal?: AbortSignal }): Promise<ExecOutcome> {
    const { c } = this.containerOf(pod, container);
    if (!c.running) throw errors.badRequest(`container ${c.spec.name} is not running`);
    return c.running.exec(argv, { stdin: stdio.stdin, stdout: stdio.stdout, stderr: stdio.stderr, tty: stdio.tty, signal: stdio.signal });
  }

  /**
   * Attaches to a container's main process: output goes to `stdout` until the
   * container ends; with stdin, input feeds the process (stdinOnce closes it when
   * this first attachment ends). Resolves when the session should end.
   */
  attach(pod: Readonly<KObject>, container: string | undefined, io: { stdin?: Readable; stdout: Writable; signal?: AbortSignal }): Promise<void> {
    const { c } = this.containerOf(pod, container);
    // The first attachment without a terminal (kubectl run -i) also gets what the
    // process printed before it arrived: a fast command would otherwise finish
    // unseen between "Running" and the attach. With a terminal, kubectl says
    // "If you don't see a command prompt, try pressing enter." as on any cluster.
    if (c.attachments === 0 && !c.spec.tty) for (const l of c.logs.lines()) io.stdout.write(l.line);
    if (!c.running) {
      c.attachments++;
      return Promise.resolve();
    }
    c.attached.add(io.stdout);
    c.attachments++;
    return new Promise<void>((resolve) => {
      const done = () => {
        c.attached.delete(io.stdout);
        if (c.spec.stdinOnce && c.stdin && !c.stdinClosedOnce) {
          c.stdinClosedOnce = true;
          c.stdin.end();
        }
        resolve();
      };
      io.stdout.once('finish', done);
      io.stdout.once('close', done);
      io.signal?.addEventListener('abort', done, { once: true });
      if (io.stdin && c.stdin) {
        io.stdin.on('data', (d: Buffer) => c.stdin?.write(d));
        // The client's EOF closes the container's stdin (stdinOnce); output keeps
        // streaming until the container ends or the client goes away.
        io.stdin.once('end', () => {
          if (c.spec.stdinOnce && !c.stdinClosedOnce) {
            c.stdinClosedOnce = true;
            c.stdin?.end();
          }
        });
      }
    });
  }

  /** Whether a running container listens on the port (port-forward's connect target). */
  podIpOf(pod: Readonly<KObject>): string | undefined {
    return this.pods.get(keyOf(pod))?.ip;
  }
}

/** SIGTERM, then SIGKILL once the grace period is over. */
async function killWithGrace(rc: RunningContainer, graceSeconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => void rc.stop('SIGKILL').then(resolve, resolve), graceSeconds * 1000);
  });
  await Promise.race([rc.stop('SIGTERM'), killed]);
  clearTimeout(timer);
}

function normalizeImage(image: string): string {
  let name = image;
  if (!/[:@]/.test(name.split('/').pop()!)) name += ':latest';
  const first = name.split('/')[0]!;
  if (!name.includes('/')) return `docker.io/library/${name}`;
  if (!first.includes('.') && !first.includes(':') && first !== 'localhost') return `docker.io/${name}`;
  return name;
}

function parseResolv(text: string): { ns: string[]; search: string[]; options: string[] } {
  const out = { ns: [] as string[], search: [] as string[], options: [] as string[] };
  for (const line of text.split('\n')) {
    const [k, ...rest] = line.trim().split(/\s+/);
    if (k === 'nameserver') out.ns.push(...rest);
    else if (k === 'search') out.search.push(...rest);
    else if (k === 'options') out.options.push(...rest);
  }
  return out;
}
