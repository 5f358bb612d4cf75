/**
 * @module apiserver/registry
 * The generic REST semantics every kind shares, used by the HTTP shell and by the
 * in-process controllers alike (so both see the same validation and defaults):
 * create, get, list, update, patch, delete (finalizers, deletionTimestamp,
 * propagation policy), deletecollection, watch, dryRun, status subresources and
 * optimistic concurrency. Kind-specific behaviour comes from `KindStrategy` objects
 * (defaults, validation, status handling) and `Admission` hooks (allocators,
 * namespace lifecycle). Objects handed out are frozen; callers clone to modify.
 */
import { randomUUID } from 'node:crypto';
import { errors, ApiError } from '../errors.js';
import type { ResourceInfo } from '../api/resources.js';
import { groupKind, groupVersion } from '../api/resources.js';
import { Store, resourceKey, type KObject, type StoreEvent } from '../store/store.js';
import { parseLabelSelector, parseFieldSelector, matchesLabels, matchesFields, type FieldRequirement } from '../api/selectors.js';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

export interface RequestOptions {
  readonly dryRun?: boolean;
  readonly fieldManager?: string;
  /** "Strict" | "Warn" | "Ignore"; unknown-field checks happen in the HTTP shell before decoding. */
  readonly fieldValidation?: string;
  /** Warnings collected for the `Warning` response header. */
  readonly warnings?: string[];
}

/** Per-kind behaviour. Every member is optional; absent ones do nothing. */
export interface KindStrategy {
  /** Fills defaults on create and update, as the API's defaulters do. */
  defaults?(obj: KObject): void;
  /** Clears what a client may not set on create (status, ...). */
  prepareForCreate?(obj: KObject): void;
  /** Keeps what a client may not change on update (status on the main resource, ...). */
  prepareForUpdate?(obj: KObject, old: Readonly<KObject>): void;
  /** Throws an Invalid ApiError listing every field error. */
  validateCreate?(obj: KObject): void;
  validateUpdate?(obj: KObject, old: Readonly<KObject>): void;
  /** Whether spec changes bump metadata.generation. */
  readonly tracksGeneration?: boolean;
}

/** Admission: runs after validation, before the write (allocators, namespace lifecycle). May throw. */
export interface Admission {
  admit(op: Operation, res: ResourceInfo, obj: KObject | undefined, old: Readonly<KObject> | undefined, opts: RequestOptions): void;
  /** After a successful write; not called for dry runs. Used to commit/release allocations. */
  committed?(op: Operation, res: ResourceInfo, obj: Readonly<KObject> | undefined, old: Readonly<KObject> | undefined): void;
}

export interface ListResult {
  readonly items: ReadonlyArray<Readonly<KObject>>;
  readonly resourceVersion: string;
}

export interface DeleteOptions {
  readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  readonly gracePeriodSeconds?: number;
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
}

/** Field selectors each kind supports, beyond metadata.name and metadata.namespace. */
const FIELD_LABELS: Record<string, ReadonlyArray<string>> = {
  '/Pod': ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs', 'status.nominatedNodeName'],
  '/Node': ['spec.unschedulable'],
  '/Secret': ['type'],
  '/Namespace': ['status.phase'],
  '/Event': ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  'apps/ReplicaSet': ['status.replicas'],
  'events.k8s.io/Event': ['regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'reason', 'type'],
};

const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** A random suffix as the API server makes for generateName (5 characters). */
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += GENERATE_ALPHABET[Math.floor(Math.random() * GENERATE_ALPHABET.length)];
  return s;
}

export function nowRfc3339(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function clone<T>(o: T): T {
  return structuredClone(o);
}

function specOf(o: Readonly<KObject>): string {
  const { metadata: _m, status: _s, ...rest } = o as Record<string, unknown>;
  return JSON.stringify(rest);
}

export class Registry {
  private readonly strategies = new Map<string, KindStrategy>();
  private readonly admissions: Admission[] = [];

  constructor(
    readonly store: Store,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  setStrategy(gk: string, s: KindStrategy): void {
    this.strategies.set(gk, s);
  }

  addAdmission(a: Admission): void {
    this.admissions.push(a);
  }

  private strategy(res: ResourceInfo): KindStrategy {
    return this.strategies.get(groupKind(res.group, res.kind)) ?? {};
  }

  private key(res: ResourceInfo): string {
    return resourceKey(res.group, res.plural);
  }

  private typeMeta(res: ResourceInfo): { apiVersion: string; kind: string } {
    return { apiVersion: groupVersion(res.group, res.version), kind: res.kind };
  }

  // ---- reads ----

  get(res: ResourceInfo, namespace: string | undefined, name: string): Readonly<KObject> {
    const o = this.store.get(this.key(res), res.namespaced ? namespace : undefined, name);
    if (!o) throw errors.notFound(res.group, res.plural, name);
    return o;
  }

  tryGet(res: ResourceInfo, namespace: string | undefined, name: string): Readonly<KObject> | undefined {
    return this.store.get(this.key(res), res.namespaced ? namespace : undefined, name);
  }

  /** Compiles label and field selectors into a predicate, refusing unsupported field labels. */
  selectorFilter(res: ResourceInfo, labelSelector?: string, fieldSelector?: string): ((o: Readonly<KObject>) => boolean) | undefined {
    const lreqs = parseLabelSelector(labelSelector);
    const freqs = parseFieldSelector(fieldSelector);
    const allowed = FIELD_LABELS[groupKind(res.group, res.kind)] ?? [];
    for (const r of freqs) {
      if (r.field !== 'metadata.name' && r.field !== 'metadata.namespace' && !allowed.includes(r.field)) {
        throw errors.badRequest(`field label not supported: ${r.field}`);
      }
    }
    if (lreqs.length === 0 && freqs.length === 0) return undefined;
    const fr: ReadonlyArray<FieldRequirement> = freqs;
    return (o) => matchesLabels(lreqs, o.metadata.labels) && matchesFields(fr, o);
  }

  list(res: ResourceInfo, namespace?: string, labelSelector?: string, fieldSelector?: string): ListResult {
    const filter = this.selectorFilter(res, labelSelector, fieldSelector);
    const items = this.store.list(this.key(res), res.namespaced ? namespace : undefined, filter);
    return { items, resourceVersion: String(this.store.resourceVersion) };
  }

  /** Watches with replay from `resourceVersion` (410 when too old). Returns a stop function. */
  watch(
    res: ResourceInfo,
    opts: { namespace?: string; resourceVersion?: number; labelSelector?: string; fieldSelector?: string },
    cb: (e: StoreEvent) => void,
  ): () => void {
    const filter = this.selectorFilter(res, opts.labelSelector, opts.fieldSelector);
    return this.store.watch(this.key(res), { namespace: res.namespaced ? opts.namespace : undefined, resourceVersion: opts.resourceVersion, filter }, cb);
  }

  // ---- writes ----

  create(res: ResourceInfo, namespace: string | undefined, body: KObject, opts: RequestOptions = {}): Readonly<KObject> {
    const obj = clone(body);
    const tm = this.typeMeta(res);
    obj.apiVersion = tm.apiVersion;
    obj.kind = tm.kind;
    obj.metadata = obj.metadata ?? {};
    const md = obj.metadata;
    if (res.namespaced) {
      if (md.namespace && namespace && md.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      md.namespace = namespace ?? md.namespace;
    } else {
      delete md.namespace;
    }
    if (!md.name && md.generateName) md.name = `${md.generateName}${randomSuffix()}`;
    if (!md.name) {
      throw errors.invalid(res.group, res.kind, '', `${res.kind} "" is invalid: metadata.name: Required value: name or generateName is required`, [
        { reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' },
      ]);
    }
    md.uid = randomUUID();
    md.creationTimestamp = nowRfc3339(this.clock());
    delete md.resourceVersion;
    delete md.deletionTimestamp;
    delete md.deletionGracePeriodSeconds;
    const st = this.strategy(res);
    if (st.tracksGeneration) md.generation = 1;
    else delete md.generation;
    st.prepareForCreate?.(obj);
    st.defaults?.(obj);
    st.validateCreate?.(obj);
    if (this.tryGet(res, md.namespace, md.name)) throw errors.alreadyExists(res.group, res.plural, md.name);
    for (const a of this.admissions) a.admit('CREATE', res, obj, undefined, opts);
    if (opts.dryRun) return obj;
    const stored = this.store.put(this.key(res), obj, { expectCreate: true });
    for (const a of this.admissions) a.committed?.('CREATE', res, stored, undefined);
    return stored;
  }

  /**
   * Replaces an object (PUT), or its status with `subresource: 'status'`.
   * A resourceVersion in the body must match the stored one (409 otherwise).
   */
  update(res: ResourceInfo, namespace: string | undefined, name: string, body: KObject, opts: RequestOptions = {}, subresource?: string): Readonly<KObject> {
    const old = this.get(res, namespace, name);
    const obj = clone(body);
    if (obj.metadata?.name && obj.metadata.name !== name) {
      throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (res.namespaced && obj.metadata?.namespace && obj.metadata.namespace !== old.metadata.namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    const tm = this.typeMeta(res);
    obj.apiVersion = tm.apiVersion;
    obj.kind = tm.kind;
    obj.metadata = obj.metadata ?? {};
    const expectedRv = obj.metadata.resourceVersion;
    if (expectedRv && expectedRv !== old.metadata.resourceVersion) throw errors.staleResourceVersion(res.group, res.plural, name);
    return this.commitUpdate(res, old, obj, opts, subresource);
  }

  /** Writes `next` over `old`, applying the update strategy, generation and finalizer rules. */
  commitUpdate(res: ResourceInfo, old: Readonly<KObject>, next: KObject, opts: RequestOptions, subresource?: string): Readonly<KObject> {
    const obj = next;
    const md = obj.metadata;
    md.name = old.metadata.name;
    if (res.namespaced) md.namespace = old.metadata.namespace;
    else delete md.namespace;
    md.uid = old.metadata.uid;
    md.creationTimestamp = old.metadata.creationTimestamp;
    if (old.metadata.deletionTimestamp) {
      md.deletionTimestamp = old.metadata.deletionTimestamp;
      if (old.metadata.deletionGracePeriodSeconds !== undefined) md.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    } else {
      delete md.deletionTimestamp;
      delete md.deletionGracePeriodSeconds;
    }
    delete md.generateName;
    if (old.metadata.generateName) md.generateName = old.metadata.generateName;
    const st = this.strategy(res);
    if (subresource === 'status') {
      // Only status changes through the status subresource.
      const keep = clone(old) as KObject;
      keep.status = obj.status;
      keep.metadata = { ...keep.metadata, labels: old.metadata.labels, annotations: old.metadata.annotations };
      return this.finishUpdate(res, old, keep, opts, false);
    }
    if (subresource === 'binding') {
      // The scheduler's bind: only spec.nodeName is taken from the request.
      const bound = clone(old) as KObject;
      const nodeName = (obj['spec'] as { nodeName?: string } | undefined)?.nodeName;
      const cur = (old['spec'] as { nodeName?: string } | undefined)?.nodeName;
      if (cur && cur !== nodeName) throw errors.conflict(res.group, res.plural, md.name!, `pod ${md.name} is already assigned to node "${cur}"`);
      bound['spec'] = { ...((old['spec'] as object) ?? {}), nodeName };
      return this.finishUpdate(res, old, bound, opts, false);
    }
    if (subresource === 'finalize') {
      // Namespaces: only spec.finalizers is taken from the request.
      const fin = clone(old) as KObject;
      const finalizers = (obj['spec'] as { finalizers?: string[] } | undefined)?.finalizers;
      fin['spec'] = { ...((old['spec'] as object) ?? {}), finalizers };
      if (!finalizers) delete (fin['spec'] as { finalizers?: string[] }).finalizers;
      return this.finishUpdate(res, old, fin, opts, false);
    }
    if (subresource === undefined || subresource === '') {
      st.prepareForUpdate?.(obj, old);
      st.defaults?.(obj);
      st.validateUpdate?.(obj, old);
      if (st.tracksGeneration) {
        md.generation = (old.metadata.generation ?? 1) + (specOf(obj) !== specOf(old) ? 1 : 0);
      } else delete md.generation;
      return this.finishUpdate(res, old, obj, opts, true);
    }
    throw errors.pageNotFound();
  }

  private finishUpdate(res: ResourceInfo, old: Readonly<KObject>, obj: KObject, opts: RequestOptions, admit: boolean): Readonly<KObject> {
    if (admit) for (const a of this.admissions) a.admit('UPDATE', res, obj, old, opts);
    const unchanged = JSON.stringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: undefined, managedFields: undefined } }) ===
      JSON.stringify({ ...old, metadata: { ...old.metadata, resourceVersion: undefined, managedFields: undefined } });
    if (opts.dryRun) return { ...obj, metadata: { ...obj.metadata, resourceVersion: old.metadata.resourceVersion } };
    // A terminating object whose last finalizer went away is removed.
    if (obj.metadata.deletionTimestamp && !(obj.metadata.finalizers?.length) && !this.blockedBySpecFinalizers(res, obj)) {
      return this.removeNow(res, old);
    }
    if (unchanged) return old; // a no-op write does not bump the resourceVersion, as kube-apiserver does
    const stored = this.store.put(this.key(res), obj, { expectedRv: old.metadata.resourceVersion });
    for (const a of this.admissions) a.committed?.('UPDATE', res, stored, old);
    return stored;
  }

  /** Namespaces stay until their spec.finalizers ("kubernetes") are cleared by the namespace controller. */
  private blockedBySpecFinalizers(res: ResourceInfo, obj: Readonly<KObject>): boolean {
    if (res.group !== '' || res.kind !== 'Namespace') return false;
    const spec = obj['spec'] as { finalizers?: string[] } | undefined;
    return (spec?.finalizers?.length ?? 0) > 0;
  }

  private removeNow(res: ResourceInfo, old: Readonly<KObject>): Readonly<KObject> {
    const last = this.store.remove(this.key(res), old.metadata.namespace, old.metadata.name!);
    for (const a of this.admissions) a.committed?.('DELETE', res, undefined, old);
    return last;
  }

  /**
   * Deletes as kube-apiserver does: objects with finalizers (including those the
   * propagation policy adds) get a deletionTimestamp and stay until the finalizers
   * are gone; others are removed at once. Returns the object's last state.
   */
  delete(res: ResourceInfo, namespace: string | undefined, name: string, options: DeleteOptions = {}, opts: RequestOptions = {}): { object: Readonly<KObject>; removed: boolean } {
    const old = this.get(res, namespace, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw errors.conflict(res.group, res.plural, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict(res.group, res.plural, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    }
    for (const a of this.admissions) a.admit('DELETE', res, undefined, old, opts);
    const finalizers = [...(old.metadata.finalizers ?? [])];
    if (options.propagationPolicy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
    if (options.propagationPolicy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
    const isNamespace = res.group === '' && res.kind === 'Namespace';
    const gracefulPod = res.group === '' && res.kind === 'Pod' && this.podGraceful(old, options);
    if (finalizers.length > 0 || isNamespace || gracefulPod) {
      if (old.metadata.deletionTimestamp) {
        // Already terminating: only a propagation-policy finalizer may be added.
        if (finalizers.length === (old.metadata.finalizers?.length ?? 0) && !(gracefulPod && options.gracePeriodSeconds === 0)) return { object: old, removed: false };
      }
      const obj = clone(old) as KObject;
      obj.metadata.finalizers = finalizers.length ? finalizers : undefined;
      if (!obj.metadata.finalizers) delete obj.metadata.finalizers;
      obj.metadata.deletionTimestamp = old.metadata.deletionTimestamp ?? nowRfc3339(this.clock());
      obj.metadata.deletionGracePeriodSeconds = gracefulPod ? (options.gracePeriodSeconds ?? podGrace(old)) : 0;
      if (isNamespace) {
        obj['status'] = { ...((old['status'] as object) ?? {}), phase: 'Terminating' };
      }
      if (opts.dryRun) return { object: obj, removed: false };
      const stored = this.store.put(this.key(res), obj, {});
      return { object: stored, removed: false };
    }
    if (opts.dryRun) return { object: old, removed: true };
    return { object: this.removeNow(res, old), removed: true };
  }

  /** Pods are deleted gracefully when a kubelet owns them (see setPodGracefulDeletion). */
  private podGracefulFn: ((pod: Readonly<KObject>) => boolean) | undefined;

  setPodGracefulDeletion(fn: (pod: Readonly<KObject>) => boolean): void {
    this.podGracefulFn = fn;
  }

  private podGraceful(pod: Readonly<KObject>, options: DeleteOptions): boolean {
    if (!this.podGracefulFn) return false;
    if (options.gracePeriodSeconds === 0 && pod.metadata.deletionTimestamp === undefined) return false;
    return this.podGracefulFn(pod);
  }

  /** Removes a terminating pod for good (the kubelet's final step). */
  finalizePod(res: ResourceInfo, namespace: string, name: string): void {
    const old = this.tryGet(res, namespace, name);
    if (!old) return;
    if (old.metadata.finalizers?.length) return;
    this.removeNow(res, old);
  }

  deleteCollection(res: ResourceInfo, namespace: string | undefined, labelSelector: string | undefined, fieldSelector: string | undefined, options: DeleteOptions = {}, opts: RequestOptions = {}): ListResult {
    const { items } = this.list(res, namespace, labelSelector, fieldSelector);
    const out: Readonly<KObject>[] = [];
    for (const o of items) {
      try {
        out.push(this.delete(res, o.metadata.namespace, o.metadata.name!, options, opts).object);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return { items: out, resourceVersion: String(this.store.resourceVersion) };
  }
}

function podGrace(pod: Readonly<KObject>): number {
  const spec = pod['spec'] as { terminationGracePeriodSeconds?: number } | undefined;
  return spec?.terminationGracePeriodSeconds ?? 30;
}
