/**
 * @module workloads/tty.test
 * The line discipline on its own: ONLCR, the line editor and cooked mode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { CaptureWritable, readAll } from './streams.js';
import { onlcr, Terminal } from './tty.js';

test('onlcr turns every newline into CR LF', async () => {
  const sink = new CaptureWritable();
  const w = onlcr(sink);
  w.write('a\nb\n');
  w.write(Buffer.from('\n'));
  await new Promise((r) => setImmediate(r));
  assert.equal(sink.text(), 'a\r\nb\r\n\r\n');
});

test('readLine: editing keys, multi-byte input, interrupt and EOF', async () => {
  const input = new PassThrough();
  const out = new CaptureWritable();
  const t = new Terminal(input, out);
  input.write('héllo\x7f\x7fp\r');
  assert.deepEqual(await t.readLine('> '), { kind: 'line', text: 'hélp' });
  input.write('é\x7fe\r');
  assert.deepEqual(await t.readLine(''), { kind: 'line', text: 'e' });
  input.write('one two\x17three\r');
  assert.deepEqual(await t.readLine(''), { kind: 'line', text: 'one three' });
  input.write('junk\x15ok\r');
  assert.deepEqual(await t.readLine(''), { kind: 'line', text: 'ok' });
  input.write('x\x03');
  assert.deepEqual(await t.readLine(''), { kind: 'interrupt' });
  input.write('\x04');
  assert.deepEqual(await t.readLine(''), { kind: 'eof' });
  assert.ok(out.text().startsWith('> héllo'));
  assert.ok(out.text().includes('^C\r\n'));
});

test('cooked mode: lines on Enter, Ctrl-D ends input, Ctrl-C aborts with SIGINT', async () => {
  const input = new PassThrough();
  const out = new CaptureWritable();
  const t = new Terminal(input, out);
  const s = t.startForeground();
  input.write('ab\x7fc\rline2\r\x04');
  assert.equal((await readAll(s.stdin)).toString(), 'ac\nline2\n');
  s.end();
  const s2 = t.startForeground();
  input.write('\x03');
  await new Promise((r) => setImmediate(r));
  assert.equal(s2.interrupt.aborted, true);
  assert.equal(s2.interrupt.reason, 'SIGINT');
  s2.end();
  assert.equal(out.text(), 'ab\b \bc\r\nline2\r\n^C');
});
