import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerEnv, expand, expandCommand, serviceLinkEnv, EnvError, type EnvInputs } from './env.js';

const base = (container: EnvInputs['container'], extra: Partial<EnvInputs> = {}): EnvInputs => ({
  pod: { metadata: { name: 'backend-7c9d5b8f6-x2kqp', namespace: 'networking-lab', uid: 'u-1', labels: { app: 'backend' } }, spec: { nodeName: 'kwire-worker' } },
  podIp: '10.244.1.2',
  hostIp: '127.0.10.3',
  container,
  nodeAllocatable: { cpu: '2', memory: '8Gi' },
  configMap: (n) => (n === 'cfg' ? { color: 'blue', size: 'L' } : undefined),
  secret: (n) => (n === 'sec' ? { password: 's3cret' } : undefined),
  serviceEnv: {},
  ...extra,
});

test('expand follows Kubernetes rules', () => {
  const rows: Array<[string, Record<string, string>, string]> = [
    ['$(A)', { A: 'x' }, 'x'],
    ['a$(A)b$(B)', { A: '1', B: '2' }, 'a1b2'],
    ['$(MISSING)', {}, '$(MISSING)'],
    ['$$(A)', { A: 'x' }, '$(A)'],
    ['$(A', { A: 'x' }, '$(A'],
    ['$A', { A: 'x' }, '$A'],
  ];
  for (const [s, vars, want] of rows) assert.equal(expand(s, vars), want, s);
});

test('the lab backend: HOSTNAME from fieldRef, expanded into args', () => {
  const env = containerEnv(base({ name: 'backend', env: [{ name: 'HOSTNAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }));
  assert.equal(env['HOSTNAME'], 'backend-7c9d5b8f6-x2kqp');
  assert.deepEqual(expandCommand(['-text=Hello from Backend Pod: $(HOSTNAME)', '-listen=:8080'], env), ['-text=Hello from Backend Pod: backend-7c9d5b8f6-x2kqp', '-listen=:8080']);
});

test('env values expand earlier variables only; valueFrom sources', () => {
  const env = containerEnv(
    base({
      name: 'c',
      env: [
        { name: 'B', value: '$(A)-later' },
        { name: 'A', value: 'first' },
        { name: 'C', value: '$(A)-$(POD_IP)' },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'D', value: '$(POD_IP)' },
        { name: 'LBL', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'color' } } },
        { name: 'PW', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      ],
      resources: { limits: { memory: '128Mi' } },
    }),
  );
  assert.equal(env['B'], '$(A)-later');
  assert.equal(env['C'], 'first-$(POD_IP)');
  assert.equal(env['D'], '10.244.1.2');
  assert.equal(env['LBL'], 'backend');
  assert.equal(env['COLOR'], 'blue');
  assert.equal(env['PW'], 's3cret');
  assert.equal(env['CPU'], '2');
  assert.equal(env['MEM'], '128');
});

test('envFrom with prefix; missing references fail unless optional', () => {
  const env = containerEnv(base({ name: 'c', envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'nope', optional: true } }] }));
  assert.equal(env['CFG_color'], 'blue');
  assert.throws(() => containerEnv(base({ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] })), (e: unknown) => e instanceof EnvError && /configmap "nope" not found/.test(e.message));
  assert.throws(() => containerEnv(base({ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] })), /couldn't find key k in ConfigMap networking-lab\/cfg/);
  const opt = containerEnv(base({ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } }] }));
  assert.equal(opt['X'], undefined);
});

test('service link variables', () => {
  const env = serviceLinkEnv([
    { name: 'backend-clusterip', clusterIP: '10.96.12.34', ports: [{ port: 80, protocol: 'TCP' }] },
    { name: 'headless', clusterIP: 'None', ports: [{ port: 80 }] },
  ]);
  assert.equal(env['BACKEND_CLUSTERIP_SERVICE_HOST'], '10.96.12.34');
  assert.equal(env['BACKEND_CLUSTERIP_SERVICE_PORT'], '80');
  assert.equal(env['BACKEND_CLUSTERIP_PORT'], 'tcp://10.96.12.34:80');
  assert.equal(env['BACKEND_CLUSTERIP_PORT_80_TCP_ADDR'], '10.96.12.34');
  assert.equal(Object.keys(env).some((k) => k.startsWith('HEADLESS')), false);
});
