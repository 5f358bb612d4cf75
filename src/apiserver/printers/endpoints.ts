/**
 * @module apiserver/printers/endpoints
 * The Endpoints printer (ENDPOINTS as `ip:port` list, at most 3, then
 * "+ N more...", `<none>` without subsets) and the EndpointSlice printer
 * (ADDRESSTYPE, PORTS, ENDPOINTS, `<unset>` when empty). Port of
 * formatEndpoints / formatDiscoveryPorts / formatDiscoveryEndpoints.
 */
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { AGE_COLUMN, NAME_COLUMN, col } from './columns.js';
import { DOC } from './descriptions.js';
import { translateTimestampSince } from './duration.js';
import { asKube, int, joinHostPort, listWithMore } from './format.js';
import type { PrintedRow, Printer } from './types.js';

const MAX = 3;

/** `formatEndpoints(endpoints, nil)`: ready addresses x ports, first 3, then "+ N more...". */
export function formatEndpoints(ep: Partial<Endpoints>): string {
  const subsets = ep.subsets ?? [];
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = ss.addresses ?? [];
    const ports = ss.ports ?? [];
    if (ports.length === 0) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === MAX) {
          more = true;
          break;
        }
        list.push(a.ip);
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) {
        if (list.length === MAX) {
          more = true;
          break;
        }
        list.push(joinHostPort(a.ip, int(port.port)));
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - MAX} more...` : ret;
}

/** `formatDiscoveryPorts`: port numbers (or names, or "*"), first 3, then "+ N more...". */
export function formatDiscoveryPorts(ports: ReadonlyArray<EndpointPort> | undefined): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const p of ports ?? []) {
    if (list.length < MAX) {
      list.push(typeof p.port === 'number' ? String(p.port) : (p.name ?? '*'));
    } else if (list.length === MAX) {
      more = true;
    }
    count++;
  }
  return listWithMore(list, more, count, MAX);
}

/** `formatDiscoveryEndpoints`: every address of every endpoint, first 3, then "+ N more...". */
export function formatDiscoveryEndpoints(endpoints: ReadonlyArray<Endpoint> | undefined): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const e of endpoints ?? []) {
    for (const a of e.addresses ?? []) {
      if (list.length < MAX) list.push(a);
      else if (list.length === MAX) more = true;
      count++;
    }
  }
  return listWithMore(list, more, count, MAX);
}

export const endpointsPrinter: Printer = {
  columns: [NAME_COLUMN, col('Endpoints', 'string', DOC.endpointsSubsets), AGE_COLUMN],
  print(obj: unknown, now: Date): PrintedRow {
    const ep = asKube<Endpoints>(obj);
    return { cells: [ep.metadata?.name ?? '', formatEndpoints(ep), translateTimestampSince(ep.metadata?.creationTimestamp, now)] };
  },
};

export const endpointSlicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('AddressType', 'string', DOC.endpointSliceAddressType),
    col('Ports', 'string', DOC.endpointSlicePorts),
    col('Endpoints', 'string', DOC.endpointSliceEndpoints),
    AGE_COLUMN,
  ],
  print(obj: unknown, now: Date): PrintedRow {
    const s = asKube<EndpointSlice>(obj);
    return {
      cells: [
        s.metadata?.name ?? '',
        s.addressType ?? '',
        formatDiscoveryPorts(s.ports),
        formatDiscoveryEndpoints(s.endpoints),
        translateTimestampSince(s.metadata?.creationTimestamp, now),
      ],
    };
  },
};
