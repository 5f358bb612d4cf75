/**
 * @module workloads/images/nginx/nginx
 *
 * The `nginx` binary of the image: the command line (-v, -V, -t, -T, -h,
 * -s quit|stop|reload|reopen, -g, -c, -p, -e, -q) and the master running the
 * default server on port 80 (static-server.ts).
 *
 * ```
 *   stderr (error log):
 *     2025/10/06 12:00:00 [notice] 1#1: using the "epoll" event method
 *     2025/10/06 12:00:00 [notice] 1#1: nginx/1.21.6
 *     2025/10/06 12:00:00 [notice] 1#1: built by gcc 10.2.1 20210110 (Debian 10.2.1-6)
 *     ...  start worker processes / start worker process 31 ...
 *   stdout (access log): 10.244.2.3 - - [06/Oct/2025:12:00:01 +0000] "GET / HTTP/1.1" 200 615 "-" "curl/7.74.0" "-"
 *   SIGQUIT (the image's STOPSIGNAL): graceful shutdown, exit 0
 * ```
 *
 * Not emulated: other configurations than the image's default server
 * (edited or mounted nginx.conf / conf.d files are not interpreted), `-s
 * reload` reconfiguring anything.
 */
import http from 'node:http';
import { availableParallelism, release } from 'node:os';
import type { Duplex } from 'node:stream';
import type { ProcessContext } from '../../process.js';
import { put } from '../../streams.js';
import { untilAborted } from '../program-kit.js';
import type { ContainerContext, ImageProgram, Listening } from '../types.js';
import type { NginxBuild } from './versions.js';
import { errorLogTime, HTML_ROOT, StaticServer } from './static-server.js';

const SIGNUM: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

const CONFIGURE_ARGS =
  '--prefix=/etc/nginx --sbin-path=/usr/sbin/nginx --modules-path=/usr/lib/nginx/modules --conf-path=/etc/nginx/nginx.conf ' +
  '--error-log-path=/var/log/nginx/error.log --http-log-path=/var/log/nginx/access.log --pid-path=/var/run/nginx.pid ' +
  '--lock-path=/var/run/nginx.lock --http-client-body-temp-path=/var/cache/nginx/client_temp ' +
  '--http-proxy-temp-path=/var/cache/nginx/proxy_temp --http-fastcgi-temp-path=/var/cache/nginx/fastcgi_temp ' +
  '--http-uwsgi-temp-path=/var/cache/nginx/uwsgi_temp --http-scgi-temp-path=/var/cache/nginx/scgi_temp ' +
  '--user=nginx --group=nginx --with-compat --with-file-aio --with-threads --with-http_addition_module ' +
  '--with-http_auth_request_module --with-http_dav_module --with-http_flv_module --with-http_gunzip_module ' +
  '--with-http_gzip_static_module --with-http_mp4_module --with-http_random_index_module --with-http_realip_module ' +
  '--with-http_secure_link_module --with-http_slice_module --with-http_ssl_module --with-http_stub_status_module ' +
  '--with-http_sub_module --with-http_v2_module --with-mail --with-mail_ssl_module --with-stream ' +
  '--with-stream_realip_module --with-stream_ssl_module --with-stream_ssl_preread_module';

function usage(version: string): string {
  return (
    `nginx version: nginx/${version}\n` +
    'Usage: nginx [-?hvVtTq] [-s signal] [-p prefix]\n' +
    '             [-e filename] [-c filename] [-g directives]\n\n' +
    'Options:\n' +
    '  -?,-h         : this help\n' +
    '  -v            : show version and exit\n' +
    '  -V            : show version and configure options then exit\n' +
    '  -t            : test configuration and exit\n' +
    '  -T            : test configuration, dump it and exit\n' +
    '  -q            : suppress non-error messages during configuration testing\n' +
    '  -s signal     : send signal to a master process: stop, quit, reopen, reload\n' +
    '  -p prefix     : set prefix path (default: /etc/nginx/)\n' +
    '  -e filename   : set error log file (default: /var/log/nginx/error.log)\n' +
    '  -c filename   : set configuration file (default: /etc/nginx/nginx.conf)\n' +
    '  -g directives : set global directives out of configuration file\n\n'
  );
}

interface Options {
  help: boolean;
  version: boolean;
  versionFull: boolean;
  test: boolean;
  dump: boolean;
  quiet: boolean;
  signal?: string;
  conf: string;
}

/** ngx_get_options. */
function parseOptions(argv: ReadonlyArray<string>): { ok: true; o: Options } | { ok: false; error: string } {
  const o: Options = { help: false, version: false, versionFull: false, test: false, dump: false, quiet: false, conf: '/etc/nginx/nginx.conf' };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('-')) return { ok: false, error: `invalid option: "${a}"` };
    for (let j = 1; j < a.length; j++) {
      const c = a[j] ?? '';
      if (c === '?' || c === 'h') o.help = true;
      else if (c === 'v') o.version = true;
      else if (c === 'V') o.versionFull = true;
      else if (c === 't') o.test = true;
      else if (c === 'T') {
        o.test = true;
        o.dump = true;
      } else if (c === 'q') o.quiet = true;
      else if ('pecgs'.includes(c)) {
        let val = a.slice(j + 1);
        if (val === '') {
          if (i + 1 >= argv.length) return { ok: false, error: `option "-${c}" requires ${c === 's' ? 'parameter' : c === 'g' ? 'parameter' : 'file name'}` };
          val = argv[++i] ?? '';
        }
        if (c === 'c') o.conf = val;
        if (c === 's') {
          if (!['stop', 'quit', 'reopen', 'reload'].includes(val)) return { ok: false, error: `invalid option: "-s ${val}"` };
          o.signal = val;
        }
        break;
      } else {
        return { ok: false, error: `invalid option: "${a.slice(j)}"` };
      }
    }
  }
  return { ok: true, o };
}

function notice(ctx: ProcessContext, pid: number, msg: string, level = 'notice'): void {
  put(ctx.stderr, `${errorLogTime(ctx.clock.now())} [${level}] ${pid}#${pid}: ${msg}\n`);
}

/** The nginx program of one build. */
export function nginxProgram(build: NginxBuild, imageFiles: ReadonlyMap<string, Buffer>): ImageProgram {
  const v = build.version;
  return async (ctx: ContainerContext, argv) => {
    const parsed = parseOptions(argv);
    if (!parsed.ok) {
      put(ctx.stderr, `nginx: ${parsed.error}\n`);
      return 1;
    }
    const o = parsed.o;
    if (o.help) {
      put(ctx.stderr, usage(v));
      return 0;
    }
    if (o.version || o.versionFull) {
      put(ctx.stderr, `nginx version: nginx/${v}\n`);
      if (o.versionFull) {
        put(ctx.stderr, `built by gcc ${build.compiler.trimEnd()}\nbuilt with OpenSSL 3.0.x\nTLS SNI support enabled\nconfigure arguments: ${CONFIGURE_ARGS}\n`);
      }
      if (!o.test && o.signal === undefined) return 0;
    }
    if (o.test) {
      if (ctx.files.stat(o.conf) !== 'file') {
        put(ctx.stderr, `nginx: [emerg] open() "${o.conf}" failed (2: No such file or directory)\nnginx: configuration file ${o.conf} test failed\n`);
        return 1;
      }
      if (o.dump) {
        put(ctx.stdout, `# configuration file ${o.conf}:\n${ctx.files.read(o.conf)?.toString('utf8') ?? ''}\n`);
        for (const f of ctx.files.list('/etc/nginx/conf.d') ?? []) {
          if (f.endsWith('.conf')) put(ctx.stdout, `# configuration file /etc/nginx/conf.d/${f}:\n${ctx.files.read(`/etc/nginx/conf.d/${f}`)?.toString('utf8') ?? ''}\n`);
        }
      }
      if (!o.quiet || o.dump) {
        put(ctx.stderr, `nginx: the configuration file ${o.conf} syntax is ok\nnginx: configuration file ${o.conf} test is successful\n`);
      }
      return 0;
    }
    if (o.signal !== undefined) {
      notice(ctx, ctx.pod.pid, 'signal process started');
      if (o.signal === 'quit') ctx.pod.signalMain('SIGQUIT');
      else if (o.signal === 'stop') ctx.pod.signalMain('SIGTERM');
      return 0;
    }
    return runMaster(ctx, build, imageFiles);
  };
}

async function runMaster(ctx: ContainerContext, build: NginxBuild, imageFiles: ReadonlyMap<string, Buffer>): Promise<number> {
  const pid = ctx.pod.pid;
  const workers = Math.max(1, Math.min(availableParallelism(), 64));
  const firstWorker = pid === 1 ? build.firstWorkerPid : pid + 1;
  const workerPids = Array.from({ length: workers }, (_, i) => firstWorker + i);
  const port = 80;
  const server = new StaticServer({
    version: build.version,
    files: ctx.files,
    imageMtime: build.htmlMtime,
    imageFiles,
    now: () => ctx.clock.now(),
    stdout: ctx.stdout,
    stderr: ctx.stderr,
    workerTag: `${firstWorker}#${firstWorker}`,
    port,
  });
  const httpServer = http.createServer((req, res) => server.handle(req, res));
  httpServer.keepAliveTimeout = 65_000;
  httpServer.on('clientError', (_err: Error, socket: Duplex) => {
    if (socket.writable) socket.end(server.badRequest());
    else socket.destroy();
  });
  let listening: Listening | undefined;
  for (let attempt = 0; attempt < 5 && listening === undefined; attempt++) {
    try {
      listening = ctx.pod.listenTcp({ host: '', port }, (socket) => httpServer.emit('connection', socket), { allowHalfOpen: true });
    } catch {
      put(ctx.stderr, `nginx: [emerg] bind() to 0.0.0.0:${port} failed (98: Address already in use)\nnginx: [emerg] bind() to [::]:${port} failed (98: Address already in use)\n`);
      if (attempt < 4) {
        try {
          await ctx.clock.sleep(500, ctx.signal);
        } catch {
          return 1;
        }
      }
    }
  }
  if (listening === undefined) {
    put(ctx.stderr, 'nginx: [emerg] still could not bind()\n');
    return 1;
  }
  notice(ctx, pid, 'using the "epoll" event method');
  notice(ctx, pid, `nginx/${build.version}`);
  notice(ctx, pid, `built by gcc ${build.compiler}`);
  notice(ctx, pid, `OS: Linux ${release()}`);
  notice(ctx, pid, 'getrlimit(RLIMIT_NOFILE): 1048576:1048576');
  notice(ctx, pid, 'start worker processes');
  for (const w of workerPids) notice(ctx, pid, `start worker process ${w}`);

  const reason = await untilAborted(ctx.signal);
  const sig = typeof reason === 'string' ? reason : 'SIGTERM';
  const graceful = sig === 'SIGQUIT';
  notice(ctx, pid, `signal ${SIGNUM[sig] ?? 15} (${sig}) received, ${graceful ? 'shutting down' : 'exiting'}`);
  listening.close();
  httpServer.closeIdleConnections();
  for (const w of workerPids) {
    if (graceful) notice(ctx, w, 'gracefully shutting down');
    notice(ctx, w, 'exiting');
    notice(ctx, w, 'exit');
  }
  for (const w of workerPids) {
    notice(ctx, pid, `signal 17 (SIGCHLD) received from ${w}`);
    notice(ctx, pid, `worker process ${w} exited with code 0`);
  }
  notice(ctx, pid, 'exit');
  return 0;
}

/** The html root, for tests and the image definition. */
export const NGINX_HTML_ROOT = HTML_ROOT;
