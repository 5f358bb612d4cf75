/**
 * @module dns/names
 * Domain-name helpers in dns-packet's spelling: names carry no trailing dot and
 * the root is `''` (dns-packet decodes it as `.`). Comparisons are on lower-case
 * names, as the Kubernetes DNS specification requires ("all comparisons ... are
 * case-insensitive"). Pure.
 */

/** Lower case, without leading/trailing dots; the root is ''. */
export function normalizeName(name: string): string {
  const trimmed = name.startsWith('.') || name.endsWith('.') ? name.replace(/^\.+|\.+$/g, '') : name;
  return trimmed.toLowerCase();
}

/** Whether `name` equals `zone` or lies under it (both normalized; zone '' is the root). */
export function isSubdomain(name: string, zone: string): boolean {
  if (zone === '') return true;
  return name === zone || name.endsWith(`.${zone}`);
}

/** The longest of `zones` that `name` falls in, or undefined (CoreDNS `plugin.Zones.Matches`). */
export function matchZone(zones: ReadonlyArray<string>, name: string): string | undefined {
  let best: string | undefined;
  for (const z of zones) if (isSubdomain(name, z) && (best === undefined || z.length > best.length)) best = z;
  return best;
}

/** `name` less `zone` ('' when they are equal). `name` must be in `zone`. */
export function trimZone(name: string, zone: string): string {
  if (name === zone) return '';
  if (zone === '') return name;
  return name.slice(0, name.length - zone.length - 1);
}

/** The labels of a name ('' has none). */
export function labels(name: string): string[] {
  return name === '' ? [] : name.split('.');
}

/** Joins labels and names, skipping empty parts. */
export function join(...parts: ReadonlyArray<string>): string {
  return parts.filter((p) => p !== '').join('.');
}

/**
 * The last `zone.length` characters of the query name as the client spelled it,
 * so answers built from the zone keep the query's case (CoreDNS does the same).
 */
export function zoneAsAsked(qname: string, zone: string): string {
  if (zone === '') return '';
  const q = qname.replace(/\.+$/, '');
  return q.slice(q.length - zone.length);
}
