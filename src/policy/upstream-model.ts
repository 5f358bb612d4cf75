/**
 * @module policy/upstream-model
 * The topology of the upstream e2e NetworkPolicy suite
 * (kubernetes/kubernetes test/e2e/network/netpol/model.go): namespaces x, y, z
 * labelled `ns=<name>` (plus the API server's `kubernetes.io/metadata.name`),
 * pods a, b, c in each labelled `pod=<name>`, one agnhost container per
 * port x protocol (80/81 x TCP/UDP/SCTP) whose port is named `serve-80-tcp`
 * etc., and a Service `s-<ns>-<pod>` per pod. Offered both as the engine's
 * input model (with deterministic pod IPs) and as Kubernetes manifests for
 * the end-to-end run through kubectl. Data only; no I/O.
 */

import type { Container, Namespace, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { ClusterModel, ContainerPortInfo, PodInfo, Protocol } from './types.js';

export const UPSTREAM_NAMESPACES: ReadonlyArray<string> = ['x', 'y', 'z'];
export const UPSTREAM_POD_NAMES: ReadonlyArray<string> = ['a', 'b', 'c'];
export const UPSTREAM_PORTS: ReadonlyArray<number> = [80, 81];
export const UPSTREAM_PROTOCOLS: ReadonlyArray<Protocol> = ['TCP', 'UDP', 'SCTP'];
export const AGNHOST_IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.53';

/** "x/a", "x/b", ... "z/c", in model order (the rows and columns of every table). */
export function upstreamPodStrings(): string[] {
  return UPSTREAM_NAMESPACES.flatMap((ns) => UPSTREAM_POD_NAMES.map((p) => `${ns}/${p}`));
}

/** The deterministic pod IP the offline model uses: 10.244.<ns#+1>.<pod#+10>. */
export function upstreamPodIP(namespace: string, pod: string): string {
  const n = UPSTREAM_NAMESPACES.indexOf(namespace);
  const p = UPSTREAM_POD_NAMES.indexOf(pod);
  if (n < 0 || p < 0) throw new Error(`not an upstream model pod: ${namespace}/${pod}`);
  return `10.244.${n + 1}.${p + 10}`;
}

export const portName = (port: number, protocol: Protocol): string => `serve-${port}-${protocol.toLowerCase()}`;

function containerPorts(protocols: ReadonlyArray<Protocol>): ContainerPortInfo[] {
  return UPSTREAM_PORTS.flatMap((port) => protocols.map((protocol) => ({ name: portName(port, protocol), containerPort: port, protocol })));
}

/** The engine input for the model. `ip` overrides the pod IPs (e.g. the ones a live cluster assigned). */
export function upstreamModel(opts: { ip?: (namespace: string, pod: string) => string; protocols?: ReadonlyArray<Protocol> } = {}): ClusterModel {
  const ip = opts.ip ?? upstreamPodIP;
  const protocols = opts.protocols ?? UPSTREAM_PROTOCOLS;
  const pods: PodInfo[] = [];
  for (const ns of UPSTREAM_NAMESPACES) {
    for (const p of UPSTREAM_POD_NAMES) pods.push({ namespace: ns, name: p, labels: { pod: p }, ip: ip(ns, p), ports: containerPorts(protocols) });
  }
  return {
    namespaces: UPSTREAM_NAMESPACES.map((name) => ({ name, labels: { ns: name, 'kubernetes.io/metadata.name': name } })),
    pods,
    policies: [],
  };
}

function container(port: number, protocol: Protocol): Container {
  const base = {
    name: `cont-${port}-${protocol.toLowerCase()}`,
    image: AGNHOST_IMAGE,
    imagePullPolicy: 'IfNotPresent',
    ports: [{ containerPort: port, name: portName(port, protocol), protocol }],
  };
  switch (protocol) {
    case 'TCP':
      return { ...base, command: ['/agnhost', 'serve-hostname', '--tcp', '--http=false', '--port', String(port)] };
    case 'UDP':
      return { ...base, command: ['/agnhost', 'serve-hostname', '--udp', '--http=false', '--port', String(port)] };
    case 'SCTP':
      return { ...base, command: ['/agnhost', 'porter'], env: [{ name: `SERVE_SCTP_PORT_${port}`, value: 'foo' }] };
    default: {
      const never: never = protocol;
      throw new Error(`unexpected protocol ${String(never)}`);
    }
  }
}

/** Namespaces, Pods and Services of the model, ready for `kubectl apply`. */
export function upstreamManifests(protocols: ReadonlyArray<Protocol> = ['TCP', 'UDP']): Array<Namespace | Pod | Service> {
  const out: Array<Namespace | Pod | Service> = [];
  for (const ns of UPSTREAM_NAMESPACES) {
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { ns } } });
  }
  for (const ns of UPSTREAM_NAMESPACES) {
    for (const p of UPSTREAM_POD_NAMES) {
      out.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: p, namespace: ns, labels: { pod: p } },
        spec: { terminationGracePeriodSeconds: 0, containers: UPSTREAM_PORTS.flatMap((port) => protocols.map((pr) => container(port, pr))) },
      });
      out.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `s-${ns}-${p}`, namespace: ns },
        spec: {
          selector: { pod: p },
          ports: UPSTREAM_PORTS.flatMap((port) => protocols.map((pr) => ({ name: `service-port-${pr.toLowerCase()}-${port}`, protocol: pr, port }))),
        },
      });
    }
  }
  return out;
}
