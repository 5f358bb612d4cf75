/**
 * @module controllers/service-allocator-ranges
 * The two value ranges a Service draws from, each over an `AllocationBitmap`:
 * ClusterIPs from the service CIDR (IPv4; the network and broadcast addresses
 * are never handed out, as `ipallocator.NewAllocatorCIDRRange` does) and
 * NodePorts from `--service-node-port-range`. Both answer `check` (may this
 * value be taken now?) without changing anything, so a dry run or a refused
 * request allocates nothing; `allocate`/`release` change the bitmap and are
 * only called once a write is committed.
 *
 * A `tentative` set carries the values an in-flight request already picked, so
 * one request never picks the same value twice.
 */
import { AllocationBitmap, allocateWithOffset, ipRangeOffset, portRangeOffset } from './service-allocator-bitmap.js';

/** Why a requested value cannot be taken. */
export type CheckResult = 'ok' | 'not-in-range' | 'allocated' | 'unparsable';

/** Dotted-quad IPv4 -> 32-bit unsigned integer, or undefined (one implementation, shared with the proxy). */
export { ipv4ToInt } from '../dataplane/service-proxy/ipv4.js';
import { ipv4ToInt } from '../dataplane/service-proxy/ipv4.js';

export function intToIpv4(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** "10.96.0.0/12" -> network and prefix; undefined when not an IPv4 CIDR. */
export function parseIPv4Cidr(s: string): { readonly network: number; readonly prefix: number } | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const ip = ipv4ToInt(s.slice(0, slash));
  const bits = s.slice(slash + 1);
  if (ip === undefined || !/^[0-9]{1,2}$/.test(bits)) return undefined;
  const prefix = Number(bits);
  if (prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  return { network: ip - (ip % size), prefix };
}

export class ServiceIPRange {
  /** First allocatable address (network + 1). */
  private readonly base: number;
  private readonly bitmap: AllocationBitmap;
  private readonly bandStart: number;
  private readonly reserved: ReadonlySet<number>;

  /**
   * @param cidr the service CIDR, e.g. "10.96.0.0/12" (IPv4 only).
   * @param reserved addresses never picked dynamically (still honoured when asked for).
   */
  constructor(
    readonly cidr: string,
    reserved: ReadonlyArray<string>,
    private readonly random: () => number,
  ) {
    const c = parseIPv4Cidr(cidr);
    if (c === undefined) throw new Error(`service CIDR ${JSON.stringify(cidr)} is not an IPv4 CIDR (kwire's clusters are single-stack IPv4)`);
    const cidrSize = 2 ** (32 - c.prefix);
    // Not the network address, and (for IPv4) not the broadcast address.
    const size = Math.max(0, cidrSize - 2);
    this.base = c.network + 1;
    this.bitmap = new AllocationBitmap(size);
    this.bandStart = ipRangeOffset(cidrSize);
    const r = new Set<number>();
    for (const ip of reserved) {
      const off = this.offsetOf(ip);
      if (off !== undefined) r.add(off);
    }
    this.reserved = r;
  }

  /** Addresses that can be allocated in all. */
  get size(): number {
    return this.bitmap.size;
  }

  get used(): number {
    return this.bitmap.count;
  }

  private offsetOf(ip: string): number | undefined {
    const n = ipv4ToInt(ip);
    if (n === undefined) return undefined;
    const off = n - this.base;
    return off >= 0 && off < this.bitmap.size ? off : undefined;
  }

  /** The address at `index` of the allocatable range (0 = network + 1). */
  addressAt(index: number): string {
    return intToIpv4(this.base + index);
  }

  contains(ip: string): boolean {
    return this.offsetOf(ip) !== undefined;
  }

  has(ip: string): boolean {
    const off = this.offsetOf(ip);
    return off !== undefined && this.bitmap.has(off);
  }

  /** Whether `ip` could be allocated now (ignoring `tentative` picks of the same request too). */
  check(ip: string, tentative: ReadonlySet<string> = new Set()): CheckResult {
    if (ipv4ToInt(ip) === undefined) return 'unparsable';
    const off = this.offsetOf(ip);
    if (off === undefined) return 'not-in-range';
    if (this.bitmap.has(off) || tentative.has(ip)) return 'allocated';
    return 'ok';
  }

  /** A free address, as `AllocateNext` picks it, or undefined when the range is full. */
  pickNext(tentative: ReadonlySet<string> = new Set()): string | undefined {
    const off = allocateWithOffset(this.bitmap, this.bandStart, this.random, (o) => this.reserved.has(o) || tentative.has(intToIpv4(this.base + o)));
    return off === undefined ? undefined : intToIpv4(this.base + off);
  }

  /** Marks `ip` taken; false when out of range or already taken. */
  allocate(ip: string): boolean {
    const off = this.offsetOf(ip);
    return off !== undefined && this.bitmap.set(off);
  }

  release(ip: string): boolean {
    const off = this.offsetOf(ip);
    return off !== undefined && this.bitmap.clear(off);
  }

  forEach(fn: (ip: string) => void): void {
    this.bitmap.forEach((o) => fn(intToIpv4(this.base + o)));
  }
}

export interface PortRangeSpec {
  readonly min: number;
  readonly max: number;
}

/** "30000-32767" (or "30000+2767", as `net.ParsePortRange` accepts) -> {min, max}. */
export function parsePortRange(s: string): PortRangeSpec | undefined {
  const m = /^\s*(\d+)\s*([-+])\s*(\d+)\s*$/.exec(s);
  if (m === null) return undefined;
  const a = Number(m[1]);
  const b = m[2] === '+' ? a + Number(m[3]) : Number(m[3]);
  if (a < 1 || b > 65535 || b < a) return undefined;
  return { min: a, max: b };
}

export class NodePortRange {
  private readonly bitmap: AllocationBitmap;
  private readonly bandStart: number;

  constructor(
    readonly range: PortRangeSpec,
    private readonly random: () => number,
  ) {
    if (!Number.isInteger(range.min) || !Number.isInteger(range.max) || range.min < 1 || range.max > 65535 || range.max < range.min) {
      throw new Error(`invalid NodePort range ${range.min}-${range.max}`);
    }
    const size = range.max - range.min + 1;
    this.bitmap = new AllocationBitmap(size);
    this.bandStart = portRangeOffset(size);
  }

  /** As kube-apiserver prints it: "30000-32767". */
  get rangeString(): string {
    return `${this.range.min}-${this.range.max}`;
  }

  get used(): number {
    return this.bitmap.count;
  }

  contains(port: number): boolean {
    return Number.isInteger(port) && port >= this.range.min && port <= this.range.max;
  }

  has(port: number): boolean {
    return this.contains(port) && this.bitmap.has(port - this.range.min);
  }

  check(port: number, tentative: ReadonlySet<number> = new Set()): CheckResult {
    if (!this.contains(port)) return 'not-in-range';
    if (this.bitmap.has(port - this.range.min) || tentative.has(port)) return 'allocated';
    return 'ok';
  }

  pickNext(tentative: ReadonlySet<number> = new Set()): number | undefined {
    const off = allocateWithOffset(this.bitmap, this.bandStart, this.random, (o) => tentative.has(this.range.min + o));
    return off === undefined ? undefined : this.range.min + off;
  }

  allocate(port: number): boolean {
    return this.contains(port) && this.bitmap.set(port - this.range.min);
  }

  release(port: number): boolean {
    return this.contains(port) && this.bitmap.clear(port - this.range.min);
  }

  forEach(fn: (port: number) => void): void {
    this.bitmap.forEach((o) => fn(this.range.min + o));
  }
}
