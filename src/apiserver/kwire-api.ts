/**
 * @module apiserver/kwire-api
 * kwire's own JSON endpoints, served behind the API server's authentication
 * through its `kwireRoutes` hook (the CLI and the web UI call them):
 *
 *   GET /kwire/v1/explain?from=..&to=..[&port=..][&protocol=tcp][&namespace=..]
 *        -> Explanation (kwire-query.ts)
 *   GET /kwire/v1/matrix?[namespaces=a,b][&ports=80,81][&protocols=tcp,udp]
 *                        [&from=..][&to=..][&namespace=..]
 *        -> ReachabilityMatrix
 *   GET /kwire/v1/flows?[namespace=..][&verdict=..][&since=..][&limit=..][&follow=true]
 *        -> FlowList, or with follow a stream of `{"flow": …}` JSON lines
 *
 * Endpoint forms: `ns/pod`, `pod`, `svc/ns/name`, `svc/name`, `ip:ADDRESS`
 * (see kwire-endpoints.ts; Services are translated with their
 * EndpointSlices and every endpoint the proxy could pick is judged).
 * `from`, `to` and `namespaces` may repeat or hold comma lists. Errors are
 * Kubernetes `Status` objects. Other paths under /kwire/ are not ours (the
 * hook answers false); a non-GET on ours is 405.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, errors } from '../errors.js';
import type { PolicyEngine } from '../policy/index.js';
import { sendJson, sendStatus } from './http-util.js';
import type { ServiceCatalog } from './kwire-endpoints.js';
import { followFlows, parseFlowQuery, queryFlows, type FlowSource } from './kwire-flows.js';
import { explainEndpoints, KWIRE_API_VERSION, matrixEndpoints, parsePort, parsePortList, parseProtocol, parseProtocolList, splitList, type ExplainRequest, type MatrixRequest } from './kwire-query.js';
import { registryCatalog } from './kwire-services.js';
import type { Registry } from './registry.js';

export interface KwireApiDeps {
  readonly engine: PolicyEngine;
  /** The registry (Services and EndpointSlices for the translation). */
  readonly registry: Registry;
  /** The pod network (or its FlowLog); absent: /flows answers 503. */
  readonly net?: FlowSource;
  /** Overrides the registry-backed Service catalog (tests). */
  readonly catalog?: ServiceCatalog;
  /** Milliseconds clock for relative `since` (default Date.now). */
  readonly now?: () => number;
}

/** The `kwireRoutes` hook of ApiServerDeps. */
export type KwireRoutes = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

const PATHS = ['/kwire/v1/explain', '/kwire/v1/matrix', '/kwire/v1/flows'] as const;
type Path = (typeof PATHS)[number];

function isPath(p: string): p is Path {
  return (PATHS as ReadonlyArray<string>).includes(p);
}

function opt(q: URLSearchParams, k: string): string | undefined {
  const v = q.get(k);
  return v === null || v.trim() === '' ? undefined : v;
}

function required(q: URLSearchParams, k: string): string {
  const v = opt(q, k);
  if (v === undefined) throw errors.badRequest(`query parameter "${k}" is required`);
  return v;
}

/** The explain request in a query string. */
export function explainRequestOf(q: URLSearchParams): ExplainRequest {
  const port = opt(q, 'port');
  const protocol = opt(q, 'protocol');
  const namespace = opt(q, 'namespace');
  return {
    from: required(q, 'from'),
    to: required(q, 'to'),
    ...(port !== undefined ? { port: parsePort(port) } : {}),
    ...(protocol !== undefined ? { protocol: parseProtocol(protocol) } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
  };
}

/** The matrix request in a query string. */
export function matrixRequestOf(q: URLSearchParams): MatrixRequest {
  const namespace = opt(q, 'namespace');
  return {
    namespaces: splitList(q.getAll('namespaces')),
    ports: parsePortList(q.getAll('ports')),
    protocols: parseProtocolList(q.getAll('protocols')),
    from: splitList(q.getAll('from')),
    to: splitList(q.getAll('to')),
    ...(namespace !== undefined ? { namespace } : {}),
  };
}

export function createKwireRoutes(deps: KwireApiDeps): KwireRoutes {
  const catalog = deps.catalog ?? registryCatalog(deps.registry);
  const now = deps.now ?? Date.now;
  return (req, res, url) => {
    const path = url.pathname;
    if (!isPath(path)) return false;
    try {
      if (req.method !== 'GET') throw errors.methodNotAllowed();
      const q = url.searchParams;
      switch (path) {
        case '/kwire/v1/explain':
          sendJson(res, 200, explainEndpoints(deps.engine, catalog, explainRequestOf(q)));
          return true;
        case '/kwire/v1/matrix':
          sendJson(res, 200, matrixEndpoints(deps.engine, catalog, matrixRequestOf(q)));
          return true;
        case '/kwire/v1/flows': {
          const net = deps.net;
          if (!net) throw new ApiError(503, 'ServiceUnavailable', 'the pod network is not running: no flows to show');
          const fq = parseFlowQuery(q, now());
          if (fq.follow) followFlows(net, fq, res);
          else sendJson(res, 200, { apiVersion: KWIRE_API_VERSION, kind: 'FlowList', items: queryFlows(net, fq) });
          return true;
        }
        default: {
          const never: never = path;
          throw new Error(`unrouted path ${String(never)}`);
        }
      }
    } catch (err) {
      sendStatus(res, err);
      return true;
    }
  };
}
