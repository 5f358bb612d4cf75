/**
 * @module apiserver/streams/http-raw
 * HTTP/1.1 answers written straight onto an upgrade socket (node:http hands the
 * 'upgrade' event a bare socket): refusals before the switch, as a Status JSON
 * (kubectl prints `Error from server (BadRequest): …`) or as the kubelet's plain text
 * (kubectl prints `error: unable to upgrade connection: …`), and the SPDY 101.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError, errors } from '../../errors.js';
import { KubeletError } from './containers.js';

export function writeRawResponse(socket: Duplex, code: number, headers: Record<string, string | string[]>, body: string): void {
  const lines = [`HTTP/1.1 ${code} ${STATUS_CODES[code] ?? 'Unknown'}`];
  const all: Record<string, string | string[]> = { ...headers, 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' };
  for (const [k, v] of Object.entries(all)) for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${one}`);
  if (socket.destroyed) return;
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** Refuses an upgrade: ApiError -> Status JSON, KubeletError -> plain text, anything else -> 500 Status. */
export function refuseUpgrade(socket: Duplex, err: unknown, extraHeaders: Record<string, string | string[]> = {}): void {
  if (err instanceof KubeletError) {
    writeRawResponse(socket, err.httpCode, { 'Content-Type': 'text/plain; charset=utf-8', ...extraHeaders }, err.message);
    return;
  }
  const st = err instanceof ApiError ? err.toStatus() : errors.internal(err instanceof Error ? err.message : String(err)).toStatus();
  writeRawResponse(socket, st.code, { 'Content-Type': 'application/json', ...extraHeaders }, JSON.stringify(st));
}

/** The 101 of an accepted SPDY/3.1 upgrade (httpstream spdy ResponseUpgrader). */
export function writeSpdySwitch(socket: Duplex, protocol: string): void {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
}
