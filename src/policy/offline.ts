/**
 * @module policy/offline
 * The offline loader: turn what `kubectl get -o yaml` exports (single objects,
 * multi-document YAML, `kind: List` and `*List` wrappers) into the engine's
 * input model, so a real cluster's objects can be analysed without it.
 *
 * - Namespaces keep their labels; `kubernetes.io/metadata.name` is added when
 *   missing (the API server always sets it). Namespaces that pods or policies
 *   name but the export lacks are synthesised with that label only.
 * - Pods keep labels, declared container ports (containers, and sidecar init
 *   containers, which keep running), `status.podIP`, `status.hostIP`,
 *   `spec.nodeName`, `spec.hostNetwork`. Finished pods (Succeeded/Failed) are
 *   left out: they hold no network. Pods without an IP get deterministic ones:
 *   sorted by namespace/name, the next free addresses of the pod CIDR.
 * - NetworkPolicies are kept as they are; Nodes give name -> InternalIP;
 *   Services are returned as plain port mappings for explain.
 * Everything else is ignored. Input is `unknown` and narrowed here.
 * Parses text with the `yaml` package; no other I/O.
 */

import { parseAllDocuments } from 'yaml';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { formatIP, parseCidr, parseIP } from './cidr.js';
import type { ServicePortMapping } from './explain.js';
import { NAMESPACE_NAME_LABEL, type ClusterModel, type ContainerPortInfo, type NamespaceInfo, type NodeInfo, type PodInfo, type Protocol } from './types.js';

export interface OfflineService {
  readonly namespace: string;
  readonly name: string;
  readonly clusterIP?: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: ReadonlyArray<ServicePortMapping>;
}

export interface OfflineResult {
  readonly model: ClusterModel;
  readonly services: ReadonlyArray<OfflineService>;
  /** Things the loader had to guess or skip, one sentence each. */
  readonly warnings: ReadonlyArray<string>;
}

export interface OfflineOptions {
  /** Where pods without an IP get theirs from. Default 10.244.0.0/16. */
  readonly podCIDR?: string;
}

type Rec = Readonly<Record<string, unknown>>;

function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function rec(v: unknown): Rec {
  return isRec(v) ? v : {};
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
function arr(v: unknown): ReadonlyArray<unknown> {
  return Array.isArray(v) ? v : [];
}
function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(rec(v))) if (typeof val === 'string') out[k] = val;
  return out;
}
function protocol(v: unknown): Protocol {
  return v === 'UDP' || v === 'SCTP' ? v : 'TCP';
}

/** Flatten List wrappers, drop non-objects. */
function flatten(docs: ReadonlyArray<unknown>, out: Rec[] = []): Rec[] {
  for (const d of docs) {
    if (!isRec(d)) continue;
    const kind = str(d.kind) ?? '';
    if (kind.endsWith('List') && Array.isArray(d.items)) flatten(d.items, out);
    else out.push(d);
  }
  return out;
}

function containerPorts(spec: Rec): ContainerPortInfo[] {
  const out: ContainerPortInfo[] = [];
  const take = (c: unknown): void => {
    for (const p of arr(rec(c).ports)) {
      const r = rec(p);
      const n = r.containerPort;
      if (typeof n !== 'number') continue;
      const name = str(r.name);
      out.push({ ...(name ? { name } : {}), containerPort: n, protocol: protocol(r.protocol) });
    }
  };
  for (const c of arr(spec.containers)) take(c);
  for (const c of arr(spec.initContainers)) if (rec(c).restartPolicy === 'Always') take(c);
  return out;
}

/** Build the model from already-parsed objects. */
export function loadOfflineObjects(docs: ReadonlyArray<unknown>, opts: OfflineOptions = {}): OfflineResult {
  const warnings: string[] = [];
  const namespaces = new Map<string, NamespaceInfo>();
  const nodes: NodeInfo[] = [];
  const policies: NetworkPolicy[] = [];
  const services: OfflineService[] = [];
  type Draft = Omit<PodInfo, 'ip'> & { ip?: string };
  const pods: Draft[] = [];

  for (const o of flatten(docs)) {
    const kind = str(o.kind);
    const meta = rec(o.metadata);
    const name = str(meta.name);
    if (!name) continue;
    const ns = str(meta.namespace) ?? 'default';
    switch (kind) {
      case 'Namespace': {
        const labels = strMap(meta.labels);
        if (labels[NAMESPACE_NAME_LABEL] === undefined) labels[NAMESPACE_NAME_LABEL] = name;
        namespaces.set(name, { name, labels });
        break;
      }
      case 'Pod': {
        const spec = rec(o.spec);
        const status = rec(o.status);
        const phase = str(status.phase);
        if (phase === 'Succeeded' || phase === 'Failed') {
          warnings.push(`pod ${ns}/${name} is ${phase}: left out (it holds no network)`);
          break;
        }
        const hostNetwork = spec.hostNetwork === true;
        const podIP = str(status.podIP);
        const hostIP = str(status.hostIP);
        const nodeName = str(spec.nodeName);
        if (podIP && !parseIP(podIP)) warnings.push(`pod ${ns}/${name}: status.podIP "${podIP}" is not an IP; a new one is assigned`);
        const ip = podIP && parseIP(podIP) ? podIP : hostNetwork && hostIP ? hostIP : undefined;
        pods.push({
          namespace: ns,
          name,
          labels: strMap(meta.labels),
          ports: containerPorts(spec),
          ...(ip ? { ip } : {}),
          ...(hostIP && parseIP(hostIP) ? { nodeIP: hostIP } : {}),
          ...(nodeName ? { nodeName } : {}),
          ...(hostNetwork ? { hostNetwork: true } : {}),
        });
        break;
      }
      case 'NetworkPolicy':
        policies.push({ ...(o as NetworkPolicy), metadata: { ...(o as NetworkPolicy).metadata, name, namespace: ns } });
        break;
      case 'Node': {
        const internal = arr(rec(o.status).addresses)
          .map(rec)
          .find((a) => a.type === 'InternalIP' && typeof a.address === 'string' && parseIP(a.address));
        if (internal && typeof internal.address === 'string') nodes.push({ name, ip: internal.address });
        else warnings.push(`node ${name} has no InternalIP: traffic from it cannot be recognised`);
        break;
      }
      case 'Service': {
        const spec = rec(o.spec);
        const clusterIP = str(spec.clusterIP);
        services.push({
          namespace: ns,
          name,
          ...(clusterIP && clusterIP !== 'None' ? { clusterIP } : {}),
          selector: strMap(spec.selector),
          ports: arr(spec.ports).flatMap((p): ServicePortMapping[] => {
            const r = rec(p);
            if (typeof r.port !== 'number') return [];
            const pname = str(r.name);
            const tp = r.targetPort;
            return [{ ...(pname ? { name: pname } : {}), port: r.port, targetPort: typeof tp === 'number' || typeof tp === 'string' ? tp : r.port, protocol: protocol(r.protocol) }];
          }),
        });
        break;
      }
      default:
        break;
    }
  }

  // Namespaces that objects live in but the export lacks.
  const mentioned = [...pods.map((p) => p.namespace), ...policies.map((p) => p.metadata?.namespace ?? 'default')];
  for (const ns of [...new Set(mentioned)].sort()) {
    if (namespaces.has(ns)) continue;
    namespaces.set(ns, { name: ns, labels: { [NAMESPACE_NAME_LABEL]: ns } });
    warnings.push(`namespace ${ns} is not in the input: assumed to carry only ${NAMESPACE_NAME_LABEL}=${ns}`);
  }

  // Deterministic IPs for pods without one.
  const cidr = parseCidr(opts.podCIDR ?? '10.244.0.0/16');
  if (!cidr) throw new Error(`offline: invalid pod CIDR "${opts.podCIDR ?? ''}"`);
  const used = new Set(pods.flatMap((p) => (p.ip ? [formatIP(parseIP(p.ip) ?? { family: 4, value: 0n })] : [])));
  const size = 1n << BigInt((cidr.family === 4 ? 32 : 128) - cidr.prefix);
  let next = 2n;
  const missing = pods.filter((p) => !p.ip && !p.hostNetwork).sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
  for (const p of missing) {
    let text: string;
    do {
      if (next >= size - 1n) throw new Error(`offline: pod CIDR ${cidr.text} is too small for ${missing.length} pods without an IP`);
      text = formatIP({ family: cidr.family, value: cidr.base + next++ });
    } while (used.has(text));
    used.add(text);
    p.ip = text;
    warnings.push(`pod ${p.namespace}/${p.name} has no status.podIP: assigned ${text}`);
  }

  return {
    model: {
      namespaces: [...namespaces.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
      pods: pods.map((p) => p as PodInfo),
      policies,
      nodes,
    },
    services,
    warnings,
  };
}

/** Parse multi-document YAML (or JSON) text and build the model. */
export function loadOfflineYaml(text: string, opts: OfflineOptions = {}): OfflineResult {
  const docs = parseAllDocuments(text);
  const values: unknown[] = [];
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors.length > 0) throw new Error(`offline: YAML error: ${d.errors[0]?.message ?? 'unknown'}`);
    values.push(d.toJS());
  }
  return loadOfflineObjects(values, opts);
}
