/**
 * @module apiserver/printers/pod.test
 * Tests for the pod printer code against upstream expectations and lab objects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { D, H, M, NOW, S, ago, crashLoopPod, runningPod, terminatingPod } from './fixtures.js';
import { columnsFor, printRow, rowFor } from './registry.js';

const narrow = (obj: unknown) => rowFor('/Pod', obj, NOW, { wide: false });

/** A pod with `n` unnamed containers and the given status (upstream test style). */
function pod(status: Record<string, unknown>, extra: { containers?: number; init?: number; meta?: Record<string, unknown> } = {}) {
  return {
    metadata: { name: 'p', ...extra.meta },
    spec: {
      containers: Array.from({ length: extra.containers ?? 1 }, (_, i) => ({ name: `c${i}` })),
      ...(extra.init ? { initContainers: Array.from({ length: extra.init }, (_, i) => ({ name: `i${i}` })) } : {}),
    },
    status,
  };
}

test('pod columns: names, types, priorities as kube-apiserver', () => {
  assert.deepEqual(
    columnsFor('/Pod').map((c) => [c.name, c.type, c.format, c.priority]),
    [
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Status', 'string', '', 0],
      ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['IP', 'string', '', 1],
      ['Node', 'string', '', 1],
      ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ],
  );
  assert.equal(columnsFor('/Pod', { wide: false }).length, 5);
});

test('running backend pod: 1/1 Running, restart with "(5m ago)", wide cells', () => {
  assert.deepEqual(rowFor('/Pod', runningPod, NOW), [
    'backend-7d4b9c8f6-x2x7q',
    '1/1',
    'Running',
    '1 (5m ago)',
    '125m',
    '10.244.1.5',
    'kwire-worker',
    '<none>',
    '<none>',
  ]);
});

test('CrashLoopBackOff pod', () => {
  assert.deepEqual(narrow(crashLoopPod), ['backend-7d4b9c8f6-crash', '0/1', 'CrashLoopBackOff', '5 (42s ago)', '10m']);
});

test('Terminating pod (deletionTimestamp on a non-terminal pod)', () => {
  assert.deepEqual(narrow(terminatingPod), ['frontend-5c7d8f9b4-abcde', '1/1', 'Terminating', '0', '3d']);
});

test('Pending pod without statuses, and ContainerCreating', () => {
  assert.deepEqual(narrow(pod({ phase: 'Pending' })), ['p', '0/1', 'Pending', '0', '<unknown>']);
  const creating = pod({ phase: 'Pending', containerStatuses: [{ name: 'c0', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] });
  assert.deepEqual(narrow(creating).slice(1, 4), ['0/1', 'ContainerCreating', '0']);
});

test('ErrImagePull and ImagePullBackOff', () => {
  for (const reason of ['ErrImagePull', 'ImagePullBackOff']) {
    const p = pod({ phase: 'Pending', containerStatuses: [{ name: 'c0', ready: false, restartCount: 0, state: { waiting: { reason } } }] });
    assert.equal(narrow(p)[2], reason);
  }
});

test('Completed and Error pods carry the Completed row condition', () => {
  const done = pod({ phase: 'Succeeded', containerStatuses: [{ ready: false, restartCount: 0, state: { terminated: { reason: 'Completed', exitCode: 0 } } }] });
  assert.deepEqual(printRow('/Pod', done, NOW, { wide: false }), {
    cells: ['p', '0/1', 'Completed', '0', '<unknown>'],
    conditions: [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }],
  });
  const failed = pod({ phase: 'Failed', containerStatuses: [{ ready: false, restartCount: 0, state: { terminated: { reason: 'Error', exitCode: 1 } } }] });
  assert.deepEqual(printRow('/Pod', failed, NOW, { wide: false }), {
    cells: ['p', '0/1', 'Error', '0', '<unknown>'],
    conditions: [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }],
  });
  assert.equal(printRow('/Pod', runningPod, NOW).conditions, undefined);
});

test('terminated without reason prints ExitCode:n or Signal:n', () => {
  const exit = pod({ phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode: 137 } } }] });
  assert.equal(narrow(exit)[2], 'ExitCode:137');
  const sig = pod({ phase: 'Running', containerStatuses: [{ state: { terminated: { exitCode: 137, signal: 9 } } }] });
  assert.equal(narrow(sig)[2], 'Signal:9');
});

// Ported from upstream TestPrintPod (expected cells unchanged).
test('upstream TestPrintPod cases', () => {
  const running = { running: {} };
  const cases: Array<[unknown, string[]]> = [
    [pod({ phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: running }, { restartCount: 3 }] }, { containers: 2 }), ['p', '1/2', 'podPhase', '6', '<unknown>']],
    [pod({ phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: running }, { restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } }] }, { containers: 2 }), ['p', '1/2', 'ContainerWaitingReason', '6', '<unknown>']],
    [pod({ phase: 'podPhase', containerStatuses: [{ restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } }, { restartCount: 3, state: { terminated: { reason: 'ContainerTerminatedReason' } } }] }, { containers: 2 }), ['p', '0/2', 'ContainerWaitingReason', '6', '<unknown>']],
    [pod({ phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: running }, { ready: true, restartCount: 3 }] }, { containers: 2 }), ['p', '1/2', 'podPhase', '6', '<unknown>']],
    [pod({ reason: 'podReason', phase: 'podPhase', containerStatuses: [{ ready: true, restartCount: 3, state: running }, { ready: true, restartCount: 3 }] }, { containers: 2 }), ['p', '1/2', 'podReason', '6', '<unknown>']],
    [pod({ phase: 'Running', containerStatuses: [{ ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } }, { ready: true, restartCount: 3, state: running }] }, { containers: 2 }), ['p', '1/2', 'NotReady', '6', '<unknown>']],
    [pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } }, { ready: true, restartCount: 3, state: running }] }, { containers: 2 }), ['p', '1/2', 'Running', '6', '<unknown>']],
    [pod({ phase: 'podPhase', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }, { containers: 2 }), ['p', '0/2', 'SchedulingGated', '0', '<unknown>']],
    [pod({ phase: 'Pending' }, { meta: { deletionTimestamp: ago(-10 * S) } }), ['p', '0/1', 'Terminating', '0', '<unknown>']],
    [pod({ phase: 'Succeeded', containerStatuses: [{ state: { terminated: { reason: 'Completed', exitCode: 0 } } }] }, { meta: { deletionTimestamp: ago(10 * S) } }), ['p', '0/1', 'Completed', '0', '<unknown>']],
  ];
  for (const [p, want] of cases) assert.deepEqual(narrow(p), want);
});

test('NodeLost pod being deleted prints Unknown', () => {
  const p = pod({ phase: 'Running', reason: 'NodeLost' }, { meta: { deletionTimestamp: ago(0) } });
  assert.equal(narrow(p)[2], 'Unknown');
});

test('init containers: Init:x/y progress, Init:<reason>, Init:ExitCode, restarts', () => {
  const lastTerm = (ms: number) => ({ terminated: { finishedAt: ago(ms) } });
  // upstream test7/test8/test9/test10
  assert.deepEqual(
    narrow(pod({ phase: 'podPhase', initContainerStatuses: [{ restartCount: 3, state: { running: {} }, lastState: lastTerm(10 * S) }], containerStatuses: [{ state: { waiting: {} } }] }, { init: 1 })),
    ['p', '0/1', 'Init:0/1', '3 (10s ago)', '<unknown>'],
  );
  assert.deepEqual(
    narrow(pod({ phase: 'podPhase', initContainerStatuses: [{ state: { terminated: {} } }, { restartCount: 3, state: { running: {} }, lastState: lastTerm(10 * S) }] }, { init: 2 })),
    ['p', '0/1', 'Init:1/2', '3 (10s ago)', '<unknown>'],
  );
  assert.deepEqual(
    narrow(pod({ phase: 'podPhase', initContainerStatuses: [{ restartCount: 2, state: { terminated: {} }, lastState: lastTerm(2 * M) }, { restartCount: 3, state: { running: {} }, lastState: lastTerm(10 * S) }] }, { init: 2 })),
    ['p', '0/1', 'Init:1/2', '5 (10s ago)', '<unknown>'],
  );
  // upstream test11: init done -> main container restarts only
  assert.deepEqual(
    narrow(pod({ phase: 'Running', initContainerStatuses: [{ restartCount: 2, state: { terminated: {} }, lastState: lastTerm(2 * M) }], containerStatuses: [{ restartCount: 4, state: { running: {} }, lastState: lastTerm(20 * S) }] }, { init: 1 })),
    ['p', '0/1', 'Running', '4 (20s ago)', '<unknown>'],
  );
  assert.equal(narrow(pod({ phase: 'Pending', initContainerStatuses: [{ state: { waiting: { reason: 'ErrImagePull' } } }] }, { init: 1 }))[2], 'Init:ErrImagePull');
  assert.equal(narrow(pod({ phase: 'Pending', initContainerStatuses: [{ state: { waiting: { reason: 'PodInitializing' } } }] }, { init: 2 }))[2], 'Init:0/2');
  assert.equal(narrow(pod({ phase: 'Pending', initContainerStatuses: [{ state: { terminated: { exitCode: 3 } } }] }, { init: 1 }))[2], 'Init:ExitCode:3');
  assert.equal(narrow(pod({ phase: 'Pending', initContainerStatuses: [{ state: { terminated: { exitCode: 1, reason: 'Error' } } }] }, { init: 1 }))[2], 'Init:Error');
  assert.equal(narrow(pod({ phase: 'Pending', initContainerStatuses: [{ state: { terminated: { exitCode: 0, signal: 15 } } }, { state: { terminated: { exitCode: 143, signal: 15 } } }] }, { init: 2 }))[2], 'Init:Signal:15');
});

test('restartable (sidecar) init containers count towards READY', () => {
  const p = {
    metadata: { name: 'sidecar' },
    spec: { initContainers: [{ name: 'proxy', restartPolicy: 'Always' }], containers: [{ name: 'app' }] },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
      initContainerStatuses: [{ name: 'proxy', ready: true, started: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { finishedAt: ago(3 * H) } } }],
      containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: {} } }],
    },
  };
  assert.deepEqual(narrow(p), ['sidecar', '2/2', 'Running', '2 (3h ago)', '<unknown>']);
  // Not started yet: still initializing.
  const starting = structuredClone(p);
  starting.status.initContainerStatuses[0]!.started = false;
  starting.status.conditions = [];
  assert.deepEqual(narrow(starting).slice(1, 3), ['0/2', 'Init:0/1']);
});

test('restarts: summed over containers, newest restart wins', () => {
  const p = pod(
    {
      phase: 'Running',
      containerStatuses: [
        { ready: true, restartCount: 6, state: { running: {} }, lastState: { terminated: { finishedAt: ago(5 * D) } } },
        { ready: true, restartCount: 3, state: { running: {} }, lastState: { terminated: { finishedAt: ago(20 * D) } } },
      ],
    },
    { containers: 2 },
  );
  assert.deepEqual(narrow(p).slice(1, 4), ['2/2', 'Running', '9 (5d ago)']);
});

test('wide: podIP fallback, nominated node, readiness gates', () => {
  const p = {
    metadata: { name: 'gated' },
    spec: { containers: [{ name: 'c' }], readinessGates: [{ conditionType: 'www.example.com/feature-1' }, { conditionType: 'www.example.com/feature-2' }] },
    status: {
      phase: 'Pending',
      podIP: '10.244.0.9',
      nominatedNodeName: 'kwire-worker2',
      conditions: [{ type: 'www.example.com/feature-1', status: 'True' }, { type: 'www.example.com/feature-2', status: 'False' }],
    },
  };
  assert.deepEqual(rowFor('/Pod', p, NOW).slice(5), ['10.244.0.9', '<none>', 'kwire-worker2', '1/2']);
  assert.deepEqual(rowFor('/Pod', pod({ phase: 'Pending' }), NOW).slice(5), ['<none>', '<none>', '<none>', '<none>']);
});
