/**
 * @module workloads/busybox/wget.test
 * busybox wget against the lab: DNS search walk, body, messages, timeouts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { LAB, labCluster } from '../testing/fake-context.js';
import { listenHttps, selfSigned } from '../testing/tls-certs.js';
import { wget } from './wget.js';

const HELLO = /^Hello from Backend Pod: backend-7d4b9c-\w+\n$/;

test('wget -qO- http://backend-clusterip prints the body only, after the search walk', async () => {
  const lab = labCluster();
  const p = lab.proc();
  const code = await wget(p.ctx, ['wget', '-qO-', 'http://backend-clusterip']);
  assert.equal(code, 0);
  assert.match(p.stdout.text(), HELLO);
  assert.equal(p.stderr.text(), '');
  assert.deepEqual(lab.dns.questions, [`${LAB.backendFqdn} A`, `${LAB.backendFqdn} AAAA`]);
  assert.deepEqual(lab.backendRequests, ['GET /']);
  assert.deepEqual(lab.net.connects.map((c) => `${c.ip}:${c.port} ${c.outcome}`), ['10.96.12.34:80 connected']);
});

test('three calls reach three backend pods in turn', async () => {
  const lab = labCluster();
  const bodies: string[] = [];
  for (let i = 0; i < 3; i++) {
    const p = lab.proc();
    assert.equal(await wget(p.ctx, ['wget', '-qO-', 'http://backend-clusterip']), 0);
    bodies.push(p.stdout.text());
  }
  assert.equal(new Set(bodies).size, 3);
});

test('wget without -q: Connecting to, saving to, the bar and saved; then refuses to overwrite', async () => {
  const lab = labCluster();
  const p = lab.proc();
  assert.equal(await wget(p.ctx, ['wget', 'http://backend-clusterip']), 0);
  assert.equal(
    p.stderr.text(),
    'Connecting to backend-clusterip (10.96.12.34:80)\n' +
      "saving to 'index.html'\n" +
      `index.html           100% |${'*'.repeat(32)}|    45  0:00:00 ETA\n` +
      "'index.html' saved\n",
  );
  assert.match(p.ctx.files.read('/index.html')?.toString() ?? '', HELLO);
  const again = lab.proc({ files: p.ctx.files });
  assert.equal(await wget(again.ctx, ['wget', 'http://backend-clusterip']), 1);
  assert.match(again.stderr.text(), /wget: can't open 'index\.html': File exists\n$/);
});

test('on a terminal the bar is redrawn with \\r and ends with a newline; -O- says writing to stdout', async () => {
  const lab = labCluster();
  const p = lab.proc({ tty: true });
  assert.equal(await wget(p.ctx, ['wget', '-O-', 'http://backend-clusterip.networking-lab.svc.cluster.local']), 0);
  const text = p.stdout.text();
  assert.ok(text.startsWith('Connecting to backend-clusterip.networking-lab.svc.cluster.local (10.96.12.34:80)\nwriting to stdout\n'), text);
  assert.match(text, /Hello from Backend Pod/);
  assert.match(text, /\r-                    100% \|\*{32}\|    45  0:00:00 ETA\nwritten to stdout\n$/);
});

test('a dropped connection with --timeout=5 ends in "download timed out" after 5 s', async () => {
  const lab = labCluster();
  lab.net.dropTcp.add(`${LAB.backendVip}:80`);
  const p = lab.proc();
  const t0 = lab.clock.now();
  const code = await wget(p.ctx, ['wget', '-qO-', 'http://backend-clusterip', '--timeout=5']);
  assert.equal(code, 1);
  assert.equal(p.stderr.text(), 'wget: download timed out\n');
  assert.equal(lab.clock.now() - t0, 5000);
});

test('without -T the kernel gives up first: Connection timed out', async () => {
  const lab = labCluster();
  lab.net.dropTcp.add(`${LAB.backendVip}:80`);
  const p = lab.proc();
  assert.equal(await wget(p.ctx, ['wget', '-q', '-O', '-', 'http://backend-clusterip']), 1);
  assert.equal(p.stderr.text(), "wget: can't connect to remote host (10.96.12.34): Connection timed out\n");
});

test('DNS blocked: bad address after the resolver times out (the -T timeout does not cover DNS)', async () => {
  const lab = labCluster();
  lab.net.dropUdp.add(`${LAB.dnsIp}:53`);
  const p = lab.proc();
  const t0 = lab.clock.now();
  assert.equal(await wget(p.ctx, ['wget', '-qO-', 'http://backend-clusterip', '-T', '2']), 1);
  assert.equal(p.stderr.text(), "wget: bad address 'backend-clusterip'\n");
  assert.equal(lab.clock.now() - t0, 5000);
});

test('refused, unknown host, HTTP errors, bad URLs', async () => {
  const lab = labCluster({ 'nobody.networking-lab.svc.cluster.local': { A: ['10.96.99.99'] } });
  const rows: Array<[string[], string]> = [
    [['-qO-', 'http://nobody'], "wget: can't connect to remote host (10.96.99.99): Connection refused\n"],
    [['-qO-', 'http://nosuch:8080/x'], "wget: bad address 'nosuch:8080'\n"],
    [['-qO-', 'http://backend-clusterip/missing'], 'wget: server returned error: HTTP/1.1 404 Not Found\n'],
    [['-q', 'gopher://x/'], 'wget: not an http or ftp url: gopher://x/\n'],
  ];
  for (const [args, want] of rows) {
    const p = lab.proc();
    assert.equal(await wget(p.ctx, ['wget', ...args]), 1, args.join(' '));
    assert.equal(p.stderr.text(), want, args.join(' '));
  }
});

test('-S shows the response head; --spider checks existence only; redirects are followed', async () => {
  const lab = labCluster();
  const s = lab.proc();
  assert.equal(await wget(s.ctx, ['wget', '-S', '--spider', 'http://backend-clusterip/']), 0);
  const text = s.stderr.text();
  assert.match(text, /^Connecting to backend-clusterip \(10\.96\.12\.34:80\)\n  HTTP\/1\.1 200 OK\n  X-App-Name: http-echo\n/);
  assert.match(text, /remote file exists\n$/);
  assert.equal(s.stdout.text(), '');

  const r = lab.proc();
  assert.equal(await wget(r.ctx, ['wget', '-qO-', 'http://backend-clusterip/old']), 0);
  assert.deepEqual(lab.backendRequests.slice(-2), ['GET /old', 'GET /new']);
  assert.match(r.stdout.text(), HELLO);
});

test('-O FILE, -U and --header reach the server', async () => {
  const lab = labCluster();
  let seen: Record<string, string | string[] | undefined> = {};
  lab.net.listenHttp('10.96.50.50', 8080, (req, res) => {
    seen = req.headers;
    res.end('ok\n');
  });
  const p = lab.proc();
  const code = await wget(p.ctx, ['wget', '-q', '-O', '/tmp/out.txt', '-U', 'lab/1.0', '--header', 'X-Test: yes', 'http://10.96.50.50:8080/a?b=c']);
  assert.equal(code, 0);
  assert.equal(p.ctx.files.read('/tmp/out.txt')?.toString(), 'ok\n');
  assert.equal(seen['user-agent'], 'lab/1.0');
  assert.equal(seen['x-test'], 'yes');
  assert.equal(seen['host'], '10.96.50.50:8080');
  assert.equal(seen['connection'], 'close');
});

test('usage and option errors', async () => {
  const lab = labCluster();
  const p = lab.proc();
  assert.equal(await wget(p.ctx, ['wget']), 1);
  assert.match(p.stderr.text(), /^BusyBox v1\.36\.1 .* multi-call binary\.\n\nUsage: wget \[-cqS\]/);
  const q = lab.proc();
  assert.equal(await wget(q.ctx, ['wget', '--bogus', 'http://x']), 1);
  assert.match(q.stderr.text(), /^wget: unrecognized option: bogus\nBusyBox/);
});

test('a stalled body times out after -T seconds without data', async () => {
  const lab = labCluster();
  lab.net.listenHttp('10.96.60.60', 80, (_req, res) => {
    res.writeHead(200, { 'Content-Length': '100' });
    res.write('partial');
  });
  const p = lab.proc();
  const t0 = lab.clock.now();
  assert.equal(await wget(p.ctx, ['wget', '-O', '/tmp/x', '-T', '3', 'http://10.96.60.60/']), 1);
  assert.equal(lab.clock.now() - t0, 3000);
  assert.equal(
    p.stderr.text(),
    'Connecting to 10.96.60.60 (10.96.60.60:80)\n' +
      "saving to '/tmp/x'\n" +
      `x                      7% |**${' '.repeat(30)}|     7  0:00:13 ETA\n` +
      `x                      7% |**${' '.repeat(30)}|     7  0:00:26 ETA\n` +
      `x                      7% |**${' '.repeat(30)}|     7  0:00:39 ETA\n` +
      'wget: download timed out\n',
  );
  assert.equal(p.ctx.files.read('/tmp/x')?.toString(), 'partial');
});

// ---------------------------------------------------------------- https

const NOTE = 'wget: note: TLS certificate validation not implemented\n';

async function secureLab(): Promise<{ lab: ReturnType<typeof labCluster>; sni: string[]; hosts: string[] }> {
  const lab = labCluster({ 'secure.networking-lab.svc.cluster.local': { A: ['10.96.90.90'] } });
  const pair = await selfSigned({ subject: 'O=Acme Co, CN=Kubernetes Ingress Controller Fake Certificate', dns: ['ingress.local'] });
  const hosts: string[] = [];
  const { servernames } = listenHttps(lab.net, '10.96.90.90', 443, pair, (req, res) => {
    hosts.push(req.headers.host ?? '');
    if (req.url === '/old') {
      res.writeHead(302, { Location: 'https://secure/new' });
      res.end();
      return;
    }
    res.end(`secure ${req.url ?? ''}\n`);
  });
  return { lab, sni: servernames, hosts };
}

test('wget -qO- https://... works over TLS without verifying (a self-signed certificate), SNI is the URL host', async () => {
  const { lab, sni, hosts } = await secureLab();
  const p = lab.proc();
  assert.equal(await wget(p.ctx, ['wget', '-qO-', 'https://secure/x']), 0);
  assert.equal(p.stdout.text(), 'secure /x\n');
  assert.equal(p.stderr.text(), NOTE);
  assert.deepEqual(sni, ['secure']);
  assert.deepEqual(hosts, ['secure']);
  assert.deepEqual(lab.net.connects.map((c) => `${c.ip}:${c.port} ${c.outcome}`), ['10.96.90.90:443 connected']);
  // --no-check-certificate: no note. An IP sends no SNI.
  const n = lab.proc();
  assert.equal(await wget(n.ctx, ['wget', '-qO-', '--no-check-certificate', 'https://10.96.90.90/']), 0);
  assert.equal(n.stdout.text(), 'secure /\n');
  assert.equal(n.stderr.text(), '');
  assert.deepEqual(sni, ['secure', '-']);
});

test('wget https without -q: the note after Connecting to, once even across a redirect', async () => {
  const { lab } = await secureLab();
  const p = lab.proc();
  assert.equal(await wget(p.ctx, ['wget', '-O', '/tmp/page', 'https://secure/old']), 0);
  assert.equal(p.ctx.files.read('/tmp/page')?.toString(), 'secure /new\n');
  assert.equal(
    p.stderr.text(),
    'Connecting to secure (10.96.90.90:443)\n' +
      NOTE +
      'Connecting to secure (10.96.90.90:443)\n' +
      "saving to '/tmp/page'\n" +
      `page                 100% |${'*'.repeat(32)}|    12  0:00:00 ETA\n` +
      "'/tmp/page' saved\n",
  );
});

test('wget https to a plain-HTTP port: the bad record with its bytes, then the reset; an alert from the peer is named', async () => {
  const lab = labCluster();
  lab.net.listenHttp('10.96.80.80', 443, (_req, res) => res.end('plain\n'));
  const p = lab.proc();
  assert.equal(await wget(p.ctx, ['wget', '-qO-', 'https://10.96.80.80/']), 1);
  const reply = Buffer.from('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  assert.equal(
    p.stderr.text(),
    NOTE +
      `wget: got bad TLS record (len:${reply.length}) while expecting handshake record\n` +
      `${[...reply].map((b) => ` ${b.toString(16).padStart(2, '0')}`).join('')}\n` +
      'wget: error getting response: Connection reset by peer\n',
  );
  // A TLS 1.3-only server refuses busybox's TLS 1.2 with a protocol_version alert.
  const pair = await selfSigned({ subject: 'CN=modern.test' });
  const modern = https.createServer({ cert: pair.certPem, key: pair.keyPem, minVersion: 'TLSv1.3' }, (_req, res) => res.end('x'));
  lab.net.listen('10.96.80.81', 443, (sock) => modern.emit('connection', sock));
  const a = lab.proc();
  assert.equal(await wget(a.ctx, ['wget', '-q', '--no-check-certificate', '-O-', 'https://10.96.80.81/']), 1);
  assert.equal(a.stderr.text(), 'wget: TLS error from peer (alert code 70): 70\nwget: error getting response: Connection reset by peer\n');
  // A server that closes at once: nothing to read.
  lab.net.listen('10.96.80.82', 443, (sock) => {
    sock.once('data', () => sock.end());
  });
  const c = lab.proc();
  assert.equal(await wget(c.ctx, ['wget', '-q', '--no-check-certificate', '-O-', 'https://10.96.80.82/']), 1);
  assert.equal(c.stderr.text(), 'wget: got bad TLS record (len:0) while expecting handshake record\nwget: error getting response: Connection reset by peer\n');
});

test('wget -T covers the TLS handshake: a server that never answers times out after -T seconds', async () => {
  const lab = labCluster();
  lab.net.listen('10.96.80.83', 443, () => undefined);
  const p = lab.proc();
  const t0 = lab.clock.now();
  assert.equal(await wget(p.ctx, ['wget', '-qO-', '-T', '4', 'https://10.96.80.83/']), 1);
  assert.equal(lab.clock.now() - t0, 4000);
  assert.equal(p.stderr.text(), `${NOTE}wget: download timed out\n`);
});
