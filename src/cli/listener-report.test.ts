import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listenerChanges } from './listener-report.js';

const np = { what: 'NodePort demo/web', address: '127.0.10.2:30080/TCP' };
const held = `127.0.10.2:30080 is already in use by another program on this machine; stop it or choose another port`;

test('a listener that recovers is announced once; one that fails is warned about once per reason', () => {
  assert.deepEqual(listenerChanges([{ ...np, error: held }], [np]), ['kwire: NodePort demo/web listens on 127.0.10.2:30080/TCP now']);
  assert.deepEqual(listenerChanges([np], [{ ...np, error: held }]), [`kwire: warning: NodePort demo/web on 127.0.10.2:30080/TCP: ${held}`]);
  assert.deepEqual(listenerChanges([{ ...np, error: held }], [{ ...np, error: held }]), [], 'the same failure is not repeated');
  assert.deepEqual(listenerChanges([np], [np]), []);
});

test('new listeners: only failures are worth a line; removed ones say nothing', () => {
  const lb = { what: 'LoadBalancer demo/web', address: '127.0.10.100:80/TCP' };
  assert.deepEqual(listenerChanges([], [lb]), []);
  assert.deepEqual(listenerChanges([], [{ ...lb, error: 'binding port 80 needs privileges' }]), ['kwire: warning: LoadBalancer demo/web on 127.0.10.100:80/TCP: binding port 80 needs privileges']);
  assert.deepEqual(listenerChanges([{ ...lb, error: 'x' }], []), []);
});
