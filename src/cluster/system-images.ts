/**
 * @module cluster/system-images
 * The images of the cluster's own parts, emulated like any workload so they are
 * real pods that policies select: CoreDNS (`registry.k8s.io/coredns/coredns`)
 * answering the cluster DNS chain on its pod IP port 53 (UDP and TCP), and the
 * ingress-nginx controller (`registry.k8s.io/ingress-nginx/controller`) serving the
 * ingress proxy on its pod IP ports 80 and 443. They close over the cluster's
 * DNS handler and ingress proxy, which is why they live in the composition root.
 */
import type { Server } from 'node:http';
import { DEFAULT_PATH, DISTROLESS_FILES } from '../workloads/images/base-images.js';
import type { ContainerContext, ImageConfig, ImageDefinition, ImageProgram } from '../workloads/images/types.js';
import { serveWire, type Handler } from '../dns/index.js';

function waitForSignal(ctx: ContainerContext): Promise<void> {
  return new Promise((resolve) => {
    if (ctx.signal.aborted) resolve();
    else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function config(version: string, entrypoint: string, program: ImageProgram, args: string[] = []): ImageConfig {
  return {
    version,
    entrypoint: [entrypoint],
    cmd: args,
    env: { PATH: DEFAULT_PATH },
    workingDir: '/',
    uid: 0,
    gid: 0,
    libc: 'glibc',
    stopSignal: 'SIGTERM',
    files: DISTROLESS_FILES,
    executables: new Map([[entrypoint, { kind: 'own', program }]]),
  };
}

/** CoreDNS: the cluster DNS chain on UDP and TCP 53 of the pod IP, /health on 8080 and /ready on 8181. */
export function corednsImage(handler: Handler): ImageDefinition {
  const program: ImageProgram = async (ctx) => {
    ctx.stdout.write('.:53\n[INFO] plugin/reload: Running configuration SHA512 = kwire\nCoreDNS-1.11.3\nlinux/amd64, go1.22.4, a6338e9\n');
    const udp = ctx.pod.bindUdp({ host: '', port: 53 }, (msg, rinfo, reply) => {
      void serveWire(handler, msg, { protocol: 'udp', clientIp: rinfo.address }).then((r) => {
        if (r) reply(r);
      });
    });
    const tcp = ctx.pod.listenTcp({ host: '', port: 53 }, (sock) => {
      let buf = Buffer.alloc(0);
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2) {
          const len = buf.readUInt16BE(0);
          if (buf.length < 2 + len) break;
          const q = buf.subarray(2, 2 + len);
          buf = buf.subarray(2 + len);
          void serveWire(handler, q, { protocol: 'tcp', clientIp: sock.remoteAddress ?? '' }).then((r) => {
            if (!r) return sock.destroy();
            const head = Buffer.alloc(2);
            head.writeUInt16BE(r.length);
            sock.write(Buffer.concat([head, r]));
          });
        }
      });
      sock.on('error', () => sock.destroy());
    });
    const health = (port: number, body: string) =>
      ctx.pod.listenTcp({ host: '', port }, (sock) => {
        sock.on('data', () => sock.end(`HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`));
        sock.on('error', () => sock.destroy());
      });
    const h = health(8080, 'OK');
    const rd = health(8181, 'OK');
    await waitForSignal(ctx);
    for (const l of [udp, tcp, h, rd]) l.close();
    ctx.stdout.write('[INFO] SIGTERM: Shutting down servers then terminating\n');
    return 0;
  };
  return {
    id: 'coredns',
    displayName: 'registry.k8s.io/coredns/coredns',
    repositories: ['coredns/coredns'],
    configure: () => config('1.11.3', '/coredns', program),
  };
}

/** The servers the ingress controller pod serves on its pod IP (from src/ingress). */
export interface IngressServers {
  readonly http: Server;
  readonly https: Server;
}

/** The ingress-nginx controller: the ingress proxy on ports 80 and 443 of its pod IP, /healthz on 10254. */
export function ingressControllerImage(servers: () => IngressServers | undefined): ImageDefinition {
  const program: ImageProgram = async (ctx) => {
    const s = servers();
    if (!s) {
      ctx.stderr.write('F0000 ingress controller is not configured in this kwire build\n');
      return 1;
    }
    ctx.stdout.write('-------------------------------------------------------------------------------\nNGINX Ingress controller\n  Release:       v1.11.3\n  Build:         kwire\n  Repository:    https://github.com/kubernetes/ingress-nginx\n  nginx version: nginx/1.25.5\n\n-------------------------------------------------------------------------------\n\n');
    const http = ctx.pod.listenTcp({ host: '', port: 80 }, (sock) => s.http.emit('connection', sock));
    const https = ctx.pod.listenTcp({ host: '', port: 443 }, (sock) => s.https.emit('connection', sock));
    const health = ctx.pod.listenTcp({ host: '', port: 10254 }, (sock) => {
      sock.on('data', () => sock.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok'));
      sock.on('error', () => sock.destroy());
    });
    await waitForSignal(ctx);
    for (const l of [http, https, health]) l.close();
    return 0;
  };
  return {
    id: 'ingress-nginx-controller',
    displayName: 'registry.k8s.io/ingress-nginx/controller',
    repositories: ['ingress-nginx/controller'],
    configure: () => config('1.11.3', '/nginx-ingress-controller', program),
  };
}
