/**
 * @module workloads/resolver/ip
 *
 * IP literal recognition and formatting: dotted quads, IPv6 text forms
 * (including "[::1]" in URLs), and reverse (PTR) names. Pure.
 */

/** True for a dotted quad like "10.96.0.10" (each part 0..255, no leading +/-). */
export function isIpv4(s: string): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  return parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** True for an IPv6 literal (no brackets, no zone). */
export function isIpv6(s: string): boolean {
  if (!s.includes(':') || !/^[0-9A-Fa-f:.]+$/.test(s)) return false;
  const dbl = s.split('::');
  if (dbl.length > 2) return false;
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const head = groups(dbl[0] ?? '');
  const tail = dbl.length === 2 ? groups(dbl[1] ?? '') : [];
  const all = [...head, ...tail];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i] ?? '';
    if (i === all.length - 1 && g.includes('.')) {
      if (!isIpv4(g)) return false;
      count += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) count += 1;
    else return false;
  }
  return dbl.length === 2 ? count < 8 : count === 8;
}

/** The address family of an IP literal, or undefined for a name. */
export function ipFamily(s: string): 4 | 6 | undefined {
  if (isIpv4(s)) return 4;
  if (isIpv6(s)) return 6;
  return undefined;
}

/** Normalises a dotted quad ("010.1.1.1" -> "10.1.1.1"). */
export function normalizeIpv4(s: string): string {
  return s
    .split('.')
    .map((p) => String(Number(p)))
    .join('.');
}

/** Expands an IPv6 literal to 8 groups of 16-bit numbers. */
export function ipv6Groups(s: string): number[] {
  const dbl = s.split('::');
  const parse = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number);
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(dbl[0] ?? '');
  const tail = dbl.length === 2 ? parse(dbl[1] ?? '') : [];
  const fill = 8 - head.length - tail.length;
  return [...head, ...Array<number>(Math.max(0, fill)).fill(0), ...tail];
}

/** The in-addr.arpa / ip6.arpa name for an address, or undefined for a non-literal. */
export function ptrName(addr: string): string | undefined {
  if (isIpv4(addr)) return `${normalizeIpv4(addr).split('.').reverse().join('.')}.in-addr.arpa`;
  if (isIpv6(addr)) {
    const nibbles: string[] = [];
    for (const g of ipv6Groups(addr)) {
      for (let shift = 12; shift >= 0; shift -= 4) nibbles.push(((g >> shift) & 0xf).toString(16));
    }
    return `${nibbles.reverse().join('.')}.ip6.arpa`;
  }
  return undefined;
}
