/**
 * @module workloads/curl/curl.test
 * curl against the lab: bodies, -v trace, meter, -w, -f, -L, --resolve,
 * timeouts and exit codes, for curl 8 (musl) and curl 7.74 (glibc).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAB, labCluster } from '../testing/fake-context.js';
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

test('an empty reply is (52); https is refused with (35)', async () => {
  const lab = labCluster();
  lab.net.listen('10.96.80.80', 80, (sock) => sock.end());
  lab.net.listen('10.96.80.80', 443, () => undefined);
  const e = lab.proc();
  assert.equal(await curl(e.ctx, ['curl', '-sS', 'http://10.96.80.80/']), 52);
  assert.equal(e.stderr.text(), 'curl: (52) Empty reply from server\n');
  const t = lab.proc();
  assert.equal(await curl(t.ctx, ['curl', '-sS', 'https://10.96.80.80/']), 35);
  assert.match(t.stderr.text(), /^curl: \(35\) TLS connect error: kwire does not emulate TLS/);
});
