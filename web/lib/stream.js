/**
 * @module web/lib/stream
 * A JSON-lines stream over fetch (the watch and follow endpoints), kept open:
 * when the server ends it or the connection drops, it reconnects after a
 * pause (`onState` tells the page), and `onOpen` runs before the replayed
 * lines so the page can forget what it held. Same-origin requests carry the
 * UI's cookie; nothing else is needed.
 */

/** Splits chunks into lines; keeps the unfinished tail. */
export class LineSplitter {
  constructor() {
    /** @type {string} */
    this.buf = '';
  }

  /**
   * @param {string} chunk
   * @returns {string[]} the complete, non-empty lines
   */
  push(chunk) {
    this.buf += chunk;
    const parts = this.buf.split('\n');
    this.buf = parts.pop() ?? '';
    return parts.map((l) => l.trim()).filter((l) => l !== '');
  }
}

/**
 * @typedef {object} StreamOptions
 * @property {string} url
 * @property {(v: unknown) => void} onLine
 * @property {() => void} [onOpen]
 * @property {(state: 'open' | 'retrying' | 'denied', detail?: string) => void} [onState]
 * @property {number} [retryMs]
 */

/**
 * Follows `url` until `stop()` is called.
 * @param {StreamOptions} o
 * @returns {{ stop: () => void }}
 */
export function follow(o) {
  let stopped = false;
  /** @type {AbortController | undefined} */
  let ac;
  const retry = o.retryMs ?? 1000;
  const once = async () => {
    ac = new AbortController();
    const res = await fetch(o.url, { signal: ac.signal, headers: { Accept: 'application/json' } });
    if (res.status === 401 || res.status === 403) {
      o.onState?.('denied', `${res.status}`);
      stopped = true;
      return;
    }
    if (!res.ok || !res.body) throw new Error(`${o.url}: ${res.status}`);
    o.onOpen?.();
    o.onState?.('open');
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    const split = new LineSplitter();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const line of split.push(value)) o.onLine(JSON.parse(line));
    }
  };
  const loop = async () => {
    while (!stopped) {
      try {
        await once();
      } catch (e) {
        if (stopped) return;
        o.onState?.('retrying', e instanceof Error ? e.message : String(e));
      }
      if (stopped) return;
      o.onState?.('retrying');
      await new Promise((r) => setTimeout(r, retry));
    }
  };
  void loop();
  return {
    stop() {
      stopped = true;
      ac?.abort();
    },
  };
}
