/**
 * @module policy/cidr
 * IPv4/IPv6 addresses and CIDR blocks as bigints, and NetworkPolicy ipBlocks
 * (`cidr` minus `except`). Pure parsing and arithmetic: no DNS, no sockets.
 * Host bits in a CIDR are masked off (as the API server's sloppy parsing does).
 */

export interface ParsedIP {
  readonly family: 4 | 6;
  readonly value: bigint;
}

export interface Cidr {
  readonly family: 4 | 6;
  readonly base: bigint;
  readonly prefix: number;
  /** The normalised text, e.g. `10.0.0.0/8`. */
  readonly text: string;
}

function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseIPv6(s: string): bigint | undefined {
  if (s.length === 0 || s.split('::').length > 2) return undefined;
  let text = s;
  let tail: number[] = [];
  // An embedded IPv4 suffix (::ffff:1.2.3.4) counts as two groups.
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const v4 = parseIPv4(text.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [Number(v4 >> 16n), Number(v4 & 0xffffn)];
    // Stand the IPv4 part in as one placeholder group; it is swapped for two below.
    text = text.slice(0, lastColon + 1) + '0';
  }
  const groups = (str: string): number[] | undefined => {
    if (str === '') return [];
    const out: number[] = [];
    for (const g of str.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  let all: number[];
  if (text.includes('::')) {
    const [a = '', b = ''] = text.split('::');
    const head = groups(a);
    const rest = groups(b);
    if (!head || !rest) return undefined;
    const restFixed = tail.length ? [...rest.slice(0, -1), ...tail] : rest;
    const missing = 8 - head.length - restFixed.length;
    if (missing < 1) return undefined;
    all = [...head, ...new Array<number>(missing).fill(0), ...restFixed];
  } else {
    const g = groups(text);
    if (!g) return undefined;
    all = tail.length ? [...g.slice(0, -1), ...tail] : g;
    if (all.length !== 8) return undefined;
  }
  let v = 0n;
  for (const g of all) v = (v << 16n) | BigInt(g);
  return v;
}

/** Parse an IP address; undefined when it is not one. */
export function parseIP(s: string): ParsedIP | undefined {
  const t = s.trim();
  if (t.includes(':')) {
    const v = parseIPv6(t);
    return v === undefined ? undefined : { family: 6, value: v };
  }
  const v = parseIPv4(t);
  return v === undefined ? undefined : { family: 4, value: v };
}

function bits(family: 4 | 6): number {
  return family === 4 ? 32 : 128;
}

export function formatIP(ip: ParsedIP): string {
  if (ip.family === 4) {
    const v = ip.value;
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the first longest run (length >= 2) of zero groups.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** Parse `addr/prefix` (host bits masked); undefined when malformed. */
export function parseCidr(s: string): Cidr | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(s.slice(0, slash));
  const ptext = s.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(ptext)) return undefined;
  const prefix = Number(ptext);
  const width = bits(ip.family);
  if (prefix > width) return undefined;
  const hostBits = BigInt(width - prefix);
  const base = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, base, prefix, text: `${formatIP({ family: ip.family, value: base })}/${prefix}` };
}

export function cidrContains(c: Cidr, ip: ParsedIP): boolean {
  if (c.family !== ip.family) return false;
  const hostBits = BigInt(bits(c.family) - c.prefix);
  return ip.value >> hostBits === c.base >> hostBits;
}

/** Is `inner` a strict subset of `outer` (what ipBlock.except must be)? */
export function cidrStrictlyWithin(inner: Cidr, outer: Cidr): boolean {
  return inner.family === outer.family && inner.prefix > outer.prefix && cidrContains(outer, { family: inner.family, value: inner.base });
}

/** A compiled ipBlock: `cidr` minus every `except`. */
export interface IpBlockMatcher {
  readonly cidr: Cidr;
  readonly except: ReadonlyArray<Cidr>;
  /** Canonical text, e.g. `10.0.0.0/8 except 10.1.0.0/16`. */
  readonly text: string;
}

export function ipBlockContains(b: IpBlockMatcher, ip: ParsedIP): boolean {
  if (!cidrContains(b.cidr, ip)) return false;
  for (const e of b.except) if (cidrContains(e, ip)) return false;
  return true;
}
