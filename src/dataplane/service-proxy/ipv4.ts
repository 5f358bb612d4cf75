/**
 * @module dataplane/service-proxy/ipv4
 * The few IPv4 helpers the proxy needs: dotted quad to integer and CIDR
 * containment (the pod CIDR, loadBalancerSourceRanges). IPv4 only.
 */

export function ipv4ToInt(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export interface Cidr4 {
  readonly network: number;
  readonly size: number;
}

/** "10.244.0.0/16" (or a bare address, as a /32); undefined when not IPv4. */
export function parseCidr4(s: string): Cidr4 | undefined {
  const t = s.trim();
  const slash = t.indexOf('/');
  const ip = ipv4ToInt(slash < 0 ? t : t.slice(0, slash));
  if (ip === undefined) return undefined;
  const bits = slash < 0 ? 32 : Number(t.slice(slash + 1));
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  const size = 2 ** (32 - bits);
  return { network: ip - (ip % size), size };
}

export function cidrContains4(c: Cidr4, ip: string): boolean {
  const n = ipv4ToInt(ip);
  return n !== undefined && n >= c.network && n < c.network + c.size;
}
