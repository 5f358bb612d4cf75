/**
 * @module workloads/images/agnhost/small-commands
 *
 * The small agnhost subcommands: `pause` (pause/pause.go: prints "Paused";
 * SIGINT exits 1, SIGTERM exits 2) and the DNS helpers `dns-suffix`,
 * `dns-server-list` and `etc-hosts` (dns/dns.go: the search list and
 * nameservers of /etc/resolv.conf joined by ",", and /etc/hosts).
 */
import { parseResolvConf } from '../../resolver/resolv-conf.js';
import { put } from '../../streams.js';
import { goUnhandledSignal, untilAborted } from '../program-kit.js';
import type { ContainerContext } from '../types.js';

export async function pause(ctx: ContainerContext): Promise<number> {
  put(ctx.stdout, 'Paused\n');
  const reason = await untilAborted(ctx.signal);
  if (reason === 'SIGINT') return 1;
  if (reason === 'SIGTERM') return 2;
  return goUnhandledSignal(ctx, reason);
}

function resolvConf(ctx: ContainerContext): ReturnType<typeof parseResolvConf> {
  return parseResolvConf(ctx.files.read('/etc/resolv.conf')?.toString('utf8'), 'glibc');
}

export async function dnsSuffix(ctx: ContainerContext): Promise<number> {
  put(ctx.stdout, `${resolvConf(ctx).search.join(',')}\n`);
  return 0;
}

export async function dnsServerList(ctx: ContainerContext): Promise<number> {
  put(ctx.stdout, `${resolvConf(ctx).nameservers.join(',')}\n`);
  return 0;
}

export async function etcHosts(ctx: ContainerContext): Promise<number> {
  put(ctx.stdout, `${ctx.files.read('/etc/hosts')?.toString('utf8') ?? ''}\n`);
  return 0;
}
