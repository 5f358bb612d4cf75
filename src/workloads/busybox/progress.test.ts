/**
 * @module workloads/busybox/progress.test
 * busybox's progress bar lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar, size5 } from './progress.js';

test('bar lines on and off a terminal', () => {
  assert.equal(size5(37), '   37');
  assert.equal(size5(123456), ' 120k');
  const tty = new ProgressBar('index.html', true, 80, 100);
  assert.equal(tty.update(100, 0, 37), '', 'skipped within the same second');
  assert.equal(tty.update(100, 37, 37), `\rindex.html           100% |${'*'.repeat(32)}|    37  0:00:00 ETA`);
  assert.equal(tty.finish(), '\n');
  const pipe = new ProgressBar('a-very-long-file-name-indeed.tar.gz', false, 80, 0);
  assert.equal(pipe.update(1, 10, 100), `a-very-long-file-nam  10% |***${' '.repeat(29)}|    10  0:00:09 ETA\n`);
  assert.equal(pipe.update(7, 10, 100), `a-very-long-file-nam  10% |***${' '.repeat(29)}|    10  - stalled -\n`);
  const unknown = new ProgressBar('-', false, 40, 0);
  assert.equal(unknown.update(1, 5, 0), '-                        5 --:--:-- ETA\n');
});
