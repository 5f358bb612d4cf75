/**
 * @module ingress/controller.test
 * The controller against a real registry and store: the table follows the
 * objects, served Ingresses get status.loadBalancer.ingress, unsupported
 * annotations and bad TLS Secrets become Warning events once, and a second sync
 * writes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../apiserver/registry.js';
import { Store, type KObject } from '../store/store.js';
import { RESOURCES } from '../api/resources.js';
import { IngressController } from './controller.js';
import { decide } from './decide.js';
import { ingress, nginxClass, service } from './test-support.js';

const ING = RESOURCES.find((r) => r.kind === 'Ingress')!;
const CLASS = RESOURCES.find((r) => r.kind === 'IngressClass')!;
const SVC = RESOURCES.find((r) => r.group === '' && r.kind === 'Service')!;
const SECRET = RESOURCES.find((r) => r.group === '' && r.kind === 'Secret')!;
const EVENT = RESOURCES.find((r) => r.group === '' && r.kind === 'Event')!;

function obj<T>(o: T): KObject {
  return structuredClone(o) as unknown as KObject;
}

test('controller: table, status, events; idempotent', async () => {
  const registry = new Registry(new Store());
  let ip: string | undefined;
  const ctl = new IngressController({ loadBalancerIp: () => ip, instance: 'ingress-nginx-controller-abc' });
  registry.create(CLASS, undefined, obj(nginxClass()));
  registry.create(SVC, 'default', obj(service('web')));
  registry.create(ING, 'default', obj(ingress({ name: 'app', annotations: { 'nginx.ingress.kubernetes.io/enable-cors': 'true' }, rules: [{ host: 'app.local', paths: [{ service: 'web' }] }] })));
  registry.create(ING, 'default', obj(ingress({ name: 'other', className: 'traefik', rules: [{ host: 'o.local', paths: [{ service: 'web' }] }] })));
  registry.create(
    ING,
    'default',
    obj(ingress({ name: 'tls', tls: [{ hosts: ['t.local'], secretName: 'missing-secret' }], rules: [{ host: 't.local', paths: [{ service: 'web' }] }] })),
  );
  ctl.start(registry);
  try {
    await ctl.idle();
    assert.equal(decide(ctl.table(), { host: 'app.local', url: '/', headers: {}, scheme: 'http' }).kind, 'proxy');
    assert.equal(decide(ctl.table(), { host: 'o.local', url: '/', headers: {}, scheme: 'http' }).kind, 'default-backend');
    // no LB IP yet: status untouched
    assert.equal(registry.get(ING, 'default', 'app')['status'], undefined);

    const events = () => registry.list(EVENT, 'default').items as ReadonlyArray<KObject & { reason?: string; message?: string; type?: string; involvedObject?: { name?: string } }>;
    const warn = events().filter((e) => e.type === 'Warning');
    assert.deepEqual(warn.map((e) => `${e.involvedObject?.name}:${e.reason}`).sort(), ['app:UnsupportedAnnotation', 'tls:BadTLSSecret']);
    assert.match(warn.find((e) => e.reason === 'UnsupportedAnnotation')!.message ?? '', /nginx\.ingress\.kubernetes\.io\/enable-cors is not supported by kwire/);
    assert.ok(events().some((e) => e.reason === 'Sync' && e.involvedObject?.name === 'app'));
    assert.ok(!events().some((e) => e.involvedObject?.name === 'other'));

    ip = '127.0.10.100';
    registry.create(SVC, 'default', obj(service('poke'))); // any watched change triggers a sync
    await ctl.idle();
    const st = registry.get(ING, 'default', 'app')['status'] as { loadBalancer?: { ingress?: unknown } };
    assert.deepEqual(st.loadBalancer?.ingress, [{ ip: '127.0.10.100' }]);
    assert.equal(registry.get(ING, 'default', 'other')['status'], undefined);

    const rv = registry.store.resourceVersion;
    const count = events().length;
    ctl.sync();
    await ctl.idle();
    assert.equal(registry.store.resourceVersion, rv, 'a second sync writes nothing');
    assert.equal(events().length, count);

    // the secret appears: the host gets its certificate, no new warning
    registry.create(SECRET, 'default', obj({ metadata: { name: 'missing-secret', namespace: 'default' }, type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } }));
    await ctl.idle();
    // switching the Ingress to another class clears our address from its status
    const app = structuredClone(registry.get(ING, 'default', 'app')) as KObject & { spec: { ingressClassName?: string } };
    app.spec.ingressClassName = 'traefik';
    registry.update(ING, 'default', 'app', app);
    await ctl.idle();
    const st2 = registry.get(ING, 'default', 'app')['status'] as { loadBalancer?: { ingress?: unknown } };
    assert.deepEqual(st2.loadBalancer?.ingress, []);
  } finally {
    ctl.stop();
  }
});
