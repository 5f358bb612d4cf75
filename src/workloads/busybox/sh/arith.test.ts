/**
 * @module workloads/busybox/sh/arith.test
 * Shell arithmetic and pattern matching tables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArithError, evalArith } from './arith.js';
import { globPaths, matchPattern, replacePattern, trimPattern } from './pattern.js';
import { createFileMap } from '../../fs.js';

test('arithmetic table', () => {
  const vars = new Map<string, string>([['i', '5'], ['s', '2+3']]);
  const env = { get: (n: string) => vars.get(n), set: (n: string, v: string) => void vars.set(n, v) };
  const rows: Array<[string, number]> = [
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['-7 / 2', -3],
    ['7 % -3', 1],
    ['2 ** 10', 1024],
    ['0x10 + 010', 24],
    ['i * 2', 10],
    ['s * 2', 10],
    ['unset + 1', 1],
    ['1 < 2 && 2 < 1', 0],
    ['!0 || 0', 1],
    ['~0', -1],
    ['1 << 3 | 1', 9],
    ['i > 3 ? 100 : 200', 100],
    ['i++', 5],
    ['i', 6],
    ['++i', 7],
    ['i += 3', 10],
    ['x = 4, x * x', 16],
    ['', 0],
  ];
  for (const [expr, want] of rows) assert.equal(evalArith(expr, env), want, expr);
  for (const bad of ['1 +', '(1', '1 / 0', '2 ** -1', 'a b']) assert.throws(() => evalArith(bad, env), ArithError, bad);
});

test('patterns', () => {
  assert.ok(matchPattern('back*', 'backend'));
  assert.ok(matchPattern('[a-c]?x', 'bqx'));
  assert.ok(!matchPattern('[!a-c]?x', 'bqx'));
  assert.ok(matchPattern('a\\*', 'a*'));
  assert.ok(!matchPattern('a\\*', 'ab'));
  assert.equal(trimPattern('a/b/c.tar.gz', '*/', '#'), 'b/c.tar.gz');
  assert.equal(trimPattern('a/b/c.tar.gz', '*/', '##'), 'c.tar.gz');
  assert.equal(trimPattern('c.tar.gz', '.*', '%'), 'c.tar');
  assert.equal(trimPattern('c.tar.gz', '.*', '%%'), 'c');
  assert.equal(replacePattern('a-b-c', '-', '_', '/'), 'a_b-c');
  assert.equal(replacePattern('a-b-c', '-', '_', '//'), 'a_b_c');
  assert.equal(replacePattern('abc', 'a', 'X', '/#'), 'Xbc');
  assert.equal(replacePattern('abc', 'c', 'X', '/%'), 'abX');
  const fm = createFileMap({ '/w/a.txt': '', '/w/b.txt': '', '/w/.h.txt': '', '/w/sub/c.txt': '' });
  assert.deepEqual(globPaths(fm, '/w', '*.txt'), ['a.txt', 'b.txt']);
  assert.deepEqual(globPaths(fm, '/', '/w/*/*.txt'), ['/w/sub/c.txt']);
  assert.deepEqual(globPaths(fm, '/', '/w/*.none'), []);
});
