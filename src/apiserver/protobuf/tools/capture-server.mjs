#!/usr/bin/env node
/**
 * @module capture-server
 *
 * Dev tool (not part of the build or the tests): a logging mock API server used to capture the
 * protobuf request bodies that a real kubectl (1.32+) sends for `kubectl create ...`.
 * It binds 127.0.0.1 only, plain http, and serves just enough for `create`:
 *   GET /version, GET /api and GET /apis (aggregated discovery v2/v2beta1, as kubectl
 *   asks for it), and 201 for every POST, echoing the object decoded from the body
 *   (when started with `node --import tsx` so that ../decode.ts can be loaded; otherwise a minimal
 *   object built from the URL).
 * Every request is appended as one JSON line to LOGFILE: {method, url, headers, bodyHex}.
 *
 *   node --import tsx src/apiserver/protobuf/tools/capture-server.mjs /tmp/capture.jsonl
 *   (prints `listening 127.0.0.1:PORT` and runs until killed)
 * Point kubectl at it with a throwaway kubeconfig (`server: http://127.0.0.1:PORT`) and
 * `--cache-dir` in /tmp; tools/capture.sh does all of that.
 */
import http from 'node:http';
import fs from 'node:fs';

const logFile = process.argv[2] ?? '/tmp/kwire-capture.jsonl';
let decode = null;
try { ({ decodeKubernetesProtobuf: decode } = await import('../decode.ts')); } catch { decode = null; }

const R = (resource, kind, singular, scope, shortNames = [], subresources = []) => ({ resource, kind, singular, scope, shortNames, subresources });
const GROUPS = [
  ['', 'v1', [
    R('namespaces', 'Namespace', 'namespace', 'Cluster', ['ns']), R('configmaps', 'ConfigMap', 'configmap', 'Namespaced', ['cm']),
    R('secrets', 'Secret', 'secret', 'Namespaced'), R('services', 'Service', 'service', 'Namespaced', ['svc']),
    R('serviceaccounts', 'ServiceAccount', 'serviceaccount', 'Namespaced', ['sa'], [['token', 'authentication.k8s.io', 'v1', 'TokenRequest', ['create']]]),
    R('pods', 'Pod', 'pod', 'Namespaced', ['po']), R('resourcequotas', 'ResourceQuota', 'resourcequota', 'Namespaced', ['quota']),
    R('endpoints', 'Endpoints', 'endpoints', 'Namespaced', ['ep']), R('events', 'Event', 'event', 'Namespaced', ['ev']),
    R('nodes', 'Node', 'node', 'Cluster', ['no']),
  ]],
  ['apps', 'v1', [R('deployments', 'Deployment', 'deployment', 'Namespaced', ['deploy']), R('replicasets', 'ReplicaSet', 'replicaset', 'Namespaced', ['rs'])]],
  ['batch', 'v1', [R('jobs', 'Job', 'job', 'Namespaced'), R('cronjobs', 'CronJob', 'cronjob', 'Namespaced', ['cj'])]],
  ['networking.k8s.io', 'v1', [R('ingresses', 'Ingress', 'ingress', 'Namespaced', ['ing']), R('ingressclasses', 'IngressClass', 'ingressclass', 'Cluster'), R('networkpolicies', 'NetworkPolicy', 'networkpolicy', 'Namespaced', ['netpol'])]],
  ['discovery.k8s.io', 'v1', [R('endpointslices', 'EndpointSlice', 'endpointslice', 'Namespaced')]],
  ['rbac.authorization.k8s.io', 'v1', [R('roles', 'Role', 'role', 'Namespaced'), R('clusterroles', 'ClusterRole', 'clusterrole', 'Cluster'), R('rolebindings', 'RoleBinding', 'rolebinding', 'Namespaced'), R('clusterrolebindings', 'ClusterRoleBinding', 'clusterrolebinding', 'Cluster')]],
  ['policy', 'v1', [R('poddisruptionbudgets', 'PodDisruptionBudget', 'poddisruptionbudget', 'Namespaced', ['pdb'])]],
  ['scheduling.k8s.io', 'v1', [R('priorityclasses', 'PriorityClass', 'priorityclass', 'Cluster', ['pc'])]],
];
const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
function discovery(core, v) {
  const items = GROUPS.filter(([g]) => (g === '') === core).map(([group, version, rs]) => ({
    metadata: { name: group },
    versions: [{ version, freshness: 'Current', resources: rs.map((r) => ({
      resource: r.resource, responseKind: { group, version, kind: r.kind }, scope: r.scope, singularResource: r.singular,
      verbs: VERBS, ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      subresources: r.subresources.map(([sub, g, ver, kind, verbs]) => ({ subresource: sub, responseKind: { group: g, version: ver, kind }, verbs })),
    })) }],
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items };
}
const kindByResource = new Map(GROUPS.flatMap(([g, v, rs]) => rs.map((r) => [r.resource, { apiVersion: g ? `${g}/${v}` : v, kind: r.kind }])));

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    fs.appendFileSync(logFile, JSON.stringify({ method: req.method, url: req.url, headers: req.headers, bodyHex: body.toString('hex') }) + '\n');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const send = (status, obj, ct = 'application/json') => { res.writeHead(status, { 'Content-Type': ct }); res.end(JSON.stringify(obj)); };
    if (url.pathname === '/version') return send(200, { major: '1', minor: '33', gitVersion: 'v1.33.1', platform: 'linux/amd64' });
    if (url.pathname === '/api' || url.pathname === '/apis') {
      const v = /v=v2(?!beta1)/.test(req.headers.accept ?? '') ? 'v2' : 'v2beta1';
      return send(200, discovery(url.pathname === '/api', v), `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`);
    }
    if (req.method === 'POST') {
      const parts = url.pathname.split('/').filter(Boolean);
      const nsIdx = parts.indexOf('namespaces');
      const namespace = nsIdx >= 0 && parts.length > nsIdx + 2 ? parts[nsIdx + 1] : undefined;
      let obj;
      if (decode && body.length >= 4 && body.readUInt32BE(0) === 0x6b387300) {
        try { obj = decode(new Uint8Array(body)).object; } catch (e) { return send(400, { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: String(e), reason: 'BadRequest', code: 400 }); }
      } else if ((req.headers['content-type'] ?? '').startsWith('application/json')) obj = JSON.parse(body.toString('utf8'));
      else obj = { ...kindByResource.get(parts.at(-1)), metadata: { name: 'captured' } };
      obj = structuredClone(obj);
      obj.metadata = { ...(obj.metadata ?? {}), ...(namespace && obj.kind !== 'Namespace' ? { namespace } : {}), uid: '00000000-0000-0000-0000-000000000001', resourceVersion: '1', creationTimestamp: '2025-01-01T00:00:00Z' };
      if (obj.kind === 'TokenRequest') obj.status = { token: 'captured-token', expirationTimestamp: '2025-01-01T01:00:00Z' };
      return send(201, obj);
    }
    send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
  });
});
server.listen(0, '127.0.0.1', () => { const a = server.address(); console.log(`listening 127.0.0.1:${a.port}`); });
