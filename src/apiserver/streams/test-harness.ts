/**
 * @module apiserver/streams/test-harness
 * Test-only: kwire's real `ApiServer` (with an in-memory Registry and no auth) on a
 * plain node:http server on 127.0.0.1, its 'upgrade' event wired to the API server,
 * and `createStreamHandlers(backend)` as its stream handlers; plus `kubectl()`, which
 * runs a real kubectl binary with a throwaway kubeconfig (http + token) and cache dir.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { RESOURCES } from '../../api/resources.js';
import type { KObject } from '../../store/store.js';
import { Store } from '../../store/store.js';
import { kubectlBinary, run, type RunResult } from '../../testing/kubectl.js';
import { Registry } from '../registry.js';
import { ApiServer } from '../server.js';
import type { StreamBackend } from './backend.js';
import { createStreamHandlers, type KwireStreamHandlers } from './handlers.js';

export const NS = 'lab';

const podsRes = RESOURCES.find((r) => r.plural === 'pods' && r.group === '')!;
const nsRes = RESOURCES.find((r) => r.plural === 'namespaces' && r.group === '')!;

/** A scheduled, running pod with the given containers (first one named `web` by default). */
export function runningPod(name: string, containers: string[] = ['web'], opts: { waiting?: Record<string, string> } = {}): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, labels: { app: name } },
    spec: { nodeName: 'node-1', containers: containers.map((c) => ({ name: c, image: 'busybox', ports: [{ containerPort: 8080 }] })) },
    status: {
      phase: opts.waiting ? 'Pending' : 'Running',
      conditions: [{ type: 'Ready', status: opts.waiting ? 'False' : 'True' }],
      podIP: '10.244.0.7',
      containerStatuses: containers.map((c) => {
        const reason = opts.waiting?.[c];
        return {
          name: c,
          image: 'busybox',
          imageID: '',
          containerID: reason ? undefined : `containerd://${c}0000`,
          ready: !reason,
          restartCount: 0,
          started: !reason,
          state: reason ? { waiting: { reason } } : { running: { startedAt: '2026-01-01T00:00:00Z' } },
          lastState: {},
        };
      }),
    },
  };
}

export interface Harness {
  readonly url: string;
  readonly registry: Registry;
  readonly handlers: KwireStreamHandlers;
  /** Every upgrade request seen: "POST SPDY/3.1 /api/…/exec" or "GET websocket v5.channel.k8s.io /api/…/exec". */
  readonly upgrades: string[];
  /** Runs kubectl `version` ("1.27", "1.31", "1.33") with `-n lab` added. */
  kubectl(version: string, args: ReadonlyArray<string>, opts?: { input?: string; timeoutMs?: number }): Promise<RunResult>;
  /** kubectl's argv prefix for spawning it yourself (long-running port-forward). */
  kubectlArgs(version: string, args: ReadonlyArray<string>): { cmd: string; args: string[]; env: NodeJS.ProcessEnv };
  close(): Promise<void>;
}

export async function startHarness(backend: StreamBackend, pods: ReadonlyArray<KObject>): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'kwire-streams-'));
  const registry = new Registry(new Store());
  registry.create(nsRes, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS }, spec: {}, status: { phase: 'Active' } });
  for (const p of pods) registry.create(podsRes, NS, structuredClone(p));
  const handlers = createStreamHandlers(backend);
  const api = new ApiServer({ registry, version: { major: '1', minor: '31', gitVersion: 'v1.31.0' }, streams: handlers });
  const server: Server = createServer(api.handle);
  const upgrades: string[] = [];
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const proto = req.headers['sec-websocket-protocol'];
    upgrades.push([req.method, req.headers.upgrade, ...(proto ? [proto] : []), (req.url ?? '').split('?')[0]].join(' '));
    api.handleUpgrade(req, socket, head);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: c, cluster: {server: "${url}"}}]`,
      'users: [{name: u, user: {token: t0k3n}}]',
      `contexts: [{name: x, context: {cluster: c, user: u, namespace: ${NS}}}]`,
      'current-context: x',
      '',
    ].join('\n'),
  );
  const env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir };
  const kubectlArgs = (version: string, args: ReadonlyArray<string>) => ({
    cmd: kubectlBinary(version),
    args: [`--cache-dir=${join(dir, 'cache', version)}`, ...args],
    env,
  });
  return {
    url,
    registry,
    handlers,
    upgrades,
    kubectlArgs,
    kubectl(version, args, opts = {}) {
      const k = kubectlArgs(version, args);
      return run(k.cmd, k.args, { env: k.env, input: opts.input, timeoutMs: opts.timeoutMs ?? 30_000 });
    },
    async close() {
      handlers.closeAll();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
