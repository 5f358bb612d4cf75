/**
 * @module api/validation/ip
 * IP and CIDR parsing the way k8s.io/utils/net's "sloppy" parsers accept them
 * (IPv4 octets may carry leading zeros), plus the checks built on them:
 * `IsValidIP`, `IsValidCIDR`, `ValidateNonSpecialIP` and CIDR containment.
 * Addresses are 16-byte arrays (IPv4 as IPv4-mapped IPv6), as in Go's net.IP.
 */

import { type FieldError, type FieldPath, invalid } from '../field-errors.js';

/** A parsed address: 16 bytes, plus whether it was written as IPv4. */
export interface ParsedIP {
  readonly bytes: Uint8Array;
  readonly v4: boolean;
}

function parseIPv4Bytes(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]+$/.test(p)) return undefined;
    const n = Number.parseInt(p, 10);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseIPv6Bytes(s: string): number[] | undefined {
  if (s.includes('%')) return undefined;
  let tail4: number[] = [];
  let body = s;
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIPv4Bytes(last);
    if (v4 === undefined) return undefined;
    tail4 = v4;
    body = s.slice(0, lastColon + 1);
    if (!body.endsWith('::')) body = body.slice(0, -1);
  }
  const halves = body.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      const n = Number.parseInt(g, 16);
      out.push(n >> 8, n & 0xff);
    }
    return out;
  };
  const want = 16 - tail4.length;
  if (halves.length === 1) {
    const g = parseGroups(halves[0] ?? '');
    if (g === undefined || g.length !== want) return undefined;
    return [...g, ...tail4];
  }
  const a = parseGroups(halves[0] ?? '');
  const b = parseGroups(halves[1] ?? '');
  if (a === undefined || b === undefined) return undefined;
  const zeros = want - a.length - b.length;
  if (zeros < 2) return undefined;
  return [...a, ...new Array<number>(zeros).fill(0), ...b, ...tail4];
}

/** `netutils.ParseIPSloppy`: undefined when not an IP. */
export function parseIP(s: string): ParsedIP | undefined {
  if (s.includes(':')) {
    const b = parseIPv6Bytes(s);
    if (b === undefined) return undefined;
    const bytes = Uint8Array.from(b);
    return { bytes, v4: isV4Mapped(bytes) };
  }
  const v4 = parseIPv4Bytes(s);
  if (v4 === undefined) return undefined;
  return { bytes: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...v4]), v4: true };
}

function isV4Mapped(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

/** A parsed CIDR: the network address (masked) and prefix length in its family. */
export interface ParsedCIDR {
  readonly ip: ParsedIP;
  readonly network: Uint8Array;
  readonly prefix: number;
  readonly v4: boolean;
}

/** `netutils.ParseCIDRSloppy`: undefined when not a CIDR. */
export function parseCIDR(s: string): ParsedCIDR | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const bits = s.slice(slash + 1);
  if (!/^[0-9]+$/.test(bits)) return undefined;
  const ip = parseIP(addr);
  if (ip === undefined) return undefined;
  const written4 = !addr.includes(':');
  const prefix = Number.parseInt(bits, 10);
  if (prefix > (written4 ? 32 : 128)) return undefined;
  const full = written4 ? prefix + 96 : prefix;
  const network = maskBytes(ip.bytes, full);
  return { ip, network, prefix, v4: written4 };
}

function maskBytes(b: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = (b[i] ?? 0) & ((0xff << (8 - keep)) & 0xff);
  }
  return out;
}

/** `ipnet.Contains(ip)`. */
export function cidrContains(c: ParsedCIDR, ip: ParsedIP): boolean {
  if (c.v4 !== ip.v4) return false;
  const full = c.v4 ? c.prefix + 96 : c.prefix;
  const m = maskBytes(ip.bytes, full);
  return m.every((x, i) => x === c.network[i]);
}

/** `validation.IsValidIP`. */
export function validateIP(path: FieldPath, value: string): FieldError[] {
  return parseIP(value) === undefined ? [invalid(path, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')] : [];
}

/** `validation.IsValidIPv4Address`. */
export function validateIPv4(path: FieldPath, value: string): FieldError[] {
  const ip = parseIP(value);
  return ip === undefined || !ip.v4 ? [invalid(path, value, 'must be a valid IPv4 address')] : [];
}

/** `validation.IsValidIPv6Address`. */
export function validateIPv6(path: FieldPath, value: string): FieldError[] {
  const ip = parseIP(value);
  return ip === undefined || ip.v4 ? [invalid(path, value, 'must be a valid IPv6 address')] : [];
}

/** `validation.IsValidCIDR`. */
export function validateCIDR(path: FieldPath, value: string): FieldError[] {
  return parseCIDR(value) === undefined ? [invalid(path, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')] : [];
}

/** True for an IPv6 literal (Go's `netutils.IsIPv6String`). */
export function isIPv6String(s: string): boolean {
  const ip = parseIP(s);
  return ip !== undefined && !ip.v4;
}

/**
 * `ValidateNonSpecialIP` (Endpoints, EndpointSlices, externalIPs).
 * `allowHostLoopback`: kwire's node network is 127.0.0.0/8, so endpoints of a
 * selectorless Service may name a process on the host (127.x) — a deliberate
 * difference from kube-apiserver, where 127.0.0.0/8 is the node's own loopback.
 */
export function validateNonSpecialIP(path: FieldPath, value: string, opts: { allowHostLoopback?: boolean } = {}): FieldError[] {
  const ip = parseIP(value);
  if (ip === undefined) return [invalid(path, value, 'must be a valid IP address')];
  const b = ip.bytes;
  const errs: FieldError[] = [];
  const allZero = (from: number): boolean => b.slice(from).every((x) => x === 0);
  const unspecified = ip.v4 ? allZero(12) : allZero(0);
  const loopback = ip.v4 ? b[12] === 127 : b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
  const linkLocalUnicast = ip.v4 ? b[12] === 169 && b[13] === 254 : b[0] === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80;
  const linkLocalMulticast = ip.v4 ? b[12] === 224 && b[13] === 0 && b[14] === 0 : b[0] === 0xff && ((b[1] ?? 0) & 0x0f) === 0x02;
  if (unspecified) errs.push(invalid(path, value, `may not be unspecified (${value})`));
  if (loopback && !(opts.allowHostLoopback && ip.v4)) errs.push(invalid(path, value, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (linkLocalUnicast) errs.push(invalid(path, value, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (linkLocalMulticast) errs.push(invalid(path, value, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}
