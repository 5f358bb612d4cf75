#!/usr/bin/env node
// Runs the benchmarks (compiled to dist/bench by `npm run build`), one after another,
// printing their figures. `npm run bench -- dns` runs those whose file name contains "dns".
// Peers some benchmarks compare against (nginx, dnsmasq, dnsperf, wrk) are installed by
// scripts/ensure-tools.sh bench.
import { readdirSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

if (!existsSync('dist/bench')) {
  console.error('dist/bench is missing: run `npm run build` first');
  process.exit(1);
}
spawnSync('bash', ['scripts/ensure-tools.sh', 'bench'], { stdio: 'inherit' });
const filter = process.argv[2] ?? '';
const files = readdirSync('dist/bench').filter((f) => f.endsWith('.js') && f.includes(filter)).sort();
let failed = 0;
for (const f of files) {
  console.log(`\n=== ${f.replace(/\.js$/, '')} ===`);
  const r = spawnSync(process.execPath, [`dist/bench/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
