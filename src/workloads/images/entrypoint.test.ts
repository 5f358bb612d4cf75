/**
 * @module workloads/images/entrypoint.test
 * command/args against ENTRYPOINT/CMD, $(VAR) expansion as the kubelet does
 * it, and runc's executable lookup with its error texts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFileMap } from '../fs.js';
import { containerArgv, execFailedMessage, expandKubeVars, lookupExecutable, startFailedMessage } from './entrypoint.js';
import type { Executable } from './types.js';

test('command overrides ENTRYPOINT, args override CMD', () => {
  const image = { entrypoint: ['/docker-entrypoint.sh'], cmd: ['nginx', '-g', 'daemon off;'] };
  const rows: ReadonlyArray<readonly [string[] | undefined, string[] | undefined, string[]]> = [
    [undefined, undefined, ['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;']],
    [undefined, ['nginx-debug'], ['/docker-entrypoint.sh', 'nginx-debug']],
    [['sh', '-c', 'sleep 1'], undefined, ['sh', '-c', 'sleep 1']],
    [['sh'], ['-c', 'true'], ['sh', '-c', 'true']],
    [[], ['x'], ['/docker-entrypoint.sh', 'x']],
  ];
  for (const [command, args, want] of rows) assert.deepEqual(containerArgv(image, command, args, {}), want);
});

test('$(VAR) expansion follows the kubelet: $$ escapes, unknown stays', () => {
  const env = { HOSTNAME: 'backend-abc', PORT: '8080', EMPTY: '' };
  const rows: ReadonlyArray<readonly [string, string]> = [
    ['-text=Hello from Backend Pod: $(HOSTNAME)', '-text=Hello from Backend Pod: backend-abc'],
    ['-listen=:$(PORT)', '-listen=:8080'],
    ['$(MISSING)', '$(MISSING)'],
    ['$$(HOSTNAME)', '$(HOSTNAME)'],
    ['$$$(HOSTNAME)', '$backend-abc'],
    ['$(EMPTY)x', 'x'],
    ['$(unclosed', '$(unclosed'],
    ['cost: $5', 'cost: $5'],
    ['trailing $', 'trailing $'],
    ['$(HOSTNAME)$(PORT)', 'backend-abc8080'],
  ];
  for (const [input, want] of rows) assert.equal(expandKubeVars(input, env), want, input);
  assert.deepEqual(containerArgv({ entrypoint: ['/http-echo'], cmd: [] }, undefined, ['-text=$(HOSTNAME)'], env), ['/http-echo', '-text=backend-abc']);
});

test('executable lookup: paths, PATH search, and runc error texts', () => {
  const exe: Executable = { kind: 'tool', set: 'busybox', name: 'sh' };
  const table = new Map<string, Executable>([['/bin/sh', exe], ['/agnhost', exe]]);
  const files = createFileMap({ '/etc/hosts': 'x' });
  const find = (p: string): Executable | undefined => table.get(p);
  const path = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  const ok = lookupExecutable('sh', path, '/', find, files);
  assert.ok(ok.ok);
  assert.equal(ok.path, '/bin/sh');
  assert.ok(lookupExecutable('/agnhost', path, '/', find, files).ok);
  assert.ok(lookupExecutable('../agnhost', path, '/etc', find, files).ok);
  const rows: ReadonlyArray<readonly [string, string]> = [
    ['foo', 'exec: "foo": executable file not found in $PATH'],
    ['/bin/bash', 'exec: "/bin/bash": stat /bin/bash: no such file or directory'],
    ['/etc/hosts', 'exec: "/etc/hosts": permission denied'],
    ['/etc', 'exec: "/etc": is a directory'],
  ];
  for (const [cmd, error] of rows) {
    const r = lookupExecutable(cmd, path, '/', find, files);
    assert.ok(!r.ok, cmd);
    assert.equal(r.error, error, cmd);
  }
  assert.equal(
    execFailedMessage('e'.repeat(64), 'exec: "foo": executable file not found in $PATH'),
    `error executing command in container: failed to exec in container: failed to start exec "${'e'.repeat(64)}": ` +
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "foo": executable file not found in $PATH: unknown',
  );
  assert.equal(
    startFailedMessage('exec: "foo": executable file not found in $PATH'),
    'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: ' +
      'unable to start container process: exec: "foo": executable file not found in $PATH: unknown',
  );
});
