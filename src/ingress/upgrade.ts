/**
 * @module ingress/upgrade
 * Upgrade requests (WebSocket) through the ingress, as ingress-nginx passes them:
 * the route table decides as for any request; a proxied one gets a fresh
 * upstream connection (upgraded connections are never pooled), the request head
 * with the forwarded headers plus `Upgrade` and `Connection: upgrade`, and then
 * bytes are piped both ways untouched (the backend's 101, frames, close).
 * Refusals (404, 503, redirects) are written as nginx's raw responses.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import { rawNginxResponse } from './error-pages.js';
import { upstreamRequestHeaders } from './forward-headers.js';
import { failureStatus, precheck, type IngressProxy, type Scheme, HSTS_VALUE } from './proxy.js';
import { asSocketLike, connectWithTimeout, wrapTls } from './upstream.js';

/** Returns the 'upgrade' listener for a server of the given scheme. */
export function upgradeHandler(proxy: IngressProxy, scheme: Scheme): (req: http.IncomingMessage, socket: Socket, head: Buffer) => void {
  return (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const bad = precheck(req);
    const d = bad !== undefined ? ({ kind: 'bad-request', status: bad } as const) : proxy.decideFor(req, scheme);
    const extra: Array<readonly [string, string]> = d.kind !== 'bad-request' && d.hsts ? [['Strict-Transport-Security', HSTS_VALUE]] : [];
    switch (d.kind) {
      case 'bad-request':
        socket.end(rawNginxResponse(d.status));
        return;
      case 'redirect':
        socket.end(rawNginxResponse(d.code, { extraHeaders: [...extra, ['Location', d.location]] }));
        return;
      case 'default-backend':
        socket.end(rawNginxResponse(404, { extraHeaders: extra }));
        return;
      case 'service-missing':
        socket.end(rawNginxResponse(503, { extraHeaders: extra }));
        return;
      case 'proxy':
        break;
      default: {
        const never: never = d;
        throw new Error(`unhandled decision ${JSON.stringify(never)}`);
      }
    }
    const headers = upstreamRequestHeaders(req.rawHeaders, {
      remoteAddress: socket.remoteAddress ?? '',
      scheme,
      serverPort: socket.localPort ?? (scheme === 'https' ? 443 : 80),
      ...(d.xForwardedPrefix !== undefined ? { xForwardedPrefix: d.xForwardedPrefix } : {}),
      upgrade: true,
    });
    let head_ = `${req.method ?? 'GET'} ${d.upstreamPath} HTTP/1.1\r\n`;
    for (let i = 0; i < headers.length; i += 2) head_ += `${headers[i]}: ${headers[i + 1]}\r\n`;
    head_ += '\r\n';
    socket.pause();
    connectWithTimeout(proxy.connect, proxy.pick(d.service), d.connectTimeoutMs).then(
      (raw) => {
        const up = d.upstreamProtocol === 'HTTPS' ? wrapTls(asSocketLike(raw)) : raw;
        if (socket.destroyed) {
          up.destroy();
          return;
        }
        proxy.track(socket);
        proxy.track(up);
        up.on('error', () => socket.destroy());
        socket.on('close', () => up.destroy());
        up.on('close', () => socket.destroy());
        up.write(head_);
        if (head.length > 0) up.write(head);
        up.pipe(socket);
        socket.pipe(up);
        socket.resume();
      },
      (err: unknown) => {
        if (!socket.destroyed) socket.end(rawNginxResponse(failureStatus(err), { extraHeaders: extra }));
      },
    );
  };
}
