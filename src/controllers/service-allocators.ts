/**
 * @module controllers/service-allocators
 * ClusterIP and NodePort allocation for Services, as kube-apiserver's Service
 * REST storage does it (`pkg/registry/core/service/storage/alloc.go`), run as a
 * registry `Admission`:
 *
 *   admit (CREATE/UPDATE, after validation)        committed (after the write)
 *     pick / check values against the bitmaps  ->    bitmaps := bitmaps - held(old) + held(new)
 *     write them into the object, or throw           (never for dry runs or refused writes)
 *
 * `admit` changes nothing but the object: a dry run shows the values a real
 * request would get and allocates nothing, and a request refused by any later
 * step allocates nothing either. `committed` derives what each Service holds from
 * the stored objects themselves, so it cannot drift from what was written.
 * `repair` rebuilds both bitmaps from the stored Services at start-up (the
 * semantics of `ipallocator/controller/repair.go` and its port twin: duplicates
 * and out-of-range values are reported, never silently fixed).
 *
 * What it does not do: field validation (api/validation; only the allocation
 * failures kube-apiserver reports from its allocators are raised here), and
 * LoadBalancer IPs (controllers/loadbalancer).
 */
import type { Admission, Operation, Registry, RequestOptions } from '../apiserver/registry.js';
import type { ResourceInfo } from '../api/resources.js';
import { RESOURCES } from '../api/resources.js';
import { type FieldError, FieldPath, forbidden, invalid, invalidStatusMessage, statusCauses } from '../api/field-errors.js';
import { goStrSlice } from '../api/validation/go-value.js';
import { type Obj, ensureObj, getNum, getObj, getObjArr, getOptBool, getStr, getStrArr, isObj } from '../api/validation/unstructured.js';
import { initServiceIPFamilies } from '../api/defaults/index.js';
import { errors, type ApiError } from '../errors.js';
import type { KObject } from '../store/store.js';
import { NodePortRange, ServiceIPRange, parsePortRange, type PortRangeSpec } from './service-allocator-ranges.js';

const SERVICES = RESOURCES.find((r) => r.group === '' && r.kind === 'Service')!;

export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
export const DEFAULT_NODE_PORT_RANGE: PortRangeSpec = { min: 30000, max: 32767 };

export interface ServiceAllocatorOptions {
  /** `--service-cluster-ip-range` (IPv4). Default 10.96.0.0/12. */
  readonly serviceCIDR?: string;
  /** `--service-node-port-range`, as {min, max} or "30000-32767". */
  readonly nodePortRange?: PortRangeSpec | string;
  /**
   * Addresses never handed out dynamically, though honoured when asked for.
   * Default: the range's 1st (the `kubernetes` Service) and 10th (kube-dns).
   */
  readonly reservedIPs?: ReadonlyArray<string>;
  /** [0, 1) source for the random pick (tests inject a seeded one). */
  readonly random?: () => number;
}

export type RepairReason = 'ClusterIPNotValid' | 'ClusterIPOutOfRange' | 'ClusterIPAlreadyAllocated' | 'PortOutOfRange' | 'PortAlreadyAllocated';

/** One inconsistency `repair` found, with the event reason and message kube-apiserver's repair loop uses. */
export interface RepairProblem {
  /** "namespace/name" */
  readonly service: string;
  readonly reason: RepairReason;
  readonly message: string;
}

export interface RepairReport {
  readonly clusterIPs: number;
  readonly nodePorts: number;
  readonly problems: ReadonlyArray<RepairProblem>;
}

/** What a stored Service holds in the two ranges. */
interface Held {
  readonly ips: ReadonlyArray<string>;
  readonly ports: ReadonlyArray<number>;
}

const type = (spec: Obj | undefined): string => getStr(spec, 'type') || 'ClusterIP';
const needsClusterIP = (t: string): boolean => t !== 'ExternalName';
const needsNodePorts = (t: string): boolean => t === 'NodePort' || t === 'LoadBalancer';
const needsHealthCheck = (spec: Obj | undefined): boolean => type(spec) === 'LoadBalancer' && getStr(spec, 'externalTrafficPolicy') === 'Local';
/** `shouldAllocateNodePorts`. */
const shouldAllocateNodePorts = (spec: Obj): boolean =>
  type(spec) === 'NodePort' || (type(spec) === 'LoadBalancer' && getOptBool(spec, 'allocateLoadBalancerNodePorts') !== false);

function isHeadless(spec: Obj | undefined): boolean {
  const ips = getStrArr(spec, 'clusterIPs');
  return ips.length > 0 ? ips[0] === 'None' : getStr(spec, 'clusterIP') === 'None';
}

/** The ClusterIPs and NodePorts a stored Service holds. */
function heldBy(svc: Readonly<KObject> | undefined): Held {
  if (svc === undefined) return { ips: [], ports: [] };
  const spec = getObj(svc as Obj, 'spec');
  const t = type(spec);
  const ips: string[] = [];
  if (needsClusterIP(t) && !isHeadless(spec)) {
    const list = getStrArr(spec, 'clusterIPs');
    const all = list.length > 0 ? list : getStr(spec, 'clusterIP') ? [getStr(spec, 'clusterIP')] : [];
    for (const ip of all) if (ip !== '' && ip !== 'None') ips.push(ip);
  }
  const ports: number[] = [];
  if (needsNodePorts(t)) for (const p of getObjArr(spec, 'ports')) if (getNum(p, 'nodePort') !== 0 && !ports.includes(getNum(p, 'nodePort'))) ports.push(getNum(p, 'nodePort'));
  if (needsHealthCheck(spec) && getNum(spec, 'healthCheckNodePort') !== 0 && !ports.includes(getNum(spec, 'healthCheckNodePort'))) ports.push(getNum(spec, 'healthCheckNodePort'));
  return { ips, ports };
}

function invalidService(name: string, errs: FieldError[]): ApiError {
  return errors.invalid('', 'Service', name, invalidStatusMessage('/Service', name, errs), statusCauses(errs));
}

/** One request's NodePort picks (`portallocator.PortAllocationOperation`): checks only, no bitmap writes. */
class PortOperation {
  readonly picked = new Set<number>();
  constructor(private readonly range: NodePortRange) {}

  /** undefined when `port` is now taken by this operation, else the allocator's error text. */
  allocate(port: number): string | undefined {
    const r = this.range.check(port, this.picked);
    if (r === 'ok') {
      this.picked.add(port);
      return undefined;
    }
    if (r === 'not-in-range') return `provided port is not in the valid range. The range of valid ports is ${this.range.rangeString}`;
    return 'provided port is already allocated';
  }

  allocateNext(): number | undefined {
    const p = this.range.pickNext(this.picked);
    if (p !== undefined) this.picked.add(p);
    return p;
  }
}

export class ServiceAllocators implements Admission {
  private ipRange: ServiceIPRange;
  private portRange: NodePortRange;
  private readonly random: () => number;
  private readonly reservedIPs: ReadonlyArray<string>;
  readonly serviceCIDR: string;
  readonly nodePortRange: PortRangeSpec;

  constructor(opts: ServiceAllocatorOptions = {}) {
    this.random = opts.random ?? Math.random;
    this.serviceCIDR = opts.serviceCIDR ?? DEFAULT_SERVICE_CIDR;
    const npr = typeof opts.nodePortRange === 'string' ? parsePortRange(opts.nodePortRange) : (opts.nodePortRange ?? DEFAULT_NODE_PORT_RANGE);
    if (npr === undefined) throw new Error(`invalid NodePort range ${JSON.stringify(opts.nodePortRange)}`);
    this.nodePortRange = npr;
    const probe = new ServiceIPRange(this.serviceCIDR, [], this.random);
    this.reservedIPs = opts.reservedIPs ?? [probe.addressAt(0), probe.addressAt(9)];
    this.ipRange = new ServiceIPRange(this.serviceCIDR, this.reservedIPs, this.random);
    this.portRange = new NodePortRange(this.nodePortRange, this.random);
  }

  // ---- introspection (status, tests) ----

  isClusterIPAllocated(ip: string): boolean {
    return this.ipRange.has(ip);
  }

  isNodePortAllocated(port: number): boolean {
    return this.portRange.has(port);
  }

  get allocatedClusterIPs(): number {
    return this.ipRange.used;
  }

  get allocatedNodePorts(): number {
    return this.portRange.used;
  }

  // ---- repair ----

  /**
   * Rebuilds both bitmaps from `services` (all stored Services) and swaps them in.
   * The first Service to claim a value keeps it; later claimants are reported.
   */
  repair(services: Iterable<Readonly<KObject>>): RepairReport {
    const ips = new ServiceIPRange(this.serviceCIDR, this.reservedIPs, this.random);
    const ports = new NodePortRange(this.nodePortRange, this.random);
    const problems: RepairProblem[] = [];
    const sorted = [...services].sort((a, b) => String(a.metadata.creationTimestamp ?? '').localeCompare(String(b.metadata.creationTimestamp ?? '')));
    for (const svc of sorted) {
      const id = `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
      const held = heldBy(svc);
      for (const ip of held.ips) {
        const r = ips.check(ip);
        if (r === 'ok') ips.allocate(ip);
        else if (r === 'unparsable') problems.push({ service: id, reason: 'ClusterIPNotValid', message: `Cluster IP ${ip} is not a valid IP; please recreate service` });
        else if (r === 'not-in-range')
          problems.push({ service: id, reason: 'ClusterIPOutOfRange', message: `Cluster IP ${ip} is not within the configured Service CIDR ${this.serviceCIDR}; please recreate service` });
        else problems.push({ service: id, reason: 'ClusterIPAlreadyAllocated', message: `Cluster IP ${ip} was assigned to multiple services; please recreate service` });
      }
      for (const port of held.ports) {
        const r = ports.check(port);
        if (r === 'ok') ports.allocate(port);
        else if (r === 'not-in-range')
          problems.push({ service: id, reason: 'PortOutOfRange', message: `Port ${port} is not within the port range ${ports.rangeString}; please recreate service` });
        else problems.push({ service: id, reason: 'PortAlreadyAllocated', message: `Port ${port} was assigned to multiple services; please recreate service` });
      }
    }
    this.ipRange = ips;
    this.portRange = ports;
    return { clusterIPs: ips.used, nodePorts: ports.used, problems };
  }

  // ---- admission ----

  admit(op: Operation, res: ResourceInfo, obj: KObject | undefined, old: Readonly<KObject> | undefined, _opts: RequestOptions): void {
    if (res.group !== SERVICES.group || res.kind !== SERVICES.kind || obj === undefined) return;
    if (op === 'CREATE') this.admitCreate(obj as Obj, obj.metadata.name ?? '');
    else if (op === 'UPDATE' && old !== undefined) this.admitUpdate(obj as Obj, old as Obj, obj.metadata.name ?? '');
  }

  committed(_op: Operation, res: ResourceInfo, obj: Readonly<KObject> | undefined, old: Readonly<KObject> | undefined): void {
    if (res.group !== SERVICES.group || res.kind !== SERVICES.kind) return;
    const before = heldBy(old);
    const after = heldBy(obj);
    for (const ip of before.ips) if (!after.ips.includes(ip)) this.ipRange.release(ip);
    for (const p of before.ports) if (!after.ports.includes(p)) this.portRange.release(p);
    for (const ip of after.ips) if (!before.ips.includes(ip)) this.ipRange.allocate(ip);
    for (const p of after.ports) if (!before.ports.includes(p)) this.portRange.allocate(p);
  }

  private admitCreate(svc: Obj, name: string): void {
    const spec = ensureObj(svc, 'spec');
    if (type(spec) === 'ExternalName') return;
    // A lone clusterIP seeds clusterIPs (the strategy's NormalizeClusterIPs).
    if (getStr(spec, 'clusterIP') !== '' && getStrArr(spec, 'clusterIPs').length === 0) spec['clusterIPs'] = [getStr(spec, 'clusterIP')];
    initServiceIPFamilies(svc, ['IPv4']);
    this.allocClusterIP(spec, name);
    const op = new PortOperation(this.portRange);
    if (needsNodePorts(type(spec))) this.initNodePorts(spec, op, name);
    if (needsHealthCheck(spec)) this.allocHealthCheckNodePort(spec, op);
  }

  /** Sets clusterIP/clusterIPs to the requested (checked) or a picked address; headless gets "None". */
  private allocClusterIP(spec: Obj, name: string): void {
    const list = getStrArr(spec, 'clusterIPs');
    const requested = list[0] ?? getStr(spec, 'clusterIP');
    if (requested === 'None') {
      spec['clusterIP'] = 'None';
      spec['clusterIPs'] = ['None'];
      return;
    }
    let ip: string;
    if (requested !== '') {
      const r = this.ipRange.check(requested);
      if (r === 'unparsable') throw errors.internal(`failed to parse service IP ${JSON.stringify(requested)}`);
      if (r !== 'ok') {
        const why = r === 'not-in-range' ? `the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.serviceCIDR}` : 'provided IP is already allocated';
        throw invalidService(name, [invalid(FieldPath.of('spec', 'clusterIPs'), goStrSlice(list.length > 0 ? list : [requested]), `failed to allocate IP ${requested}: ${why}`)]);
      }
      ip = requested;
    } else {
      const picked = this.ipRange.pickNext();
      if (picked === undefined) throw errors.internal('failed to allocate a serviceIP: range is full');
      ip = picked;
    }
    spec['clusterIP'] = ip;
    spec['clusterIPs'] = [ip, ...list.slice(1)];
  }

  /** `initNodePorts`: ports with the same `port` number share one nodePort. */
  private initNodePorts(spec: Obj, op: PortOperation, name: string): void {
    const ports = getObjArr(spec, 'ports');
    const byServicePort = new Map<number, number>();
    ports.forEach((sp, i) => {
      const np = getNum(sp, 'nodePort');
      if (np === 0 && !shouldAllocateNodePorts(spec)) return;
      const port = getNum(sp, 'port');
      const shared = byServicePort.get(port) ?? 0;
      if (shared === 0) {
        const requested = ports.find((p) => getNum(p, 'port') === port && getNum(p, 'nodePort') !== 0);
        const want = requested === undefined ? 0 : getNum(requested, 'nodePort');
        if (want !== 0) {
          const err = op.allocate(want);
          if (err !== undefined) throw invalidService(name, [invalid(FieldPath.of('spec', 'ports').index(i).child('nodePort'), want, err)]);
          sp['nodePort'] = want;
          byServicePort.set(port, want);
        } else {
          const next = op.allocateNext();
          if (next === undefined) throw errors.internal('failed to allocate a nodePort: range is full');
          sp['nodePort'] = next;
          byServicePort.set(port, next);
        }
      } else if (np !== shared) {
        if (np === 0) sp['nodePort'] = shared;
        else {
          const err = op.allocate(np);
          if (err !== undefined) throw invalidService(name, [invalid(FieldPath.of('spec', 'ports').index(i).child('nodePort'), np, err)]);
        }
      }
    });
  }

  private allocHealthCheckNodePort(spec: Obj, op: PortOperation): void {
    const requested = getNum(spec, 'healthCheckNodePort');
    if (requested !== 0) {
      const err = op.allocate(requested);
      if (err !== undefined) throw errors.internal(`failed to allocate requested HealthCheck NodePort ${requested}: ${err}`);
      return;
    }
    const next = op.allocateNext();
    if (next === undefined) throw errors.internal('failed to allocate a HealthCheck NodePort 0: range is full');
    spec['healthCheckNodePort'] = next;
  }

  private admitUpdate(svc: Obj, old: Obj, name: string): void {
    const spec = ensureObj(svc, 'spec');
    const oldSpec = getObj(old, 'spec') ?? {};
    const t = type(spec);
    const oldT = type(oldSpec);
    this.patchAllocatedValues(spec, oldSpec);
    initServiceIPFamilies(svc, ['IPv4'], old);

    // ClusterIPs: immutable once set; ExternalName <-> other types allocate or release.
    if (needsClusterIP(oldT) && needsClusterIP(t) && !(isHeadless(oldSpec) && isHeadless(spec))) {
      const before = getStrArr(oldSpec, 'clusterIPs');
      const after = getStrArr(spec, 'clusterIPs');
      const shown = goStrSlice(Array.isArray(spec['clusterIPs']) ? after : undefined);
      if (before.length > 0 && after.length === 0) throw invalidService(name, [invalid(FieldPath.of('spec', 'clusterIPs').index(0), shown, 'primary clusterIP can not be unset')]);
      if (before.length > 0 && after[0] !== before[0]) throw invalidService(name, [invalid(FieldPath.of('spec', 'clusterIPs').index(0), shown, 'may not change once set')]);
      if (before.length === 0) this.allocClusterIP(spec, name);
    } else if (!needsClusterIP(oldT) && needsClusterIP(t)) {
      if (getStr(spec, 'clusterIP') !== '' && getStrArr(spec, 'clusterIPs').length === 0) spec['clusterIPs'] = [getStr(spec, 'clusterIP')];
      this.allocClusterIP(spec, name);
    }

    // NodePorts (`txnUpdateNodePorts`); releases happen at commit.
    const op = new PortOperation(this.portRange);
    if (needsNodePorts(t)) {
      const oldPorts = needsNodePorts(oldT) ? getObjArr(oldSpec, 'ports').map((p) => getNum(p, 'nodePort')).filter((n) => n !== 0) : [];
      getObjArr(spec, 'ports').forEach((sp, i) => {
        const np = getNum(sp, 'nodePort');
        if (np === 0 && !shouldAllocateNodePorts(spec)) return;
        if (np !== 0) {
          if (oldPorts.includes(np) || op.picked.has(np)) return;
          const err = op.allocate(np);
          if (err !== undefined) throw invalidService(name, [invalid(FieldPath.of('spec', 'ports').index(i).child('nodePort'), np, err)]);
        } else {
          const next = op.allocateNext();
          if (next === undefined) throw errors.internal('failed to allocate a nodePort: range is full');
          sp['nodePort'] = next;
        }
      });
    }

    // healthCheckNodePort (`updateHealthCheckNodePort`).
    const needed = needsHealthCheck(oldSpec);
    const needs = needsHealthCheck(spec);
    if (!needed && needs) this.allocHealthCheckNodePort(spec, op);
    else if (needed && needs && getNum(spec, 'healthCheckNodePort') !== getNum(oldSpec, 'healthCheckNodePort'))
      throw invalidService(name, [forbidden(FieldPath.of('spec', 'healthCheckNodePort'), 'field is immutable')]);
  }

  /**
   * The strategy's `patchAllocatedValues`: a replace that omits allocated values
   * keeps them (a no-op when api/defaults' prepareServiceForUpdate already ran).
   */
  private patchAllocatedValues(spec: Obj, oldSpec: Obj): void {
    if (needsClusterIP(type(oldSpec)) && needsClusterIP(type(spec))) {
      if (getStr(spec, 'clusterIP') === '' && getStr(oldSpec, 'clusterIP') !== '') spec['clusterIP'] = oldSpec['clusterIP'];
      if (getStrArr(spec, 'clusterIPs').length === 0 && getStrArr(oldSpec, 'clusterIPs').length > 0) spec['clusterIPs'] = [...getStrArr(oldSpec, 'clusterIPs')];
      if (getStr(spec, 'clusterIP') !== '' && getStrArr(spec, 'clusterIPs').length === 0) spec['clusterIPs'] = [getStr(spec, 'clusterIP')];
    }
    if (needsNodePorts(type(oldSpec)) && needsNodePorts(type(spec))) {
      const used = (s: Obj): Set<number> => new Set(getObjArr(s, 'ports').map((p) => getNum(p, 'nodePort')).filter((n) => n !== 0));
      const newUsed = used(spec);
      const inBoth = new Set([...used(oldSpec)].filter((n) => newUsed.has(n)));
      const byName = new Map(getObjArr(oldSpec, 'ports').map((p) => [getStr(p, 'name'), getNum(p, 'nodePort')] as const));
      for (const p of getObjArr(spec, 'ports')) {
        if (getNum(p, 'nodePort') !== 0 || !isObj(p)) continue;
        const oldVal = byName.get(getStr(p, 'name')) ?? 0;
        if (oldVal !== 0 && !inBoth.has(oldVal)) p['nodePort'] = oldVal;
      }
    }
    if (needsHealthCheck(oldSpec) && needsHealthCheck(spec) && getNum(spec, 'healthCheckNodePort') === 0 && getNum(oldSpec, 'healthCheckNodePort') !== 0) {
      spec['healthCheckNodePort'] = oldSpec['healthCheckNodePort'];
    }
  }
}

/**
 * The admission for a cluster: allocators over `opts`' ranges, repaired from the
 * Services already in `registry` (a restart keeps every allocation).
 */
export function createServiceAllocators(registry: Registry, opts: ServiceAllocatorOptions = {}): { allocators: ServiceAllocators; report: RepairReport } {
  const allocators = new ServiceAllocators(opts);
  const report = allocators.repair(registry.list(SERVICES).items);
  return { allocators, report };
}
