/**
 * @module workloads/images/agnhost/serve-hostname
 *
 * `agnhost serve-hostname` (serve-hostname/serve_hostname.go): the hostname
 * over HTTP (default), raw TCP (--tcp, write and close) or UDP (--udp), on
 * --port (9376). HTTP together with TCP/UDP is refused ("Can't server TCP/UDP
 * mode and HTTP mode at the same time"), so --udp needs --http=false.
 * On SIGTERM it logs and keeps running 60 s ("Awaiting pod deletion"), as
 * upstream does: the kubelet's SIGKILL after the grace period ends it.
 */
import type { FlagDefs, FlagValue } from '../go/flags.js';
import { createGoServer, sendGoResponse } from '../go/http.js';
import { goLog, goUnhandledSignal, serveOn, untilAborted } from '../program-kit.js';
import type { ContainerContext, Listening } from '../types.js';

export const SERVE_HOSTNAME_FLAGS: FlagDefs = {
  tcp: { kind: 'bool', default: false, usage: 'Serve raw over TCP.' },
  udp: { kind: 'bool', default: false, usage: 'Serve raw over UDP.' },
  http: { kind: 'bool', default: true, usage: 'Serve HTTP.' },
  close: { kind: 'bool', default: false, usage: 'Close connection per each HTTP request.' },
  port: { kind: 'int', default: 9376, usage: 'Port number.' },
};

export async function serveHostname(ctx: ContainerContext, flags: Readonly<Record<string, FlagValue>>): Promise<number> {
  const doTcp = flags['tcp'] === true;
  const doUdp = flags['udp'] === true;
  const doHttp = flags['http'] === true;
  const doClose = flags['close'] === true;
  const port = Number(flags['port']);
  if (doHttp && (doTcp || doUdp)) {
    goLog(ctx, "Can't server TCP/UDP mode and HTTP mode at the same time");
    return 1;
  }
  const hostname = ctx.hostname;
  const sockets: Listening[] = [];
  try {
    if (doTcp) {
      sockets.push(
        ctx.pod.listenTcp({ host: '', port }, (socket) => {
          goLog(ctx, `TCP request from ${socket.remoteAddress ?? ''}:${socket.remotePort ?? ''}`);
          socket.on('error', () => undefined);
          socket.end(hostname);
        }),
      );
    }
    if (doUdp) {
      sockets.push(
        ctx.pod.bindUdp({ host: '', port }, (_msg, rinfo, reply) => {
          goLog(ctx, `UDP request from ${rinfo.address}:${rinfo.port}`);
          reply(Buffer.from(hostname));
        }),
      );
    }
    if (doHttp) {
      const server = createGoServer((req, res) => {
        goLog(ctx, `HTTP request from ${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? ''}`);
        req.resume();
        sendGoResponse(req, res, { status: 200, header: doClose ? [['Connection', 'close']] : [], body: hostname }, ctx.clock.now());
      });
      sockets.push(serveOn(ctx, { host: '', port }, server));
    }
  } catch (e) {
    for (const s of sockets) s.close();
    goLog(ctx, `Error from net.Listen(): ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  goLog(ctx, `Serving on port ${port}.`);
  const reason = await untilAborted(ctx.signal);
  if (reason !== 'SIGTERM') {
    for (const s of sockets) s.close();
    return goUnhandledSignal(ctx, reason);
  }
  goLog(ctx, `Shutting down after receiving signal: terminated.`);
  goLog(ctx, 'Awaiting pod deletion.');
  try {
    await ctx.clock.sleep(60_000, ctx.pod.killed);
  } catch {
    return 137;
  } finally {
    for (const s of sockets) s.close();
  }
  return 0;
}
