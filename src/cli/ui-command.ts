/**
 * @module cli/ui-command
 * `kwire ui`: opens the running cluster's web UI in the browser (xdg-open,
 * open, start), or prints its URL (`--print`, or when there is no display).
 * The URL carries the cluster's API token, read from the cluster folder the
 * way the client certificate is; the page itself is served by the cluster on
 * 127.0.0.1 and answers 401 without it. Where it listens comes from the API
 * (`GET /kwire/v1/ui`, authenticated with the admin certificate).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { clusterDir } from '../cluster/config.js';
import { parse, UsageError } from './args.js';
import { clusterTarget, ClientError, getJson, ServerError } from './policy-client.js';
import { processIO, type CliIO } from './policy-commands.js';

export const UI_USAGE = `Usage: kwire ui [--print] [--name CLUSTER]

Opens the web UI of the running cluster: the map of namespaces, Deployments, pods,
Services, the ingress and the node network; live flows; why a connection is allowed or
dropped; who can reach whom; and what a NetworkPolicy would change before you apply it.
The URL holds the cluster's API token: treat it like your kubeconfig.
--print only prints the URL.
`;

function onPath(name: string, env: NodeJS.ProcessEnv): boolean {
  return (env['PATH'] ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, name)));
}

/** The command that opens a URL on this platform, if there is a desktop (and an opener) to open it with. */
export function opener(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, has: (cmd: string) => boolean = (c) => onPath(c, env)): { cmd: string; args: string[] } | undefined {
  if (platform === 'darwin') return { cmd: 'open', args: [] };
  if (platform === 'win32') return { cmd: 'cmd', args: ['/c', 'start', '""'] };
  if ((env['DISPLAY'] || env['WAYLAND_DISPLAY']) && has('xdg-open')) return { cmd: 'xdg-open', args: [] };
  return undefined;
}

export async function uiCommand(argv: string[], io: CliIO = processIO, platform: NodeJS.Platform = process.platform): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout(UI_USAGE);
    return 0;
  }
  try {
    const { values, positionals } = parse(argv, { print: { type: 'boolean' }, name: { type: 'string' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0] ?? ''}"`);
    const name = (typeof values['name'] === 'string' ? values['name'] : undefined) ?? io.env['KWIRE_CLUSTER'] ?? 'kwire';
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 40) throw new UsageError(`invalid cluster name "${name}": use lower case letters, digits and '-'`);
    const target = clusterTarget(name, io.env);
    const info = (await getJson(target, '/kwire/v1/ui', new URLSearchParams())) as { kind?: unknown; url?: unknown };
    if (info.kind !== 'WebUI' || typeof info.url !== 'string') throw new ClientError('the server did not say where the web UI is; is this a kwire cluster of the same version?');
    const tokenFile = join(clusterDir(name, io.env), 'pki', 'token');
    if (!existsSync(tokenFile)) throw new ClientError(`cluster "${name}": missing ${tokenFile}`);
    const url = `${new URL(info.url).origin}/?token=${encodeURIComponent(readFileSync(tokenFile, 'utf8').trim())}`;
    const o = values['print'] === true ? undefined : opener(platform, io.env);
    if (o) {
      try {
        const child = spawn(o.cmd, [...o.args, url], { detached: true, stdio: 'ignore' });
        child.on('error', () => undefined);
        child.unref();
        io.stdout(`kwire: opening the web UI of cluster "${name}" in your browser:\n${url}\n`);
        return 0;
      } catch {
        /* fall through: print it */
      }
    }
    io.stdout(`${url}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`kwire ui: ${e.message}\n\n${UI_USAGE}`);
      return 2;
    }
    if (e instanceof ServerError) {
      io.stderr(`${e.display}\n`);
      return 1;
    }
    if (e instanceof ClientError) {
      io.stderr(`kwire ui: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
