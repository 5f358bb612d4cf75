/**
 * @module cluster/listener-retry.test
 * A NodePort held by another program on this machine: the cluster reports it
 * (listeners(), a Warning Event on the Service), and once the program lets the
 * port go, the host listeners' retry binds it and every consumer learns it:
 * onListenersChanged fires (`kwire status`'s state file, the UI's LISTENERS),
 * listeners() has no error, and a Normal Event says the port is listened on now.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type ListenerReport, type RunningCluster } from './cluster.js';
import { R } from '../controllers/informer.js';

// A subnet no test cluster (30-229) or lab cluster (100-249) uses.
const SUBNET = 251;
const NODE_IP = `127.0.${SUBNET}.2`;

/** Holds a free port of the NodePort range on NODE_IP, as another program would. */
async function holdNodePort(): Promise<{ server: Server; port: number }> {
  for (let port = 30000 + Math.floor(Math.random() * 2000); port <= 32767; port++) {
    const server = createServer();
    const ok = await new Promise<boolean>((r) => {
      server.once('error', () => r(false));
      server.listen(port, NODE_IP, () => r(true));
    });
    if (ok) return { server, port };
  }
  throw new Error(`no free NodePort on ${NODE_IP}`);
}

/** Resolves with the first listener report `pick` accepts, checked at every change. */
function whenListeners(c: RunningCluster, pick: (l: ReadonlyArray<ListenerReport>) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!pick(c.listeners())) return;
      stop();
      resolve();
    };
    const stop = c.onListenersChanged(check);
    check();
  });
}

function eventsOf(c: RunningCluster, reason: string): string[] {
  return c.registry
    .list(R.events, 'default')
    .items.filter((e) => e['reason'] === reason)
    .map((e) => `${String(e['type'])} ${String(e['message'])}`);
}

test('a NodePort freed by the program that held it is bound by the retry, and the cluster says so', { timeout: 20_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kwire-retry-'));
  const held = await holdNodePort();
  let heldOpen = true;
  const cluster = await startCluster(
    { name: 'retry', nodes: 1, nodeSubnet: SUBNET, apiPort: 0, kubernetesVersion: '1.31', ephemeral: true, clusterDomain: 'cluster.local' },
    { dataDir: join(dir, 'data'), ingressPorts: { http: 0, https: 0 } },
  );
  try {
    const address = `${NODE_IP}:${held.port}`;
    cluster.registry.create(R.services, 'default', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'held', namespace: 'default' },
      spec: { type: 'NodePort', selector: { app: 'held' }, ports: [{ port: 80, targetPort: 8080, nodePort: held.port, protocol: 'TCP' }] },
    });
    const mine = (ls: ReadonlyArray<ListenerReport>) => ls.find((l) => l.address === address);
    await whenListeners(cluster, (ls) => mine(ls)?.error !== undefined);
    assert.match(mine(cluster.listeners())!.error!, /already in use/);
    const where = `NodePort ${held.port}/TCP on ${NODE_IP} (retry-control-plane)`;
    assert.deepEqual(eventsOf(cluster, 'FailedToBindPort'), [`Warning ${where} cannot be listened on: ${mine(cluster.listeners())!.error}`]);
    assert.deepEqual(eventsOf(cluster, 'BoundPort'), []);

    const bound = whenListeners(cluster, (ls) => mine(ls) !== undefined && mine(ls)?.error === undefined);
    await new Promise<void>((r) => held.server.close(() => r()));
    heldOpen = false;
    await bound;
    assert.deepEqual(mine(cluster.listeners()), { what: 'NodePort default/held', address });
    assert.deepEqual(eventsOf(cluster, 'BoundPort'), [`Normal ${where} is listened on now`]);
  } finally {
    await cluster.stop();
    if (heldOpen) await new Promise<void>((r) => held.server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
});
