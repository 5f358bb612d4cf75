/**
 * @module workloads/images/whoami.test
 * traefik/whoami: the "/" page line by line (Hostname, IPs, RemoteAddr, the
 * request as Go writes it), /api JSON, /health get/set, /data, -name and
 * WHOAMI_PORT_NUMBER, and its startup log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPodNetwork } from '../../dataplane/index.js';
import { FakeClock } from '../testing/fake-clock.js';
import { httpRequest, rawExchange, startTestPod, testRuntime, waitListening } from './testing.js';
import { linkLocalOf, whoamiContent } from './whoami/whoami.js';

const CLIENT = '10.244.9.9';
const IP = '10.244.1.5';

async function whoamiPod(args: string[] = [], env: Record<string, string> = {}): Promise<{ net: ReturnType<typeof createPodNetwork>; pod: ReturnType<typeof startTestPod> }> {
  const net = createPodNetwork();
  net.registerAddress(CLIENT, { kind: 'pod', namespace: 'default', name: 'client' });
  const pod = startTestPod(net, testRuntime(), { image: 'traefik/whoami', ip: IP, name: 'whoami-5d7f', args, env, clock: new FakeClock({ autoAdvance: false }) });
  return { net, pod };
}

test('"/" prints the pod, its IPs, the remote address and the request as Go writes it', { timeout: 5000 }, async () => {
  const { net, pod } = await whoamiPod();
  await waitListening(pod.container, 80);
  const raw = await rawExchange(
    net,
    CLIENT,
    IP,
    80,
    'GET /path?q=1 HTTP/1.1\r\nHost: whoami.local\r\nuser-agent: curl/8.5.0\r\naccept: */*\r\nx-forwarded-for: 10.0.0.1\r\nConnection: close\r\n\r\n',
  );
  const [head, body] = raw.split('\r\n\r\n', 2);
  assert.match(head ?? '', /^HTTP\/1\.1 200 OK\r\nDate: Mon, 06 Oct 2025 12:00:00 GMT\r\nContent-Length: \d+\r\nContent-Type: text\/plain; charset=utf-8\r\nConnection: close$/);
  const rest = raw.slice((head ?? '').length + 4);
  assert.match(
    rest,
    new RegExp(
      '^Hostname: whoami-5d7f\\nIP: 127\\.0\\.0\\.1\\nIP: ::1\\nIP: 10\\.244\\.1\\.5\\nIP: fe80::858:aff:fef4:105\\n' +
        'RemoteAddr: 10\\.244\\.9\\.9:\\d+\\nGET /path\\?q=1 HTTP/1\\.1\\r\\nHost: whoami\\.local\\r\\nUser-Agent: curl/8\\.5\\.0\\r\\n' +
        'Accept: \\*/\\*\\r\\nConnection: close\\r\\nX-Forwarded-For: 10\\.0\\.0\\.1\\r\\n\\r\\n$',
    ),
  );
  assert.ok(body !== undefined);
  assert.equal(linkLocalOf(IP), 'fe80::858:aff:fef4:105');
  assert.equal(pod.stderr.text(), '2025/10/06 12:00:00 Starting up on port 80\n');
  await pod.container.stop('SIGKILL');
});

test('a request without User-Agent shows Go\'s default one; -name adds Name:', { timeout: 5000 }, async () => {
  const { net, pod } = await whoamiPod(['-name', 'blue']);
  await waitListening(pod.container, 80);
  const raw = await rawExchange(net, CLIENT, IP, 80, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  assert.match(body, /^Name: blue\nHostname: whoami-5d7f\n/);
  assert.match(body, /\r\nUser-Agent: Go-http-client\/1\.1\r\n/);
  await pod.container.stop('SIGKILL');
});

test('/api is JSON with sorted headers; /health can be set; /data generates bytes', { timeout: 5000 }, async () => {
  const { net, pod } = await whoamiPod([], { WHOAMI_PORT_NUMBER: '8081' });
  await waitListening(pod.container, 8081);
  const api = await httpRequest(net, CLIENT, IP, 8081, '/api', { headers: { 'X-B': '2', 'x-a': '1' } });
  assert.equal(api.headers['content-type'], 'application/json');
  assert.equal(api.headers['access-control-allow-origin'], '*');
  const data = JSON.parse(api.body) as Record<string, unknown>;
  assert.deepEqual(Object.keys(data), ['hostname', 'ip', 'headers', 'url', 'host', 'method', 'remoteAddr']);
  assert.equal(data['hostname'], 'whoami-5d7f');
  assert.deepEqual(data['ip'], ['127.0.0.1', '::1', IP, 'fe80::858:aff:fef4:105']);
  const headers = data['headers'] as Record<string, string[]>;
  assert.deepEqual(headers['X-A'], ['1']);
  assert.deepEqual(Object.keys(headers), [...Object.keys(headers)].sort());
  assert.equal((await httpRequest(net, CLIENT, IP, 8081, '/health')).status, 200);
  assert.equal((await httpRequest(net, CLIENT, IP, 8081, '/health', { method: 'POST', body: '503' })).status, 200);
  assert.equal((await httpRequest(net, CLIENT, IP, 8081, '/health')).status, 503);
  assert.equal(pod.stdout.text(), 'Update health check status code [503]\n');
  const bad = await httpRequest(net, CLIENT, IP, 8081, '/health', { method: 'POST', body: 'abc' });
  assert.equal(bad.status, 400);
  assert.equal(bad.body, "invalid character 'a' looking for beginning of value\n");
  assert.equal((await httpRequest(net, CLIENT, IP, 8081, '/data?size=10')).body, '|ABCDEFGH|');
  assert.equal(whoamiContent(1).length, 0);
  const kb = await httpRequest(net, CLIENT, IP, 8081, '/data?size=3&unit=kb');
  assert.equal(kb.body.length, 3072);
  assert.equal(kb.headers['transfer-encoding'], 'chunked');
  await pod.container.stop('SIGKILL');
});
