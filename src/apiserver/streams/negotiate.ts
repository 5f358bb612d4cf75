/**
 * @module apiserver/streams/negotiate
 * Which transport an upgrade request asks for, and the protocol-version handshake
 * (apimachinery httpstream.Handshake for SPDY; the Sec-WebSocket-Protocol choice for
 * WebSockets).
 *
 *   exec/attach  WS:   v5.channel.k8s.io (kubectl 1.30+), v4.channel.k8s.io, channel.k8s.io
 *                SPDY: X-Stream-Protocol-Version v5/v4/v3/v2.channel.k8s.io
 *   portforward  WS:   SPDY/3.1+portforward.k8s.io (kubectl 1.31+: SPDY inside WebSocket)
 *                SPDY: X-Stream-Protocol-Version portforward.k8s.io
 */
import type { IncomingMessage } from 'node:http';
import { errors } from '../../errors.js';

export const WS_CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io'] as const;
export type WsChannelProtocol = (typeof WS_CHANNEL_PROTOCOLS)[number];
export const WS_PORTFORWARD_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/**
 * SPDY exec/attach versions kwire speaks, in the order it prefers them. v4 comes first
 * (JSON Status with exit code; what kubectl 1.27-1.28 use; 1.29+ offer v5 first, which
 * over SPDY is v4 anyway). Versions before v4 report only failure text, no exit code.
 */
export const SPDY_CHANNEL_PROTOCOLS = ['v4.channel.k8s.io', 'v5.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io'] as const;
export const SPDY_PORTFORWARD_PROTOCOL = 'portforward.k8s.io';

function header(req: IncomingMessage, name: string): string {
  const v = req.headers[name];
  return (Array.isArray(v) ? v.join(',') : (v ?? '')).toLowerCase();
}

/** wsstream.IsWebSocketRequest. */
export function isWebSocketRequest(req: IncomingMessage): boolean {
  return header(req, 'upgrade') === 'websocket' && /(^|,)\s*upgrade\s*(,|$)/.test(header(req, 'connection'));
}

export function isSpdyRequest(req: IncomingMessage): boolean {
  return header(req, 'upgrade') === 'spdy/3.1' && /(^|,)\s*upgrade\s*(,|$)/.test(header(req, 'connection'));
}

/** All values of a possibly repeated, comma-separated header (Node joins repeats with ", "). */
export function headerList(req: IncomingMessage, name: string): string[] {
  const v = req.headers[name.toLowerCase()];
  const raw = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return raw
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export class NegotiationError extends Error {
  constructor(
    message: string,
    readonly acceptedVersions: ReadonlyArray<string>,
    readonly httpCode: number,
  ) {
    super(message);
    this.name = 'NegotiationError';
  }
}

/**
 * httpstream.Handshake: the client's X-Stream-Protocol-Version list against ours.
 * kwire prefers its own order (see SPDY_CHANNEL_PROTOCOLS) over the client's.
 */
export function negotiateSpdy(req: IncomingMessage, server: ReadonlyArray<string>): string {
  const client = headerList(req, 'x-stream-protocol-version');
  if (client.length === 0) throw new NegotiationError('unable to upgrade: X-Stream-Protocol-Version is required', server, 400);
  const chosen = server.find((p) => client.includes(p));
  if (!chosen) {
    throw new NegotiationError(`unable to upgrade: unable to negotiate protocol: client supports [${client.join(' ')}], server accepts [${server.join(' ')}]`, server, 403);
  }
  return chosen;
}

/** The WebSocket subprotocol for exec/attach (none offered: the legacy "channel.k8s.io"). */
export function chooseWsChannelProtocol(offered: ReadonlySet<string>): WsChannelProtocol | undefined {
  if (offered.size === 0) return 'channel.k8s.io';
  return WS_CHANNEL_PROTOCOLS.find((p) => offered.has(p));
}

export function unsupportedWsProtocol(offered: Iterable<string>, supported: ReadonlyArray<string>): Error {
  return errors.badRequest(`requested protocol(s) are not supported: [${[...offered].join(' ')}]; supports [${supported.join(' ')}]`);
}
