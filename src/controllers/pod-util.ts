/**
 * @module controllers/pod-util
 * Facts about pods the workload controllers share: active, ready, available,
 * the pod-template hash and its encoding, and pod creation from a template.
 */
import { createHash } from 'node:crypto';
import type { KObject } from '../store/store.js';

export interface PodLike {
  readonly metadata: KObject['metadata'];
  readonly spec?: { readonly nodeName?: string; readonly [k: string]: unknown };
  readonly status?: {
    readonly phase?: string;
    readonly conditions?: ReadonlyArray<{ readonly type: string; readonly status: string; readonly lastTransitionTime?: string }>;
    readonly [k: string]: unknown;
  };
}

export function asPod(o: Readonly<KObject>): PodLike {
  return o as unknown as PodLike;
}

/** Counted by ReplicaSets: not terminating and not finished. */
export function isActive(p: PodLike): boolean {
  return !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
}

export function readyCondition(p: PodLike): { status: string; lastTransitionTime?: string } | undefined {
  return p.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isReady(p: PodLike): boolean {
  return readyCondition(p)?.status === 'True';
}

/** Ready for at least minReadySeconds. */
export function isAvailable(p: PodLike, minReadySeconds: number, now: Date): boolean {
  const c = readyCondition(p);
  if (c?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : 0;
  return now.getTime() - t >= minReadySeconds * 1000;
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** apimachinery's rand.SafeEncodeString: maps each byte to a character that cannot form words. */
export function safeEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE[s.charCodeAt(i) % SAFE.length];
  return out;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as Record<string, unknown>)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** FNV-1a 32-bit of the template's canonical JSON (plus collision count), encoded as the controller does. */
export function podTemplateHash(template: unknown, collisionCount = 0): string {
  let h = 0x811c9dc5;
  const data = canonical(template) + (collisionCount ? String(collisionCount) : '');
  const bytes = Buffer.from(data, 'utf8');
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return safeEncode(String(h >>> 0));
}

/** A stable short digest for comparing templates. */
export function templateDigest(template: unknown): string {
  return createHash('sha1').update(canonical(template)).digest('hex');
}
