/**
 * @module controllers/events
 * Records core/v1 Events as the cluster's components do (kubelet, scheduler,
 * controllers), so `kubectl describe` and `kubectl get events` show what happened.
 * Repeats of the same event on the same object are folded into one with a count.
 */
import { randomBytes } from 'node:crypto';
import type { Registry } from '../apiserver/registry.js';
import { nowRfc3339 } from '../apiserver/registry.js';
import { ApiError } from '../errors.js';
import type { KObject } from '../store/store.js';
import { R } from './informer.js';

export interface EventSource {
  readonly component: string;
  readonly host?: string;
}

export class EventRecorder {
  /** (object uid, reason, message) -> event name, for folding repeats. */
  private readonly seen = new Map<string, string>();

  constructor(private readonly registry: Registry) {}

  record(obj: Readonly<KObject>, type: 'Normal' | 'Warning', reason: string, message: string, source: EventSource, fieldPath?: string): void {
    const ns = obj.metadata.namespace ?? 'default';
    const key = `${obj.metadata.uid}/${reason}/${message}/${fieldPath ?? ''}`;
    const now = nowRfc3339();
    try {
      const existingName = this.seen.get(key);
      const existing = existingName ? this.registry.tryGet(R.events, ns, existingName) : undefined;
      if (existing) {
        const next = structuredClone(existing) as KObject;
        next['count'] = ((existing['count'] as number | undefined) ?? 1) + 1;
        next['lastTimestamp'] = now;
        this.registry.commitUpdate(R.events, existing, next, {});
        return;
      }
      const name = `${obj.metadata.name}.${randomBytes(8).toString('hex')}`;
      this.registry.create(R.events, ns, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace: ns },
        involvedObject: {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          name: obj.metadata.name,
          namespace: obj.metadata.namespace,
          uid: obj.metadata.uid,
          resourceVersion: obj.metadata.resourceVersion,
          ...(fieldPath ? { fieldPath } : {}),
        },
        reason,
        message,
        source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: source.component,
        reportingInstance: source.host ?? '',
      });
      this.seen.set(key, name);
      if (this.seen.size > 10_000) this.seen.delete(this.seen.keys().next().value!);
    } catch (e) {
      // Events are best effort: a terminating namespace refuses them.
      if (!(e instanceof ApiError)) throw e;
    }
  }
}
