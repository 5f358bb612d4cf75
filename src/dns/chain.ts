/**
 * @module dns/chain
 * The plugin chain (CoreDNS `plugin/plugin.go`). A `Handler` answers one query;
 * a `Plugin` wraps the next handler and either answers itself or falls through
 * by calling `next`. The chain is built inside out, so the first plugin listed
 * sees the query first:
 *
 *   query -> kubernetes --(not its zone, or fallthrough)--> forward --(none)--> final
 *
 * Contract of a Handler: it never throws for a well-formed query (errors become
 * SERVFAIL answers), never mutates the query, and always resolves: a handler that
 * waits on something outside (an upstream) bounds the wait itself. The transport
 * (host-server, the in-pod listener) owns EDNS, truncation and the wire format.
 */
import type { Packet } from 'dns-packet';
import { RCODE, firstQuestion, replyTo } from './message.js';

export interface DnsContext {
  readonly protocol: 'udp' | 'tcp';
  readonly clientIp: string;
  /** How many internal lookups (CNAME targets) led here; plugins stop recursing past a bound. */
  readonly depth?: number;
}

export type Handler = (query: Packet, ctx: DnsContext) => Promise<Packet>;
export type Plugin = (next: Handler) => Handler;

/** Builds a chain: `plugins[0]` runs first, `final` answers what every plugin passed on. */
export function buildChain(plugins: ReadonlyArray<Plugin>, final: Handler): Handler {
  let h = final;
  for (let i = plugins.length - 1; i >= 0; i--) h = plugins[i]!(h);
  return guard(h);
}

/** Wraps a handler so a thrown error becomes a SERVFAIL reply (CoreDNS recovers panics the same way). */
export function guard(h: Handler): Handler {
  return async (query, ctx) => {
    try {
      return await h(query, ctx);
    } catch {
      return replyTo(query, RCODE.SERVFAIL);
    }
  };
}

/**
 * The handler at the end of the chain, for names no plugin answered. CoreDNS
 * gives REFUSED for a name outside every zone it serves (and SERVFAIL when a
 * catch-all "." block has no plugin left), so REFUSED is the default here.
 */
export function finalHandler(rcode: number = RCODE.REFUSED): Handler {
  return async (query) => replyTo(query, rcode);
}

/**
 * Refuses questions of any class but IN, as CoreDNS's server does unless a plugin
 * that handles other classes (chaos, forward) is loaded.
 */
export function inetOnly(): Plugin {
  return (next) => async (query, ctx) => {
    const cls = firstQuestion(query)?.class ?? 'IN';
    return cls === 'IN' ? next(query, ctx) : replyTo(query, RCODE.REFUSED);
  };
}
