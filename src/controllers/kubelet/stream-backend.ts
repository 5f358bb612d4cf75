/**
 * @module controllers/kubelet/stream-backend
 * The kubelet's side of exec, attach, port-forward and logs: adapts the Kubelet
 * to the API server's stream backend interface, so `kubectl exec/run/attach/logs/
 * port-forward` reach the emulated containers over any transport kubectl uses.
 */
import type { Duplex } from 'node:stream';
import type { KObject } from '../../store/store.js';
import type { PodNetwork } from '../../dataplane/index.js';
import type { StreamBackend, LogEntry, LogSource } from '../../apiserver/streams/index.js';
import { errors } from '../../errors.js';
import type { Kubelet } from './kubelet.js';
import type { LogBuffer } from './log-buffer.js';

/** Starts following at once (no chunk between the history and the live part is lost). */
function follow(log: LogBuffer, signal: AbortSignal): AsyncIterable<LogEntry> {
  const queue: LogEntry[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const stop = log.follow(
    (c) => {
      queue.push({ time: c.time, data: c.data });
      wake?.();
    },
    () => {
      ended = true;
      wake?.();
    },
  );
  // A client that leaves during a quiet log must not leave the follower behind.
  signal.addEventListener(
    'abort',
    () => {
      ended = true;
      stop();
      wake?.();
    },
    { once: true },
  );
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for (;;) {
          while (queue.length) yield queue.shift()!;
          if (ended) return;
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
        }
      } finally {
        stop();
      }
    },
  };
}

export function kubeletStreamBackend(kubelet: Kubelet, net: Pick<PodNetwork, 'connect'>): StreamBackend {
  return {
    async exec(pod, req, session) {
      const out = await kubelet.exec(pod, req.container, req.command, {
        stdin: session.stdin,
        stdout: session.stdout,
        stderr: session.stderr ?? session.stdout,
        tty: req.tty,
        signal: session.signal,
      });
      // The endpoint adds the kubelet's "error executing command in container: " itself.
      return out.kind === 'exited' ? { exitCode: out.exitCode } : { error: out.message.replace(/^error executing command in container: /, '') };
    },
    async attach(pod, req, session) {
      await kubelet.attach(pod, req.container, { stdin: session.stdin, stdout: session.stdout, signal: session.signal });
    },
    async portForward(pod: Readonly<KObject>, port: number, signal: AbortSignal): Promise<Duplex> {
      const ip = kubelet.podIpOf(pod);
      if (!ip) throw errors.badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
      // localhost:port inside the pod's network namespace: the pod talking to itself.
      return net.connect({ srcIp: ip, dstIp: ip, dstPort: port, signal, timeoutMs: 10_000 });
    },
    logs(pod, req): LogSource {
      const log = kubelet.logsOf(pod, req.container, req.previous);
      const history = log.lines().map((l) => ({ time: l.time, data: l.line }));
      return req.follow && !log.isEnded ? { history, live: follow(log, req.signal) } : { history };
    },
  };
}
