/**
 * @module workloads/curl/curl.test
 * curl against the lab: bodies, -v trace, meter, -w, -f, -L, --resolve,
 * timeouts and exit codes, for curl 8 (musl) and curl 7.74 (glibc).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { LAB, labCluster } from '../testing/fake-context.js';
import type { LabCluster } from '../testing/fake-context.js';
import { listenHttps, makeTestCa, selfSigned } from '../testing/tls-certs.js';
import type { TestCa } from '../testing/tls-certs.js';
import { curl, debianCurl } from './curl.js';

const HELLO = /^Hello from Backend Pod: backend-7d4b9c-\w+\n$/;

test('curl http://backend-clusterip on a terminal prints the body, no meter', async () => {
  const lab = labCluster();
  const p = lab.proc({ tty: true });
  assert.equal(await curl(p.ctx, ['curl', 'http://backend-clusterip']), 0);
  assert.match(p.stdout.text(), HELLO);
});

test('curl --max-time 5 without a terminal: the progress meter goes to stderr (kubectl exec without -t)', async () => {
  const lab = labCluster();
  const p = lab.proc();
  assert.equal(await curl(p.ctx, ['curl', 'http://backend-clusterip', '--max-time', '5']), 0);
  assert.match(p.stdout.text(), HELLO);
  assert.equal(
    p.stderr.text(),
    '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
      '                                 Dload  Upload   Total   Spent    Left  Speed\n' +
      '\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0' +
      '\r100    45  100    45    0     0  45000      0 --:--:-- --:--:-- --:--:-- 45000\n',
  );
});

test('curl -s with a dropped connection: exit 28 after --max-time, message only with -S', async () => {
  const lab = labCluster();
  lab.net.dropTcp.add(`${LAB.backendVip}:80`);
  const quiet = lab.proc();
  const t0 = lab.clock.now();
  assert.equal(await curl(quiet.ctx, ['curl', '-s', 'http://backend-clusterip', '--max-time', '5']), 28);
  assert.equal(lab.clock.now() - t0, 5000);
  assert.equal(quiet.stderr.text(), '');
  const loud = lab.proc();
  assert.equal(await curl(loud.ctx, ['curl', '-sS', '-m', '5', 'http://backend-clusterip']), 28);
  assert.equal(loud.stderr.text(), 'curl: (28) Connection timed out after 5000 milliseconds\n');
});

test('a dropped connection with the meter on: one line per second, then the error', async () => {
  const lab = labCluster();
  lab.net.dropTcp.add(`${LAB.backendVip}:80`);
  const p = lab.proc();
  assert.equal(await curl(p.ctx, ['curl', 'http://backend-clusterip', '--max-time', '3']), 28);
  const zero = (spent: string): string => `\r  0     0    0     0    0     0      0      0 --:--:-- ${spent} --:--:--     0`;
  assert.equal(
    p.stderr.text(),
    '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
      '                                 Dload  Upload   Total   Spent    Left  Speed\n' +
      zero('--:--:--') +
      zero(' 0:00:01') +
      zero(' 0:00:02') +
      `${zero(' 0:00:03')}\n` +
      'curl: (28) Connection timed out after 3000 milliseconds\n',
  );
});

test('exit codes and messages: 6, 7, 3, 1, 22, 2', async () => {
  const lab = labCluster({ 'nobody.networking-lab.svc.cluster.local': { A: ['10.96.99.99'] } });
  const rows: Array<[string[], number, string]> = [
    [['-sS', 'http://nosuch'], 6, 'curl: (6) Could not resolve host: nosuch\n'],
    [['-sS', 'http://nobody'], 7, "curl: (7) Failed to connect to nobody port 80 after 0 ms: Couldn't connect to server\n"],
    [['-sS', 'http://backend:99999/'], 3, 'curl: (3) URL rejected: Port number was not a decimal number between 0 and 65535\n'],
    [['-sS', 'gopher://x/'], 1, 'curl: (1) Protocol "gopher" not supported\n'],
    [['-sSf', 'http://backend-clusterip/missing'], 22, 'curl: (22) The requested URL returned error: 404\n'],
    [['--bogus', 'http://x'], 2, "curl: option --bogus: is unknown\ncurl: try 'curl --help' for more information\n"],
    [['-s'], 2, "curl: no URL specified\ncurl: try 'curl --help' for more information\n"],
    [['-o'], 2, "curl: option -o: requires parameter\ncurl: try 'curl --help' for more information\n"],
  ];
  for (const [args, code, err] of rows) {
    const p = lab.proc();
    assert.equal(await curl(p.ctx, ['curl', ...args]), code, args.join(' '));
    assert.equal(p.stderr.text(), err, args.join(' '));
    if (code === 22) assert.equal(p.stdout.text(), '', 'no body with -f');
  }
});

test("-w '%{http_code}' with -o /dev/null, also on failure (000)", async () => {
  const lab = labCluster();
  const ok = lab.proc();
  assert.equal(await curl(ok.ctx, ['curl', '-s', '-o', '/dev/null', '-w', '%{http_code} %{remote_ip}:%{remote_port} %{size_download}\\n', 'http://backend-clusterip']), 0);
  assert.equal(ok.stdout.text(), '200 10.96.12.34:80 45\n');
  const nf = lab.proc();
  assert.equal(await curl(nf.ctx, ['curl', '-so/dev/null', "-w%{http_code}", 'http://backend-clusterip/missing']), 0);
  assert.equal(nf.stdout.text(), '404');
  const bad = lab.proc();
  assert.equal(await curl(bad.ctx, ['curl', '-s', '-w', '%{http_code} %{exitcode} %{errormsg}', 'http://nosuch']), 6);
  assert.equal(bad.stdout.text(), '000 6 Could not resolve host: nosuch');
  const t = lab.proc();
  await curl(t.ctx, ['curl', '-s', '-o', '/dev/null', '-w', '%{time_total}', 'http://backend-clusterip']);
  assert.match(t.stdout.text(), /^\d+\.\d{6}$/);
});

test('-v trace (curl 8): resolve, connect, request and response lines', async () => {
  const lab = labCluster();
  const p = lab.proc({ tty: true });
  assert.equal(await curl(p.ctx, ['curl', '-v', 'http://backend-clusterip']), 0);
  const lines = p.stdout.text().split('\n');
  assert.deepEqual(lines.slice(0, 12), [
    '* Host backend-clusterip:80 was resolved.',
    '* IPv6: (none)',
    '* IPv4: 10.96.12.34',
    '*   Trying 10.96.12.34:80...',
    '* Connected to backend-clusterip (10.96.12.34) port 80',
    '* using HTTP/1.x',
    '> GET / HTTP/1.1\r',
    '> Host: backend-clusterip\r',
    '> User-Agent: curl/8.11.1\r',
    '> Accept: */*\r',
    '> \r',
    '* Request completely sent off',
  ]);
  assert.equal(lines[12], '< HTTP/1.1 200 OK\r');
  assert.ok(lines.includes('< X-App-Name: http-echo\r'));
  assert.match(p.stdout.text(), /< \r\nHello from Backend Pod: [\w-]+\n\* Connection #0 to host backend-clusterip left intact\n$/);
});

test('-v trace (curl 7.74, Debian): the older lines', async () => {
  const lab = labCluster();
  const p = lab.proc({ tty: true, libc: 'glibc' });
  assert.equal(await debianCurl(p.ctx, ['curl', '-v', 'http://backend-clusterip']), 0);
  const text = p.stdout.text();
  assert.match(text, /^\*   Trying 10\.96\.12\.34:80\.\.\.\n\* Connected to backend-clusterip \(10\.96\.12\.34\) port 80 \(#0\)\n> GET \/ HTTP\/1\.1\r\n/);
  assert.match(text, /> User-Agent: curl\/7\.74\.0\r\n/);
  assert.match(text, /> \r\n\* Mark bundle as not supporting multiuse\n< HTTP\/1\.1 200 OK\r\n/);
  const refused = lab.proc({ libc: 'glibc' });
  assert.equal(await debianCurl(refused.ctx, ['curl', '-sS', 'http://10.96.99.98']), 7);
  assert.equal(refused.stderr.text(), 'curl: (7) Failed to connect to 10.96.99.98 port 80: Connection refused\n');
});

test('kubectl exec deployment/frontend -- curl http://backend-clusterip --max-time 5 (nginx image: glibc, curl 7.74)', async () => {
  const lab = labCluster();
  const p = lab.proc({ libc: 'glibc', tty: false });
  assert.equal(await debianCurl(p.ctx, ['curl', 'http://backend-clusterip', '--max-time', '5']), 0);
  assert.match(p.stdout.text(), HELLO);
  lab.net.dropTcp.add(`${LAB.backendVip}:80`);
  const d = lab.proc({ libc: 'glibc' });
  assert.equal(await debianCurl(d.ctx, ['curl', 'http://backend-clusterip', '--max-time', '5']), 28);
  assert.match(d.stderr.text(), /--:--:--  0:00:05 --:--:--     0\ncurl: \(28\) Connection timed out after 5000 milliseconds\n$/);
});

test('-i and -I show the response head; -L follows the redirect; -X and -d send a body', async () => {
  const lab = labCluster();
  const i = lab.proc({ tty: true });
  assert.equal(await curl(i.ctx, ['curl', '-i', 'http://backend-clusterip']), 0);
  assert.match(i.stdout.text(), /^HTTP\/1\.1 200 OK\r\nX-App-Name: http-echo\r\n[\s\S]*\r\n\r\nHello from Backend Pod/);
  const head = lab.proc({ tty: true });
  assert.equal(await curl(head.ctx, ['curl', '-I', 'http://backend-clusterip']), 0);
  assert.match(head.stdout.text(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 45\r\n[\s\S]*\r\n\r\n$/);
  assert.equal(lab.backendRequests[lab.backendRequests.length - 1], 'HEAD /');
  const noFollow = lab.proc({ tty: true });
  assert.equal(await curl(noFollow.ctx, ['curl', '-s', 'http://backend-clusterip/old']), 0);
  assert.equal(noFollow.stdout.text(), 'moved\n');
  const follow = lab.proc({ tty: true });
  assert.equal(await curl(follow.ctx, ['curl', '-sL', '-w', ' %{num_redirects} %{url_effective}', 'http://backend-clusterip/old']), 0);
  assert.match(follow.stdout.text(), /^Hello from Backend Pod: [\w-]+\n 1 http:\/\/backend-clusterip\/new$/);

  let seen = '';
  lab.net.listenHttp('10.96.70.70', 80, (req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => {
      seen = `${req.method ?? ''} ${req.headers['content-type'] ?? ''} ${b} ${req.headers['x-k'] ?? ''}`;
      res.end('ok');
    });
  });
  const post = lab.proc();
  assert.equal(await curl(post.ctx, ['curl', '-s', '-X', 'PUT', '-H', 'X-K: v', '-d', 'a=1', '-d', 'b=2', 'http://10.96.70.70/']), 0);
  assert.equal(seen, 'PUT application/x-www-form-urlencoded a=1&b=2 v');
});

test('--resolve pins a name; -o writes a file; --connect-timeout; --retry', async () => {
  const lab = labCluster();
  const r = lab.proc({ tty: true });
  assert.equal(await curl(r.ctx, ['curl', '-sv', '--resolve', 'frontend.local:80:10.96.12.34', 'http://frontend.local/']), 0);
  assert.match(r.stdout.text(), /^\* Added frontend\.local:80:10\.96\.12\.34 to DNS cache\n\* Hostname frontend\.local was found in DNS cache\n\*   Trying 10\.96\.12\.34:80\.\.\./);
  assert.match(r.stdout.text(), /> Host: frontend\.local\r\n/);
  assert.equal(lab.dns.questions.length, 0);

  const o = lab.proc();
  assert.equal(await curl(o.ctx, ['curl', '-s', '-o', 'out.txt', 'http://backend-clusterip']), 0);
  assert.match(o.ctx.files.read('/out.txt')?.toString() ?? '', HELLO);

  lab.net.dropTcp.add(`${LAB.backendVip}:80`);
  const ct = lab.proc();
  const t0 = lab.clock.now();
  assert.equal(await curl(ct.ctx, ['curl', '-sS', '--connect-timeout', '2', 'http://backend-clusterip']), 28);
  assert.equal(lab.clock.now() - t0, 2000);

  const rt = lab.proc();
  assert.equal(await curl(rt.ctx, ['curl', '-S', '--no-progress-meter', '--retry', '2', '-m', '1', 'http://backend-clusterip']), 28);
  assert.equal(
    rt.stderr.text(),
    'curl: (28) Connection timed out after 1000 milliseconds\n' +
      'Warning: Problem : timeout. Will retry in 1 second. 2 retries left.\n' +
      'curl: (28) Connection timed out after 1000 milliseconds\n' +
      'Warning: Problem : timeout. Will retry in 2 seconds. 1 retry left.\n' +
      'curl: (28) Connection timed out after 1000 milliseconds\n',
  );
});

test('DNS blocked: Resolving timed out under --max-time, else (6) after the resolver gives up', async () => {
  const lab = labCluster();
  lab.net.dropUdp.add(`${LAB.dnsIp}:53`);
  const m = lab.proc();
  assert.equal(await curl(m.ctx, ['curl', '-sS', '-m', '3', 'http://backend-clusterip']), 28);
  assert.equal(m.stderr.text(), 'curl: (28) Resolving timed out after 3000 milliseconds\n');
  const n = lab.proc();
  assert.equal(await curl(n.ctx, ['curl', '-sS', 'http://backend-clusterip']), 6);
  assert.equal(n.stderr.text(), 'curl: (6) Could not resolve host: backend-clusterip\n');
});

test('a slow body hits --max-time: Operation timed out with the byte counts', async () => {
  const lab = labCluster();
  lab.net.listenHttp('10.96.60.60', 80, (_req, res) => {
    res.writeHead(200, { 'Content-Length': '100' });
    res.write('partial');
  });
  const p = lab.proc();
  assert.equal(await curl(p.ctx, ['curl', '-sS', '-m', '2', 'http://10.96.60.60/']), 28);
  assert.equal(p.stdout.text(), 'partial');
  assert.equal(p.stderr.text(), 'curl: (28) Operation timed out after 2000 milliseconds with 7 out of 100 bytes received\n');
});

test('an empty reply is (52)', async () => {
  const lab = labCluster();
  lab.net.listen('10.96.80.80', 80, (sock) => sock.end());
  const e = lab.proc();
  assert.equal(await curl(e.ctx, ['curl', '-sS', 'http://10.96.80.80/']), 52);
  assert.equal(e.stderr.text(), 'curl: (52) Empty reply from server\n');
});

// ---------------------------------------------------------------- https

const FAKE_SUBJECT = 'O=Acme Co, CN=Kubernetes Ingress Controller Fake Certificate';
const CA_HELP =
  'More details here: https://curl.se/docs/sslcerts.html\n\n' +
  'curl failed to verify the legitimacy of the server and therefore could not\n' +
  'establish a secure connection to it. To learn more about this situation and\n' +
  'how to fix it, please visit the webpage mentioned above.\n';

interface TlsLab {
  readonly lab: LabCluster;
  readonly ca: TestCa;
  /** ingress-nginx-like: the fake certificate (self-signed), at 10.96.90.90:443. */
  readonly fakePem: string;
  readonly fakeSni: string[];
  /** app.test, issued by `ca`, at 10.96.91.91:443. */
  readonly appPem: string;
  readonly appSni: string[];
}

async function tlsLab(): Promise<TlsLab> {
  const lab = labCluster();
  const fake = await selfSigned({ subject: FAKE_SUBJECT, dns: ['ingress.local'] });
  const f = listenHttps(lab.net, '10.96.90.90', 443, fake, (req, res) => res.end(`host=${req.headers.host ?? ''}\n`));
  const ca = await makeTestCa();
  const app = await ca.issue({ subject: 'CN=app.test', dns: ['app.test', '*.apps.test'] });
  const a = listenHttps(lab.net, '10.96.91.91', 443, app, (req, res) => res.end(`app ${req.url ?? ''}\n`));
  return { lab, ca, fakePem: fake.certPem, fakeSni: f.servernames, appPem: app.certPem, appSni: a.servernames };
}

test('https with -k: the body through TLS; an IP URL sends no SNI, a name (--resolve) is the SNI; the Host header is not', async () => {
  const t = await tlsLab();
  const k = t.lab.proc();
  assert.equal(await curl(k.ctx, ['curl', '-sk', 'https://10.96.90.90/', '-H', 'Host: frontend.local']), 0);
  assert.equal(k.stdout.text(), 'host=frontend.local\n');
  assert.equal(k.stderr.text(), '');
  const r = t.lab.proc();
  assert.equal(await curl(r.ctx, ['curl', '--insecure', '-s', '--resolve', 'frontend.local:443:10.96.90.90', 'https://frontend.local/']), 0);
  assert.equal(r.stdout.text(), 'host=frontend.local\n');
  assert.deepEqual(t.fakeSni, ['-', 'frontend.local']);
  // TLS is bytes on the same virtual connection: one connect each, to the address dialled.
  assert.deepEqual(t.lab.net.connects.map((c) => `${c.ip}:${c.port} ${c.outcome}`), ['10.96.90.90:443 connected', '10.96.90.90:443 connected']);
});

test('https without -k: a self-signed certificate is (60) with the sslcerts paragraph; -s alone says nothing', async () => {
  const t = await tlsLab();
  const p = t.lab.proc();
  assert.equal(await curl(p.ctx, ['curl', '-sS', 'https://10.96.90.90/']), 60);
  assert.equal(p.stdout.text(), '');
  assert.equal(p.stderr.text(), `curl: (60) SSL certificate problem: self-signed certificate\n${CA_HELP}`);
  const quiet = t.lab.proc();
  assert.equal(await curl(quiet.ctx, ['curl', '-s', 'https://10.96.90.90/']), 60);
  assert.equal(quiet.stderr.text(), '');
  // A certificate from a CA the image does not know: the issuer is missing.
  const u = t.lab.proc();
  assert.equal(await curl(u.ctx, ['curl', '-sS', '-w', '%{ssl_verify_result} %{http_code}', 'https://app.test/', '--resolve', 'app.test:443:10.96.91.91']), 60);
  assert.equal(u.stderr.text(), `curl: (60) SSL certificate problem: unable to get local issuer certificate\n${CA_HELP}`);
  assert.equal(u.stdout.text(), '20 000');
});

test('--cacert FILE from the pod trusts that CA; names are checked against the URL host (60 on a mismatch)', async () => {
  const t = await tlsLab();
  const files = t.lab.proc().ctx.files;
  files.write('/tmp/ca.crt', t.ca.certPem);
  const ok = t.lab.proc({ files });
  assert.equal(await curl(ok.ctx, ['curl', '-sS', '--cacert', '/tmp/ca.crt', '-w', '[%{ssl_verify_result}]', '--resolve', 'app.test:443:10.96.91.91', 'https://app.test/x']), 0);
  assert.equal(ok.stdout.text(), 'app /x\n[0]');
  assert.equal(ok.stderr.text(), '');
  // The wildcard SAN covers one label.
  const wild = t.lab.proc({ files });
  assert.equal(await curl(wild.ctx, ['curl', '-sS', '--cacert', '/tmp/ca.crt', '--resolve', 'web.apps.test:443:10.96.91.91', 'https://web.apps.test/']), 0);
  const deep = t.lab.proc({ files });
  assert.equal(await curl(deep.ctx, ['curl', '-sS', '--cacert', '/tmp/ca.crt', '--resolve', 'a.web.apps.test:443:10.96.91.91', 'https://a.web.apps.test/']), 60);
  assert.equal(deep.stderr.text(), `curl: (60) SSL: no alternative certificate subject name matches target hostname 'a.web.apps.test'\n${CA_HELP}`);
  const byIp = t.lab.proc({ files });
  assert.equal(await curl(byIp.ctx, ['curl', '-sS', '--cacert', '/tmp/ca.crt', 'https://10.96.91.91/']), 60);
  assert.equal(byIp.stderr.text(), `curl: (60) SSL: no alternative certificate subject name matches target ipv4 address '10.96.91.91'\n${CA_HELP}`);
  // -k skips the name check too.
  const k = t.lab.proc({ files });
  assert.equal(await curl(k.ctx, ['curl', '-sSk', '--cacert', '/tmp/ca.crt', 'https://10.96.91.91/']), 0);
  assert.equal(k.stdout.text(), 'app /\n');
  // $CURL_CA_BUNDLE (curlimages/curl points it at its bundle) is the default CA file.
  const env = t.lab.proc({ files, env: { CURL_CA_BUNDLE: '/tmp/ca.crt' } });
  assert.equal(await curl(env.ctx, ['curl', '-sS', '--resolve', 'app.test:443:10.96.91.91', 'https://app.test/']), 0);
  files.write('/cacert.pem', '# a bundle without certificates stands for the image\'s own\n');
  const stub = t.lab.proc({ files, env: { CURL_CA_BUNDLE: '/cacert.pem' } });
  assert.equal(await curl(stub.ctx, ['curl', '-sS', '--resolve', 'app.test:443:10.96.91.91', 'https://app.test/']), 60);
  assert.match(stub.stderr.text(), /^curl: \(60\) SSL certificate problem: unable to get local issuer certificate\n/);
  // A file that is not there: (77), unless -k.
  const missing = t.lab.proc({ files });
  assert.equal(await curl(missing.ctx, ['curl', '-sS', '--cacert', '/nope.crt', 'https://10.96.91.91/']), 77);
  assert.equal(missing.stderr.text(), 'curl: (77) error setting certificate file: /nope.crt\n');
});

test('an expired certificate from a trusted CA is (60) certificate has expired', async () => {
  const lab = labCluster();
  const ca = await makeTestCa();
  const day = 24 * 3600 * 1000;
  const old = await ca.issue({ subject: 'CN=old.test', dns: ['old.test'], notBefore: new Date(Date.now() - 3 * day), notAfter: new Date(Date.now() - day) });
  listenHttps(lab.net, '10.96.92.92', 443, old, (_req, res) => res.end('old\n'));
  const p = lab.proc();
  p.ctx.files.write('/ca.crt', ca.certPem);
  assert.equal(await curl(p.ctx, ['curl', '-sS', '--cacert', '/ca.crt', '--resolve', 'old.test:443:10.96.92.92', 'https://old.test/']), 60);
  assert.equal(p.stderr.text(), `curl: (60) SSL certificate problem: certificate has expired\n${CA_HELP}`);
});

test('-v over https (curl 8): ALPN, the handshake summary and the certificate, in curl order', async () => {
  const t = await tlsLab();
  const fake = new X509Certificate(t.fakePem);
  const p = t.lab.proc({ tty: true });
  assert.equal(await curl(p.ctx, ['curl', '-vk', 'https://frontend.local', '--resolve', 'frontend.local:443:10.96.90.90']), 0);
  const lines = p.stdout.text().split('\n');
  assert.deepEqual(lines.slice(0, 16), [
    '* Added frontend.local:443:10.96.90.90 to DNS cache',
    '* Hostname frontend.local was found in DNS cache',
    '*   Trying 10.96.90.90:443...',
    '* Connected to frontend.local (10.96.90.90) port 443',
    '* ALPN: curl offers http/1.1',
    '* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384 / x25519 / id-ecPublicKey',
    '* ALPN: server accepted http/1.1',
    '* Server certificate:',
    '*  subject: O=Acme Co; CN=Kubernetes Ingress Controller Fake Certificate',
    `*  start date: ${fake.validFrom}`,
    `*  expire date: ${fake.validTo}`,
    '*  issuer: O=Acme Co; CN=Kubernetes Ingress Controller Fake Certificate',
    '*  SSL certificate verify result: self-signed certificate (18), continuing anyway.',
    '*   Certificate level 0: Public key type EC/prime256v1 (256/128 Bits/secBits), signed using ecdsa-with-SHA256',
    '* using HTTP/1.x',
    '> GET / HTTP/1.1\r',
  ]);
  assert.match(p.stdout.text(), /< \r\nhost=frontend\.local\n\* Connection #0 to host frontend\.local left intact\n$/);

  // Verified: the name that matched, "verify ok", and the chain up to the CA.
  const files = t.lab.proc().ctx.files;
  files.write('/ca.crt', t.ca.certPem);
  const v = t.lab.proc({ tty: true, files });
  assert.equal(await curl(v.ctx, ['curl', '-v', '--cacert', '/ca.crt', '--resolve', 'app.test:443:10.96.91.91', 'https://app.test/']), 0);
  const text = v.stdout.text();
  assert.match(
    text,
    /\*  expire date: .*\n\*  subjectAltName: host "app\.test" matched cert's "app\.test"\n\*  issuer: CN=kwire test CA\n\*  SSL certificate verify ok\.\n\*   Certificate level 0: Public key type EC\/prime256v1 \(256\/128 Bits\/secBits\), signed using ecdsa-with-SHA256\n\*   Certificate level 1: Public key type EC\/prime256v1 \(256\/128 Bits\/secBits\), signed using ecdsa-with-SHA256\n\* using HTTP\/1\.x\n/,
  );

  // A failed verification ends right after the handshake.
  const f = t.lab.proc({ tty: true });
  assert.equal(await curl(f.ctx, ['curl', '-v', 'https://10.96.90.90/']), 60);
  assert.match(
    f.stdout.text(),
    /^\*   Trying 10\.96\.90\.90:443\.\.\.\n\* Connected to 10\.96\.90\.90 \(10\.96\.90\.90\) port 443\n\* ALPN: curl offers http\/1\.1\n\* SSL certificate problem: self-signed certificate\n\* Closing connection\ncurl: \(60\) SSL certificate problem: self-signed certificate\nMore details here/,
  );
});

test('https to a port that speaks plain HTTP is (35); a server that closes is (35) SSL_ERROR_SYSCALL; a silent one times out (28)', async () => {
  const lab = labCluster();
  lab.net.listenHttp('10.96.80.80', 443, (_req, res) => res.end('plain\n'));
  lab.net.listen('10.96.80.81', 443, (sock) => {
    sock.once('data', () => sock.end());
  });
  lab.net.listen('10.96.80.82', 443, () => undefined);
  const plain = lab.proc();
  assert.equal(await curl(plain.ctx, ['curl', '-sS', 'https://10.96.80.80/']), 35);
  assert.equal(plain.stderr.text(), 'curl: (35) OpenSSL/3.3.2: error:0A00010B:SSL routines::wrong version number\n');
  const closed = lab.proc();
  assert.equal(await curl(closed.ctx, ['curl', '-sS', 'https://10.96.80.81/']), 35);
  assert.equal(closed.stderr.text(), 'curl: (35) OpenSSL SSL_connect: SSL_ERROR_SYSCALL in connection to 10.96.80.81:443 \n');
  const silent = lab.proc();
  const t0 = lab.clock.now();
  assert.equal(await curl(silent.ctx, ['curl', '-sS', '--connect-timeout', '3', '-w', '%{time_appconnect}', 'https://10.96.80.82/']), 28);
  assert.equal(lab.clock.now() - t0, 3000);
  assert.equal(silent.stderr.text(), 'curl: (28) Connection timed out after 3000 milliseconds\n');
  assert.equal(silent.stdout.text(), '0.000000');
  const m = lab.proc();
  assert.equal(await curl(m.ctx, ['curl', '-sS', '-m', '2', 'https://10.96.80.82/']), 28);
  assert.equal(m.stderr.text(), 'curl: (28) Connection timed out after 2000 milliseconds\n');
});

test('curl 7.74 (Debian): OpenSSL 1.1.1 wording and the older -v lines', async () => {
  const t = await tlsLab();
  const p = t.lab.proc({ libc: 'glibc' });
  assert.equal(await debianCurl(p.ctx, ['curl', '-sS', 'https://10.96.90.90/']), 60);
  assert.equal(p.stderr.text(), `curl: (60) SSL certificate problem: self signed certificate\n${CA_HELP.replace('webpage', 'web page')}`);
  const v = t.lab.proc({ libc: 'glibc', tty: true });
  assert.equal(await debianCurl(v.ctx, ['curl', '-vk', 'https://10.96.90.90/']), 0);
  assert.match(
    v.stdout.text(),
    /\* Connected to 10\.96\.90\.90 \(10\.96\.90\.90\) port 443 \(#0\)\n\* ALPN, offering http\/1\.1\n\* SSL connection using TLSv1\.3 \/ TLS_AES_256_GCM_SHA384\n\* ALPN, server accepted to use http\/1\.1\n\* Server certificate:\n\*  subject: O=Acme Co; CN=Kubernetes Ingress Controller Fake Certificate\n[\s\S]*\*  SSL certificate verify result: self signed certificate \(18\), continuing anyway\.\n> GET \/ HTTP\/1\.1\r\n/,
  );
  t.lab.net.listenHttp('10.96.80.80', 443, (_req, res) => res.end('plain\n'));
  const plain = t.lab.proc({ libc: 'glibc' });
  assert.equal(await debianCurl(plain.ctx, ['curl', '-sS', 'https://10.96.80.80/']), 35);
  assert.equal(plain.stderr.text(), 'curl: (35) error:1408F10B:SSL routines:ssl3_get_record:wrong version number\n');
});
