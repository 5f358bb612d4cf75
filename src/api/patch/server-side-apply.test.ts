/**
 * @module api/patch/server-side-apply.test
 * Server-side apply and managedFields bookkeeping: create, re-apply, removal, conflicts, force, the client-side-apply upgrade, and request errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverSideApply, recordUpdate, LAST_APPLIED_ANNOTATION, type ServerSideApplyResult } from './server-side-apply.js';
import { PatchError } from './errors.js';
import type { JsonObject } from './json.js';

const T0 = new Date('2026-11-28T10:00:00.123Z');
const T1 = new Date('2026-11-28T10:05:00Z');
const T2 = new Date('2026-11-28T10:10:00Z');
const DEPLOY = 'apps/Deployment';

function config(opts: { replicas?: number; image?: string; env?: Array<[string, string]>; labels?: Record<string, string> } = {}): JsonObject {
  const container: JsonObject = { name: 'web', image: opts.image ?? 'nginx:1.27', ports: [{ containerPort: 80 }] };
  if (opts.env) container['env'] = opts.env.map(([name, value]) => ({ name, value }));
  const spec: JsonObject = {
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } },
  };
  if (opts.replicas !== undefined) spec['replicas'] = opts.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'lab', labels: opts.labels ?? { app: 'web' } },
    spec,
  };
}

function ok(r: ServerSideApplyResult): { object: JsonObject; changed: boolean } {
  if ('conflicts' in r) assert.fail(`unexpected conflicts: ${r.error.message}`);
  return r;
}

function conflicted(r: ServerSideApplyResult) {
  if (!('conflicts' in r)) return assert.fail('expected conflicts');
  return r;
}

/** Stands in for the store: what a create does to an object (uid, resourceVersion). */
function stored(o: JsonObject): JsonObject {
  const c = structuredClone(o);
  (c['metadata'] as JsonObject)['uid'] = 'u-1';
  (c['metadata'] as JsonObject)['resourceVersion'] = '7';
  return c;
}

const mf = (o: JsonObject) => (o['metadata'] as JsonObject)['managedFields'] as JsonObject[];
const spec = (o: JsonObject) => o['spec'] as JsonObject;
const container0 = (o: JsonObject) => ((spec(o)['template'] as JsonObject)['spec'] as JsonObject)['containers'] as JsonObject[];

const WEB = 'k:{"name":"web"}';
const PORT80 = 'k:{"containerPort":80,"protocol":"TCP"}';

test('SSA create: object as applied, one Apply entry in the real format', () => {
  const { object, changed } = ok(serverSideApply({ groupKind: DEPLOY, live: undefined, applied: config({ replicas: 2 }), manager: 'kubectl', force: false, now: T0 }));
  assert.equal(changed, true);
  assert.equal(spec(object)['replicas'], 2);
  assert.deepEqual(container0(object), [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }]);
  assert.deepEqual(mf(object), [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: '2026-11-28T10:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                [WEB]: { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { [PORT80]: { '.': {}, 'f:containerPort': {} } } },
              },
            },
          },
        },
      },
    },
  ]);
});

test('SSA re-apply of the same configuration changes nothing', () => {
  const first = stored(ok(serverSideApply({ groupKind: DEPLOY, live: undefined, applied: config({ replicas: 2 }), manager: 'kubectl', force: false, now: T0 })).object);
  const again = ok(serverSideApply({ groupKind: DEPLOY, live: first, applied: config({ replicas: 2 }), manager: 'kubectl', force: false, now: T1 }));
  assert.equal(again.changed, false);
  assert.deepEqual(again.object, first);
});

test('SSA re-apply with a change updates the value and the time, keeps system fields', () => {
  const first = stored(ok(serverSideApply({ groupKind: DEPLOY, live: undefined, applied: config({ replicas: 2 }), manager: 'kubectl', force: false, now: T0 })).object);
  const { object, changed } = ok(serverSideApply({ groupKind: DEPLOY, live: first, applied: config({ replicas: 3, image: 'nginx:1.28' }), manager: 'kubectl', force: false, now: T1 }));
  assert.equal(changed, true);
  assert.equal(spec(object)['replicas'], 3);
  assert.equal(container0(object)[0]!['image'], 'nginx:1.28');
  assert.equal((object['metadata'] as JsonObject)['uid'], 'u-1');
  assert.equal(mf(object)[0]!['time'], '2026-11-28T10:05:00Z');
});

test('SSA removes what the manager applied before and no longer applies', () => {
  const first = stored(
    ok(serverSideApply({ groupKind: DEPLOY, live: undefined, applied: config({ replicas: 2, env: [['A', '1'], ['B', '2']], labels: { app: 'web', tier: 'fe' } }), manager: 'kubectl', force: false, now: T0 })).object,
  );
  const { object } = ok(serverSideApply({ groupKind: DEPLOY, live: first, applied: config({ env: [['A', '1']] }), manager: 'kubectl', force: false, now: T1 }));
  assert.equal(spec(object)['replicas'], undefined, 'replicas no longer applied: removed');
  assert.deepEqual(container0(object)[0]!['env'], [{ name: 'A', value: '1' }]);
  assert.deepEqual((object['metadata'] as JsonObject)['labels'], { app: 'web' });
  const fields = mf(object)[0]!['fieldsV1'] as JsonObject;
  assert.equal((fields['f:spec'] as JsonObject)['f:replicas'], undefined);
});

test('SSA removal keeps what another manager also owns; a list emptied by removal goes', () => {
  const a = stored(ok(serverSideApply({ groupKind: DEPLOY, live: undefined, applied: config({ env: [['A', '1'], ['B', '2']], labels: { app: 'web', team: 'x' } }), manager: 'alice', force: false, now: T0 })).object);
  // bob applies the same label value and env var B: shared ownership, no conflict
  const bobApplied: JsonObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'lab', labels: { team: 'x' } },
    spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'B', value: '2' }] }] } } },
  };
  const b = ok(serverSideApply({ groupKind: DEPLOY, live: a, applied: bobApplied, manager: 'bob', force: false, now: T1 }));
  assert.equal(b.changed, true, 'managedFields changed');
  const c = ok(serverSideApply({ groupKind: DEPLOY, live: b.object, applied: config({}), manager: 'alice', force: false, now: T2 })).object;
  assert.deepEqual((c['metadata'] as JsonObject)['labels'], { app: 'web', team: 'x' }, 'team still owned by bob');
  assert.deepEqual(container0(c)[0]!['env'], [{ name: 'B', value: '2' }], 'A removed, B owned by bob');
  const bobNothing: JsonObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'lab' } };
  const d = ok(serverSideApply({ groupKind: DEPLOY, live: c, applied: bobNothing, manager: 'bob', force: false, now: T2 })).object;
  assert.deepEqual((d['metadata'] as JsonObject)['labels'], { app: 'web' });
  assert.equal(container0(d)[0]!['env'], undefined, 'the emptied env list is removed');
  assert.deepEqual(
    mf(d).map((e) => e['manager']),
    ['alice'],
    'bob owns nothing any more',
  );
});

test('SSA removes an item of a nested associative list (a container port)', () => {
  const two = config();
  container0(two)[0]!['ports'] = [{ containerPort: 80 }, { containerPort: 443, name: 'https' }];
  const live = stored(ok(serverSideApply({ groupKind: DEPLOY, live: undefined, applied: two, manager: 'kubectl', force: false, now: T0 })).object);
  const r = ok(serverSideApply({ groupKind: DEPLOY, live, applied: config(), manager: 'kubectl', force: false, now: T1 })).object;
  assert.deepEqual(container0(r)[0]!['ports'], [{ containerPort: 80 }]);
});

test('SSA keeps an item another manager owns part of, with its key', () => {
  const live = stored(ok(serverSideApply({ groupKind: '/Pod', live: undefined, applied: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x', tty: true }] } }, manager: 'one', force: false, now: T0 })).object);
  const shared = ok(serverSideApply({ groupKind: '/Pod', live, applied: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'x' }] } }, manager: 'two', force: false, now: T1 })).object;
  const r = ok(serverSideApply({ groupKind: '/Pod', live: shared, applied: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} }, manager: 'one', force: false, now: T2 })).object;
  assert.deepEqual(spec(r)['containers'], [{ name: 'a', image: 'x' }], 'tty went with "one"; name and image stay with "two"');
});

test('client-side apply records an Update entry as kube-apiserver does on create', () => {
  const created = recordUpdate({ groupKind: DEPLOY, manager: 'kubectl-client-side-apply', before: undefined, after: config({ replicas: 2 }), now: T0 });
  assert.deepEqual(mf(created), [
    {
      manager: 'kubectl-client-side-apply',
      operation: 'Update',
      apiVersion: 'apps/v1',
      time: '2026-11-28T10:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                [WEB]: {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  'f:ports': { '.': {}, [PORT80]: { '.': {}, 'f:containerPort': {} } },
                },
              },
            },
          },
        },
      },
    },
  ]);
});

test('SSA conflict after client-side apply: the 409 message of kube-apiserver', () => {
  const live = stored(recordUpdate({ groupKind: DEPLOY, manager: 'kubectl-client-side-apply', before: undefined, after: config({ replicas: 2 }), now: T0 }));
  const r = conflicted(serverSideApply({ groupKind: DEPLOY, live, applied: config({ replicas: 3 }), manager: 'my-tool', force: false, now: T1 }));
  assert.deepEqual(r.conflicts, [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', field: '.spec.replicas' }]);
  assert.ok(r.error instanceof PatchError);
  assert.deepEqual(r.error.toStatus(), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    reason: 'Conflict',
    details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }] },
    code: 409,
  });
});

test('SSA with the same value as another owner is no conflict (shared ownership)', () => {
  const live = stored(recordUpdate({ groupKind: DEPLOY, manager: 'kubectl-client-side-apply', before: undefined, after: config({ replicas: 2 }), now: T0 }));
  const r = ok(serverSideApply({ groupKind: DEPLOY, live, applied: config({ replicas: 2 }), manager: 'my-tool', force: false, now: T1 }));
  const managers = mf(r.object).map((e) => `${e['operation']}:${e['manager']}`);
  assert.deepEqual(managers, ['Apply:my-tool', 'Update:kubectl-client-side-apply']);
  const csa = mf(r.object)[1]!['fieldsV1'] as JsonObject;
  assert.deepEqual((csa['f:spec'] as JsonObject)['f:replicas'], {}, 'still co-owned');
});

test('SSA force takes the field over', () => {
  const live = stored(recordUpdate({ groupKind: DEPLOY, manager: 'kubectl-client-side-apply', before: undefined, after: config({ replicas: 2 }), now: T0 }));
  const r = ok(serverSideApply({ groupKind: DEPLOY, live, applied: config({ replicas: 3 }), manager: 'my-tool', force: true, now: T1 }));
  assert.equal(spec(r.object)['replicas'], 3);
  const csa = mf(r.object).find((e) => e['manager'] === 'kubectl-client-side-apply')!;
  assert.equal(((csa['fieldsV1'] as JsonObject)['f:spec'] as JsonObject)['f:replicas'], undefined);
  const mine = mf(r.object).find((e) => e['manager'] === 'my-tool')!;
  assert.deepEqual(((mine['fieldsV1'] as JsonObject)['f:spec'] as JsonObject)['f:replicas'], {});
});

test('several conflicts: grouped by manager, sorted', () => {
  const live = stored(recordUpdate({ groupKind: DEPLOY, manager: 'kubectl-client-side-apply', before: undefined, after: config({ replicas: 2 }), now: T0 }));
  const edited = recordUpdate({ groupKind: DEPLOY, manager: 'kubectl-edit', before: live, after: { ...live, metadata: { ...(live['metadata'] as JsonObject), labels: { app: 'web', x: 'y' } } }, now: T1 });
  const r = conflicted(serverSideApply({ groupKind: DEPLOY, live: edited, applied: config({ replicas: 3, image: 'nginx:2', labels: { app: 'web', x: 'z' } }), manager: 'my-tool', force: false, now: T2 }));
  assert.equal(
    r.error.message,
    'Apply failed with 3 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1\n' +
      '- .spec.replicas\n' +
      '- .spec.template.spec.containers[name="web"].image\n' +
      'conflicts with "kubectl-edit" using apps/v1\n' +
      '- .metadata.labels.x',
  );
  assert.equal(r.conflicts.length, 3);
});

test('"kubectl" upgrading from client-side apply takes fields whose value matches last-applied', () => {
  const cfg = config({ replicas: 2 });
  const withAnnotation = structuredClone(cfg);
  (withAnnotation['metadata'] as JsonObject)['annotations'] = { [LAST_APPLIED_ANNOTATION]: JSON.stringify(cfg) };
  const live = stored(recordUpdate({ groupKind: DEPLOY, manager: 'kubectl-client-side-apply', before: undefined, after: withAnnotation, now: T0 }));
  const r = ok(serverSideApply({ groupKind: DEPLOY, live, applied: config({ replicas: 3 }), manager: 'kubectl', force: false, now: T1 }));
  assert.equal(spec(r.object)['replicas'], 3);
  const ann = ((r.object['metadata'] as JsonObject)['annotations'] as JsonObject)[LAST_APPLIED_ANNOTATION] as string;
  assert.ok(ann.endsWith('\n'));
  assert.equal(JSON.parse(ann)['spec']['replicas'], 3, 'the annotation follows the applied configuration');
  // another manager is not upgraded
  const other = conflicted(serverSideApply({ groupKind: DEPLOY, live, applied: config({ replicas: 3 }), manager: 'kubectl-x', force: false, now: T1 }));
  assert.equal(other.conflicts[0]!.field, '.spec.replicas');
});

test('"kubectl" still conflicts on a field someone changed after client-side apply', () => {
  const cfg = config({ replicas: 2 });
  const withAnnotation = structuredClone(cfg);
  (withAnnotation['metadata'] as JsonObject)['annotations'] = { [LAST_APPLIED_ANNOTATION]: JSON.stringify(cfg) };
  const live = stored(recordUpdate({ groupKind: DEPLOY, manager: 'kubectl-client-side-apply', before: undefined, after: withAnnotation, now: T0 }));
  const scaled = recordUpdate({ groupKind: DEPLOY, manager: 'kubectl-edit', before: live, after: { ...live, spec: { ...spec(live), replicas: 5 } }, now: T1 });
  const r = conflicted(serverSideApply({ groupKind: DEPLOY, live: scaled, applied: config({ replicas: 3 }), manager: 'kubectl', force: false, now: T2 }));
  assert.equal(r.error.message, 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas');
});

test('an object without managedFields: its fields belong to "before-first-apply"', () => {
  const live = stored(config({ replicas: 2 }));
  const r = conflicted(serverSideApply({ groupKind: DEPLOY, live, applied: config({ replicas: 4 }), manager: 'my-tool', force: false, now: T1 }));
  assert.equal(r.error.message, 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
});

test('Service ports are an associative list keyed by port and protocol', () => {
  const svc = (ports: JsonObject[]): JsonObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'lab' }, spec: { ports } });
  const a = stored(ok(serverSideApply({ groupKind: '/Service', live: undefined, applied: svc([{ port: 80, targetPort: 8080 }]), manager: 'a', force: false, now: T0 })).object);
  const fields = mf(a)[0]!['fieldsV1'] as JsonObject;
  assert.deepEqual(fields, { 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } } } });
  const b = ok(serverSideApply({ groupKind: '/Service', live: a, applied: svc([{ port: 443, targetPort: 8443 }]), manager: 'b', force: false, now: T1 })).object;
  assert.deepEqual(spec(b)['ports'], [
    { port: 80, targetPort: 8080 },
    { port: 443, targetPort: 8443 },
  ]);
  const c = conflicted(serverSideApply({ groupKind: '/Service', live: b, applied: svc([{ port: 80, protocol: 'TCP', targetPort: 9090 }]), manager: 'b', force: false, now: T2 }));
  assert.equal(c.error.message, 'Apply failed with 1 conflict: conflict with "a": .spec.ports[port=80,protocol="TCP"].targetPort');
});

test('Service selector is an atomic map: owned and replaced whole', () => {
  const svc = (selector: Record<string, string>): JsonObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'lab' }, spec: { selector } });
  const a = stored(ok(serverSideApply({ groupKind: '/Service', live: undefined, applied: svc({ app: 'web', tier: 'fe' }), manager: 'a', force: false, now: T0 })).object);
  assert.deepEqual(mf(a)[0]!['fieldsV1'], { 'f:spec': { 'f:selector': {} } });
  const b = ok(serverSideApply({ groupKind: '/Service', live: a, applied: svc({ app: 'api' }), manager: 'a', force: false, now: T1 })).object;
  assert.deepEqual(spec(b)['selector'], { app: 'api' });
});

test('associative list order: live-only items stay, applied items follow applied order', () => {
  const pod = (names: string[]): JsonObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'lab' },
    spec: { containers: names.map((name) => ({ name, image: 'busybox' })) },
  });
  const live = stored(ok(serverSideApply({ groupKind: '/Pod', live: undefined, applied: pod(['a', 'b', 'c']), manager: 'one', force: false, now: T0 })).object);
  const r = ok(serverSideApply({ groupKind: '/Pod', live, applied: pod(['d', 'b']), manager: 'two', force: false, now: T1 })).object;
  assert.deepEqual((spec(r)['containers'] as JsonObject[]).map((c) => c['name']), ['a', 'd', 'b', 'c']);
});

test('finalizers are a set: each manager owns its values', () => {
  const cm = (fin: string[]): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'lab', finalizers: fin } });
  const a = stored(ok(serverSideApply({ groupKind: '/ConfigMap', live: undefined, applied: cm(['x/a']), manager: 'a', force: false, now: T0 })).object);
  const b = ok(serverSideApply({ groupKind: '/ConfigMap', live: a, applied: cm(['x/b']), manager: 'b', force: false, now: T1 })).object;
  assert.deepEqual((b['metadata'] as JsonObject)['finalizers'], ['x/a', 'x/b']);
  assert.deepEqual(mf(b).find((e) => e['manager'] === 'b')!['fieldsV1'], { 'f:metadata': { 'f:finalizers': { 'v:"x/b"': {} } } });
  const c = ok(serverSideApply({ groupKind: '/ConfigMap', live: b, applied: cm([]), manager: 'a', force: false, now: T2 })).object;
  assert.deepEqual((c['metadata'] as JsonObject)['finalizers'], ['x/b']);
});

test('status is not recorded on the main resource', () => {
  const applied = { ...config({ replicas: 1 }), status: { replicas: 9 } };
  const { object } = ok(serverSideApply({ groupKind: DEPLOY, live: undefined, applied, manager: 'kubectl', force: false, now: T0 }));
  assert.equal((mf(object)[0]!['fieldsV1'] as JsonObject)['f:status'], undefined);
  const upd = recordUpdate({ groupKind: DEPLOY, manager: 'deployment-controller', before: object, after: { ...object, status: { replicas: 1 } }, now: T1, subresource: 'status' });
  const ctrl = mf(upd).find((e) => e['manager'] === 'deployment-controller')!;
  assert.equal(ctrl['subresource'], 'status');
  assert.deepEqual(ctrl['fieldsV1'], { 'f:status': { 'f:replicas': {} } });
});

test('recordUpdate: a label added by another manager, a no-op, and a reset', () => {
  const created = stored(recordUpdate({ groupKind: '/Namespace', manager: 'kubectl-create', before: undefined, after: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab' }, spec: {} }, now: T0 }));
  assert.equal(mf(created), undefined, 'nothing recordable: no entry');
  const labelled = recordUpdate({
    groupKind: '/Namespace',
    manager: 'kubectl-label',
    before: created,
    after: { ...created, metadata: { ...(created['metadata'] as JsonObject), labels: { environment: 'test' } } },
    now: T1,
  });
  assert.deepEqual(mf(labelled), [
    { manager: 'kubectl-label', operation: 'Update', apiVersion: 'v1', time: '2026-11-28T10:05:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:environment': {} } } } },
  ]);
  const same = recordUpdate({ groupKind: '/Namespace', manager: 'kubectl-label', before: labelled, after: labelled, now: T2 });
  assert.deepEqual(mf(same), mf(labelled), 'no change: no new time');
  const reset = recordUpdate({
    groupKind: '/Namespace',
    manager: 'x',
    before: labelled,
    after: { ...labelled, metadata: { ...(labelled['metadata'] as JsonObject), managedFields: [] } },
    now: T2,
  });
  assert.equal(mf(reset), undefined);
});

test('recordUpdate: a changed value moves to the updater, a removed one leaves its owner', () => {
  const live = stored(recordUpdate({ groupKind: DEPLOY, manager: 'kubectl-client-side-apply', before: undefined, after: config({ replicas: 2, env: [['A', '1']] }), now: T0 }));
  const after = structuredClone(live);
  spec(after)['replicas'] = 4;
  delete container0(after)[0]!['env'];
  const r = recordUpdate({ groupKind: DEPLOY, manager: 'kubectl-edit', before: live, after, now: T1 });
  const csa = mf(r).find((e) => e['manager'] === 'kubectl-client-side-apply')!['fieldsV1'] as JsonObject;
  const edit = mf(r).find((e) => e['manager'] === 'kubectl-edit')!['fieldsV1'] as JsonObject;
  assert.deepEqual(edit, { 'f:spec': { 'f:replicas': {} } });
  assert.equal((csa['f:spec'] as JsonObject)['f:replicas'], undefined);
  const c = (((((csa['f:spec'] as JsonObject)['f:template'] as JsonObject)['f:spec'] as JsonObject)['f:containers'] as JsonObject)[WEB] as JsonObject);
  assert.equal(c['f:env'], undefined);
});

test('managedFields order: Apply entries first, then by time', () => {
  const live = stored(recordUpdate({ groupKind: DEPLOY, manager: 'zz-creator', before: undefined, after: config({ replicas: 2 }), now: T0 }));
  const r = ok(serverSideApply({ groupKind: DEPLOY, live, applied: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'lab', annotations: { a: 'b' } } }, manager: 'aa-applier', force: false, now: T1 })).object;
  assert.deepEqual(mf(r).map((e) => e['manager']), ['aa-applier', 'zz-creator']);
});

test('more than 10 Update managers: the oldest fold into ancient-changes', () => {
  let obj = stored(recordUpdate({ groupKind: '/ConfigMap', manager: 'm0', before: undefined, after: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { k0: 'v' } }, now: new Date(Date.UTC(2026, 0, 1, 0, 0, 0)) }));
  for (let i = 1; i <= 11; i++) {
    const after = structuredClone(obj);
    (after['data'] as JsonObject)[`k${i}`] = 'v';
    obj = recordUpdate({ groupKind: '/ConfigMap', manager: `m${i}`, before: obj, after, now: new Date(Date.UTC(2026, 0, 1, 0, i, 0)) });
  }
  const managers = mf(obj).map((e) => e['manager']);
  assert.equal(managers.length, 10);
  assert.equal(managers[0], 'ancient-changes');
  const ancient = mf(obj)[0]!['fieldsV1'] as JsonObject;
  assert.deepEqual(Object.keys(ancient['f:data'] as JsonObject).sort(), ['.', 'f:k0', 'f:k1', 'f:k2']);
});

// ---- request errors ----------------------------------------------------------------

const errRows: Array<{ name: string; applied: JsonObject; apiVersion?: string; code: number; message: string }> = [
  {
    name: 'managedFields in the applied object',
    applied: { ...config(), metadata: { name: 'web', managedFields: [] } },
    code: 400,
    message: 'metadata.managedFields must be nil',
  },
  { name: 'wrong kind', applied: { ...config(), kind: 'ReplicaSet' }, code: 400, message: 'invalid object type: apps/v1, Kind=ReplicaSet' },
  { name: 'wrong version', applied: config(), apiVersion: 'apps/v1beta2', code: 400, message: 'invalid object type: apps/v1, Kind=Deployment' },
  {
    name: 'an associative-list item without its key',
    applied: { ...config(), spec: { template: { spec: { containers: [{ name: 'web', ports: [{ name: 'http' }] }] } } } },
    code: 500,
    message:
      'failed to create typed patch object (lab/web; apps/v1, Kind=Deployment): .spec.template.spec.containers[name="web"].ports: element 0: associative list with keys has an element that omits key field "containerPort" (and doesn\'t have default value)',
  },
  {
    name: 'duplicate keys in the applied object',
    applied: { ...config(), spec: { template: { spec: { containers: [{ name: 'web' }, { name: 'web' }] } } } },
    code: 500,
    message: 'failed to create typed patch object (lab/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="web"]',
  },
];

for (const row of errRows) {
  test(`SSA error: ${row.name}`, () => {
    assert.throws(
      () => serverSideApply({ groupKind: DEPLOY, live: undefined, applied: row.applied, manager: 'kubectl', force: false, now: T0, ...(row.apiVersion ? { apiVersion: row.apiVersion } : {}) }),
      (e: unknown) => {
        assert.ok(e instanceof PatchError);
        assert.equal(e.code, row.code);
        assert.equal(e.message, row.message);
        return true;
      },
    );
  });
}

test('SSA keeps system metadata when the applied object carries creationTimestamp: null', () => {
  const live = stored(ok(serverSideApply({ groupKind: DEPLOY, live: undefined, applied: config({ replicas: 1 }), manager: 'kubectl', force: false, now: T0 })).object);
  (live['metadata'] as JsonObject)['creationTimestamp'] = '2026-11-28T10:00:00Z';
  const applied = config({ replicas: 1 });
  (applied['metadata'] as JsonObject)['creationTimestamp'] = null;
  const r = ok(serverSideApply({ groupKind: DEPLOY, live, applied, manager: 'kubectl', force: false, now: T1 }));
  assert.equal((r.object['metadata'] as JsonObject)['creationTimestamp'], '2026-11-28T10:00:00Z');
  assert.equal((r.object['metadata'] as JsonObject)['uid'], 'u-1');
  assert.equal((r.object['metadata'] as JsonObject)['resourceVersion'], '7');
  assert.equal(r.changed, false);
});

test('SSA does not modify its inputs', () => {
  const live = stored(recordUpdate({ groupKind: DEPLOY, manager: 'kubectl-client-side-apply', before: undefined, after: config({ replicas: 2 }), now: T0 }));
  const liveCopy = structuredClone(live);
  const applied = config({ replicas: 3 });
  const appliedCopy = structuredClone(applied);
  serverSideApply({ groupKind: DEPLOY, live, applied, manager: 'x', force: true, now: T1 });
  assert.deepEqual(live, liveCopy);
  assert.deepEqual(applied, appliedCopy);
});
