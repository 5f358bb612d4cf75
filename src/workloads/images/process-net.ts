/**
 * @module workloads/images/process-net
 *
 * `ProcessNet` (what programs use) over the dataplane (what the cluster
 * provides), for one container: dials leave from the pod IP through the
 * dataplane; 127.0.0.0/8 stays inside the container (ContainerSockets),
 * except kwire's node IPs and LoadBalancer IPs there, which are node-network
 * addresses and leave through the dataplane like any other (`net.podRoute`:
 * `wget http://<nodeIP>:<nodePort>` reaches the Service, as on a real cluster).
 * Dataplane errors become the process-level NetErrors programs expect.
 */
import type { Duplex } from 'node:stream';
import type { Clock, ConnectOptions, ProcessNet, UdpOptions } from '../process.js';
import { abortError, netError } from '../process.js';
import type { NetErrorCode } from '../process.js';
import type { ContainerSockets } from './sockets.js';
import type { ContainerNet } from './types.js';

/** Linux's default wait for an unanswered SYN (tcp_syn_retries = 6). */
export const KERNEL_SYN_TIMEOUT_MS = 127_000;

const KNOWN: ReadonlySet<string> = new Set<NetErrorCode>(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET']);

/** Maps a dataplane/Node error to the process-level error programs understand. */
export function toProcessError(e: unknown): Error {
  if (e instanceof Error) {
    if (e.name === 'AbortError') return abortError();
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code === 'string' && KNOWN.has(code)) return netError(code as NetErrorCode);
    return e;
  }
  return new Error(String(e));
}

/** The ProcessNet of a container whose pod IP is `sockets.podIp`. */
export function containerProcessNet(net: ContainerNet, sockets: ContainerSockets, clock: Clock): ProcessNet {
  const podIp = sockets.podIp;
  return {
    localIp: podIp,
    async connectTcp(ip: string, port: number, opts: ConnectOptions = {}): Promise<Duplex> {
      if (opts.signal?.aborted) throw abortError();
      try {
        if (net.podRoute(ip) === 'loopback') return await sockets.connectLoopback(port);
        return await net.connect({
          srcIp: podIp,
          dstIp: ip,
          dstPort: port,
          timeoutMs: opts.timeoutMs ?? KERNEL_SYN_TIMEOUT_MS,
          ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
        });
      } catch (e) {
        throw toProcessError(e);
      }
    },
    async udpExchange(ip: string, port: number, payload: Buffer, opts: UdpOptions): Promise<Buffer> {
      if (opts.signal?.aborted) throw abortError();
      if (net.podRoute(ip) === 'loopback') {
        const p = sockets.udpLoopback(port, payload);
        if (p === undefined) throw netError('ECONNREFUSED');
        return raceLoopback(p, opts, clock);
      }
      try {
        return await net.udpExchange(
          { srcIp: podIp, dstIp: ip, dstPort: port, timeoutMs: opts.timeoutMs, ...(opts.signal !== undefined ? { signal: opts.signal } : {}) },
          payload,
        );
      } catch (e) {
        throw toProcessError(e);
      }
    },
  };
}

function raceLoopback(p: Promise<Buffer>, opts: UdpOptions, clock: Clock): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = new AbortController();
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      timer.abort();
      opts.signal?.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = (): void => finish(() => reject(abortError()));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    clock.sleep(opts.timeoutMs, timer.signal).then(
      () => finish(() => reject(netError('ETIMEDOUT'))),
      () => undefined,
    );
    p.then(
      (b) => finish(() => resolve(b)),
      (e: unknown) => finish(() => reject(toProcessError(e))),
    );
  });
}
