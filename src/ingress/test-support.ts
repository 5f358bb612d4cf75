/**
 * @module ingress/test-support
 * Fixtures for the ingress tests: object builders (Ingress, IngressClass,
 * Service, TLS Secret), a deterministic RNG, an in-memory Duplex pair, a fake
 * `connectToService` that hands one end to a local `node:http` server (no real
 * socket to any pod address), and small HTTP helpers. Not used by production code.
 */
import http from 'node:http';
import { Duplex } from 'node:stream';
import type { ConnectToService } from './upstream.js';
import type { Ingress, IngressClass, Secret, Service } from './types.js';
import { seededRandom } from '../testing/rng.js';

export interface PathSpec {
  readonly path?: string;
  readonly pathType?: string;
  readonly service: string;
  readonly port?: number | string;
}

export interface IngressSpec {
  readonly name: string;
  readonly namespace?: string;
  readonly className?: string | null;
  readonly annotations?: Record<string, string>;
  readonly rules?: ReadonlyArray<{ readonly host?: string; readonly paths: ReadonlyArray<PathSpec> }>;
  readonly defaultBackend?: { readonly service: string; readonly port?: number | string };
  readonly tls?: ReadonlyArray<{ readonly hosts?: string[]; readonly secretName?: string }>;
  readonly created?: string;
}

function portRef(p: number | string | undefined): { number: number } | { name: string } {
  return typeof p === 'string' ? { name: p } : { number: p ?? 80 };
}

export function ingress(s: IngressSpec): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: s.name,
      namespace: s.namespace ?? 'default',
      uid: `uid-${s.namespace ?? 'default'}-${s.name}`,
      creationTimestamp: s.created ?? '2024-01-01T00:00:00Z',
      ...(s.annotations !== undefined ? { annotations: s.annotations } : {}),
    },
    spec: {
      ...(s.className === null ? {} : { ingressClassName: s.className ?? 'nginx' }),
      ...(s.defaultBackend !== undefined ? { defaultBackend: { service: { name: s.defaultBackend.service, port: portRef(s.defaultBackend.port) } } } : {}),
      ...(s.tls !== undefined ? { tls: s.tls.map((t) => ({ ...(t.hosts ? { hosts: t.hosts } : {}), ...(t.secretName ? { secretName: t.secretName } : {}) })) } : {}),
      rules: (s.rules ?? []).map((r) => ({
        ...(r.host !== undefined ? { host: r.host } : {}),
        http: {
          paths: r.paths.map((p) => ({
            path: p.path ?? '/',
            pathType: p.pathType ?? 'Prefix',
            backend: { service: { name: p.service, port: portRef(p.port) } },
          })),
        },
      })),
    },
  };
}

export function nginxClass(opts: { name?: string; isDefault?: boolean; controller?: string } = {}): IngressClass {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: {
      name: opts.name ?? 'nginx',
      ...(opts.isDefault ? { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } : {}),
    },
    spec: { controller: opts.controller ?? 'k8s.io/ingress-nginx' },
  };
}

export function service(name: string, ports: ReadonlyArray<{ port: number; name?: string }> = [{ port: 80 }], namespace = 'default'): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { ports: ports.map((p) => ({ port: p.port, ...(p.name ? { name: p.name } : {}), protocol: 'TCP' })) },
  };
}

export function tlsSecret(name: string, certPem: string, keyPem: string, namespace = 'default'): Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name, namespace },
    data: { 'tls.crt': Buffer.from(certPem).toString('base64'), 'tls.key': Buffer.from(keyPem).toString('base64') },
  };
}

export const seededRng = seededRandom;

/** One end of an in-memory, socket-like byte pipe. */
export class PipeEnd extends Duplex {
  peer: PipeEnd | undefined;
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  localAddress: string | undefined;
  localPort: number | undefined;
  readonly connecting = false;

  constructor() {
    super({ allowHalfOpen: true });
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    const peer = this.peer;
    if (peer === undefined || peer.destroyed) {
      cb(new Error('write EPIPE'));
      return;
    }
    peer.push(chunk);
    cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.peer?.push(null);
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    const peer = this.peer;
    if (peer !== undefined && !peer.destroyed) setImmediate(() => peer.destroy());
    cb(err);
  }

  setTimeout(_ms: number, _cb?: () => void): this {
    return this;
  }
  setNoDelay(_v?: boolean): this {
    return this;
  }
  setKeepAlive(_v?: boolean, _d?: number): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

export function pipePair(): [PipeEnd, PipeEnd] {
  const a = new PipeEnd();
  const b = new PipeEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/** A fake connector: `<ns>/<name>:<port>` -> an http.Server fed over a pipe pair. */
export class FakeBackends {
  readonly servers = new Map<string, http.Server>();
  readonly connects: string[] = [];
  /** Keys whose connection attempts fail, with the error code to use. */
  readonly failures = new Map<string, string>();
  /** Keys whose connection attempts never complete. */
  readonly hang = new Set<string>();

  add(key: string, handler: http.RequestListener | http.Server): http.Server {
    const srv = typeof handler === 'function' ? http.createServer(handler) : handler;
    this.servers.set(key, srv);
    return srv;
  }

  readonly connect: ConnectToService = (t) => {
    const key = `${t.namespace}/${t.name}:${t.port}`;
    this.connects.push(key);
    const code = this.failures.get(key);
    if (code !== undefined) {
      const err = Object.assign(new Error(`connect ${code} ${key}`), { code });
      return Promise.reject(err);
    }
    if (this.hang.has(key)) return new Promise<never>(() => undefined);
    const srv = this.servers.get(key);
    if (srv === undefined) return Promise.reject(Object.assign(new Error(`connect ECONNREFUSED ${key}`), { code: 'ECONNREFUSED' }));
    const [client, server] = pipePair();
    server.remoteAddress = '10.244.0.5';
    server.remotePort = 40000 + this.connects.length;
    srv.emit('connection', server);
    return Promise.resolve(client);
  };

  close(): void {
    for (const s of this.servers.values()) s.closeAllConnections();
  }
}

export interface SimpleResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One request over a real 127.0.0.1 socket. */
export function request(port: number, opts: http.RequestOptions & { body?: string | Buffer } = {}): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const { body, ...rest } = opts;
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: '/', ...rest }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
