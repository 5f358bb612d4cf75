/**
 * @module cli/policy-commands.test
 * `kwire explain|matrix|flows` as a user runs them:
 * - every upstream e2e NetworkPolicy case through `kwire matrix -f dir`
 *   offline: the model's namespaces, pods and Services exported as
 *   `kubectl get -o yaml` would (with pod IPs), each step's policies and
 *   relabellings written to the folder, the printed table parsed back and
 *   compared with the expected truth table;
 * - the lab offline: table, CSV, JSON, explain text; usage and input errors;
 * - live: a real TLS API server with the cluster PKI and `state.json` in a
 *   temporary KWIRE_HOME, reached with the admin client certificate;
 * - one run of the command as its own process (node --import tsx).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { NetworkPolicy } from 'kubernetes-types/networking/v1.js';
import { stringify } from 'yaml';
import { createKwireRoutes } from '../apiserver/kwire-api.js';
import { loadOrCreatePki } from '../apiserver/pki.js';
import { Registry } from '../apiserver/registry.js';
import { ApiServer } from '../apiserver/server.js';
import { installStrategies } from '../apiserver/strategies.js';
import { R } from '../controllers/informer.js';
import { PolicySync } from '../controllers/policy-sync.js';
import { FlowLog, type FlowRecord, type FlowRecordInput } from '../dataplane/flow-log.js';
import {
  diffTruthTables,
  LAB_DENY_ALL,
  LAB_NAMESPACES,
  LAB_PODS,
  LAB_SELECTIVE,
  materializeCase,
  parseTruthTable,
  printTruthTable,
  UPSTREAM_CASES,
  upstreamManifests,
  upstreamPodIP,
  type CaseAction,
  type TruthTable,
} from '../policy/index.js';
import { Store, type KObject } from '../store/store.js';
import { explainCommand, flowsCommand, matrixCommand, type CliIO } from './policy-commands.js';
import { renderFlowLine, stampMilli } from './policy-render.js';

const NS = 'networking-lab';
/** Run from src/ with tsx, or compiled from dist/ (npm test): the CLI entry sits next to this file either way. */
const COMPILED = import.meta.url.endsWith('.js');
const MAIN = fileURLToPath(new URL(COMPILED ? './main.js' : './main.ts', import.meta.url));
const ROOT = resolve(fileURLToPath(new URL(COMPILED ? '../../..' : '../..', import.meta.url)));

interface Captured extends CliIO {
  readonly out: () => string;
  readonly err: () => string;
}

function capture(env: NodeJS.ProcessEnv = {}, signal?: AbortSignal, stdin = ''): Captured {
  let out = '';
  let err = '';
  return {
    stdout: (s) => void (out += s),
    stderr: (s) => void (err += s),
    env,
    stdin: async () => stdin,
    ...(signal ? { signal } : {}),
    out: () => out,
    err: () => err,
  };
}

const yamlDocs = (docs: ReadonlyArray<unknown>): string => docs.map((d) => stringify(d)).join('---\n');
const list = (items: ReadonlyArray<unknown>): string => stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items });

let tmp: string;
before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'kwire-policy-cli-'));
});
after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

// ------------------------------------------------------------------ upstream cases, offline

/** The model cluster as an export, with the state a case's actions change. */
class ExportedModel {
  private readonly namespaceLabels = new Map<string, Record<string, string>>();
  private readonly podLabels = new Map<string, Record<string, string>>();
  private readonly policies = new Map<string, NetworkPolicy>();
  private readonly manifests = upstreamManifests(['TCP', 'UDP', 'SCTP']);

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    for (const m of this.manifests) {
      if (m.kind === 'Namespace') this.namespaceLabels.set(m.metadata?.name ?? '', { ...(m.metadata?.labels ?? {}) });
      if (m.kind === 'Pod') this.podLabels.set(`${m.metadata?.namespace ?? ''}/${m.metadata?.name ?? ''}`, { ...(m.metadata?.labels ?? {}) });
    }
  }

  apply(a: CaseAction): void {
    switch (a.kind) {
      case 'apply-policy':
        this.policies.set(`${a.policy.metadata?.namespace ?? ''}/${a.policy.metadata?.name ?? ''}`, a.policy);
        return;
      case 'delete-policy':
        this.policies.delete(`${a.namespace}/${a.name}`);
        return;
      case 'delete-all-policies':
        this.policies.clear();
        return;
      case 'set-pod-labels':
        this.podLabels.set(`${a.namespace}/${a.pod}`, { ...a.labels });
        return;
      case 'set-namespace-labels':
        this.namespaceLabels.set(a.namespace, { ...a.labels });
        return;
      default: {
        const never: never = a;
        throw new Error(`unknown action ${JSON.stringify(never)}`);
      }
    }
  }

  /** Writes the folder as `kubectl get ns,pods,svc,netpol -o yaml` split per kind. */
  write(): string {
    const namespaces = this.manifests
      .filter((m) => m.kind === 'Namespace')
      .map((m) => ({ ...m, metadata: { ...m.metadata, labels: this.namespaceLabels.get(m.metadata?.name ?? '') }, status: { phase: 'Active' } }));
    const pods = this.manifests
      .filter((m) => m.kind === 'Pod')
      .map((m) => {
        const ns = m.metadata?.namespace ?? '';
        const name = m.metadata?.name ?? '';
        return { ...m, metadata: { ...m.metadata, labels: this.podLabels.get(`${ns}/${name}`) }, status: { phase: 'Running', podIP: upstreamPodIP(ns, name), podIPs: [{ ip: upstreamPodIP(ns, name) }] } };
      });
    writeFileSync(join(this.dir, 'namespaces.yaml'), list(namespaces));
    writeFileSync(join(this.dir, 'pods.yaml'), list(pods));
    writeFileSync(join(this.dir, 'services.yml'), yamlDocs(this.manifests.filter((m) => m.kind === 'Service')));
    writeFileSync(join(this.dir, 'networkpolicies.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [...this.policies.values()] }, null, 1));
    return this.dir;
  }
}

/** The printed table of a one-table matrix, parsed back. */
function printedTable(out: string, protocol: string, port: number): TruthTable {
  const [head, ...rest] = out.trimEnd().split('\n');
  assert.equal(head, `${protocol}/${port}:`);
  return parseTruthTable(rest.join('\n'));
}

describe('upstream netpol cases through `kwire matrix -f dir` (offline, no cluster)', () => {
  UPSTREAM_CASES.forEach((c, ci) => {
    test(`[${c.origin}] ${c.name}`, async () => {
      const m = materializeCase(c);
      const model = new ExportedModel(join(tmp, 'cases', String(ci)));
      for (const [si, step] of m.steps.entries()) {
        for (const a of step.actions) model.apply(a);
        const dir = model.write();
        for (const p of step.probes) {
          const io = capture();
          const code = await matrixCommand(['-f', dir, '--ports', String(p.port), '--protocols', p.protocol.toLowerCase()], io);
          assert.equal(code, 0, io.err());
          assert.equal(io.err(), '', 'a complete export loads without warnings');
          const actual = printedTable(io.out(), p.protocol, p.port);
          const wrong = diffTruthTables(p.expected, actual);
          assert.equal(wrong.length, 0, `step ${si} (${step.description}) ${p.protocol}/${p.port}:\nexpected:\n${printTruthTable(p.expected)}\nprinted:\n${io.out()}`);
        }
      }
    });
  });
});

// ------------------------------------------------------------------ the lab, offline

function labExport(dir: string, policies: ReadonlyArray<NetworkPolicy>): string {
  mkdirSync(dir, { recursive: true });
  const docs: unknown[] = LAB_NAMESPACES.map((n) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n.name, labels: n.labels } }));
  for (const p of LAB_PODS) {
    docs.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: p.name, namespace: p.namespace, labels: p.labels },
      spec: { nodeName: p.nodeName, containers: [{ name: 'main', image: 'nginx', ports: p.ports }] },
      status: { phase: 'Running', podIP: p.ip, hostIP: p.nodeIP },
    });
  }
  docs.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'backend-clusterip', namespace: NS }, spec: { clusterIP: '10.96.120.15', selector: { app: 'backend' }, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } });
  writeFileSync(join(dir, 'cluster.yaml'), yamlDocs(docs));
  writeFileSync(join(dir, 'policies.yaml'), yamlDocs(policies));
  writeFileSync(join(dir, 'README.md'), 'not a manifest: ignored');
  return dir;
}

describe('the lab offline', () => {
  let dir: string;
  before(() => {
    dir = labExport(join(tmp, 'lab'), [LAB_DENY_ALL, ...LAB_SELECTIVE]);
  });

  test('table: the upstream layout per protocol/port', async () => {
    const io = capture();
    assert.equal(await matrixCommand(['-f', dir, '-n', NS, '--ports', '8080'], io), 0);
    const t = printedTable(io.out(), 'TCP', 8080);
    assert.deepEqual(t.froms, LAB_PODS.filter((p) => p.namespace === NS).map((p) => `${p.namespace}/${p.name}`));
    const row = (name: string): ReadonlyArray<boolean | null> => t.values[t.froms.indexOf(`${NS}/${name}`)] ?? [];
    assert.deepEqual(row('frontend-5f8d7c6b9-ddddd'), [true, true, true, true, false, false]);
    assert.deepEqual(row('test-pod'), [false, false, false, false, false, true]);
  });

  test('Services and outside addresses on the axes; csv and json', async () => {
    const args = ['-f', dir, '-n', NS, '--from', 'frontend-5f8d7c6b9-ddddd,test-pod', '--from', 'ip:203.0.113.7', '--to', 'svc/backend-clusterip', '--ports', '80'];
    let io = capture();
    assert.equal(await matrixCommand([...args, '-o', 'csv'], io), 0);
    assert.equal(io.out(), ['protocol,port,from,svc/networking-lab/backend-clusterip', `TCP,80,${NS}/frontend-5f8d7c6b9-ddddd,allow`, `TCP,80,${NS}/test-pod,deny`, 'TCP,80,ip:203.0.113.7,deny', ''].join('\n'));
    io = capture();
    assert.equal(await matrixCommand([...args, '-o', 'json'], io), 0);
    const m = JSON.parse(io.out()) as { kind: string; froms: string[]; tos: string[]; tables: Array<{ protocol: string; port: number; allowed: boolean[][] }> };
    assert.equal(m.kind, 'ReachabilityMatrix');
    assert.deepEqual(m.tos, [`svc/${NS}/backend-clusterip`]);
    assert.deepEqual(m.tables, [{ protocol: 'TCP', port: 80, allowed: [[true], [false], [false]] }]);
  });

  test('explain: verdict, translation, the policies of both ends, the missing rule, hints', async () => {
    const io = capture();
    assert.equal(await explainCommand(['-f', dir, '--from', `${NS}/test-pod`, '--to', `svc/${NS}/backend-clusterip`, '--port', '80'], io), 0);
    const out = io.out();
    assert.match(out, /^DROPPED: networking-lab\/test-pod -> svc\/networking-lab\/backend-clusterip port 80\/TCP \(all 3 paths\), by networking-lab\/allow-frontend-to-backend, networking-lab\/deny-all; the client waits out its own timeout\n/);
    assert.match(out, /\nservice: networking-lab\/backend-clusterip 10\.96\.120\.15:80\/TCP -> targetPort 8080\n/);
    assert.match(out, /egress of networking-lab\/test-pod: isolated by networking-lab\/allow-dns-egress, networking-lab\/deny-all; allowed by networking-lab\/allow-dns-egress egress\[1\]/);
    assert.match(out, /allow-frontend-to-backend ingress\[0\]: from pods app=frontend in namespace networking-lab; ports TCP\/8080 -> from does not match networking-lab\/test-pod/);
    assert.match(out, /\(decided the same way for networking-lab\/test-pod -> networking-lab\/backend-6b7f9c8d4-bbbbb:8080, networking-lab\/test-pod -> networking-lab\/backend-6b7f9c8d4-ccccc:8080\)/);
    // The lab's `name: ingress-nginx` namespace selector matches nothing: hinted when the frontend is the destination.
    const io2 = capture();
    assert.equal(await explainCommand(['-f', dir, '-n', 'ingress-nginx', 'ingress-nginx-controller-7d9b6c5f4-abcde', `${NS}/frontend-5f8d7c6b9-ddddd`, '--port', '80'], io2), 0);
    assert.match(io2.out(), /^DROPPED/);
    assert.match(io2.out(), /hints:\n {2}- networking-lab\/allow-ingress-to-frontend spec\.ingress\[0\]\.from\[0\]\.namespaceSelector \(name=ingress-nginx\) matches no namespace\./);
    assert.match(io2.out(), /Try: namespaceSelector: \{ matchLabels: \{ kubernetes\.io\/metadata\.name: ingress-nginx \} \}/);
    const io3 = capture();
    assert.equal(await explainCommand(['-f', dir, '--from', `${NS}/frontend-5f8d7c6b9-ddddd`, '--to', `svc/${NS}/backend-clusterip`, '-o', 'json'], io3), 0);
    const x = JSON.parse(io3.out()) as { verdict: string; port: number; paths: unknown[] };
    assert.equal(x.verdict, 'allowed');
    assert.equal(x.port, 80);
    assert.equal(x.paths.length, 3);
  });

  test('stdin as `-f -`', async () => {
    const io = capture({}, undefined, yamlDocs([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'x', labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] }, status: { podIP: '10.1.1.1' } }]));
    assert.equal(await matrixCommand(['-f', '-'], io), 0);
    assert.equal(io.out(), 'TCP/80:\n-\tx/a\nx/a\t.\n');
    assert.match(io.err(), /warning: namespace x is not in the input/);
  });

  test('usage errors exit 2, input errors exit 1 and name the file, help exits 0', async () => {
    for (const [args, code, re, cmd] of [
      [['-f', dir, '--from', 'x/a'], 2, /--from and --to are required/, explainCommand],
      [['-f', dir, '--ports', '0'], 2, /invalid port "0"/, matrixCommand],
      [['-f', dir, '-o', 'yaml'], 2, /unknown output format "yaml"/, matrixCommand],
      [['--bogus'], 2, /Unknown option '--bogus'/, matrixCommand],
      [['-f', join(tmp, 'nope')], 1, /the path ".*nope" does not exist/, matrixCommand],
      [['-f', dir, '--from', `${NS}/ghost`, '--to', `${NS}/test-pod`, '--port', '80'], 1, /^kwire explain: pods "ghost" not found\n$/, explainCommand],
      [[], 1, /cluster "kwire" is not running/, matrixCommand],
      [['--last', 'x'], 2, /--last must be a whole number/, flowsCommand],
    ] as const) {
      const io = capture({ KWIRE_HOME: join(tmp, 'empty-home') });
      assert.equal(await cmd([...args], io), code, `${args.join(' ')}: ${io.err()}`);
      assert.match(io.err(), re);
    }
    const bad = join(tmp, 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'a.yaml'), 'apiVersion: v1\nkind: Namespace\nmetadata: {name: ok}\n');
    writeFileSync(join(bad, 'b.yaml'), 'kind: Pod\nmetadata: [unclosed\n');
    const io = capture();
    assert.equal(await matrixCommand(['-f', bad], io), 1);
    assert.match(io.err(), /error parsing .*b\.yaml: offline: YAML error/);
    const empty = capture();
    assert.equal(await matrixCommand(['-f', dir, '-n', 'nope'], empty), 0);
    assert.equal(empty.err(), 'kwire matrix: no pods in namespace nope: the table is empty\n');
    assert.equal(empty.out(), 'TCP/80:\n-\n');
    const help = capture();
    assert.equal(await matrixCommand(['--help'], help), 0);
    assert.match(help.out(), /^Usage: kwire matrix/);
  });
});

// ------------------------------------------------------------------ flows rendering

const flow = (over: Partial<FlowRecord> = {}): FlowRecord => ({
  id: 1,
  time: Date.UTC(2024, 10, 28, 2, 33, 11, 123),
  protocol: 'TCP',
  src: { ip: '10.244.1.5', port: 41234, owner: { kind: 'pod', namespace: NS, name: 'test-pod' } },
  dst: { ip: '10.96.120.15', port: 80 },
  service: { namespace: NS, name: 'backend-clusterip', port: '80' },
  endpoint: { ip: '10.244.2.3', port: 8080, owner: { kind: 'pod', namespace: NS, name: 'backend-xyz' } },
  verdict: 'dropped',
  reason: 'denied by network policy',
  policies: [`${NS}/deny-all`],
  ...over,
});

test('flow lines in hubble observe\'s layout', () => {
  const rows: ReadonlyArray<[FlowRecord, string]> = [
    [
      flow(),
      'Nov 28 02:33:11.123: networking-lab/test-pod:41234 (10.244.1.5) -> networking-lab/backend-xyz:8080 (10.244.2.3) via svc/networking-lab/backend-clusterip:80 tcp DROPPED (policy networking-lab/deny-all)',
    ],
    [
      flow({ verdict: 'forwarded', reason: 'established', policies: [`${NS}/allow-dns-egress`, `${NS}/allow-frontend-to-backend`] }),
      'Nov 28 02:33:11.123: networking-lab/test-pod:41234 (10.244.1.5) -> networking-lab/backend-xyz:8080 (10.244.2.3) via svc/networking-lab/backend-clusterip:80 tcp FORWARDED (allowed by networking-lab/allow-dns-egress, networking-lab/allow-frontend-to-backend)',
    ],
    [
      flow({ time: Date.UTC(2024, 0, 2, 3, 4, 5, 6), verdict: 'refused', reason: 'service networking-lab/empty has no endpoints', policies: [], endpoint: undefined, service: { namespace: NS, name: 'empty' } }),
      'Jan  2 03:04:05.006: networking-lab/test-pod:41234 (10.244.1.5) -> svc/networking-lab/empty:80 (10.96.120.15) tcp REFUSED (service networking-lab/empty has no endpoints)',
    ],
    [
      flow({ protocol: 'UDP', src: { ip: '198.51.100.9', port: 5000 }, dst: { ip: '127.0.10.3', port: 30053 }, snat: { ip: '127.0.10.3', port: 40001 }, endpoint: { ip: '10.244.0.2', port: 53, owner: { kind: 'pod', namespace: 'kube-system', name: 'coredns' } }, service: { namespace: 'kube-system', name: 'dns-np' }, verdict: 'forwarded', policies: [] }),
      'Nov 28 02:33:11.123: 198.51.100.9:5000 (world) -> kube-system/coredns:53 (10.244.0.2) via 127.0.10.3:30053 (svc/kube-system/dns-np) snat 127.0.10.3:40001 udp FORWARDED',
    ],
    [
      flow({ verdict: 'refused', reason: 'service networking-lab/web has no endpoints', policies: [], endpoint: undefined, dst: { ip: '127.0.10.2', port: 30080 }, service: { namespace: NS, name: 'web' } }),
      'Nov 28 02:33:11.123: networking-lab/test-pod:41234 (10.244.1.5) -> 127.0.10.2:30080 (svc/networking-lab/web) tcp REFUSED (service networking-lab/web has no endpoints)',
    ],
    [
      flow({ src: { ip: '127.0.10.2', port: 1, owner: { kind: 'node', name: 'kwire-control-plane' } }, service: undefined, dst: { ip: '10.244.9.9', port: 80 }, endpoint: { ip: '10.244.9.9', port: 80 }, reason: 'no pod or node owns 10.244.9.9', policies: [] }),
      'Nov 28 02:33:11.123: node/kwire-control-plane:1 (127.0.10.2) -> 10.244.9.9:80 (world) tcp DROPPED (no pod or node owns 10.244.9.9)',
    ],
  ];
  for (const [r, line] of rows) assert.equal(renderFlowLine(r, { utc: true }), line);
  assert.match(stampMilli(Date.now()), /^[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}\.\d{3}$/);
});

// ------------------------------------------------------------------ live, over TLS with the cluster PKI

describe('live: the commands reach a running cluster with its PKI', () => {
  let home: string;
  let server: Server;
  let sync: PolicySync;
  let flows: FlowLog;
  const add = (over: Partial<FlowRecordInput>): void => {
    const { id: _id, ...base } = flow();
    flows.append({ ...base, time: Date.now(), ...over });
  };

  before(async () => {
    home = join(tmp, 'home');
    const clusterDir = join(home, 'kwire');
    mkdirSync(clusterDir, { recursive: true });
    const pki = await loadOrCreatePki(clusterDir, 'kwire');
    const registry = new Registry(new Store());
    installStrategies(registry, {});
    const { PolicyEngine } = await import('../policy/index.js');
    const engine = new PolicyEngine();
    sync = new PolicySync(engine);
    sync.start(registry);
    registry.create(R.namespaces, undefined, { metadata: { name: NS } });
    for (const [name, labels, ip] of [
      ['backend-a', { app: 'backend' }, '10.244.1.10'],
      ['test-pod', { run: 'test-pod' }, '10.244.2.12'],
    ] as const) {
      const cur = registry.create(R.pods, NS, { metadata: { name, labels: { ...labels } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 8080 }] }] } });
      const next = structuredClone(cur) as KObject;
      next['status'] = { phase: 'Running', podIP: ip };
      registry.commitUpdate(R.pods, cur, next, {}, 'status');
    }
    registry.create(R.networkpolicies, NS, structuredClone(LAB_DENY_ALL) as KObject);
    flows = new FlowLog(100);
    add({ verdict: 'forwarded', reason: 'established', policies: [] });
    add({});
    const api = new ApiServer({
      registry,
      version: { major: '1', minor: '31', gitVersion: 'v1.31.0' },
      auth: { token: pki.token, caPem: pki.caCert },
      kwireRoutes: createKwireRoutes({ engine, registry, net: flows }),
    });
    server = createHttpsServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: false }, api.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    writeFileSync(join(clusterDir, 'state.json'), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), apiServer: `https://127.0.0.1:${port}`, listeners: [] }));
  });
  after(async () => {
    sync.stop();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  test('explain and matrix', async () => {
    let io = capture({ KWIRE_HOME: home });
    assert.equal(await explainCommand(['-n', NS, '--from', 'test-pod', '--to', 'backend-a'], io), 0, io.err());
    assert.match(io.out(), /^DROPPED: networking-lab\/test-pod -> networking-lab\/backend-a port 8080\/TCP, by networking-lab\/deny-all;/);
    io = capture({ KWIRE_HOME: home });
    assert.equal(await matrixCommand(['-n', NS, '--ports', '8080'], io), 0, io.err());
    assert.equal(io.out(), `TCP/8080:\n-\t${NS}/backend-a\t${NS}/test-pod\n${NS}/backend-a\t.\tX\n${NS}/test-pod\tX\t.\n`);
    io = capture({ KWIRE_HOME: home });
    assert.equal(await explainCommand(['-n', NS, '--from', 'test-pod', '--to', 'svc/missing', '--port', '80'], io), 1);
    assert.equal(io.err(), 'Error from server (NotFound): services "missing" not found\n');
  });

  test('flows: the held list with filters, and --follow until the signal', async () => {
    let io = capture({ KWIRE_HOME: home });
    assert.equal(await flowsCommand(['--verdict', 'dropped'], io), 0, io.err());
    const lines = io.out().trimEnd().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /^[A-Z][a-z]{2} [ \d]\d [\d:.]+: networking-lab\/test-pod:41234 \(10\.244\.1\.5\) -> networking-lab\/backend-xyz:8080 \(10\.244\.2\.3\) via svc\/networking-lab\/backend-clusterip:80 tcp DROPPED \(policy networking-lab\/deny-all\)$/);
    io = capture({ KWIRE_HOME: home });
    assert.equal(await flowsCommand(['-o', 'json', '--last', '1'], io), 0);
    const j = JSON.parse(io.out()) as { flow: { id: number; verdict: string } };
    assert.equal(j.flow.id, 2);

    const ac = new AbortController();
    const live = capture({ KWIRE_HOME: home }, ac.signal);
    const done = flowsCommand(['--follow', '-n', NS, '-o', 'json'], live);
    const waitLines = async (n: number): Promise<void> => {
      const deadline = Date.now() + 5000;
      while (live.out().split('\n').filter((l) => l !== '').length < n) {
        if (Date.now() > deadline) assert.fail(`expected ${n} lines, got: ${live.out()}`);
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await waitLines(2);
    add({ verdict: 'refused', reason: 'no listener', policies: [] });
    await waitLines(3);
    ac.abort();
    assert.equal(await done, 0);
    const ids = live.out().trimEnd().split('\n').map((l) => (JSON.parse(l) as { flow: { id: number } }).flow.id);
    assert.deepEqual(ids, [1, 2, 3]);
  });
});

// ------------------------------------------------------------------ as a process

test('`kwire matrix -f` runs as its own process: node --import tsx from src, plain node from dist (exit code and stdout)', { timeout: 60_000 }, async () => {
  const dir = labExport(join(tmp, 'lab-process'), [LAB_DENY_ALL]);
  const script = join(tmp, 'run-kwire.mjs');
  writeFileSync(script, `import { main } from ${JSON.stringify(MAIN)};\nprocess.exitCode = await main(process.argv.slice(2));\n`);
  const run = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
    new Promise((resolveRun, reject) => {
      const child = spawn(process.execPath, [...(COMPILED ? [] : ['--import', 'tsx']), script, ...args], { cwd: ROOT, env: { ...process.env, KWIRE_HOME: join(tmp, 'empty-home') }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolveRun({ code, stdout, stderr });
      });
    });
  const ok = await run(['matrix', '-f', dir, '-n', NS, '--ports', '8080', '-o', 'csv']);
  assert.equal(ok.code, 0, ok.stderr);
  const rows = ok.stdout.trimEnd().split('\n');
  assert.equal(rows.length, 7);
  assert.ok(rows.slice(1).every((r) => /^TCP,8080,networking-lab\/[^,]+(,(allow|deny))+$/.test(r)));
  assert.equal(rows.filter((r) => r.includes('allow')).length, 6, 'only loopback under deny-all');
  const bad = await run(['matrix', '--ports', 'x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /kwire matrix: invalid port "x"/);
});
