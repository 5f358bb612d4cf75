/** @module api/validation/config.test
 * Table-driven tests for api/validation/config: one row per case, exact kube-apiserver messages.
 */
import { SUBDOMAIN_MSG, runTable } from './test-table.js';

type Obj = Record<string, unknown>;
const KEY_MSG = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const cm = (body: Obj, name = 'cfg'): Obj => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, ...body });
const secret = (body: Obj): Obj => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, ...body });
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const meta = { name: 'cfg', namespace: 'default', resourceVersion: '1', uid: 'u' };

runTable('/ConfigMap', [
  { name: 'valid', obj: cm({ data: { 'app.properties': 'a=b', KEY_NAME: 'x' } }), want: [] },
  {
    name: 'keys format',
    obj: cm({ data: { 'bad key': 'v', '..x': 'v' } }),
    want: [`data[bad key]: Invalid value: "bad key": ${KEY_MSG}`, "data[..x]: Invalid value: \"..x\": must not start with '..'"],
  },
  { name: 'key in both data and binaryData', obj: cm({ data: { a: '1' }, binaryData: { a: b64('1') } }), want: ['data[a]: Invalid value: "a": duplicate of key present in binaryData'] },
  { name: 'total size over 1 MiB', obj: cm({ data: { big: 'x'.repeat(1024 * 1024 + 1) } }), want: ['[]: Too long: may not be more than 1048576 bytes'] },
  { name: 'name', obj: cm({}, 'Cfg'), want: [`metadata.name: Invalid value: "Cfg": ${SUBDOMAIN_MSG}`] },
  {
    name: 'immutable configmap',
    old: { metadata: meta, data: { a: '1' }, immutable: true },
    obj: { metadata: meta, data: { a: '2' } },
    want: ['immutable: Forbidden: field is immutable when `immutable` is set', 'data: Forbidden: field is immutable when `immutable` is set'],
  },
]);

runTable('/Secret', [
  { name: 'valid opaque', obj: secret({ data: { password: b64('hunter2') } }), want: [] },
  { name: 'stringData is folded into data', obj: secret({ stringData: { 'bad key': 'x' } }), want: [`data[bad key]: Invalid value: "bad key": ${KEY_MSG}`] },
  { name: 'tls needs cert and key', obj: secret({ type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } }), want: ['data[tls.key]: Required value'] },
  { name: 'basic-auth needs a field', obj: secret({ type: 'kubernetes.io/basic-auth' }), want: ['data[username]: Required value', 'data[password]: Required value'] },
  {
    name: 'service-account-token needs the annotation',
    obj: secret({ type: 'kubernetes.io/service-account-token' }),
    want: ['metadata.annotations[kubernetes.io/service-account.name]: Required value'],
  },
  { name: 'size limit', obj: secret({ data: { big: b64('x'.repeat(1024 * 1024 + 1)) } }), want: ['data: Too long: may not be more than 1048576 bytes'] },
  {
    name: 'type is immutable',
    old: { metadata: { ...meta, name: 's' }, type: 'Opaque' },
    obj: { metadata: { ...meta, name: 's' }, type: 'kubernetes.io/basic-auth', data: { username: b64('u') } },
    want: ['type: Invalid value: "kubernetes.io/basic-auth": field is immutable'],
  },
]);

runTable('/ServiceAccount', [
  { name: 'valid', obj: { metadata: { name: 'builder', namespace: 'default' } }, want: [] },
  { name: 'generateName stands in for name', obj: { metadata: { generateName: 'builder-', namespace: 'default' } }, want: [] },
  { name: 'bad generateName', obj: { metadata: { generateName: 'Builder-', namespace: 'default' } }, want: [`metadata.generateName: Invalid value: "Builder-": ${SUBDOMAIN_MSG}`] },
]);
