/**
 * @module controllers/policy-sync
 * Keeps a `PolicyEngine` equal to the store: namespaces (labels), pods (IP,
 * labels, declared container ports, node), nodes (InternalIP) and
 * NetworkPolicies, through the same watch `kubectl get -w` uses.
 *
 *   watch Namespaces ─┐
 *   watch Nodes ──────┤  (kind, "ns/name") ─► reconcile: read the registry,
 *   watch Pods ───────┤                        project to engine input,
 *   watch NetPols ────┘                        upsert if it changed / remove
 *
 * Level-triggered: a reconcile reads the object's current state from the
 * registry (never the event payload), projects it, and touches the engine only
 * when the projection differs from the last one it wrote, so running it twice
 * changes nothing (the engine's revision stays put). `resync()` relists
 * everything and also removes what the engine holds but the store lost.
 *
 * Reconciles run inside the watch callback, synchronously: the engine is
 * in-memory and pure, so a policy is enforced from the moment the API server
 * acknowledges it (no queue lag between `kubectl apply` and the next packet).
 * Nothing here writes to the store. Errors (e.g. an unparsable pod IP) go to
 * `onError` and never break the store write that triggered them.
 *
 * Projection choices: finished pods (Succeeded/Failed) are removed (they hold
 * no network, and their IP may be reused); ports are the containers' and the
 * restartable (sidecar) init containers'; a namespace always carries
 * `kubernetes.io/metadata.name`; a node without an InternalIP is removed.
 */
import type { Namespace, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { Registry } from '../apiserver/registry.js';
import type { ResourceInfo } from '../api/resources.js';
import { NAMESPACE_NAME_LABEL, type ContainerPortInfo, type NamespaceInfo, type NodeInfo, type PodInfo, type PolicyEngine, type Protocol } from '../policy/index.js';
import type { KObject } from '../store/store.js';
import type { Controller } from './controller.js';
import { inform, R } from './informer.js';

/** The four kinds the engine is fed. */
export type SyncKind = 'namespace' | 'node' | 'pod' | 'networkpolicy';

export interface PolicySyncOptions {
  /** Hears reconcile failures (default: console.error). They never throw into the store write. */
  readonly onError?: (kind: SyncKind, key: string, err: unknown) => void;
}

/** Feed order: namespaces and nodes before the pods that live in/on them, policies last. */
const ORDER: ReadonlyArray<SyncKind> = ['namespace', 'node', 'pod', 'networkpolicy'];

function protocolOf(v: unknown): Protocol {
  return v === 'UDP' || v === 'SCTP' ? v : 'TCP';
}

/** The engine's view of a Namespace. */
export function namespaceInfoOf(ns: Namespace): NamespaceInfo | undefined {
  const name = ns.metadata?.name;
  if (!name) return undefined;
  return { name, labels: { ...(ns.metadata?.labels ?? {}), [NAMESPACE_NAME_LABEL]: name } };
}

/** The engine's view of a Node: its InternalIP; undefined without one. */
export function nodeInfoOf(node: Node): NodeInfo | undefined {
  const name = node.metadata?.name;
  const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP' && a.address)?.address;
  return name && ip ? { name, ip } : undefined;
}

/** The engine's view of a Pod; undefined for a finished pod (it holds no network). */
export function podInfoOf(pod: Pod): PodInfo | undefined {
  const namespace = pod.metadata?.namespace;
  const name = pod.metadata?.name;
  if (!namespace || !name) return undefined;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const ports: ContainerPortInfo[] = [];
  const take = (c: { ports?: ReadonlyArray<{ name?: string; containerPort: number; protocol?: string }> }): void => {
    for (const p of c.ports ?? []) {
      if (typeof p.containerPort !== 'number') continue;
      ports.push({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort, protocol: protocolOf(p.protocol) });
    }
  };
  for (const c of pod.spec?.containers ?? []) take(c);
  for (const c of pod.spec?.initContainers ?? []) if (c.restartPolicy === 'Always') take(c);
  const ip = pod.status?.podIP;
  const hostIP = pod.status?.hostIP;
  const nodeName = pod.spec?.nodeName;
  return {
    namespace,
    name,
    labels: { ...(pod.metadata?.labels ?? {}) },
    ports,
    ...(ip ? { ip } : {}),
    ...(hostIP ? { nodeIP: hostIP } : {}),
    ...(nodeName ? { nodeName } : {}),
    ...(pod.spec?.hostNetwork === true ? { hostNetwork: true } : {}),
  };
}

/** What of a NetworkPolicy the engine reads (metadata noise such as resourceVersion left out). */
export function networkPolicyOf(o: Readonly<KObject>): NetworkPolicy {
  const np = o as unknown as NetworkPolicy;
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: o.metadata.name, namespace: o.metadata.namespace ?? 'default' }, spec: np.spec ?? { podSelector: {} } };
}

/** The engine input each kind projects to. */
interface Projections {
  readonly namespace: NamespaceInfo;
  readonly node: NodeInfo;
  readonly pod: PodInfo;
  readonly networkpolicy: NetworkPolicy;
}

/** How one kind is read, projected, written to and listed from the engine. */
interface KindOps<T> {
  readonly resource: ResourceInfo;
  project(o: Readonly<KObject>): T | undefined;
  /** `report` hears a problem that was worked around (the write still happened). */
  upsert(e: PolicyEngine, v: T, report: (err: unknown) => void): void;
  remove(e: PolicyEngine, namespace: string, name: string): void;
  /** The keys ("ns/name", "/name") the engine holds for this kind. */
  keys(e: PolicyEngine): string[];
}

const OPS: { readonly [K in SyncKind]: KindOps<Projections[K]> } = {
  namespace: {
    resource: R.namespaces,
    project: (o) => namespaceInfoOf(o as unknown as Namespace),
    upsert: (e, v) => e.upsertNamespace(v),
    remove: (e, _ns, name) => e.removeNamespace(name),
    keys: (e) => e.listNamespaces().filter((n) => e.hasNamespace(n.name)).map((n) => `/${n.name}`),
  },
  node: {
    resource: R.nodes,
    project: (o) => nodeInfoOf(o as unknown as Node),
    upsert: (e, v) => e.upsertNode(v),
    remove: (e, _ns, name) => e.removeNode(name),
    keys: (e) => e.listNodes().map((n) => `/${n.name}`),
  },
  pod: {
    resource: R.pods,
    project: (o) => podInfoOf(o as unknown as Pod),
    upsert: (e, v, report) => {
      try {
        e.upsertPod(v);
      } catch (err) {
        // A pod whose IP the engine refuses is still fed (selectable), without the IP.
        if (v.ip === undefined) throw err;
        const { ip: _ip, ...rest } = v;
        e.upsertPod(rest);
        report(err);
      }
    },
    remove: (e, namespace, name) => e.removePod({ namespace, name }),
    keys: (e) => e.listPods().map((p) => `${p.namespace}/${p.name}`),
  },
  networkpolicy: {
    resource: R.networkpolicies,
    project: (o) => networkPolicyOf(o),
    upsert: (e, v) => e.upsertPolicy(v),
    remove: (e, namespace, name) => e.removePolicy({ namespace, name }),
    keys: (e) => e.listPolicies().map((p) => `${p.ref.namespace}/${p.ref.name}`),
  },
};

function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

const keyOf = (o: Readonly<KObject>): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export class PolicySync implements Controller {
  readonly name = 'policy-sync';
  private registry: Registry | undefined;
  private readonly stops: Array<() => void> = [];
  /** Last projection written per kind and key (JSON), so unchanged objects cost nothing. */
  private readonly written: Record<SyncKind, Map<string, string>> = { namespace: new Map(), node: new Map(), pod: new Map(), networkpolicy: new Map() };
  private readonly onError: (kind: SyncKind, key: string, err: unknown) => void;

  constructor(
    readonly engine: PolicyEngine,
    opts: PolicySyncOptions = {},
  ) {
    this.onError = opts.onError ?? ((kind, key, err) => console.error(`kwire: policy-sync ${kind} ${key}: ${err instanceof Error ? err.message : String(err)}`));
  }

  start(registry: Registry): void {
    if (this.registry) throw new Error('policy-sync: already started');
    this.registry = registry;
    for (const kind of ORDER) this.stops.push(inform(registry, OPS[kind].resource, (_type, o) => this.reconcile(kind, keyOf(o))));
    this.resync();
  }

  stop(): void {
    for (const s of this.stops.splice(0)) s();
    this.registry = undefined;
  }

  /**
   * Makes the engine's copy of one object equal to the store's: `key` is
   * "namespace/name" ("/name" for cluster-scoped kinds). Idempotent.
   */
  reconcile(kind: SyncKind, key: string): void {
    try {
      this.apply(kind, key);
    } catch (err) {
      this.onError(kind, key, err);
    }
  }

  /** Relists every kind: reconciles what the store holds, removes what it no longer holds. */
  resync(): void {
    const registry = this.registry;
    if (!registry) return;
    for (const kind of ORDER) {
      const present = new Set<string>();
      for (const o of registry.list(OPS[kind].resource).items) {
        const key = keyOf(o);
        present.add(key);
        this.reconcile(kind, key);
      }
      for (const key of OPS[kind].keys(this.engine)) if (!present.has(key)) this.reconcile(kind, key);
    }
  }

  private apply<K extends SyncKind>(kind: K, key: string): void {
    const registry = this.registry;
    if (!registry) return;
    const ops: KindOps<Projections[K]> = OPS[kind];
    const { namespace, name } = splitKey(key);
    const cur = registry.tryGet(ops.resource, namespace === '' ? undefined : namespace, name);
    const next = cur ? ops.project(cur) : undefined;
    const written = this.written[kind];
    if (next === undefined) {
      written.delete(key);
      ops.remove(this.engine, namespace, name);
      return;
    }
    const text = JSON.stringify(next);
    if (written.get(key) === text) return;
    ops.upsert(this.engine, next, (err) => this.onError(kind, key, err));
    written.set(key, text);
  }
}
