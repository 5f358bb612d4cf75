/**
 * @module apiserver/kwire-api.test
 * kwire's JSON endpoints over a real Registry + Store fed into the engine by
 * the policy sync controller, served on 127.0.0.1: the endpoint forms, the
 * Service translation with EndpointSlices (ready endpoints only, terminating
 * fallback), explain and matrix answers for the lab's deny-all and selective
 * policies, flows with filters and the follow stream (ended by the client),
 * and the errors as Kubernetes Status objects.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { R } from '../controllers/informer.js';
import { PolicySync } from '../controllers/policy-sync.js';
import { FlowLog, type FlowListener, type FlowRecordInput } from '../dataplane/flow-log.js';
import { ApiError } from '../errors.js';
import { LAB_DENY_ALL, LAB_SELECTIVE, PolicyEngine } from '../policy/index.js';
import { Store, type KObject } from '../store/store.js';
import { createKwireRoutes, type KwireRoutes } from './kwire-api.js';
import { formatEndpointSpec, parseEndpointSpec } from './kwire-endpoints.js';
import { parseDuration, parseSince, type FlowSource } from './kwire-flows.js';
import type { ExplainResult, ReachabilityMatrix } from './kwire-query.js';
import { backendsFromSlices } from './kwire-services.js';
import { Registry } from './registry.js';
import { installStrategies } from './strategies.js';

const NS = 'networking-lab';

// ------------------------------------------------------------------ parsers

describe('endpoint forms', () => {
  const rows: ReadonlyArray<[string, string]> = [
    ['networking-lab/test-pod', 'networking-lab/test-pod'],
    ['test-pod', 'lab/test-pod'],
    ['svc/networking-lab/backend-clusterip', 'svc/networking-lab/backend-clusterip'],
    ['svc/backend-clusterip', 'svc/lab/backend-clusterip'],
    ['service/web', 'svc/lab/web'],
    ['ip:203.0.113.7', 'ip:203.0.113.7'],
    ['10.244.1.5', 'ip:10.244.1.5'],
    ['ip:2001:db8::1', 'ip:2001:db8::1'],
    [' default/web-1.x ', 'default/web-1.x'],
  ];
  for (const [input, canonical] of rows) {
    test(`"${input}" -> ${canonical}`, () => assert.equal(formatEndpointSpec(parseEndpointSpec(input, 'lab')), canonical));
  }
  const bad: ReadonlyArray<[string, RegExp]> = [
    ['', /an endpoint is required/],
    ['ip:10.0.0.300', /is not an IP address/],
    ['a/b/c', /use ns\/pod, pod, svc\/ns\/name, svc\/name or ip:ADDRESS/],
    ['svc/', /use ns\/pod/],
    ['Bad_NS/pod', /"Bad_NS" is not a valid namespace name/],
    ['svc/ns/web.x', /"web.x" is not a valid Service name/],
  ];
  for (const [input, re] of bad) {
    test(`"${input}" is refused with a 400`, () => {
      assert.throws(
        () => parseEndpointSpec(input, 'lab'),
        (e: unknown) => e instanceof ApiError && e.code === 400 && re.test(e.message),
      );
    });
  }
  test('durations and since', () => {
    assert.equal(parseDuration('1h30m'), 5_400_000);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('5'), undefined);
    assert.equal(parseSince('5m', 1_000_000), 700_000);
    assert.equal(parseSince('1700000000000', 0), 1_700_000_000_000);
    assert.equal(parseSince('2024-05-01T10:00:00Z', 0), Date.parse('2024-05-01T10:00:00Z'));
    assert.throws(() => parseSince('yesterday', 0), /invalid since "yesterday"/);
  });
});

describe('EndpointSlices to backends, as kube-proxy picks them', () => {
  const slice = (name: string, eps: EndpointSlice['endpoints'], portName = ''): EndpointSlice => ({
    metadata: { name, namespace: NS },
    addressType: 'IPv4',
    ports: [{ name: portName, port: 8080, protocol: 'TCP' }],
    endpoints: eps,
  });
  const port = { port: 80, targetPort: 8080, protocol: 'TCP' as const };
  test('ready endpoints only, each address once, with the pod behind it', () => {
    const got = backendsFromSlices(
      [
        slice('b', [{ addresses: ['10.244.1.10'], conditions: { ready: true }, targetRef: { kind: 'Pod', namespace: NS, name: 'a' } }]),
        slice('a', [
          { addresses: ['10.244.1.10'], conditions: { ready: true } },
          { addresses: ['10.244.1.11'], conditions: { ready: false } },
          { addresses: ['10.244.1.12'] },
        ]),
      ],
      port,
    );
    assert.deepEqual(got, [
      { ip: '10.244.1.10', port: 8080 },
      { ip: '10.244.1.12', port: 8080 },
    ]);
  });
  test('none ready: the serving terminating ones; a port name must match', () => {
    const eps = [
      { addresses: ['10.244.1.10'], conditions: { ready: false, serving: true, terminating: true } },
      { addresses: ['10.244.1.11'], conditions: { ready: false, serving: false, terminating: true } },
    ];
    assert.deepEqual(backendsFromSlices([slice('a', eps)], port), [{ ip: '10.244.1.10', port: 8080 }]);
    assert.deepEqual(backendsFromSlices([slice('a', eps, 'http')], port), []);
  });
});

// ------------------------------------------------------------------ the lab, served

interface Served {
  readonly url: string;
  readonly registry: Registry;
  readonly engine: PolicyEngine;
  readonly flows: FlowLog;
  readonly subscriptions: () => number;
  close(): Promise<void>;
}

function podObject(name: string, labels: Record<string, string>, ports: number[]): KObject {
  return { metadata: { name, labels }, spec: { nodeName: 'kwire-worker', containers: [{ name: 'c', image: 'nginx', ports: ports.map((p) => ({ containerPort: p })) }] } };
}

async function serveLab(): Promise<Served> {
  const registry = new Registry(new Store());
  installStrategies(registry, {});
  const engine = new PolicyEngine();
  const sync = new PolicySync(engine, { onError: (k, key, e) => assert.fail(`${k} ${key}: ${String(e)}`) });
  sync.start(registry);
  for (const ns of [NS, 'kube-system', 'ingress-nginx']) registry.create(R.namespaces, undefined, { metadata: { name: ns } });
  const pods: Array<[string, Record<string, string>, number[], string]> = [
    ['backend-a', { app: 'backend' }, [8080], '10.244.1.10'],
    ['backend-b', { app: 'backend' }, [8080], '10.244.1.11'],
    ['backend-c', { app: 'backend' }, [8080], '10.244.1.12'],
    ['frontend-a', { app: 'frontend' }, [80], '10.244.2.11'],
    ['test-pod', { run: 'test-pod' }, [], '10.244.2.12'],
  ];
  for (const [name, labels, ports, ip] of pods) {
    const cur = registry.create(R.pods, NS, podObject(name, labels, ports));
    const next = structuredClone(cur) as KObject;
    next['status'] = { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: '127.0.10.3' };
    registry.commitUpdate(R.pods, cur, next, {}, 'status');
  }
  registry.create(R.services, NS, { metadata: { name: 'backend-clusterip' }, spec: { clusterIP: '10.96.120.15', selector: { app: 'backend' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } });
  registry.create(R.services, NS, { metadata: { name: 'empty' }, spec: { clusterIP: '10.96.7.7', selector: { app: 'none' }, ports: [{ port: 80, protocol: 'TCP' }] } });
  registry.create(R.endpointslices, NS, {
    metadata: { name: 'backend-clusterip-x7k2p', labels: { 'kubernetes.io/service-name': 'backend-clusterip' } },
    addressType: 'IPv4',
    ports: [{ name: '', port: 8080, protocol: 'TCP' }],
    endpoints: [
      { addresses: ['10.244.1.10'], conditions: { ready: true }, targetRef: { kind: 'Pod', namespace: NS, name: 'backend-a' } },
      { addresses: ['10.244.1.11'], conditions: { ready: true }, targetRef: { kind: 'Pod', namespace: NS, name: 'backend-b' } },
      { addresses: ['10.244.1.12'], conditions: { ready: false }, targetRef: { kind: 'Pod', namespace: NS, name: 'backend-c' } },
    ],
  });
  const flows = new FlowLog(100);
  let subs = 0;
  const source: FlowSource = {
    recent: (f) => flows.recent(f),
    subscribe: (l: FlowListener) => {
      subs++;
      const off = flows.subscribe(l);
      return () => {
        subs--;
        off();
      };
    },
  };
  const routes = createKwireRoutes({ engine, registry, net: source, now: () => 1_700_000_100_000 });
  const server = await listen(routes);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    registry,
    engine,
    flows,
    subscriptions: () => subs,
    close: async () => {
      sync.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function listen(routes: KwireRoutes): Promise<Server> {
  const server = createServer((req, res) => {
    void Promise.resolve(routes(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'))).then((mine) => {
      if (!mine) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not a kwire route');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function getJSON(url: string): Promise<{ status: number; body: unknown }> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return { status: r.status, body: await r.json() };
}

const policy = (t: Served, np: unknown): void => void t.registry.create(R.networkpolicies, NS, structuredClone(np) as KObject);

describe('/kwire/v1 on the lab', () => {
  let t: Served;
  before(async () => {
    t = await serveLab();
  });
  after(async () => {
    await t.close();
  });

  test('explain before any policy: allowed through both ready endpoints, not-isolated', async () => {
    const { status, body } = await getJSON(`${t.url}/kwire/v1/explain?from=${NS}/test-pod&to=svc/backend-clusterip&namespace=${NS}&port=80`);
    assert.equal(status, 200);
    const x = body as ExplainResult;
    assert.equal(x.kind, 'Explanation');
    assert.equal(x.verdict, 'allowed');
    assert.equal(x.to, `svc/${NS}/backend-clusterip`);
    assert.deepEqual(x.service?.endpoints, [
      { target: `${NS}/backend-a`, ip: '10.244.1.10', port: 8080 },
      { target: `${NS}/backend-b`, ip: '10.244.1.11', port: 8080 },
    ]);
    assert.deepEqual(x.paths.map((p) => [p.to, p.port, p.verdict]), [
      [`${NS}/backend-a`, 8080, 'allowed'],
      [`${NS}/backend-b`, 8080, 'allowed'],
    ]);
    assert.equal(x.paths[0]?.decision.ingress.reason, 'not-isolated');
  });

  test('after deny-all: dropped, with the policy selecting both ends and the reason; after the selective policies only the frontend gets in', async () => {
    policy(t, LAB_DENY_ALL);
    let x = (await getJSON(`${t.url}/kwire/v1/explain?from=${NS}/test-pod&to=svc/${NS}/backend-clusterip&port=80`)).body as ExplainResult;
    assert.equal(x.verdict, 'dropped');
    const p = x.paths[0];
    assert.ok(p);
    assert.deepEqual(p.decision.egress.selectedBy, [{ namespace: NS, name: 'deny-all' }]);
    assert.deepEqual(p.decision.ingress.selectedBy, [{ namespace: NS, name: 'deny-all' }]);
    assert.deepEqual(p.policies, [`${NS}/deny-all`]);
    assert.ok(p.lines.some((l) => l.includes('service: networking-lab/backend-clusterip 10.96.120.15:80/TCP -> pod port 8080')));
    assert.ok(p.lines.some((l) => l.includes(`${NS}/deny-all: has no ingress rules (it only isolates)`)));
    assert.ok(x.hints.some((h) => h.code === 'no-dns-egress'), 'deny-all egress breaks DNS: hinted');
    assert.match(x.summary, /^DROPPED: networking-lab\/test-pod -> svc\/networking-lab\/backend-clusterip port 80\/TCP \(all 2 paths\), by networking-lab\/deny-all/);

    for (const np of LAB_SELECTIVE) policy(t, np);
    x = (await getJSON(`${t.url}/kwire/v1/explain?from=frontend-a&to=svc/backend-clusterip&namespace=${NS}`)).body as ExplainResult;
    assert.equal(x.port, 80, 'the Service\'s only port is the default');
    assert.equal(x.verdict, 'allowed');
    assert.ok(x.paths.every((q) => q.decision.ingress.allowedBy.some((r) => r.policy.name === 'allow-frontend-to-backend')));
    x = (await getJSON(`${t.url}/kwire/v1/explain?from=${NS}/test-pod&to=svc/${NS}/backend-clusterip`)).body as ExplainResult;
    assert.equal(x.verdict, 'dropped');
    const hint = x.hints.find((h) => h.code === 'namespace-selector-matches-nothing');
    assert.equal(hint, undefined, 'the frontend policy is not on this path');
    x = (await getJSON(`${t.url}/kwire/v1/explain?from=ip:203.0.113.7&to=svc/${NS}/backend-clusterip`)).body as ExplainResult;
    assert.equal(x.verdict, 'dropped');
    assert.equal(x.paths[0]?.decision.egress.reason, 'not-a-pod');
  });

  test('matrix: pods of a namespace, and Services and addresses on the axes', async () => {
    const { body } = await getJSON(`${t.url}/kwire/v1/matrix?namespaces=${NS}&ports=8080,80&protocols=tcp`);
    const m = body as ReachabilityMatrix;
    assert.equal(m.kind, 'ReachabilityMatrix');
    assert.deepEqual(m.froms, [`${NS}/backend-a`, `${NS}/backend-b`, `${NS}/backend-c`, `${NS}/frontend-a`, `${NS}/test-pod`]);
    assert.deepEqual(m.tables.map((x) => `${x.protocol}/${x.port}`), ['TCP/8080', 'TCP/80']);
    const t8080 = m.tables[0]?.allowed;
    assert.deepEqual(t8080?.[3], [true, true, true, true, false], 'frontend reaches every backend on 8080 (and itself)');
    assert.deepEqual(t8080?.[4], [false, false, false, false, true], 'test-pod reaches nothing but itself');
    const q = new URLSearchParams({ namespace: NS, ports: '80' });
    for (const f of ['frontend-a', 'test-pod', 'ip:203.0.113.7', 'svc/backend-clusterip']) q.append('from', f);
    q.append('to', 'svc/backend-clusterip,svc/empty');
    q.append('to', 'ip:203.0.113.7');
    const m2 = (await getJSON(`${t.url}/kwire/v1/matrix?${q}`)).body as ReachabilityMatrix;
    assert.deepEqual(m2.froms, [`${NS}/frontend-a`, `${NS}/test-pod`, 'ip:203.0.113.7', `svc/${NS}/backend-clusterip`]);
    assert.deepEqual(m2.tos, [`svc/${NS}/backend-clusterip`, `svc/${NS}/empty`, 'ip:203.0.113.7']);
    assert.deepEqual(m2.tables[0]?.allowed, [
      [true, false, false],
      [false, false, false],
      [false, false, true],
      // From the pods behind the Service to the Service: each backend reaches itself (loopback) but not the
      // other: the outcome depends on the endpoint picked.
      [null, false, false],
    ]);
  });

  test('errors are Status objects: bad input 400, unknown objects 404, other methods 405; other /kwire/ paths are not ours', async () => {
    const cases: ReadonlyArray<[string, number, string, RegExp]> = [
      [`/kwire/v1/explain?to=svc/x`, 400, 'BadRequest', /query parameter "from" is required/],
      [`/kwire/v1/explain?from=${NS}/nope&to=${NS}/test-pod&port=80`, 404, 'NotFound', /pods "nope" not found/],
      [`/kwire/v1/explain?from=${NS}/test-pod&to=svc/${NS}/nope&port=80`, 404, 'NotFound', /services "nope" not found/],
      [`/kwire/v1/explain?from=${NS}/test-pod&to=${NS}/backend-a&port=70000`, 400, 'BadRequest', /invalid port "70000"/],
      [`/kwire/v1/explain?from=${NS}/test-pod&to=ip:1.2.3.4`, 400, 'BadRequest', /a port is required for ip:1.2.3.4/],
      [`/kwire/v1/matrix?protocols=icmp`, 400, 'BadRequest', /unsupported protocol "icmp"/],
      [`/kwire/v1/flows?verdict=lost`, 400, 'BadRequest', /invalid verdict "lost"/],
    ];
    for (const [path, code, reason, re] of cases) {
      const { status, body } = await getJSON(t.url + path);
      assert.equal(status, code, path);
      const s = body as { kind: string; status: string; reason: string; message: string; code: number };
      assert.equal(s.kind, 'Status');
      assert.equal(s.status, 'Failure');
      assert.equal(s.reason, reason);
      assert.equal(s.code, code);
      assert.match(s.message, re);
    }
    const post = await fetch(`${t.url}/kwire/v1/matrix`, { method: 'POST', signal: AbortSignal.timeout(5000) });
    assert.equal(post.status, 405);
    assert.equal(((await post.json()) as { reason: string }).reason, 'MethodNotAllowed');
    const other = await fetch(`${t.url}/kwire/ui/index.html`, { signal: AbortSignal.timeout(5000) });
    assert.equal(other.status, 404);
    assert.equal(await other.text(), 'not a kwire route');
  });

  test('a refused Service: no ready endpoints', async () => {
    const x = (await getJSON(`${t.url}/kwire/v1/explain?from=${NS}/test-pod&to=svc/${NS}/empty&port=80`)).body as ExplainResult;
    assert.equal(x.verdict, 'refused');
    assert.match(x.refused ?? '', /has no ready endpoints for port 80\/TCP/);
    assert.deepEqual(x.paths, []);
  });
});

// ------------------------------------------------------------------ flows

const flow = (i: number, over: Partial<FlowRecordInput> = {}): FlowRecordInput => ({
  time: 1_700_000_000_000 + i * 1000,
  protocol: 'TCP',
  src: { ip: '10.244.2.12', port: 41000 + i, owner: { kind: 'pod', namespace: NS, name: 'test-pod' } },
  dst: { ip: '10.96.120.15', port: 80 },
  service: { namespace: NS, name: 'backend-clusterip', port: '80' },
  endpoint: { ip: '10.244.1.10', port: 8080, owner: { kind: 'pod', namespace: NS, name: 'backend-a' } },
  verdict: 'dropped',
  reason: 'denied by network policy',
  policies: [`${NS}/deny-all`],
  ...over,
});

describe('/kwire/v1/flows', () => {
  let t: Served;
  before(async () => {
    t = await serveLab();
    t.flows.append(flow(0, { verdict: 'forwarded', reason: 'established', policies: [] }));
    t.flows.append(flow(1));
    t.flows.append(flow(2, { protocol: 'UDP', src: { ip: '10.244.3.3', port: 5353, owner: { kind: 'pod', namespace: 'other', name: 'probe' } }, dst: { ip: '10.96.0.10', port: 53 }, service: { namespace: 'kube-system', name: 'kube-dns' }, endpoint: { ip: '10.244.0.2', port: 53, owner: { kind: 'pod', namespace: 'kube-system', name: 'coredns' } }, verdict: 'forwarded', policies: [] }));
    t.flows.append(flow(3));
  });
  after(async () => {
    await t.close();
  });

  const ids = async (query: string): Promise<number[]> => {
    const { status, body } = await getJSON(`${t.url}/kwire/v1/flows${query}`);
    assert.equal(status, 200, query);
    const list = body as { kind: string; items: Array<{ id: number }> };
    assert.equal(list.kind, 'FlowList');
    return list.items.map((r) => r.id);
  };

  test('filters: namespace, verdict, since, protocol, pod, service, limit', async () => {
    assert.deepEqual(await ids(''), [1, 2, 3, 4]);
    assert.deepEqual(await ids(`?namespace=${NS}`), [1, 2, 4]);
    assert.deepEqual(await ids('?namespace=kube-system'), [3]);
    assert.deepEqual(await ids('?verdict=DROPPED'), [2, 4]);
    assert.deepEqual(await ids('?verdict=dropped,forwarded&limit=2'), [3, 4]);
    assert.deepEqual(await ids('?since=1700000002000'), [3, 4]);
    assert.deepEqual(await ids('?since=98s'), [3, 4], 'relative to the injected clock (1_700_000_100_000)');
    assert.deepEqual(await ids('?protocol=udp'), [3]);
    assert.deepEqual(await ids(`?pod=${NS}/backend-a`), [1, 2, 4]);
    assert.deepEqual(await ids('?service=kube-system/kube-dns&ip=10.96.0.10'), [3]);
  });

  test('follow: the held matching records, then new ones as they come; the stream ends when the client goes away', async () => {
    const ac = new AbortController();
    const res = await fetch(`${t.url}/kwire/v1/flows?follow=true&verdict=dropped`, { signal: ac.signal });
    assert.equal(res.status, 200);
    assert.ok(res.body);
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    const nextLine = async (): Promise<{ flow: { id: number; verdict: string } }> => {
      const deadline = Date.now() + 5000;
      while (!buf.includes('\n')) {
        if (Date.now() > deadline) throw new Error('no line in time');
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        buf += decoder.decode(value, { stream: true });
      }
      const i = buf.indexOf('\n');
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      return JSON.parse(line) as { flow: { id: number; verdict: string } };
    };
    assert.equal((await nextLine()).flow.id, 2);
    assert.equal((await nextLine()).flow.id, 4);
    assert.equal(t.subscriptions(), 1);
    t.flows.append(flow(5, { verdict: 'forwarded', policies: [] }));
    t.flows.append(flow(6));
    const live = await nextLine();
    assert.equal(live.flow.id, 6, 'the forwarded one is filtered out');
    assert.equal(live.flow.verdict, 'dropped');
    ac.abort();
    await reader.cancel().catch(() => undefined);
    const deadline = Date.now() + 5000;
    while (t.subscriptions() !== 0) {
      if (Date.now() > deadline) assert.fail('the follow stream did not unsubscribe after the client left');
      await new Promise((r) => setTimeout(r, 5));
    }
  });

  test('without a pod network the flows endpoint answers 503', async () => {
    const routes = createKwireRoutes({ engine: new PolicyEngine(), registry: t.registry });
    const server = await listen(routes);
    try {
      const { status, body } = await getJSON(`http://127.0.0.1:${(server.address() as AddressInfo).port}/kwire/v1/flows`);
      assert.equal(status, 503);
      assert.equal((body as { reason: string }).reason, 'ServiceUnavailable');
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
