/**
 * @module workloads/curl/parts.test
 * curl's argument parser, URL parser, meter formatting and -w expansion.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCurlArgs } from './args.js';
import { max5, meterLine, time8 } from './meter.js';
import { hostHeader, parseCurlUrl, resolveLocation } from './url.js';
import { writeOut } from './write-out.js';
import type { TransferInfo } from './write-out.js';

test('curl argument parsing', () => {
  const p = parseCurlArgs(['-sSfL', '-o/dev/null', '-w', '%{http_code}', 'http://a', '--max-time', '2.5', '-H', 'X: y', 'b', '--no-silent']);
  assert.ok(p.ok);
  if (!p.ok) return;
  assert.deepEqual(p.opts.urls, ['http://a', 'b']);
  assert.equal(p.opts.silent, false);
  assert.equal(p.opts.showError && p.opts.fail && p.opts.location, true);
  assert.deepEqual(p.opts.outputs, ['/dev/null']);
  assert.equal(p.opts.maxTime, 2.5);
  assert.deepEqual(p.opts.headers, ['X: y']);
  assert.deepEqual(parseCurlArgs(['--max-time=5']), { ok: false, message: 'option --max-time=5: is unknown' });
  assert.deepEqual(parseCurlArgs(['-m', 'abc']), { ok: false, message: 'option -m: expected a proper numerical parameter' });
});

test('curl URL parsing', () => {
  const rows: Array<[string, string]> = [
    ['backend-clusterip', 'http://backend-clusterip/'],
    ['http://backend:8080', 'http://backend:8080/'],
    ['http://backend:80/x?y=1#frag', 'http://backend/x?y=1'],
    ['HTTP://[::1]:9000/p', 'http://[::1]:9000/p'],
    ['http://u:p@h/', 'http://u:p@h/'],
  ];
  for (const [input, href] of rows) {
    const u = parseCurlUrl(input);
    assert.ok(u.ok, input);
    if (u.ok) assert.equal(u.url.href, href, input);
  }
  const bad: Array<[string, number, string]> = [
    ['http://h:70000/', 3, 'Port number was not a decimal number between 0 and 65535'],
    ['http://', 3, 'No host part in the URL'],
    ['http://a b/', 3, 'Malformed input to a URL function'],
    ['http://a^b/', 3, 'Bad hostname'],
    ['gopher://h/', 1, 'Protocol "gopher" not supported'],
  ];
  for (const [input, code, reason] of bad) assert.deepEqual(parseCurlUrl(input), { ok: false, code, reason }, input);
  const base = parseCurlUrl('http://h:8080/a/b?q');
  assert.ok(base.ok);
  if (!base.ok) return;
  assert.equal(hostHeader(base.url), 'h:8080');
  const rel = resolveLocation(base.url, 'c');
  assert.equal(rel.ok && rel.url.href, 'http://h:8080/a/c');
  const abs = resolveLocation(base.url, '/new');
  assert.equal(abs.ok && abs.url.href, 'http://h:8080/new');
});

test('meter columns', () => {
  assert.equal(max5(45), '   45');
  assert.equal(max5(123456), ' 120k');
  assert.equal(max5(50 * 1024 * 1024), '50.0M');
  assert.equal(time8(undefined), '--:--:--');
  assert.equal(time8(5), ' 0:00:05');
  assert.equal(time8(3725), ' 1:02:05');
  assert.equal(meterLine({ received: 0, sent: 0, elapsedMs: 0 }), '  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0');
  assert.equal(meterLine({ received: 50, total: 100, sent: 0, elapsedMs: 2000 }), ' 50   100   50    50    0     0     25      0  0:00:04  0:00:02  0:00:02    25');
});

test('-w expansion', () => {
  const t: TransferInfo = {
    httpCode: 200, httpVersion: '1.1', remoteIp: '10.96.12.34', remotePort: 80, localIp: '10.244.1.5', localPort: 40001,
    timeNamelookup: 0.001, timeConnect: 0.002, timeAppconnect: 0, timePretransfer: 0.002, timeStarttransfer: 0.003, timeTotal: 0.0045, timeRedirect: 0,
    sizeDownload: 45, sizeUpload: 0, sizeHeader: 120, sizeRequest: 78, contentType: 'text/plain', urlEffective: 'http://x/', url: 'x',
    numRedirects: 0, redirectUrl: '', exitcode: 0, errormsg: '', method: 'GET', scheme: 'http', numConnects: 1, filenameEffective: '', sslVerifyResult: 0,
    headers: [['X-App-Name', 'http-echo']],
  };
  const r = writeOut('%{http_code} %{time_total} %header{x-app-name}\\n%{stderr}err %{nope}%%', t);
  assert.deepEqual(r.pieces, [
    { stream: 'stdout', text: '200 0.004500 http-echo\n' },
    { stream: 'stderr', text: 'err %' },
  ]);
  assert.deepEqual(r.warnings, ["unknown --write-out variable: 'nope'"]);
});
