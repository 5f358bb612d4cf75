/**
 * @module workloads/images/nginx.test
 * The nginx image: exact default pages and headers per version, 404/405/301/
 * 304/206, HEAD, logs (entrypoint, error log, access log), graceful stop,
 * files written through exec served next, exec of curl / sh / nginx, and
 * the OCI error for a command the image does not have.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPodNetwork, type PodNetwork } from '../../dataplane/index.js';
import { CaptureWritable } from '../streams.js';
import { FakeClock } from '../testing/fake-clock.js';
import { workloadsToolHost } from './default-tools.js';
import { httpRequest, rawExchange, serveClusterDns, startTestPod, testRuntime, waitListening } from './testing.js';
import { FIFTY_X_HTML, INDEX_HTML } from './nginx/pages.js';

const CLIENT = '10.244.9.9';
const IP = '10.244.1.6';

async function frontend(image = 'nginx:1.21', clock: FakeClock | undefined = new FakeClock({ autoAdvance: false })): Promise<{ net: PodNetwork; pod: ReturnType<typeof startTestPod> }> {
  const net = createPodNetwork();
  net.registerAddress(CLIENT, { kind: 'pod', namespace: 'networking-lab', name: 'client' });
  const pod = startTestPod(net, testRuntime({ tools: workloadsToolHost }), { image, ip: IP, name: 'frontend-7d9f', ...(clock ? { clock } : {}) });
  await waitListening(pod.container, 80);
  return { net, pod };
}

const get = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\nHost: ${IP}\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n${extra}\r\n`;

test('nginx:1.21 serves the exact welcome page with 1.21.6 headers in nginx order', { timeout: 5000 }, async () => {
  const { net, pod } = await frontend();
  const raw = await rawExchange(net, CLIENT, IP, 80, get('/'));
  assert.equal(
    raw,
    'HTTP/1.1 200 OK\r\nServer: nginx/1.21.6\r\nDate: Mon, 06 Oct 2025 12:00:00 GMT\r\nContent-Type: text/html\r\n' +
      'Content-Length: 615\r\nLast-Modified: Tue, 25 Jan 2022 15:03:52 GMT\r\nConnection: keep-alive\r\n' +
      'ETag: "61f01158-267"\r\nAccept-Ranges: bytes\r\n\r\n' + INDEX_HTML.toString('latin1'),
  );
  const same = await httpRequest(net, CLIENT, IP, 80, '/index.html');
  assert.equal(same.body, INDEX_HTML.toString('utf8'));
  const fifty = await httpRequest(net, CLIENT, IP, 80, '/50x.html');
  assert.equal(fifty.body, FIFTY_X_HTML.toString('utf8'));
  assert.equal(fifty.headers['content-length'], '497');
  await pod.container.stop('SIGKILL');
});

test('404 is the exact built-in page; it logs the error and the access line', { timeout: 5000 }, async () => {
  const { net, pod } = await frontend();
  const raw = await rawExchange(net, CLIENT, IP, 80, get('/missing', 'Connection: close\r\n'));
  assert.equal(
    raw,
    'HTTP/1.1 404 Not Found\r\nServer: nginx/1.21.6\r\nDate: Mon, 06 Oct 2025 12:00:00 GMT\r\nContent-Type: text/html\r\n' +
      'Content-Length: 153\r\nConnection: close\r\n\r\n' +
      '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.21.6</center>\r\n</body>\r\n</html>\r\n',
  );
  assert.match(
    pod.stderr.text(),
    /\n2025\/10\/06 12:00:00 \[error\] 31#31: \*1 open\(\) "\/usr\/share\/nginx\/html\/missing" failed \(2: No such file or directory\), client: 10\.244\.9\.9, server: localhost, request: "GET \/missing HTTP\/1\.1", host: "10\.244\.1\.6"\n/,
  );
  assert.match(pod.stdout.text(), /\n10\.244\.9\.9 - - \[06\/Oct\/2025:12:00:00 \+0000\] "GET \/missing HTTP\/1\.1" 404 153 "-" "curl\/7\.88\.1" "-"\n$/);
  await pod.container.stop('SIGKILL');
});

test('methods: HEAD has no body, POST to a file is 405, POST to nothing is 404, PUT is 405', { timeout: 5000 }, async () => {
  const { net, pod } = await frontend();
  const head = await httpRequest(net, CLIENT, IP, 80, '/', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  assert.equal(head.headers['content-length'], '615');
  const rows: ReadonlyArray<readonly [string, string, number, string]> = [
    ['POST', '/', 405, 'Not Allowed'],
    ['POST', '/index.html', 405, 'Not Allowed'],
    ['POST', '/nothing', 404, 'Not Found'],
    ['PUT', '/', 405, 'Not Allowed'],
    ['DELETE', '/index.html', 405, 'Not Allowed'],
  ];
  for (const [method, path, status, reason] of rows) {
    const r = await httpRequest(net, CLIENT, IP, 80, path, { method, body: 'x=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    assert.equal(r.status, status, `${method} ${path}`);
    assert.equal(r.statusMessage, reason);
    assert.match(r.body, new RegExp(`<center><h1>${status} ${reason}</h1></center>`));
  }
  assert.match(pod.stdout.text(), /"HEAD \/ HTTP\/1\.1" 200 0 "-"/);
  await pod.container.stop('SIGKILL');
});

test('conditional and range requests: 304 on the ETag, 206 for a byte range, 416 beyond the end', { timeout: 5000 }, async () => {
  const { net, pod } = await frontend();
  const nm = await rawExchange(net, CLIENT, IP, 80, get('/', 'If-None-Match: "61f01158-267"\r\n'));
  assert.equal(nm, 'HTTP/1.1 304 Not Modified\r\nServer: nginx/1.21.6\r\nDate: Mon, 06 Oct 2025 12:00:00 GMT\r\nLast-Modified: Tue, 25 Jan 2022 15:03:52 GMT\r\nConnection: keep-alive\r\nETag: "61f01158-267"\r\n\r\n');
  const ims = await httpRequest(net, CLIENT, IP, 80, '/', { headers: { 'If-Modified-Since': 'Tue, 25 Jan 2022 15:03:52 GMT' } });
  assert.equal(ims.status, 304);
  const part = await httpRequest(net, CLIENT, IP, 80, '/', { headers: { Range: 'bytes=0-14' } });
  assert.equal(part.status, 206);
  assert.equal(part.body, '<!DOCTYPE html>');
  assert.equal(part.headers['content-range'], 'bytes 0-14/615');
  const beyond = await httpRequest(net, CLIENT, IP, 80, '/', { headers: { Range: 'bytes=700-' } });
  assert.equal(beyond.status, 416);
  assert.equal(beyond.headers['content-range'], 'bytes */615');
  await pod.container.stop('SIGKILL');
});

test('the tag decides the version: Server header, ETag, 404 footer', { timeout: 5000 }, async () => {
  const rows: ReadonlyArray<readonly [string, string, string]> = [
    ['nginx:1.25', '1.25.5', '"661e8b67-267"'],
    ['nginx:1.27', '1.27.5', '"67ff9c07-267"'],
    ['nginx:latest', '1.29.1', ''],
    ['docker.io/library/nginx:1.21.6', '1.21.6', '"61f01158-267"'],
  ];
  for (const [image, version, etag] of rows) {
    const { net, pod } = await frontend(image);
    const r = await httpRequest(net, CLIENT, IP, 80, '/');
    assert.equal(r.headers['server'], `nginx/${version}`, image);
    if (etag) assert.equal(r.headers['etag'], etag, image);
    const nf = await httpRequest(net, CLIENT, IP, 80, '/x');
    assert.match(nf.body, new RegExp(`<hr><center>nginx/${version.replace(/\./g, '\\.')}</center>`));
    await pod.container.stop('SIGKILL');
  }
});

test('startup logs: the entrypoint on stdout, nginx notices on stderr; SIGTERM is delivered as SIGQUIT (graceful, exit 0)', { timeout: 5000 }, async () => {
  const { pod } = await frontend('nginx:1.25');
  assert.equal(
    pod.stdout.text(),
    '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration\n' +
      '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/\n' +
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh\n' +
      '10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf\n' +
      '10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf\n' +
      '/docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh\n' +
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh\n' +
      '/docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh\n' +
      '/docker-entrypoint.sh: Configuration complete; ready for start up\n',
  );
  const err = pod.stderr.text().split('\n');
  assert.equal(err[0], '2025/10/06 12:00:00 [notice] 1#1: using the "epoll" event method');
  assert.equal(err[1], '2025/10/06 12:00:00 [notice] 1#1: nginx/1.25.5');
  assert.equal(err[2], '2025/10/06 12:00:00 [notice] 1#1: built by gcc 12.2.0 (Debian 12.2.0-14) ');
  assert.match(err[3] ?? '', /^2025\/10\/06 12:00:00 \[notice\] 1#1: OS: Linux \S+$/);
  assert.equal(err[5], '2025/10/06 12:00:00 [notice] 1#1: start worker processes');
  assert.equal(err[6], '2025/10/06 12:00:00 [notice] 1#1: start worker process 29');
  await pod.container.stop('SIGTERM');
  assert.equal(await pod.container.exited, 0);
  assert.match(pod.stderr.text(), /\[notice\] 1#1: signal 3 \(SIGQUIT\) received, shutting down\n.*\[notice\] 29#29: gracefully shutting down\n/);
  assert.match(pod.stderr.text(), /\[notice\] 1#1: worker process 29 exited with code 0\n.*\[notice\] 1#1: exit\n$/s);
});

test('exec: curl to the backend by Service name (glibc resolver), curl localhost, bash, nginx -v/-t', { timeout: 10_000 }, async () => {
  const { net, pod } = await frontend('nginx:1.21', undefined);
  serveClusterDns(net, { 'backend-clusterip.networking-lab.svc.cluster.local': { A: ['10.244.1.5'] } });
  const backend = startTestPod(net, testRuntime(), { image: 'hashicorp/http-echo', ip: '10.244.1.5', name: 'backend-abc', args: ['-text=Hello from Backend Pod: backend-abc', '-listen=:80'] });
  await waitListening(backend.container, 80);
  const run = async (argv: string[]): Promise<{ code: number; out: string; err: string }> => {
    const out = new CaptureWritable();
    const err = new CaptureWritable();
    const r = await pod.container.exec(argv, { stdout: out, stderr: err });
    assert.equal(r.kind, 'exited', JSON.stringify(r));
    return { code: r.kind === 'exited' ? r.exitCode : -1, out: out.text(), err: err.text() };
  };
  const curl = await run(['curl', '-s', 'http://backend-clusterip', '--max-time', '5']);
  assert.deepEqual(curl, { code: 0, out: 'Hello from Backend Pod: backend-abc\n', err: '' });
  const flowsBefore = net.recent().length;
  const local = await run(['curl', '-s', 'http://localhost/']);
  assert.equal(local.out, INDEX_HTML.toString('utf8'));
  assert.equal(net.recent().length, flowsBefore, 'loopback traffic never reaches the pod network');
  const bash = await run(['bash', '-c', 'echo $NGINX_VERSION $HOSTNAME']);
  assert.equal(bash.out, '1.21.6 frontend-7d9f\n');
  const v = await run(['nginx', '-v']);
  assert.deepEqual(v, { code: 0, out: '', err: 'nginx version: nginx/1.21.6\n' });
  const t = await run(['/usr/sbin/nginx', '-t']);
  assert.equal(t.err, 'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n');
  const conf = await run(['cat', '/etc/nginx/conf.d/default.conf']);
  assert.match(conf.out, /listen {7}80;\n {4}listen {2}\[::\]:80;\n/);
  await pod.container.stop('SIGKILL');
  await backend.container.stop('SIGKILL');
});

test('exec: a command the image lacks fails with the OCI runtime error; a second master cannot bind', { timeout: 10_000 }, async () => {
  const clock = new FakeClock();
  const { pod } = await frontend('nginx:1.21', clock);
  const out = new CaptureWritable();
  const r = await pod.container.exec(['wget', '-qO-', 'http://x'], { stdout: out, stderr: out });
  assert.deepEqual(r, {
    kind: 'start-failed',
    message: `error executing command in container: failed to exec in container: failed to start exec "${'e'.repeat(64)}": OCI runtime exec failed: exec failed: unable to start container process: exec: "wget": executable file not found in $PATH: unknown`,
  });
  const bin = await pod.container.exec(['/bin/busybox'], { stdout: out, stderr: out });
  assert.equal(bin.kind === 'start-failed' && bin.message.includes('exec: "/bin/busybox": stat /bin/busybox: no such file or directory: unknown'), true);
  const err = new CaptureWritable();
  const second = await pod.container.exec(['nginx', '-g', 'daemon off;'], { stdout: out, stderr: err });
  assert.deepEqual(second, { kind: 'exited', exitCode: 1 });
  const lines = err.text().split('\n').filter(Boolean);
  assert.equal(lines.length, 11);
  assert.equal(lines[0], 'nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)');
  assert.equal(lines[10], 'nginx: [emerg] still could not bind()');
  const quit = await pod.container.exec(['nginx', '-s', 'quit'], { stdout: out, stderr: out });
  assert.deepEqual(quit, { kind: 'exited', exitCode: 0 });
  assert.equal(await pod.container.exited, 0);
});

test('files written through exec are served next, with their own Last-Modified; directories redirect', { timeout: 10_000 }, async () => {
  const { net, pod } = await frontend('nginx:1.25-alpine');
  const out = new CaptureWritable();
  const r = await pod.container.exec(['sh', '-c', 'mkdir -p /usr/share/nginx/html/docs && echo "custom page" > /usr/share/nginx/html/index.html && echo docs > /usr/share/nginx/html/docs/index.html'], { stdout: out, stderr: out });
  assert.deepEqual(r, { kind: 'exited', exitCode: 0 }, out.text());
  const page = await httpRequest(net, CLIENT, IP, 80, '/');
  assert.equal(page.body, 'custom page\n');
  assert.equal(page.headers['content-length'], '12');
  assert.equal(page.headers['last-modified'], 'Mon, 06 Oct 2025 12:00:00 GMT');
  assert.equal(page.headers['etag'], '"68e3af40-c"');
  const dir = await httpRequest(net, CLIENT, IP, 80, '/docs');
  assert.equal(dir.status, 301);
  assert.equal(dir.headers['location'], `http://${IP}/docs/`);
  const idx = await httpRequest(net, CLIENT, IP, 80, '/docs/');
  assert.equal(idx.body, 'docs\n');
  await pod.container.stop('SIGKILL');
});
