/**
 * @module test/e2e/ingress
 * Acceptance of the "Ingress controller" issue on a whole kwire cluster, with the
 * real kubectl, curl and openssl against the ingress-nginx controller pod:
 *
 * - lab steps 7 and 8 as written, with `curl --resolve` and with a hosts file:
 *   a temporary file written by `kwire hosts --write --file` (and the lab's literal
 *   `127.0.0.1 frontend.local backend.local` line for the 127.0.0.1 ingress port);
 *   curl has no hosts-file option, so each request's `--resolve host:port:addr` is
 *   read from that file, as the system resolver would read /etc/hosts;
 * - the path-matching examples of the Kubernetes Ingress documentation, one
 *   Ingress per row applied with kubectl, the request made with curl, the answer
 *   naming the backend (or 404);
 * - HTTPS with SNI to two hosts whose certificates come from `kubernetes.io/tls`
 *   Secrets (made with the openssl CLI, created with `kubectl create secret tls`),
 *   checked with `curl --cacert` and `openssl s_client -servername`;
 * - ssl-redirect (308), permanent-redirect (301 / its code), app-root (302);
 * - canary-weight within binomial bounds, canary-by-header;
 * - a WebSocket echo through the proxy to traefik/whoami's /echo (RFC 6455 frames
 *   both ways, ping/pong, the closing handshake);
 * - `kubectl get ingress` CLASS/HOSTS/ADDRESS/PORTS, and a Warning Event naming an
 *   unsupported `nginx.ingress.kubernetes.io/*` annotation.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { startTestCluster, type TestCluster } from '../../src/testing/test-cluster.js';
import { run, type RunResult } from '../../src/testing/kubectl.js';
import { curl, labFile, waitFor } from './lab-scenario.js';
import { SPEC_PATH_EXAMPLES } from '../../src/ingress/spec-path-examples.js';

const NS = 'ing';
const KWIRE_BIN = fileURLToPath(new URL(import.meta.url.includes('/dist/') ? '../../../bin/kwire.js' : '../../bin/kwire.js', import.meta.url));

// ---------------------------------------------------------------- manifests

/** A one-replica http-echo Deployment and its Service, both named `name`, answering `name`. */
function echoBackend(name: string, ns = NS): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: echo
        image: hashicorp/http-echo
        args: ["-text=${name}"]
---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    app: ${name}
  ports:
  - name: http
    port: 80
    targetPort: 5678
`;
}

interface IngressSpec {
  readonly name: string;
  readonly host: string;
  readonly paths: ReadonlyArray<readonly [type: string, path: string, backend: string]>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly tls?: { readonly secret: string };
}

function ingressYaml(s: IngressSpec): string {
  const ann = Object.entries(s.annotations ?? {});
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${s.name}
  namespace: ${NS}
${ann.length ? `  annotations:\n${ann.map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`).join('\n')}\n` : ''}spec:
  ingressClassName: nginx
${s.tls ? `  tls:\n  - hosts:\n    - ${s.host}\n    secretName: ${s.tls.secret}\n` : ''}  rules:
  - host: ${s.host}
    http:
      paths:
${s.paths
  .map(
    ([type, path, backend]) => `      - path: ${JSON.stringify(path)}
        pathType: ${type}
        backend:
          service:
            name: ${backend}
            port:
              number: 80`,
  )
  .join('\n')}
`;
}

// ---------------------------------------------------------------- path matching: the documentation's examples

type PathRow = {
  readonly paths: ReadonlyArray<readonly [type: string, path: string, backend: string]>;
  readonly request: string;
  readonly expect: string | 404;
  readonly note?: string;
  /** Put each path in an Ingress of its own (same host): ingress-nginx merges them. */
  readonly split?: boolean;
};

/** The specification's examples (shared with the route-table unit test). */
const SPEC_ROWS: ReadonlyArray<PathRow> = SPEC_PATH_EXAMPLES;

/** Beyond the table: the same rules across Ingresses of one host, and ImplementationSpecific as ingress-nginx reads it. */
const MORE_ROWS: ReadonlyArray<PathRow> = [
  { paths: [['Prefix', '/', 'root'], ['Prefix', '/aaa', 'aaa']], request: '/aaa/ccc', expect: 'aaa', split: true, note: 'paths of two Ingresses merge' },
  { paths: [['Prefix', '/', 'root'], ['Prefix', '/aaa', 'aaa']], request: '/ccc', expect: 'root', split: true, note: 'paths of two Ingresses merge' },
  { paths: [['Prefix', '/foo', 'prefix'], ['Exact', '/foo', 'exact']], request: '/foo', expect: 'exact', split: true, note: 'Exact wins across Ingresses' },
  { paths: [['Prefix', '/foo', 'prefix'], ['Exact', '/foo', 'exact']], request: '/foo/x', expect: 'prefix', split: true },
  { paths: [['ImplementationSpecific', '/foo', 'impl']], request: '/foobar', expect: 'impl', note: "nginx's string prefix" },
  { paths: [['ImplementationSpecific', '/foo', 'impl']], request: '/fo', expect: 404 },
  { paths: [['Prefix', '/foo', 'foo']], request: '/foo?x=/bar', expect: 'foo', note: 'the query is not part of the path' },
];

const PATH_BACKENDS = ['root', 'foo', 'bb', 'bbb', 'aaa', 'exact', 'prefix', 'impl'];

// ---------------------------------------------------------------- statistics

/** ln C(n, k) */
function lnChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/**
 * The acceptance region [lo, hi] for a Binomial(n, p) count at two-sided level
 * `alpha`: P(X < lo) <= alpha/2 and P(X > hi) <= alpha/2, from the exact pmf.
 */
function binomialBounds(n: number, p: number, alpha: number): { lo: number; hi: number } {
  const pmf = Array.from({ length: n + 1 }, (_, k) => Math.exp(lnChoose(n, k) + k * Math.log(p) + (n - k) * Math.log(1 - p)));
  let lo = 0;
  let tail = 0;
  while (lo < n && tail + pmf[lo]! <= alpha / 2) tail += pmf[lo++]!;
  let hi = n;
  tail = 0;
  while (hi > 0 && tail + pmf[hi]! <= alpha / 2) tail += pmf[hi--]!;
  return { lo, hi };
}

// ---------------------------------------------------------------- WebSocket (RFC 6455), both ends

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const wsAccept = (key: string): string => createHash('sha1').update(key + WS_GUID).digest('base64');

interface Frame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
}

/** Parses one frame at the start of `buf` (unmasking it); undefined when incomplete. */
function parseFrame(buf: Buffer): { frame: Frame; rest: Buffer } | undefined {
  if (buf.length < 2) return undefined;
  const b0 = buf[0]!;
  const b1 = buf[1]!;
  let len = b1 & 0x7f;
  let off = 2;
  if (len === 126) {
    if (buf.length < 4) return undefined;
    len = buf.readUInt16BE(2);
    off = 4;
  } else if (len === 127) {
    if (buf.length < 10) return undefined;
    len = Number(buf.readBigUInt64BE(2));
    off = 10;
  }
  const masked = (b1 & 0x80) !== 0;
  const maskAt = off;
  if (masked) off += 4;
  if (buf.length < off + len) return undefined;
  const payload = Buffer.from(buf.subarray(off, off + len));
  if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= buf[maskAt + (i % 4)]!;
  return { frame: { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload }, rest: buf.subarray(off + len) };
}

function frameBytes(opcode: number, payload: Buffer, mask: boolean): Buffer {
  const head: number[] = [0x80 | opcode];
  const m = mask ? 0x80 : 0;
  if (payload.length < 126) head.push(m | payload.length);
  else if (payload.length < 65536) head.push(m | 126, payload.length >> 8, payload.length & 0xff);
  else throw new Error('frame too big for this test');
  if (!mask) return Buffer.concat([Buffer.from(head), payload]);
  const key = Buffer.from([0x12, 0x34, 0x56, 0x78]);
  const body = Buffer.from(payload);
  for (let i = 0; i < body.length; i++) body[i]! ^= key[i % 4]!;
  return Buffer.concat([Buffer.from(head), key, body]);
}

/** A WebSocket client session over one TCP connection: handshake, then frames. */
async function wsSession(port: number, host: string, path: string, exchange: (send: (op: number, p: Buffer) => void, next: () => Promise<Frame>) => Promise<void>): Promise<{ status: string; headers: string }> {
  const sock = net.connect(port, '127.0.0.1');
  sock.on('error', () => sock.destroy());
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('error', reject);
  });
  const key = Buffer.from('kwire-ws-e2e-key').toString('base64');
  sock.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  let buf: Buffer = Buffer.alloc(0);
  const waiters: Array<() => void> = [];
  let ended = false;
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    for (const w of waiters.splice(0)) w();
  });
  sock.on('close', () => {
    ended = true;
    for (const w of waiters.splice(0)) w();
  });
  const more = (what: string) =>
    new Promise<void>((resolve, reject) => {
      if (ended) return reject(new Error(`connection closed while waiting for ${what}`));
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 10_000);
      waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  try {
    while (buf.indexOf('\r\n\r\n') < 0) await more('the handshake response');
    const end = buf.indexOf('\r\n\r\n');
    const headText = buf.subarray(0, end).toString('latin1');
    buf = buf.subarray(end + 4);
    const status = headText.split('\r\n')[0] ?? '';
    if (!/^HTTP\/1\.1 101 /.test(status)) return { status, headers: headText };
    assert.match(headText, new RegExp(`^Sec-WebSocket-Accept: ${wsAccept(key).replace(/[+/=]/g, (c) => `\\${c}`)}$`, 'mi'));
    const next = async (): Promise<Frame> => {
      for (;;) {
        const p = parseFrame(buf);
        if (p) {
          buf = p.rest;
          return p.frame;
        }
        await more('a frame');
      }
    };
    await exchange((op, p) => sock.write(frameBytes(op, p, true)), next);
    return { status, headers: headText };
  } finally {
    sock.destroy();
  }
}

// ---------------------------------------------------------------- helpers

/** Reads a hosts file as the resolver reads /etc/hosts: the first line naming `host` gives its address. */
function addressFromHostsFile(file: string, host: string): string {
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [addr, ...names] = line.split(/\s+/);
    if (names.some((n) => n.toLowerCase() === host.toLowerCase())) return addr!;
  }
  throw new Error(`${host} is not in ${file}`);
}

/** curl for a URL whose host is looked up in a hosts file (curl --resolve host:port:addr from the file). */
function curlWithHostsFile(file: string, url: string, extra: string[] = []): Promise<RunResult> {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return curl(['--resolve', `${u.hostname}:${port}:${addressFromHostsFile(file, u.hostname)}`, ...extra, url]);
}

/** `curl -w` with the status code on a last line of its own: { status, body, headers }. */
async function fetchVia(port: number, host: string, path: string, extra: string[] = [], scheme: 'http' | 'https' = 'http'): Promise<{ status: number; body: string; headers: string }> {
  const r = await curl(['-D', '-', '-w', '\n%{http_code}', '--resolve', `${host}:${port}:127.0.0.1`, ...extra, `${scheme}://${host}:${port}${path}`]);
  assert.equal(r.code, 0, `curl ${scheme}://${host}:${port}${path}: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  const status = Number(lines.pop());
  const all = lines.join('\n');
  const cut = all.indexOf('\r\n\r\n');
  return { status, headers: all.slice(0, cut), body: all.slice(cut + 4) };
}

function openssl(args: string[], input = ''): Promise<RunResult> {
  return run('openssl', args, { input, timeoutMs: 30_000 });
}

async function makeCerts(c: TestCluster): Promise<{ ca: string; certs: Record<string, { cert: string; key: string }> }> {
  const p = (n: string) => `${c.dir}/${n}`;
  const ok = async (args: string[]) => {
    const r = await openssl(args);
    assert.equal(r.code, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
  };
  await ok(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '2', '-subj', '/CN=kwire e2e test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  const certs: Record<string, { cert: string; key: string }> = {};
  for (const host of ['alpha.tls.test', 'beta.tls.test']) {
    writeFileSync(p(`${host}.ext`), `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\n`);
    await ok(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', p(`${host}.key`), '-out', p(`${host}.csr`), '-subj', `/CN=${host}`]);
    await ok(['x509', '-req', '-in', p(`${host}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p(`${host}.crt`), '-days', '2', '-extfile', p(`${host}.ext`)]);
    certs[host] = { cert: p(`${host}.crt`), key: p(`${host}.key`) };
  }
  return { ca: p('ca.crt'), certs };
}

interface PodList {
  items: Array<{ metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string }; status: { conditions?: Array<{ type: string; status: string }> } }>;
}

// ---------------------------------------------------------------- the test

test('ingress-nginx end to end: lab steps, path matching, TLS/SNI, redirects, canary, WebSocket, status and events', { timeout: 900_000 }, async (t: TestContext) => {
  const c: TestCluster = await startTestCluster();
  const ok = (args: string[], input?: string) => c.kubectlOk(args, { input, timeoutMs: 60_000 });
  const httpPort = () => {
    const p = c.cluster.ingressPort('http');
    assert.ok(p, 'the ingress http port is bound');
    return p;
  };
  const httpsPort = () => {
    const p = c.cluster.ingressPort('https');
    assert.ok(p, 'the ingress https port is bound');
    return p;
  };
  const readyApps = async (ns: string, apps: ReadonlyArray<string>) =>
    waitFor(`ready pods of ${apps.join(', ')} in ${ns}`, async () => {
      const list = JSON.parse(await ok(['get', 'pods', '-n', ns, '-o', 'json'])) as PodList;
      const ready = new Set(
        list.items.filter((p) => !p.metadata.deletionTimestamp && p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).map((p) => p.metadata.labels?.['app']),
      );
      return apps.every((a) => ready.has(a)) ? true : undefined;
    }, 60_000);
  /** Waits until the proxy routes `host` (the controller's table follows the watch). */
  const routed = (host: string, path = '/') =>
    waitFor(`a route for ${host}${path}`, async () => {
      const r = await fetchVia(httpPort(), host, path);
      return r.status !== 404 && r.status !== 503 ? r : undefined;
    });

  // `kwire hosts` finds a running cluster by KWIRE_HOME/<name>/state.json and its pki/
  // folder, which `kwire up` writes; the in-process test cluster's data folder has the
  // pki, so the state file `kwire up` would write is put beside it.
  // (kwire up keeps it current as listeners come and go: it is rewritten before each use.)
  const KWIRE_NAME = 'data';
  const startedAt = new Date().toISOString();
  const kwireHosts = (args: string[]) => {
    writeFileSync(
      join(c.dir, KWIRE_NAME, 'state.json'),
      JSON.stringify({ pid: process.pid, startedAt, apiServer: c.cluster.url, dnsPort: c.cluster.dnsPort, ingress: { http: c.cluster.ingressPort('http') ?? null, https: c.cluster.ingressPort('https') ?? null }, listeners: c.cluster.listeners() }),
    );
    return run(process.execPath, [KWIRE_BIN, 'hosts', ...args, '--name', KWIRE_NAME], { env: { ...process.env, KWIRE_HOME: c.dir, HOME: c.dir }, timeoutMs: 30_000 });
  };

  try {
    let lbIp = '';

    await t.test('lab step 7 as written: host rules, curl --resolve and a hosts file', async () => {
      await ok(['create', 'namespace', 'networking-lab']);
      for (const f of ['backend-deployment.yaml', 'clusterip-service.yaml', 'frontend-deployment.yaml']) await ok(['apply', '-f', labFile(f)]);
      await readyApps('networking-lab', ['backend', 'frontend']);
      assert.match(await ok(['get', 'pods', '-n', 'ingress-nginx']), /^ingress-nginx-controller-\S+\s+1\/1\s+Running\s+0\s+/m);
      assert.equal((await ok(['apply', '-f', labFile('ingress.yaml')])).trim(), 'ingress.networking.k8s.io/app-ingress created');
      lbIp = await waitFor('the ingress-nginx EXTERNAL-IP', async () => /ingress-nginx-controller\s+LoadBalancer\s+\S+\s+(127\.\d+\.\d+\.\d+)\s+80:\d+\/TCP,443:\d+\/TCP/.exec(await ok(['get', 'svc', '-n', 'ingress-nginx']))?.[1]);
      const ing = await waitFor('the Ingress ADDRESS', async () => {
        const out = await ok(['get', 'ingress', '-n', 'networking-lab']);
        return out.includes(lbIp) ? out : undefined;
      });
      assert.match(ing, /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/m);
      assert.match(ing, new RegExp(`^app-ingress\\s+nginx\\s+frontend\\.local,backend\\.local\\s+${lbIp.replace(/\./g, '\\.')}\\s+80\\s+\\S+$`, 'm'));

      // curl --resolve, at the controller's LoadBalancer IP on port 80 (the lab's `curl http://frontend.local`).
      const front = await waitFor('frontend.local', async () => {
        const r = await curl(['--resolve', `frontend.local:80:${lbIp}`, 'http://frontend.local']);
        return r.stdout.includes('Welcome to nginx!') ? r : undefined;
      });
      assert.match(front.stdout, /<title>Welcome to nginx!<\/title>/);
      assert.match((await curl(['--resolve', `backend.local:80:${lbIp}`, 'http://backend.local'])).stdout, /^Hello from Backend Pod: backend-/);

      // A hosts file written by `kwire hosts --write --file`: the Ingress hosts at their ADDRESS
      // (the ingress here is not on 127.0.0.1:80), in a block of its own; other lines stay.
      const hostsLb = c.file('hosts-lb', '127.0.0.1 localhost\n');
      const w = await kwireHosts(['--write', '--file', hostsLb]);
      assert.equal(w.code, 0, w.stderr);
      assert.equal(readFileSync(hostsLb, 'utf8'), `127.0.0.1 localhost\n# BEGIN kwire (cluster ${KWIRE_NAME})\n${lbIp} frontend.local backend.local\n# END kwire\n`);
      assert.match(w.stdout, new RegExp(`^kwire hosts: added the block for cluster "${KWIRE_NAME}" in ${hostsLb.replace(/[.]/g, '\\.')}:$`, 'm'));
      // The lab's literal line, for the ingress port on 127.0.0.1.
      const hostsLocal = c.file('hosts-local', `127.0.0.1 localhost\n127.0.0.1 frontend.local backend.local\n`);
      assert.match((await curlWithHostsFile(hostsLb, 'http://frontend.local')).stdout, /Welcome to nginx!/);
      assert.match((await curlWithHostsFile(hostsLb, 'http://backend.local')).stdout, /^Hello from Backend Pod: backend-/);
      assert.match((await curlWithHostsFile(hostsLocal, `http://frontend.local:${httpPort()}`)).stdout, /Welcome to nginx!/);
      assert.match((await curlWithHostsFile(hostsLocal, `http://backend.local:${httpPort()}`)).stdout, /^Hello from Backend Pod: backend-/);
      // The three backend pods answer in turn: ingress-nginx balances round-robin over the
      // Service's endpoints per request (not per upstream keep-alive connection).
      const seen = new Map<string, number>();
      for (let i = 0; i < 12; i++) {
        const who = (await curlWithHostsFile(hostsLb, 'http://backend.local')).stdout.trim();
        seen.set(who, (seen.get(who) ?? 0) + 1);
      }
      assert.deepEqual([...seen.values()], [4, 4, 4], `round-robin over the three backend pods: ${JSON.stringify([...seen])}`);
      // A host no rule names: the default backend's 404.
      const none = await curl(['-o', '/dev/null', '-w', '%{http_code}', '--resolve', `nothing.local:80:${lbIp}`, 'http://nothing.local']);
      assert.equal(none.stdout, '404');
    });

    await t.test('lab step 8 as written: path-based routing with rewrite-target', async () => {
      assert.equal((await ok(['apply', '-f', labFile('ingress-path-based.yaml')])).trim(), 'ingress.networking.k8s.io/path-based-ingress created');
      const front = await waitFor('app.local/frontend', async () => {
        const r = await curl(['--resolve', `app.local:80:${lbIp}`, 'http://app.local/frontend']);
        return r.stdout.includes('Welcome to nginx!') ? r : undefined;
      });
      assert.match(front.stdout, /<title>Welcome to nginx!<\/title>/);
      assert.match((await curl(['--resolve', `app.local:80:${lbIp}`, 'http://app.local/backend'])).stdout, /^Hello from Backend Pod: backend-/);
      // `kwire hosts --write` again: the block now names app.local too; --remove takes it out.
      const hosts = c.file('hosts-app', '127.0.0.1 localhost\n');
      assert.equal((await kwireHosts(['--write', '--file', hosts])).code, 0);
      assert.match(readFileSync(hosts, 'utf8'), new RegExp(`^${lbIp.replace(/\./g, '\\.')} (\\S+ )*app\\.local( \\S+)*$`, 'm'));
      assert.match((await curlWithHostsFile(hosts, 'http://app.local/frontend')).stdout, /Welcome to nginx!/);
      assert.match((await curlWithHostsFile(hosts, 'http://app.local/backend')).stdout, /^Hello from Backend Pod: backend-/);
      // rewrite-target: / sends every path under /frontend to nginx's "/" (its welcome page, not a 404).
      assert.match((await curlWithHostsFile(hosts, 'http://app.local/frontend/some/page')).stdout, /Welcome to nginx!/);
      assert.equal((await kwireHosts(['--remove', '--file', hosts])).code, 0);
      assert.equal(readFileSync(hosts, 'utf8'), '127.0.0.1 localhost\n');
      const other = await curl(['-o', '/dev/null', '-w', '%{http_code}', '--resolve', `app.local:80:${lbIp}`, 'http://app.local/elsewhere']);
      assert.equal(other.stdout, '404');
      const list = await ok(['get', 'ingress', '-n', 'networking-lab']);
      assert.match(list, new RegExp(`^path-based-ingress\\s+nginx\\s+app\\.local\\s+${lbIp.replace(/\./g, '\\.')}\\s+80\\s+\\S+$`, 'm'));
    });

    await t.test('setup: echo backends for the rest', async () => {
      await ok(['create', 'namespace', NS]);
      const names = [...PATH_BACKENDS, 'stable', 'canary', 'alpha', 'beta', 'app'];
      await ok(['apply', '-f', '-'], names.map((n) => echoBackend(n)).join('---\n'));
      await readyApps(NS, names);
    });

    await t.test("path matching: the documentation's examples through the real proxy", async (tt) => {
      const rows = [...SPEC_ROWS.map((r) => ({ ...r, set: 'spec' })), ...MORE_ROWS.map((r) => ({ ...r, set: 'more' }))];
      const hostOf = (i: number) => `p${String(i).padStart(2, '0')}.paths.test`;
      const docs: string[] = [];
      rows.forEach((row, i) => {
        if (row.split) row.paths.forEach((p, j) => docs.push(ingressYaml({ name: `paths-${i}-${j}`, host: hostOf(i), paths: [p] })));
        else docs.push(ingressYaml({ name: `paths-${i}`, host: hostOf(i), paths: row.paths }));
      });
      await ok(['apply', '-f', '-'], docs.join('---\n'));
      // Every Ingress is in the controller's table once the last row's host routes something.
      await waitFor('the path Ingresses to be served', async () => {
        const out = await ok(['get', 'ingress', '-n', NS, '-o', 'jsonpath={range .items[*]}{.status.loadBalancer.ingress[0].ip}{"\\n"}{end}']);
        const ips = out.trim().split('\n');
        return ips.length === docs.length && ips.every((ip) => /^127\./.test(ip)) ? true : undefined;
      });
      for (const [i, row] of rows.entries()) {
        const desc = row.paths.map(([ty, p, b]) => `${ty} ${p}->${b}`).join(', ');
        await tt.test(`${row.set}: [${desc}]${row.split ? ' (one Ingress each)' : ''} GET ${row.request} => ${row.expect}${row.note ? ` (${row.note})` : ''}`, async () => {
          const r = await fetchVia(httpPort(), hostOf(i), row.request);
          if (row.expect === 404) {
            assert.equal(r.status, 404, r.body);
            assert.match(r.body, /<center>nginx<\/center>/);
          } else {
            assert.equal(r.status, 200, r.body);
            assert.equal(r.body.trim(), row.expect);
          }
        });
      }
    });

    await t.test('HTTPS with SNI: two hosts, two certificates from kubernetes.io/tls Secrets', async () => {
      const { ca, certs } = await makeCerts(c);
      for (const [host, name] of [['alpha.tls.test', 'alpha'], ['beta.tls.test', 'beta']] as const) {
        const out = await ok(['create', 'secret', 'tls', `${name}-tls`, '-n', NS, `--cert=${certs[host]!.cert}`, `--key=${certs[host]!.key}`]);
        assert.equal(out.trim(), `secret/${name}-tls created`);
      }
      assert.match(await ok(['get', 'secret', 'alpha-tls', '-n', NS]), /^alpha-tls\s+kubernetes\.io\/tls\s+2\s+/m);
      await ok(['apply', '-f', '-'], [
        ingressYaml({ name: 'alpha', host: 'alpha.tls.test', paths: [['Prefix', '/', 'alpha']], tls: { secret: 'alpha-tls' } }),
        ingressYaml({ name: 'beta', host: 'beta.tls.test', paths: [['Prefix', '/', 'beta']], tls: { secret: 'beta-tls' }, annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' } }),
      ].join('---\n'));
      const port = httpsPort();
      for (const [host, name] of [['alpha.tls.test', 'alpha'], ['beta.tls.test', 'beta']] as const) {
        const r = await waitFor(`https://${host}`, async () => {
          const x = await fetchVia(port, host, '/', ['--cacert', ca], 'https');
          return x.status === 200 && x.body.trim() === name ? x : undefined;
        });
        assert.match(r.headers, /^strict-transport-security: max-age=31536000; includeSubDomains\r?$/im);
        // openssl s_client shows which certificate the SNI name got, and that it verifies.
        const s = await openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', host, '-CAfile', ca, '-verify_return_error'], 'Q\n');
        assert.equal(s.code, 0, s.stderr);
        assert.match(s.stdout, new RegExp(`subject=CN ?= ?${host.replace(/\./g, '\\.')}`));
        assert.match(s.stdout, /issuer=CN ?= ?kwire e2e test CA/);
        assert.match(s.stdout, /Verify return code: 0 \(ok\)/);
        // And through the LoadBalancer IP on 443.
        const viaLb = await curl(['--cacert', ca, '--resolve', `${host}:443:${lbIp}`, `https://${host}/`]);
        assert.equal(viaLb.stdout.trim(), name, viaLb.stderr);
      }
      // An SNI name with no TLS Secret gets the controller's fake certificate, which the test CA does not sign.
      const fake = await openssl(['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'unknown.tls.test'], 'Q\n');
      assert.match(fake.stdout, /subject=O ?= ?Acme Co, CN ?= ?Kubernetes Ingress Controller Fake Certificate/);
      const bad = await curl(['--cacert', ca, '--resolve', `alpha.tls.test:${port}:127.0.0.1`, '-H', 'Host: alpha.tls.test', `https://127.0.0.1:${port}/`]);
      assert.equal(bad.code, 60, 'no SNI: the fake certificate, which does not verify');
      // kubectl shows the TLS port.
      assert.match(await ok(['get', 'ingress', 'alpha', '-n', NS]), /^alpha\s+nginx\s+alpha\.tls\.test\s+127\.\S+\s+80, 443\s+\S+$/m);
    });

    await t.test('from a pod: https to the controller Service (curl -k, no -k, --cacert with SNI; busybox wget)', async () => {
      // TLS from inside the pod network: the emulated curl and wget run Node's TLS over
      // the virtual connection to the controller Service's ClusterIP, port 443.
      const vip = (await ok(['get', 'svc', 'ingress-nginx-controller', '-n', 'ingress-nginx', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
      assert.match(vip, /^10\.\d+\.\d+\.\d+$/, "a ClusterIP in 10.96.0.0/12");
      await ok(['run', 'tls-client', '-n', NS, '--image=curlimages/curl:8.11.1', '--restart=Never', '--command', '--', 'sleep', '3600']);
      await ok(['wait', '--for=condition=Ready', 'pod/tls-client', '-n', NS, '--timeout=60s'], undefined);
      const exec = (args: string[], input?: string) => c.kubectl(['exec', ...(input !== undefined ? ['-i'] : []), '-n', NS, 'tls-client', '--', ...args], { input, timeoutMs: 60_000 });
      // No SNI (an IP): the fake certificate; the Host header picks the Ingress.
      const k = await exec(['curl', '-sk', `https://${vip}/`, '-H', 'Host: beta.tls.test']);
      assert.equal(k.code, 0, k.stderr);
      assert.equal(k.stdout.trim(), 'beta');
      // Without -k the fake certificate does not verify: curl's exit 60, passed on by kubectl exec.
      const strict = await exec(['curl', '-sS', `https://${vip}/`, '-H', 'Host: beta.tls.test']);
      assert.equal(strict.code, 60, strict.stderr);
      assert.match(strict.stderr, /^curl: \(60\) SSL certificate problem: self-signed certificate\nMore details here: https:\/\/curl\.se\/docs\/sslcerts\.html\n/);
      // With the test CA and the name as SNI (--resolve), the Secret's certificate verifies.
      const put = await exec(['sh', '-c', 'cat > /home/curl_user/ca.crt'], readFileSync(`${c.dir}/ca.crt`, 'utf8'));
      assert.equal(put.code, 0, put.stderr);
      const verified = await exec(['curl', '-sS', '--cacert', '/home/curl_user/ca.crt', '--resolve', `alpha.tls.test:443:${vip}`, '-w', ' %{ssl_verify_result}', 'https://alpha.tls.test/']);
      assert.equal(verified.code, 0, verified.stderr);
      assert.equal(verified.stdout.trim(), 'alpha\n 0');
      // busybox wget (in the same image) does not verify at all, and says so.
      const w = await exec(['wget', '-qO-', '--header', 'Host: beta.tls.test', `https://${vip}/`]);
      assert.equal(w.code, 0, w.stderr);
      assert.equal(w.stdout.trim(), 'beta');
      assert.equal(w.stderr, 'wget: note: TLS certificate validation not implemented\n');
      await ok(['delete', 'pod', 'tls-client', '-n', NS, '--grace-period=0', '--force']);
    });

    await t.test('redirects: ssl-redirect 308, permanent-redirect, app-root', async () => {
      const port = httpPort();
      // ssl-redirect: a TLS host is redirected from http with 308, keeping the path (and the HTTPS port).
      const r = await fetchVia(port, 'alpha.tls.test', '/some/path?q=1');
      assert.equal(r.status, 308);
      assert.match(r.headers, new RegExp(`^location: https://alpha\\.tls\\.test:${httpsPort()}/some/path\\?q=1\\r?$`, 'im'));
      const followed = await curl(['-L', '--cacert', `${c.dir}/ca.crt`, '--resolve', `alpha.tls.test:${port}:127.0.0.1`, '--resolve', `alpha.tls.test:${httpsPort()}:127.0.0.1`, `http://alpha.tls.test:${port}/x`]);
      assert.equal(followed.stdout.trim(), 'alpha', followed.stderr);
      // ssl-redirect: "false" serves plain http.
      const beta = await fetchVia(port, 'beta.tls.test', '/');
      assert.equal(beta.status, 200);
      assert.equal(beta.body.trim(), 'beta');

      await ok(['apply', '-f', '-'], [
        ingressYaml({ name: 'moved', host: 'moved.test', paths: [['Prefix', '/', 'app']], annotations: { 'nginx.ingress.kubernetes.io/permanent-redirect': 'https://www.example.org/new' } }),
        ingressYaml({ name: 'moved308', host: 'moved308.test', paths: [['Prefix', '/', 'app']], annotations: { 'nginx.ingress.kubernetes.io/permanent-redirect': 'https://www.example.org/new', 'nginx.ingress.kubernetes.io/permanent-redirect-code': '308' } }),
        ingressYaml({ name: 'approot', host: 'approot.test', paths: [['Prefix', '/', 'app']], annotations: { 'nginx.ingress.kubernetes.io/app-root': '/app1' } }),
      ].join('---\n'));
      const moved = await routed('moved.test', '/old/page');
      assert.equal(moved.status, 301);
      assert.match(moved.headers, /^location: https:\/\/www\.example\.org\/new\r?$/im);
      assert.match(moved.body, /<center><h1>301 Moved Permanently<\/h1><\/center>/);
      const m308 = await routed('moved308.test');
      assert.equal(m308.status, 308);
      assert.match(m308.headers, /^location: https:\/\/www\.example\.org\/new\r?$/im);
      const root = await routed('approot.test');
      assert.equal(root.status, 302);
      assert.match(root.headers, new RegExp(`^location: http://approot\\.test:${port}/app1\\r?$`, 'im'));
      // Only "/" is redirected; the app itself is served.
      const app = await fetchVia(port, 'approot.test', '/app1');
      assert.equal(app.status, 200);
      assert.equal(app.body.trim(), 'app');
      const followed2 = await curl(['-L', '--resolve', `approot.test:${port}:127.0.0.1`, `http://approot.test:${port}/`]);
      assert.equal(followed2.stdout.trim(), 'app');
    });

    await t.test('canary: weight within binomial bounds; by-header always/never', async () => {
      const port = httpPort();
      const weight = 30;
      await ok(['apply', '-f', '-'], [
        ingressYaml({ name: 'main', host: 'canary.test', paths: [['Prefix', '/', 'stable']] }),
        ingressYaml({
          name: 'main-canary',
          host: 'canary.test',
          paths: [['Prefix', '/', 'canary']],
          annotations: { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': String(weight), 'nginx.ingress.kubernetes.io/canary-by-header': 'X-Canary' },
        }),
      ].join('---\n'));
      await waitFor('the canary to take traffic', async () => {
        const r = await curl(['-H', 'X-Canary: always', '--resolve', `canary.test:${port}:127.0.0.1`, `http://canary.test:${port}/`]);
        return r.stdout.trim() === 'canary' ? true : undefined;
      });
      // n requests in one curl (URL globbing); each answer names its backend.
      const n = 600;
      const r = await run('curl', ['-sS', '--max-time', '60', '-w', '\n', '--resolve', `canary.test:${port}:127.0.0.1`, `http://canary.test:${port}/[1-${n}]`], { timeoutMs: 90_000 });
      assert.equal(r.code, 0, r.stderr);
      const answers = r.stdout.split('\n').filter((l) => l !== '');
      assert.equal(answers.length, n);
      assert.deepEqual([...new Set(answers)].sort(), ['canary', 'stable']);
      const k = answers.filter((a) => a === 'canary').length;
      // Two-sided exact binomial acceptance region at alpha = 1e-6 (a false failure once in a million runs).
      const { lo, hi } = binomialBounds(n, weight / 100, 1e-6);
      assert.ok(k >= lo && k <= hi, `${k} of ${n} to the canary; Binomial(${n}, ${weight / 100}) accepts [${lo}, ${hi}]`);
      // by-header: "always" and "never" override the weight.
      const always = await run('curl', ['-sS', '-w', '\n', '-H', 'X-Canary: always', '--resolve', `canary.test:${port}:127.0.0.1`, `http://canary.test:${port}/[1-40]`], { timeoutMs: 60_000 });
      assert.deepEqual([...new Set(always.stdout.split('\n').filter((l) => l))], ['canary']);
      const never = await run('curl', ['-sS', '-w', '\n', '-H', 'X-Canary: never', '--resolve', `canary.test:${port}:127.0.0.1`, `http://canary.test:${port}/[1-40]`], { timeoutMs: 60_000 });
      assert.deepEqual([...new Set(never.stdout.split('\n').filter((l) => l))], ['stable']);
      // The canary Ingress is not listed with its own status address twice over the main one: both are served.
      assert.match(await ok(['get', 'ingress', 'main-canary', '-n', NS]), /^main-canary\s+nginx\s+canary\.test\s+127\.\S+\s+80\s+/m);
    });

    await t.test("WebSocket echo through the proxy to traefik/whoami's /echo", async () => {
      await ok(['apply', '-f', '-'], `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ws
  namespace: ${NS}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ws
  template:
    metadata:
      labels:
        app: ws
    spec:
      containers:
      - name: whoami
        image: traefik/whoami:v1.10
---
apiVersion: v1
kind: Service
metadata:
  name: ws
  namespace: ${NS}
spec:
  selector:
    app: ws
  ports:
  - name: http
    port: 80
---
${ingressYaml({ name: 'ws', host: 'ws.test', paths: [['Prefix', '/', 'ws']] })}`);
      await readyApps(NS, ['ws']);
      // A plain GET of /echo: gorilla's refusal, through the proxy.
      const plain = await waitFor('the ws route', async () => {
        const r = await fetchVia(httpPort(), 'ws.test', '/echo');
        return r.status === 400 ? r : undefined;
      });
      assert.equal(plain.body, 'Bad Request\n');
      assert.match(plain.headers, /^sec-websocket-version: 13\r?$/im);
      // The upgrade, frames both ways, ping/pong and the closing handshake.
      const got: string[] = [];
      const res = await wsSession(httpPort(), 'ws.test', '/echo', async (send, next) => {
        for (const msg of ['hello', 'kwire websocket', 'x'.repeat(300)]) {
          send(0x1, Buffer.from(msg));
          const f = await next();
          assert.equal(f.opcode, 0x1);
          got.push(f.payload.toString());
        }
        send(0x2, Buffer.from([0, 1, 2, 255]));
        const bin = await next();
        assert.equal(bin.opcode, 0x2);
        assert.deepEqual([...bin.payload], [0, 1, 2, 255]);
        send(0x9, Buffer.from('ping'));
        const pong = await next();
        assert.equal(pong.opcode, 0xa);
        assert.equal(pong.payload.toString(), 'ping');
        send(0x8, Buffer.from([0x03, 0xe8]));
        const close = await next();
        assert.equal(close.opcode, 0x8);
        assert.equal(close.payload.readUInt16BE(0), 1000);
      });
      assert.match(res.status, /^HTTP\/1\.1 101 Switching Protocols$/);
      assert.deepEqual(got, ['hello', 'kwire websocket', 'x'.repeat(300)]);
      // whoami printed what it received (printBinary), so the frames really reached the pod.
      const logs = await waitFor('whoami to log the messages', async () => {
        const out = await ok(['logs', 'deployment/ws', '-n', NS]);
        return out.includes('Received b:0,1,2,255,') ? out : undefined;
      });
      assert.match(logs, /^Received b:104,101,108,108,111,$/m);
      // An upgrade request to another path is an ordinary request there: whoami shows the
      // Upgrade and Connection headers the proxy passed on, and that it came from the controller pod.
      const dump = await curl(['-H', 'Connection: Upgrade', '-H', 'Upgrade: websocket', '--resolve', `ws.test:${httpPort()}:127.0.0.1`, `http://ws.test:${httpPort()}/headers`]);
      assert.match(dump.stdout, /^Upgrade: websocket\r?$/m);
      assert.match(dump.stdout, /^Connection: upgrade\r?$/m);
      assert.match(dump.stdout, /^X-Forwarded-For: 127\.0\.0\.1\r?$/m);
      const ctrlIp = (await ok(['get', 'pods', '-n', 'ingress-nginx', '-l', 'app.kubernetes.io/component=controller', '-o', 'jsonpath={.items[0].status.podIP}'])).trim();
      assert.match(dump.stdout, new RegExp(`^RemoteAddr: ${ctrlIp.replace(/\./g, '\\.')}:\\d+\r?$`, 'm'));
    });

    await t.test('kubectl get ingress shows CLASS, HOSTS, ADDRESS; an unsupported annotation gives a Warning event naming it', async () => {
      await ok(['apply', '-f', '-'], ingressYaml({
        name: 'cors',
        host: 'cors.test',
        paths: [['Prefix', '/', 'app']],
        annotations: { 'nginx.ingress.kubernetes.io/enable-cors': 'true', 'nginx.ingress.kubernetes.io/rewrite-target': '/' },
      }));
      const ev = await waitFor('the UnsupportedAnnotation event', async () => {
        const out = await ok(['get', 'events', '-n', NS, '-o', 'json']);
        const items = (JSON.parse(out) as { items: Array<{ type: string; reason: string; message: string; involvedObject: { kind: string; name: string }; source?: { component?: string } }> }).items;
        return items.find((e) => e.involvedObject.kind === 'Ingress' && e.involvedObject.name === 'cors' && e.type === 'Warning');
      });
      assert.equal(ev.reason, 'UnsupportedAnnotation');
      assert.match(ev.message, /nginx\.ingress\.kubernetes\.io\/enable-cors/);
      assert.doesNotMatch(ev.message, /rewrite-target/);
      assert.equal(ev.source?.component, 'nginx-ingress-controller');
      const described = await ok(['describe', 'ingress', 'cors', '-n', NS]);
      assert.match(described, /Warning\s+UnsupportedAnnotation\s+.*nginx-ingress-controller\s+annotation nginx\.ingress\.kubernetes\.io\/enable-cors is not supported/);
      assert.match(described, /Normal\s+Sync\s+.*nginx-ingress-controller\s+Scheduled for sync/);
      // The Ingress is still served.
      assert.equal((await routed('cors.test')).body.trim(), 'app');
      const list = await ok(['get', 'ingress', '-n', NS]);
      assert.match(list, /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/m);
      const lb = lbIp.replace(/\./g, '\\.');
      assert.match(list, new RegExp(`^cors\\s+nginx\\s+cors\\.test\\s+${lb}\\s+80\\s+\\S+$`, 'm'));
      assert.match(list, new RegExp(`^beta\\s+nginx\\s+beta\\.tls\\.test\\s+${lb}\\s+80, 443\\s+\\S+$`, 'm'));
      // Wide output and -o jsonpath agree.
      assert.equal((await ok(['get', 'ingress', 'cors', '-n', NS, '-o', 'jsonpath={.spec.ingressClassName} {.status.loadBalancer.ingress[0].ip}'])).trim(), `nginx ${lbIp}`);
      // An Ingress of another class is not served: no ADDRESS, no route.
      await ok(['apply', '-f', '-'], ingressYaml({ name: 'other-class', host: 'other.test', paths: [['Prefix', '/', 'app']] }).replace('ingressClassName: nginx', 'ingressClassName: traefik'));
      await new Promise((r) => setTimeout(r, 500));
      assert.match(await ok(['get', 'ingress', 'other-class', '-n', NS]), /^other-class\s+traefik\s+other\.test\s+80\s+\S+$/m);
      assert.equal((await fetchVia(httpPort(), 'other.test', '/')).status, 404);
    });
  } finally {
    await c.stop();
  }
});
