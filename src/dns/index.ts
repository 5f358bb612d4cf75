/**
 * @module dns
 * Cluster DNS: the record table, the plugin chain (kubernetes -> forward ->
 * final), the wire handling shared by every listener, the host server on
 * 127.0.0.1, and the controller that feeds the table from the store's watch.
 *
 *   const dns = createClusterDns({ clusterDomain: cfg.clusterDomain });
 *   dns.controller.start(registry);                        // with the other controllers
 *   const host = await startHostDnsServer({ handler: dns.handler, port: 0 });
 *   // in-pod listener (10.96.0.10:53): serveWire(dns.handler, bytes, { protocol, clientIp })
 */
export { buildChain, finalHandler, guard, inetOnly, type DnsContext, type Handler, type Plugin } from './chain.js';
export { createClusterDns, type ClusterDns, type ClusterDnsOptions } from './cluster-dns.js';
export { DnsController, DNS_FEEDS } from './controller.js';
export { forwardPlugin, type ForwardOptions, type Upstream } from './forward-plugin.js';
export { startHostDnsServer, type HostDnsServer, type HostDnsServerOptions } from './host-server.js';
export { kubernetesPlugin, kubernetesZones, DEFAULT_CLUSTER_DOMAIN, DEFAULT_REVERSE_CIDRS, DEFAULT_TTL, type KubernetesPluginOptions } from './kubernetes-plugin.js';
export { RCODE, FLAG, replyTo, rcodeOf } from './message.js';
export { RecordTable, type RecordTableOptions, type TableEvent } from './record-table.js';
export { dnsUpstream, queryServer, type ServerAddress } from './upstream-client.js';
export { serveWire, encodeReply, fitToSize, MIN_UDP_SIZE, MAX_TCP_SIZE } from './wire.js';
export type { PodMode } from './backend.js';
