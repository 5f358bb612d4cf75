/**
 * @module dataplane/port-allocator
 * Ephemeral source ports, per IP, from Linux's default range 32768-60999.
 * Ports are handed out round-robin (a port is not reused until the range wraps)
 * and skip any port the caller reports as taken (a listener, an explicit bind).
 * One allocator per protocol; it knows nothing of sockets.
 */
import { netError } from './errors.js';

export const EPHEMERAL_LOW = 32768;
export const EPHEMERAL_HIGH = 60999;

interface IpPorts {
  next: number;
  readonly used: Set<number>;
}

/** Per-IP ephemeral port bookkeeping. */
export class PortAllocator {
  readonly #byIp = new Map<string, IpPorts>();

  #entry(ip: string): IpPorts {
    let e = this.#byIp.get(ip);
    if (e === undefined) {
      e = { next: EPHEMERAL_LOW, used: new Set() };
      this.#byIp.set(ip, e);
    }
    return e;
  }

  /**
   * Picks a free ephemeral port on `ip` and marks it used. `taken(port)` may veto
   * ports held elsewhere. Throws EADDRNOTAVAIL when the range is exhausted.
   */
  allocate(ip: string, taken?: (port: number) => boolean): number {
    const e = this.#entry(ip);
    const span = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
    for (let i = 0; i < span; i++) {
      const port = e.next;
      e.next = port === EPHEMERAL_HIGH ? EPHEMERAL_LOW : port + 1;
      if (!e.used.has(port) && (taken === undefined || !taken(port))) {
        e.used.add(port);
        return port;
      }
    }
    throw netError('EADDRNOTAVAIL', 'connect', ip);
  }

  /** Marks an explicitly chosen port used; returns false when it already was. */
  claim(ip: string, port: number): boolean {
    const e = this.#entry(ip);
    if (e.used.has(port)) return false;
    e.used.add(port);
    return true;
  }

  isUsed(ip: string, port: number): boolean {
    return this.#byIp.get(ip)?.used.has(port) ?? false;
  }

  release(ip: string, port: number): void {
    const e = this.#byIp.get(ip);
    if (e === undefined) return;
    e.used.delete(port);
  }

  /** Forgets `ip` entirely (its address was unregistered). */
  forget(ip: string): void {
    this.#byIp.delete(ip);
  }
}
