import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from '../apiserver/registry.js';
import { Store, type KObject } from '../store/store.js';
import { R, resourceOf } from './informer.js';
import { NamespaceDefaultsController, ROOT_CA_DESCRIPTION, ROOT_CA_NAME } from './namespace-defaults.js';

const SA = resourceOf('v1', 'ServiceAccount');
const CA = '-----BEGIN CERTIFICATE-----\nkwire test CA\n-----END CERTIFICATE-----\n';

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`never happened: ${what}`);
}

const dataOf = (o: Readonly<KObject> | undefined) => (o as (KObject & { data?: Record<string, string> }) | undefined)?.data;

test('every namespace gets the default ServiceAccount and kube-root-ca.crt, put back when deleted or edited', async () => {
  const registry = new Registry(new Store());
  registry.create(R.namespaces, undefined, { metadata: { name: 'before' } });
  const ctl = new NamespaceDefaultsController(CA);
  ctl.start(registry);
  try {
    registry.create(R.namespaces, undefined, { metadata: { name: 'after' } });
    for (const ns of ['before', 'after']) {
      await until(`${ns}/default`, () => registry.tryGet(SA, ns, 'default') !== undefined);
      await until(`${ns}/${ROOT_CA_NAME}`, () => dataOf(registry.tryGet(R.configmaps, ns, ROOT_CA_NAME))?.['ca.crt'] === CA);
      const cm = registry.tryGet(R.configmaps, ns, ROOT_CA_NAME)!;
      assert.equal(cm.metadata.annotations?.['kubernetes.io/description'], ROOT_CA_DESCRIPTION);
    }
    registry.delete(SA, 'after', 'default');
    await until('the ServiceAccount made again', () => registry.tryGet(SA, 'after', 'default') !== undefined);
    const cm = registry.tryGet(R.configmaps, 'after', ROOT_CA_NAME)!;
    registry.update(R.configmaps, 'after', ROOT_CA_NAME, { ...cm, data: { 'ca.crt': 'tampered', extra: 'x' } } as KObject);
    await until('the CA put back', () => dataOf(registry.tryGet(R.configmaps, 'after', ROOT_CA_NAME))?.['ca.crt'] === CA);
    assert.deepEqual(Object.keys(dataOf(registry.tryGet(R.configmaps, 'after', ROOT_CA_NAME)) ?? {}), ['ca.crt']);
    registry.delete(R.configmaps, 'after', ROOT_CA_NAME);
    await until('the ConfigMap made again', () => registry.tryGet(R.configmaps, 'after', ROOT_CA_NAME) !== undefined);
    // Other ServiceAccounts are the user's: deleting one brings nothing back.
    registry.create(SA, 'after', { metadata: { name: 'mine' } });
    registry.delete(SA, 'after', 'mine');
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(registry.tryGet(SA, 'after', 'mine'), undefined);
  } finally {
    ctl.stop();
  }
});
