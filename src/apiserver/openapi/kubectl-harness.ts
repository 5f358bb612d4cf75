/**
 * @module apiserver/openapi/kubectl-harness
 * Test-only: a throwaway node:http server on 127.0.0.1 that answers just enough of the
 * kube-apiserver wire for `kubectl explain` (and apply's OpenAPI check): `/version`,
 * aggregated discovery for `/api` and `/apis`, `/openapi/v3*` from ./documents.ts and an
 * empty protobuf `/openapi/v2`, and for `kubectl apply` of a Service into "default" the
 * namespace GET, a 404 for the Service and a POST that enforces fieldValidation with
 * ./unknown-fields.ts. Plus `runKubectl`, which runs the real kubectl with a temporary
 * kubeconfig and cache dir (never ~/.kube) and a hard timeout.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RESOURCES, groupVersions } from '../../api/resources.js';
import { openapiV3Response } from './documents.js';
import { cannotBeHandledMessage, fieldValidationWarnings, findUnknownFields, strictDecodingMessage, warningHeaderValue } from './unknown-fields.js';

function discoveryGroup(group: string): unknown {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({
      version: gv.version,
      freshness: 'Current',
      resources: RESOURCES.filter((r) => r.group === group && r.version === gv.version).map((r) => ({
        resource: r.plural,
        responseKind: { group: r.group, version: r.version, kind: r.kind },
        scope: r.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: r.singular,
        verbs: r.verbs,
        ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
        ...(r.categories.length ? { categories: r.categories } : {}),
        subresources: r.subresources.map((s) => ({
          subresource: s.name,
          responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
          verbs: s.verbs,
        })),
      })),
    }));
  return { metadata: { name: group }, versions };
}

function aggregated(req: IncomingMessage, res: ServerResponse, groups: string[]): void {
  const accept = req.headers.accept ?? '';
  const v = accept.includes('v=v2;') || accept.includes('v=v2,') ? 'v2' : 'v2beta1';
  res.writeHead(200, { 'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList` });
  res.end(JSON.stringify({ kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items: groups.map(discoveryGroup) }));
}

/** Every request path the harness saw, for assertions. */
export interface Harness {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

/** POST of a Service: strict/warn field validation, then echo the object back as created. */
function createService(req: IncomingMessage, res: ServerResponse, body: string): void {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  let obj: unknown;
  try {
    obj = JSON.parse(body);
  } catch {
    status(res, 415, 'UnsupportedMediaType', `expected a JSON body, got ${req.headers['content-type'] ?? 'none'}`);
    return;
  }
  const unknown = findUnknownFields('v1', 'Service', obj);
  const mode = q.get('fieldValidation') ?? 'Warn';
  if (unknown.length > 0 && mode === 'Strict') {
    status(res, 400, 'BadRequest', cannotBeHandledMessage('Service', 'v1', strictDecodingMessage(unknown)));
    return;
  }
  const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json' };
  if (unknown.length > 0 && mode === 'Warn') headers.Warning = fieldValidationWarnings(unknown).map(warningHeaderValue);
  const created = typeof obj === 'object' && obj !== null ? { ...obj } : {};
  res.writeHead(201, headers);
  res.end(JSON.stringify(created));
}

export async function startHarness(opts: { minor?: string } = {}): Promise<Harness> {
  const requests: string[] = [];
  const minor = opts.minor ?? '31';
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    requests.push(`${req.method ?? 'GET'} ${url}`);
    const path = url.split('?')[0];
    if (req.method === 'POST' && path === '/api/v1/namespaces/default/services') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => createService(req, res, Buffer.concat(chunks).toString('utf8')));
    } else if (path === '/api/v1/namespaces/default') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'default', uid: 'u', resourceVersion: '1' }, status: { phase: 'Active' } }));
    } else if (path === '/version') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ major: '1', minor, gitVersion: `v1.${minor}.0`, platform: 'linux/amd64' }));
    } else if (path === '/api') {
      aggregated(req, res, ['']);
    } else if (path === '/apis') {
      aggregated(req, res, [...new Set(groupVersions().map((g) => g.group))].filter((g) => g !== ''));
    } else if (path === '/openapi/v2') {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end();
    } else if (path.startsWith('/openapi/v3')) {
      const r = openapiV3Response(url);
      res.writeHead(r.status, r.headers);
      res.end(r.body);
    } else {
      status(res, 404, 'NotFound', `the server could not find the requested resource (${path})`);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `kubectl <args>` against `server` with a throwaway kubeconfig and cache dir. */
export async function runKubectl(
  server: string,
  args: ReadonlyArray<string>,
  opts: { stdin?: string; timeoutMs?: number } = {},
): Promise<KubectlResult> {
  const dir = mkdtempSync(join(tmpdir(), 'kwire-openapi-'));
  try {
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "' + server + '"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
        '',
      ].join('\n'),
    );
    return await new Promise<KubectlResult>((resolve) => {
      const child = execFile(
        'kubectl',
        [...args, '--cache-dir', join(dir, 'cache')],
        { env: { PATH: process.env.PATH ?? '', HOME: dir, KUBECONFIG: kubeconfig }, timeout: opts.timeoutMs ?? 30_000, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => {
          const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
          resolve({ code, stdout, stderr });
        },
      );
      child.stdin?.end(opts.stdin ?? '');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
