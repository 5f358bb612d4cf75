/**
 * @module web/ui-routes.test
 * The UI's routes over a real Registry (kube-apiserver validation, namespace
 * admission) fed into the engine by the policy sync, served on 127.0.0.1
 * without authentication (that is the API server's and the front door's job):
 * the page and its assets, the watch stream, what-if (checked as an apply
 * would be, refused with the API's own Status), the flow explanation of a pod
 * that has gone since, and where the UI listens.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { apiLayer } from '../cluster/wiring.js';
import { installStrategies } from '../apiserver/strategies.js';
import { Registry } from '../apiserver/registry.js';
import { R } from '../controllers/informer.js';
import { namespaceAdmission } from '../controllers/namespace.js';
import { PolicySync } from '../controllers/policy-sync.js';
import { FlowLog } from '../dataplane/flow-log.js';
import { LAB_DENY_ALL, LAB_SELECTIVE, PolicyEngine } from '../policy/index.js';
import { Store, type KObject } from '../store/store.js';
import { createUiRoutes, parseObjects, parsePortRef, type UiRoutes } from './ui-routes.js';
import type { WhatIfResult } from './whatif.js';

const NS = 'networking-lab';
const YAML_SELECTIVE = LAB_SELECTIVE.map((p) => JSON.stringify(p)).join('\n---\n');

describe('the UI routes', () => {
  let server: Server;
  let base = '';
  let registry: Registry;
  let sync: PolicySync;
  let ui: UiRoutes;
  let flows: FlowLog;
  let listeners = [{ what: 'ingress http', address: '127.0.0.1:8080' }];
  const changed = new Set<() => void>();
  let uiUrl: string | undefined;

  const pod = (name: string, labels: Record<string, string>, ip: string): void => {
    const cur = registry.create(R.pods, NS, { metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 8080 }] }] } });
    const next = structuredClone(cur) as KObject;
    next['status'] = { phase: 'Running', podIP: ip };
    registry.commitUpdate(R.pods, cur, next, {}, 'status');
  };

  before(async () => {
    registry = new Registry(new Store());
    installStrategies(registry, apiLayer());
    registry.addAdmission(namespaceAdmission(registry));
    const engine = new PolicyEngine();
    sync = new PolicySync(engine);
    sync.start(registry);
    registry.create(R.namespaces, undefined, { metadata: { name: NS } });
    pod('frontend-a', { app: 'frontend' }, '10.244.1.5');
    pod('backend-a', { app: 'backend' }, '10.244.2.3');
    pod('test-pod', { run: 'test-pod' }, '10.244.1.9');
    registry.create(R.networkpolicies, NS, structuredClone(LAB_DENY_ALL) as unknown as KObject);
    flows = new FlowLog(100);
    ui = createUiRoutes({
      engine,
      registry,
      net: flows,
      listeners: () => listeners,
      onListenersChanged: (f) => {
        changed.add(f);
        return () => changed.delete(f);
      },
      uiUrl: () => uiUrl,
    });
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      Promise.resolve(ui.routes(req, res, url)).then((mine) => {
        if (!mine) {
          res.writeHead(418);
          res.end('not mine');
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    ui.stop();
    sync.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  test('the page and its modules, with a strict CSP; nothing else of the disk', async () => {
    const idx = await fetch(`${base}/kwire/ui/`);
    assert.equal(idx.status, 200);
    assert.equal(idx.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(idx.headers.get('content-security-policy') ?? '', /^default-src 'self'; script-src 'self';/);
    assert.equal(idx.headers.get('referrer-policy'), 'no-referrer');
    assert.match(await idx.text(), /<script type="module" src="\/kwire\/ui\/app\.js"><\/script>/);
    const js = await fetch(`${base}/kwire/ui/lib/graph.js`);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.match(await js.text(), /export function buildGraph/);
    const redirect = await fetch(`${base}/kwire/ui`, { redirect: 'manual' });
    assert.deepEqual([redirect.status, redirect.headers.get('location')], [301, '/kwire/ui/']);
    for (const p of ['/kwire/ui/.hidden', '/kwire/ui/vendor/nothing.js', '/kwire/ui/jsconfig.txt', '/kwire/ui/%2e%2e/package.json', '/kwire/ui/lib/../../package.json']) {
      const r = await fetch(`${base}${p}`);
      assert.ok(r.status === 404 || r.status === 418, `${p}: ${r.status}`);
      if (r.status === 404) assert.equal(((await r.json()) as { kind: string }).kind, 'Status');
      else await r.text();
    }
    assert.equal((await fetch(`${base}/kwire/ui/`, { method: 'POST' })).status, 405);
    assert.equal((await fetch(`${base}/kwire/v1/other`)).status, 418, 'other /kwire/ paths are not ours');
  });

  test('the watch stream: current objects, SYNCED, then changes and listeners', async () => {
    const ac = new AbortController();
    const res = await fetch(`${base}/kwire/v1/watch?kinds=namespaces,pods,networkpolicies`, { signal: ac.signal });
    assert.equal(res.status, 200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    const lines: Array<{ type: string; kind?: string; object?: KObject; listeners?: unknown[] }> = [];
    const until = async (pred: () => boolean): Promise<void> => {
      while (!pred()) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buf += value;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buf.slice(0, i)) as (typeof lines)[number]);
          buf = buf.slice(i + 1);
        }
      }
    };
    await until(() => lines.some((l) => l.type === 'SYNCED'));
    const first = lines.splice(0);
    assert.deepEqual(first.filter((l) => l.type === 'ADDED').map((l) => `${l.kind}/${l.object?.metadata.name}`).sort(), [
      `Namespace/${NS}`,
      'NetworkPolicy/deny-all',
      'Pod/backend-a',
      'Pod/frontend-a',
      'Pod/test-pod',
    ]);
    assert.deepEqual(first.find((l) => l.type === 'LISTENERS')?.listeners, listeners);
    for (const l of first) assert.equal((l.object?.metadata as { managedFields?: unknown } | undefined)?.managedFields, undefined);
    registry.create(R.networkpolicies, NS, structuredClone(LAB_SELECTIVE[0]) as unknown as KObject);
    await until(() => lines.some((l) => l.type === 'ADDED' && l.object?.metadata.name === 'allow-frontend-to-backend'));
    listeners = [...listeners, { what: 'ingress https', address: '127.0.0.1:8443' }];
    for (const f of changed) f();
    await until(() => lines.some((l) => l.type === 'LISTENERS'));
    assert.equal(lines.find((l) => l.type === 'LISTENERS')?.listeners?.length, 2);
    registry.delete(R.networkpolicies, NS, 'allow-frontend-to-backend');
    await until(() => lines.some((l) => l.type === 'DELETED'));
    assert.equal(changed.size, 1);
    ac.abort();
    await reader.cancel().catch(() => undefined);
    const t0 = Date.now();
    while (changed.size > 0 && Date.now() - t0 < 2000) await new Promise((r) => setTimeout(r, 10));
    assert.equal(changed.size, 0, 'the listener subscription ends with the stream');
    const bad = await fetch(`${base}/kwire/v1/watch?kinds=secrets`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /unknown kind "secrets"/);
  });

  test('what-if: the lab policies over deny-all, as the API would take them', async () => {
    const res = await fetch(`${base}/kwire/v1/whatif?namespaces=${NS}&ports=8080`, { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body: YAML_SELECTIVE });
    assert.equal(res.status, 200);
    const w = (await res.json()) as WhatIfResult & { objects: KObject[] };
    assert.equal(w.kind, 'WhatIf');
    assert.deepEqual(w.matrix.ports, [{ protocol: 'TCP', port: 8080 }]);
    assert.deepEqual(w.matrix.changes.map((c) => `${c.from}>${c.to}:${c.after}`), [`${NS}/frontend-a>${NS}/backend-a:allowed`]);
    assert.deepEqual(w.objects.map((o) => `${o.metadata.namespace}/${o.metadata.name}`), LAB_SELECTIVE.map((p) => `${NS}/${p.metadata?.name}`));
    assert.equal(registry.list(R.networkpolicies, NS).items.length, 1, 'nothing written');
    // The same name as a stored policy is an update (a dry-run update passes).
    const upd = await fetch(`${base}/kwire/v1/whatif?tables=false`, { method: 'POST', body: JSON.stringify({ ...LAB_DENY_ALL, spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{}] } }) });
    const u = (await upd.json()) as WhatIfResult;
    assert.deepEqual(u.candidates, [{ namespace: NS, name: 'deny-all', action: 'update' }]);
    assert.equal(u.matrix.tables, undefined);
    assert.ok(u.summary.newAllowances > 0);
  });

  const refusals: ReadonlyArray<[string, string, number, string, RegExp]> = [
    [
      'an invalid port, with its field path',
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bad, namespace: ${NS}}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: 70000}]}]\n`,
      422,
      'Invalid',
      /NetworkPolicy.networking.k8s.io "bad" is invalid: spec.ingress\[0\].ports\[0\].port: Invalid value: 70000/,
    ],
    ['a namespace that does not exist', `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x, namespace: nope}\nspec: {podSelector: {}}\n`, 404, 'NotFound', /namespaces "nope" not found/],
    ['another kind', 'apiVersion: v1\nkind: Service\nmetadata: {name: x}\n', 400, 'BadRequest', /what-if takes networking.k8s.io\/v1 NetworkPolicy objects, not v1 Service/],
    ['nothing', '# empty\n', 400, 'BadRequest', /no NetworkPolicy in the request body/],
    ['broken YAML', 'kind: [\n', 400, 'BadRequest', /error converting YAML to JSON/],
    ['a bad port list', LAB_SELECTIVE.map((p) => JSON.stringify(p)).join('\n---\n'), 400, 'BadRequest', /invalid port "http"/],
  ];
  for (const [name, body, code, reason, re] of refusals) {
    test(`what-if refuses ${name}`, async () => {
      const q = name === 'a bad port list' ? '?ports=http' : '';
      const res = await fetch(`${base}/kwire/v1/whatif${q}`, { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body });
      const st = (await res.json()) as { kind: string; code: number; reason: string; message: string };
      assert.deepEqual([res.status, st.kind, st.reason], [code, 'Status', reason], st.message);
      assert.match(st.message, re);
    });
  }
  test('what-if of a deletion: the policies named must exist; nothing is deleted', async () => {
    const body = `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny-all}\n`;
    const res = await fetch(`${base}/kwire/v1/whatif?action=delete&namespace=${NS}&namespaces=${NS}&ports=8080`, { method: 'POST', body });
    assert.equal(res.status, 200);
    const w = (await res.json()) as WhatIfResult & { objects: KObject[] };
    assert.deepEqual(w.candidates, [{ namespace: NS, name: 'deny-all', action: 'delete' }]);
    assert.ok(w.summary.newAllowances > 0, 'without deny-all everything is open');
    assert.equal(w.summary.addedDenials, 0);
    assert.deepEqual(w.objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`), [`NetworkPolicy ${NS}/deny-all`]);
    assert.equal(registry.list(R.networkpolicies, NS).items.length, 1, 'still there');
    const missing = await fetch(`${base}/kwire/v1/whatif?action=delete&namespace=${NS}`, { method: 'POST', body: body.replace('deny-all', 'not-there') });
    const st = (await missing.json()) as { reason: string; message: string };
    assert.deepEqual([missing.status, st.reason, st.message], [404, 'NotFound', 'networkpolicies.networking.k8s.io "not-there" not found']);
    const bad = await fetch(`${base}/kwire/v1/whatif?action=remove`, { method: 'POST', body });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /invalid action "remove": use apply or delete/);
  });

  test('what-if is POST only', async () => assert.equal((await fetch(`${base}/kwire/v1/whatif`)).status, 405));

  test('a flow explained, its source pod gone since', async () => {
    const rec = flows.append({
      time: Date.now(),
      protocol: 'TCP',
      src: { ip: '10.244.1.9', port: 41000, owner: { kind: 'pod', namespace: NS, name: 'test-pod' } },
      dst: { ip: '10.244.2.3', port: 8080 },
      endpoint: { ip: '10.244.2.3', port: 8080, owner: { kind: 'pod', namespace: NS, name: 'backend-a' } },
      verdict: 'dropped',
      reason: 'denied by network policy',
      policies: [`${NS}/deny-all`],
    });
    registry.delete(R.pods, NS, 'test-pod', { gracePeriodSeconds: 0 });
    registry.finalizePod(R.pods, NS, 'test-pod');
    const res = await fetch(`${base}/kwire/v1/flowexplain?id=${rec.id}`);
    assert.equal(res.status, 200);
    const x = (await res.json()) as { kind: string; gone: string[]; explanation: { verdict: string; summary: string } };
    assert.equal(x.kind, 'FlowExplanation');
    assert.deepEqual(x.gone, [`${NS}/test-pod`]);
    assert.equal(x.explanation.verdict, 'dropped');
    assert.match(x.explanation.summary, new RegExp(`^DROPPED: ${NS}/test-pod -> ${NS}/backend-a port 8080/TCP, by ${NS}/deny-all;`));
    assert.equal((await fetch(`${base}/kwire/v1/flowexplain?id=99999`)).status, 404);
    assert.equal((await fetch(`${base}/kwire/v1/flowexplain?id=x`)).status, 400);
  });

  test('where the UI listens', async () => {
    assert.equal((await fetch(`${base}/kwire/v1/ui`)).status, 503);
    uiUrl = 'http://127.0.0.1:1234/kwire/ui/';
    assert.deepEqual(await (await fetch(`${base}/kwire/v1/ui`)).json(), { apiVersion: 'kwire.dev/v1', kind: 'WebUI', url: uiUrl });
  });
});

describe('request parsing', () => {
  const ports: ReadonlyArray<[string, string]> = [
    ['80', 'TCP/80'],
    ['udp/53', 'UDP/53'],
    ['53/UDP', 'UDP/53'],
    ['sctp/9', 'SCTP/9'],
  ];
  for (const [text, want] of ports) test(`port "${text}"`, () => {
    const p = parsePortRef(text);
    assert.equal(`${p.protocol}/${p.port}`, want);
  });
  for (const bad of ['tcp/80/udp', '0', 'x/80', '']) test(`port "${bad}" refused`, () => assert.throws(() => parsePortRef(bad), /invalid port|unsupported protocol/));
  test('documents and Lists', () => {
    const objs = parseObjects(`kind: List\nitems:\n- {kind: A}\n- {kind: B}\n---\n---\nkind: C\n`);
    assert.deepEqual(objs.map((o) => o['kind']), ['A', 'B', 'C']);
    assert.throws(() => parseObjects('- 1\n'), /each document must be an object/);
  });
});
