/**
 * @module ingress/tls-contexts
 * Certificate choice for the HTTPS listener, as ingress-nginx's certificate.lua:
 * the SNI name (lower-cased, trailing dot dropped) is looked up as an exact host,
 * then as `*.` + the rest; a host with a valid TLS Secret gets its certificate,
 * anything else (no SNI, no TLS, a bad Secret) the fake certificate. Secure
 * contexts are cached per certificate.
 */
import https from 'node:https';
import tls from 'node:tls';
import type { PemPair } from './fake-cert.js';
import { tlsServerFor, type RouteTable } from './route-table.js';

export class TlsContexts {
  readonly #routes: () => RouteTable;
  readonly #fake: tls.SecureContext;
  readonly #fakePem: PemPair;
  #cache = new Map<string, tls.SecureContext>();

  constructor(routes: () => RouteTable, fake: PemPair) {
    this.#routes = routes;
    this.#fakePem = fake;
    this.#fake = tls.createSecureContext({ cert: fake.certPem, key: fake.keyPem });
  }

  /** The context for an SNI name (undefined: no SNI). */
  contextFor(servername: string | undefined): tls.SecureContext {
    if (servername === undefined || servername === '') return this.#fake;
    const server = tlsServerFor(this.#routes(), servername);
    if (server?.tls?.kind !== 'secret') return this.#fake;
    const cert = server.tls.cert;
    let ctx = this.#cache.get(cert.id);
    if (ctx === undefined) {
      try {
        ctx = tls.createSecureContext({ cert: cert.certPem, key: cert.keyPem });
      } catch {
        return this.#fake;
      }
      if (this.#cache.size > 1000) this.#cache = new Map();
      this.#cache.set(cert.id, ctx);
    }
    return ctx;
  }

  /** Options for an https.Server: the fake certificate by default, SNI for the rest. */
  serverOptions(): https.ServerOptions {
    return {
      cert: this.#fakePem.certPem,
      key: this.#fakePem.keyPem,
      SNICallback: (servername, cb) => cb(null, this.contextFor(servername)),
    };
  }
}
