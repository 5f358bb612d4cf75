/**
 * @module dataplane/service-proxy/translator
 * Plugs a `ServiceProxy` into the pod network's connect path as its
 * `Translator` (dataplane/hooks): a flow dialled by a pod (or anything on the
 * virtual network) to a ClusterIP, a LoadBalancer IP, an external IP or a node
 * IP's NodePort is resolved by the proxy; the answer becomes forward (with
 * SNAT to the node's IP when kube-proxy would masquerade), reject or drop.
 * Flows entering from the host (real NodePort/LoadBalancer sockets) call
 * `ServiceProxy.resolve` directly with the receiving node.
 */
import type { TranslateRequest, TranslateResult, Translator } from '../hooks.js';
import type { ServiceRef } from '../types.js';
import type { ServiceProxy } from './proxy.js';
import type { ResolveResult, Via } from './types.js';

export interface ProxyTranslatorOptions {
  /** A node's InternalIP (the masquerade source). */
  readonly nodeIp: (nodeName: string) => string | undefined;
  /** The node owning an InternalIP, when `ip` is one (so `nodeIP:nodePort` is recognised). */
  readonly nodeOfIp?: (ip: string) => string | undefined;
  /**
   * For traffic from the host (no owner) to a LoadBalancer or external IP: the node
   * that receives it, as a MetalLB L2 speaker would (a node with a local endpoint).
   */
  readonly receivingNode?: (service: { namespace: string; name: string }) => string | undefined;
}

function ref(r: Extract<ResolveResult, { service: unknown }>): ServiceRef {
  const portName = r.servicePortName.includes(':') ? r.servicePortName.slice(r.servicePortName.lastIndexOf(':') + 1) : undefined;
  return { namespace: r.service.namespace, name: r.service.name, ...(portName !== undefined ? { port: portName } : {}) };
}

export function proxyTranslator(proxy: ServiceProxy, opts: ProxyTranslatorOptions): Translator {
  return {
    translate(req: TranslateRequest): TranslateResult | undefined {
      const { ip, port } = req.dst;
      const owner = req.src.owner;
      let nodeName = owner?.kind === 'pod' ? owner.node : owner?.kind === 'node' ? owner.name : undefined;
      let via: Via | undefined;
      if (proxy.isClusterIP(ip)) via = 'clusterIP';
      else via = proxy.externalAddressKind(ip, port, req.protocol);
      if (via === undefined && opts.nodeOfIp?.(ip) !== undefined) via = 'nodePort';
      if (via === undefined) return undefined;
      // Traffic entering from the host lands on a node: the one owning the node IP
      // it was sent to, or for a LoadBalancer IP the node that announces it.
      if (nodeName === undefined && owner === undefined) {
        if (via === 'nodePort') nodeName = opts.nodeOfIp?.(ip);
        else if (via === 'loadBalancer' || via === 'externalIP') {
          const probe = proxy.resolve({ dstIp: ip, dstPort: port, protocol: req.protocol, srcIp: req.src.ip, via, nodeName: '' });
          if (probe.kind !== 'none' && 'service' in probe) nodeName = opts.receivingNode?.(probe.service);
        }
      }
      const r = proxy.resolve({ dstIp: ip, dstPort: port, protocol: req.protocol, srcIp: req.src.ip, via, ...(nodeName !== undefined ? { nodeName } : {}) });
      switch (r.kind) {
        case 'none':
          return undefined;
        case 'reject':
          return { kind: 'reject', service: ref(r), reason: r.reason };
        case 'drop':
          return { kind: 'drop', service: ref(r), reason: r.reason };
        case 'endpoint': {
          const snatIp = r.preserveClientIp || nodeName === undefined ? undefined : opts.nodeIp(nodeName);
          return { kind: 'forward', dst: { ip: r.ip, port: r.port }, service: ref(r), ...(snatIp !== undefined ? { snat: { ip: snatIp } } : {}) };
        }
        default: {
          const never: never = r;
          throw new Error(`unexpected resolve result ${JSON.stringify(never)}`);
        }
      }
    },
  };
}
