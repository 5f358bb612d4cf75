/**
 * @module dataplane/service-proxy/translator
 * Plugs a `ServiceProxy` into the pod network's connect path as its
 * `Translator` (dataplane/hooks): a flow dialled by a pod (or anything on the
 * virtual network) to a ClusterIP, a LoadBalancer IP, an external IP or a node
 * IP's NodePort is resolved by the proxy; the answer becomes forward (with
 * SNAT to the node's IP when kube-proxy would masquerade), reject or drop.
 * Flows entering from the host (real NodePort/LoadBalancer sockets) call
 * `ServiceProxy.resolve` directly with the receiving node.
 *
 * A NodePort is translated by the node the node IP belongs to, whoever dials
 * it: a pod on another node reaches it masqueraded to its own node's IP
 * (`nodePortArrival`, ../node-network.ts); with policy Cluster the endpoint
 * sees the receiving node's IP, as it does for traffic from the host.
 */
import { nodePortArrival } from '../node-network.js';
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
  const nodeOfIp = opts.nodeOfIp ?? ((): undefined => undefined);
  return {
    translate(req: TranslateRequest): TranslateResult | undefined {
      const { ip, port } = req.dst;
      const owner = req.src.owner;
      let nodeName = owner?.kind === 'pod' ? owner.node : owner?.kind === 'node' ? owner.name : undefined;
      let srcIp = req.src.ip;
      /** The source after the client's node masqueraded it on the way to another node's NodePort. */
      let masqueradedTo: string | undefined;
      let via: Via | undefined;
      if (proxy.isClusterIP(ip)) via = 'clusterIP';
      else via = proxy.externalAddressKind(ip, port, req.protocol);
      if (via === undefined && nodeOfIp(ip) !== undefined) via = 'nodePort';
      if (via === undefined) return undefined;
      if (via === 'nodePort') {
        // The node owning the node IP applies its NodePort rules, to the source it sees.
        const a = nodePortArrival(req.src, ip, { nodeIp: opts.nodeIp, nodeOfIp });
        if (a !== undefined) {
          nodeName = a.node;
          srcIp = a.srcIp;
          masqueradedTo = a.masqueradedTo;
        }
      } else if (nodeName === undefined && owner === undefined && (via === 'loadBalancer' || via === 'externalIP')) {
        // Traffic entering from the host to a LoadBalancer IP lands on the node that announces it.
        const probe = proxy.resolve({ dstIp: ip, dstPort: port, protocol: req.protocol, srcIp, via, nodeName: '' });
        if (probe.kind !== 'none' && 'service' in probe) nodeName = opts.receivingNode?.(probe.service);
      }
      const r = proxy.resolve({ dstIp: ip, dstPort: port, protocol: req.protocol, srcIp, via, ...(nodeName !== undefined ? { nodeName } : {}) });
      switch (r.kind) {
        case 'none':
          return undefined;
        case 'reject':
          return { kind: 'reject', service: ref(r), reason: r.reason };
        case 'drop':
          return { kind: 'drop', service: ref(r), reason: r.reason };
        case 'endpoint': {
          const snatIp = r.preserveClientIp ? masqueradedTo : nodeName === undefined ? undefined : opts.nodeIp(nodeName);
          return { kind: 'forward', dst: { ip: r.ip, port: r.port }, service: ref(r), ...(snatIp !== undefined ? { snat: { ip: snatIp } } : {}) };
        }
        default: {
          const never: never = r;
          throw new Error(`unexpected resolve result ${JSON.stringify(never)}`);
        }
      }
    },
    // A LoadBalancer ingress IP (kwire's pool is 127.0.X.100-199): a pod dialling it
    // reaches the Service, not its own loopback. Node IPs are known to the network itself.
    isServiceNodeAddress(ip: string): boolean {
      return proxy.loadBalancerListeners().some((l) => l.ip === ip);
    },
  };
}
