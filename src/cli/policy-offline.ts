/**
 * @module cli/policy-offline
 * The offline input of `kwire matrix -f` / `kwire explain -f`: manifests as
 * `kubectl get -o yaml` exports them (files, folders of .yaml/.yml/.json,
 * `-` for stdin; folders recurse with -R, as kubectl's), loaded with the
 * policy engine's offline loader into an engine and a selector-based Service
 * catalog. No cluster, no network: only file reads.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { selectorCatalog, type ServiceCatalog } from '../apiserver/kwire-endpoints.js';
import { loadOfflineYaml, PolicyEngine } from '../policy/index.js';
import { ClientError } from './policy-client.js';

const MANIFEST = /\.(ya?ml|json)$/i;

export interface OfflineInput {
  readonly engine: PolicyEngine;
  readonly catalog: ServiceCatalog;
  readonly warnings: ReadonlyArray<string>;
  /** The files read, in order. */
  readonly files: ReadonlyArray<string>;
}

function collect(path: string, recursive: boolean, top: boolean, out: string[]): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new ClientError(`the path "${path}" does not exist`);
  }
  if (!st.isDirectory()) {
    out.push(path);
    return;
  }
  if (!top && !recursive) return;
  for (const name of readdirSync(path).sort()) {
    const p = join(path, name);
    const s = statSync(p);
    if (s.isDirectory()) collect(p, recursive, false, out);
    else if (MANIFEST.test(name)) out.push(p);
  }
}

/** Expands `-f` arguments into files (folders: their manifests, sorted). */
export function manifestFiles(paths: ReadonlyArray<string>, recursive: boolean): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (p === '-') out.push('-');
    else collect(p, recursive, true, out);
  }
  return out;
}

/** Reads and loads the manifests; `stdin` supplies `-`. Throws ClientError naming the bad file. */
export async function loadOffline(paths: ReadonlyArray<string>, recursive: boolean, stdin: () => Promise<string>): Promise<OfflineInput> {
  const files = manifestFiles(paths, recursive);
  if (files.length === 0) throw new ClientError(`no manifests (.yaml, .yml, .json) found in ${paths.join(', ')}`);
  const texts: string[] = [];
  for (const f of files) texts.push(f === '-' ? await stdin() : readFileSync(f, 'utf8'));
  let result;
  try {
    result = loadOfflineYaml(texts.join('\n---\n'));
  } catch (err) {
    // Find the file at fault for the message.
    texts.forEach((t, i) => {
      try {
        loadOfflineYaml(t);
      } catch (e) {
        throw new ClientError(`error parsing ${files[i] === '-' ? 'stdin' : files[i]}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    throw new ClientError(`error loading manifests: ${err instanceof Error ? err.message : String(err)}`);
  }
  let engine: PolicyEngine;
  try {
    engine = PolicyEngine.fromModel(result.model);
  } catch (err) {
    throw new ClientError(`error loading manifests: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { engine, catalog: selectorCatalog(engine, result.services), warnings: result.warnings, files };
}
