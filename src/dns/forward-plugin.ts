/**
 * @module dns/forward-plugin
 * The forward plugin (CoreDNS `plugin/forward`): hands queries for its zones
 * (default: every name) to an injected upstream function and relays the answer.
 * The upstream is anything that answers a Packet: a fake in tests, `dnsUpstream`
 * (dns/upstream-client) for a real resolver. It never hangs: an upstream that
 * fails or takes longer than `timeoutMs` gives SERVFAIL, as CoreDNS does when no
 * upstream answers; an answer whose question does not match the query gives
 * FORMERR (CoreDNS's "wrong reply" check).
 */
import type { Packet } from 'dns-packet';
import type { DnsContext, Handler, Plugin } from './chain.js';
import { RCODE, firstQuestion, replyTo } from './message.js';
import { isSubdomain, normalizeName } from './names.js';

export type Upstream = (query: Packet, ctx: DnsContext) => Promise<Packet>;

export interface ForwardOptions {
  readonly upstream: Upstream;
  /** Zones forwarded; default [''] (everything that reaches this plugin). */
  readonly zones?: ReadonlyArray<string>;
  /** Names under these zones are not forwarded (CoreDNS `except`). */
  readonly except?: ReadonlyArray<string>;
  /** Default 2000 ms. */
  readonly timeoutMs?: number;
}

export function forwardPlugin(opts: ForwardOptions): Plugin {
  const zones = (opts.zones ?? ['']).map(normalizeName);
  const except = (opts.except ?? []).map(normalizeName);
  const timeoutMs = opts.timeoutMs ?? 2000;
  return (next: Handler): Handler =>
    async (query, ctx) => {
      const q = firstQuestion(query);
      if (!q) return next(query, ctx);
      const name = normalizeName(q.name);
      if (!zones.some((z) => isSubdomain(name, z)) || except.some((z) => isSubdomain(name, z))) return next(query, ctx);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      });
      let answer: Packet | undefined;
      try {
        answer = await Promise.race([opts.upstream(query, ctx), timeout]);
      } catch {
        answer = undefined;
      } finally {
        clearTimeout(timer);
      }
      if (!answer) return replyTo(query, RCODE.SERVFAIL);
      const aq = firstQuestion(answer);
      if (!aq || normalizeName(aq.name) !== name || aq.type !== q.type) return replyTo(query, RCODE.FORMERR);
      return { ...answer, id: query.id ?? 0, type: 'response', questions: (query.questions ?? []).slice(0, 1) };
    };
}
