/**
 * @module api/validation/quantity
 * Just enough of `resource.Quantity` for container resource validation:
 * parsing the serialized form, numeric comparison and the canonical `String()`
 * kube prints in messages ("0.5" → "500m", "2000" → "2k", "1024Mi" → "1Gi").
 * Values are held as exact rationals over 10^-9 (decimal) or bytes (binary).
 */

const DECIMAL: Readonly<Record<string, number>> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY: Readonly<Record<string, number>> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** A parsed quantity: value = nanos / 1e9; `binary` when written with Ki..Ei. */
export interface Quantity {
  readonly nanos: bigint;
  readonly binary: boolean;
}

/** Parses "500m", "1Gi", "0.5", "1e3"; undefined when malformed. */
export function parseQuantity(s: string): Quantity | undefined {
  const m = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?[0-9]+))?$/.exec(s);
  if (m === null) return undefined;
  const neg = m[1] === '-';
  const [intPart = '', fracPart = ''] = (m[2] ?? '').split('.');
  const digits = BigInt((intPart + fracPart).replace(/^0+(?=.)/, '') || '0');
  let scale = -fracPart.length; // value = digits * 10^scale
  let binaryShift = 0;
  let binary = false;
  if (m[3] !== undefined && m[3] in BINARY) {
    binary = true;
    binaryShift = BINARY[m[3]] ?? 0;
  } else if (m[3] !== undefined) {
    scale += DECIMAL[m[3]] ?? 0;
  } else if (m[4] !== undefined) {
    scale += Number.parseInt(m[4], 10);
  }
  // nanos = digits * 10^(scale+9) * 2^binaryShift, rounded up (kube rounds to its precision).
  let num = digits * (1n << BigInt(binaryShift));
  const e = scale + 9;
  if (e >= 0) num *= 10n ** BigInt(e);
  else {
    const d = 10n ** BigInt(-e);
    num = (num + d - 1n) / d;
  }
  return { nanos: neg ? -num : num, binary };
}

/** Compares two quantities: -1, 0, 1. */
export function compareQuantity(a: Quantity, b: Quantity): number {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** `Quantity.String()` in canonical form. */
export function quantityString(q: Quantity): string {
  const neg = q.nanos < 0n;
  const abs = neg ? -q.nanos : q.nanos;
  const sign = neg ? '-' : '';
  if (abs === 0n) return '0';
  if (q.binary && abs % 1_000_000_000n === 0n) {
    const bytes = abs / 1_000_000_000n;
    const suffixes: Array<[string, number]> = [['Ei', 60], ['Pi', 50], ['Ti', 40], ['Gi', 30], ['Mi', 20], ['Ki', 10]];
    for (const [suf, shift] of suffixes) {
      const unit = 1n << BigInt(shift);
      if (bytes % unit === 0n) return `${sign}${bytes / unit}${suf}`;
    }
    if (bytes < 1024n) return `${sign}${bytes}`;
  }
  const dec: Array<[string, number]> = [['E', 27], ['P', 24], ['T', 21], ['G', 18], ['M', 15], ['k', 12], ['', 9], ['m', 6], ['u', 3], ['n', 0]];
  for (const [suf, pow] of dec) {
    const unit = 10n ** BigInt(pow);
    if (abs % unit === 0n) return `${sign}${abs / unit}${suf}`;
  }
  return `${sign}${abs}n`;
}
