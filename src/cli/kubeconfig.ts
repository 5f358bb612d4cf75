/**
 * @module cli/kubeconfig
 * Merges a cluster's context into the user's kubeconfig ($KUBECONFIG's first file,
 * or ~/.kube/config) and removes it again, as kind does: other clusters, users and
 * contexts are never touched; `current-context` is set on up and cleared on delete
 * only when it pointed at ours.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, delimiter } from 'node:path';
import YAML from 'yaml';

export function kubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const k = env['KUBECONFIG'];
  if (k) {
    const first = k.split(delimiter).find((p) => p.length > 0);
    if (first) return first;
  }
  return join(env['HOME'] ?? homedir(), '.kube', 'config');
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  value?: T;
}

interface KubeconfigDoc {
  apiVersion?: string;
  kind?: string;
  clusters?: Array<Named<unknown>>;
  users?: Array<Named<unknown>>;
  contexts?: Array<Named<unknown>>;
  'current-context'?: string;
  preferences?: unknown;
  [k: string]: unknown;
}

function read(path: string): KubeconfigDoc {
  if (!existsSync(path)) return { apiVersion: 'v1', kind: 'Config', preferences: {}, clusters: [], users: [], contexts: [] };
  const text = readFileSync(path, 'utf8');
  const doc = (YAML.parse(text) ?? {}) as KubeconfigDoc;
  if (typeof doc !== 'object') throw new Error(`${path} is not a kubeconfig file`);
  return doc;
}

function write(path: string, doc: KubeconfigDoc): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.kwire-tmp`;
  writeFileSync(tmp, YAML.stringify(doc), { mode: 0o600 });
  renameSync(tmp, path);
}

function upsert(list: Array<Named<unknown>> | undefined, item: Named<unknown>): Array<Named<unknown>> {
  const out = (list ?? []).filter((x) => x.name !== item.name);
  out.push(item);
  return out;
}

export interface ContextEntry {
  readonly contextName: string; // "kwire" or "kwire-<name>"
  readonly server: string;
  readonly caPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** Adds or refreshes the cluster, user and context entries and selects the context. */
export function mergeContext(entry: ContextEntry, path = kubeconfigPath()): void {
  const doc = read(path);
  doc.apiVersion = doc.apiVersion ?? 'v1';
  doc.kind = doc.kind ?? 'Config';
  doc.clusters = upsert(doc.clusters, { name: entry.contextName, cluster: { server: entry.server, 'certificate-authority-data': b64(entry.caPem) } });
  doc.users = upsert(doc.users, { name: entry.contextName, user: { 'client-certificate-data': b64(entry.clientCertPem), 'client-key-data': b64(entry.clientKeyPem) } });
  doc.contexts = upsert(doc.contexts, { name: entry.contextName, context: { cluster: entry.contextName, user: entry.contextName } });
  doc['current-context'] = entry.contextName;
  write(path, doc);
}

/** Removes our entries; clears current-context only if it was ours. */
export function removeContext(contextName: string, path = kubeconfigPath()): void {
  if (!existsSync(path)) return;
  const doc = read(path);
  doc.clusters = (doc.clusters ?? []).filter((x) => x.name !== contextName);
  doc.users = (doc.users ?? []).filter((x) => x.name !== contextName);
  doc.contexts = (doc.contexts ?? []).filter((x) => x.name !== contextName);
  if (doc['current-context'] === contextName) doc['current-context'] = '';
  write(path, doc);
}

/** Writes a standalone kubeconfig holding only this cluster (for `kwire kubeconfig` and tests). */
export function standaloneKubeconfig(entry: ContextEntry): string {
  const doc: KubeconfigDoc = { apiVersion: 'v1', kind: 'Config', preferences: {}, clusters: [], users: [], contexts: [] };
  doc.clusters = [{ name: entry.contextName, cluster: { server: entry.server, 'certificate-authority-data': b64(entry.caPem) } }];
  doc.users = [{ name: entry.contextName, user: { 'client-certificate-data': b64(entry.clientCertPem), 'client-key-data': b64(entry.clientKeyPem) } }];
  doc.contexts = [{ name: entry.contextName, context: { cluster: entry.contextName, user: entry.contextName } }];
  doc['current-context'] = entry.contextName;
  return YAML.stringify(doc);
}
