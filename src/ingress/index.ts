/**
 * @module ingress
 * ingress-nginx, in process: the pure route table (`compileRouteTable`,
 * `decide`), the proxy shell over an injected `ConnectToService`, TLS by SNI
 * with the fake certificate, the host listeners, and the controller that keeps
 * the table, Ingress status and Events in step with the API objects.
 *
 * ```
 *  IngressController --table()--> IngressProxy --ConnectToService--> pod network
 *        ^ watch                     ^ node:http / node:https (TlsContexts, SNI)
 *  Ingress, IngressClass,            startIngressListeners(127.0.0.1:80/443, LB IP)
 *  Service, Secret
 * ```
 */
export { compileRouteTable, findServer, findLocation, tlsServerFor, type RouteTable, type Server, type Location, type Upstream, type IngressProblem, type CompileInput } from './route-table.js';
export { decide, routeToCanary, type DecideOptions } from './decide.js';
export type { Decision, RouteRequest, ServiceTarget, IngressRef } from './types.js';
export { parseAnnotations, unsupportedAnnotations, SUPPORTED_ANNOTATIONS, type IngressAnnotations } from './annotations.js';
export { classify, indexClasses, DEFAULT_CLASS_CONFIG, type ClassConfig } from './ingress-class.js';
export { IngressProxy, type IngressProxyOptions, type AccessRecord, type Scheme } from './proxy.js';
export { upgradeHandler } from './upgrade.js';
export { UpstreamPool, type ConnectToService } from './upstream.js';
export { TlsContexts } from './tls-contexts.js';
export { fakeCertificate, FAKE_CERT_SUBJECT } from './fake-cert.js';
export { startIngressListeners, createIngressServer, type ListenSpec, type ListenResult, type IngressListeners } from './listeners.js';
export { IngressController, type IngressControllerOptions, EVENT_COMPONENT } from './controller.js';
export { nginxPage } from './error-pages.js';
