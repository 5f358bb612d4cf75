/**
 * @module apiserver/streams/ws-channels
 * The Kubernetes WebSocket channel protocol for exec/attach (kubectl 1.30+ uses
 * `v5.channel.k8s.io`). Every binary message starts with a channel byte:
 * 0 stdin (client->server), 1 stdout, 2 stderr, 3 error/Status, 4 resize
 * (client->server), and in v5 only 255 "close channel N" (`ff 00` = stdin EOF).
 * The session ends with the Status on channel 3 and a close frame (1000).
 */
import { Readable, Writable } from 'node:stream';
import type { WebSocket, RawData } from 'ws';
import type { WsChannelProtocol } from './negotiate.js';
import type { Channels } from './session.js';
import { encodeStatus, type StreamStatus } from './status.js';

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function sendFrame(ws: WebSocket, channel: number, payload: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState !== ws.OPEN) return resolve();
    const frame = Buffer.allocUnsafe(payload.length + 1);
    frame[0] = channel;
    payload.copy(frame, 1);
    ws.send(frame, { binary: true }, () => resolve());
  });
}

function channelWriter(ws: WebSocket, channel: number): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (buf.length === 0) return cb();
      sendFrame(ws, channel, buf).then(() => cb(), cb);
    },
  });
}

export interface WsChannelOptions {
  readonly protocol: WsChannelProtocol;
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
}

export function wsChannels(ws: WebSocket, opts: WsChannelOptions): Channels {
  const closed = new AbortController();
  let paused = false;
  const stdin = opts.stdin
    ? new Readable({
        read() {
          if (paused) {
            paused = false;
            ws.resume();
          }
        },
      })
    : undefined;
  let stdinEnded = false;
  const endStdin = () => {
    if (stdin && !stdinEnded) {
      stdinEnded = true;
      stdin.push(null);
    }
  };
  let resizeSink: ((chunk: Buffer) => void) | undefined;
  const pendingResize: Buffer[] = [];

  ws.on('message', (raw: RawData) => {
    const buf = toBuffer(raw);
    if (buf.length === 0) return;
    const payload = buf.subarray(1);
    switch (buf[0]) {
      case STDIN:
        if (stdin && !stdinEnded && payload.length > 0 && !stdin.push(payload)) {
          paused = true;
          ws.pause();
        }
        break;
      case RESIZE:
        if (resizeSink) resizeSink(payload);
        else pendingResize.push(payload);
        break;
      case CLOSE:
        if (opts.protocol === 'v5.channel.k8s.io' && payload[0] === STDIN) endStdin();
        break;
      default:
        // Frames for channels the client may not write are ignored, as upstream does.
        break;
    }
  });
  ws.on('error', () => {});
  ws.once('close', () => {
    endStdin();
    closed.abort();
  });

  return {
    stdin,
    stdout: opts.stdout ? channelWriter(ws, STDOUT) : undefined,
    stderr: opts.stderr ? channelWriter(ws, STDERR) : undefined,
    closed: closed.signal,
    onResizeBytes(cb) {
      resizeSink = cb;
      for (const p of pendingResize.splice(0)) cb(p);
    },
    async writeStatus(status: StreamStatus) {
      const bytes = encodeStatus(status, opts.protocol !== 'channel.k8s.io');
      if (bytes) await sendFrame(ws, ERROR, bytes);
    },
    close() {
      return new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        const timer = setTimeout(() => {
          ws.terminate();
          resolve();
        }, 5000);
        timer.unref();
        ws.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        if (ws.readyState === ws.OPEN) ws.close(1000);
      });
    },
  };
}
