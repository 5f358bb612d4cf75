/** @module api/defaults/workloads.test
 * Table-driven tests for api/defaults/workloads: one row per case, exact kube-apiserver messages.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyDefaults } from './index.js';

test('Deployment defaults (replicas, strategy, history, deadline, template)', () => {
  const d: Record<string, unknown> = {
    metadata: { name: 'web' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } },
  };
  applyDefaults('apps/Deployment', d);
  assert.deepEqual(d['spec'], {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{ name: 'web', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} }],
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
        securityContext: {},
        terminationGracePeriodSeconds: 30,
        schedulerName: 'default-scheduler',
      },
    },
    replicas: 1,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
  });
});

test('Recreate gets no rollingUpdate; explicit replicas 0 kept', () => {
  const d: Record<string, unknown> = { spec: { replicas: 0, strategy: { type: 'Recreate' } } };
  applyDefaults('apps/Deployment', d);
  const spec = d['spec'] as Record<string, unknown>;
  assert.equal(spec['replicas'], 0);
  assert.deepEqual(spec['strategy'], { type: 'Recreate' });
});

test('partial rollingUpdate is completed', () => {
  const d: Record<string, unknown> = { spec: { strategy: { rollingUpdate: { maxSurge: 1 } } } };
  applyDefaults('apps/Deployment', d);
  assert.deepEqual((d['spec'] as Record<string, unknown>)['strategy'], { rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' }, type: 'RollingUpdate' });
});

test('ReplicaSet defaults', () => {
  const rs: Record<string, unknown> = { spec: { template: { spec: { containers: [{ name: 'a', image: 'busybox' }] } } } };
  applyDefaults('apps/ReplicaSet', rs);
  const spec = rs['spec'] as Record<string, unknown>;
  assert.equal(spec['replicas'], 1);
  assert.equal(((spec['template'] as Record<string, unknown>)['spec'] as Record<string, unknown>)['restartPolicy'], 'Always');
  assert.equal('enableServiceLinks' in ((spec['template'] as Record<string, unknown>)['spec'] as Record<string, unknown>), false);
});
