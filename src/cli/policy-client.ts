/**
 * @module cli/policy-client
 * The thin HTTPS client `kwire explain|matrix|flows` use to reach a running
 * cluster's `/kwire/v1/...` endpoints, the way kubectl reaches the API: the
 * URL from the cluster folder's `state.json`, the cluster CA and the admin
 * client certificate from its `pki/` folder. Server errors come back as the
 * Kubernetes `Status` they are and print as kubectl prints them
 * ("Error from server (NotFound): pods "x" not found").
 * It never imports the store or the server: HTTP only.
 */
import { request } from 'node:https';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clusterDir, readJson, type ClusterState } from '../cluster/config.js';

/** Where and how to reach one cluster's API server. */
export interface ApiTarget {
  readonly cluster: string;
  readonly url: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

/** Something the user can act on (not running, unreachable); printed as is, exit 1. */
export class ClientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientError';
  }
}

/** A `Status` answer from the server. */
export class ServerError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'ServerError';
  }

  /** As kubectl prints it. */
  get display(): string {
    return `Error from server (${this.reason}): ${this.message}`;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads `state.json` and the PKI of cluster `name`; throws ClientError when it is not running. */
export function clusterTarget(name: string, env: NodeJS.ProcessEnv = process.env): ApiTarget {
  const dir = clusterDir(name, env);
  const st = readJson<ClusterState>(join(dir, 'state.json'));
  if (!st || typeof st.apiServer !== 'string' || !alive(st.pid)) {
    throw new ClientError(`cluster "${name}" is not running; start it with \`kwire start${name === 'kwire' ? '' : ` --name ${name}`}\` (or analyse manifests offline with -f)`);
  }
  const pki = join(dir, 'pki');
  const read = (f: string): string => {
    const p = join(pki, f);
    if (!existsSync(p)) throw new ClientError(`cluster "${name}": missing ${p}`);
    return readFileSync(p, 'utf8');
  };
  return { cluster: name, url: st.apiServer, ca: read('ca.crt'), cert: read('admin.crt'), key: read('admin.key') };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function serverError(code: number, body: string): ServerError {
  try {
    const s: unknown = JSON.parse(body);
    if (isRecord(s) && s['kind'] === 'Status' && typeof s['message'] === 'string') {
      return new ServerError(code, typeof s['reason'] === 'string' ? s['reason'] : 'Unknown', s['message']);
    }
  } catch {
    /* not JSON: fall through */
  }
  return new ServerError(code, 'Unknown', `the server answered ${code}: ${body.trim().slice(0, 200)}`);
}

function unreachable(target: ApiTarget, err: Error): ClientError {
  const code = (err as NodeJS.ErrnoException).code;
  return new ClientError(`cannot reach the API server of cluster "${target.cluster}" at ${target.url} (${code ?? err.message}); is it running? (\`kwire status\`)`);
}

function urlOf(target: ApiTarget, path: string, query: URLSearchParams): URL {
  const u = new URL(path, target.url);
  u.search = query.toString();
  return u;
}

/** GETs a JSON document; rejects with ServerError for a Status, ClientError when unreachable. */
export function getJson(target: ApiTarget, path: string, query: URLSearchParams): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(urlOf(target, path, query), { method: 'GET', ca: target.ca, cert: target.cert, key: target.key, headers: { Accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code >= 400) return reject(serverError(code, body));
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(new ClientError(`the server sent invalid JSON: ${e instanceof Error ? e.message : String(e)}`));
        }
      });
    });
    req.on('error', (e) => reject(unreachable(target, e)));
    req.end();
  });
}

/**
 * GETs a stream of JSON lines and calls `onLine` with each parsed line until
 * the server ends it or `signal` aborts (which resolves, not rejects).
 */
export function streamJsonLines(target: ApiTarget, path: string, query: URLSearchParams, onLine: (v: unknown) => void, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return resolve();
    const req = request(urlOf(target, path, query), { method: 'GET', ca: target.ca, cert: target.cert, key: target.key, headers: { Accept: 'application/json' } }, (res) => {
      const code = res.statusCode ?? 0;
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        if (code >= 400) return;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (line === '') continue;
          try {
            onLine(JSON.parse(line));
          } catch (e) {
            req.destroy();
            reject(e instanceof Error ? e : new Error(String(e)));
            return;
          }
        }
      });
      res.on('end', () => (code >= 400 ? reject(serverError(code, buf)) : resolve()));
      res.on('error', () => resolve());
      res.on('close', () => resolve());
    });
    const onAbort = (): void => {
      req.destroy();
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (e) => (signal?.aborted ? resolve() : reject(unreachable(target, e))));
    req.on('close', () => signal?.removeEventListener('abort', onAbort));
    req.end();
  });
}
