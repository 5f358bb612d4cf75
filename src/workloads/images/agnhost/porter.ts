/**
 * @module workloads/images/agnhost/porter
 *
 * `agnhost porter` (porter/porter.go): for each environment variable
 * SERVE_PORT_<n> or SERVE_TCP_PORT_<n>, an HTTP server on port n answering
 * the variable's value to any request (--json-response: {"Method":..,"Body":..});
 * SERVE_UDP_PORT_<n> answers the value to any datagram. TLS and SCTP ports
 * are not emulated and log so. Runs until killed (no signal handling: 143).
 */
import type { FlagDefs, FlagValue } from '../go/flags.js';
import { goJson } from '../go/format.js';
import { createGoServer, sendGoResponse } from '../go/http.js';
import { goLog, goUnhandledSignal, serveOn, untilAborted } from '../program-kit.js';
import type { ContainerContext, Listening } from '../types.js';

export const PORTER_FLAGS: FlagDefs = {
  'json-response': { kind: 'bool', default: false, usage: 'Responds to requests with a json response that includes the default value with the http.Request Method' },
};

const PREFIXES: ReadonlyArray<readonly [string, 'tcp' | 'udp' | 'tls' | 'sctp']> = [
  ['SERVE_PORT_', 'tcp'],
  ['SERVE_TCP_PORT_', 'tcp'],
  ['SERVE_UDP_PORT_', 'udp'],
  ['SERVE_SCTP_PORT_', 'sctp'],
  ['SERVE_TLS_PORT_', 'tls'],
];

export async function porter(ctx: ContainerContext, flags: Readonly<Record<string, FlagValue>>): Promise<number> {
  const json = flags['json-response'] === true;
  const sockets: Listening[] = [];
  for (const [key, value] of Object.entries(ctx.env)) {
    const match = PREFIXES.find(([p]) => key.startsWith(p));
    if (!match) continue;
    const port = key.slice(match[0].length);
    const valid = /^[0-9]+$/.test(port) && Number(port) <= 65535;
    switch (match[1]) {
      case 'tcp': {
        if (!valid) {
          goLog(ctx, `server on port ${JSON.stringify(port)} failed: listen tcp: lookup tcp/${port}: unknown port`);
          break;
        }
        const server = createGoServer((req, res) => {
          req.resume();
          const body = json ? goJson({ Method: req.method ?? 'GET', Body: value }) : value;
          sendGoResponse(req, res, { status: 200, header: json ? [['Content-Type', 'application/json']] : [], body }, ctx.clock.now());
        });
        try {
          sockets.push(serveOn(ctx, { host: '0.0.0.0', port: Number(port) }, server));
        } catch (e) {
          goLog(ctx, `server on port ${JSON.stringify(port)} failed: ${e instanceof Error ? e.message : String(e)}`);
        }
        break;
      }
      case 'udp': {
        if (!valid) {
          goLog(ctx, `UDP: failed to resolve address: address ${port}: invalid port`);
          for (const s of sockets) s.close();
          return 1;
        }
        try {
          sockets.push(ctx.pod.bindUdp({ host: '0.0.0.0', port: Number(port) }, (_m, _r, reply) => reply(Buffer.from(value))));
          goLog(ctx, `Started UDP server on port ${port}`);
        } catch (e) {
          goLog(ctx, `UDP: failed to listen on port ${port}: ${e instanceof Error ? e.message : String(e)}`);
          for (const s of sockets) s.close();
          return 1;
        }
        break;
      }
      case 'tls': {
        const cert = ctx.env['CERT_FILE'] || 'localhost.crt';
        const keyFile = ctx.env['KEY_FILE'] || 'localhost.key';
        goLog(ctx, `tls server on port ${JSON.stringify(port)} with certFile=${JSON.stringify(cert)}, keyFile=${JSON.stringify(keyFile)} failed: kwire does not emulate TLS`);
        break;
      }
      case 'sctp':
        goLog(ctx, `kwire: SCTP is not emulated; ${key} ignored`);
        break;
    }
  }
  const reason = await untilAborted(ctx.signal);
  for (const s of sockets) s.close();
  return goUnhandledSignal(ctx, reason);
}
