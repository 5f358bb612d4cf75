/**
 * @module dns/parse
 * Reads a query name inside the cluster zone into a typed request, before any
 * lookup (CoreDNS `plugin/kubernetes/parse.go`). The shapes, right to left:
 *
 *   <zone>                                      apex          -> kind 'apex'
 *   svc.<zone> | pod.<zone>                                   -> kind 'apex'
 *   <ns>.svc|pod.<zone>                         namespace     -> service ''
 *   <service>.<ns>.svc|pod.<zone>               service / pod (a-b-c-d)
 *   <endpoint>.<service>.<ns>.svc.<zone>        endpoint hostname
 *   _<port>._<proto>.<service>.<ns>.svc.<zone>  SRV port/protocol
 *
 * Anything else (a label other than svc/pod after the zone, or more labels than
 * these) is 'invalid', which the kubernetes plugin answers with NXDOMAIN.
 * Input is a normalized (lower-case, dotless) name; pure.
 */
import { labels, trimZone } from './names.js';

export type RecordRequest =
  | { readonly kind: 'apex' }
  | { readonly kind: 'invalid' }
  | {
      readonly kind: 'name';
      readonly podOrSvc: 'svc' | 'pod';
      readonly namespace: string;
      /** Service name, or the dashed pod IP for pod queries; '' for a namespace-only name. */
      readonly service: string;
      /** Endpoint hostname ('' when absent). */
      readonly endpoint: string;
      /** Port name without the underscore ('' = any). */
      readonly port: string;
      /** Protocol without the underscore ('' = any). */
      readonly protocol: string;
    };

function stripUnderscore(s: string): string {
  return s.startsWith('_') ? s.slice(1) : s;
}

export function parseRequest(name: string, zone: string): RecordRequest {
  const base = trimZone(name, zone);
  if (base === '' || base === 'svc' || base === 'pod') return { kind: 'apex' };
  const segs = labels(base);
  let last = segs.length - 1;
  const podOrSvc = segs[last];
  if (podOrSvc !== 'svc' && podOrSvc !== 'pod') return { kind: 'invalid' };
  const r: { kind: 'name'; podOrSvc: 'svc' | 'pod'; namespace: string; service: string; endpoint: string; port: string; protocol: string } = {
    kind: 'name',
    podOrSvc,
    namespace: '',
    service: '',
    endpoint: '',
    port: '',
    protocol: '',
  };
  last--;
  r.namespace = segs[last]!;
  last--;
  if (last < 0) return r;
  r.service = segs[last]!;
  last--;
  if (last < 0) return r;
  if (last === 0) {
    r.endpoint = segs[0]!;
    return r;
  }
  if (last === 1) {
    r.protocol = stripUnderscore(segs[1]!);
    r.port = stripUnderscore(segs[0]!);
    return r;
  }
  return { kind: 'invalid' };
}
