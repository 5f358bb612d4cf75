/**
 * @module apiserver/route
 * Parses a request path into what it addresses: discovery, OpenAPI, or a resource
 * (group, version, namespace, plural, name, subresource). Pure.
 */
import { RESOURCES, findResource, type ResourceInfo } from '../api/resources.js';

export type Route =
  | { readonly t: 'version' | 'healthz' | 'api' | 'apis' | 'openapi-v2' | 'openapi-v3-index' }
  | { readonly t: 'openapi-v3'; readonly path: string }
  | { readonly t: 'group'; readonly group: string }
  | { readonly t: 'resource-list'; readonly group: string; readonly version: string }
  | {
      readonly t: 'resource';
      readonly res: ResourceInfo;
      readonly namespace?: string;
      readonly name?: string;
      readonly subresource?: string;
    }
  | { readonly t: 'unknown-resource'; readonly group: string; readonly version: string; readonly plural: string }
  | { readonly t: 'not-found' };

export function parseRoute(pathname: string): Route {
  const p = pathname.replace(/\/+$/, '') || '/';
  if (p === '/version') return { t: 'version' };
  if (p === '/healthz' || p === '/livez' || p === '/readyz' || p.startsWith('/healthz/') || p.startsWith('/livez/') || p.startsWith('/readyz/')) return { t: 'healthz' };
  if (p === '/api') return { t: 'api' };
  if (p === '/apis') return { t: 'apis' };
  if (p === '/openapi/v2' || p === '/swagger-2.0.0.pb-v1' || p === '/swagger.json') return { t: 'openapi-v2' };
  if (p === '/openapi/v3') return { t: 'openapi-v3-index' };
  if (p.startsWith('/openapi/v3/')) return { t: 'openapi-v3', path: p.slice('/openapi/v3/'.length) };
  const segs = p.split('/').slice(1).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api') {
    if (segs.length === 1) return { t: 'api' };
    group = '';
    version = segs[1]!;
    rest = segs.slice(2);
  } else if (segs[0] === 'apis') {
    if (segs.length === 2) return { t: 'group', group: segs[1]! };
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  } else return { t: 'not-found' };
  if (rest.length === 0) return { t: 'resource-list', group, version };
  // /namespaces/{ns}/{plural}[/{name}[/{sub}]] when {plural} is a namespaced resource.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const r = findResource(group, version, rest[2]!);
    if (r && r.namespaced) {
      if (rest.length > 5) return { t: 'not-found' };
      return { t: 'resource', res: r, namespace: rest[1], name: rest[3], subresource: rest[4] };
    }
    if (!r && group === '' && !['status', 'finalize'].includes(rest[2]!)) {
      return { t: 'unknown-resource', group, version, plural: rest[2]! };
    }
  }
  const r = findResource(group, version, rest[0]!);
  if (!r) {
    if (RESOURCES.some((x) => x.group === group && x.version === version)) return { t: 'unknown-resource', group, version, plural: rest[0]! };
    return { t: 'not-found' };
  }
  if (rest.length > 3) return { t: 'not-found' };
  return { t: 'resource', res: r, name: rest[1], subresource: rest[2] };
}
