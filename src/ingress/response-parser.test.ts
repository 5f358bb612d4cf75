/**
 * @module ingress/response-parser.test
 * The upstream response parser: framing (length, chunked, until close, no body),
 * interim responses, keep-alive, and the malformed responses node's llhttp
 * refuses too. Each response is also fed one byte at a time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseParseError, ResponseParser, type ResponseHead } from './response-parser.js';

interface Seen {
  head?: ResponseHead;
  body: string;
  complete?: boolean;
}

function parse(text: string, opts: { headRequest?: boolean; split?: number; close?: boolean } = {}): Seen {
  const seen: Seen = { body: '' };
  const p = new ResponseParser();
  p.begin(
    {
      onHead: (h) => (seen.head = h),
      onBody: (c) => (seen.body += c.toString('latin1')),
      onComplete: (r) => (seen.complete = r),
    },
    opts.headRequest ?? false,
  );
  const bytes = Buffer.from(text, 'latin1');
  const step = opts.split ?? bytes.length;
  for (let i = 0; i < bytes.length && seen.complete === undefined; i += step) p.execute(bytes.subarray(i, i + step));
  if (opts.close) p.finish();
  return seen;
}

/** Parses whole and byte by byte; both must agree. */
function both(text: string, opts: { headRequest?: boolean; close?: boolean } = {}): Seen {
  const whole = parse(text, opts);
  const bytewise = parse(text, { ...opts, split: 1 });
  assert.deepEqual({ ...bytewise, complete: whole.complete }, whole);
  return whole;
}

test('Content-Length body, headers as sent with OWS trimmed, keep-alive', () => {
  const r = both('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  v \t\r\nSet-Cookie: a\r\nSet-Cookie: b\r\nX-Empty:\r\n\r\nhello');
  assert.equal(r.head?.status, 200);
  assert.equal(r.head?.reason, 'OK');
  assert.deepEqual(r.head?.rawHeaders, ['Content-Length', '5', 'X-A', 'v', 'Set-Cookie', 'a', 'Set-Cookie', 'b', 'X-Empty', '']);
  assert.equal(r.body, 'hello');
  assert.equal(r.complete, true);
});

test('chunked with extensions and trailers; the chunks are the body', () => {
  const r = both('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n');
  assert.equal(r.body, 'hello world');
  assert.equal(r.complete, true);
  assert.equal(both('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n').complete, true);
});

test('no body after HEAD, for 204 and 304; 1xx interim responses are skipped', () => {
  const head = both('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n', { headRequest: true });
  assert.equal(head.body, '');
  assert.equal(head.complete, true);
  assert.equal(both('HTTP/1.1 204 No Content\r\n\r\n').complete, true);
  assert.equal(both('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n').complete, true);
  const r = both('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200\r\nContent-Length: 2\r\n\r\nok');
  assert.equal(r.head?.status, 200);
  assert.equal(r.head?.reason, '');
  assert.equal(r.body, 'ok');
});

test('without length or chunked, the body runs until the upstream closes; never reused', () => {
  const r = both('HTTP/1.1 200 OK\r\n\r\nuntil close', { close: true });
  assert.equal(r.body, 'until close');
  assert.equal(r.complete, false);
  assert.equal(both('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw', { close: true }).complete, false);
  assert.throws(() => parse('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort', { close: true }), ResponseParseError);
});

test('keep-alive: HTTP/1.1 unless Connection: close, HTTP/1.0 only with keep-alive; extra bytes end it too', () => {
  assert.equal(both('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n').complete, false);
  assert.equal(both('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n').complete, false);
  assert.equal(both('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n').complete, true);
  assert.equal(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokjunk').complete, false);
  assert.equal(both('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100\r\nContent-Length: 0\r\n\r\n').head?.keepAliveHintMs, 5000);
});

test('malformed responses are errors, as llhttp makes them', () => {
  const bad = [
    'HTTX/9 abc\r\n\r\n',
    'HTTP/1.1 200 OK\nContent-Length: 2\n\nok',
    'HTTP/1.1 1000 Odd\r\nContent-Length: 0\r\n\r\n',
    'HTTP/2.0 200 OK\r\n\r\n',
    'HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX-Fold: a\r\n b\r\n\r\n',
    'HTTP/1.1 200 OK\r\nX-Ctl: a\x01b\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok',
    'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n',
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\n\r\n',
    `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(17000)}\r\n\r\n`,
  ];
  for (const text of bad) {
    assert.throws(() => parse(text), ResponseParseError, JSON.stringify(text.slice(0, 60)));
    assert.throws(() => parse(text, { split: 1 }), ResponseParseError, JSON.stringify(text.slice(0, 60)));
  }
  assert.equal(both('HTTP/1.1 200 OK\r\nX-High: caf\xe9\r\nContent-Length: 0\r\n\r\n').head?.rawHeaders[1], 'caf\xe9');
});

test('bytes while no response is expected are an error; abort stops the events', () => {
  const p = new ResponseParser();
  assert.throws(() => p.execute(Buffer.from('HTTP/1.1 200 OK\r\n\r\n')), ResponseParseError);
  let bodies = 0;
  p.begin({ onHead: () => p.abort(), onBody: () => bodies++, onComplete: () => assert.fail('aborted') }, false);
  p.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
  assert.equal(bodies, 0);
  assert.equal(p.active, false);
});
