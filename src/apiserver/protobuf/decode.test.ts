/**
 * @module apiserver/protobuf/decode.test
 *
 * The JSON rules of decodeKubernetesProtobuf, each stated on hand-written wire bytes
 * (wire.test-helpers.ts), plus its error contract.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubernetesProtobufError, decodeKubernetesProtobuf, hasKubernetesProtobufMagic, isKubernetesProtobufContentType } from './index.js';
import { bf, entry, envelope, mf, sf, varint, vf } from './wire.test-helpers.js';

const dec = (apiVersion: string, kind: string, raw: number[]): Record<string, unknown> => decodeKubernetesProtobuf(envelope(apiVersion, kind, raw)).object;
/** Pod with one container built from `containerFields` */
const podWith = (containerFields: number[][], podSpecExtra: number[][] = []): Record<string, unknown> =>
  dec('v1', 'Pod', [...mf(1, sf(1, 'p')), ...mf(2, mf(2, ...containerFields), ...podSpecExtra)]);
const spec = (o: Record<string, unknown>): Record<string, unknown> => o.spec as Record<string, unknown>;
const container0 = (o: Record<string, unknown>): Record<string, unknown> => (spec(o).containers as Record<string, unknown>[])[0] ?? {};

function expectError(fn: () => unknown, code: string, status: number, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof KubernetesProtobufError, `expected KubernetesProtobufError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.equal(e.status, status);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('decodeKubernetesProtobuf: JSON rules', () => {
  it('puts kind and apiVersion on the object and decodes ObjectMeta (doc sec. 10 field numbers)', () => {
    const o = dec('v1', 'Namespace', mf(1, sf(1, 'lab'), sf(2, 'gen-'), sf(3, ''), entry(11, 'env', 'test'), entry(12, 'note', 'x')));
    assert.deepEqual(o, { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'lab', generateName: 'gen-', labels: { env: 'test' }, annotations: { note: 'x' } } });
    assert.deepEqual(Object.keys(o).slice(0, 2), ['kind', 'apiVersion']);
  });

  it('drops zero value-typed fields with omitempty, keeps zero fields without it', () => {
    // Container: stdin(16)=false, tty(18)=false, image(2)="" are omitempty; ContainerPort.containerPort(3) is not.
    const c = container0(podWith([sf(1, 'c'), sf(2, ''), vf(16, 0), vf(18, 0), mf(6, vf(2, 0), vf(3, 0), sf(4, ''))]));
    assert.deepEqual(c, { name: 'c', ports: [{ containerPort: 0 }] });
  });

  it('keeps zero values of Go pointer fields (replicas: 0, automount: false, runAsUser: 0)', () => {
    const d = dec('apps/v1', 'Deployment', [...mf(1, sf(1, 'd')), ...mf(2, vf(1, 0), vf(6, 0))]);
    assert.deepEqual(d.spec, { replicas: 0, revisionHistoryLimit: 0 });
    const p = podWith([sf(1, 'c'), mf(15, vf(4, 0), vf(5, 0), vf(2, 0))], [vf(21, 0)]);
    assert.equal(spec(p).automountServiceAccountToken, false);
    assert.deepEqual(container0(p).securityContext, { runAsUser: 0, runAsNonRoot: false, privileged: false });
  });

  it('prints present value-typed structs as {} and leaves absent ones out', () => {
    assert.deepEqual(dec('apps/v1', 'Deployment', mf(1, sf(1, 'd'))), { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'd' } });
    assert.deepEqual(dec('apps/v1', 'Deployment', [...mf(1), ...mf(2, mf(4)), ...mf(3)]), { kind: 'Deployment', apiVersion: 'apps/v1', metadata: {}, spec: { strategy: {} }, status: {} });
  });

  it('IntOrString: number, string, and an impossible type is an error', () => {
    const port = (ios: number[][]): unknown => {
      const s = dec('v1', 'Service', mf(2, mf(1, vf(3, 80), mf(4, ...ios))));
      return (spec(s).ports as Record<string, unknown>[])[0]?.targetPort;
    };
    assert.equal(port([vf(1, 0), vf(2, 8080), sf(3, '')]), 8080);
    assert.equal(port([vf(1, 1), vf(2, 0), sf(3, 'http')]), 'http');
    assert.equal(port([]), 0); // Go's zero IntOrString prints as 0
    expectError(() => port([vf(1, 7)]), 'PB_MALFORMED', 400, /IntOrString/);
  });

  it('Quantity: the string as sent; ResourceList maps with sorted keys', () => {
    const q = (s: string): number[] => mf(2, sf(1, s));
    const c = container0(podWith([sf(1, 'c'), mf(8, mf(1, sf(1, 'memory'), q('128Mi')), mf(1, sf(1, 'cpu'), q('1000m')))]));
    assert.deepEqual(c.resources, { limits: { cpu: '1000m', memory: '128Mi' } });
    assert.deepEqual(Object.keys((c.resources as Record<string, Record<string, string>>).limits ?? {}), ['cpu', 'memory']);
  });

  it('Time: RFC3339 seconds, zero-length is omitted; MicroTime keeps microseconds', () => {
    const ts = (parts: number[][]): unknown => (dec('v1', 'Namespace', mf(1, sf(1, 'n'), mf(8, ...parts))).metadata as Record<string, unknown>).creationTimestamp;
    assert.equal(ts([vf(1, 1735787045), vf(2, 0)]), '2025-01-02T03:04:05Z');
    assert.equal(ts([vf(1, 1735787045), vf(2, 999_999_999)]), '2025-01-02T03:04:05Z');
    assert.equal(ts([]), undefined);
    assert.equal(ts([vf(1, 0)]), '1970-01-01T00:00:00Z');
    assert.equal(ts([vf(1, -1)]), '1969-12-31T23:59:59Z');
    const ev = dec('events.k8s.io/v1', 'Event', [...mf(1, sf(1, 'e')), ...mf(2, vf(1, 1735787045), vf(2, 123_456_789))]);
    assert.equal(ev.eventTime, '2025-01-02T03:04:05.123456Z');
    expectError(() => ts([vf(1, 10n ** 15n)]), 'PB_MALFORMED', 400, /time out of range/);
  });

  it('bytes become standard base64, any byte values', () => {
    const o = dec('v1', 'Secret', [...mf(1, sf(1, 's')), ...mf(2, sf(1, 'k'), bf(2, [0, 1, 0xfe, 0xff])), ...mf(2, sf(1, 'e'), bf(2, []))]);
    assert.deepEqual(o.data, { e: '', k: 'AAH+/w==' });
  });

  it('inline fields merge into the parent (Probe handler, Volume source, ConfigMap ref)', () => {
    const c = container0(podWith([sf(1, 'c'), mf(10, mf(1, mf(1, sf(1, 'true'))), vf(2, 5))]));
    assert.deepEqual(c.livenessProbe, { exec: { command: ['true'] }, initialDelaySeconds: 5 });
    const p = dec('v1', 'Pod', mf(2, mf(1, sf(1, 'cfg'), mf(2, mf(19, mf(1, sf(1, 'c')), vf(3, 420))))));
    assert.deepEqual(spec(p).volumes, [{ name: 'cfg', configMap: { name: 'c', defaultMode: 420 } }]);
  });

  it('skips fields it does not know (newer clients), at any depth', () => {
    const o = dec('v1', 'Namespace', [...mf(1, sf(1, 'n'), vf(999, 1), sf(1000, 'x')), ...vf(77, 5), ...sf(78, 'future')]);
    assert.deepEqual(o, { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'n' } });
  });

  it('int64: large values and repeated int64 both unpacked (Go) and packed', () => {
    const o = dec('v1', 'Namespace', mf(1, sf(1, 'n'), vf(7, 2 ** 40)));
    assert.equal((o.metadata as Record<string, unknown>).generation, 2 ** 40);
    const unpacked = podWith([sf(1, 'c')], [mf(14, vf(4, 1), vf(4, 3000000000))]);
    assert.deepEqual(spec(unpacked).securityContext, { supplementalGroups: [1, 3000000000] });
    const packed = podWith([sf(1, 'c')], [mf(14, bf(4, [...varint(1), ...varint(3000000000)]))]);
    assert.deepEqual(spec(packed).securityContext, { supplementalGroups: [1, 3000000000] });
  });

  it('FieldsV1 becomes the embedded JSON value', () => {
    const o = dec('v1', 'ConfigMap', mf(1, sf(1, 'c'), mf(17, sf(1, 'kubectl'), sf(2, 'Update'), sf(6, 'FieldsV1'), mf(7, sf(1, '{"f:data":{".":{}}}')))));
    assert.deepEqual((o.metadata as Record<string, unknown>).managedFields, [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {} } } }]);
    expectError(() => dec('v1', 'ConfigMap', mf(1, mf(17, mf(7, sf(1, '{nope'))))), 'PB_MALFORMED', 400, /fieldsV1/);
  });

  it('JSON names that differ from proto names come from the Go json tags', () => {
    const o = dec('networking.k8s.io/v1', 'IngressClass', mf(2, sf(1, 'ctl'), mf(2, sf(1, 'g'), sf(2, 'K'), sf(3, 'n'))));
    assert.deepEqual(o.spec, { controller: 'ctl', parameters: { apiGroup: 'g', kind: 'K', name: 'n' } });
  });

  it('accepts a Buffer view at a non-zero offset', () => {
    const body = envelope('v1', 'ConfigMap', [...mf(1, sf(1, 'c')), ...entry(2, 'a', 'b')]);
    const big = Buffer.concat([Buffer.from('garbage'), body, Buffer.from('tail')]);
    const view = big.subarray(7, 7 + body.length);
    assert.deepEqual(decodeKubernetesProtobuf(view).object, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' }, data: { a: 'b' } });
  });
});

describe('decodeKubernetesProtobuf: envelope and errors', () => {
  it('tolerates raw JSON declared by the envelope contentType', () => {
    const raw = Array.from(Buffer.from('{"metadata":{"name":"j"},"data":{"a":"b"}}'));
    const d = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', raw, { contentType: 'application/json' }));
    assert.deepEqual(d.object, { metadata: { name: 'j' }, data: { a: 'b' }, kind: 'ConfigMap', apiVersion: 'v1' });
    expectError(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', Array.from(Buffer.from('[1]')), { contentType: 'application/json' })), 'PB_MALFORMED', 400);
    expectError(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', Array.from(Buffer.from('{')), { contentType: 'application/json' })), 'PB_MALFORMED', 400);
  });

  it('refuses other envelope encodings with 415', () => {
    expectError(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', [], { contentEncoding: 'gzip' })), 'PB_UNSUPPORTED_ENCODING', 415, /gzip/);
    expectError(() => decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', [], { contentType: 'application/yaml' })), 'PB_UNSUPPORTED_ENCODING', 415, /yaml/);
    assert.equal(decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', [], { contentType: 'application/vnd.kubernetes.protobuf' })).kind, 'ConfigMap');
  });

  it('names an unknown kind (and a known kind at an unknown version)', () => {
    expectError(() => decodeKubernetesProtobuf(envelope('v1', 'Frobnicator', [])), 'PB_UNKNOWN_KIND', 400, /"Frobnicator".*"v1"/);
    expectError(() => decodeKubernetesProtobuf(envelope('apps/v1beta2', 'Deployment', [])), 'PB_UNKNOWN_KIND', 400, /Deployment.*apps\/v1beta2/);
    expectError(() => decodeKubernetesProtobuf(envelope('v1', '', [])), 'PB_MALFORMED', 400, /no kind/);
  });

  it('rejects bodies without the magic', () => {
    expectError(() => decodeKubernetesProtobuf(new Uint8Array(0)), 'PB_BAD_MAGIC', 400, /6b 38 73 00/);
    expectError(() => decodeKubernetesProtobuf(Uint8Array.of(0x6b, 0x38, 0x73)), 'PB_BAD_MAGIC', 400);
    expectError(() => decodeKubernetesProtobuf(new Uint8Array(Buffer.from('{"kind":"Namespace"}'))), 'PB_BAD_MAGIC', 400);
    expectError(() => decodeKubernetesProtobuf('k8s\0' as unknown as Uint8Array), 'PB_MALFORMED', 400);
  });

  it('rejects truncated and ill-formed messages with PB_MALFORMED', () => {
    const ok = envelope('v1', 'Namespace', mf(1, sf(1, 'networking-lab')));
    expectError(() => decodeKubernetesProtobuf(ok.subarray(0, ok.length - 9)), 'PB_MALFORMED', 400, /malformed protobuf/);
    const badRaw = envelope('v1', 'Namespace', [0x0a, 0x05, 0x0a]);
    expectError(() => decodeKubernetesProtobuf(badRaw), 'PB_MALFORMED', 400, /Namespace/);
    expectError(() => decodeKubernetesProtobuf(Uint8Array.of(0x6b, 0x38, 0x73, 0x00, 0x0f)), 'PB_MALFORMED', 400); // wire type 7
  });

  it('content-type and magic predicates', () => {
    assert.equal(isKubernetesProtobufContentType('application/vnd.kubernetes.protobuf'), true);
    assert.equal(isKubernetesProtobufContentType('Application/Vnd.Kubernetes.Protobuf; charset=x'), true);
    assert.equal(isKubernetesProtobufContentType('application/vnd.kubernetes.protobuf;stream=watch'), true);
    assert.equal(isKubernetesProtobufContentType('application/json'), false);
    assert.equal(isKubernetesProtobufContentType(undefined), false);
    assert.equal(hasKubernetesProtobufMagic(Uint8Array.of(0x6b, 0x38, 0x73, 0x00)), true);
    assert.equal(hasKubernetesProtobufMagic(Uint8Array.of(0x6b, 0x38, 0x73, 0x01)), false);
  });
});
