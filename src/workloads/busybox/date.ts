/**
 * @module workloads/busybox/date
 *
 * `date [-u] [-R] [-I[SPEC]] [+FORMAT]` over the context clock. Containers
 * have no TZ, so local time is UTC. Only displaying; setting the clock fails
 * with "date: can't set date: Operation not permitted".
 */
import type { ProcessContext } from '../process.js';
import { fail, out } from './applet.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAYS_LONG = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const p2 = (n: number): string => String(n).padStart(2, '0');

/** strftime(3) for a UTC time (the common conversions). */
export function strftime(format: string, ms: number): string {
  const d = new Date(ms);
  const Y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const day = d.getUTCDate();
  const H = d.getUTCHours();
  const M = d.getUTCMinutes();
  const S = d.getUTCSeconds();
  const w = d.getUTCDay();
  const yday = Math.floor((Date.UTC(Y, m, day) - Date.UTC(Y, 0, 1)) / 86400000) + 1;
  return format.replace(/%([a-zA-Z%])/g, (whole, c: string) => {
    switch (c) {
      case 'a': return DAYS[w] ?? '';
      case 'A': return DAYS_LONG[w] ?? '';
      case 'b': case 'h': return MONTHS[m] ?? '';
      case 'B': return MONTHS_LONG[m] ?? '';
      case 'c': return `${DAYS[w] ?? ''} ${MONTHS[m] ?? ''} ${String(day).padStart(2, ' ')} ${p2(H)}:${p2(M)}:${p2(S)} ${Y}`;
      case 'C': return p2(Math.floor(Y / 100));
      case 'd': return p2(day);
      case 'D': return `${p2(m + 1)}/${p2(day)}/${p2(Y % 100)}`;
      case 'e': return String(day).padStart(2, ' ');
      case 'F': return `${Y}-${p2(m + 1)}-${p2(day)}`;
      case 'H': return p2(H);
      case 'I': return p2(H % 12 || 12);
      case 'j': return String(yday).padStart(3, '0');
      case 'k': return String(H).padStart(2, ' ');
      case 'l': return String(H % 12 || 12).padStart(2, ' ');
      case 'm': return p2(m + 1);
      case 'M': return p2(M);
      case 'n': return '\n';
      case 'N': return `${String(ms % 1000).padStart(3, '0')}000000`;
      case 'p': return H < 12 ? 'AM' : 'PM';
      case 'r': return `${p2(H % 12 || 12)}:${p2(M)}:${p2(S)} ${H < 12 ? 'AM' : 'PM'}`;
      case 'R': return `${p2(H)}:${p2(M)}`;
      case 's': return String(Math.floor(ms / 1000));
      case 'S': return p2(S);
      case 't': return '\t';
      case 'T': return `${p2(H)}:${p2(M)}:${p2(S)}`;
      case 'u': return String(w || 7);
      case 'w': return String(w);
      case 'y': return p2(Y % 100);
      case 'Y': return String(Y);
      case 'z': return '+0000';
      case 'Z': return 'UTC';
      case '%': return '%';
      default: return whole;
    }
  });
}

/** The date applet. */
export async function date(ctx: ProcessContext, argv: ReadonlyArray<string>): Promise<number> {
  let format = '%a %b %e %H:%M:%S %Z %Y';
  for (const a of argv.slice(1)) {
    if (a === '-u' || a === '--utc') continue;
    if (a === '-R') format = '%a, %d %b %Y %H:%M:%S %z';
    else if (a === '-I' || a === '-Idate') format = '%Y-%m-%d';
    else if (a === '-Iseconds') format = '%Y-%m-%dT%H:%M:%S+00:00';
    else if (a.startsWith('+')) format = a.slice(1);
    else if (a === '-s' || /^\d{4,}/.test(a)) return fail(ctx, 'date', "can't set date: Operation not permitted");
    else return fail(ctx, 'date', `invalid date '${a}'`);
  }
  out(ctx, `${strftime(format, ctx.clock.now())}\n`);
  return 0;
}
