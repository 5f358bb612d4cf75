/**
 * @module workloads/images/idle-cost.test
 * An idle emulated pod must stay cheap (goal: < 100 KB each): start many
 * idle pods of each server image on one network, collect garbage, and bound
 * the heap growth per pod. Also checks that idle pods keep no timers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createPodNetwork } from '../../dataplane/index.js';
import { kubeletFiles } from '../pod-files.js';
import { nullWritable } from '../streams.js';
import { workloadsToolHost } from './default-tools.js';
import { ContainerRuntime } from './runtime.js';
import type { RunningContainer } from './types.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function settle(): Promise<void> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
}

const CASES: ReadonlyArray<{ image: string; args: string[] }> = [
  { image: 'hashicorp/http-echo', args: ['-text=hi', '-listen=:8080'] },
  { image: 'nginx:1.21', args: [] },
  { image: 'registry.k8s.io/e2e-test-images/agnhost:2.47', args: ['netexec'] },
  { image: 'traefik/whoami', args: [] },
];

for (const c of CASES) {
  test(`idle ${c.image} pods cost under 100 KB of heap each`, { timeout: 30_000 }, async () => {
    const net = createPodNetwork();
    const rt = new ContainerRuntime({ tools: workloadsToolHost });
    const N = 300;
    const pods: RunningContainer[] = [];
    const start = (i: number): void => {
      const ip = `10.244.${Math.floor(i / 200)}.${(i % 200) + 2}`;
      net.registerAddress(ip, { kind: 'pod', namespace: 'ns', name: `p${i}` });
      const log = nullWritable();
      const r = rt.startContainer({
        image: c.image,
        args: c.args,
        env: {},
        ports: [],
        podIp: ip,
        hostname: `p${i}`,
        podName: `p${i}`,
        namespace: 'ns',
        net,
        files: kubeletFiles({ podIp: ip, hostname: `p${i}`, namespace: 'ns' }),
        stdout: log,
        stderr: log,
      });
      assert.ok(r.ok);
      pods.push(r.container);
    };
    start(N);
    await settle();
    const before = process.memoryUsage().heapUsed;
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    for (let i = 0; i < N; i++) start(i);
    await settle();
    const perPod = (process.memoryUsage().heapUsed - before) / N;
    const timersAfter = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    assert.ok(perPod < 100 * 1024, `${(perPod / 1024).toFixed(1)} KB per idle pod`);
    assert.equal(timersAfter, timersBefore, 'idle pods keep no timers');
    for (const p of pods) await p.stop('SIGKILL');
  });
}
