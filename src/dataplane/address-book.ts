/**
 * @module dataplane/address-book
 * Which pod or node owns each virtual IP. The network routes only to owned IPs:
 * a flow to an IP nobody owns is lost like a packet to an unrouted address.
 * It does not allocate IPs (pod IPAM lives in the controllers).
 */
import type { AddressOwner } from './types.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** True for a dotted-quad IPv4 literal. */
export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

/** The registry of owned addresses. */
export class AddressBook {
  readonly #owners = new Map<string, AddressOwner>();

  /** Records (or replaces) the owner of `ip`. */
  register(ip: string, owner: AddressOwner): void {
    if (!isIPv4(ip)) throw new TypeError(`not an IPv4 address: ${JSON.stringify(ip)}`);
    this.#owners.set(ip, owner);
  }

  /** Forgets `ip`; returns whether it was registered. */
  unregister(ip: string): boolean {
    return this.#owners.delete(ip);
  }

  ownerOf(ip: string): AddressOwner | undefined {
    return this.#owners.get(ip);
  }

  /** Every registered address with its owner. */
  entries(): ReadonlyArray<readonly [string, AddressOwner]> {
    return [...this.#owners.entries()];
  }
}
