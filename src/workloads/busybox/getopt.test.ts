/**
 * @module workloads/busybox/getopt.test
 * getopt_long behaviour: bundling, permutation, libc-specific errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from './getopt.js';
import type { OptDef } from './getopt.js';

const DEFS: OptDef[] = [
  { name: 'q', short: 'q', long: 'quiet' },
  { name: 'O', short: 'O', long: 'output-document', arg: 'required' },
  { name: 'T', short: 'T', long: 'timeout', arg: 'required' },
  { name: 'tries', long: 'tries', arg: 'required' },
  { name: 'n', short: 'n', arg: 'optional' },
];

test('bundles, attached values, long forms, permutation, --', () => {
  const p = parseArgs('wget', ['-qO-', 'http://x', '--timeout=5', '--output-document', 'f', '-nv', '--', '-T'], DEFS);
  assert.ok(p.ok);
  if (!p.ok) return;
  assert.deepEqual([...p.opts], [['q', ['']], ['O', ['-', 'f']], ['T', ['5']], ['n', ['v']]]);
  assert.deepEqual(p.operands, ['http://x', '-T']);
  const abbrev = parseArgs('wget', ['--time', '3', 'u'], DEFS);
  assert.ok(abbrev.ok && abbrev.opts.get('T')?.[0] === '3');
});

test('errors in musl and glibc wording', () => {
  const rows: Array<[string[], 'musl' | 'glibc', string]> = [
    [['-x'], 'musl', 'wget: unrecognized option: x'],
    [['-x'], 'glibc', "wget: invalid option -- 'x'"],
    [['--nope'], 'musl', 'wget: unrecognized option: nope'],
    [['--nope'], 'glibc', "wget: unrecognized option '--nope'"],
    [['-O'], 'musl', 'wget: option requires an argument: O'],
    [['-O'], 'glibc', "wget: option requires an argument -- 'O'"],
    [['--t', '1'], 'glibc', "wget: option '--t' is ambiguous; possibilities: '--timeout' '--tries'"],
    [['--quiet=1'], 'glibc', "wget: option '--quiet' doesn't allow an argument"],
  ];
  for (const [args, libc, msg] of rows) {
    const p = parseArgs('wget', args, DEFS, { libc });
    assert.deepEqual(p, { ok: false, message: msg }, `${args.join(' ')} ${libc}`);
  }
});
