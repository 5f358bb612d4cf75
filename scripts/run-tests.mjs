#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with node's test runner.
// Unit tests sit next to the code (src/**/x.test.ts); kubectl scenarios in test/e2e/.
// `npm test -- unit` runs only unit tests; `npm test -- e2e` only end-to-end ones.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const which = process.argv[2] ?? 'all';
const files = [];
if (which !== 'e2e') files.push(...walk('dist/src'));
if (which !== 'unit') files.push(...walk('dist/test'));
files.sort();
if (files.length === 0) { console.error('no test files found under dist/: run `npm run build` first'); process.exit(1); }
const r = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
