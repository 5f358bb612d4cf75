/**
 * @module workloads/resolver/resolv-conf
 *
 * Parses /etc/resolv.conf the way each libc does: nameserver (at most 3),
 * search/domain (the last such line wins), options ndots/timeout/attempts
 * with each libc's defaults and caps. Pure; no I/O.
 *
 * | option   | musl default, cap | glibc default, cap |
 * | -------- | ----------------- | ------------------ |
 * | ndots    | 1, 15             | 1, 15              |
 * | timeout  | 5 s, 60           | 5 s, 30            |
 * | attempts | 2, 10             | 2, 5               |
 */
import type { Libc } from '../process.js';

export interface ResolvConf {
  /** Nameserver addresses in file order (127.0.0.1 when the file names none). */
  readonly nameservers: ReadonlyArray<string>;
  /** Search domains, in order (empty: no search list). */
  readonly search: ReadonlyArray<string>;
  readonly ndots: number;
  /** Seconds. */
  readonly timeout: number;
  readonly attempts: number;
}

const LIMITS: Readonly<Record<Libc, { ndots: number; timeout: number; attempts: number }>> = {
  musl: { ndots: 15, timeout: 60, attempts: 10 },
  glibc: { ndots: 15, timeout: 30, attempts: 5 },
};

const MAXNS = 3;

function optValue(opt: string, key: string): number | undefined {
  if (!opt.startsWith(`${key}:`)) return undefined;
  const m = /^\d+/.exec(opt.slice(key.length + 1));
  return m ? Number(m[0]) : undefined;
}

/** Parses resolv.conf text; `text` undefined means the file is missing. */
export function parseResolvConf(text: string | undefined, libc: Libc): ResolvConf {
  const lim = LIMITS[libc];
  const nameservers: string[] = [];
  let search: string[] = [];
  let ndots = 1;
  let timeout = 5;
  let attempts = 2;
  for (const rawLine of (text ?? '').split('\n')) {
    const line = rawLine.replace(/[#;].*$/, '');
    const words = line.trim().split(/\s+/).filter(Boolean);
    const key = words[0];
    if (!key) continue;
    if (key === 'nameserver' && words[1]) {
      if (nameservers.length < MAXNS) nameservers.push(words[1]);
    } else if (key === 'search' || key === 'domain') {
      search = words.slice(1);
      if (key === 'domain') search = search.slice(0, 1);
    } else if (key === 'options') {
      for (const opt of words.slice(1)) {
        const n = optValue(opt, 'ndots');
        if (n !== undefined) ndots = Math.min(n, lim.ndots);
        const t = optValue(opt, 'timeout');
        if (t !== undefined) timeout = Math.max(libc === 'glibc' ? 1 : 0, Math.min(t, lim.timeout));
        const a = optValue(opt, 'attempts');
        if (a !== undefined) attempts = Math.max(1, Math.min(a, lim.attempts));
      }
    }
  }
  if (search.length === 1 && search[0] === '.') search = [];
  return {
    nameservers: nameservers.length ? nameservers : ['127.0.0.1'],
    search,
    ndots,
    timeout,
    attempts,
  };
}
