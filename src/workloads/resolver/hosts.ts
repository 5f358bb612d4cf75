/**
 * @module workloads/resolver/hosts
 *
 * /etc/hosts lookup, consulted before DNS by both libcs. musl matches the name
 * as written (case-sensitive), glibc ignores case. Every matching line
 * contributes its address; the first name on the line becomes the canonical
 * name. Pure.
 */
import type { Libc } from '../process.js';
import { ipFamily } from './ip.js';

export interface HostsMatch {
  readonly addresses: ReadonlyArray<{ readonly family: 4 | 6; readonly address: string }>;
  readonly canonicalName: string;
}

/** Looks `name` up in hosts-file text; undefined when no line names it (for that family). */
export function lookupHosts(
  text: string | undefined,
  name: string,
  family: 'any' | 4 | 6,
  libc: Libc,
): HostsMatch | undefined {
  if (!text) return undefined;
  const want = libc === 'glibc' ? name.toLowerCase() : name;
  const addresses: Array<{ family: 4 | 6; address: string }> = [];
  let canonicalName = name;
  for (const raw of text.split('\n')) {
    const words = raw.replace(/#.*$/, '').trim().split(/\s+/).filter(Boolean);
    const [addr, ...names] = words;
    if (!addr || names.length === 0) continue;
    const names2 = libc === 'glibc' ? names.map((n) => n.toLowerCase()) : names;
    if (!names2.includes(want)) continue;
    const fam = ipFamily(addr);
    if (fam === undefined) continue;
    if (family !== 'any' && fam !== family) continue;
    addresses.push({ family: fam, address: addr });
    if (addresses.length === 1) canonicalName = names[0] ?? name;
  }
  if (addresses.length === 0) return undefined;
  // IPv4 first: the pod network is IPv4-only, so RFC 6724 sorting puts v4 ahead.
  const sorted = [...addresses.filter((a) => a.family === 4), ...addresses.filter((a) => a.family === 6)];
  return { addresses: sorted, canonicalName };
}
