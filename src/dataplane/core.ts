/**
 * @module dataplane/core
 * The state the TCP and UDP stacks share: who owns which IP, the hooks in
 * force, the flow log and the clock. A plain record; the stacks hold the logic.
 */
import { AddressBook } from './address-book.js';
import { toError } from './errors.js';
import { FlowLog } from './flow-log.js';
import { allowAllPolicy, identityTranslator, type PolicyHook, type Translator } from './hooks.js';
import type { HostDialer } from './host-dialer.js';
import type { PathContext } from './connect-path.js';
import { realTimers, type NetTimers } from './timers.js';

/** Options common to the whole network. */
export interface CoreOptions {
  readonly translator?: Translator;
  readonly policy?: PolicyHook;
  /** Ring size of the flow log (default 10 000). */
  readonly flowLogSize?: number;
  /** Milliseconds since the epoch, for flow records and UDP flow windows (default `Date.now`). */
  readonly clock?: () => number;
  /**
   * Called when a workload's connection or datagram handler, or a flow
   * subscriber, throws. Default: a process warning. A throwing connection
   * handler's connection is reset; the process lives on.
   */
  readonly onHandlerError?: (error: Error) => void;
  /** Timers for connect and UDP exchange timeouts (default: Node's). Inject fake-clock timers in tests. */
  readonly timers?: NetTimers;
  /**
   * Reaches Service endpoints on host addresses (127.0.0.0/8) with real TCP
   * (see host-dialer.ts). Default none: such flows are lost like any flow to
   * an address nobody owns.
   */
  readonly hostDialer?: HostDialer;
}

/** Shared, mutable network state. */
export class NetworkCore implements PathContext {
  readonly book = new AddressBook();
  readonly flows: FlowLog;
  readonly now: () => number;
  readonly onHandlerError: (error: Error) => void;
  readonly timers: NetTimers;
  translator: Translator;
  policy: PolicyHook;
  hostDialer: HostDialer | undefined;

  constructor(opts: CoreOptions = {}) {
    this.now = opts.clock ?? Date.now;
    this.onHandlerError =
      opts.onHandlerError ??
      ((error: Error): void => {
        process.emitWarning(`virtual network handler threw: ${error.stack ?? error.message}`, 'KwireHandlerWarning');
      });
    this.flows = new FlowLog(opts.flowLogSize ?? 10_000, (e) => this.onHandlerError(toError(e)));
    this.timers = opts.timers ?? realTimers;
    this.translator = opts.translator ?? identityTranslator;
    this.policy = opts.policy ?? allowAllPolicy;
    this.hostDialer = opts.hostDialer;
  }
}
