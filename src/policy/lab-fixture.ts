/**
 * @module policy/lab-fixture
 * The networking lab (shared/seed, steps 1-10) as engine input: the kind-like
 * cluster kwire builds (three nodes on loopback IPs, CoreDNS in kube-system,
 * the ingress-nginx controller), the lab's frontend/backend pods, the
 * `kubectl run test-pod`, and the step 9/10 NetworkPolicies exactly as the lab
 * writes them (including `namespaceSelector: name: ingress-nginx`, which
 * matches nothing). Shared by the policy tests and useful to the e2e harness.
 * Data only; no I/O.
 */

import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import type { ClusterModel, NamespaceInfo, NodeInfo, PodInfo } from './types.js';

const ns = (name: string, extra: Record<string, string> = {}): NamespaceInfo => ({ name, labels: { 'kubernetes.io/metadata.name': name, ...extra } });

export const LAB_NODES: ReadonlyArray<NodeInfo> = [
  { name: 'kwire-control-plane', ip: '127.0.10.2' },
  { name: 'kwire-worker', ip: '127.0.10.3' },
  { name: 'kwire-worker2', ip: '127.0.10.4' },
];

function pod(namespace: string, name: string, labels: Record<string, string>, ip: string, node: NodeInfo, ports: PodInfo['ports']): PodInfo {
  return { namespace, name, labels, ip, nodeIP: node.ip, nodeName: node.name, ports };
}

const [cp, w1, w2] = LAB_NODES as [NodeInfo, NodeInfo, NodeInfo];

export const LAB_PODS: ReadonlyArray<PodInfo> = [
  pod('kube-system', 'coredns-5d78c9869d-4x2lq', { 'k8s-app': 'kube-dns', 'pod-template-hash': '5d78c9869d' }, '10.244.0.2', cp, [
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
    { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
  ]),
  pod('ingress-nginx', 'ingress-nginx-controller-7d9b6c5f4-abcde', { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, '10.244.0.3', cp, [
    { name: 'http', containerPort: 80, protocol: 'TCP' },
    { name: 'https', containerPort: 443, protocol: 'TCP' },
  ]),
  pod('networking-lab', 'backend-6b7f9c8d4-aaaaa', { app: 'backend', version: 'v1' }, '10.244.1.10', w1, [{ containerPort: 8080 }]),
  pod('networking-lab', 'backend-6b7f9c8d4-bbbbb', { app: 'backend', version: 'v1' }, '10.244.2.10', w2, [{ containerPort: 8080 }]),
  pod('networking-lab', 'backend-6b7f9c8d4-ccccc', { app: 'backend', version: 'v1' }, '10.244.1.11', w1, [{ containerPort: 8080 }]),
  pod('networking-lab', 'frontend-5f8d7c6b9-ddddd', { app: 'frontend' }, '10.244.2.11', w2, [{ containerPort: 80 }]),
  pod('networking-lab', 'frontend-5f8d7c6b9-eeeee', { app: 'frontend' }, '10.244.1.12', w1, [{ containerPort: 80 }]),
  pod('networking-lab', 'test-pod', { run: 'test-pod' }, '10.244.2.12', w2, []),
];

export const LAB_NAMESPACES: ReadonlyArray<NamespaceInfo> = [
  ns('default'),
  ns('kube-system'),
  ns('ingress-nginx'),
  ns('networking-lab', { environment: 'test' }),
];

/** Step 9: deny-all.yaml */
export const LAB_DENY_ALL: NetworkPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'deny-all', namespace: 'networking-lab' },
  spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
};

/** Step 10: allow-frontend-to-backend.yaml (three policies). */
export const LAB_SELECTIVE: ReadonlyArray<NetworkPolicy> = [
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-frontend-to-backend', namespace: 'networking-lab' },
    spec: {
      podSelector: { matchLabels: { app: 'backend' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
    },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-ingress-to-frontend', namespace: 'networking-lab' },
    spec: {
      podSelector: { matchLabels: { app: 'frontend' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { name: 'ingress-nginx' } } }], ports: [{ protocol: 'TCP', port: 80 }] }],
    },
  },
  {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'allow-dns-egress', namespace: 'networking-lab' },
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }] },
        { to: [{ podSelector: {} }] },
      ],
    },
  },
];

/** The lab cluster with the given policies. */
export function labModel(policies: ReadonlyArray<NetworkPolicy> = []): ClusterModel {
  return { namespaces: LAB_NAMESPACES, nodes: LAB_NODES, pods: LAB_PODS, policies };
}

/** The Service the lab's clients use for the backend (explain's translation line). */
export const LAB_BACKEND_SERVICE = {
  namespace: 'networking-lab',
  name: 'backend-clusterip',
  clusterIP: '10.96.120.15',
  port: 80,
  ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' as const }],
};
