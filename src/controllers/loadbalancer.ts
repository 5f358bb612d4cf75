/**
 * @module controllers/loadbalancer
 * A MetalLB-like LoadBalancer IP controller: every `type: LoadBalancer` Service
 * without a `loadBalancerClass` gets one address from a pool of loopback
 * addresses (so the host can really reach it) in
 * `status.loadBalancer.ingress[{ip, ipMode: "VIP"}]`, as soon as it is seen.
 *
 *   Service watch -> queue(ns/name) -> reconcile:
 *     wanted?  no  -> release its IP, clear an ingress IP from our pool
 *              yes -> keep / honour spec.loadBalancerIP / re-adopt status / pick lowest free
 *                     -> write status (only when it differs)
 *
 * An address is never handed to two Services: the assignment table is the one
 * source of truth and is rebuilt from the Services' statuses at start (oldest
 * Service first, as MetalLB's controller does on restart). A request it cannot
 * honour (address outside the pool, taken, pool exhausted) leaves the Service
 * pending and records a Warning Event `AllocationFailed`; a success records a
 * Normal Event `IPAllocated`.
 *
 * What it does not do: listen on the address (the node side does that, from
 * the service proxy's `loadBalancerListeners()`), or IP sharing annotations.
 */
import { RESOURCES } from '../api/resources.js';
import type { Registry } from '../apiserver/registry.js';
import { type Obj, getObj, getObjArr, getOptStr, getStr } from '../api/validation/unstructured.js';
import { resourceKey, type KObject } from '../store/store.js';
import { intToIpv4, ipv4ToInt, parseIPv4Cidr } from './service-allocator-ranges.js';
import type { Controller } from './controller.js';
import { EventRecorder } from './events.js';
import { WorkQueue } from './workqueue.js';

const SERVICES = RESOURCES.find((r) => r.group === '' && r.kind === 'Service')!;
const COMPONENT = 'metallb-controller';

/** The default pool for a cluster whose nodes live in 127.0.<subnet>.0/24. */
export function defaultLoadBalancerPool(nodeSubnet: number): string {
  return `127.0.${nodeSubnet}.100-127.0.${nodeSubnet}.199`;
}

/** Inclusive [first, last] integer ranges of a pool. */
export type PoolRanges = ReadonlyArray<readonly [number, number]>;

/**
 * Parses MetalLB-style pool entries: "a.b.c.d-e.f.g.h", a CIDR, or a single
 * address. Throws on anything else.
 */
export function parsePool(pool: string | ReadonlyArray<string>): PoolRanges {
  const out: Array<readonly [number, number]> = [];
  for (const raw of typeof pool === 'string' ? pool.split(',') : pool) {
    const s = raw.trim();
    if (s === '') continue;
    const dash = s.indexOf('-');
    if (dash >= 0) {
      const a = ipv4ToInt(s.slice(0, dash).trim());
      const b = ipv4ToInt(s.slice(dash + 1).trim());
      if (a === undefined || b === undefined || b < a) throw new Error(`invalid address pool range ${JSON.stringify(s)}`);
      out.push([a, b]);
    } else if (s.includes('/')) {
      const c = parseIPv4Cidr(s);
      if (c === undefined) throw new Error(`invalid address pool CIDR ${JSON.stringify(s)}`);
      out.push([c.network, c.network + 2 ** (32 - c.prefix) - 1]);
    } else {
      const a = ipv4ToInt(s);
      if (a === undefined) throw new Error(`invalid address pool entry ${JSON.stringify(s)}`);
      out.push([a, a]);
    }
  }
  if (out.length === 0) throw new Error('the LoadBalancer address pool is empty');
  return out;
}

export interface LoadBalancerControllerOptions {
  /** The pool, e.g. "127.0.10.100-127.0.10.199" (see `defaultLoadBalancerPool`). */
  readonly pool: string | ReadonlyArray<string>;
}

const svcKey = (o: Readonly<KObject>): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

/** Whether this controller serves the Service (LoadBalancer, no class, not being deleted). */
function wanted(svc: Readonly<KObject>): boolean {
  const spec = getObj(svc as Obj, 'spec');
  return getStr(spec, 'type') === 'LoadBalancer' && getOptStr(spec, 'loadBalancerClass') === undefined && svc.metadata.deletionTimestamp === undefined;
}

function ingressIPs(svc: Readonly<KObject>): string[] {
  return getObjArr(getObj(getObj(svc as Obj, 'status'), 'loadBalancer'), 'ingress')
    .map((i) => getStr(i, 'ip'))
    .filter((ip) => ip !== '');
}

export class LoadBalancerController implements Controller {
  readonly name = 'loadbalancer';
  private readonly ranges: PoolRanges;
  private events?: EventRecorder;
  /** ip -> "ns/name" */
  private readonly owners = new Map<string, string>();
  /** "ns/name" -> ip */
  private readonly byService = new Map<string, string>();
  /** The last AllocationFailed message per Service, so a retry does not repeat the Event. */
  private readonly lastFailure = new Map<string, string>();
  private queue?: WorkQueue;
  private stopWatch?: () => void;

  constructor(opts: LoadBalancerControllerOptions) {
    this.ranges = parsePool(opts.pool);
  }

  /** The current assignments, "ns/name" -> ip. */
  assignments(): ReadonlyMap<string, string> {
    return new Map(this.byService);
  }

  inPool(ip: string): boolean {
    const n = ipv4ToInt(ip);
    return n !== undefined && this.ranges.some(([a, b]) => n >= a && n <= b);
  }

  start(registry: Registry): void {
    const q = new WorkQueue((k) => this.reconcile(registry, k));
    this.queue = q;
    this.events = new EventRecorder(registry);
    // Re-adopt the addresses already in status, oldest Service first.
    const existing = [...registry.list(SERVICES).items].sort((a, b) =>
      String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')),
    );
    for (const svc of existing) {
      if (!wanted(svc)) continue;
      for (const ip of ingressIPs(svc)) {
        if (this.inPool(ip) && !this.owners.has(ip) && !this.byService.has(svcKey(svc))) this.assign(svcKey(svc), ip);
      }
    }
    this.stopWatch = registry.store.watch(resourceKey('', 'services'), {}, (e) => q.add(svcKey(e.object)));
    for (const svc of existing) q.add(svcKey(svc));
  }

  stop(): void {
    this.queue?.stop();
    this.stopWatch?.();
  }

  /** Resolves when no reconcile is queued or running (tests). */
  async idle(): Promise<void> {
    await this.queue?.idle();
  }

  private assign(key: string, ip: string): void {
    this.owners.set(ip, key);
    this.byService.set(key, ip);
  }

  private release(key: string): void {
    const ip = this.byService.get(key);
    if (ip === undefined) return;
    this.byService.delete(key);
    if (this.owners.get(ip) === key) this.owners.delete(ip);
    // Services left pending may now get an address.
    for (const pending of this.lastFailure.keys()) if (pending !== key) this.queue?.add(pending);
  }

  private lowestFree(): string | undefined {
    for (const [a, b] of this.ranges) {
      for (let n = a; n <= b; n++) {
        const ip = intToIpv4(n);
        if (!this.owners.has(ip)) return ip;
      }
    }
    return undefined;
  }

  /** Level-triggered: reads the Service, decides its address, writes status only when it differs. */
  reconcile(registry: Registry, key: string): void {
    const slash = key.indexOf('/');
    const ns = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const svc = registry.tryGet(SERVICES, ns, name);
    if (svc === undefined) {
      this.release(key);
      this.lastFailure.delete(key);
      return;
    }
    if (!wanted(svc)) {
      this.release(key);
      this.lastFailure.delete(key);
      const spec = getObj(svc as Obj, 'spec');
      // Clear an address of ours left in status (not one another LB implementation set).
      if (getOptStr(spec, 'loadBalancerClass') === undefined && ingressIPs(svc).some((ip) => this.inPool(ip))) this.writeIngress(registry, svc, undefined);
      return;
    }
    const spec = getObj(svc as Obj, 'spec');
    const requested = getStr(spec, 'loadBalancerIP');
    let ip = this.byService.get(key);
    if (ip !== undefined && requested !== '' && requested !== ip) {
      this.release(key);
      ip = undefined;
    }
    if (ip === undefined) {
      let failure: string | undefined;
      if (requested !== '') {
        const owner = this.owners.get(requested);
        if (!this.inPool(requested)) failure = `Failed to allocate IP for "${key}": ${requested} is not in the address pool ${this.poolString()}`;
        else if (owner !== undefined && owner !== key) failure = `Failed to allocate IP for "${key}": ${requested} is already in use by ${owner}`;
        else ip = requested;
      } else {
        ip = ingressIPs(svc).find((x) => this.inPool(x) && !this.owners.has(x)) ?? this.lowestFree();
        if (ip === undefined) failure = `Failed to allocate IP for "${key}": no available IPs in the address pool ${this.poolString()}`;
      }
      if (ip === undefined) {
        if (this.lastFailure.get(key) !== failure && failure !== undefined) {
          this.lastFailure.set(key, failure);
          this.event(registry, svc, 'Warning', 'AllocationFailed', failure);
        }
        return;
      }
      this.assign(key, ip);
      this.lastFailure.delete(key);
    }
    const current = getObjArr(getObj(getObj(svc as Obj, 'status'), 'loadBalancer'), 'ingress');
    const same = current.length === 1 && getStr(current[0], 'ip') === ip && getStr(current[0], 'ipMode') === 'VIP' && Object.keys(current[0] ?? {}).length === 2;
    if (!same) {
      this.writeIngress(registry, svc, ip);
      this.event(registry, svc, 'Normal', 'IPAllocated', `Assigned IP ["${ip}"]`);
    }
  }

  private poolString(): string {
    return this.ranges.map(([a, b]) => (a === b ? intToIpv4(a) : `${intToIpv4(a)}-${intToIpv4(b)}`)).join(',');
  }

  private writeIngress(registry: Registry, svc: Readonly<KObject>, ip: string | undefined): void {
    const next = structuredClone(svc) as KObject;
    const status = (next['status'] ?? {}) as Obj;
    status['loadBalancer'] = ip === undefined ? {} : { ingress: [{ ip, ipMode: 'VIP' }] };
    next['status'] = status;
    registry.commitUpdate(SERVICES, svc, next, {}, 'status');
  }

  /** A core/v1 Event about the Service, as MetalLB's recorder writes it (repeats are folded). */
  private event(registry: Registry, svc: Readonly<KObject>, type: 'Normal' | 'Warning', reason: string, message: string): void {
    (this.events ?? (this.events = new EventRecorder(registry))).record(svc, type, reason, message, { component: COMPONENT });
  }
}
