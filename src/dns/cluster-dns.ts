/**
 * @module dns/cluster-dns
 * Puts cluster DNS together: a record table, the chain
 *
 *   [class IN only] -> kubernetes (cluster zone + reverse zones) -> forward (when an upstream is given) -> final
 *
 * with the kubernetes plugin's ExternalName lookups going back through the whole
 * chain (CoreDNS `upstream`), and the controller that feeds the table from the
 * store. The same `handler` serves the host port and the in-pod listener.
 */
import { buildChain, finalHandler, inetOnly, type Handler, type Plugin } from './chain.js';
import { DnsController } from './controller.js';
import { forwardPlugin, type Upstream } from './forward-plugin.js';
import { kubernetesPlugin, type KubernetesPluginOptions } from './kubernetes-plugin.js';
import { RCODE } from './message.js';
import { RecordTable } from './record-table.js';

export interface ClusterDnsOptions extends Omit<KubernetesPluginOptions, 'table' | 'upstream'> {
  /** An existing table; default a new one. */
  readonly table?: RecordTable;
  /** Where names outside the cluster go; without it they get `finalRcode`. */
  readonly upstream?: Upstream;
  readonly upstreamTimeoutMs?: number;
  /** Answer for names no plugin takes; default REFUSED (CoreDNS outside its zones). */
  readonly finalRcode?: number;
  /** Clock for the SOA serial, when the table is made here. */
  readonly now?: () => number;
}

export interface ClusterDns {
  readonly table: RecordTable;
  readonly handler: Handler;
  /** Start with `controller.start(registry)`; stop with `controller.stop()`. */
  readonly controller: DnsController;
}

export function createClusterDns(opts: ClusterDnsOptions = {}): ClusterDns {
  const table = opts.table ?? new RecordTable({ now: opts.now });
  const final = finalHandler(opts.finalRcode ?? RCODE.REFUSED);
  // The kubernetes plugin resolves ExternalName targets through the finished chain.
  let root: Handler = final;
  const viaChain: Handler = (q, ctx) => root(q, ctx);
  const plugins: Plugin[] = [];
  // CoreDNS refuses non-IN classes unless a plugin that takes them (forward) is loaded.
  if (!opts.upstream) plugins.push(inetOnly());
  plugins.push(kubernetesPlugin({ ...opts, table, upstream: viaChain }));
  if (opts.upstream) plugins.push(forwardPlugin({ upstream: opts.upstream, timeoutMs: opts.upstreamTimeoutMs }));
  root = buildChain(plugins, final);
  return { table, handler: root, controller: new DnsController(table) };
}
