/**
 * @module dns/testing
 * Test doubles for cluster DNS, shipped with it: builders for the raw Kubernetes
 * JSON objects the record table reads (Namespace, Service, EndpointSlice, Pod),
 * and `ask()`, which sends one question through a handler in-process. Used by the
 * tests here and by bench/dns-qps.
 */
import type { DecodedPacket, Packet, RecordType } from 'dns-packet';
import dnsPacket from 'dns-packet';
import type { KObject } from '../store/store.js';
import type { DnsContext, Handler } from './chain.js';
import { FLAG } from './message.js';

export function namespace(name: string): KObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export interface PortSpec {
  readonly name?: string;
  readonly port: number;
  readonly protocol?: string;
}

export function service(ns: string, name: string, spec: { clusterIP?: string; clusterIPs?: string[]; ports?: PortSpec[]; type?: string; externalName?: string } = {}): KObject {
  const s: Record<string, unknown> = { type: spec.type ?? 'ClusterIP' };
  if (spec.clusterIP !== undefined) s['clusterIP'] = spec.clusterIP;
  if (spec.clusterIPs !== undefined) s['clusterIPs'] = spec.clusterIPs;
  else if (spec.clusterIP !== undefined) s['clusterIPs'] = [spec.clusterIP];
  if (spec.ports) s['ports'] = spec.ports.map((p) => ({ ...p, protocol: p.protocol ?? 'TCP' }));
  if (spec.externalName !== undefined) s['externalName'] = spec.externalName;
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: s };
}

export interface EndpointSpec {
  readonly ip: string;
  readonly hostname?: string;
  readonly ready?: boolean;
  readonly pod?: string;
}

export function endpointSlice(ns: string, name: string, serviceName: string, endpoints: ReadonlyArray<EndpointSpec>, ports: ReadonlyArray<PortSpec> = []): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: endpoints[0]?.ip.includes(':') ? 'IPv6' : 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true },
      ...(e.hostname ? { hostname: e.hostname } : {}),
      ...(e.pod ? { targetRef: { kind: 'Pod', name: e.pod, namespace: ns } } : {}),
    })),
    ports: ports.map((p) => ({ ...(p.name !== undefined ? { name: p.name } : {}), port: p.port, protocol: p.protocol ?? 'TCP' })),
  };
}

export function pod(ns: string, name: string, ip: string): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: {}, status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } };
}

/** `n` ready endpoints 10.244.<i/250>.<i%250+1>, for big headless Services. */
export function manyEndpoints(n: number): EndpointSpec[] {
  return Array.from({ length: n }, (_, i) => ({ ip: `10.244.${Math.floor(i / 250) + 1}.${(i % 250) + 1}` }));
}

export const TEST_CTX: DnsContext = { protocol: 'udp', clientIp: '10.244.0.9' };

let nextId = 1;

/** A query packet for one question (RD set, as stub resolvers send). */
export function queryPacket(name: string, type: RecordType, opts: { id?: number; edns?: number } = {}): Packet {
  return {
    id: opts.id ?? (nextId = (nextId + 1) & 0xffff),
    type: 'query',
    flags: FLAG.RD,
    questions: [{ name, type, class: 'IN' }],
    additionals: opts.edns ? [{ type: 'OPT', name: '.', udpPayloadSize: opts.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  };
}

/** Asks `handler` one question in-process and returns the reply as a client would decode it. */
export async function ask(handler: Handler, name: string, type: RecordType, ctx: DnsContext = TEST_CTX): Promise<DecodedPacket> {
  const reply = await handler(queryPacket(name, type), ctx);
  // Round-trip through the wire format, so what tests see is what a client gets.
  return dnsPacket.decode(dnsPacket.encode(reply));
}
