/**
 * @module test/e2e/dns
 * Acceptance of the "Cluster DNS" issue on a whole kwire cluster, driven by the
 * real kubectl:
 *
 * - one table over the record types of the Kubernetes DNS specification
 *   (ClusterIP A, headless A per ready endpoint, pod hostname/subdomain, SRV for
 *   named ports, PTR for Service and pod IPs, ExternalName CNAME, pod A records,
 *   NXDOMAIN vs NODATA, another namespace), each row run twice: through the real
 *   `dig` against the cluster's host port (`dig @127.0.0.1 -p <dnsPort>`) and
 *   through busybox `nslookup` inside a pod of the row's namespace (`kubectl exec`);
 * - the pod resolver's search path for `svc.ns` (busybox wget, agnhost connect,
 *   `kubectl run --rm -i`), and a new Service resolving on the next query, a
 *   deleted one NXDOMAIN on the next;
 * - a deny-all egress policy making nslookup time out as on a real cluster, and
 *   an allow for UDP 53 to kube-system bringing it back;
 * - 10 000 random and mutated packets at the host port, after which it still
 *   answers correctly and quickly.
 *
 * dig comes from Debian's dnsutils: `bash scripts/dns-tools.sh` installs it.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { startTestCluster, type TestCluster } from '../../src/testing/test-cluster.js';
import { run } from '../../src/testing/kubectl.js';
import { waitFor } from './lab-scenario.js';

// ---------------------------------------------------------------- manifests

const MANIFEST = `apiVersion: v1
kind: Namespace
metadata:
  name: dns-a
---
apiVersion: v1
kind: Namespace
metadata:
  name: dns-b
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: dns-a
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: echo
        image: hashicorp/http-echo
        args: ["-text=web", "-listen=:8080"]
        ports:
        - name: http
          containerPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: web-unready
  namespace: dns-a
  labels:
    app: web
spec:
  containers:
  - name: echo
    image: hashicorp/http-echo
    args: ["-text=unready", "-listen=:8080"]
    readinessProbe:
      tcpSocket:
        port: 9999
      periodSeconds: 1
      failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: dns-a
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web-headless
  namespace: dns-a
spec:
  clusterIP: None
  selector:
    app: web
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Pod
metadata:
  name: named-pod
  namespace: dns-a
  labels:
    app: sub
spec:
  hostname: myhost
  subdomain: sub
  containers:
  - name: echo
    image: hashicorp/http-echo
    args: ["-text=myhost", "-listen=:8080"]
---
apiVersion: v1
kind: Service
metadata:
  name: sub
  namespace: dns-a
spec:
  clusterIP: None
  selector:
    app: sub
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: ext
  namespace: dns-a
spec:
  type: ExternalName
  externalName: www.example.org
---
apiVersion: v1
kind: Service
metadata:
  name: ext-db
  namespace: dns-a
spec:
  type: ExternalName
  externalName: db.dns-b.svc.cluster.local
---
apiVersion: v1
kind: Pod
metadata:
  name: client
  namespace: dns-a
spec:
  containers:
  - name: sh
    image: busybox
    command: ["sleep", "3600"]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: db
  namespace: dns-b
spec:
  replicas: 1
  selector:
    matchLabels:
      app: db
  template:
    metadata:
      labels:
        app: db
    spec:
      containers:
      - name: echo
        image: hashicorp/http-echo
        args: ["-text=db", "-listen=:5678"]
---
apiVersion: v1
kind: Service
metadata:
  name: db
  namespace: dns-b
spec:
  selector:
    app: db
  ports:
  - name: http
    port: 80
    targetPort: 5678
---
apiVersion: v1
kind: Pod
metadata:
  name: client
  namespace: dns-b
spec:
  containers:
  - name: sh
    image: busybox
    command: ["sleep", "3600"]
---
apiVersion: v1
kind: Pod
metadata:
  name: agnhost
  namespace: dns-a
spec:
  containers:
  - name: agnhost
    image: registry.k8s.io/e2e-test-images/agnhost:2.53
    args: ["pause"]
`;

// ---------------------------------------------------------------- answers as both tools show them

/** One answer, normalized: "A 10.96.0.5", "SRV 0 100 80 web.ns.svc.cluster.local", ... (no trailing dots). */
type Rr = string;

interface Outcome {
  readonly rcode: string;
  readonly answers: ReadonlyArray<Rr>;
}

const undot = (s: string): string => s.replace(/\.$/, '');
const sorted = (a: ReadonlyArray<string>): string[] => [...a].sort();

/** An answer as "TYPE rdata", prefixed with its owner name when that is not the name asked (a CNAME chain). */
function rr(qname: string, owner: string, text: string): Rr {
  const o = undot(owner).toLowerCase();
  return o === qname.toLowerCase() ? text : `${o} ${text}`;
}

/** dig's full output -> its status and answer section. */
function parseDig(out: string, qname: string): Outcome {
  const status = /status: ([A-Z]+)/.exec(out)?.[1];
  if (status === undefined) throw new Error(`no status in dig output:\n${out}`);
  const answers: Rr[] = [];
  const sec = out.split(';; ANSWER SECTION:\n')[1];
  if (sec !== undefined) {
    for (const line of sec.split('\n')) {
      if (line.trim() === '') break;
      const [name, , klass, type, ...rdata] = line.split(/\s+/);
      assert.equal(klass, 'IN', line);
      answers.push(rr(qname, name ?? '', `${type} ${rdata.map(undot).join(' ')}`));
    }
  }
  return { rcode: status, answers };
}

/**
 * busybox nslookup's output -> the outcome for one query name: its
 * "** server can't find NAME: RCODE" line, else NOERROR with every record printed
 * (nslookup -type=X asks one question; with a search list the other names'
 * replies are negative and print no records).
 */
function parseNslookup(out: string, qname: string): Outcome {
  const rcodes = new Map<string, string>();
  const answers: Rr[] = [];
  let lastName: string | undefined;
  for (const line of out.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = /^\*\* server can't find (\S+): (\S+)$/.exec(line))) rcodes.set(undot(m[1]!).toLowerCase(), m[2]!);
    else if ((m = /^Name:\t(\S+)$/.exec(line))) lastName = m[1]!;
    else if ((m = /^Address: (\S+)$/.exec(line)) && lastName !== undefined) answers.push(rr(qname, lastName, `${m[1]!.includes(':') ? 'AAAA' : 'A'} ${m[1]!}`));
    else if ((m = /^(\S+)\tcanonical name = (\S+)$/.exec(line))) answers.push(rr(qname, m[1]!, `CNAME ${undot(m[2]!)}`));
    else if ((m = /^(\S+)\tname = (\S+)$/.exec(line))) answers.push(rr(qname, m[1]!, `PTR ${undot(m[2]!)}`));
    else if ((m = /^(\S+)\tservice = (\d+) (\d+) (\d+) (\S+)$/.exec(line))) answers.push(rr(qname, m[1]!, `SRV ${m[2]} ${m[3]} ${m[4]} ${undot(m[5]!)}`));
  }
  const rcode = rcodes.get(qname.toLowerCase()) ?? 'NOERROR';
  return { rcode, answers: rcode === 'NOERROR' ? answers : [] };
}

function reverseName(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}

const dashed = (ip: string): string => ip.replace(/\./g, '-');

// ---------------------------------------------------------------- the cluster's facts the rows refer to

interface Facts {
  readonly webVip: string;
  readonly dbVip: string;
  /** IPs of the two ready web pods (sorted). */
  readonly webIps: ReadonlyArray<string>;
  readonly unreadyIp: string;
  readonly namedIp: string;
}

interface Row {
  readonly what: string;
  /** The namespace of the pod that asks (nslookup runs there). */
  readonly from: string;
  /** The name asked, fully qualified (dig asks it from the host; nslookup in the pod). */
  readonly name: string;
  readonly type: 'A' | 'AAAA' | 'SRV' | 'PTR' | 'CNAME';
  readonly expect: { readonly rcode: 'NOERROR' | 'NXDOMAIN'; readonly answers: ReadonlyArray<Rr> };
}

function rows(f: Facts): Row[] {
  const ok = (...answers: Rr[]) => ({ rcode: 'NOERROR' as const, answers });
  const nx = { rcode: 'NXDOMAIN' as const, answers: [] };
  const [ip1, ip2] = f.webIps as [string, string];
  return [
    { what: 'ClusterIP Service A', from: 'dns-a', name: 'web.dns-a.svc.cluster.local', type: 'A', expect: ok(`A ${f.webVip}`) },
    { what: 'a Service in another namespace (svc.ns)', from: 'dns-a', name: 'db.dns-b.svc.cluster.local', type: 'A', expect: ok(`A ${f.dbVip}`) },
    { what: 'the same Service asked from its own namespace', from: 'dns-b', name: 'db.dns-b.svc.cluster.local', type: 'A', expect: ok(`A ${f.dbVip}`) },
    { what: 'headless Service: one A per ready endpoint (the unready pod is left out)', from: 'dns-a', name: 'web-headless.dns-a.svc.cluster.local', type: 'A', expect: ok(`A ${ip1}`, `A ${ip2}`) },
    { what: 'endpoint name of a headless Service', from: 'dns-a', name: `${dashed(ip1)}.web-headless.dns-a.svc.cluster.local`, type: 'A', expect: ok(`A ${ip1}`) },
    { what: 'pod hostname.subdomain', from: 'dns-b', name: 'myhost.sub.dns-a.svc.cluster.local', type: 'A', expect: ok(`A ${f.namedIp}`) },
    { what: 'the subdomain Service itself', from: 'dns-a', name: 'sub.dns-a.svc.cluster.local', type: 'A', expect: ok(`A ${f.namedIp}`) },
    { what: 'SRV for a named port of a ClusterIP Service', from: 'dns-a', name: '_http._tcp.web.dns-a.svc.cluster.local', type: 'SRV', expect: ok('SRV 0 100 80 web.dns-a.svc.cluster.local') },
    {
      what: 'SRV for a named port of a headless Service: one per ready endpoint, endpoint port',
      from: 'dns-a',
      name: '_http._tcp.web-headless.dns-a.svc.cluster.local',
      type: 'SRV',
      expect: ok(`SRV 0 50 8080 ${dashed(ip1)}.web-headless.dns-a.svc.cluster.local`, `SRV 0 50 8080 ${dashed(ip2)}.web-headless.dns-a.svc.cluster.local`),
    },
    { what: 'SRV target is the pod hostname', from: 'dns-a', name: '_http._tcp.sub.dns-a.svc.cluster.local', type: 'SRV', expect: ok('SRV 0 100 8080 myhost.sub.dns-a.svc.cluster.local') },
    { what: 'SRV for a port/protocol the Service lacks', from: 'dns-a', name: '_http._udp.web.dns-a.svc.cluster.local', type: 'SRV', expect: nx },
    { what: 'PTR for a Service IP', from: 'dns-a', name: reverseName(f.webVip), type: 'PTR', expect: ok('PTR web.dns-a.svc.cluster.local') },
    { what: 'PTR for a pod IP with hostname/subdomain', from: 'dns-b', name: reverseName(f.namedIp), type: 'PTR', expect: ok('PTR myhost.sub.dns-a.svc.cluster.local') },
    {
      what: 'PTR for a pod IP behind two Services: one per Service',
      from: 'dns-a',
      name: reverseName(ip1),
      type: 'PTR',
      expect: ok(`PTR ${dashed(ip1)}.web-headless.dns-a.svc.cluster.local`, `PTR ${dashed(ip1)}.web.dns-a.svc.cluster.local`),
    },
    { what: 'ExternalName is a CNAME', from: 'dns-a', name: 'ext.dns-a.svc.cluster.local', type: 'CNAME', expect: ok('CNAME www.example.org') },
    {
      what: 'ExternalName to a cluster name: the CNAME and its target, for an A question',
      from: 'dns-b',
      name: 'ext-db.dns-a.svc.cluster.local',
      type: 'A',
      expect: ok('CNAME db.dns-b.svc.cluster.local', `db.dns-b.svc.cluster.local A ${f.dbVip}`),
    },
    { what: 'pod A record a-b-c-d.ns.pod', from: 'dns-a', name: `${dashed(ip2)}.dns-a.pod.cluster.local`, type: 'A', expect: ok(`A ${ip2}`) },
    { what: 'pod A record of the unready pod (pods insecure)', from: 'dns-b', name: `${dashed(f.unreadyIp)}.dns-a.pod.cluster.local`, type: 'A', expect: ok(`A ${f.unreadyIp}`) },
    { what: 'NXDOMAIN: no such Service', from: 'dns-a', name: 'missing.dns-a.svc.cluster.local', type: 'A', expect: nx },
    { what: 'NXDOMAIN: no such namespace', from: 'dns-a', name: 'web.nosuchns.svc.cluster.local', type: 'A', expect: nx },
    { what: 'NODATA: an IPv4 Service asked for AAAA', from: 'dns-a', name: 'web.dns-a.svc.cluster.local', type: 'AAAA', expect: ok() },
    { what: 'NODATA: the namespace name itself', from: 'dns-a', name: 'dns-a.svc.cluster.local', type: 'A', expect: ok() },
    { what: 'NODATA: the pod subdomain of a namespace', from: 'dns-a', name: 'dns-a.pod.cluster.local', type: 'A', expect: ok() },
  ];
}

// ---------------------------------------------------------------- the test

async function findDig(): Promise<string> {
  const r = await run('sh', ['-c', 'command -v dig'], { timeoutMs: 5_000 });
  if (r.code !== 0 || r.stdout.trim() === '') throw new Error('dig is not installed: run `bash scripts/dns-tools.sh` (installs the Debian package dnsutils)');
  return r.stdout.trim();
}

interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  status: { podIP?: string; phase?: string; conditions?: Array<{ type: string; status: string }> };
}

test('cluster DNS end to end: dig on the host port, nslookup in pods', { timeout: 600_000 }, async (t: TestContext) => {
  const digBin = await findDig();
  const c: TestCluster = await startTestCluster();
  const ok = (args: string[], input?: string) => c.kubectlOk(args, { input, timeoutMs: 60_000 });
  const k = (args: string[], input?: string) => c.kubectl(args, { input, timeoutMs: 60_000 });
  const port = c.cluster.dnsPort;
  const dig = async (...args: string[]) => {
    const r = await run(digBin, ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', ...args], { timeoutMs: 15_000 });
    assert.equal(r.code, 0, `dig ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  };
  const digAsk = (name: string, type: string) => dig(type === 'PTR' ? '-x' : name, ...(type === 'PTR' ? [name.split('.').slice(0, 4).reverse().join('.')] : [type]));
  const nslookup = (ns: string, args: string[]) => k(['exec', 'client', '-n', ns, '--', 'nslookup', ...args]);
  const pods = async (ns: string, selector: string): Promise<PodJson[]> =>
    (JSON.parse(await ok(['get', 'pods', '-n', ns, '-l', selector, '-o', 'json'])) as { items: PodJson[] }).items.filter((p) => !p.metadata.deletionTimestamp);
  const isReady = (p: PodJson) => p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') === true;

  try {
    let facts: Facts | undefined;

    await t.test('setup: Services, Deployments, a pod with hostname/subdomain, an unready pod, client pods', async () => {
      await ok(['apply', '-f', '-'], MANIFEST);
      const web = await waitFor('2 ready web pods and a running unready one', async () => {
        const list = await pods('dns-a', 'app=web');
        const ready = list.filter(isReady);
        const unready = list.filter((p) => !isReady(p) && p.status.phase === 'Running' && p.status.podIP);
        return ready.length === 2 && unready.length === 1 && list.length === 3 ? { ready, unready: unready[0]! } : undefined;
      });
      const named = await waitFor('named-pod ready', async () => (await pods('dns-a', 'app=sub')).find(isReady));
      await waitFor('db ready', async () => ((await pods('dns-b', 'app=db')).some(isReady) ? true : undefined));
      for (const ns of ['dns-a', 'dns-b']) {
        await waitFor(`client in ${ns}`, async () => ((await ok(['get', 'pod', 'client', '-n', ns, '-o', 'jsonpath={.status.phase}'])) === 'Running' ? true : undefined));
      }
      await waitFor('agnhost running', async () => ((await ok(['get', 'pod', 'agnhost', '-n', 'dns-a', '-o', 'jsonpath={.status.phase}'])) === 'Running' ? true : undefined));
      // The headless Service's endpoints are in (EndpointSlices follow pod readiness).
      await waitFor('headless endpoints', async () => {
        const out = await ok(['get', 'endpointslices', '-n', 'dns-a', '-l', 'kubernetes.io/service-name=web-headless', '-o', 'json']);
        const eps = (JSON.parse(out) as { items: Array<{ endpoints?: Array<{ conditions?: { ready?: boolean } }> }> }).items.flatMap((s) => s.endpoints ?? []);
        return eps.filter((e) => e.conditions?.ready === true).length === 2 ? true : undefined;
      });
      facts = {
        webVip: (await ok(['get', 'svc', 'web', '-n', 'dns-a', '-o', 'jsonpath={.spec.clusterIP}'])).trim(),
        dbVip: (await ok(['get', 'svc', 'db', '-n', 'dns-b', '-o', 'jsonpath={.spec.clusterIP}'])).trim(),
        webIps: web.ready.map((p) => p.status.podIP!).sort(),
        unreadyIp: web.unready.status.podIP!,
        namedIp: named.status.podIP!,
      };
      assert.match(facts.webVip, /^10\.\d+\.\d+\.\d+$/);
      // The pods' resolver is pointed at cluster DNS with the namespace's search path.
      const conf = await ok(['exec', 'client', '-n', 'dns-a', '--', 'cat', '/etc/resolv.conf']);
      assert.match(conf, /^search dns-a\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
      assert.match(conf, /^nameserver 10\.96\.0\.10$/m);
      assert.match(conf, /^options ndots:5$/m);
    });

    await t.test('the record table, through dig on the host port and nslookup in pods', async (tt) => {
      assert.ok(facts, 'setup ran');
      for (const row of rows(facts)) {
        await tt.test(`${row.what}: ${row.type} ${row.name} -> ${row.expect.rcode} ${row.expect.answers.join(', ')}`, async () => {
          // dig on the host port
          const d = parseDig(await digAsk(row.name, row.type), row.name);
          assert.equal(d.rcode, row.expect.rcode, `dig status for ${row.name}`);
          assert.deepEqual(sorted(d.answers), sorted(row.expect.answers), `dig answers for ${row.name}`);
          // busybox nslookup from a pod of the row's namespace (a reverse name is asked by its address)
          const args = row.type === 'PTR' ? [row.name.split('.').slice(0, 4).reverse().join('.')] : [`-type=${row.type.toLowerCase()}`, row.name];
          const r = await nslookup(row.from, args);
          const out = r.stdout;
          assert.match(out, /^Server:\t\t10\.96\.0\.10\nAddress:\t10\.96\.0\.10:53\n/, out + r.stderr);
          const n = parseNslookup(out, row.name);
          assert.equal(n.rcode, row.expect.rcode, `nslookup rcode:\n${out}`);
          assert.deepEqual(sorted(n.answers), sorted(row.expect.answers), `nslookup answers:\n${out}`);
          assert.equal(r.code, row.expect.rcode === 'NOERROR' ? 0 : 1, `nslookup exit status:\n${out}`);
        });
      }
    });

    await t.test('answers carry the cluster facts dig shows: authoritative, TTL 5, SOA on negative answers', async () => {
      const full = await dig('web.dns-a.svc.cluster.local', 'A');
      assert.match(full, /flags: qr aa rd;/);
      assert.match(full, /^web\.dns-a\.svc\.cluster\.local\.\s+5\s+IN\s+A\s+/m);
      const nx = await dig('missing.dns-a.svc.cluster.local', 'A');
      assert.match(nx, /^cluster\.local\.\s+5\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/m);
      const nodata = await dig('web.dns-a.svc.cluster.local', 'AAAA');
      assert.match(nodata, /ANSWER: 0, AUTHORITY: 1,/);
      // SRV answers bring the targets' addresses along.
      const srv = await dig('_http._tcp.web-headless.dns-a.svc.cluster.local', 'SRV');
      for (const ip of facts!.webIps) assert.match(srv, new RegExp(`^${dashed(ip)}\\.web-headless\\.dns-a\\.svc\\.cluster\\.local\\.\\s+5\\s+IN\\s+A\\s+${ip.replace(/\./g, '\\.')}$`, 'm'));
      // Over TCP too.
      assert.equal((await dig('+tcp', '+short', 'db.dns-b.svc.cluster.local', 'A')).trim(), facts!.dbVip);
    });

    await t.test('short names through the pod search path: svc, svc.ns (busybox, agnhost, kubectl run --rm -i)', async () => {
      // busybox nslookup expands a dotless name with every search domain (and, true to
      // busybox, exits 1 because the other search domains answer NXDOMAIN).
      const short = await nslookup('dns-a', ['-type=a', 'web']);
      assert.deepEqual(parseNslookup(short.stdout, 'web.dns-a.svc.cluster.local').answers, [`A ${facts!.webVip}`]);
      assert.match(short.stdout, /\*\* server can't find web\.svc\.cluster\.local: NXDOMAIN/);
      // `svc.ns` from another namespace: the resolver's search path (ndots:5) finds it.
      const w = await ok(['exec', 'client', '-n', 'dns-a', '--', 'wget', '-qO-', '-T', '5', 'http://db.dns-b']);
      assert.equal(w.trim(), 'db');
      const conn = await k(['exec', 'agnhost', '-n', 'dns-a', '--', '/agnhost', 'connect', 'db.dns-b:80', '--timeout=5s']);
      assert.equal(conn.code, 0, conn.stdout + conn.stderr);
      const bad = await k(['exec', 'agnhost', '-n', 'dns-a', '--', '/agnhost', 'connect', 'nothere.dns-b:80', '--timeout=5s']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr + bad.stdout, /DNS|lookup|no such host/i);
      const once = await ok(['run', 'dns-once', '--image=busybox', '--rm', '-i', '--restart=Never', '-n', 'dns-b', '--', 'sh', '-c', 'nslookup -type=a web.dns-a.svc.cluster.local; wget -qO- -T 5 http://web.dns-a']);
      assert.match(once, new RegExp(`Name:\\tweb\\.dns-a\\.svc\\.cluster\\.local\\nAddress: ${facts!.webVip.replace(/\./g, '\\.')}\\n`));
      assert.match(once, /^web$/m);
    });

    await t.test('a new Service resolves on the next query; a deleted one is NXDOMAIN on the next', async () => {
      const fq = 'late.dns-b.svc.cluster.local';
      assert.equal(parseDig(await dig(fq, 'A'), fq).rcode, 'NXDOMAIN');
      assert.equal((await ok(['create', 'service', 'clusterip', 'late', '-n', 'dns-b', '--tcp=80:8080'])).trim(), 'service/late created');
      const ip = (await ok(['get', 'svc', 'late', '-n', 'dns-b', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
      assert.deepEqual(parseDig(await dig(fq, 'A'), fq), { rcode: 'NOERROR', answers: [`A ${ip}`] });
      const inPod = await nslookup('dns-a', ['-type=a', fq]);
      assert.deepEqual(parseNslookup(inPod.stdout, fq), { rcode: 'NOERROR', answers: [`A ${ip}`] });
      const ptr = parseDig(await dig('-x', ip), reverseName(ip));
      assert.deepEqual(ptr.answers, [`PTR ${fq}`]);
      assert.match(await ok(['delete', 'service', 'late', '-n', 'dns-b']), /service "late" deleted/);
      assert.equal(parseDig(await dig(fq, 'A'), fq).rcode, 'NXDOMAIN');
      assert.equal(parseNslookup((await nslookup('dns-a', ['-type=a', fq])).stdout, fq).rcode, 'NXDOMAIN');
      assert.equal(parseDig(await dig('-x', ip), reverseName(ip)).rcode, 'NXDOMAIN');
    });

    await t.test('deny-all egress makes nslookup time out as on a real cluster; allowing UDP 53 to kube-system brings it back', async () => {
      await ok(['create', 'namespace', 'dns-deny']);
      await ok(['run', 'client', '--image=busybox', '-n', 'dns-deny', '--', 'sleep', '3600']);
      await waitFor('client in dns-deny', async () => ((await ok(['get', 'pod', 'client', '-n', 'dns-deny', '-o', 'jsonpath={.status.phase}'])) === 'Running' ? true : undefined));
      const before = await nslookup('dns-deny', ['-type=a', 'web.dns-a.svc.cluster.local']);
      assert.equal(before.code, 0, before.stdout);
      await ok(['apply', '-f', '-'], `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-all-egress
  namespace: dns-deny
spec:
  podSelector: {}
  policyTypes:
  - Egress
`);
      const t0 = Date.now();
      const denied = await nslookup('dns-deny', ['-type=a', 'web.dns-a.svc.cluster.local']);
      const took = Date.now() - t0;
      assert.equal(denied.code, 1, denied.stdout);
      assert.equal(denied.stdout, ';; connection timed out; no servers could be reached\n\n');
      assert.ok(took >= 4_500 && took < 20_000, `busybox waits out its 5 s timeout (took ${took} ms)`);
      // Allowing TCP 53 alone does not help: busybox asks over UDP.
      await ok(['apply', '-f', '-'], `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns
  namespace: dns-deny
spec:
  podSelector: {}
  policyTypes:
  - Egress
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
    ports:
    - protocol: TCP
      port: 53
`);
      const tcpOnly = await nslookup('dns-deny', ['-type=a', '-timeout=2', 'web.dns-a.svc.cluster.local']);
      assert.equal(tcpOnly.stdout, ';; connection timed out; no servers could be reached\n\n');
      await ok(['apply', '-f', '-'], `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-dns
  namespace: dns-deny
spec:
  podSelector: {}
  policyTypes:
  - Egress
  egress:
  - to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
    ports:
    - protocol: UDP
      port: 53
`);
      const t1 = Date.now();
      const back = await nslookup('dns-deny', ['-type=a', 'web.dns-a.svc.cluster.local']);
      assert.equal(back.code, 0, back.stdout);
      assert.ok(Date.now() - t1 < 4_000, 'answered without waiting for a timeout');
      const fq = 'web.dns-a.svc.cluster.local';
      assert.deepEqual(parseNslookup(back.stdout, fq), { rcode: 'NOERROR', answers: [`A ${facts!.webVip}`] });
      // DNS works but the rest of egress is still denied: the HTTP request times out.
      const http = await k(['exec', 'client', '-n', 'dns-deny', '--', 'wget', '-qO-', '-T', '2', 'http://web.dns-a']);
      assert.notEqual(http.code, 0);
      assert.match(http.stderr, /download timed out/);
      // The flow log recorded the dropped and then the forwarded DNS flows.
      const flows = c.cluster.net.recent({ protocol: 'UDP', service: 'kube-system/kube-dns' }).filter((f) => f.dst.port === 53 && f.src.owner?.kind === 'pod' && f.src.owner.namespace === 'dns-deny');
      assert.ok(flows.some((f) => f.verdict === 'dropped' && f.policies.includes('dns-deny/deny-all-egress')), `a dropped DNS flow: ${JSON.stringify(flows.slice(-3))}`);
      assert.ok(flows.some((f) => f.verdict === 'forwarded' && f.policies.includes('dns-deny/allow-dns')), 'a forwarded DNS flow');
    });

    await t.test('10 000 random and mutated packets: the host port still answers correctly, in bounded time', async () => {
      const t0 = Date.now();
      const stats = await fuzzHostPort(port, 10_000);
      const fuzzMs = Date.now() - t0;
      assert.equal(stats.sent, 10_000);
      assert.ok(fuzzMs < 120_000, `fuzzing took ${fuzzMs} ms`);
      // Some of the valid-looking ones were answered (FORMERR, NOTIMP, NXDOMAIN, answers).
      assert.ok(stats.replies > 100, `replies: ${stats.replies}`);
      const t1 = Date.now();
      const fq = 'web.dns-a.svc.cluster.local';
      assert.deepEqual(parseDig(await dig(fq, 'A'), fq), { rcode: 'NOERROR', answers: [`A ${facts!.webVip}`] });
      assert.deepEqual(parseDig(await dig('+tcp', fq, 'A'), fq), { rcode: 'NOERROR', answers: [`A ${facts!.webVip}`] });
      const hs = 'web-headless.dns-a.svc.cluster.local';
      assert.deepEqual(sorted(parseDig(await dig(hs, 'A'), hs).answers), facts!.webIps.map((ip) => `A ${ip}`));
      assert.ok(Date.now() - t1 < 5_000, 'answers come promptly after the fuzzing');
      // In-cluster DNS (the same handler, served by the coredns pods) is fine too.
      const n = await nslookup('dns-a', ['-type=a', fq]);
      assert.deepEqual(parseNslookup(n.stdout, fq).answers, [`A ${facts!.webVip}`]);
      // Nothing else broke: the kube-dns Service still has its endpoints.
      assert.match(await ok(['get', 'endpoints', 'kube-dns', '-n', 'kube-system']), /kube-dns\s+\S*:53/);
    });
  } finally {
    await c.stop();
  }
});

// ---------------------------------------------------------------- the fuzzer

/** A small deterministic PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS: ReadonlyArray<Buffer> = [
  dnsPacket.encode({ type: 'query', id: 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name: 'web.dns-a.svc.cluster.local' }] }),
  dnsPacket.encode({ type: 'query', id: 2, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'SRV', name: '_http._tcp.web-headless.dns-a.svc.cluster.local' }] }),
  dnsPacket.encode({ type: 'query', id: 3, questions: [{ type: 'PTR', name: '10.0.96.10.in-addr.arpa' }] }),
  dnsPacket.encode({
    type: 'query',
    id: 4,
    questions: [{ type: 'AAAA', name: 'web-headless.dns-a.svc.cluster.local' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: dnsPacket.DNSSEC_OK, flag_do: true, options: [{ code: 12, length: 8 }, { code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 0, ip: '10.244.1.0' }] }],
  }),
  dnsPacket.encode({ type: 'query', id: 5, questions: [{ type: 'MX', name: 'dns-a.pod.cluster.local' }] }),
  dnsPacket.encode({ type: 'query', id: 6, questions: [{ type: 'TXT', name: 'dns-version.cluster.local' }] }),
];

/** One packet: random bytes, or a seed query mutated in one of several ways. */
function fuzzPacket(rand: () => number, i: number): Buffer {
  const int = (n: number) => Math.floor(rand() * n);
  if (i % 4 === 0) {
    const b = Buffer.alloc(int(600));
    for (let j = 0; j < b.length; j++) b[j] = int(256);
    return b;
  }
  const seed = Buffer.from(SEEDS[int(SEEDS.length)]!);
  let b: Buffer = seed;
  switch (int(8)) {
    case 0: // bit flips
      for (let n = 1 + int(6); n > 0; n--) b[int(b.length)] ^= 1 << int(8);
      break;
    case 1: // truncated
      b = b.subarray(0, int(b.length));
      break;
    case 2: // random bytes inserted
      b = Buffer.concat([b.subarray(0, int(b.length)), Buffer.from(Array.from({ length: 1 + int(40) }, () => int(256))), b.subarray(int(b.length))]);
      break;
    case 3: // a label length pointing past the end, or a compression pointer to itself
      b[12] = int(2) === 0 ? 63 : 0xc0;
      if (b[12] === 0xc0) b[13] = 12;
      break;
    case 4: // header counts scrambled (qdcount 0 / many, ancount/arcount large)
      b.writeUInt16BE(int(4), 4);
      b.writeUInt16BE(int(3), 6);
      b.writeUInt16BE(int(3), 8);
      b.writeUInt16BE(int(4), 10);
      break;
    case 5: // opcode/flags random, QR sometimes set (a "response": dropped)
      b.writeUInt16BE(int(65536), 2);
      break;
    case 6: // type/class random
      b.writeUInt16BE(int(65536), b.length - 4);
      b.writeUInt16BE(int(65536), b.length - 2);
      break;
    default: // trailing garbage
      b = Buffer.concat([b, Buffer.alloc(1 + int(300), int(256))]);
  }
  return b;
}

/**
 * Sends `count` fuzz packets to 127.0.0.1:port: most over UDP in bursts (counting
 * the replies), every 50th over TCP on one connection (length-prefixed; the server
 * may close it, then a new one is opened).
 */
async function fuzzHostPort(port: number, count: number): Promise<{ sent: number; replies: number }> {
  const rand = prng(0x6b77697265);
  const udp = dgram.createSocket('udp4');
  let replies = 0;
  udp.on('message', () => replies++);
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  let tcp: net.Socket | undefined;
  const tcpSend = async (b: Buffer) => {
    if (!tcp || tcp.destroyed) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => s.destroy());
      s.on('data', () => replies++);
      await new Promise<void>((r) => {
        s.once('connect', () => r());
        s.once('close', () => r());
      });
      tcp = s;
    }
    const head = Buffer.alloc(2);
    head.writeUInt16BE(Math.min(b.length, 65535));
    if (!tcp.destroyed) tcp.write(Buffer.concat([head, b]));
  };
  let sent = 0;
  try {
    while (sent < count) {
      const burst = Math.min(100, count - sent);
      const pending: Array<Promise<void>> = [];
      for (let j = 0; j < burst; j++, sent++) {
        const p = fuzzPacket(rand, sent);
        if (sent % 50 === 49) {
          await tcpSend(p);
          continue;
        }
        pending.push(new Promise<void>((r) => udp.send(p, port, '127.0.0.1', () => r())));
      }
      await Promise.all(pending);
      // Let the server drain its socket between bursts (bounded: a few ms).
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    (tcp as net.Socket | undefined)?.destroy();
    await new Promise<void>((r) => udp.close(() => r()));
  }
  return { sent, replies };
}
