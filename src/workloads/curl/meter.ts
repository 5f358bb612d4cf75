/**
 * @module workloads/curl/meter
 *
 * curl's progress meter (lib/progress.c), drawn on stderr when the body does
 * not go to a terminal and -s is not given, i.e. the common
 * `kubectl exec POD -- curl URL` (no -t: stdout is a pipe):
 *
 * ```
 *   % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current
 *                                  Dload  Upload   Total   Spent    Left  Speed
 * \r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0
 * \r100    45  100    45    0     0  45000      0 --:--:-- --:--:-- --:--:-- 45000\n
 * ```
 *
 * One line per second of clock time at most, plus the last one. Pure
 * formatting + state.
 */

/** max5data(): a byte count or speed in 5 columns, scaled with k/M/G/T/P. */
export function max5(n: number): string {
  const ONE_K = 1024;
  const ONE_M = ONE_K * 1024;
  const ONE_G = ONE_M * 1024;
  const v = Math.max(0, Math.floor(n));
  if (v < 100000) return String(v).padStart(5, ' ');
  if (v < 10000 * ONE_K) return `${String(Math.floor(v / ONE_K)).padStart(4, ' ')}k`;
  if (v < 100 * ONE_M) return `${Math.floor(v / ONE_M)}.${Math.floor((v % ONE_M) / (ONE_M / 10))}M`.padStart(5, ' ');
  if (v < 10000 * ONE_M) return `${String(Math.floor(v / ONE_M)).padStart(4, ' ')}M`;
  if (v < 100 * ONE_G) return `${Math.floor(v / ONE_G)}.${Math.floor((v % ONE_G) / (ONE_G / 10))}G`.padStart(5, ' ');
  return `${String(Math.floor(v / ONE_G)).padStart(4, ' ')}G`;
}

/** time2str(): "--:--:--" for unknown/zero, else " H:MM:SS". */
export function time8(seconds: number | undefined): string {
  if (seconds === undefined || seconds <= 0) return '--:--:--';
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h <= 99) return `${String(h).padStart(2, ' ')}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
  return `${String(Math.floor(h / 24)).padStart(3, ' ')}d ${String(h % 24).padStart(2, '0')}h`;
}

export const METER_HEADER =
  '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
  '                                 Dload  Upload   Total   Spent    Left  Speed\n';

export interface MeterState {
  /** Bytes received so far. */
  readonly received: number;
  /** Expected size (Content-Length), if known. */
  readonly total?: number;
  /** Bytes sent in the request body. */
  readonly sent: number;
  /** Milliseconds since the transfer started. */
  readonly elapsedMs: number;
}

/** One meter line (without the leading "\r"). */
export function meterLine(s: MeterState): string {
  const secs = s.elapsedMs / 1000;
  const speed = s.received > 0 ? s.received / Math.max(secs, 0.001) : 0;
  const total = s.total ?? 0;
  const pct = (a: number, b: number): number => (b > 0 ? Math.min(100, Math.floor((a * 100) / b)) : 0);
  const dlPct = pct(s.received, total);
  const totalPct = dlPct;
  const timeTotal = s.total !== undefined && speed > 0 ? s.total / speed : undefined;
  const timeLeft = timeTotal !== undefined ? Math.max(0, timeTotal - secs) : undefined;
  return (
    `${String(totalPct).padStart(3, ' ')} ${max5(total)}  ` +
    `${String(dlPct).padStart(3, ' ')} ${max5(s.received)}  ` +
    `${String(0).padStart(3, ' ')} ${max5(s.sent)}  ` +
    `${max5(speed)}  ${max5(0)} ` +
    `${time8(timeTotal !== undefined && timeTotal >= 1 ? timeTotal : undefined)} ${time8(secs)} ${time8(timeLeft !== undefined && timeLeft >= 1 ? timeLeft : undefined)} ${max5(speed)}`
  );
}

/** The meter of one transfer: header once, a line per second, the final line with a newline. */
export class Meter {
  private started = false;
  private lastSec = -1;
  private lastLine = '';
  constructor(private readonly write: (s: string) => void) {}

  /** Draws the current state if a second has passed (or on the first call). */
  update(s: MeterState): void {
    const sec = Math.floor(s.elapsedMs / 1000);
    if (this.started && sec === this.lastSec) return;
    let out = '';
    if (!this.started) out += METER_HEADER;
    this.started = true;
    this.lastSec = sec;
    this.lastLine = meterLine(s);
    this.write(`${out}\r${this.lastLine}`);
  }

  /** Draws the last line (unless it is already on screen) and ends it. */
  finish(s: MeterState): void {
    if (!this.started) this.write(METER_HEADER);
    this.started = true;
    const line = meterLine(s);
    this.write(line === this.lastLine ? '\n' : `\r${line}\n`);
  }
}
