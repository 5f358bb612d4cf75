/**
 * @module workloads/images/whoami/echo
 *
 * whoami's `/echo`: gorilla/websocket's `Upgrader.Upgrade` (CheckOrigin always
 * true, no subprotocols, no compression) followed by the echo loop
 *
 * ```go
 *   for { mt, p, err := conn.ReadMessage(); if err != nil { return }
 *         printBinary(p)                       // stdout "Received b:104,105,\n"
 *         conn.WriteMessage(mt, p) }           // one unmasked frame, same type
 * ```
 *
 * Handshake checks in gorilla's order, each failing with `http.Error(w,
 * StatusText)` plus `Sec-Websocket-Version: 13` and the reason logged:
 * Connection has "upgrade" -> Upgrade has "websocket" -> GET (else 405) ->
 * Sec-Websocket-Version has 13 -> Sec-Websocket-Key is base64 of 16 bytes.
 * Then `101 Switching Protocols` with Sec-WebSocket-Accept.
 *
 * Frames (RFC 6455) as gorilla reads them: client frames must be masked; RSV
 * bits, unknown opcodes, fragmented or oversized (>125) control frames and bad
 * continuation order are protocol errors (close 1002 with gorilla's text, then
 * the loop ends); fragmented messages are reassembled; ping is answered with
 * pong; a close frame is answered with a close frame carrying its code (none
 * when it had none). Messages are limited to 64 MiB here (close 1009); gorilla
 * has no default limit.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { put } from '../../streams.js';
import { goError, sendGoResponse } from '../go/http.js';
import { goLog } from '../program-kit.js';
import type { ContainerContext } from '../types.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_MESSAGE = 64 * 1024 * 1024;
const BAD_HANDSHAKE = 'websocket: the client is not using the websocket protocol: ';

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key. */
export function websocketAccept(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** gorilla's tokenListContainsValue: a comma-separated header list holds `value` (case-insensitive). */
function tokenListContains(req: http.IncomingMessage, name: string, value: string): boolean {
  const raw = req.headers[name.toLowerCase()];
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return values.some((v) => v.split(',').some((t) => t.trim().toLowerCase() === value));
}

function validChallengeKey(key: string | undefined): boolean {
  if (key === undefined || key === '' || !/^[A-Za-z0-9+/]*={0,2}$/.test(key) || key.length % 4 !== 0) return false;
  return Buffer.from(key, 'base64').length === 16;
}

/** Why gorilla would refuse to upgrade `req` (status and the error it logs), or undefined. */
export function handshakeError(req: http.IncomingMessage): { status: number; reason: string } | undefined {
  if (!tokenListContains(req, 'Connection', 'upgrade')) return { status: 400, reason: `${BAD_HANDSHAKE}'upgrade' token not found in 'Connection' header` };
  if (!tokenListContains(req, 'Upgrade', 'websocket')) return { status: 400, reason: `${BAD_HANDSHAKE}'websocket' token not found in 'Upgrade' header` };
  if (req.method !== 'GET') return { status: 405, reason: `${BAD_HANDSHAKE}request method is not GET` };
  if (!tokenListContains(req, 'Sec-Websocket-Version', '13')) return { status: 400, reason: "websocket: unsupported version: 13 not found in 'Sec-Websocket-Version' header" };
  const key = req.headers['sec-websocket-key'];
  if (!validChallengeKey(typeof key === 'string' ? key : undefined)) {
    return { status: 400, reason: "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be Base64 encoded value of 16-byte in length" };
  }
  return undefined;
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 400: 'Bad Request', 405: 'Method Not Allowed' };

/** gorilla's returnError: `Sec-Websocket-Version: 13` and `http.Error(w, StatusText(status), status)`. */
export function sendHandshakeError(req: http.IncomingMessage, res: http.ServerResponse, err: { status: number; reason: string }, ctx: ContainerContext): void {
  const e = goError(STATUS_TEXT[err.status] ?? 'Bad Request', err.status);
  sendGoResponse(req, res, { ...e, header: [...(e.header ?? []), ['Sec-Websocket-Version', '13']] }, ctx.clock.now());
  goLog(ctx, err.reason);
}

/**
 * Serves a plain HTTP response on a socket node:http handed over as an upgrade:
 * `respond` gets a ServerResponse bound to it; the connection is closed after.
 */
export function respondOnUpgradeSocket(req: http.IncomingMessage, socket: Duplex, respond: (res: http.ServerResponse) => void): void {
  const res = new http.ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.on('finish', () => {
    res.detachSocket(socket as Socket);
    socket.end();
  });
  respond(res);
}

function frame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  let head: Buffer;
  if (n < 126) head = Buffer.from([0x80 | opcode, n]);
  else if (n < 65536) {
    head = Buffer.alloc(4);
    head[0] = 0x80 | opcode;
    head[1] = 126;
    head.writeUInt16BE(n, 2);
  } else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  return Buffer.concat([head, payload]);
}

function closePayload(code: number, text = ''): Buffer {
  const b = Buffer.alloc(2 + Buffer.byteLength(text));
  b.writeUInt16BE(code, 0);
  b.write(text, 2);
  return b;
}

/** `/echo` on an upgrade request: the handshake (or gorilla's refusal), then the echo loop. */
export function serveEcho(ctx: ContainerContext, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  const bad = handshakeError(req);
  if (bad !== undefined) {
    respondOnUpgradeSocket(req, socket, (res) => sendHandshakeError(req, res, bad, ctx));
    return;
  }
  const key = String(req.headers['sec-websocket-key']);
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${websocketAccept(key)}\r\n\r\n`);

  let buf: Buffer = Buffer.alloc(0);
  let message: Buffer[] | undefined;
  let messageType = 0;
  let messageSize = 0;
  let done = false;
  const finish = (closeFrame?: Buffer): void => {
    if (done) return;
    done = true;
    socket.off('data', onData);
    if (closeFrame) socket.end(closeFrame);
    else socket.end();
  };
  const protocolError = (text: string): void => finish(frame(0x8, closePayload(1002, text)));
  const onData = (d: Buffer): void => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    while (!done) {
      if (buf.length < 2) return;
      const b0 = buf[0]!;
      const b1 = buf[1]!;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        const big = buf.readBigUInt64BE(2);
        if (big > BigInt(MAX_MESSAGE)) return finish(frame(0x8, closePayload(1009)));
        len = Number(big);
        off = 10;
      }
      const fin = (b0 & 0x80) !== 0;
      const rsv = b0 & 0x70;
      const opcode = b0 & 0x0f;
      const masked = (b1 & 0x80) !== 0;
      if (rsv !== 0) return protocolError(`unexpected reserved bits 0x${rsv.toString(16)}`);
      if (opcode >= 0x8) {
        if (opcode > 0xa) return protocolError(`unknown opcode ${opcode}`);
        if (len > 125) return protocolError('control frame length > 125');
        if (!fin) return protocolError('control frame not final');
      } else if (opcode === 0) {
        if (message === undefined) return protocolError('continuation after final message frame');
      } else if (opcode === 1 || opcode === 2) {
        if (message !== undefined) return protocolError('message start before final message frame');
      } else return protocolError(`unknown opcode ${opcode}`);
      if (!masked) return protocolError('incorrect mask flag');
      if (buf.length < off + 4 + len) return;
      const mask = buf.subarray(off, off + 4);
      const payload = Buffer.from(buf.subarray(off + 4, off + 4 + len));
      for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i % 4]!;
      buf = buf.subarray(off + 4 + len);
      if (opcode === 0x9) socket.write(frame(0xa, payload));
      else if (opcode === 0x8) return finish(frame(0x8, payload.length >= 2 ? payload.subarray(0, 2) : Buffer.alloc(0)));
      else if (opcode !== 0xa) {
        if (opcode !== 0) {
          message = [];
          messageType = opcode;
          messageSize = 0;
        }
        messageSize += payload.length;
        if (messageSize > MAX_MESSAGE) return finish(frame(0x8, closePayload(1009)));
        message!.push(payload);
        if (fin) {
          const p = Buffer.concat(message!);
          message = undefined;
          let line = 'Received b:';
          for (const byte of p) line += `${byte},`;
          put(ctx.stdout, `${line}\n`);
          socket.write(frame(messageType, p));
        }
      }
    }
  };
  socket.on('data', onData);
  socket.on('end', () => finish());
  if (head.length > 0) onData(head);
}
