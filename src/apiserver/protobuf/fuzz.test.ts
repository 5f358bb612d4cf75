/**
 * @module apiserver/protobuf/fuzz.test
 *
 * Garbage in, typed error (or some object) out - never another exception, never a hang.
 * Deterministic: a seeded xorshift PRNG; bounded counts (about 15k decodes, well under a second
 * each batch).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CAPTURED } from '../../../test/fixtures/protobuf/kubectl-create.generated.js';
import { KubernetesProtobufError, decodeKubernetesProtobuf } from './index.js';

function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

const MAGIC = [0x6b, 0x38, 0x73, 0x00];
const fixtures = Object.values(CAPTURED).map((c) => new Uint8Array(Buffer.from(c.hex ?? '', 'hex')));

interface Tally {
  ok: number;
  typed: number;
}

/** Decodes `body`; anything other than a result or a KubernetesProtobufError fails the test. */
function tryDecode(body: Uint8Array, tally: Tally): void {
  try {
    const d = decodeKubernetesProtobuf(body);
    assert.equal(typeof d.kind, 'string');
    assert.equal(typeof d.apiVersion, 'string');
    JSON.stringify(d.object); // plain JSON data only
    tally.ok++;
  } catch (e) {
    if (!(e instanceof KubernetesProtobufError)) {
      assert.fail(`untyped ${String(e)} for ${Buffer.from(body).toString('hex').slice(0, 200)}`);
    }
    assert.ok(e.message.length > 0);
    assert.ok(e.status === 400 || e.status === 415);
    tally.typed++;
  }
}

describe('decodeKubernetesProtobuf on garbage', () => {
  it('random buffers, with and without the magic', () => {
    const rnd = prng(0xc0ffee);
    const tally: Tally = { ok: 0, typed: 0 };
    for (let i = 0; i < 4000; i++) {
      const len = Math.floor(rnd() * 300);
      const body = new Uint8Array(len + (i % 2 ? 4 : 0));
      if (i % 2) body.set(MAGIC);
      for (let j = i % 2 ? 4 : 0; j < body.length; j++) body[j] = Math.floor(rnd() * 256);
      tryDecode(body, tally);
    }
    assert.equal(tally.ok + tally.typed, 4000);
    assert.ok(tally.typed > 2000, `most random buffers are rejected (${tally.typed})`);
  });

  it('every truncation of every captured kubectl body', () => {
    const tally: Tally = { ok: 0, typed: 0 };
    for (const f of fixtures) for (let n = 0; n < f.length; n++) tryDecode(f.subarray(0, n), tally);
    assert.ok(tally.typed > 0);
  });

  it('random byte flips, insertions and deletions in captured bodies', () => {
    const rnd = prng(42);
    const tally: Tally = { ok: 0, typed: 0 };
    for (let i = 0; i < 6000; i++) {
      const base = fixtures[i % fixtures.length] ?? new Uint8Array(0);
      const bytes = Array.from(base);
      const edits = 1 + Math.floor(rnd() * 4);
      for (let e = 0; e < edits; e++) {
        const at = 4 + Math.floor(rnd() * Math.max(1, bytes.length - 4));
        const op = rnd();
        if (op < 0.6) bytes[at] = Math.floor(rnd() * 256);
        else if (op < 0.8) bytes.splice(at, 0, Math.floor(rnd() * 256));
        else bytes.splice(at, 1);
      }
      tryDecode(Uint8Array.from(bytes), tally);
    }
    assert.ok(tally.ok > 0 && tally.typed > 0, JSON.stringify(tally));
  });

  it('pathological shapes: deep groups, huge lengths, long varints, deep nesting', () => {
    const tally: Tally = { ok: 0, typed: 0 };
    tryDecode(Uint8Array.from([...MAGIC, ...new Array<number>(200_000).fill(0x0b)]), tally); // start-group x 200k
    tryDecode(Uint8Array.from([...MAGIC, 0x12, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), tally); // raw claims 4 GiB
    tryDecode(Uint8Array.from([...MAGIC, 0x08, ...new Array<number>(20).fill(0xff)]), tally); // overlong varint
    // raw = Pod whose spec field nests length-delimited fields 300 deep
    let inner: number[] = [];
    for (let i = 0; i < 300; i++) inner = [0x12, ...lengthOf(inner), ...inner];
    const typeMeta = [0x0a, 0x09, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x03, 0x50, 0x6f, 0x64];
    tryDecode(Uint8Array.from([...MAGIC, ...typeMeta, 0x12, ...lengthOf(inner), ...inner]), tally);
    assert.equal(tally.ok + tally.typed, 4);
  });
});

function lengthOf(a: readonly number[]): number[] {
  const out: number[] = [];
  let n = a.length;
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
