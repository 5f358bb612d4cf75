/**
 * @module dns/controller
 * Feeds the DNS record table from the store's watch (the one `kubectl get -w`
 * uses), as CoreDNS's dnsControl feeds its caches from informers:
 *
 *   store.watch(/namespaces, /services, discovery.k8s.io/endpointslices, /pods)
 *     -> RecordTable upsertX / removeX   (synchronously, inside the store write)
 *
 * Watches are opened first and the current objects listed right after; both run
 * in the same turn of the event loop, so nothing is missed or applied twice out
 * of order. Applying an event is a few map updates, so it happens inline: a
 * Service is answered by the very next query after its write is acknowledged,
 * and a deleted one is NXDOMAIN. The controller only reads; it never writes.
 */
import type { Registry } from '../apiserver/registry.js';
import type { Controller } from '../controllers/controller.js';
import type { KObject, StoreEvent } from '../store/store.js';
import type { RecordTable } from './record-table.js';

interface Feed {
  readonly resource: string;
  upsert(t: RecordTable, o: Readonly<KObject>): void;
  remove(t: RecordTable, o: Readonly<KObject>): void;
}

/** The resources cluster DNS reads, by store resource key. */
export const DNS_FEEDS: ReadonlyArray<Feed> = [
  { resource: '/namespaces', upsert: (t, o) => t.upsertNamespace(o), remove: (t, o) => t.removeNamespace(o) },
  { resource: '/services', upsert: (t, o) => t.upsertService(o), remove: (t, o) => t.removeService(o) },
  { resource: 'discovery.k8s.io/endpointslices', upsert: (t, o) => t.upsertEndpointSlice(o), remove: (t, o) => t.removeEndpointSlice(o) },
  { resource: '/pods', upsert: (t, o) => t.upsertPod(o), remove: (t, o) => t.removePod(o) },
];

export class DnsController implements Controller {
  readonly name = 'dns';
  private stops: Array<() => void> = [];
  /** Events the table could not apply (it validates its input, so this stays 0). */
  errors = 0;

  constructor(readonly table: RecordTable) {}

  start(registry: Registry): void {
    const store = registry.store;
    for (const f of DNS_FEEDS) {
      this.stops.push(
        store.watch(f.resource, {}, (e: StoreEvent) => {
          // Called inside the store write: a DNS problem must never fail the write itself.
          try {
            if (e.type === 'DELETED') f.remove(this.table, e.object);
            else f.upsert(this.table, e.object);
          } catch {
            this.errors++;
          }
        }),
      );
      for (const o of store.list(f.resource)) f.upsert(this.table, o);
    }
  }

  stop(): void {
    for (const s of this.stops) s();
    this.stops = [];
  }
}
