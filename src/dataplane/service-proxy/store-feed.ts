/**
 * @module dataplane/service-proxy/store-feed
 * The thin shell that feeds a `ServiceProxy` from the object store, as
 * kube-proxy's informers feed its proxier: it lists Services and
 * EndpointSlices, then follows the store's watch, remembering each object's
 * last state so every update reaches the trackers as a {previous, current}
 * pair. After a burst of events one `sync()` is scheduled (coalesced), so
 * listener changes (NodePorts, LoadBalancer IPs) are announced promptly even
 * when no flow asks; flows sync on demand anyway.
 */
import type { Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { resourceKey, type KObject, type Store, type StoreEvent } from '../../store/store.js';
import { sliceService } from './endpoints-change-tracker.js';
import type { ServiceProxy } from './proxy.js';

export interface StoreFeedOptions {
  /** Runs the coalesced sync later (default setImmediate; tests may run it inline). */
  readonly schedule?: (fn: () => void) => void;
}

const id = (o: Readonly<KObject>): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export function feedServiceProxy(store: Store, proxy: ServiceProxy, opts: StoreFeedOptions = {}): { stop(): void } {
  const schedule = opts.schedule ?? ((fn: () => void) => void setImmediate(fn));
  const services = new Map<string, Service>();
  const slices = new Map<string, EndpointSlice>();
  let scheduled = false;
  let stopped = false;
  const later = (): void => {
    if (scheduled || stopped) return;
    scheduled = true;
    schedule(() => {
      scheduled = false;
      if (!stopped) proxy.sync();
    });
  };
  const onService = (type: StoreEvent['type'], o: Readonly<KObject>): void => {
    const k = id(o);
    const cur = o as unknown as Service;
    const prev = services.get(k);
    if (type === 'DELETED') {
      services.delete(k);
      if (prev !== undefined) proxy.onServiceDelete(prev);
    } else {
      services.set(k, cur);
      if (prev === undefined) proxy.onServiceAdd(cur);
      else proxy.onServiceUpdate(prev, cur);
    }
    later();
  };
  const onSlice = (type: StoreEvent['type'], o: Readonly<KObject>): void => {
    const k = id(o);
    const cur = o as unknown as EndpointSlice;
    const prev = slices.get(k);
    if (type === 'DELETED') {
      slices.delete(k);
      if (prev !== undefined) proxy.onEndpointSliceDelete(prev);
    } else {
      slices.set(k, cur);
      if (prev !== undefined && sliceService(prev) !== sliceService(cur)) proxy.onEndpointSliceDelete(prev);
      if (prev === undefined || sliceService(prev) !== sliceService(cur)) proxy.onEndpointSliceAdd(cur);
      else proxy.onEndpointSliceUpdate(prev, cur);
    }
    later();
  };
  const svcRes = resourceKey('', 'services');
  const sliceRes = resourceKey('discovery.k8s.io', 'endpointslices');
  for (const o of store.list(svcRes)) onService('ADDED', o);
  for (const o of store.list(sliceRes)) onSlice('ADDED', o);
  const stops = [store.watch(svcRes, {}, (e) => onService(e.type, e.object)), store.watch(sliceRes, {}, (e) => onSlice(e.type, e.object))];
  return {
    stop() {
      stopped = true;
      for (const s of stops) s();
    },
  };
}
