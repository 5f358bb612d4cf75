/** @module api/validation/ingress.test
 * Table-driven tests for api/validation/ingress: one row per case, exact kube-apiserver messages.
 */
import { DNS1035_MSG, PORT_RANGE, SUBDOMAIN_MSG, WILDCARD_MSG, runTable } from './test-table.js';

type Obj = Record<string, unknown>;
const ing = (spec: Obj, meta: Obj = {}): Obj => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'default', ...meta }, spec });
const svcBackend = (name = 'web', port: Obj = { number: 80 }): Obj => ({ service: { name, port } });
const rule = (paths: Obj[], host?: string): Obj => ({ ...(host === undefined ? {} : { host }), http: { paths } });
const path = (p: string, pathType: string | null = 'Prefix', backend: Obj = svcBackend()): Obj => ({ path: p, ...(pathType === null ? {} : { pathType }), backend });

runTable('networking.k8s.io/Ingress', [
  { name: 'typical ingress is valid', obj: ing({ ingressClassName: 'nginx', rules: [rule([path('/')], 'app.example.com')] }), want: [] },
  { name: 'defaultBackend only is valid', obj: ing({ defaultBackend: svcBackend('web', { name: 'http' }) }), want: [] },
  { name: 'wildcard host is valid', obj: ing({ rules: [rule([path('/api', 'Exact')], '*.example.com')] }), want: [] },
  { name: 'rules or defaultBackend required', obj: ing({}), want: ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified'] },
  { name: 'empty rules list', obj: ing({ rules: [] }), want: ['spec: Invalid value: []networking.IngressRule{}: either `defaultBackend` or `rules` must be specified'] },
  { name: 'pathType required', obj: ing({ rules: [rule([path('/', null)])] }), want: ['spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified'] },
  {
    name: 'pathType unsupported',
    obj: ing({ rules: [rule([path('/', 'Regex')])] }),
    want: ['spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"'],
  },
  {
    name: 'Exact/Prefix paths must be absolute and clean',
    obj: ing({ rules: [rule([path('api'), path('/a//b', 'Exact'), path('/a/..', 'Prefix')])] }),
    want: [
      'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path',
      "spec.rules[0].http.paths[1].path: Invalid value: \"/a//b\": must not contain '//'",
      "spec.rules[0].http.paths[2].path: Invalid value: \"/a/..\": cannot end with '/..'",
    ],
  },
  {
    name: 'ImplementationSpecific may be empty but not relative',
    obj: ing({ rules: [rule([path('', 'ImplementationSpecific'), path('x', 'ImplementationSpecific')])] }),
    want: ['spec.rules[0].http.paths[1].path: Invalid value: "x": must be an absolute path'],
  },
  { name: 'http paths required', obj: ing({ rules: [{ host: 'a.com', http: { paths: [] } }] }), want: ['spec.rules[0].http.paths: Required value'] },
  {
    name: 'host must be a DNS name, not an IP',
    obj: ing({ rules: [rule([path('/')], '10.0.0.1')] }),
    want: ['spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address'],
  },
  {
    name: 'host format and wildcard rules',
    obj: ing({ rules: [rule([path('/')], 'App.example.com'), rule([path('/')], 'foo.*.com'), rule([path('/')], '*')] }),
    want: [
      `spec.rules[0].host: Invalid value: "App.example.com": ${SUBDOMAIN_MSG}`,
      `spec.rules[1].host: Invalid value: "foo.*.com": ${WILDCARD_MSG}`,
      `spec.rules[2].host: Invalid value: "*": ${WILDCARD_MSG}`,
    ],
  },
  {
    name: 'backend: service xor resource',
    obj: ing({ rules: [rule([path('/', 'Prefix', { ...svcBackend(), resource: { kind: 'Bucket', name: 'b' } }), path('/x', 'Prefix', {})])] }),
    want: [
      'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both resource and service backends',
      'spec.rules[0].http.paths[1].backend: Invalid value: "": resource or service backend is required',
    ],
  },
  {
    name: 'backend: port name xor number, and one is required',
    obj: ing({ rules: [rule([path('/', 'Prefix', svcBackend('web', { name: 'http', number: 80 })), path('/b', 'Prefix', svcBackend('web', {}))])] }),
    want: [
      'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number',
      'spec.rules[0].http.paths[1].backend: Required value: port name or number is required',
    ],
  },
  {
    name: 'backend: service name (DNS-1035) and port range',
    obj: ing({ defaultBackend: svcBackend('1web', { number: 70000 }) }),
    want: [`spec.defaultBackend.service.name: Invalid value: "1web": ${DNS1035_MSG}`, `spec.defaultBackend.service.port.number: Invalid value: 70000: ${PORT_RANGE}`],
  },
  {
    name: 'backend: service name required, port name format',
    obj: ing({ defaultBackend: svcBackend('', { name: 'HTTP' }) }),
    want: [
      'spec.defaultBackend.service.name: Required value',
      'spec.defaultBackend.service.port.name: Invalid value: "HTTP": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'spec.defaultBackend.service.port.name: Invalid value: "HTTP": must contain at least one letter (a-z)',
    ],
  },
  {
    name: 'tls hosts and secretName',
    obj: ing({ defaultBackend: svcBackend(), tls: [{ hosts: ['ok.example.com', 'Bad_Host', '*.ok.com'], secretName: 'Bad_Secret' }] }),
    want: [`spec.tls[0].hosts[1]: Invalid value: "Bad_Host": ${SUBDOMAIN_MSG}`, `spec.tls[0].secretName: Invalid value: "Bad_Secret": ${SUBDOMAIN_MSG}`],
  },
  {
    name: 'ingressClassName format',
    obj: ing({ ingressClassName: 'Nginx', defaultBackend: svcBackend() }),
    want: [`spec.ingressClassName: Invalid value: "Nginx": ${SUBDOMAIN_MSG}`],
  },
  {
    name: 'class annotation must agree with ingressClassName',
    obj: ing({ ingressClassName: 'nginx', defaultBackend: svcBackend() }, { annotations: { 'kubernetes.io/ingress.class': 'traefik' } }),
    want: ['annotations.kubernetes.io/ingress.class: Invalid value: "traefik": must match `ingressClassName` when both are specified'],
  },
  {
    name: 'resource backend reference',
    obj: ing({ defaultBackend: { resource: { apiGroup: 'Example.com', kind: '', name: 'a/b' } } }),
    want: [
      `spec.defaultBackend.resource.apiGroup: Invalid value: "Example.com": ${SUBDOMAIN_MSG}`,
      'spec.defaultBackend.resource.kind: Required value',
      "spec.defaultBackend.resource.name: Invalid value: \"a/b\": may not contain '/'",
    ],
  },
  {
    name: 'update tolerates an already-invalid TLS secret name',
    old: { metadata: { name: 'web', namespace: 'default', resourceVersion: '1', uid: 'u' }, spec: { defaultBackend: svcBackend(), tls: [{ secretName: 'Bad_Secret' }] } },
    obj: { metadata: { name: 'web', namespace: 'default', resourceVersion: '1', uid: 'u' }, spec: { defaultBackend: svcBackend(), tls: [{ secretName: 'Bad_Secret' }] } },
    want: [],
  },
]);

const ic = (spec: Obj): Obj => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec });
runTable('networking.k8s.io/IngressClass', [
  { name: 'valid', obj: ic({ controller: 'k8s.io/ingress-nginx' }), want: [] },
  { name: 'controller required', obj: ic({}), want: ['spec.controller: Required value'] },
  { name: 'controller must be domain-prefixed', obj: ic({ controller: 'nginx' }), want: ['spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")'] },
  {
    name: 'controller domain and path parts',
    obj: ic({ controller: 'Acme.io/a b' }),
    want: [
      `spec.controller: Invalid value: "Acme.io": ${SUBDOMAIN_MSG}`,
      "spec.controller: Invalid value: \"a b\": Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')",
    ],
  },
  { name: 'controller length', obj: ic({ controller: `acme.io/${'x'.repeat(250)}` }), want: ['spec.controller: Too long: may not be more than 250 bytes'] },
  {
    name: 'parameters: namespace scope needs a namespace',
    obj: ic({ controller: 'acme.io/c', parameters: { kind: 'Cfg', name: 'x', scope: 'Namespace' } }),
    want: ["spec.parameters.namespace: Required value: `parameters.scope` is set to 'Namespace'"],
  },
  {
    name: 'parameters: scope defaulted to Cluster; namespace then forbidden',
    obj: ic({ controller: 'acme.io/c', parameters: { kind: 'Cfg', name: 'x', namespace: 'default' } }),
    want: ["spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"],
  },
  {
    name: 'controller immutable',
    old: { metadata: { name: 'nginx', resourceVersion: '1', uid: 'u' }, spec: { controller: 'acme.io/a' } },
    obj: { metadata: { name: 'nginx', resourceVersion: '1', uid: 'u' }, spec: { controller: 'acme.io/b' } },
    want: ['spec.controller: Invalid value: "acme.io/b": field is immutable'],
  },
]);
