/**
 * @module cli/listener-report
 * What a running `kwire up` prints when its host listeners change after start:
 * a port that could not be bound (another program holds it) and, once the
 * retry binds it, that it listens now. Pure: the previous and the current
 * listener lists in, the lines out.
 */

export interface ListenerLine {
  readonly what: string;
  readonly address: string;
  readonly error?: string;
}

const keyOf = (l: ListenerLine): string => `${l.what}|${l.address}`;

/** The lines that tell a user how `next` differs from `prev`, for listeners present in both or new in `next`. */
export function listenerChanges(prev: ReadonlyArray<ListenerLine>, next: ReadonlyArray<ListenerLine>): string[] {
  const before = new Map(prev.map((l) => [keyOf(l), l]));
  const out: string[] = [];
  for (const l of next) {
    const was = before.get(keyOf(l));
    if (l.error && l.error !== was?.error) out.push(`kwire: warning: ${l.what} on ${l.address}: ${l.error}`);
    else if (!l.error && was?.error) out.push(`kwire: ${l.what} listens on ${l.address} now`);
  }
  return out;
}
