/**
 * @module dns/ip
 * IP addresses as DNS sees them: parsing IPv4/IPv6 text to bytes, the canonical
 * text form (RFC 5952 for IPv6) so the record table indexes one spelling per
 * address, reverse names (`4.3.2.1.in-addr.arpa`, nibble `ip6.arpa`) both ways,
 * and the reverse zones that cover a CIDR (split at octet or nibble boundaries,
 * as CoreDNS does for `kubernetes cluster.local 10.96.0.0/12`).
 * Pure; no sockets.
 */

/** Bytes of an IPv4 (4) or IPv6 (16) address, or undefined when `text` is not one. */
export function parseIp(text: string): Uint8Array | undefined {
  return text.includes(':') ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
      out.push(parseInt(p, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined;
  const all = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** Text of address bytes: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as `::`). */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}

/** The canonical text of an IP, or undefined when `text` is not an IP. */
export function canonicalIp(text: string): string | undefined {
  const b = parseIp(text);
  return b ? formatIp(b) : undefined;
}

export function ipFamily(text: string): 4 | 6 | undefined {
  const b = parseIp(text);
  return b ? (b.length === 4 ? 4 : 6) : undefined;
}

/**
 * The address a full reverse name stands for (`5.0.96.10.in-addr.arpa` ->
 * `10.96.0.5`; 32 nibbles + `ip6.arpa`), or undefined for partial or non-reverse
 * names. `name` is lower case without the trailing dot.
 */
export function addressFromReverse(name: string): string | undefined {
  if (name.endsWith('.in-addr.arpa')) {
    const labels = name.slice(0, -'.in-addr.arpa'.length).split('.');
    if (labels.length !== 4) return undefined;
    return canonicalIp(labels.reverse().join('.'));
  }
  if (name.endsWith('.ip6.arpa')) {
    const labels = name.slice(0, -'.ip6.arpa'.length).split('.');
    if (labels.length !== 32 || !labels.every((l) => /^[0-9a-f]$/.test(l))) return undefined;
    const nib = labels.reverse();
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 16; i++) bytes[i] = parseInt(nib[i * 2]! + nib[i * 2 + 1]!, 16);
    return formatIp(bytes);
  }
  return undefined;
}

/** Whether `name` is under in-addr.arpa or ip6.arpa. */
export function isReverseName(name: string): boolean {
  return name === 'in-addr.arpa' || name === 'ip6.arpa' || name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa');
}

/** The reverse name of an address (`10.96.0.5` -> `5.0.96.10.in-addr.arpa`). */
export function reverseName(ip: string): string | undefined {
  const b = parseIp(ip);
  if (!b) return undefined;
  if (b.length === 4) return `${Array.from(b).reverse().join('.')}.in-addr.arpa`;
  const nib: string[] = [];
  for (const byte of b) nib.push((byte >> 4).toString(16), (byte & 0xf).toString(16));
  return `${nib.reverse().join('.')}.ip6.arpa`;
}

/**
 * The reverse zones covering a CIDR. A prefix on an octet (IPv4) or nibble (IPv6)
 * boundary gives one zone; otherwise the block is split into the zones one
 * boundary further down (10.96.0.0/12 -> 96.10.in-addr.arpa ... 111.10.in-addr.arpa).
 * Throws on a malformed CIDR.
 */
export function reverseZonesForCidr(cidr: string): string[] {
  const slash = cidr.indexOf('/');
  const bytes = parseIp(slash < 0 ? cidr : cidr.slice(0, slash));
  const prefix = slash < 0 ? (bytes?.length ?? 4) * 8 : Number(cidr.slice(slash + 1));
  if (!bytes || !Number.isInteger(prefix) || prefix < 0 || prefix > bytes.length * 8) throw new Error(`invalid CIDR ${cidr}`);
  const v4 = bytes.length === 4;
  const unit = v4 ? 8 : 4;
  const units = Math.ceil(prefix / unit);
  const digits: number[] = [];
  for (let i = 0; i < units; i++) {
    if (v4) digits.push(bytes[i]!);
    else digits.push(i % 2 === 0 ? bytes[i >> 1]! >> 4 : bytes[i >> 1]! & 0xf);
  }
  const suffix = v4 ? 'in-addr.arpa' : 'ip6.arpa';
  const zone = (ds: number[]) => [...ds].reverse().map((d) => (v4 ? String(d) : d.toString(16))).concat(suffix).join('.');
  const partial = prefix % unit;
  if (partial === 0) return [zone(digits)];
  const free = unit - partial;
  const first = digits[units - 1]! & ~((1 << free) - 1) & ((1 << unit) - 1);
  const out: string[] = [];
  for (let v = first; v < first + (1 << free); v++) out.push(zone([...digits.slice(0, -1), v]));
  return out;
}
