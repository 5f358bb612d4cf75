/**
 * @module apiserver/streams/handlers
 * `createStreamHandlers(backend)`: the `StreamHandlers` the API server calls for
 * pods/{exec,attach,portforward} upgrades and pods/{name}/log.
 *
 *   upgrade ─┬─ checks (options, container, node, running)  ── refusal: HTTP error on the socket
 *            ├─ WebSocket v5/v4 channels ─┐
 *            ├─ SPDY/3.1 streams ─────────┴─ StreamSession ─ backend.exec/attach ─ finish(Status)
 *            └─ port-forward: SPDY (raw or inside a WebSocket) ─ stream pairs ─ backend.portForward
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import { errors } from '../../errors.js';
import type { KObject } from '../../store/store.js';
import type { StreamHandlers } from '../server.js';
import type { ExecRequest, StreamBackend } from './backend.js';
import { requireNode, requireRunning, resolveContainer } from './containers.js';
import { refuseUpgrade, writeRawResponse, writeSpdySwitch } from './http-raw.js';
import { serveLogs } from './logs.js';
import {
  NegotiationError,
  SPDY_CHANNEL_PROTOCOLS,
  SPDY_PORTFORWARD_PROTOCOL,
  WS_CHANNEL_PROTOCOLS,
  WS_PORTFORWARD_PROTOCOL,
  chooseWsChannelProtocol,
  headerList,
  isSpdyRequest,
  isWebSocketRequest,
  negotiateSpdy,
  unsupportedWsProtocol,
} from './negotiate.js';
import { parseStreamOptions } from './params.js';
import { portForwardErrorMessage } from './pod-identity.js';
import { servePortForward } from './portforward.js';
import { createSession, type Channels } from './session.js';
import { createSpdyServer, ensureSpdyTransport } from './spdy-facade.js';
import { spdyChannels } from './spdy-channels.js';
import { wsChannels } from './ws-channels.js';

export interface KwireStreamHandlers extends Required<StreamHandlers> {
  /** Destroys every upgraded connection still open (server shutdown, tests). */
  closeAll(): void;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function createStreamHandlers(backend: StreamBackend): KwireStreamHandlers {
  ensureSpdyTransport();
  // The subprotocol is chosen here and echoed through the 'headers' hook rather than
  // ws's handleProtocols: ws rejects "SPDY/3.1+portforward.k8s.io" ('/' is not a token
  // character), so the offer is taken off the request before ws sees it.
  const chosen = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
  wss.on('headers', (headers: string[], req: IncomingMessage) => {
    const p = chosen.get(req);
    if (p) headers.push(`Sec-WebSocket-Protocol: ${p}`);
  });
  const acceptWebSocket = (req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string, cb: (ws: WebSocket) => void) => {
    chosen.set(req, protocol);
    delete req.headers['sec-websocket-protocol'];
    wss.handleUpgrade(req, socket, head, cb);
  };
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    const s = socket as Partial<Socket>;
    s.setNoDelay?.(true);
    s.setTimeout?.(0);
  };

  const runSession = (kind: 'exec' | 'attach', pod: Readonly<KObject>, request: ExecRequest, ch: Channels) => {
    const session = createSession(ch, { kind, tty: request.tty, command: request.command });
    const done =
      kind === 'exec'
        ? backend.exec(pod, request, session)
        : backend.attach(pod, { container: request.container, stdin: request.stdin, stdout: request.stdout, stderr: request.stderr, tty: request.tty }, session).then(() => ({ exitCode: 0 }));
    done.then(
      (r) => session.finish(r),
      (err: unknown) => session.finish({ error: message(err) }),
    );
  };

  const upgradeExec = (kind: 'exec' | 'attach', pod: Readonly<KObject>, query: URLSearchParams, req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const o = parseStreamOptions(kind, query);
    const container = resolveContainer(pod, o.container);
    requireNode(pod);
    const request: ExecRequest = { container, command: o.command, stdin: o.stdin, stdout: o.stdout, stderr: o.stderr, tty: o.tty };
    if (isWebSocketRequest(req)) {
      const offered = new Set(headerList(req, 'sec-websocket-protocol'));
      const protocol = chooseWsChannelProtocol(offered);
      if (!protocol) throw unsupportedWsProtocol(offered, WS_CHANNEL_PROTOCOLS);
      requireRunning(pod, container);
      acceptWebSocket(req, socket, head, protocol, (ws) => {
        runSession(kind, pod, request, wsChannels(ws, { protocol, stdin: o.stdin, stdout: o.stdout, stderr: o.stderr }));
      });
      return;
    }
    if (!isSpdyRequest(req)) throw errors.badRequest('Upgrade request required');
    requireRunning(pod, container);
    const protocol = negotiateSpdy(req, SPDY_CHANNEL_PROTOCOLS);
    writeSpdySwitch(socket, protocol);
    if (head.length > 0) socket.unshift(head);
    const conn = createSpdyServer(socket);
    const legacy = protocol === 'v2.channel.k8s.io' || protocol === 'v3.channel.k8s.io';
    spdyChannels(conn, socket, { stdin: o.stdin, stdout: o.stdout, stderr: o.stderr, tty: o.tty, jsonStatus: !legacy, resize: protocol !== 'v2.channel.k8s.io' }).then(
      (ch) => runSession(kind, pod, request, ch),
      () => socket.destroy(),
    );
  };

  const upgradePortForward = (pod: Readonly<KObject>, req: IncomingMessage, socket: Duplex, head: Buffer) => {
    requireNode(pod);
    const target = {
      open: (port: number, signal: AbortSignal) => backend.portForward(pod, port, signal),
      describeError: (port: number, err: unknown) => portForwardErrorMessage(pod, port, err),
    };
    if (isWebSocketRequest(req)) {
      const offered = new Set(headerList(req, 'sec-websocket-protocol'));
      if (!offered.has(WS_PORTFORWARD_PROTOCOL)) throw unsupportedWsProtocol(offered, [WS_PORTFORWARD_PROTOCOL]);
      acceptWebSocket(req, socket, head, WS_PORTFORWARD_PROTOCOL, (ws) => {
        const closed = new AbortController();
        ws.once('close', () => closed.abort());
        const tunnel = createWebSocketStream(ws);
        tunnel.on('error', () => {});
        servePortForward(createSpdyServer(tunnel), target, closed.signal);
      });
      return;
    }
    if (!isSpdyRequest(req)) throw errors.badRequest('Upgrade request required');
    const protocol = negotiateSpdy(req, [SPDY_PORTFORWARD_PROTOCOL]);
    writeSpdySwitch(socket, protocol);
    if (head.length > 0) socket.unshift(head);
    const closed = new AbortController();
    socket.once('close', () => closed.abort());
    servePortForward(createSpdyServer(socket), target, closed.signal);
  };

  return {
    upgrade(kind, pod, query, req, socket, head) {
      track(socket);
      socket.on('error', () => {});
      try {
        if (kind === 'portforward') upgradePortForward(pod, req, socket, head);
        else upgradeExec(kind, pod, query, req, socket, head);
      } catch (err) {
        if (err instanceof NegotiationError) {
          writeRawResponse(socket, err.httpCode, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Accepted-Stream-Protocol-Versions': [...err.acceptedVersions] }, err.message);
          return;
        }
        refuseUpgrade(socket, err);
      }
    },
    log(pod, query, req, res) {
      return serveLogs(backend, pod, query, req, res);
    },
    closeAll() {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
  };
}
