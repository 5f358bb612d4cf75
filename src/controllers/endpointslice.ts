/**
 * @module controllers/endpointslice
 * The EndpointSlice controller and the legacy Endpoints controller of
 * kube-controller-manager, in one reconcile keyed by Service:
 *
 *   watch Services ─┐                      ┌─ plan slices (endpointslice-plan) ─► create/update/delete
 *   watch Pods ─────┼─► queue("ns/name") ──┤
 *   watch Slices ───┤   (pods map to the   └─ subsets (endpointslice-desired) ──► Endpoints "ns/name"
 *   watch Nodes ────┘    Services whose
 *                        selectors match)
 *
 * For every Service with a selector (not ExternalName): EndpointSlices named
 * `<svc>-<random5>` (generateName), labelled `kubernetes.io/service-name` and
 * `endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io`,
 * owned by the Service, addressType IPv4, one endpoint per pod with an IP on a
 * node, one slice per distinct port mapping; and the Endpoints object named as
 * the Service. Services without a selector are left alone (their slices and
 * Endpoints are the user's). Both writes carry
 * `endpoints.kubernetes.io/last-change-trigger-time` (the TriggerTimeTracker's
 * rule: the oldest pod-ready or Service-creation change since the last sync).
 *
 * Level-triggered: reconcile reads the current state from its watch-fed caches
 * and the registry, and writes only differences; running it twice writes
 * nothing. Pod events reach only the Services whose selectors match the pod's
 * old or new labels, through an index keyed by one `key=value` pair of each
 * selector, so the cost of a pod change does not grow with unrelated Services.
 */
import type { Node, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { RESOURCES } from '../api/resources.js';
import type { Registry } from '../apiserver/registry.js';
import { ApiError } from '../errors.js';
import { resourceKey, type KObject, type StoreEvent } from '../store/store.js';
import type { Controller } from './controller.js';
import { EventRecorder } from './events.js';
import { WorkQueue } from './workqueue.js';
import {
  ANNOTATION_TRIGGER_TIME,
  CONTROLLER_NAME,
  LABEL_HEADLESS,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  LABEL_ZONE,
  desiredEndpointSubsets,
  desiredSliceGroups,
  rfc3339Nano,
  selectorMatches,
  serviceSelector,
  sliceLabels,
} from './endpointslice-desired.js';
import { canonicalJson, planSlices } from './endpointslice-plan.js';

const res = (group: string, kind: string) => RESOURCES.find((r) => r.group === group && r.kind === kind)!;
const SERVICES = res('', 'Service');
const ENDPOINTS = res('', 'Endpoints');
const SLICES = res('discovery.k8s.io', 'EndpointSlice');
const OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';

export interface EndpointSliceControllerOptions {
  /** `--max-endpoints-per-slice` (default 100). */
  readonly maxEndpointsPerSlice?: number;
  /** Also maintain the legacy Endpoints objects (default true). */
  readonly mirrorEndpoints?: boolean;
  /** Receives reconcile errors (they are retried with backoff). */
  readonly onError?: (key: string, err: unknown) => void;
}

const asPod = (o: Readonly<KObject>): Pod => o as unknown as Pod;
const asService = (o: Readonly<KObject>): Service => o as unknown as Service;
const asSlice = (o: Readonly<KObject>): EndpointSlice => o as unknown as EndpointSlice;

function split(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** The pair a selector is indexed under: its smallest `key=value`. */
function indexPair(sel: Readonly<Record<string, string>>): string {
  return Object.keys(sel)
    .sort()
    .map((k) => `${k}=${sel[k] ?? ''}`)[0]!;
}

function pairs(labels: Readonly<Record<string, string>> | undefined): string[] {
  return Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`);
}

function ms(t: string | undefined | null): number {
  if (t === undefined || t === null) return 0;
  const n = Date.parse(t);
  return Number.isNaN(n) ? 0 : n;
}

/** The managing Service of a slice we own, "ns/name", or undefined. */
function managedOwner(o: Readonly<KObject>): string | undefined {
  const l = o.metadata.labels ?? {};
  const svc = l[LABEL_SERVICE_NAME];
  if (l[LABEL_MANAGED_BY] !== CONTROLLER_NAME || svc === undefined || svc === '') return undefined;
  return `${o.metadata.namespace ?? ''}/${svc}`;
}

class KeyedSets {
  private readonly m = new Map<string, Set<string>>();
  add(k: string, v: string): void {
    let s = this.m.get(k);
    if (!s) this.m.set(k, (s = new Set()));
    s.add(v);
  }
  remove(k: string, v: string): void {
    const s = this.m.get(k);
    if (!s) return;
    s.delete(v);
    if (s.size === 0) this.m.delete(k);
  }
  get(k: string): ReadonlySet<string> | undefined {
    return this.m.get(k);
  }
}

export class EndpointSliceController implements Controller {
  readonly name = 'endpointslice';
  private readonly maxPerSlice: number;
  private readonly mirror: boolean;
  private readonly onError: (key: string, err: unknown) => void;
  private queue?: WorkQueue;
  private readonly stops: Array<() => void> = [];

  /** "ns/name" -> pod */
  private readonly pods = new Map<string, Pod>();
  /** "ns|k=v" -> pod keys */
  private readonly podsByPair = new KeyedSets();
  /** "ns/name" -> selector of Services that have one */
  private readonly selectors = new Map<string, Readonly<Record<string, string>>>();
  /** "ns|k=v" -> Service keys (each selector under one pair) */
  private readonly servicesByPair = new KeyedSets();
  /** Service key -> slice name -> slice (managed slices only) */
  private readonly slices = new Map<string, Map<string, EndpointSlice>>();
  /** "ns/slice" -> owning Service key */
  private readonly sliceOwner = new Map<string, string>();
  /** node -> zone */
  private readonly zones = new Map<string, string>();
  /** Service key -> trigger-time state */
  private readonly triggers = new Map<string, { pods: Map<string, number>; service: number }>();
  /** Services whose Endpoints object this controller manages. */
  private readonly managedEndpoints = new Set<string>();
  /** Writes done, for tests and status: creates + updates + deletes. */
  writes = 0;
  private events: EventRecorder | undefined;

  constructor(opts: EndpointSliceControllerOptions = {}) {
    this.maxPerSlice = opts.maxEndpointsPerSlice ?? 100;
    this.mirror = opts.mirrorEndpoints ?? true;
    this.onError = opts.onError ?? (() => {});
  }

  start(registry: Registry): void {
    this.events = new EventRecorder(registry);
    const q = new WorkQueue((k) => this.reconcile(registry, k), this.onError);
    this.queue = q;
    const w = (plural: string, group: string, fn: (e: StoreEvent) => void) => this.stops.push(registry.store.watch(resourceKey(group, plural), {}, fn));
    for (const n of registry.list(res('', 'Node')).items) this.onNode('ADDED', n, false);
    for (const p of registry.list(res('', 'Pod')).items) this.onPod('ADDED', p);
    for (const s of registry.list(SERVICES).items) this.onService('ADDED', s);
    for (const s of registry.list(SLICES).items) this.onSlice('ADDED', s);
    for (const e of registry.list(ENDPOINTS).items) {
      const key = `${e.metadata.namespace ?? ''}/${e.metadata.name ?? ''}`;
      if (this.selectors.has(key)) this.managedEndpoints.add(key);
    }
    w('nodes', '', (e) => this.onNode(e.type, e.object, true));
    w('pods', '', (e) => this.onPod(e.type, e.object));
    w('services', '', (e) => this.onService(e.type, e.object));
    w('endpointslices', 'discovery.k8s.io', (e) => this.onSlice(e.type, e.object));
    w('endpoints', '', (e) => {
      const key = `${e.object.metadata.namespace ?? ''}/${e.object.metadata.name ?? ''}`;
      if (this.selectors.has(key)) q.add(key);
    });
    for (const key of this.selectors.keys()) q.add(key);
  }

  stop(): void {
    this.queue?.stop();
    for (const s of this.stops.splice(0)) s();
  }

  /** Resolves when no reconcile is queued or running (tests). */
  async idle(): Promise<void> {
    await this.queue?.idle();
  }

  // ---- watch handlers: caches and indexes only; the queue does the work ----

  private servicesFor(ns: string, labels: Readonly<Record<string, string>> | undefined, out: Set<string>): void {
    for (const p of pairs(labels)) {
      for (const key of this.servicesByPair.get(`${ns}|${p}`) ?? []) {
        const sel = this.selectors.get(key);
        if (sel !== undefined && selectorMatches(sel, labels)) out.add(key);
      }
    }
  }

  private onPod(type: StoreEvent['type'], o: Readonly<KObject>): void {
    const ns = o.metadata.namespace ?? '';
    const key = `${ns}/${o.metadata.name ?? ''}`;
    const prev = this.pods.get(key);
    const pod = asPod(o);
    for (const p of pairs(prev?.metadata?.labels)) this.podsByPair.remove(`${ns}|${p}`, key);
    if (type === 'DELETED') this.pods.delete(key);
    else {
      this.pods.set(key, pod);
      for (const p of pairs(pod.metadata?.labels)) this.podsByPair.add(`${ns}|${p}`, key);
    }
    const affected = new Set<string>();
    this.servicesFor(ns, prev?.metadata?.labels, affected);
    if (type !== 'DELETED') this.servicesFor(ns, pod.metadata?.labels, affected);
    for (const s of affected) this.queue?.add(s);
  }

  private onService(type: StoreEvent['type'], o: Readonly<KObject>): void {
    const ns = o.metadata.namespace ?? '';
    const key = `${ns}/${o.metadata.name ?? ''}`;
    const old = this.selectors.get(key);
    if (old !== undefined) this.servicesByPair.remove(`${ns}|${indexPair(old)}`, key);
    this.selectors.delete(key);
    const svc = asService(o);
    const sel = type === 'DELETED' ? undefined : serviceSelector(svc);
    if (sel !== undefined && svc.spec?.type !== 'ExternalName') {
      this.selectors.set(key, sel);
      this.servicesByPair.add(`${ns}|${indexPair(sel)}`, key);
    }
    if (type === 'DELETED' && old !== undefined) this.managedEndpoints.add(key);
    this.queue?.add(key);
  }

  private onSlice(type: StoreEvent['type'], o: Readonly<KObject>): void {
    const id = `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
    const prevOwner = this.sliceOwner.get(id);
    if (prevOwner !== undefined) {
      this.slices.get(prevOwner)?.delete(o.metadata.name ?? '');
      this.sliceOwner.delete(id);
    }
    const owner = type === 'DELETED' ? undefined : managedOwner(o);
    if (owner !== undefined) {
      let m = this.slices.get(owner);
      if (!m) this.slices.set(owner, (m = new Map()));
      m.set(o.metadata.name ?? '', asSlice(o));
      this.sliceOwner.set(id, owner);
    }
    for (const k of new Set([prevOwner, owner])) if (k !== undefined && this.selectors.has(k)) this.queue?.add(k);
  }

  private onNode(type: StoreEvent['type'], o: Readonly<KObject>, live: boolean): void {
    const n = o as unknown as Node;
    const name = n.metadata?.name ?? '';
    const zone = type === 'DELETED' ? '' : (n.metadata?.labels?.[LABEL_ZONE] ?? '');
    const prev = this.zones.get(name) ?? '';
    if (zone === '') this.zones.delete(name);
    else this.zones.set(name, zone);
    // A zone change is rare: resync every Service.
    if (live && zone !== prev) for (const key of this.selectors.keys()) this.queue?.add(key);
  }

  // ---- reconcile ----

  private podsMatching(ns: string, sel: Readonly<Record<string, string>>): Pod[] {
    let best: ReadonlySet<string> | undefined;
    for (const p of pairs(sel)) {
      const s = this.podsByPair.get(`${ns}|${p}`);
      if (s === undefined) return [];
      if (best === undefined || s.size < best.size) best = s;
    }
    const out: Pod[] = [];
    for (const k of best ?? []) {
      const pod = this.pods.get(k);
      if (pod !== undefined && selectorMatches(sel, pod.metadata?.labels)) out.push(pod);
    }
    return out;
  }

  /** `ComputeEndpointLastChangeTriggerTime`: the oldest change since the last sync, or undefined. */
  private triggerTime(key: string, svc: Service, pods: ReadonlyArray<Pod>): string | undefined {
    const state = this.triggers.get(key) ?? { pods: new Map<string, number>(), service: 0 };
    let min = Infinity;
    const next = new Map<string, number>();
    for (const pod of pods) {
      const ready = (pod.status?.conditions ?? []).find((c) => c.type === 'Ready');
      const t = ms(ready?.lastTransitionTime);
      if (t === 0) continue;
      next.set(pod.metadata?.name ?? '', t);
      if (t > (state.pods.get(pod.metadata?.name ?? '') ?? 0)) min = Math.min(min, t);
    }
    const st = ms(svc.metadata?.creationTimestamp);
    if (st > state.service) min = Math.min(min, st);
    this.triggers.set(key, { pods: next, service: st });
    return min === Infinity ? undefined : rfc3339Nano(new Date(min));
  }

  /** Level-triggered reconcile of one Service ("ns/name"). Public for tests. */
  reconcile(registry: Registry, key: string): void {
    const [ns, name] = split(key);
    const obj = registry.tryGet(SERVICES, ns, name);
    if (obj === undefined) {
      this.triggers.delete(key);
      for (const sliceName of [...(this.slices.get(key)?.keys() ?? [])]) this.remove(registry, ns, sliceName);
      if (this.managedEndpoints.has(key)) {
        this.managedEndpoints.delete(key);
        if (registry.tryGet(ENDPOINTS, ns, name) !== undefined) this.removeEndpoints(registry, ns, name);
      }
      return;
    }
    const svc = asService(obj);
    const sel = serviceSelector(svc);
    if (sel === undefined || svc.spec?.type === 'ExternalName') return;
    const pods = this.podsMatching(ns, sel);
    const trigger = this.triggerTime(key, svc, pods);
    // As kube-controller-manager, whose Endpoints controller runs apart: a slice the API refuses
    // (e.g. more than 100 ports) is a Warning Event and a retry, and Endpoints are still written.
    let sliceError: unknown;
    try {
      this.reconcileSlices(registry, obj, svc, pods, trigger);
    } catch (e) {
      sliceError = e;
      const msg = e instanceof Error ? e.message : String(e);
      this.events?.record(obj, 'Warning', 'FailedToUpdateEndpointSlices', `Error updating Endpoint Slices for Service ${ns}/${name}: ${msg}`, { component: 'endpoint-slice-controller' });
    }
    if (this.mirror) this.reconcileEndpoints(registry, svc, pods, trigger);
    if (sliceError !== undefined) throw sliceError;
  }

  private reconcileSlices(registry: Registry, obj: Readonly<KObject>, svc: Service, pods: ReadonlyArray<Pod>, trigger: string | undefined): void {
    const ns = obj.metadata.namespace ?? '';
    const key = `${ns}/${obj.metadata.name ?? ''}`;
    const groups = desiredSliceGroups(svc, pods, (n) => this.zones.get(n));
    const existing = [...(this.slices.get(key)?.values() ?? [])].filter((s) => s.addressType === 'IPv4');
    const plan = planSlices(groups, existing, this.maxPerSlice);
    const labels = sliceLabels(svc);
    const owner = { apiVersion: 'v1', kind: 'Service', name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
    for (const name of plan.delete) this.remove(registry, ns, name);
    const rewrite = (name: string, endpoints: unknown): void => {
      const cur = registry.tryGet(SLICES, ns, name);
      if (cur === undefined) return;
      const next = structuredClone(cur) as KObject;
      next['endpoints'] = endpoints;
      next.metadata.labels = labels;
      const refs = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.uid);
      next.metadata.ownerReferences = [owner, ...refs.filter((r) => !r.controller)];
      if (trigger !== undefined) next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [ANNOTATION_TRIGGER_TIME]: trigger };
      registry.commitUpdate(SLICES, cur, next, {});
      this.writes++;
    };
    for (const u of plan.update) rewrite(u.name, u.endpoints);
    for (const name of plan.keep) {
      const cur = this.slices.get(key)?.get(name);
      const owned = (cur?.metadata?.ownerReferences ?? []).some((r) => r.uid === owner.uid && r.controller === true);
      if (cur !== undefined && (canonicalJson(cur.metadata?.labels ?? {}) !== canonicalJson(labels) || !owned)) rewrite(name, cur.endpoints ?? []);
    }
    const prefix = `${obj.metadata.name ?? ''}-`.slice(0, 58);
    for (const c of plan.create) {
      const body: KObject = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: {
          generateName: prefix,
          namespace: ns,
          labels,
          ownerReferences: [owner],
          ...(trigger !== undefined ? { annotations: { [ANNOTATION_TRIGGER_TIME]: trigger } } : {}),
        },
        addressType: 'IPv4',
        endpoints: c.endpoints,
      };
      if (c.ports.length > 0) body['ports'] = c.ports;
      registry.create(SLICES, ns, body);
      this.writes++;
    }
  }

  private reconcileEndpoints(registry: Registry, svc: Service, pods: ReadonlyArray<Pod>, trigger: string | undefined): void {
    const ns = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    const { subsets, truncated } = desiredEndpointSubsets(svc, pods);
    const cur = registry.tryGet(ENDPOINTS, ns, name);
    this.managedEndpoints.add(`${ns}/${name}`);
    const svcLabels = svc.metadata?.labels ?? {};
    if (cur !== undefined) {
      const curLabels = { ...(cur.metadata.labels ?? {}) };
      delete curLabels[LABEL_HEADLESS];
      const headlessOk = (svc.spec?.clusterIP === 'None' || (svc.spec?.clusterIP ?? '') === '') === ((cur.metadata.labels ?? {})[LABEL_HEADLESS] !== undefined);
      const capacityOk = ((cur.metadata.annotations ?? {})[OVER_CAPACITY] === 'truncated') === truncated;
      if (canonicalJson(cur['subsets'] ?? []) === canonicalJson(subsets) && canonicalJson(curLabels) === canonicalJson(svcLabels) && headlessOk && capacityOk) return;
    }
    const labels: Record<string, string> = { ...svcLabels };
    if (svc.spec?.clusterIP === 'None' || (svc.spec?.clusterIP ?? '') === '') labels[LABEL_HEADLESS] = '';
    else delete labels[LABEL_HEADLESS];
    const annotations: Record<string, string> = { ...(cur?.metadata.annotations ?? {}) };
    if (trigger !== undefined) annotations[ANNOTATION_TRIGGER_TIME] = trigger;
    else delete annotations[ANNOTATION_TRIGGER_TIME];
    if (truncated) annotations[OVER_CAPACITY] = 'truncated';
    else delete annotations[OVER_CAPACITY];
    const next: KObject = cur === undefined ? { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: ns } } : (structuredClone(cur) as KObject);
    next.metadata.labels = labels;
    if (Object.keys(annotations).length > 0) next.metadata.annotations = annotations;
    else delete next.metadata.annotations;
    if (subsets.length > 0) next['subsets'] = subsets;
    else delete next['subsets'];
    if (cur === undefined) registry.create(ENDPOINTS, ns, next);
    else registry.commitUpdate(ENDPOINTS, cur, next, {});
    this.writes++;
  }

  private remove(registry: Registry, ns: string, sliceName: string): void {
    try {
      registry.delete(SLICES, ns, sliceName);
      this.writes++;
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }

  private removeEndpoints(registry: Registry, ns: string, name: string): void {
    try {
      registry.delete(ENDPOINTS, ns, name);
      this.writes++;
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 404)) throw e;
    }
  }
}
