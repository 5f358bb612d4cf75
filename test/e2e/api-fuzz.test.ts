/**
 * Bad input: random and mutated bodies, paths, methods and content types thrown at
 * every endpoint for a bounded time. The server must not crash, must answer client
 * mistakes with 4xx Status objects (never 5xx), and the store must hold only
 * well-formed objects afterwards; kubectl still works.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:https';
import { startTestCluster } from '../../src/testing/test-cluster.js';
import { RESOURCES, groupVersion } from '../../src/api/resources.js';
import { seededRandom } from '../../src/testing/rng.js';

const rng = seededRandom;

const SAMPLES: unknown[] = [
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' }, spec: { ports: [{ port: 80 }], selector: { app: 'x' } } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'np' }, spec: { podSelector: {} } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'ing' }, spec: { rules: [{ host: 'a.b', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: 80 } } } }] } }] } },
];

const WEIRD: unknown[] = [null, true, 0, -1, 1e308, '', 'x'.repeat(300), [], {}, [1, 2], { $patch: 'delete' }, '../../etc', '\u0000', NaN];

function mutate(v: unknown, r: () => number, depth = 0): unknown {
  if (depth > 6) return v;
  if (r() < 0.15) return WEIRD[Math.floor(r() * WEIRD.length)];
  if (Array.isArray(v)) return v.map((x) => mutate(x, r, depth + 1));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (r() < 0.1) continue;
      out[r() < 0.05 ? `${k}X` : k] = mutate(x, r, depth + 1);
    }
    if (r() < 0.1) out['unexpected'] = WEIRD[Math.floor(r() * WEIRD.length)];
    return out;
  }
  return v;
}

test('fuzzed requests never crash the server nor get 5xx, and leave no corrupt object', async () => {
  const c = await startTestCluster({ ephemeral: true });
  const u = new URL(c.cluster.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 8, ca: c.cluster.pki.caCert, cert: c.cluster.pki.clientCert, key: c.cluster.pki.clientKey });
  const send = (method: string, path: string, body: Buffer | undefined, ct: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: u.hostname, port: u.port, path, method, agent, headers: { 'Content-Type': ct, ...(body ? { 'Content-Length': body.length } : {}) } }, (res) => {
        let b = '';
        res.on('data', (d: Buffer) => (b += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: b }));
      });
      req.on('error', reject);
      req.end(body);
    });
  try {
    await c.kubectlOk(['create', 'namespace', 'fuzz']);
    const r = rng(20261128);
    const pick = <T>(xs: ReadonlyArray<T>): T => xs[Math.floor(r() * xs.length)]!;
    const cts = ['application/json', 'application/yaml', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json', 'application/apply-patch+yaml', 'application/vnd.kubernetes.protobuf', 'text/plain', 'application/x-weird'];
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
    const deadline = Date.now() + 8000;
    let n = 0;
    const fiveXX: string[] = [];
    const statuses = new Map<number, number>();
    while (Date.now() < deadline && n < 4000) {
      n++;
      const res = pick(RESOURCES);
      const prefix = res.group === '' ? '/api/v1' : `/apis/${groupVersion(res.group, res.version)}`;
      const ns = res.namespaced ? `/namespaces/${pick(['fuzz', 'default', 'nope', '%2e%2e', ''])}` : '';
      const name = pick(['', '/cm', '/svc', '/d', '/np', '/ing', '/x%00y', '/' + 'a'.repeat(300), '/status', '/cm/status', '/d/scale', '/x/log']);
      const query = pick(['', '?watch=0', '?labelSelector=a%3Db', '?labelSelector=a%20in%20(', '?fieldSelector=bogus%3D1', '?dryRun=All', '?dryRun=Nope', '?fieldValidation=Strict', '?resourceVersion=abc', '?fieldManager=f&force=true']);
      const path = pick([`${prefix}${ns}/${res.plural}${name}${query}`, `${prefix}/${res.plural}${query}`, `/apis/nope/v9/things`, `/api/v2/pods`, `/openapi/v3/apis/nope`, `/${'x/'.repeat(r() * 10)}`]);
      const sample = mutate(pick(SAMPLES), r);
      let body: Buffer | undefined;
      const form = r();
      if (form < 0.5) body = Buffer.from(JSON.stringify(sample) ?? 'null');
      else if (form < 0.7) body = Buffer.from(JSON.stringify(sample)?.slice(0, Math.floor(r() * 40)) ?? '');
      else if (form < 0.85) body = Buffer.from(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)));
      else body = undefined;
      const resp = await send(pick(methods), path, body, pick(cts));
      statuses.set(resp.status, (statuses.get(resp.status) ?? 0) + 1);
      if (resp.status >= 500) fiveXX.push(`${resp.status} ${path}: ${resp.body.slice(0, 300)}`);
      if (resp.status >= 400) {
        const st = JSON.parse(resp.body) as { kind: string; code: number };
        assert.equal(st.kind, 'Status', resp.body);
        assert.equal(st.code, resp.status);
      }
    }
    // The mix must exercise both success and refusal paths.
    assert.ok((statuses.get(200) ?? 0) + (statuses.get(201) ?? 0) > 20, JSON.stringify([...statuses]));
    assert.ok((statuses.get(400) ?? 0) > 100 && (statuses.get(404) ?? 0) > 100, JSON.stringify([...statuses]));
    assert.deepEqual(fiveXX, [], `server errors for client mistakes (${fiveXX.length} of ${n})`);
    // The server still works, and every stored object is well-formed.
    await c.kubectlOk(['get', 'nodes']);
    for (const res of RESOURCES) {
      for (const o of c.cluster.registry.list(res).items) {
        assert.equal(typeof o.metadata.name, 'string');
        assert.ok(o.metadata.name!.length > 0 && o.metadata.name!.length <= 253, `${res.plural}/${o.metadata.name}`);
        assert.match(o.metadata.uid ?? '', /^[0-9a-f-]{36}$/);
        assert.equal(o.kind, res.kind);
      }
    }
    // A 3 MiB + 1 body is refused with 413 and the server keeps serving.
    const big = await send('POST', '/api/v1/namespaces/fuzz/configmaps', Buffer.alloc(3 * 1024 * 1024 + 1, 0x20), 'application/json');
    assert.equal(big.status, 413);
    await c.kubectlOk(['get', 'ns', 'fuzz']);
  } finally {
    agent.destroy();
    await c.stop();
  }
});
