/**
 * @module dataplane/connect-path
 * The one packet path every new flow (TCP connection attempt, first UDP
 * datagram of a flow) takes, up to but not including the listener lookup:
 *
 * ```
 *   src (ip, port, owner)  dst as dialled (ip, port)
 *        |
 *        v
 *   [translate hook]  service VIP -> chosen endpoint ip:port, optional SNAT
 *        |  reject --------------------------------> refused  (ECONNREFUSED at once)
 *        |  drop ----------------------------------> dropped  (caller's timeout)
 *        v
 *   [policy hook]     egress(src) AND ingress(endpoint), on the endpoint ip:port
 *        |  drop ----------------------------------> dropped  (caller's timeout), deciding policies
 *        v
 *   [ownership]       nobody owns the endpoint ip --> dropped  (lost packet),
 *        |            unless a Service rewrote a TCP flow to a host address
 *        |            the host dialer accepts --> deliver (host: true; host-dialer.ts)
 *        v
 *   deliver           -> the TCP/UDP stack looks up the listener or binding
 *                        (none: refused, ECONNREFUSED at once)
 * ```
 *
 * A hook that throws turns the attempt into verdict 'error' with that error.
 * Pure apart from calling the hooks; records nothing (the stacks do).
 */
import type { AddressBook } from './address-book.js';
import { toError } from './errors.js';
import type { FlowRecordInput, FlowVerdict } from './flow-log.js';
import type { PolicyHook, PolicyVerdict, Snat, TranslateResult, Translator } from './hooks.js';
import type { HostDialer } from './host-dialer.js';
import type { Address, Peer, Protocol, ServiceRef } from './types.js';

/** What the path needs to decide. */
export interface PathContext {
  readonly book: AddressBook;
  readonly translator: Translator;
  readonly policy: PolicyHook;
  /** Reaches Service endpoints on host addresses (none: they are lost). */
  readonly hostDialer?: HostDialer | undefined;
}

const NONE: ReadonlyArray<string> = Object.freeze([]);

/** The outcome of the path for one new flow. */
export type PathDecision =
  | {
      readonly kind: 'deliver';
      readonly endpoint: Peer;
      readonly snat?: Snat;
      readonly service?: ServiceRef;
      readonly policies: ReadonlyArray<string>;
      /** The endpoint is a host address: the TCP stack dials it with the host dialer. */
      readonly host?: true;
    }
  | {
      readonly kind: 'refused' | 'dropped';
      readonly reason: string;
      readonly endpoint?: Peer;
      readonly snat?: Snat;
      readonly service?: ServiceRef;
      readonly policies: ReadonlyArray<string>;
    }
  | {
      readonly kind: 'error';
      readonly error: Error;
      readonly reason: string;
      readonly endpoint?: Peer;
      readonly service?: ServiceRef;
      readonly policies: ReadonlyArray<string>;
    };

function assertNever(x: never): never {
  throw new Error(`unexpected value ${JSON.stringify(x)}`);
}

/** A peer for `a`, carrying the owner of its IP when registered. */
export function peerOf(book: AddressBook, a: Address): Peer {
  const owner = book.ownerOf(a.ip);
  return owner === undefined ? { ip: a.ip, port: a.port } : { ip: a.ip, port: a.port, owner };
}

/** Runs translate -> policy -> ownership for one new flow. */
export function decidePath(ctx: PathContext, protocol: Protocol, src: Peer, dst: Address): PathDecision {
  let t: TranslateResult | undefined;
  try {
    t = ctx.translator.translate({ protocol, src, dst });
  } catch (thrown) {
    const error = toError(thrown);
    return { kind: 'error', error, reason: `translate hook failed: ${error.message}`, policies: NONE };
  }
  let to: Address = dst;
  let snat: Snat | undefined;
  let service: ServiceRef | undefined;
  if (t !== undefined) {
    service = t.service;
    switch (t.kind) {
      case 'reject':
        return { kind: 'refused', reason: t.reason, service, policies: NONE };
      case 'drop':
        return { kind: 'dropped', reason: t.reason, service, policies: NONE };
      case 'forward':
        to = t.dst;
        snat = t.snat;
        break;
      default:
        return assertNever(t);
    }
  }
  const endpoint = peerOf(ctx.book, to);
  const snatOwner = snat === undefined ? undefined : ctx.book.ownerOf(snat.ip);
  let v: PolicyVerdict;
  try {
    v = ctx.policy.decide({
      protocol,
      src,
      snat: snat === undefined ? undefined : snatOwner === undefined ? { ip: snat.ip, port: snat.port ?? 0 } : { ip: snat.ip, port: snat.port ?? 0, owner: snatOwner },
      dst: endpoint,
      service,
    });
  } catch (thrown) {
    const error = toError(thrown);
    return { kind: 'error', error, reason: `policy hook failed: ${error.message}`, endpoint, service, policies: NONE };
  }
  if (v.verdict === 'drop') {
    return { kind: 'dropped', reason: v.reason ?? 'denied by network policy', endpoint, snat, service, policies: v.policies };
  }
  if (endpoint.owner === undefined) {
    // Only where a Service rewrote the destination (DNAT): a dialled host address is never reached.
    if (protocol === 'TCP' && (to.ip !== dst.ip || to.port !== dst.port) && ctx.hostDialer?.accepts(endpoint.ip) === true) {
      return { kind: 'deliver', endpoint, snat, service, policies: v.policies, host: true };
    }
    return { kind: 'dropped', reason: `no pod or node owns ${endpoint.ip}`, endpoint, snat, service, policies: v.policies };
  }
  return { kind: 'deliver', endpoint, snat, service, policies: v.policies };
}

/**
 * The reason of a delivered flow that found nothing listening at its endpoint:
 * `no listener on ip:port` (TCP) or `no socket bound on ip:port` (UDP). On a
 * node's IP dialled as such (no Service), it names the node and that no
 * NodePort matched: kwire has no hostNetwork pods, so nothing else listens there.
 */
export function nothingListensReason(protocol: Protocol, d: Extract<PathDecision, { kind: 'deliver' }>): string {
  const ep = d.endpoint;
  const base = `${protocol === 'TCP' ? 'no listener on' : 'no socket bound on'} ${ep.ip}:${ep.port}`;
  const o = ep.owner;
  if (o?.kind === 'node' && d.service === undefined) return `${base} (node ${o.name}: no NodePort ${ep.port}/${protocol})`;
  return base;
}

/** Builds the flow record for a decided flow. `verdict`/`reason` override the decision's (e.g. no listener). */
export function flowRecordOf(
  time: number,
  protocol: Protocol,
  src: Peer,
  dst: Address,
  d: PathDecision,
  snatAddr: Address | undefined,
  verdict?: FlowVerdict,
  reason?: string,
): FlowRecordInput {
  const v: FlowVerdict = verdict ?? (d.kind === 'deliver' ? 'forwarded' : d.kind);
  const r = reason ?? (d.kind === 'deliver' ? 'established' : d.reason);
  return {
    time,
    protocol,
    src,
    dst: { ip: dst.ip, port: dst.port },
    ...(d.service !== undefined ? { service: d.service } : {}),
    ...(d.endpoint !== undefined ? { endpoint: d.endpoint } : {}),
    ...(snatAddr !== undefined ? { snat: snatAddr } : {}),
    verdict: v,
    reason: r,
    policies: d.policies,
  };
}
