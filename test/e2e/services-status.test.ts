/**
 * @module test/e2e/services-status
 * The node side of Services as a user sees it: `kwire up -d`, a NodePort and a
 * LoadBalancer Service applied with kubectl, and `kwire status` listing each
 * of their host listeners (the NodePort on every node IP, the LoadBalancer IP).
 * A NodePort that another program already holds on one node IP is reported,
 * never silently skipped: in `kwire status` with the remedy, and on the
 * Service as a Warning Event (`kubectl get events`, `kubectl describe`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kubectlBinary, run } from '../../src/testing/kubectl.js';
import { waitFor } from './lab-scenario.js';

const BIN = fileURLToPath(new URL('../../../bin/kwire.js', import.meta.url));

function env(home: string): NodeJS.ProcessEnv {
  return { ...process.env, KWIRE_HOME: join(home, 'kwire-home'), KUBECONFIG: join(home, 'kubeconfig'), HOME: home };
}
const kwire = (home: string, args: string[]) => run(process.execPath, [BIN, ...args], { env: env(home), timeoutMs: 30_000 });
const kubectl = (home: string, args: string[], input?: string) => run(kubectlBinary(), [`--cache-dir=${join(home, 'cache')}`, ...args], { env: env(home), input, timeoutMs: 30_000 });

/** Holds a free port in the NodePort range on `ip`, as "another program" would. */
async function holdNodePort(ip: string): Promise<{ server: Server; port: number }> {
  for (let i = 0; i < 50; i++) {
    const port = 30000 + Math.floor(Math.random() * 2768);
    const server = createServer((s) => s.destroy());
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, ip, () => resolve(true));
    });
    if (ok) return { server, port };
  }
  throw new Error(`no free port in 30000-32767 on ${ip}`);
}

const services = (nodePort: number) => `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: svc-status
spec:
  type: NodePort
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
    nodePort: ${nodePort}
---
apiVersion: v1
kind: Service
metadata:
  name: web-lb
  namespace: svc-status
spec:
  type: LoadBalancer
  selector:
    app: web
  ports:
  - port: 18080
    targetPort: 8080
`;

interface Status {
  running: boolean;
  nodes: Array<{ name: string; internalIP: string }>;
  listeners: Array<{ what: string; address: string; error?: string }>;
}

test('kwire status shows every NodePort and LoadBalancer listener; a port held by another program is an Event and a status line with the remedy', async () => {
  const home = mkdtempSync(join(tmpdir(), 'kwire-svc-status-'));
  let blocker: Server | undefined;
  try {
    const up = await kwire(home, ['up', '-d']);
    assert.equal(up.code, 0, up.stderr);
    const st = JSON.parse((await kwire(home, ['status', '-o', 'json'])).stdout) as Status;
    assert.equal(st.running, true);
    const nodes = st.nodes;
    assert.equal(nodes.length, 3);
    const victim = nodes[2]!;
    const held = await holdNodePort(victim.internalIP);
    blocker = held.server;
    const port = held.port;

    assert.equal((await kubectl(home, ['create', 'namespace', 'svc-status'])).code, 0);
    const applied = await kubectl(home, ['apply', '-f', '-'], services(port));
    assert.equal(applied.code, 0, applied.stderr);
    assert.deepEqual(applied.stdout.trim().split('\n'), ['service/web created', 'service/web-lb created']);
    const lbIp = await waitFor('the LoadBalancer IP', async () => {
      const r = await kubectl(home, ['get', 'svc', 'web-lb', '-n', 'svc-status', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']);
      return r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
    });
    const lbNodePort = (await kubectl(home, ['get', 'svc', 'web-lb', '-n', 'svc-status', '-o', 'jsonpath={.spec.ports[0].nodePort}'])).stdout.trim();

    // kwire status -o json: every listener, the held one with its error.
    const remedy = `${victim.internalIP}:${port} is already in use by another program on this machine; stop it or choose another port`;
    const status = await waitFor('the listeners in kwire status', async () => {
      const s = JSON.parse((await kwire(home, ['status', '-o', 'json'])).stdout) as Status;
      const mine = s.listeners.filter((l) => l.what.includes('svc-status/'));
      return mine.length === 3 + 3 + 1 ? s : undefined;
    });
    const of = (what: string) =>
      status.listeners
        .filter((l) => l.what === what)
        .map((l) => `${l.address}${l.error ? ` ! ${l.error}` : ''}`)
        .sort();
    assert.deepEqual(
      of('NodePort svc-status/web'),
      nodes.map((n) => `${n.internalIP}:${port}${n === victim ? ` ! ${remedy}` : ''}`).sort(),
    );
    assert.deepEqual(of('NodePort svc-status/web-lb'), nodes.map((n) => `${n.internalIP}:${lbNodePort}`).sort());
    assert.deepEqual(of('LoadBalancer svc-status/web-lb'), [`${lbIp}:18080`]);

    // kwire status, as a person reads it.
    const text = await kwire(home, ['status']);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.split('\n');
    const line = (what: string, address: string) => lines.find((l) => new RegExp(`^\\s+${what.replace(/\//g, '\\/')}\\s+${address.replace(/\./g, '\\.')}(\\s|$)`).test(l));
    for (const n of nodes) {
      const l = line('NodePort svc-status/web', `${n.internalIP}:${port}`);
      assert.ok(l !== undefined, `a line for ${n.internalIP}:${port} in\n${text.stdout}`);
      if (n === victim) assert.ok(l.endsWith(`(not bound: ${remedy})`), l);
      else assert.doesNotMatch(l, /not bound/);
      assert.ok(line('NodePort svc-status/web-lb', `${n.internalIP}:${lbNodePort}`) !== undefined);
    }
    assert.ok(line('LoadBalancer svc-status/web-lb', `${lbIp}:18080`) !== undefined, text.stdout);

    // The Service carries a Warning Event with the remedy; only the held port has one.
    const events = await waitFor('the Warning Event', async () => {
      const r = await kubectl(home, ['get', 'events', '-n', 'svc-status', '--field-selector', 'type=Warning', '-o', 'jsonpath={range .items[*]}{.involvedObject.kind}/{.involvedObject.name} {.reason} {.source.component} {.source.host}: {.message}{"\\n"}{end}']);
      return r.stdout.trim() !== '' ? r.stdout.trim().split('\n') : undefined;
    });
    assert.deepEqual(events, [`Service/web FailedToBindPort kube-proxy ${victim.name}: NodePort ${port}/TCP on ${victim.internalIP} (${victim.name}) cannot be listened on: ${remedy}`]);
    const describe = await kubectl(home, ['describe', 'svc', 'web', '-n', 'svc-status']);
    assert.match(describe.stdout, new RegExp(`Warning\\s+FailedToBindPort\\s+\\S+\\s+kube-proxy\\s+NodePort ${port}/TCP on ${victim.internalIP.replace(/\./g, '\\.')}`));
  } finally {
    await kwire(home, ['delete']);
    await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
    rmSync(home, { recursive: true, force: true });
  }
});
