/**
 * @module workloads/images/agnhost/agnhost
 *
 * `/agnhost`, the cobra root command ("app") of the e2e test image: picks the
 * subcommand, parses its flags as pflag does (klog's global flags such as
 * `--v=2` are accepted and ignored), checks the argument count, and runs it.
 *
 * ```
 *   /agnhost connect 10.96.1.2:80 --timeout=1s --protocol=tcp
 *   /agnhost netexec --http-port=8080 --udp-port=8081
 *   /agnhost serve-hostname --port=9376 [--udp --http=false]
 *   /agnhost porter          (SERVE_PORT_9001=foo ...)
 *   /agnhost pause           (the image's CMD)
 * ```
 *
 * Other upstream subcommands exist in the real image; running one says it is
 * not emulated (exit 1) rather than pretending.
 */
import { put } from '../../streams.js';
import { parsePflags, pflagUsages, type FlagDefs, type FlagValue } from '../go/flags.js';
import type { ContainerContext, ImageProgram } from '../types.js';
import { CONNECT_FLAGS, connect } from './connect.js';
import { NETEXEC_FLAGS, netexec } from './netexec.js';
import { PORTER_FLAGS, porter } from './porter.js';
import { SERVE_HOSTNAME_FLAGS, serveHostname } from './serve-hostname.js';
import { dnsServerList, dnsSuffix, etcHosts, pause } from './small-commands.js';

interface Subcommand {
  readonly short: string;
  readonly use: string;
  readonly flags: FlagDefs;
  /** [min, max] positional arguments. */
  readonly args: readonly [number, number];
  readonly run?: (ctx: ContainerContext, args: ReadonlyArray<string>, flags: Readonly<Record<string, FlagValue>>) => Promise<number>;
}

const NONE: FlagDefs = {};

const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  'audit-proxy': { short: 'Listens on port 8080 for incoming audit events', use: 'audit-proxy', flags: NONE, args: [0, 0] },
  connect: {
    short: 'Attempts a TCP, UDP or SCTP connection and returns useful errors',
    use: 'connect [host:port]',
    flags: CONNECT_FLAGS,
    args: [1, 1],
    run: (ctx, args, flags) => connect(ctx, args[0] ?? '', flags),
  },
  'crd-conversion-webhook': { short: 'Starts an HTTP server, useful for testing MutatingAdmissionWebhook and ValidatingAdmissionWebhook', use: 'crd-conversion-webhook', flags: NONE, args: [0, 0] },
  'dns-server-list': { short: 'Prints the host DNS nameservers', use: 'dns-server-list', flags: NONE, args: [0, 0], run: (ctx) => dnsServerList(ctx) },
  'dns-suffix': { short: 'Prints the host DNS suffix list', use: 'dns-suffix', flags: NONE, args: [0, 0], run: (ctx) => dnsSuffix(ctx) },
  'entrypoint-tester': { short: 'Prints the args it receives', use: 'entrypoint-tester', flags: NONE, args: [0, 1 << 30] },
  'etc-hosts': { short: 'Prints the host DNS nameservers', use: 'etc-hosts', flags: NONE, args: [0, 0], run: (ctx) => etcHosts(ctx) },
  'fake-gitserver': { short: 'Fakes a git server', use: 'fake-gitserver', flags: NONE, args: [0, 0] },
  guestbook: { short: 'Creates a HTTP server with various endpoints representing a guestbook app', use: 'guestbook', flags: NONE, args: [0, 0] },
  'inclusterclient': { short: 'Periodically poll the Kubernetes "/healthz" endpoint', use: 'inclusterclient', flags: NONE, args: [0, 0] },
  liveness: { short: 'Starts a server that is alive for 10 seconds', use: 'liveness', flags: NONE, args: [0, 0] },
  'logs-generator': { short: 'Outputs lines of logs to stdout uniformly', use: 'logs-generator', flags: NONE, args: [0, 2] },
  mounttest: { short: 'Creates files with given permissions and outputs FS type, owner, mode, permissions, contents of paths', use: 'mounttest', flags: NONE, args: [0, 0] },
  net: { short: 'Creates webserver or runner for various networking tests', use: 'net', flags: NONE, args: [0, 0] },
  netexec: { short: 'Creates HTTP(S), UDP, and (optionally) SCTP servers with various endpoints', use: 'netexec', flags: NETEXEC_FLAGS, args: [0, 0], run: (ctx, _a, flags) => netexec(ctx, flags) },
  nettest: { short: 'Starts a tiny web server for checking networking connectivity', use: 'nettest', flags: NONE, args: [0, 0] },
  'no-snat-test': { short: 'Creates the /checknosnat and /whoami endpoints', use: 'no-snat-test', flags: NONE, args: [0, 0] },
  'no-snat-test-proxy': { short: 'Creates a proxy for the /checknosnat endpoint', use: 'no-snat-test-proxy', flags: NONE, args: [0, 0] },
  pause: { short: 'Pauses the execution', use: 'pause', flags: NONE, args: [0, 0], run: (ctx) => pause(ctx) },
  porter: { short: 'Serves requested data on ports specified in ENV variables', use: 'porter', flags: PORTER_FLAGS, args: [0, 0], run: (ctx, _a, flags) => porter(ctx, flags) },
  'port-forward-tester': { short: 'Creates a TCP server that sends chars to clients', use: 'port-forward-tester', flags: NONE, args: [0, 0] },
  'resource-consumer-controller': { short: 'Starts a HTTP server that spreads requests around resource consumers', use: 'resource-consumer-controller', flags: NONE, args: [0, 0] },
  'serve-hostname': { short: 'Serves the hostname', use: 'serve-hostname', flags: SERVE_HOSTNAME_FLAGS, args: [0, 0], run: (ctx, _a, flags) => serveHostname(ctx, flags) },
  'test-webserver': { short: 'Creates a simple webserver that serves static content', use: 'test-webserver', flags: NONE, args: [0, 0] },
  'test-service-account-issuer-discovery': { short: 'Tests the ServiceAccount issuer discovery endpoints', use: 'test-service-account-issuer-discovery', flags: NONE, args: [0, 0] },
  webhook: { short: 'Starts a HTTP server, useful for testing MutatingAdmissionWebhook and ValidatingAdmissionWebhook', use: 'webhook', flags: NONE, args: [0, 0] },
};

/** klog's flags, registered on the root as persistent flags. */
const KLOG_FLAGS: ReadonlySet<string> = new Set([
  'add_dir_header', 'alsologtostderr', 'log_backtrace_at', 'log_dir', 'log_file', 'log_file_max_size', 'logtostderr',
  'one_output', 'skip_headers', 'skip_log_headers', 'stderrthreshold', 'v', 'vmodule',
]);

const EMULATED = Object.entries(SUBCOMMANDS).filter(([, c]) => c.run !== undefined).map(([n]) => n);

function rootHelp(): string {
  const names = Object.keys(SUBCOMMANDS).sort();
  const width = Math.max(...names.map((n) => n.length), 10);
  let s = 'Usage:\n  app [command]\n\nAvailable Commands:\n';
  s += `  ${'completion'.padEnd(width)} Generate the autocompletion script for the specified shell\n`;
  for (const n of names) s += `  ${n.padEnd(width)} ${SUBCOMMANDS[n]?.short ?? ''}\n`;
  s += `  ${'help'.padEnd(width)} Help about any command\n`;
  s += '\nFlags:\n  -h, --help      help for app\n  -v, --v Level   number for the log level verbosity\n      --version   version for app\n';
  s += '\nUse "app [command] --help" for more information about a command.\n';
  return s;
}

function commandUsage(name: string, c: Subcommand): string {
  return `Usage:\n  app ${c.use}${Object.keys(c.flags).length > 0 ? ' [flags]' : ''}\n\nFlags:\n${pflagUsages(c.flags, name)}`;
}

/** The agnhost binary of image version `version` ("2.47"). */
export function agnhost(version: string): ImageProgram {
  return async (ctx, argv) => {
    const rest = argv.slice(1);
    const idx = rest.findIndex((a) => !a.startsWith('-'));
    const name = idx >= 0 ? (rest[idx] ?? '') : undefined;
    if (name === undefined || name === 'help') {
      if (rest.includes('--version')) {
        put(ctx.stdout, `app version ${version}\n`);
        return 0;
      }
      put(ctx.stdout, rootHelp());
      return 0;
    }
    const cmd = Object.prototype.hasOwnProperty.call(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
    if (cmd === undefined) {
      put(ctx.stderr, `Error: unknown command ${JSON.stringify(name)} for "app"\nRun 'app --help' for usage.\n`);
      return 1;
    }
    const cmdArgs = [...rest.slice(0, idx), ...rest.slice(idx + 1)];
    const parsed = parsePflags(cmdArgs, cmd.flags, KLOG_FLAGS);
    if (!parsed.ok) {
      if (parsed.help) {
        put(ctx.stdout, `${cmd.short}\n\n${commandUsage(name, cmd)}`);
        return 0;
      }
      put(ctx.stderr, `Error: ${parsed.error}\n${commandUsage(name, cmd)}\n`);
      return 1;
    }
    const [min, max] = cmd.args;
    const n = parsed.args.length;
    if (n < min || n > max) {
      const msg = min === max ? `accepts ${min} arg(s), received ${n}` : `accepts at most ${max} arg(s), received ${n}`;
      put(ctx.stderr, `Error: ${msg}\n${commandUsage(name, cmd)}\n`);
      return 1;
    }
    if (!cmd.run) {
      put(ctx.stderr, `kwire: "agnhost ${name}" is not emulated (emulated: ${EMULATED.join(', ')})\n`);
      return 1;
    }
    return cmd.run(ctx, parsed.args, parsed.values);
  };
}
