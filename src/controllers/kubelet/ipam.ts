/**
 * @module controllers/kubelet/ipam
 * Pod IP allocation per node, as host-local IPAM does it: each node owns a /24 of
 * 10.244.0.0/16 (its `spec.podCIDR`); addresses .2-.254 are handed out in order,
 * wrapping around, so a freed address is not reused at once. Pure bookkeeping.
 */
export class NodeIpam {
  private readonly used = new Set<number>();
  private next = 2;
  private readonly prefix: string;

  constructor(readonly cidr: string) {
    const m = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(cidr);
    if (!m) throw new Error(`pod CIDR ${cidr} is not a /24`);
    this.prefix = m[1]!;
  }

  /** Marks an address as used (the repair pass at start-up). */
  reserve(ip: string): void {
    const host = this.hostOf(ip);
    if (host !== undefined) this.used.add(host);
  }

  allocate(): string {
    for (let i = 0; i < 253; i++) {
      const h = 2 + ((this.next - 2 + i) % 253);
      if (!this.used.has(h)) {
        this.used.add(h);
        this.next = h + 1 > 254 ? 2 : h + 1;
        return `${this.prefix}.${h}`;
      }
    }
    throw new Error(`no free pod IPs left in ${this.cidr}`);
  }

  release(ip: string): void {
    const host = this.hostOf(ip);
    if (host !== undefined) this.used.delete(host);
  }

  get size(): number {
    return this.used.size;
  }

  private hostOf(ip: string): number | undefined {
    if (!ip.startsWith(this.prefix + '.')) return undefined;
    const h = Number(ip.slice(this.prefix.length + 1));
    return Number.isInteger(h) ? h : undefined;
  }
}
