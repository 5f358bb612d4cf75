/**
 * @module workloads/busybox/progress
 *
 * busybox's download progress bar (libbb/progress.c), as wget draws it on
 * stderr:
 *
 * ```
 * index.html           100% |********************************|    37  0:00:00 ETA
 * ```
 *
 * On a terminal each update starts with "\r" and the last one is followed by
 * a newline; off a terminal every update is its own line. Updates are drawn
 * at most once per second, plus the final one. Pure formatting + a tiny state.
 */

const STALLTIME = 5;

/** smart_ulltoa5: a size in 5 columns, scaled with k/M/G... past 99999. */
export function size5(n: number): string {
  if (n <= 99999) return String(n).padStart(5, ' ');
  const suffixes = ' kMGTPEZY';
  let v = n;
  let i = 0;
  while (v > 9999 && i < suffixes.length - 1) {
    v = Math.floor(v / 1024);
    i++;
  }
  return `${String(v).padStart(4, ' ')}${suffixes[i] ?? ''}`;
}

export class ProgressBar {
  private readonly startSec: number;
  private lastUpdateSec: number;
  private lastChangeSec: number;
  private lastSize = 0;
  private start: number;

  /**
   * @param curfile the name shown (basename of the output, "-" for stdout)
   * @param tty whether stderr is a terminal
   * @param columns terminal width (80 when unknown, as busybox assumes)
   * @param nowSec the current time in whole seconds
   */
  constructor(
    private readonly curfile: string,
    private readonly tty: boolean,
    private readonly columns: number,
    nowSec: number,
  ) {
    this.startSec = nowSec;
    this.start = nowSec;
    this.lastUpdateSec = nowSec;
    this.lastChangeSec = nowSec;
  }

  /**
   * The text to write for an update, or "" when it is skipped (less than a
   * second since the last one and not the final state).
   * @param transferred bytes so far
   * @param totalsize expected total (0: unknown)
   */
  update(nowSec: number, transferred: number, totalsize: number): string {
    const sinceLastUpdate = nowSec - this.lastUpdateSec;
    this.lastUpdateSec = nowSec;
    let xfer = transferred;
    if (totalsize !== 0 && transferred >= totalsize) xfer = totalsize;
    else if (sinceLastUpdate === 0) return '';
    let s = this.tty ? `\r${this.curfile.slice(0, 20).padEnd(20, ' ')} ` : `${this.curfile.slice(0, 20).padEnd(20, ' ')} `;
    if (totalsize !== 0) {
      const ratio = Math.floor((100 * xfer) / totalsize);
      s += `${String(ratio).padStart(3, ' ')}% `;
      let barlength = this.columns - 48;
      if (barlength > 2) {
        if (barlength > 999) barlength = 999;
        const stars = Math.floor((barlength * xfer) / totalsize);
        s += `|${'*'.repeat(stars)}${' '.repeat(barlength - stars)}| `;
      }
    }
    s += size5(xfer);
    let since = nowSec - this.lastChangeSec;
    if (xfer !== this.lastSize) {
      this.lastChangeSec = nowSec;
      this.lastSize = xfer;
      if (since >= STALLTIME) this.start += since;
      since = 0;
    }
    const elapsed = nowSec - this.start;
    if (since >= STALLTIME) s += '  - stalled -';
    else if (!totalsize || !xfer || elapsed < 0) s += ' --:--:-- ETA';
    else {
      let eta = Math.floor((totalsize * elapsed) / xfer) - elapsed;
      if (eta >= 1000 * 60 * 60) eta = 1000 * 60 * 60 - 1;
      const secs = eta % 3600;
      const hours = Math.floor(eta / 3600);
      s += `${String(hours).padStart(3, ' ')}:${String(Math.floor(secs / 60)).padStart(2, '0')}:${String(secs % 60).padStart(2, '0')} ETA`;
    }
    if (!this.tty) s += '\n';
    return s;
  }

  /** The final line terminator busybox adds after the last update on a terminal. */
  finish(): string {
    return this.tty ? '\n' : '';
  }

  /** Seconds since the bar started. */
  age(nowSec: number): number {
    return nowSec - this.startSec;
  }
}
