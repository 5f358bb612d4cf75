/**
 * @module apiserver/streams/resize
 * Terminal-size events. kubectl writes a stream of JSON objects
 * `{"Width":80,"Height":24}` (newline-separated, but message/frame boundaries are
 * arbitrary) on WebSocket channel 4 or the SPDY `resize` stream; the kubelet reads
 * them with a json.Decoder. This module does the same incrementally.
 */

export interface TerminalSize {
  readonly width: number;
  readonly height: number;
}

/** Splits a byte stream into complete top-level JSON objects. */
export class JsonObjectSplitter {
  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;
  private scanned = 0;

  /** Feeds bytes; returns the objects completed by them (unparseable ones are skipped). */
  push(chunk: Buffer | string): unknown[] {
    this.buf += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    const out: unknown[] = [];
    let i = this.scanned;
    for (; i < this.buf.length; i++) {
      const ch = this.buf[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
        continue;
      }
      if (ch === '"') this.inString = this.depth > 0;
      else if (ch === '{') {
        if (this.depth === 0) this.start = i;
        this.depth++;
      } else if (ch === '}' && this.depth > 0) {
        this.depth--;
        if (this.depth === 0) {
          try {
            out.push(JSON.parse(this.buf.slice(this.start, i + 1)));
          } catch {
            /* not an object we understand: skip it, as a decoder error would end the loop upstream */
          }
          this.buf = this.buf.slice(i + 1);
          i = -1;
          this.start = -1;
        }
      }
    }
    if (this.depth === 0) {
      this.buf = '';
      this.scanned = 0;
    } else {
      this.scanned = this.buf.length;
    }
    return out;
  }
}

/** Reads `{"Width":w,"Height":h}` (Go field names; lower-case accepted too). */
export function toTerminalSize(v: unknown): TerminalSize | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const w = o['Width'] ?? o['width'];
  const h = o['Height'] ?? o['height'];
  if (typeof w !== 'number' || typeof h !== 'number' || !Number.isFinite(w) || !Number.isFinite(h)) return undefined;
  return { width: Math.max(0, Math.trunc(w)), height: Math.max(0, Math.trunc(h)) };
}

/** A push-parser for resize streams: call `push()` with bytes, `cb` gets each size. */
export function resizeDecoder(cb: (size: TerminalSize) => void): (chunk: Buffer) => void {
  const splitter = new JsonObjectSplitter();
  return (chunk) => {
    for (const o of splitter.push(chunk)) {
      const s = toTerminalSize(o);
      if (s) cb(s);
    }
  };
}
