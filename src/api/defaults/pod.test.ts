/** @module api/defaults/pod.test
 * Table-driven tests for api/defaults/pod: one row per case, exact kube-apiserver messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDefaults } from './index.js';
import { defaultPullPolicy, parseImageReference } from './image.js';

const PULL: ReadonlyArray<readonly [string, string]> = [
  ['nginx', 'Always'],
  ['nginx:latest', 'Always'],
  ['nginx:1.27', 'IfNotPresent'],
  ['docker.io/library/nginx', 'Always'],
  ['registry.k8s.io/e2e-test-images/agnhost:2.47', 'IfNotPresent'],
  ['localhost:5000/app', 'Always'],
  ['localhost:5000/app:v1', 'IfNotPresent'],
  [`busybox@sha256:${'a'.repeat(64)}`, 'IfNotPresent'],
  [`busybox:latest@sha256:${'a'.repeat(64)}`, 'Always'],
  ['Nginx', 'IfNotPresent'],
  ['', 'IfNotPresent'],
];
for (const [image, want] of PULL) test(`imagePullPolicy for ${JSON.stringify(image)} is ${want}`, () => assert.equal(defaultPullPolicy(image), want));

test('image references parse tag and digest', () => {
  assert.deepEqual(parseImageReference('hashicorp/http-echo:1.0'), { tag: '1.0', digest: '' });
  assert.deepEqual(parseImageReference('UPPER/case'), { tag: '', digest: '' }); // an uppercase first part is a registry host
  assert.equal(parseImageReference('library/UPPER'), undefined);
});

test('Pod defaults as kube-apiserver fills them', () => {
  const pod: Record<string, unknown> = {
    metadata: { name: 'p' },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx',
          ports: [{ containerPort: 80 }],
          readinessProbe: { httpGet: { port: 80 } },
          livenessProbe: { grpc: { port: 9000 }, periodSeconds: 5 },
          lifecycle: { preStop: { httpGet: { port: 80, path: '/stop' } } },
          env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          resources: { limits: { cpu: '1' } },
        },
      ],
      initContainers: [{ name: 'init', image: 'busybox:1.36' }],
      volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }],
    },
  };
  applyDefaults('/Pod', pod);
  assert.deepEqual(pod, {
    metadata: { name: 'p' },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'nginx',
          ports: [{ containerPort: 80, protocol: 'TCP' }],
          readinessProbe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
          livenessProbe: { grpc: { port: 9000, service: '' }, periodSeconds: 5, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
          lifecycle: { preStop: { httpGet: { port: 80, path: '/stop', scheme: 'HTTP' } } },
          env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } } }],
          resources: { limits: { cpu: '1' }, requests: { cpu: '1' } },
          imagePullPolicy: 'Always',
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
        },
      ],
      initContainers: [
        { name: 'init', image: 'busybox:1.36', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} },
      ],
      volumes: [{ name: 'scratch', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } }],
      enableServiceLinks: true,
      dnsPolicy: 'ClusterFirst',
      restartPolicy: 'Always',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
    },
  });
});

test('explicit values are kept', () => {
  const pod: Record<string, unknown> = {
    spec: { restartPolicy: 'Never', dnsPolicy: 'Default', terminationGracePeriodSeconds: 0, containers: [{ name: 'a', image: 'x:latest', imagePullPolicy: 'Never' }] },
  };
  applyDefaults('/Pod', pod);
  const spec = pod['spec'] as Record<string, unknown>;
  assert.equal(spec['restartPolicy'], 'Never');
  assert.equal(spec['dnsPolicy'], 'Default');
  assert.equal(spec['terminationGracePeriodSeconds'], 0);
  assert.equal((spec['containers'] as Array<Record<string, unknown>>)[0]?.['imagePullPolicy'], 'Never');
});

test('hostNetwork pods get hostPort = containerPort', () => {
  const pod: Record<string, unknown> = { spec: { hostNetwork: true, containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 8080 }] }] } };
  applyDefaults('/Pod', pod);
  assert.deepEqual((pod['spec'] as { containers: Array<{ ports: unknown }> }).containers[0]?.ports, [{ containerPort: 8080, hostPort: 8080, protocol: 'TCP' }]);
});
