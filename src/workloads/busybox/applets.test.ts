/**
 * @module workloads/busybox/applets.test
 * The small applets, table-driven through `sh -c` (output, stderr, status).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LAB, labCluster } from '../testing/fake-context.js';
import type { LabCluster } from '../testing/fake-context.js';
import { BUSYBOX_PROGRAMS, lookupProgram, runProgram, ProgramNotFoundError } from '../programs.js';

async function sh(lab: LabCluster, script: string): Promise<{ code: number; out: string; err: string }> {
  const p = lab.proc();
  const code = await runProgram(p.ctx, ['sh', '-c', script], BUSYBOX_PROGRAMS);
  return { code, out: p.stdout.text(), err: p.stderr.text() };
}

test('applet table', async () => {
  const lab = labCluster();
  lab.net.listen('10.96.90.90', 5432, (s) => s.end());
  lab.net.dropTcp.add('10.96.90.91:*');
  const rows: Array<[string, string, string, number]> = [
    ["printf 'a\\nb\\n' > /tmp/t; cat -n /tmp/t", '     1\ta\n     2\tb\n', '', 0],
    ['cat /etc/hostname /nope', 'test-pod\n', "cat: can't open '/nope': No such file or directory\n", 1],
    ['seq 12 | head -3; seq 12 | head -n 2; seq 5 | tail -2', '1\n2\n3\n1\n2\n4\n5\n', '', 0],
    ['seq 10 | wc -l; printf "one two\\nthree\\n" | wc', '10\n        2         3        14\n', '', 0],
    ['printf "Apple\\nbanana\\ncherry\\n" > /tmp/f; grep -i a /tmp/f; grep -c an /tmp/f; grep -v an /tmp/f; grep -n "^c" /tmp/f', 'Apple\nbanana\n1\nApple\ncherry\n3:cherry\n', '', 0],
    ['grep -q zzz /etc/hosts; echo $?; grep x /nope; echo $?', '1\n2\n', 'grep: /nope: No such file or directory\n', 0],
    ['echo "ab\\(c" | grep "b\\(c\\)"; echo "x+" | grep "x+"; echo xx | grep -E "x+"', 'x+\nxx\n', '', 0],
    ['echo -n a; echo -e "b\\tc"; echo -ne "d\\n"; echo "e\\n"', 'ab\tc\nd\ne\\n\n', '', 0],
    ["printf '%s=%5d|%-4s|%x|%05.1f\\n' port 80 ab 255 3.14159", 'port=   80|ab  |ff|003.1\n', '', 0],
    ['hostname; hostname -i', 'test-pod\n10.244.1.5 \n', '', 0],
    ['printenv HOSTNAME HOME; printenv NOPE; echo $?', 'test-pod\n/root\n1\n', '', 0],
    ['env -i A=1 env', 'A=1\n', '', 0],
    ['id; id -u; id -un; whoami', 'uid=0(root) gid=0(root) groups=0(root),10(wheel)\n0\nroot\nroot\n', '', 0],
    ['uname; uname -s -n', 'Linux\nLinux test-pod\n', '', 0],
    ['date; date +%Y-%m-%dT%H:%M:%S; date -u +%s', 'Mon Oct  6 12:00:00 UTC 2025\n2025-10-06T12:00:00\n1759752000\n', '', 0],
    ['mkdir -p /tmp/d/e && touch /tmp/d/e/x && ls /tmp/d /tmp/d/e; rm /tmp/d; rm -r /tmp/d; ls /tmp/d', '/tmp/d:\ne\n\n/tmp/d/e:\nx\n', "rm: '/tmp/d' is a directory\nls: /tmp/d: No such file or directory\n", 1],
    ['ls /etc', 'group\nhostname\nhosts\npasswd\nresolv.conf\n', '', 0],
    ['ip route', 'default via 10.244.1.1 dev eth0 \n10.244.1.0/24 via 10.244.1.1 dev eth0 src 10.244.1.5 \n10.244.1.1 dev eth0 scope link src 10.244.1.5 \n', '', 0],
    ['ip addr | grep "inet "', '    inet 127.0.0.1/8 scope host lo\n    inet 10.244.1.5/24 brd 10.244.1.255 scope global eth0\n', '', 0],
    ['ifconfig eth0 | head -2', 'eth0      Link encap:Ethernet  HWaddr 0A:58:0A:F4:01:05  \n          inet addr:10.244.1.5  Bcast:10.244.1.255  Mask:255.255.255.0\n', '', 0],
    ['ping -c 1 backend-clusterip', 'PING backend-clusterip (10.96.12.34): 56 data bytes\n', 'ping: kwire does not emulate ICMP, so ping gets no replies in the pod network.\nping: test reachability over TCP instead: nc -zv -w 2 backend-clusterip PORT, or wget -qO- -T 2 http://backend-clusterip:PORT\n', 1],
    ['ping nosuch', '', "ping: bad address 'nosuch'\n", 1],
    ['nc -zv backend-clusterip 80', '', 'backend-clusterip (10.96.12.34:80) open\n', 0],
    ['nc -zv 10.96.12.34 81; echo $?; nc -zvv 10.96.12.34 81', '1\n', 'nc: 10.96.12.34 (10.96.12.34:81): Connection refused\n', 1],
    ['nc -zv -w 2 10.96.90.91 80', '', 'nc: 10.96.90.91 (10.96.90.91:80): Connection timed out\n', 1],
    ['nc -l -p 8080', '', 'nc: listening (nc -l) is not emulated by kwire: pods get listeners from their image (http-echo, nginx, agnhost)\n', 1],
    ['sleep 1.5 && sleep x', '', "sleep: invalid number 'x'\n", 1],
    ['busybox echo via busybox; busybox nosuch', 'via busybox\n', 'nosuch: applet not found\n', 127],
    ['which wget sh nosuch', '/usr/bin/wget\n/bin/sh\n', '', 1],
    ['basename /a/b/index.html .html; dirname /a/b/c', 'index\n/a/b\n', '', 0],
    ['egrep -c "o+" /etc/hostname; fgrep -c "." /etc/resolv.conf', '1\n2\n', '', 0],
  ];
  for (const [script, out, err, code] of rows) {
    assert.deepEqual(await sh(lab, script), { code, out, err }, script);
  }
});

test('nc without -z pipes stdin to the peer and the reply to stdout', async () => {
  const lab = labCluster();
  const r = await sh(lab, 'printf "GET / HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n" | nc backend-clusterip 80 | head -1');
  assert.equal(r.out, 'HTTP/1.1 200 OK\r\n');
  assert.deepEqual(lab.backendRequests, ['GET /']);
});

test('the registry: lookup by name and path, and the not-found error for exec', async () => {
  assert.ok(lookupProgram('/bin/sh'));
  assert.ok(lookupProgram('/usr/bin/wget'));
  assert.ok(lookupProgram('curl'));
  assert.equal(lookupProgram('/opt/wget'), undefined);
  const lab = labCluster();
  const p = lab.proc();
  await assert.rejects(runProgram(p.ctx, ['bash'], BUSYBOX_PROGRAMS), (e: unknown) => e instanceof ProgramNotFoundError && e.message === 'exec: "bash": executable file not found in $PATH');
  assert.equal(LAB.podIp, p.ctx.net.localIp);
});
