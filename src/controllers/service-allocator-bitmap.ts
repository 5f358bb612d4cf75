/**
 * @module controllers/service-allocator-bitmap
 * The allocation bitmap behind the ClusterIP and NodePort allocators
 * (kube-apiserver `pkg/registry/core/service/allocator/bitmap.go`): one bit per
 * offset in a contiguous range, and the "random scan with offset" strategy that
 * hands out dynamic values from the upper band first, so the lower band stays
 * free for values people choose by hand (10.96.0.10 for DNS, nodePort 30080 in
 * a lab): KEP-3070 for ClusterIPs, KEP-3668 for NodePorts.
 *
 *   offset:  0 ........ bandStart ...................................... size-1
 *            [ static band: picked last ][ dynamic band: random start, scan up, wrap ]
 *
 * It knows nothing about IPs or ports; the allocators map values to offsets.
 */

export class AllocationBitmap {
  private readonly words: Uint32Array;
  private used = 0;

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`invalid bitmap size ${size}`);
    this.words = new Uint32Array(Math.ceil(size / 32));
  }

  /** How many offsets are taken. */
  get count(): number {
    return this.used;
  }

  has(offset: number): boolean {
    if (offset < 0 || offset >= this.size) return false;
    return ((this.words[offset >>> 5] ?? 0) & (1 << (offset & 31))) !== 0;
  }

  /** Marks `offset` taken; false when it already was (or is out of range). */
  set(offset: number): boolean {
    if (offset < 0 || offset >= this.size || this.has(offset)) return false;
    const i = offset >>> 5;
    this.words[i] = (this.words[i] ?? 0) | (1 << (offset & 31));
    this.used++;
    return true;
  }

  /** Frees `offset`; false when it was not taken. */
  clear(offset: number): boolean {
    if (!this.has(offset)) return false;
    const i = offset >>> 5;
    this.words[i] = (this.words[i] ?? 0) & ~(1 << (offset & 31));
    this.used--;
    return true;
  }

  /** Every taken offset, ascending. */
  forEach(fn: (offset: number) => void): void {
    for (let i = 0; i < this.words.length; i++) {
      const w = this.words[i] ?? 0;
      if (w === 0) continue;
      for (let b = 0; b < 32; b++) if ((w & (1 << b)) !== 0) fn(i * 32 + b);
    }
  }

  /**
   * The first offset in [lo, hi) at or after `start` (wrapping to `lo`) that is
   * free and not excluded, or undefined when every one is taken. Whole words that
   * are full are skipped, so a scan of a /12 costs at most 32k word reads.
   */
  findFree(lo: number, hi: number, start: number, excluded?: (offset: number) => boolean): number | undefined {
    if (hi <= lo) return undefined;
    const span = hi - lo;
    let rel = ((start - lo) % span + span) % span;
    let visited = 0;
    while (visited < span) {
      const at = lo + rel;
      const w = this.words[at >>> 5] ?? 0;
      if (w === 0xffffffff && (at & 31) === 0 && at + 32 <= hi) {
        // A full, aligned word: skip it whole.
        const step = Math.min(32, span - visited);
        visited += step;
        rel = (rel + step) % span;
        continue;
      }
      if ((w & (1 << (at & 31))) === 0 && !(excluded?.(at) ?? false)) return at;
      visited++;
      rel = (rel + 1) % span;
    }
    return undefined;
  }
}

/**
 * kube-apiserver's `randomScanStrategyWithOffset`: a random start in the upper
 * band [bandStart, size), scanning up and wrapping within it; when that band is
 * full, the same in the lower band [0, bandStart). `taken` adds offsets that are
 * not free for this request (tentative picks of the same operation, reserved
 * values). `random` returns [0, 1).
 */
export function allocateWithOffset(
  bitmap: AllocationBitmap,
  bandStart: number,
  random: () => number,
  taken?: (offset: number) => boolean,
): number | undefined {
  const size = bitmap.size;
  const start = Math.min(Math.max(bandStart, 0), size);
  if (size - start > 0) {
    const at = bitmap.findFree(start, size, start + Math.floor(random() * (size - start)), taken);
    if (at !== undefined) return at;
  }
  if (start > 0) return bitmap.findFree(0, start, Math.floor(random() * start), taken);
  return undefined;
}

/** `calculateRangeOffset` for Service CIDRs: min(max(16, size/16), 256); 0 for ranges of 16 or fewer. */
export function ipRangeOffset(cidrSize: number): number {
  if (cidrSize <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(cidrSize / 16)), 256);
}

/** `calculateRangeOffset` for NodePort ranges: min(max(16, size/32), 128); 0 for ranges of 16 or fewer. */
export function portRangeOffset(rangeSize: number): number {
  if (rangeSize <= 16) return 0;
  return Math.min(Math.max(16, Math.floor(rangeSize / 32)), 128);
}
