/**
 * @module cli/hosts-command.test
 * `kwire hosts`: the lines for the Ingress hosts (127.0.0.1 when the ingress has
 * port 80 there, else each Ingress's address or the controller's), and the
 * marked-block editing of a hosts file: added at the end, replaced in place,
 * removed, other clusters' blocks and every other line byte for byte untouched,
 * CRLF files, a broken block refused; `--remove` through the command itself on a
 * `--file`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import { beginMarker, END_MARKER, hostsCommand, HostsFileError, hostsLines, otherMentions, setHostsBlock } from './hosts-command.js';

function ingress(ns: string, name: string, hosts: string[], ip?: string, tls: string[] = []): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace: ns, name },
    spec: { rules: hosts.map((host) => ({ host })), ...(tls.length ? { tls: [{ hosts: tls }] } : {}) },
    ...(ip ? { status: { loadBalancer: { ingress: [{ ip }] } } } : {}),
  };
}

const LAB = [ingress('networking-lab', 'app-ingress', ['frontend.local', 'backend.local'], '127.0.10.100'), ingress('networking-lab', 'path-based-ingress', ['app.local'], '127.0.10.100')];

test('hosts lines: 127.0.0.1 when the ingress listens on 127.0.0.1:80', () => {
  assert.deepEqual(hostsLines(LAB, { local80: true, controllerIp: '127.0.10.100' }).lines, ['127.0.0.1 frontend.local backend.local app.local']);
});

test('hosts lines: the Ingress ADDRESS otherwise, else the controller LoadBalancer IP', () => {
  assert.deepEqual(hostsLines(LAB, { local80: false, controllerIp: '127.0.10.100' }).lines, ['127.0.10.100 frontend.local backend.local app.local']);
  const noStatus = [ingress('a', 'x', ['x.local']), ingress('b', 'y', ['y.local'], '127.0.10.150')];
  assert.deepEqual(hostsLines(noStatus, { local80: false, controllerIp: '127.0.10.100' }).lines, ['127.0.10.100 x.local', '127.0.10.150 y.local']);
  // No address anywhere yet: nothing to say.
  assert.deepEqual(hostsLines([ingress('a', 'x', ['x.local'])], { local80: false }).lines, []);
});

test('hosts lines: duplicates once, TLS hosts too, wildcards set apart, host-less rules ignored', () => {
  const ings = [ingress('a', 'x', ['a.local', 'a.local', '*.wild.local'], undefined, ['tls.local']), ingress('a', 'y', [])];
  const plan = hostsLines(ings, { local80: true });
  assert.deepEqual(plan.lines, ['127.0.0.1 a.local tls.local']);
  assert.deepEqual(plan.wildcards, ['*.wild.local']);
  assert.deepEqual(hostsLines([], { local80: true }).lines, []);
});

const ETC = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n# a comment\n192.168.1.5 nas.home\n';

test('write: the block goes at the end, every other line untouched', () => {
  const e = setHostsBlock(ETC, 'kwire', ['127.0.0.1 frontend.local backend.local']);
  assert.equal(e.changed, true);
  assert.equal(e.text, `${ETC}# BEGIN kwire (cluster kwire)\n127.0.0.1 frontend.local backend.local\n# END kwire\n`);
  assert.deepEqual(e.before, []);
  assert.deepEqual(e.after, [beginMarker('kwire'), '127.0.0.1 frontend.local backend.local', END_MARKER]);
  // Again with the same lines: nothing changes.
  const again = setHostsBlock(e.text, 'kwire', ['127.0.0.1 frontend.local backend.local']);
  assert.equal(again.changed, false);
  assert.equal(again.text, e.text);
});

test('write: an existing block is replaced where it is; what follows it stays', () => {
  const text = `${ETC}# BEGIN kwire (cluster kwire)\n127.0.0.1 old.local\n# END kwire\n10.0.0.1 after.local\n`;
  const e = setHostsBlock(text, 'kwire', ['127.0.0.1 a.local', '127.0.10.150 b.local']);
  assert.equal(e.text, `${ETC}# BEGIN kwire (cluster kwire)\n127.0.0.1 a.local\n127.0.10.150 b.local\n# END kwire\n10.0.0.1 after.local\n`);
  assert.deepEqual(e.before, [beginMarker('kwire'), '127.0.0.1 old.local', END_MARKER]);
});

test('write and remove leave the blocks of other clusters alone', () => {
  const other = '# BEGIN kwire (cluster two)\n127.0.11.100 two.local\n# END kwire\n';
  const withBoth = setHostsBlock(ETC + other, 'kwire', ['127.0.0.1 a.local']).text;
  assert.equal(withBoth, `${ETC}${other}# BEGIN kwire (cluster kwire)\n127.0.0.1 a.local\n# END kwire\n`);
  const removed = setHostsBlock(withBoth, 'kwire', undefined);
  assert.equal(removed.text, ETC + other);
  assert.deepEqual(removed.after, []);
  assert.equal(setHostsBlock(removed.text, 'two', []).text, ETC);
});

test('remove: exactly the block, and a file without one is unchanged', () => {
  const text = `${ETC}# BEGIN kwire (cluster kwire)\n127.0.0.1 a.local\n# END kwire\n`;
  assert.equal(setHostsBlock(text, 'kwire', undefined).text, ETC);
  const none = setHostsBlock(ETC, 'kwire', undefined);
  assert.equal(none.changed, false);
  assert.equal(none.text, ETC);
  // A block in the middle of the file.
  const mid = `a\n# BEGIN kwire (cluster kwire)\nx\n# END kwire\nb\n`;
  assert.equal(setHostsBlock(mid, 'kwire', undefined).text, 'a\nb\n');
});

test('files without a final newline, empty files, CRLF files', () => {
  assert.equal(setHostsBlock('a b', 'kwire', ['127.0.0.1 x']).text, 'a b\n# BEGIN kwire (cluster kwire)\n127.0.0.1 x\n# END kwire\n');
  assert.equal(setHostsBlock('', 'kwire', ['127.0.0.1 x']).text, '# BEGIN kwire (cluster kwire)\n127.0.0.1 x\n# END kwire\n');
  assert.equal(setHostsBlock('# BEGIN kwire (cluster kwire)\n127.0.0.1 x\n# END kwire\n', 'kwire', undefined).text, '');
  assert.equal(setHostsBlock('a\n# BEGIN kwire (cluster kwire)\nx\n# END kwire', 'kwire', undefined).text, 'a');
  const crlf = 'a\r\nb\r\n';
  assert.equal(setHostsBlock(crlf, 'kwire', ['127.0.0.1 x']).text, 'a\r\nb\r\n# BEGIN kwire (cluster kwire)\r\n127.0.0.1 x\r\n# END kwire\r\n');
});

test('a block with no end marker is refused, the file left as it is', () => {
  assert.throws(() => setHostsBlock('a\n# BEGIN kwire (cluster kwire)\n127.0.0.1 x\n', 'kwire', ['127.0.0.1 y']), HostsFileError);
});

test('other lines that name the same hosts are found (to mention, never to edit)', () => {
  const text = `127.0.0.1 frontend.local backend.local\n# 127.0.0.1 app.local\n# BEGIN kwire (cluster kwire)\n127.0.0.1 frontend.local\n# END kwire\n`;
  assert.deepEqual(otherMentions(text, ['frontend.local', 'app.local']), [{ line: 1, text: '127.0.0.1 frontend.local backend.local' }]);
});

test('kwire hosts --remove --file edits only the file given and says what it removed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kwire-hosts-'));
  try {
    const file = join(dir, 'hosts');
    writeFileSync(file, `${ETC}# BEGIN kwire (cluster lab)\n127.0.0.1 frontend.local\n# END kwire\n`);
    let out = '';
    let err = '';
    const io = { stdout: (s: string) => void (out += s), stderr: (s: string) => void (err += s), env: { ...process.env, KWIRE_HOME: join(dir, 'home') } };
    assert.equal(await hostsCommand(['--remove', '--file', file, '--name', 'lab'], io), 0, err);
    assert.equal(readFileSync(file, 'utf8'), ETC);
    assert.equal(out, `kwire hosts: removed the block for cluster "lab" in ${file}:\n- # BEGIN kwire (cluster lab)\n- 127.0.0.1 frontend.local\n- # END kwire\n`);
    out = '';
    assert.equal(await hostsCommand(['--remove', '--file', file, '--name', 'lab'], io), 0);
    assert.equal(out, `kwire hosts: ${file} has no block for cluster "lab"; nothing to remove\n`);
    // Writing needs the cluster: a clear message when it is not running.
    assert.equal(await hostsCommand(['--write', '--file', file, '--name', 'lab'], io), 1);
    assert.match(err, /cluster "lab" is not running/);
    assert.equal(readFileSync(file, 'utf8'), ETC);
    err = '';
    assert.equal(await hostsCommand(['--write', '--remove'], io), 2);
    assert.match(err, /--write and --remove exclude each other/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
