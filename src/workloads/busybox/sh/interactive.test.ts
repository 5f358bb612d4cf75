/**
 * @module workloads/busybox/sh/interactive.test
 * `kubectl run ... -it -- sh`: the prompt, echo and "\r\n" output, line
 * editing, history, PS2, Ctrl-C at the prompt and during a command, Ctrl-D,
 * and cooked input for programs run straight on a terminal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../testing/fake-clock.js';
import { FakeNetwork } from '../../testing/fake-net.js';
import { fakeProcess, labCluster } from '../../testing/fake-context.js';
import type { FakeProcess } from '../../testing/fake-context.js';
import { BUSYBOX_PROGRAMS, CURLIMAGES_PROGRAMS, DEBIAN_CURL_PROGRAMS, runProgram } from '../../programs.js';
import { createFileMap } from '../../fs.js';
import { CURLIMAGES_IMAGE_FILES, kubeletFiles } from '../../pod-files.js';

async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 5000 && !pred(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(pred(), `timed out waiting for ${what}`);
}

function terminal(clock = new FakeClock({ autoAdvance: false })): { p: FakeProcess; clock: FakeClock } {
  const net = new FakeNetwork(clock);
  const p = fakeProcess({ net, clock, tty: true, keepStdinOpen: true });
  return { p, clock };
}

/** Types `text` and waits until the output grows past `expect`. */
async function type(p: FakeProcess, text: string, expect: string): Promise<void> {
  p.stdin.write(text);
  await until(() => p.stdout.text().includes(expect), JSON.stringify(expect));
}

test('prompt "/ # ", echo, "\\r\\n" line endings, exit', async () => {
  const { p } = terminal();
  const run = runProgram(p.ctx, ['sh'], BUSYBOX_PROGRAMS);
  await until(() => p.stdout.text() === '/ # ', 'the first prompt');
  await type(p, 'echo hi\r', 'hi\r\n/ # ');
  await type(p, 'foo\r', 'not found\r\n/ # ');
  p.stdin.write('exit 4\r');
  assert.equal(await run, 4);
  assert.equal(p.stdout.text(), '/ # echo hi\r\nhi\r\n/ # foo\r\nsh: foo: not found\r\n/ # exit 4\r\n');
});

test('curlimages/curl: a user at home gets "~ $ "', async () => {
  const clock = new FakeClock({ autoAdvance: false });
  const net = new FakeNetwork(clock);
  const files = createFileMap({ ...CURLIMAGES_IMAGE_FILES, ...kubeletFiles({ podIp: '10.244.2.9', hostname: 'curl', namespace: 'default' }) }, { dirs: ['/home/curl_user'] });
  const p = fakeProcess({ net, clock, tty: true, keepStdinOpen: true, uid: 100, gid: 101, cwd: '/home/curl_user', env: { HOME: '/home/curl_user' }, files });
  const run = runProgram(p.ctx, ['sh'], CURLIMAGES_PROGRAMS);
  await until(() => p.stdout.text() === '~ $ ', 'the prompt');
  await type(p, 'id; cd /tmp\r', '/tmp $ ');
  p.stdin.end();
  assert.equal(await run, 0);
  assert.match(p.stdout.text(), /uid=100\(curl_user\) gid=101\(curl_group\) groups=101\(curl_group\)\r\n/);
});

test('Ctrl-C at the prompt drops the line and sets $? to 130', async () => {
  const { p } = terminal();
  const run = runProgram(p.ctx, ['sh'], BUSYBOX_PROGRAMS);
  await until(() => p.stdout.text() === '/ # ', 'prompt');
  await type(p, 'echo abc\x03', '^C\r\n/ # ');
  await type(p, 'echo $?\r', '130\r\n/ # ');
  p.stdin.end();
  assert.equal(await run, 0);
});

test('Ctrl-C interrupts a running command, the shell prints a newline and goes on', async () => {
  const { p, clock } = terminal();
  const run = runProgram(p.ctx, ['sh'], BUSYBOX_PROGRAMS);
  await until(() => p.stdout.text() === '/ # ', 'prompt');
  await type(p, 'while true; do echo tick; sleep 1; done\r', 'tick\r\n');
  clock.advance(1000);
  await until(() => (p.stdout.text().match(/tick/g) ?? []).length === 2, 'second tick');
  await type(p, '\x03', '^C\r\n/ # ');
  await type(p, 'echo $?\r', '130\r\n');
  assert.equal(clock.pending, 0, 'the interrupted sleep left no timer');
  p.stdin.end();
  assert.equal(await run, 0);
});

test('line editing: backspace, cursor keys, history, PS2 continuation, Ctrl-D', async () => {
  const { p } = terminal();
  const run = runProgram(p.ctx, ['sh'], BUSYBOX_PROGRAMS);
  await until(() => p.stdout.text() === '/ # ', 'prompt');
  await type(p, 'echoo\x7f one\r', 'one\r\n/ # ');
  await type(p, 'echo wo\x1b[Dt\r', 'wto\r\n/ # ');
  // two steps up: "echo wto" is drawn, erased, and replaced by "echo one"
  await type(p, '\x1b[A\x1b[A\r', `/ # echo wto${'\b \b'.repeat(8)}echo one\r\none\r\n/ # `);
  await type(p, 'for i in 1 2\r', '\r\n> ');
  await type(p, 'do echo n$i; done\r', 'n2\r\n/ # ');
  assert.match(p.stdout.text(), /n1\r\nn2\r\n/);
  p.stdin.write('\x04');
  assert.equal(await run, 0);
});

test('programs run straight on a terminal get cooked input and "\\r\\n" output', async () => {
  const { p } = terminal();
  const run = runProgram(p.ctx, ['cat'], BUSYBOX_PROGRAMS);
  await type(p, 'hello\r', 'hello\r\nhello\r\n');
  p.stdin.write('\x04');
  assert.equal(await run, 0);

  const lab = labCluster();
  const w = lab.proc({ tty: true });
  assert.equal(await runProgram(w.ctx, ['wget', 'http://backend-clusterip'], BUSYBOX_PROGRAMS), 0);
  assert.match(w.stdout.text(), /^Connecting to backend-clusterip \(10\.96\.12\.34:80\)\r\nsaving to 'index\.html'\r\n\rindex\.html           100% \|\*+\|    45  0:00:00 ETA\r\n'index\.html' saved\r\n$/);
});

test('Ctrl-C stops a program run straight on a terminal (kubectl run -it -- sleep 100)', async () => {
  const { p } = terminal();
  const run = runProgram(p.ctx, ['sleep', '100'], BUSYBOX_PROGRAMS);
  await new Promise((r) => setImmediate(r));
  p.stdin.write('\x03');
  assert.equal(await run, 130);
  assert.equal(p.stdout.text(), '^C');
});

test('a shell started from the shell shares the terminal; exit returns to the outer one', async () => {
  const { p } = terminal();
  const run = runProgram(p.ctx, ['sh'], BUSYBOX_PROGRAMS);
  await until(() => p.stdout.text() === '/ # ', 'prompt');
  await type(p, 'sh\r', 'sh\r\n/ # ');
  await type(p, 'echo inner\r', 'inner\r\n/ # ');
  await type(p, 'exit 7\r', 'exit 7\r\n/ # ');
  await type(p, 'echo $?\r', '7\r\n/ # ');
  p.stdin.end();
  assert.equal(await run, 0);
  assert.equal(p.stdout.text(), '/ # sh\r\n/ # echo inner\r\ninner\r\n/ # exit 7\r\n/ # echo $?\r\n7\r\n/ # ');
});

test("the nginx image's sh (Debian) prompts with \"# \" and runs curl 7.74", async () => {
  const { p } = terminal();
  const run = runProgram(p.ctx, ['sh'], DEBIAN_CURL_PROGRAMS);
  await until(() => p.stdout.text() === '# ', 'prompt');
  await type(p, 'curl --version | head -1\r', '# ');
  p.stdin.end();
  assert.equal(await run, 0);
  assert.match(p.stdout.text(), /^# curl --version \| head -1\r\ncurl 7\.74\.0 \(/);
});
