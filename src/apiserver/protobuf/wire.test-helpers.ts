/**
 * @module apiserver/protobuf/wire.test-helpers
 *
 * Test-only helpers that write protobuf wire bytes by hand (independently of protobufjs and of
 * encode.ts), so decoder tests can state exactly which bytes a Go client would put on the wire.
 */

export function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

/** varint field */
export const vf = (field: number, n: number | bigint): number[] => [...varint(field << 3), ...varint(n)];
/** length-delimited field with raw bytes */
export const bf = (field: number, bytes: ArrayLike<number>): number[] => [...varint((field << 3) | 2), ...varint(bytes.length), ...Array.from(bytes)];
/** string field */
export const sf = (field: number, s: string): number[] => bf(field, Buffer.from(s, 'utf8'));
/** message field */
export const mf = (field: number, ...parts: number[][]): number[] => bf(field, parts.flat());
/** map<string,string> entry */
export const entry = (field: number, key: string, value: string): number[] => mf(field, sf(1, key), sf(2, value));

/** magic + runtime.Unknown{typeMeta, raw, contentEncoding, contentType}, as Go writes it */
export function envelope(apiVersion: string, kind: string, raw: number[], opts: { contentEncoding?: string; contentType?: string } = {}): Uint8Array {
  return Uint8Array.from([
    0x6b, 0x38, 0x73, 0x00,
    ...mf(1, sf(1, apiVersion), sf(2, kind)),
    ...bf(2, raw),
    ...sf(3, opts.contentEncoding ?? ''),
    ...sf(4, opts.contentType ?? ''),
  ]);
}
