/**
 * @module workloads/images/nginx/entrypoint-script
 *
 * The image's ENTRYPOINT, /docker-entrypoint.sh: when the command is `nginx`
 * or `nginx-debug` it runs the scripts of /docker-entrypoint.d/ (logging on
 * stdout, unless NGINX_ENTRYPOINT_QUIET_LOGS is set), among them
 * 10-listen-on-ipv6-by-default.sh which adds `listen [::]:80;` to the
 * packaged default.conf; then it `exec`s its arguments.
 *
 * ```
 *   /docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration
 *   /docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/
 *   /docker-entrypoint.sh: Launching /docker-entrypoint.d/10-listen-on-ipv6-by-default.sh
 *   10-listen-on-ipv6-by-default.sh: info: Getting the checksum of /etc/nginx/conf.d/default.conf
 *   10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in /etc/nginx/conf.d/default.conf
 *   /docker-entrypoint.sh: Sourcing /docker-entrypoint.d/15-local-resolvers.envsh      (1.25+)
 *   /docker-entrypoint.sh: Launching /docker-entrypoint.d/20-envsubst-on-templates.sh
 *   /docker-entrypoint.sh: Launching /docker-entrypoint.d/30-tune-worker-processes.sh
 *   /docker-entrypoint.sh: Configuration complete; ready for start up
 * ```
 */
import { put } from '../../streams.js';
import type { ContainerContext, ImageProgram } from '../types.js';

const SELF = '/docker-entrypoint.sh';
const DEFAULT_CONF_PATH = '/etc/nginx/conf.d/default.conf';

/** The /docker-entrypoint.d/ scripts of a build, in `sort -V` order. */
export function entrypointScripts(localResolvers: boolean): string[] {
  return [
    '10-listen-on-ipv6-by-default.sh',
    ...(localResolvers ? ['15-local-resolvers.envsh'] : []),
    '20-envsubst-on-templates.sh',
    '30-tune-worker-processes.sh',
  ];
}

/** `listen [::]:80;` added after `listen 80;`, as the script's sed does. */
export function withIpv6Listen(conf: string): string {
  return conf.replace(/^(\s*)listen\s+80;/m, '$1listen       80;\n$1listen  [::]:80;');
}

function listenOnIpv6(ctx: ContainerContext, packaged: Buffer, log: (s: string) => void): void {
  const me = '10-listen-on-ipv6-by-default.sh';
  const current = ctx.files.read(DEFAULT_CONF_PATH);
  if (current === undefined) {
    log(`${me}: info: ${DEFAULT_CONF_PATH} is not a file or does not exist`);
    return;
  }
  log(`${me}: info: Getting the checksum of ${DEFAULT_CONF_PATH}`);
  if (!current.equals(packaged)) {
    log(`${me}: info: ${DEFAULT_CONF_PATH} differs from the packaged version`);
    return;
  }
  try {
    ctx.files.write(DEFAULT_CONF_PATH, withIpv6Listen(current.toString('utf8')));
  } catch {
    log(`${me}: info: can not modify ${DEFAULT_CONF_PATH} (read-only file system?)`);
    return;
  }
  log(`${me}: info: Enabled listen on IPv6 in ${DEFAULT_CONF_PATH}`);
}

/** /docker-entrypoint.sh of a build whose packaged default.conf is `packagedDefaultConf` (its scripts are the files of /docker-entrypoint.d/). */
export function dockerEntrypoint(packagedDefaultConf: Buffer): ImageProgram {
  return async (ctx: ContainerContext, argv) => {
    const args = argv.slice(1);
    const quiet = (ctx.env['NGINX_ENTRYPOINT_QUIET_LOGS'] ?? '') !== '';
    const log = (s: string): void => {
      if (!quiet) put(ctx.stdout, `${s}\n`);
    };
    if (args[0] === 'nginx' || args[0] === 'nginx-debug') {
      const present = [...(ctx.files.list('/docker-entrypoint.d') ?? [])].sort();
      if (present.length > 0) {
        log(`${SELF}: /docker-entrypoint.d/ is not empty, will attempt to perform configuration`);
        log(`${SELF}: Looking for shell scripts in /docker-entrypoint.d/`);
        for (const name of present) {
          const path = `/docker-entrypoint.d/${name}`;
          if (name.endsWith('.envsh')) log(`${SELF}: Sourcing ${path}`);
          else if (name.endsWith('.sh')) {
            log(`${SELF}: Launching ${path}`);
            if (name === '10-listen-on-ipv6-by-default.sh') listenOnIpv6(ctx, packagedDefaultConf, log);
          } else log(`${SELF}: Ignoring ${path}`);
        }
        log(`${SELF}: Configuration complete; ready for start up`);
      } else {
        log(`${SELF}: No files found in /docker-entrypoint.d/, skipping configuration`);
      }
    }
    if (args.length === 0) return 0;
    const code = await ctx.pod.execve(ctx, args);
    if (code === undefined) {
      put(ctx.stderr, `${SELF}: 47: exec: ${args[0] ?? ''}: not found\n`);
      return 127;
    }
    return code;
  };
}
