#!/usr/bin/env node
// The kwire command: the compiled CLI lives in dist/ (built by `npm install` via `prepare`).
import('../dist/src/cli/main.js').then((m) => m.main(process.argv.slice(2))).then(
  (code) => { if (typeof code === 'number') process.exitCode = code; },
  (err) => { console.error(`kwire: ${err && err.message ? err.message : err}`); process.exitCode = 1; },
);
