/**
 * @module workloads/busybox/sh/sh.test
 * The shell end to end: `sh -c` tables (output, errors, exit status),
 * applets in pipelines, loops interrupted by signals, scripts from files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labCluster } from '../../testing/fake-context.js';
import type { LabCluster } from '../../testing/fake-context.js';
import { runProgram, BUSYBOX_PROGRAMS } from '../../programs.js';

async function sh(lab: LabCluster, script: string, extra: string[] = []): Promise<{ code: number; out: string; err: string }> {
  const p = lab.proc();
  const code = await runProgram(p.ctx, ['sh', '-c', script, ...extra], BUSYBOX_PROGRAMS);
  return { code, out: p.stdout.text(), err: p.stderr.text() };
}

test('sh -c table: output, stderr and exit status', async () => {
  const lab = labCluster();
  const rows: Array<[string, string, string, number]> = [
    ['echo hello', 'hello\n', '', 0],
    ["echo 'a  b' \"c  d\" e\\ \\ f", 'a  b c  d e  f\n', '', 0],
    ['X=1; echo $X ${X} "${Y:-def}" ${#X} ${Y-unset}', '1 1 def 1 unset\n', '', 0],
    ['false; echo $?; true; echo $?', '1\n0\n', '', 0],
    ['echo "$(echo hi)-`echo yo`"', 'hi-yo\n', '', 0],
    ['i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i', '3\n', '', 0],
    ['for x in 1 2 3; do echo $x; done', '1\n2\n3\n', '', 0],
    ['if [ a = b ]; then echo yes; elif [ 1 -eq 1 ]; then echo elif; else echo no; fi', 'elif\n', '', 0],
    ['true && echo and; false || echo or; false && echo never', 'and\nor\n', '', 1],
    ["printf 'a\\nb\\nc\\n' | grep b | wc -l", '1\n', '', 0],
    ['echo hi > /tmp/f; echo there >> /tmp/f; cat /tmp/f', 'hi\nthere\n', '', 0],
    ['cat /nope 2>/dev/null; echo $?', '1\n', '', 0],
    ['cat /nope 2>&1 | head -1', "cat: can't open '/nope': No such file or directory\n", '', 0],
    ['echo err >&2', '', 'err\n', 0],
    ['foo', '', 'sh: foo: not found\n', 127],
    ['/usr/bin/foo', '', 'sh: /usr/bin/foo: not found\n', 127],
    ['/usr/bin/printf x', 'x', '', 0],
    ['case backend-clusterip in back*) echo match;; *) echo no;; esac', 'match\n', '', 0],
    ['f() { echo "in f: $1 $#"; return 3; }; f a b; echo $?', 'in f: a 2\n3\n', '', 0],
    ['exit 3', '', '', 3],
    ['exit', '', '', 0],
    ['false; exit', '', '', 1],
    ['X="a b"; for i in $X; do echo "[$i]"; done; for i in "$X"; do echo "[$i]"; done', '[a]\n[b]\n[a b]\n', '', 0],
    ['set -- "x y" z; for a in "$@"; do echo "<$a>"; done; echo $#', '<x y>\n<z>\n2\n', '', 0],
    ['X=world; cat <<EOF\nhello $X\nEOF', 'hello world\n', '', 0],
    ["cat <<'EOF'\nhello $X\nEOF", 'hello $X\n', '', 0],
    ['touch /tmp/a.txt /tmp/b.txt; echo /tmp/*.txt; echo "/tmp/*.txt"; echo /tmp/*.none', '/tmp/a.txt /tmp/b.txt\n/tmp/*.txt\n/tmp/*.none\n', '', 0],
    ['echo ${X:=set}; echo $X; unset X; echo ${X:+alt}.', 'set\nset\n.\n', '', 0],
    ['F=index.html; echo ${F%.html} ${F#*.} ${F/index/main}', 'index html main.html\n', '', 0],
    ['echo $((7 / 2)) $((7 % 3)) $((2 ** 3)) $((-7 / 2)); echo $((1 << 4)) $((i++)) $((i+=5)) $i', '3 1 8 -3\n16 0 6 6\n', '', 0],
    ['echo $(( 3 > 2 ? 10 : 20 )) $((x = 5, x * 2))', '10 10\n', '', 0],
    ['echo $((1 +)); echo no', '', 'sh: arithmetic syntax error\n', 2],
    ['echo $((1 / 0))', '', 'sh: divide by zero\n', 2],
    ['cd /tmp && pwd; cd /nope; echo $?', '/tmp\n2\n', "sh: cd: line 1: can't cd to /nope: No such file or directory\n", 0],
    ['set -e; false; echo not reached', '', '', 1],
    ['set -e; false || echo handled; if false; then :; fi; echo reached', 'handled\nreached\n', '', 0],
    ['echo "unterminated', '', 'sh: syntax error: unterminated quoted string\n', 2],
    ['for i in 1 2; do echo $i', '', 'sh: syntax error: unexpected end of file (expecting "done")\n', 2],
    ['echo ${UNSET:?must be set}; echo no', '', 'sh: UNSET: must be set\n', 2],
    ['[ 1 -eq 1 ] && [ -d /tmp ] && [ ! -f /tmp ] && [ -n x ] && [ -z "" ] && echo ok', 'ok\n', '', 0],
    ['[ 1 -eq', '', 'sh: [: missing ]\n', 2],
    ['test abc -gt 1', '', 'sh: abc: bad number\n', 2],
    ['export A=1; sh -c \'echo $A$B\'; B=2 sh -c \'echo $B\'', '1\n2\n', '', 0],
    ['echo one; (exit 4); echo $?', 'one\n4\n', '', 0],
    ['x=out; (x=in; echo $x); echo $x', 'in\nout\n', '', 0],
    ['echo a | read v; echo "[$v]"', '[]\n', '', 0],
    ['read a b <<EOF\nfirst second third\nEOF\necho "$a|$b"', 'first|second third\n', '', 0],
    ['for i in 1 2 3 4; do [ $i = 2 ] && continue; [ $i = 4 ] && break; echo $i; done', '1\n3\n', '', 0],
    ['seq 3 | while read n; do echo "n=$n"; done', 'n=1\nn=2\nn=3\n', '', 0],
    ['eval "echo \\$HOME"; type cd wget nosuch', '/root\ncd is a shell builtin\nwget is /bin/wget\nnosuch: not found\n', '', 1],
    ['trap "echo bye" EXIT; echo hi', 'hi\nbye\n', '', 0],
    ['echo $0 $1', 'myname arg\n', '', 0],
  ];
  for (const [script, out, err, code] of rows) {
    const extra = script === 'echo $0 $1' ? ['myname', 'arg'] : [];
    const r = await sh(lab, script, extra);
    assert.deepEqual(r, { code, out, err }, script);
  }
});

test('the lab lines through the shell: wget and nslookup in pipelines', async () => {
  const lab = labCluster();
  const r = await sh(lab, 'wget -qO- http://backend-clusterip | grep -c "Hello from Backend"');
  assert.deepEqual(r, { code: 0, out: '1\n', err: '' });
  const n = await sh(lab, 'nslookup backend-clusterip | grep -A1 "^Name:" | head -2');
  assert.equal(n.out, 'Name:\tbackend-clusterip.networking-lab.svc.cluster.local\nAddress: 10.96.12.34\n');
  const rc = await sh(lab, 'cat /etc/resolv.conf; hostname; env | grep ^HOSTNAME');
  assert.equal(
    rc.out,
    'search networking-lab.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\ntest-pod\nHOSTNAME=test-pod\n',
  );
});

test('a reader exiting early stops an endless writer (SIGPIPE)', async () => {
  const lab = labCluster();
  const r = await sh(lab, 'while true; do echo y; done | head -2; echo done');
  assert.deepEqual(r, { code: 0, out: 'y\ny\ndone\n', err: '' });
});

test('while true; do ...; sleep 1; done runs until the pod is deleted (SIGTERM -> 143)', async () => {
  const lab = labCluster();
  const p = lab.proc();
  const run = runProgram(p.ctx, ['sh', '-c', 'while true; do wget -qO- http://backend-clusterip; sleep 1; done'], BUSYBOX_PROGRAMS);
  for (let i = 0; i < 2000 && (p.stdout.text().match(/Hello/g) ?? []).length < 3; i++) await new Promise((r) => setImmediate(r));
  p.kill('SIGTERM');
  assert.equal(await run, 143);
  const hits = (p.stdout.text().match(/Hello from Backend Pod/g) ?? []).length;
  assert.ok(hits >= 3, `got ${hits}`);
  assert.ok(lab.backendRequests.length >= 3);
});

test('sh FILE runs a script from the container; a missing one is reported', async () => {
  const lab = labCluster();
  const p = lab.proc();
  p.ctx.files.write('/tmp/probe.sh', 'for n in 1 2; do\n  echo "probe $n $1"\ndone\nnosuch\n');
  assert.equal(await runProgram(p.ctx, ['sh', '/tmp/probe.sh', 'x'], BUSYBOX_PROGRAMS), 127);
  assert.equal(p.stdout.text(), 'probe 1 x\nprobe 2 x\n');
  assert.equal(p.stderr.text(), '/tmp/probe.sh: nosuch: not found\n');
  const q = lab.proc();
  assert.equal(await runProgram(q.ctx, ['sh', '/nope.sh'], BUSYBOX_PROGRAMS), 2);
  assert.equal(q.stderr.text(), "sh: can't open '/nope.sh': No such file or directory\n");
});

test('sh without a terminal reads commands from stdin, silently', async () => {
  const lab = labCluster();
  const p = lab.proc({ input: 'echo one\nfor i in a b\ndo echo $i\ndone\nexit 5\necho never\n' });
  assert.equal(await runProgram(p.ctx, ['sh'], BUSYBOX_PROGRAMS), 5);
  assert.equal(p.stdout.text(), 'one\na\nb\n');
  assert.equal(p.stderr.text(), '');
});
