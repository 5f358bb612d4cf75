/**
 * @module workloads/images/go.test
 * The Go look-alikes the emulated Go binaries print with: Duration.String,
 * ParseDuration, the log prefix, json.Marshal's escaping, the flag package's
 * errors and usage, pflag's, net.SplitHostPort, and Go's response headers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalHeaderKey, durationString, goJson, httpDate, logLine, parseDuration, statusText } from './go/format.js';
import { goUsageText, parseGoFlags, parsePflags, type FlagDefs } from './go/flags.js';
import { detectContentType } from './go/http.js';
import { splitHostPort } from './go/net.js';

test('time.Duration.String and time.ParseDuration', () => {
  const rows: ReadonlyArray<readonly [number, string]> = [
    [0, '0s'], [1, '1ns'], [1500, '1.5µs'], [25_345, '25.345µs'], [1_234_567, '1.234567ms'],
    [1_500_000_000, '1.5s'], [61_000_000_000, '1m1s'], [3_723_000_000_000, '1h2m3s'], [-2_000_000, '-2ms'],
  ];
  for (const [ns, s] of rows) assert.equal(durationString(ns), s);
  assert.deepEqual(parseDuration('1s'), { ok: true, nanos: 1e9 });
  assert.deepEqual(parseDuration('1m30s'), { ok: true, nanos: 90e9 });
  assert.deepEqual(parseDuration('500ms'), { ok: true, nanos: 5e8 });
  assert.deepEqual(parseDuration('0'), { ok: true, nanos: 0 });
  assert.deepEqual(parseDuration('5'), { ok: false, error: 'time: invalid duration "5"' });
  assert.deepEqual(parseDuration('3x'), { ok: false, error: 'time: unknown unit "x" in duration "3x"' });
});

test('log prefix, http.TimeFormat, status texts, json escaping, canonical header keys', () => {
  const t = Date.UTC(2025, 9, 6, 12, 0, 5);
  assert.equal(logLine(t, 'hello'), '2025/10/06 12:00:05 hello\n');
  assert.equal(logLine(t, 'hello\n'), '2025/10/06 12:00:05 hello\n');
  assert.equal(httpDate(t), 'Mon, 06 Oct 2025 12:00:05 GMT');
  assert.equal(statusText(412), 'Precondition Failed');
  assert.equal(statusText(299), 'status code 299');
  assert.equal(goJson({ output: '<a&b>' }), '{"output":"\\u003ca\\u0026b\\u003e"}');
  assert.equal(canonicalHeaderKey('x-forwarded-for'), 'X-Forwarded-For');
  assert.equal(canonicalHeaderKey('user-AGENT'), 'User-Agent');
  assert.equal(detectContentType(Buffer.from('hello\n')), 'text/plain; charset=utf-8');
  assert.equal(detectContentType(Buffer.from('  <html><body>')), 'text/html; charset=utf-8');
  assert.equal(detectContentType(Buffer.from([0, 1, 2])), 'application/octet-stream');
});

const DEFS: FlagDefs = {
  listen: { kind: 'string', default: ':5678', usage: 'address and port to listen' },
  text: { kind: 'string', default: '', usage: 'text to put on the webpage' },
  version: { kind: 'bool', default: false, usage: 'display version information' },
  'status-code': { kind: 'int', default: 200, usage: 'http response code, e.g.: 200' },
};

test('Go flag package: one or two dashes, = or a separate value, stops at the first argument', () => {
  const r = parseGoFlags(['-text=a b', '--listen', ':8080', '-version', 'rest', '-text=ignored'], DEFS);
  assert.ok(r.ok);
  assert.deepEqual(r.values, { listen: ':8080', text: 'a b', version: true, 'status-code': 200 });
  assert.deepEqual(r.args, ['rest', '-text=ignored']);
  const errors: ReadonlyArray<readonly [string[], string]> = [
    [['-nope'], 'flag provided but not defined: -nope'],
    [['-listen'], 'flag needs an argument: -listen'],
    [['-status-code=abc'], 'invalid value "abc" for flag -status-code: parse error'],
    [['-version=maybe'], 'invalid boolean value "maybe" for -version: parse error'],
    [['---x'], 'bad flag syntax: ---x'],
  ];
  for (const [argv, error] of errors) {
    const e = parseGoFlags(argv, DEFS);
    assert.ok(!e.ok);
    assert.equal(e.error, error);
  }
  const help = parseGoFlags(['-h'], DEFS);
  assert.ok(!help.ok && help.help);
  assert.equal(
    goUsageText('/http-echo', DEFS),
    'Usage of /http-echo:\n  -listen string\n    \taddress and port to listen (default ":5678")\n' +
      '  -status-code int\n    \thttp response code, e.g.: 200 (default 200)\n' +
      '  -text string\n    \ttext to put on the webpage\n  -version\n    \tdisplay version information\n',
  );
});

test('pflag: flags anywhere, klog flags ignored, unknown and shorthand errors', () => {
  const defs: FlagDefs = {
    timeout: { kind: 'duration', default: 0, usage: 'x' },
    protocol: { kind: 'string', default: 'tcp', usage: 'y' },
    udp: { kind: 'bool', default: false, usage: 'z' },
  };
  const r = parsePflags(['host:80', '--timeout=1s', '--v', '2', '--protocol', 'udp', '--udp'], defs, new Set(['v']));
  assert.ok(r.ok);
  assert.deepEqual(r.args, ['host:80']);
  assert.deepEqual(r.values, { timeout: 1e9, protocol: 'udp', udp: true });
  const bad = parsePflags(['--nope'], defs);
  assert.ok(!bad.ok);
  assert.equal(bad.error, 'unknown flag: --nope');
  const short = parsePflags(['-x'], defs);
  assert.ok(!short.ok);
  assert.equal(short.error, "unknown shorthand flag: 'x' in -x");
  const dur = parsePflags(['--timeout=soon'], defs);
  assert.ok(!dur.ok);
  assert.equal(dur.error, 'invalid argument "soon" for "--timeout" flag: time: invalid duration "soon"');
});

test('net.SplitHostPort', () => {
  assert.deepEqual(splitHostPort('web:80'), { ok: true, host: 'web', port: '80' });
  assert.deepEqual(splitHostPort('[::1]:80'), { ok: true, host: '::1', port: '80' });
  assert.deepEqual(splitHostPort(':8080'), { ok: true, host: '', port: '8080' });
  assert.deepEqual(splitHostPort('web'), { ok: false, error: 'address web: missing port in address' });
  assert.deepEqual(splitHostPort('a:b:c'), { ok: false, error: 'address a:b:c: too many colons in address' });
});
