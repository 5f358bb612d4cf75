/**
 * @module ingress/types
 * The object shapes the ingress route table reads (networking.k8s.io/v1 Ingress
 * and IngressClass, core/v1 Service and Secret, from `kubernetes-types`), and the
 * decision the table returns for one request. Data only.
 */
import type { Ingress as K8sIngress, IngressClass as K8sIngressClass } from 'kubernetes-types/networking/v1.js';
import type { Secret as K8sSecret, Service as K8sService } from 'kubernetes-types/core/v1.js';
import type { BackendProtocol } from './annotations.js';

export type Ingress = Readonly<K8sIngress>;
export type IngressClass = Readonly<K8sIngressClass>;
export type Service = Readonly<K8sService>;
export type Secret = Readonly<K8sSecret>;

/** An Ingress backend resolved against its Service: the Service port number. */
export interface ServiceTarget {
  readonly namespace: string;
  readonly name: string;
  /** The Service port (a port name in the Ingress is resolved to its number). */
  readonly port: number;
  /**
   * One ready endpoint of that port ("ip:port"), when the proxy balances over the
   * endpoints itself as ingress-nginx does; absent: connect to the Service.
   */
  readonly endpoint?: string;
}

/** Which Ingress a location came from (for logs, flows and events). */
export interface IngressRef {
  readonly namespace: string;
  readonly name: string;
}

/** The request as the route table sees it. */
export interface RouteRequest {
  /** The Host header as sent (may carry a port), or undefined. */
  readonly host: string | undefined;
  /** The request-target as sent (origin-form `/p?q`, or absolute-form). */
  readonly url: string;
  readonly method?: string;
  /** Lower-case header names (as node:http gives them). */
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>;
  readonly scheme: 'http' | 'https';
  /** The port the request came in on (for HTTPS redirects when it is not 443). */
  readonly serverPort?: number;
}

/** What the proxy must do with one request. */
export type Decision =
  | {
      readonly kind: 'proxy';
      readonly service: ServiceTarget;
      /** The request-target to send upstream (path and query). */
      readonly upstreamPath: string;
      readonly upstreamProtocol: BackendProtocol;
      /** True when a canary Ingress's backend was chosen. */
      readonly canary: boolean;
      readonly ingress?: IngressRef;
      /** The X-Forwarded-Prefix to send, when the annotation asks for one. */
      readonly xForwardedPrefix?: string;
      readonly bodySizeLimit: number;
      readonly connectTimeoutMs: number;
      readonly readTimeoutMs: number;
      readonly hsts: boolean;
    }
  | { readonly kind: 'redirect'; readonly code: number; readonly location: string; readonly hsts: boolean }
  | { readonly kind: 'default-backend'; readonly hsts: boolean }
  | { readonly kind: 'service-missing'; readonly service: { readonly namespace: string; readonly name: string; readonly port: number | string }; readonly reason: string; readonly hsts: boolean }
  | { readonly kind: 'bad-request'; readonly status: 400 | 414 | 494 };
