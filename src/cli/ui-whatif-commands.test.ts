/**
 * @module cli/ui-whatif-commands.test
 * `kwire whatif` and `kwire ui` without a cluster: the text report (golden),
 * the exit codes for usage and for a cluster that is not running, and which
 * program opens a URL where. Against a running cluster they are exercised by
 * test/e2e/ui.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { WhatIfResult } from '../web/whatif.js';
import type { CliIO } from './policy-commands.js';
import { opener, uiCommand } from './ui-command.js';
import { renderWhatIf, whatifCommand } from './whatif-command.js';

function capture(env: NodeJS.ProcessEnv = {}): CliIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: (s) => void (out += s), stderr: (s) => void (err += s), env, stdin: async () => '', out: () => out, err: () => err };
}

const NS = 'networking-lab';

describe('kwire whatif', () => {
  test('the report', () => {
    const w: WhatIfResult = {
      apiVersion: 'kwire.dev/v1',
      kind: 'WhatIf',
      candidates: [{ namespace: NS, name: 'allow-frontend-to-backend', action: 'create' }],
      matrix: {
        pods: [`${NS}/backend-a`, `${NS}/frontend-a`],
        ports: [
          { protocol: 'TCP', port: 8080 },
          { protocol: 'UDP', port: 53 },
        ],
        changes: [{ from: `${NS}/frontend-a`, to: `${NS}/backend-a`, protocol: 'TCP', port: 8080, before: 'dropped', after: 'allowed' }],
      },
      flows: {
        judged: 3,
        unjudged: 1,
        changes: [
          {
            flow: {
              id: 9,
              time: Date.UTC(2026, 10, 28, 2, 33, 11, 123),
              protocol: 'TCP',
              src: { ip: '10.244.1.5', port: 41234, owner: { kind: 'pod', namespace: NS, name: 'frontend-a' } },
              dst: { ip: '10.96.12.1', port: 80 },
              service: { namespace: NS, name: 'backend-clusterip' },
              endpoint: { ip: '10.244.2.3', port: 8080, owner: { kind: 'pod', namespace: NS, name: 'backend-a' } },
              verdict: 'dropped',
              reason: 'denied by network policy',
              policies: [`${NS}/deny-all`],
            },
            count: 2,
            before: 'dropped',
            after: 'allowed',
            policies: [`${NS}/allow-frontend-to-backend`],
          },
        ],
      },
      summary: { addedDenials: 0, newAllowances: 1, flowsChanged: 1 },
      revision: 12,
    };
    const text = renderWhatIf(w).split('\n');
    assert.deepEqual(text.slice(0, 7), [
      `what if: networkpolicy ${NS}/allow-frontend-to-backend (create)`,
      '',
      'matrix (2 pods; TCP/8080, UDP/53):',
      '  TCP/8080:',
      `    + ${NS}/frontend-a -> ${NS}/backend-a: dropped -> allowed`,
      '',
      'recent flows (3 judged, 1 not judged: a pod gone, or refused before policy):',
    ]);
    assert.equal(text[7], `  DROPPED -> FORWARDED (x2) by ${NS}/allow-frontend-to-backend`);
    assert.match(text[8] ?? '', new RegExp(`^    last: .*${NS}/frontend-a:41234 \\(10\\.244\\.1\\.5\\) -> ${NS}/backend-a:8080 \\(10\\.244\\.2\\.3\\) via svc/${NS}/backend-clusterip:80 tcp DROPPED`));
    assert.deepEqual(text.slice(9), ['', '1 new allowance, 0 added denials, 1 recent flow would change verdict', '']);
  });

  test('usage and failures', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kwire-whatif-'));
    const f = join(home, 'p.yaml');
    writeFileSync(f, 'kind: NetworkPolicy\n');
    const rows: ReadonlyArray<[string[], number, RegExp]> = [
      [[], 2, /-f FILE is required/],
      [['-f', f, '-o', 'yaml'], 2, /unknown output format "yaml"/],
      [['-f', f, '--bogus'], 2, /Unknown option '--bogus'/],
      [['-f', join(home, 'nope.yaml')], 1, /the path ".*nope.yaml" does not exist/],
      [['-f', f], 1, /cluster "kwire" is not running/],
    ];
    for (const [argv, code, re] of rows) {
      const io = capture({ KWIRE_HOME: home });
      assert.equal(await whatifCommand(argv, io), code, argv.join(' '));
      assert.match(io.err(), re);
    }
    const help = capture();
    assert.equal(await whatifCommand(['--help'], help), 0);
    assert.match(help.out(), /Exit status: 0 nothing would change, 3 something would, 1 failure, 2 usage\./);
    rmSync(home, { recursive: true, force: true });
  });
});

describe('kwire ui', () => {
  test('who opens the URL', () => {
    assert.deepEqual(opener('darwin', {}), { cmd: 'open', args: [] });
    const yes = () => true;
    assert.deepEqual(opener('linux', { DISPLAY: ':0' }, yes), { cmd: 'xdg-open', args: [] });
    assert.deepEqual(opener('linux', { WAYLAND_DISPLAY: 'wayland-0' }, yes), { cmd: 'xdg-open', args: [] });
    assert.equal(opener('linux', { DISPLAY: ':0' }, () => false), undefined, 'no xdg-open: print it');
    assert.equal(opener('linux', {}, yes), undefined, 'no desktop: print it');
  });
  test('not running, usage', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kwire-ui-'));
    let io = capture({ KWIRE_HOME: home });
    assert.equal(await uiCommand(['--print'], io), 1);
    assert.match(io.err(), /cluster "kwire" is not running/);
    io = capture({ KWIRE_HOME: home });
    assert.equal(await uiCommand(['extra'], io), 2);
    assert.match(io.err(), /unexpected argument "extra"/);
    rmSync(home, { recursive: true, force: true });
  });
});
