/**
 * @module ingress/controller
 * The ingress-nginx controller loop: watches Ingresses, IngressClasses, Services
 * and Secrets through the store's watch (the one `kubectl get -w` uses),
 * recompiles the route table on any change (coalesced, off the watch callback),
 * and writes what ingress-nginx writes:
 * - `status.loadBalancer.ingress: [{ip}]` on every served Ingress (the controller
 *   Service's EXTERNAL-IP, from the injected getter), cleared when an Ingress
 *   stops being served;
 * - core/v1 Events on Ingresses: Normal `Sync` "Scheduled for sync" when a served
 *   Ingress changes, Warning events for unsupported or invalid annotations, bad
 *   TLS Secrets and invalid regex paths (each once per Ingress and message).
 * Level-triggered: running a sync twice writes nothing the second time.
 *
 * ```
 *  watch(ingresses|ingressclasses|services|secrets) -> schedule -> sync():
 *     list -> compileRouteTable -> table (proxy reads it) -> status -> events
 * ```
 */
import { randomBytes } from 'node:crypto';
import { RESOURCES, type ResourceInfo } from '../api/resources.js';
import type { Registry } from '../apiserver/registry.js';
import type { Controller } from '../controllers/controller.js';
import { nowRfc3339 } from '../apiserver/registry.js';
import { resourceKey, type KObject } from '../store/store.js';
import { DEFAULT_CLASS_CONFIG, type ClassConfig } from './ingress-class.js';
import { compileRouteTable, type IngressProblem, type RouteTable } from './route-table.js';
import type { Ingress, IngressClass, Secret, Service } from './types.js';

export const EVENT_COMPONENT = 'nginx-ingress-controller';

export interface IngressControllerOptions {
  /** The controller Service's load-balancer IP, or undefined while it has none. */
  readonly loadBalancerIp: () => string | undefined;
  readonly classConfig?: ClassConfig;
  /** Called with each new table (after the controller's own copy is updated). */
  readonly onTable?: (table: RouteTable) => void;
  /** reportingInstance of Events (the controller pod's name). */
  readonly instance?: string;
  readonly clock?: () => Date;
}

function res(group: string, kind: string): ResourceInfo {
  const r = RESOURCES.find((x) => x.group === group && x.kind === kind);
  if (r === undefined) throw new Error(`resource ${group}/${kind} is not served`);
  return r;
}

const EMPTY_TABLE: RouteTable = compileRouteTable({ ingresses: [], ingressClasses: [], services: [], secrets: [] });

interface LbStatus {
  loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> };
}

export class IngressController implements Controller {
  readonly name = 'ingress-nginx';
  readonly #opts: IngressControllerOptions;
  #registry: Registry | undefined;
  #table: RouteTable = EMPTY_TABLE;
  readonly #stops: Array<() => void> = [];
  #scheduled = false;
  #stopped = false;
  /** uid -> keys of events already emitted for that Ingress */
  readonly #emitted = new Map<string, Set<string>>();
  readonly #ING = res('networking.k8s.io', 'Ingress');
  readonly #CLASS = res('networking.k8s.io', 'IngressClass');
  readonly #SVC = res('', 'Service');
  readonly #SECRET = res('', 'Secret');
  readonly #EVENT = res('', 'Event');

  constructor(opts: IngressControllerOptions) {
    this.#opts = opts;
  }

  /** The current route table (the proxy's `routes` getter). */
  table(): RouteTable {
    return this.#table;
  }

  start(registry: Registry): void {
    this.#registry = registry;
    this.#stopped = false;
    for (const r of [this.#ING, this.#CLASS, this.#SVC, this.#SECRET]) {
      this.#stops.push(registry.store.watch(resourceKey(r.group, r.plural), {}, () => this.#schedule()));
    }
    this.#compile();
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    for (const s of this.#stops.splice(0)) s();
  }

  #schedule(): void {
    if (this.#scheduled || this.#stopped) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#stopped) this.sync();
    });
  }

  /** Resolves once no sync is pending (tests). */
  async idle(): Promise<void> {
    while (this.#scheduled) await new Promise((r) => setImmediate(r));
  }

  #compile(): RouteTable {
    const reg = this.#registry;
    if (reg === undefined) return this.#table;
    const list = <T>(r: ResourceInfo): T[] => reg.list(r).items as unknown as T[];
    this.#table = compileRouteTable({
      ingresses: list<Ingress>(this.#ING),
      ingressClasses: list<IngressClass>(this.#CLASS),
      services: list<Service>(this.#SVC),
      secrets: list<Secret>(this.#SECRET).filter((s) => s.data?.['tls.crt'] !== undefined || s.stringData?.['tls.crt'] !== undefined),
      classConfig: this.#opts.classConfig ?? DEFAULT_CLASS_CONFIG,
    });
    this.#opts.onTable?.(this.#table);
    return this.#table;
  }

  /** Recompiles, then writes status and events. Idempotent. */
  sync(): void {
    const reg = this.#registry;
    if (reg === undefined) return;
    const table = this.#compile();
    const served = new Set(table.served.map((s) => `${s.namespace}/${s.name}`));
    const ip = this.#opts.loadBalancerIp();
    const live = new Set<string>();
    for (const o of reg.list(this.#ING).items) {
      const ns = o.metadata.namespace ?? 'default';
      const name = o.metadata.name ?? '';
      if (o.metadata.uid !== undefined) live.add(o.metadata.uid);
      const isServed = served.has(`${ns}/${name}`) && o.metadata.deletionTimestamp === undefined;
      this.#syncStatus(reg, o, isServed, ip);
      if (isServed) {
        const spec = JSON.stringify([o['spec'], o.metadata.annotations ?? {}]);
        this.#event(reg, o, 'Normal', 'Sync', 'Scheduled for sync', `sync|${spec}`);
      }
    }
    for (const p of table.problems) this.#problem(reg, p);
    for (const uid of [...this.#emitted.keys()]) if (!live.has(uid)) this.#emitted.delete(uid);
  }

  #syncStatus(reg: Registry, o: Readonly<KObject>, served: boolean, ip: string | undefined): void {
    const status = (o['status'] ?? {}) as LbStatus;
    const current = status.loadBalancer?.ingress ?? [];
    let desired: Array<{ ip: string }> | undefined;
    if (served) {
      if (ip === undefined) return;
      desired = [{ ip }];
    } else {
      // an Ingress we no longer serve: remove our address, leave others
      if (ip === undefined || !current.some((i) => i.ip === ip)) return;
      desired = current.filter((i) => i.ip !== ip) as Array<{ ip: string }>;
    }
    if (JSON.stringify(current) === JSON.stringify(desired)) return;
    const next = structuredClone(o) as KObject;
    next['status'] = { ...status, loadBalancer: { ...(status.loadBalancer ?? {}), ingress: desired } };
    try {
      reg.update(this.#ING, o.metadata.namespace, o.metadata.name!, next, {}, 'status');
    } catch {
      this.#schedule(); // conflict or gone: look again
    }
  }

  #problem(reg: Registry, p: IngressProblem): void {
    const o = reg.tryGet(this.#ING, p.ingress.namespace, p.ingress.name);
    if (o === undefined) return;
    this.#event(reg, o, 'Warning', p.reason, p.message, `${p.reason}|${p.message}`);
  }

  #event(reg: Registry, o: Readonly<KObject>, type: 'Normal' | 'Warning', reason: string, message: string, key: string): void {
    const uid = o.metadata.uid ?? `${o.metadata.namespace}/${o.metadata.name}`;
    let seen = this.#emitted.get(uid);
    if (seen === undefined) this.#emitted.set(uid, (seen = new Set()));
    if (seen.has(key)) return;
    seen.add(key);
    const now = nowRfc3339(this.#opts.clock?.() ?? new Date());
    const ns = o.metadata.namespace ?? 'default';
    const body: KObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${o.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: ns },
      involvedObject: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        namespace: ns,
        name: o.metadata.name,
        uid: o.metadata.uid,
        resourceVersion: o.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: EVENT_COMPONENT },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: EVENT_COMPONENT,
      reportingInstance: this.#opts.instance ?? '',
    };
    try {
      reg.create(this.#EVENT, ns, body);
    } catch {
      seen.delete(key); // e.g. namespace terminating; try again on the next sync
    }
  }
}
