/**
 * @module apiserver/printers/fixtures
 * Realistic objects from the networking lab (namespace `networking-lab`, the
 * `backend` Deployment, its Services, pods in various states, kwire's nodes),
 * as the store would hold them after defaulting. Used by the printer tests and
 * usable as examples; data only. `NOW` is the clock every fixture is aged against.
 */

/** The fixed clock of the fixtures. */
export const NOW = new Date('2026-11-28T01:00:00Z');

/** An RFC 3339 timestamp `ms` milliseconds before NOW. */
export function ago(ms: number): string {
  return new Date(NOW.getTime() - ms).toISOString().replace(/\.000Z$/, 'Z');
}

export const S = 1000;
export const M = 60 * S;
export const H = 60 * M;
export const D = 24 * H;

export const backendDeployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'backend',
    namespace: 'networking-lab',
    uid: '6f1c2d3e-0000-4000-8000-000000000001',
    resourceVersion: '1021',
    generation: 1,
    creationTimestamp: ago(5 * M),
    labels: { app: 'backend' },
    annotations: { 'deployment.kubernetes.io/revision': '1' },
  },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'backend' } },
    template: {
      metadata: { labels: { app: 'backend', version: 'v1' } },
      spec: {
        containers: [
          {
            name: 'backend',
            image: 'hashicorp/http-echo:latest',
            args: ['-text=Hello from Backend Pod: $(HOSTNAME)', '-listen=:8080'],
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
          },
        ],
      },
    },
  },
  status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
};

export const backendReplicaSet = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: {
    name: 'backend-7d4b9c8f6',
    namespace: 'networking-lab',
    creationTimestamp: ago(5 * M),
    labels: { app: 'backend', 'pod-template-hash': '7d4b9c8f6', version: 'v1' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend', uid: 'x', controller: true }],
  },
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: 'backend', 'pod-template-hash': '7d4b9c8f6' } },
    template: backendDeployment.spec.template,
  },
  status: { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
};

/** A NodePort Service exactly as the lab creates it, after allocation. */
export const backendNodePort = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'backend-nodeport', namespace: 'networking-lab', creationTimestamp: ago(90 * S) },
  spec: {
    type: 'NodePort',
    clusterIP: '10.96.142.7',
    clusterIPs: ['10.96.142.7'],
    selector: { app: 'backend' },
    ports: [{ protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 30080 }],
  },
  status: { loadBalancer: {} },
};

export const backendClusterIP = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'backend-clusterip', namespace: 'networking-lab', creationTimestamp: ago(4 * M + 30 * S) },
  spec: {
    type: 'ClusterIP',
    clusterIP: '10.96.37.201',
    clusterIPs: ['10.96.37.201'],
    selector: { app: 'backend' },
    ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }],
  },
};

export const backendLoadBalancer = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'backend-loadbalancer', namespace: 'networking-lab', creationTimestamp: ago(3 * H) },
  spec: {
    type: 'LoadBalancer',
    clusterIP: '10.96.200.15',
    clusterIPs: ['10.96.200.15'],
    selector: { app: 'backend' },
    ports: [{ protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 31234 }],
  },
  status: { loadBalancer: { ingress: [{ ip: '127.0.20.1', ipMode: 'VIP' }] } },
};

/** A running, ready backend pod with one restart 5 minutes ago. */
export const runningPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'backend-7d4b9c8f6-x2x7q',
    namespace: 'networking-lab',
    uid: '0b2a6c1e-0000-4000-8000-000000000002',
    resourceVersion: '1034',
    creationTimestamp: ago(2 * H + 5 * M),
    labels: { app: 'backend', 'pod-template-hash': '7d4b9c8f6', version: 'v1' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'backend-7d4b9c8f6', uid: 'y', controller: true }],
  },
  spec: { nodeName: 'kwire-worker', containers: [{ name: 'backend', image: 'hashicorp/http-echo:latest' }] },
  status: {
    phase: 'Running',
    podIP: '10.244.1.5',
    podIPs: [{ ip: '10.244.1.5' }],
    conditions: [
      { type: 'Initialized', status: 'True' },
      { type: 'Ready', status: 'True' },
      { type: 'ContainersReady', status: 'True' },
      { type: 'PodScheduled', status: 'True' },
    ],
    containerStatuses: [
      {
        name: 'backend',
        image: 'hashicorp/http-echo:latest',
        imageID: '',
        ready: true,
        started: true,
        restartCount: 1,
        state: { running: { startedAt: ago(5 * M) } },
        lastState: { terminated: { exitCode: 2, reason: 'Error', startedAt: ago(2 * H), finishedAt: ago(5 * M) } },
      },
    ],
  },
};

/** A pod whose container keeps crashing. */
export const crashLoopPod = {
  metadata: { name: 'backend-7d4b9c8f6-crash', namespace: 'networking-lab', creationTimestamp: ago(10 * M) },
  spec: { nodeName: 'kwire-worker2', containers: [{ name: 'backend', image: 'hashicorp/http-echo:latest' }] },
  status: {
    phase: 'Running',
    podIPs: [{ ip: '10.244.2.9' }],
    conditions: [{ type: 'Ready', status: 'False', reason: 'ContainersNotReady' }],
    containerStatuses: [
      {
        name: 'backend',
        ready: false,
        restartCount: 5,
        state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 2m40s restarting failed container' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(42 * S) } },
      },
    ],
  },
};

/** A Running pod being deleted. */
export const terminatingPod = {
  metadata: {
    name: 'frontend-5c7d8f9b4-abcde',
    namespace: 'networking-lab',
    creationTimestamp: ago(3 * D),
    deletionTimestamp: ago(-25 * S),
    deletionGracePeriodSeconds: 30,
  },
  spec: { nodeName: 'kwire-worker', containers: [{ name: 'nginx', image: 'nginx:1.21' }] },
  status: {
    phase: 'Running',
    podIPs: [{ ip: '10.244.1.7' }],
    conditions: [{ type: 'Ready', status: 'True' }],
    containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: { running: { startedAt: ago(3 * D) } } }],
  },
};

export const controlPlaneNode = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: 'kwire-control-plane',
    creationTimestamp: ago(26 * H),
    labels: {
      'kubernetes.io/hostname': 'kwire-control-plane',
      'node-role.kubernetes.io/control-plane': '',
      'node.kubernetes.io/exclude-from-external-load-balancers': '',
    },
  },
  spec: { podCIDR: '10.244.0.0/24', taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] },
  status: {
    addresses: [
      { type: 'InternalIP', address: '127.0.10.2' },
      { type: 'Hostname', address: 'kwire-control-plane' },
    ],
    conditions: [
      { type: 'MemoryPressure', status: 'False' },
      { type: 'Ready', status: 'True', reason: 'KubeletReady' },
    ],
    nodeInfo: {
      kubeletVersion: 'v1.31.0',
      osImage: 'kwire (virtual)',
      kernelVersion: '6.8.0-kwire',
      containerRuntimeVersion: 'kwire://0.1.0',
      architecture: 'amd64',
      operatingSystem: 'linux',
      bootID: '',
      machineID: '',
      systemUUID: '',
      kubeProxyVersion: '',
    },
  },
};

export const workerNode = {
  metadata: { name: 'kwire-worker', creationTimestamp: ago(26 * H), labels: { 'kubernetes.io/hostname': 'kwire-worker' } },
  spec: { podCIDR: '10.244.1.0/24' },
  status: {
    addresses: [{ type: 'InternalIP', address: '127.0.10.3' }],
    conditions: [{ type: 'Ready', status: 'True' }],
    nodeInfo: { kubeletVersion: 'v1.31.0' },
  },
};
