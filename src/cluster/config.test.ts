/**
 * @module cluster/config.test
 * The node subnet of a new cluster: not one this KWIRE_HOME's clusters recorded,
 * nor one where something on this machine listens (/proc/net on Linux).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeNodeSubnet, loopbackSubnetOf, saveConfig, subnetsInProcNet, subnetsInUse, type ClusterConfig } from './config.js';

const cases: ReadonlyArray<readonly [name: string, local: string, order: 'LE' | 'BE', want: number | undefined]> = [
  ['127.0.10.2:30000, little-endian', '020A007F:7530', 'LE', 10],
  ['127.0.10.2:30000, big-endian', '7F000A02:7530', 'BE', 10],
  ['127.0.0.1', '0100007F:0050', 'LE', 0],
  ['127.1.10.2 is not 127.0.X', '020A017F:0050', 'LE', undefined],
  ['10.0.10.11 is not loopback', '0B0A000A:0050', 'LE', undefined],
  ['0.0.0.0', '00000000:0050', 'LE', undefined],
  ['::ffff:127.0.42.3, little-endian', '0000000000000000FFFF0000032A007F:0050', 'LE', 42],
  ['::ffff:127.0.42.3, big-endian', '00000000000000000000FFFF7F002A03:0050', 'BE', 42],
  ['::1', '00000000000000000000000001000000:0050', 'LE', undefined],
  ['garbage', 'zz:0050', 'LE', undefined],
];
for (const [name, local, order, want] of cases) {
  test(`loopbackSubnetOf: ${name}`, () => assert.equal(loopbackSubnetOf(local, order), want));
}

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 020A007F:7530 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0000000000000000 100 0 0 10 0
   1: 030C007F:0050 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000  1000        0 2 1 0000000000000000 20 4 30 10 -1
   2: 020D007F:7531 0100007F:A1B3 06 00000000:00000000 03:00000F9B 00000000     0        0 0 3 0000000000000000
   3: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4 1 0000000000000000 100 0 0 10 0
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 050B007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 5 2 0000000000000000 0
`;

test('/proc/net tables: TCP listeners and bound UDP sockets count; connections and TIME_WAIT do not', () => {
  assert.deepEqual(subnetsInProcNet(TCP, true, 'LE'), [10, 0]);
  assert.deepEqual(subnetsInProcNet(UDP, false, 'LE'), [11]);
  assert.deepEqual(subnetsInProcNet('', true, 'LE'), []);
});

test('subnetsInUse reads every table it can; none (not Linux) means none in use', () => {
  const tables: Record<string, string> = { '/proc/net/tcp': TCP, '/proc/net/udp': UDP };
  assert.deepEqual([...subnetsInUse((f) => tables[f], 'LE')].sort((a, b) => a - b), [0, 10, 11]);
  assert.deepEqual([...subnetsInUse(() => undefined, 'LE')], []);
});

function withHome(fn: (env: NodeJS.ProcessEnv) => void | Promise<void>): () => Promise<void> {
  return async () => {
    const home = mkdtempSync(join(tmpdir(), 'kwire-config-'));
    try {
      await fn({ KWIRE_HOME: home });
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  };
}

const cluster = (name: string, nodeSubnet: number): ClusterConfig => ({ name, nodes: 1, nodeSubnet, apiPort: 0, kubernetesVersion: '1.31', ephemeral: true, clusterDomain: 'cluster.local' });

test(
  'freeNodeSubnet skips the subnets of this home and those in use on the machine',
  withHome((env) => {
    const none = () => new Set<number>();
    assert.equal(freeNodeSubnet(env, none), 10);
    saveConfig(cluster('a', 10), env);
    saveConfig(cluster('b', 12), env);
    assert.equal(freeNodeSubnet(env, none), 11);
    assert.equal(freeNodeSubnet(env, () => new Set([11, 13])), 14);
    assert.equal(freeNodeSubnet(env, () => new Set([0, 200])), 11, 'other subnets change nothing');
  }),
);

test(
  'freeNodeSubnet fails, saying why, when every subnet is taken',
  withHome((env) => {
    const all = new Set(Array.from({ length: 256 }, (_, i) => i));
    assert.throws(() => freeNodeSubnet(env, () => all), /no free node subnet/);
  }),
);

test(
  'a real listener on 127.0.X.2 (another kwire, another user) moves the choice past X',
  withHome(async (env) => {
    if (!existsSync('/proc/net/tcp')) {
      assert.deepEqual([...subnetsInUse()], [], 'no /proc: the records alone decide');
      return;
    }
    const first = freeNodeSubnet(env);
    const tcp = createServer();
    await new Promise<void>((r) => tcp.listen(0, `127.0.${first}.2`, () => r()));
    try {
      assert.ok(subnetsInUse().has(first));
      assert.notEqual(freeNodeSubnet(env), first);
    } finally {
      await new Promise<void>((r) => tcp.close(() => r()));
    }
    const udp = createSocket('udp4');
    await new Promise<void>((r) => udp.bind(0, `127.0.${first}.3`, () => r()));
    try {
      assert.ok(subnetsInUse().has(first), 'a bound UDP socket counts too');
    } finally {
      await new Promise<void>((r) => udp.close(() => r()));
    }
  }),
);
