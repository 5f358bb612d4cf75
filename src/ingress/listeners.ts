/**
 * @module ingress/listeners
 * The ingress controller's real sockets on the host: HTTP and HTTPS servers on
 * each requested address (127.0.0.1:80/443 and the controller Service's
 * EXTERNAL-IP). When a port cannot be bound (EACCES for a privileged port,
 * EADDRINUSE) and a fallback port is given, the fallback is tried; every outcome
 * is returned in `results` so the caller reports it (events, `kwire status`):
 * never silent.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { IngressProxy, type Scheme } from './proxy.js';
import type { TlsContexts } from './tls-contexts.js';
import { upgradeHandler } from './upgrade.js';

export interface ListenSpec {
  readonly address: string;
  readonly port: number;
  readonly scheme: Scheme;
  /** Tried when `port` cannot be bound. */
  readonly fallbackPort?: number;
}

export interface ListenResult {
  readonly address: string;
  readonly scheme: Scheme;
  readonly requestedPort: number;
  /** The port actually bound; undefined when nothing could be bound. */
  readonly port?: number;
  readonly fellBack: boolean;
  /** Why the requested port (or both) could not be bound. */
  readonly error?: string;
}

export interface IngressListeners {
  readonly results: ReadonlyArray<ListenResult>;
  readonly servers: ReadonlyArray<http.Server>;
  /** The bound HTTPS port on the first address (for ssl-redirects), if any. */
  readonly httpsPort: number | undefined;
  close(): Promise<void>;
}

function listen(server: http.Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, address);
  });
}

function describe(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code?: unknown }).code) : '';
  const msg = err instanceof Error ? err.message : String(err);
  if (code === 'EACCES') return `${msg} (binding a port below 1024 needs root or CAP_NET_BIND_SERVICE)`;
  return msg;
}

/** Creates the server for one scheme, wired to the proxy. */
export function createIngressServer(proxy: IngressProxy, scheme: Scheme, tlsContexts?: TlsContexts): http.Server {
  const server =
    scheme === 'https'
      ? https.createServer({ ...IngressProxy.serverOptions(), ...(tlsContexts?.serverOptions() ?? {}) })
      : http.createServer(IngressProxy.serverOptions());
  proxy.attach(server, scheme, upgradeHandler(proxy, scheme));
  return server;
}

/** Binds every spec; failures are reported in `results`, not thrown. */
export async function startIngressListeners(proxy: IngressProxy, tlsContexts: TlsContexts, specs: ReadonlyArray<ListenSpec>): Promise<IngressListeners> {
  const results: ListenResult[] = [];
  const servers: http.Server[] = [];
  let httpsPort: number | undefined;
  for (const spec of specs) {
    const server = createIngressServer(proxy, spec.scheme, tlsContexts);
    try {
      const port = await listen(server, spec.address, spec.port);
      results.push({ address: spec.address, scheme: spec.scheme, requestedPort: spec.port, port, fellBack: false });
      servers.push(server);
      if (spec.scheme === 'https') httpsPort ??= port;
      continue;
    } catch (err) {
      const first = describe(err);
      if (spec.fallbackPort === undefined) {
        results.push({ address: spec.address, scheme: spec.scheme, requestedPort: spec.port, fellBack: false, error: first });
        continue;
      }
      try {
        const port = await listen(server, spec.address, spec.fallbackPort);
        results.push({ address: spec.address, scheme: spec.scheme, requestedPort: spec.port, port, fellBack: true, error: first });
        servers.push(server);
        if (spec.scheme === 'https') httpsPort ??= port;
      } catch (err2) {
        results.push({ address: spec.address, scheme: spec.scheme, requestedPort: spec.port, fellBack: true, error: `${first}; fallback port ${spec.fallbackPort}: ${describe(err2)}` });
      }
    }
  }
  return {
    results,
    servers,
    httpsPort,
    close: async () => {
      proxy.close(); // ends WebSocket tunnels, which node:http no longer tracks
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
    },
  };
}
