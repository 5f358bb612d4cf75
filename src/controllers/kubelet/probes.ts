/**
 * @module controllers/kubelet/probes
 * Readiness, liveness and startup probes as the kubelet runs them: httpGet
 * (2xx/3xx within timeoutSeconds), tcpSocket (the connection opens) and exec (exit
 * code 0), from the node's IP over the virtual pod network.
 */
import { request } from 'node:http';
import { Writable } from 'node:stream';
import type { PodNetwork } from '../../dataplane/index.js';
import type { RunningContainer } from '../../workloads/images/types.js';

export interface Probe {
  readonly httpGet?: { readonly path?: string; readonly port: number | string; readonly host?: string; readonly scheme?: string; readonly httpHeaders?: ReadonlyArray<{ name: string; value: string }> };
  readonly tcpSocket?: { readonly port: number | string; readonly host?: string };
  readonly exec?: { readonly command?: ReadonlyArray<string> };
  readonly grpc?: { readonly port: number };
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly failureThreshold?: number;
  readonly successThreshold?: number;
  /** Liveness/startup: the grace period of the kill on failure (default: the pod's). */
  readonly terminationGracePeriodSeconds?: number;
}

export interface ProbeContext {
  readonly net: Pick<PodNetwork, 'connect'>;
  readonly podIp: string;
  readonly hostIp: string;
  readonly container: Pick<RunningContainer, 'exec'>;
  /** The container's named ports. */
  readonly ports?: ReadonlyArray<{ readonly name?: string; readonly containerPort: number }>;
}

function portOf(p: number | string, ctx: ProbeContext): number | undefined {
  if (typeof p === 'number') return p;
  if (/^\d+$/.test(p)) return Number(p);
  return ctx.ports?.find((x) => x.name === p)?.containerPort;
}

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

export async function runProbe(probe: Probe, ctx: ProbeContext): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.exec) {
      const out = await ctx.container.exec(probe.exec.command ?? [], { stdout: sink(), stderr: sink() });
      return out.kind === 'exited' && out.exitCode === 0;
    }
    const tcp = probe.tcpSocket ?? (probe.grpc ? { port: probe.grpc.port } : undefined);
    if (tcp) {
      const port = portOf(tcp.port, ctx);
      if (port === undefined) return false;
      const sock = await ctx.net.connect({ srcIp: ctx.hostIp, dstIp: ctx.podIp, dstPort: port, timeoutMs });
      sock.destroy();
      return true;
    }
    if (probe.httpGet) {
      const g = probe.httpGet;
      const port = portOf(g.port, ctx);
      if (port === undefined) return false;
      const sock = await ctx.net.connect({ srcIp: ctx.hostIp, dstIp: ctx.podIp, dstPort: port, timeoutMs });
      return await new Promise<boolean>((resolve) => {
        const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.31', Accept: '*/*' };
        for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
        const req = request({ createConnection: () => sock, host: ctx.podIp, port, path: g.path ?? '/', method: 'GET', headers, timeout: timeoutMs }, (res) => {
          res.resume();
          const code = res.statusCode ?? 0;
          resolve(code >= 200 && code < 400);
          sock.destroy();
        });
        req.on('timeout', () => {
          req.destroy();
          resolve(false);
        });
        req.on('error', () => resolve(false));
        req.end();
      });
    }
    return true;
  } catch {
    return false;
  }
}
