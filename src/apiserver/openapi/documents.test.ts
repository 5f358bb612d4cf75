/** @module apiserver/openapi/documents.test */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { RESOURCES, groupVersions } from '../../api/resources.js';
import {
  buildOpenAPIV3Document,
  openapiV3Document,
  openapiV3Index,
  openapiV3Path,
  openapiV3Response,
} from './documents.js';
import { SCHEMAS, schemaNameForGVK } from './schemas.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
function obj(v: unknown, what: string): Obj {
  assert.ok(isObj(v), `${what} is not an object`);
  return v;
}
function arr(v: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(v), `${what} is not an array`);
  return v;
}

function parsedDoc(path: string): Obj {
  const d = openapiV3Document(path);
  assert.ok(d, `no document for ${path}`);
  return obj(JSON.parse(d.body), path);
}

function paramNames(op: Obj): string[] {
  const ps = op.parameters;
  if (!Array.isArray(ps)) return [];
  return ps.filter(isObj).map((p) => String(p.name));
}

/** Same logic as kubectl's supportsQueryParamV3: the first PATCH op with the GVK decides. */
function patchOpsFor(doc: Obj, gvk: { group: string; version: string; kind: string }): Obj[] {
  const out: Obj[] = [];
  for (const item of Object.values(obj(doc.paths, 'paths'))) {
    const patch = isObj(item) ? item.patch : undefined;
    if (!isObj(patch)) continue;
    const g = patch['x-kubernetes-group-version-kind'];
    if (isObj(g) && g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind) out.push(patch);
  }
  return out;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

describe('openapiV3Index', () => {
  it('lists every group-version of the resource table, each with its document hash', () => {
    const index = openapiV3Index();
    const expected = groupVersions().map((gv) => openapiV3Path(gv.group, gv.version));
    assert.deepEqual(Object.keys(index.paths).sort(), [...expected].sort());
    assert.ok(expected.includes('api/v1'));
    assert.ok(expected.includes('apis/apps/v1'));
    assert.ok(expected.includes('apis/networking.k8s.io/v1'));
    for (const p of expected) {
      const doc = openapiV3Document(p);
      assert.ok(doc);
      assert.equal(index.paths[p].serverRelativeURL, `/openapi/v3/${p}?hash=${doc.hash}`);
      assert.match(doc.hash, /^[0-9A-F]{128}$/);
    }
  });

  it('serves no document for group-versions kwire does not have', () => {
    assert.equal(openapiV3Document('apis/batch/v1'), undefined);
    assert.equal(openapiV3Document('api/v2'), undefined);
    assert.equal(openapiV3Document(''), undefined);
  });

  it('accepts the path with a leading slash, the /openapi/v3 prefix and a query', () => {
    const d = openapiV3Document('apis/apps/v1');
    assert.equal(openapiV3Document('/apis/apps/v1'), d);
    assert.equal(openapiV3Document('/openapi/v3/apis/apps/v1?hash=X&timeout=32s'), d);
  });
});

describe('group-version documents', () => {
  it('are OpenAPI 3.0 documents titled Kubernetes', () => {
    for (const p of Object.keys(openapiV3Index().paths)) {
      const doc = parsedDoc(p);
      assert.equal(doc.openapi, '3.0.0');
      assert.equal(obj(doc.info, 'info').title, 'Kubernetes');
      assert.ok(isObj(obj(doc.components, 'components').schemas));
    }
  });

  it("give every resource's PATCH operations the operation-level fieldValidation parameter (kubectl apply check)", () => {
    for (const r of RESOURCES.filter((x) => x.verbs.includes('patch'))) {
      const doc = parsedDoc(openapiV3Path(r.group, r.version));
      const patches = patchOpsFor(doc, { group: r.group, version: r.version, kind: r.kind });
      assert.ok(patches.length >= 1, `${r.kind}: no PATCH operation with its GVK`);
      for (const op of patches) {
        const names = paramNames(op);
        for (const n of ['fieldValidation', 'fieldManager', 'dryRun', 'force']) assert.ok(names.includes(n), `${r.kind} patch lacks ${n}`);
        assert.equal(op['x-kubernetes-action'], 'patch');
        const fv = arr(op.parameters, 'parameters').filter(isObj).find((x) => x.name === 'fieldValidation');
        assert.equal(fv?.in, 'query');
      }
    }
  });

  it('have collection and item paths with the verbs of the table, each operation with GVK and action', () => {
    for (const r of RESOURCES) {
      const doc = parsedDoc(openapiV3Path(r.group, r.version));
      const paths = obj(doc.paths, 'paths');
      const prefix = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
      const base = `${prefix}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.plural}`;
      const coll = obj(paths[base], base);
      // A create-only resource (SelfSubjectReview) has no item path, as upstream.
      const itemVerbs = ['get', 'update', 'patch', 'delete'].some((v) => r.verbs.includes(v));
      assert.equal(isObj(paths[`${base}/{name}`]), itemVerbs, `${base}/{name}`);
      const item = itemVerbs ? obj(paths[`${base}/{name}`], `${base}/{name}`) : {};
      assert.equal(isObj(coll.get), r.verbs.includes('list'));
      assert.equal(isObj(coll.post), r.verbs.includes('create'));
      assert.equal(isObj(coll.delete), r.verbs.includes('deletecollection'));
      assert.equal(isObj(item.get), r.verbs.includes('get'));
      assert.equal(isObj(item.put), r.verbs.includes('update'));
      assert.equal(isObj(item.patch), r.verbs.includes('patch'));
      assert.equal(isObj(item.delete), r.verbs.includes('delete'));
      assert.equal(obj(coll.post, 'post')['x-kubernetes-action'], 'post');
      assert.deepEqual(paramNames(obj(coll.post, 'post')), ['dryRun', 'fieldManager', 'fieldValidation']);
      if (r.verbs.includes('update')) assert.deepEqual(paramNames(obj(item.put, 'put')), ['dryRun', 'fieldManager', 'fieldValidation']);
      if (r.namespaced) assert.ok(isObj(obj(paths[`${prefix}/${r.plural}`], 'all-namespaces').get));
      for (const [p, entry] of Object.entries(paths)) {
        for (const m of HTTP_METHODS) {
          const op = obj(entry, p)[m];
          if (!isObj(op)) continue;
          assert.equal(typeof op['x-kubernetes-action'], 'string', `${m} ${p}: no action`);
          const g = obj(op['x-kubernetes-group-version-kind'], `${m} ${p} gvk`);
          assert.deepEqual(Object.keys(g).sort(), ['group', 'kind', 'version']);
          assert.equal(typeof op.operationId, 'string');
        }
      }
    }
  });

  it('carry subresources: status with the kind, scale with autoscaling/v1 Scale', () => {
    const doc = parsedDoc('apis/apps/v1');
    const paths = obj(doc.paths, 'paths');
    const scale = obj(obj(paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'], 'scale').patch, 'patch');
    assert.deepEqual(scale['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
    assert.ok(paramNames(scale).includes('fieldValidation'));
    const st = obj(obj(paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status'], 'status').put, 'put');
    assert.deepEqual(st['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'Deployment', version: 'v1' });
    assert.ok(isObj(obj(obj(doc.components, 'c').schemas, 's')['io.k8s.api.autoscaling.v1.Scale']));
    const core = obj(parsedDoc('api/v1').paths, 'paths');
    const exec = obj(obj(core['/api/v1/namespaces/{namespace}/pods/{name}/exec'], 'exec').post, 'post');
    assert.equal(exec['x-kubernetes-action'], 'connect');
    // kube-apiserver's createCoreV1NamespacedServiceAccountToken.
    const token = obj(obj(core['/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token'], 'token').post, 'post');
    assert.equal(token.operationId, 'createCoreV1NamespacedServiceAccountToken');
    assert.equal(token['x-kubernetes-action'], 'post');
    assert.deepEqual(token['x-kubernetes-group-version-kind'], { group: 'authentication.k8s.io', kind: 'TokenRequest', version: 'v1' });
    assert.deepEqual(obj(obj(obj(token.requestBody, 'body').content, 'content')['*/*'], '*/*').schema, { $ref: '#/components/schemas/io.k8s.api.authentication.v1.TokenRequest' });
  });

  it('serve authentication.k8s.io SelfSubjectReview as create-only, as kube-apiserver (kubectl auth whoami)', () => {
    for (const version of ['v1', 'v1beta1']) {
      const paths = obj(parsedDoc(`apis/authentication.k8s.io/${version}`).paths, 'paths');
      assert.deepEqual(Object.keys(paths), [`/apis/authentication.k8s.io/${version}/selfsubjectreviews`]);
      const post = obj(obj(paths[`/apis/authentication.k8s.io/${version}/selfsubjectreviews`], 'ssr').post, 'post');
      assert.equal(post.operationId, `createAuthentication${version === 'v1' ? 'V1' : 'V1beta1'}SelfSubjectReview`);
      assert.deepEqual(post['x-kubernetes-group-version-kind'], { group: 'authentication.k8s.io', kind: 'SelfSubjectReview', version });
    }
  });

  it('are self-contained: every $ref resolves inside the same document', () => {
    for (const p of Object.keys(openapiV3Index().paths)) {
      const doc = parsedDoc(p);
      const schemas = obj(obj(doc.components, 'components').schemas, 'schemas');
      const refs = new Set<string>();
      const visit = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(visit);
        else if (isObj(v)) for (const [k, x] of Object.entries(v)) (k === '$ref' && typeof x === 'string' ? refs.add(x) : visit(x));
      };
      visit(doc);
      assert.ok(refs.size > 3, p);
      for (const ref of refs) {
        assert.ok(ref.startsWith('#/components/schemas/'), ref);
        assert.ok(isObj(schemas[ref.slice('#/components/schemas/'.length)]), `${p}: dangling ${ref}`);
      }
    }
  });

  it("let kubectl explain find each kind: GVK from the resource's paths, schema by the same GVK", () => {
    for (const r of RESOURCES) {
      const doc = parsedDoc(openapiV3Path(r.group, r.version));
      const paths = obj(doc.paths, 'paths');
      const prefix = r.group === '' ? '/api' : `/apis/${r.group}`;
      const candidates = [
        `${prefix}/${r.version}/${r.plural}`,
        `${prefix}/${r.version}/${r.plural}/{name}`,
        `${prefix}/${r.version}/namespaces/{namespace}/${r.plural}`,
        `${prefix}/${r.version}/namespaces/{namespace}/${r.plural}/{name}`,
      ];
      let gvk: unknown;
      for (const c of candidates) {
        const entry = paths[c];
        if (!isObj(entry)) continue;
        for (const m of HTTP_METHODS) if (gvk === undefined && isObj(entry[m])) gvk = obj(entry[m], m)['x-kubernetes-group-version-kind'];
        if (gvk !== undefined) break;
      }
      assert.deepEqual(gvk, { group: r.group, kind: r.kind, version: r.version });
      const schemas = obj(obj(doc.components, 'components').schemas, 'schemas');
      const found = Object.values(schemas).filter(
        (s) => isObj(s) && Array.isArray(s['x-kubernetes-group-version-kind']) && s['x-kubernetes-group-version-kind'].some((g: unknown) => isObj(g) && g.group === r.group && g.version === r.version && g.kind === r.kind),
      );
      assert.equal(found.length, 1, `${r.kind}: ${found.length} schemas with its GVK`);
      assert.ok(isObj(obj(found[0], 'schema').properties));
    }
  });

  it('are byte-stable: two independent builds give the same body and hash, the hash is SHA-512 of the body', () => {
    for (const gv of groupVersions()) {
      const a = buildOpenAPIV3Document(gv.group, gv.version);
      const b = buildOpenAPIV3Document(gv.group, gv.version);
      assert.equal(a.body, b.body);
      assert.equal(a.hash, b.hash);
      assert.equal(a.hash, createHash('sha512').update(a.body).digest('hex').toUpperCase());
      assert.equal(openapiV3Document(openapiV3Path(gv.group, gv.version))?.hash, a.hash);
    }
    const hashes = new Set(groupVersions().map((gv) => buildOpenAPIV3Document(gv.group, gv.version).hash));
    assert.equal(hashes.size, groupVersions().length);
  });
});

describe('Service schema', () => {
  const schemas = obj(obj(parsedDoc('api/v1').components, 'components').schemas, 'schemas');
  const deref = (s: Obj): Obj => {
    const all = s.allOf;
    const target = Array.isArray(all) && isObj(all[0]) ? all[0].$ref : s.$ref;
    assert.equal(typeof target, 'string');
    return obj(schemas[String(target).replace('#/components/schemas/', '')], String(target));
  };

  it('has spec.ports as a list of ServicePort with port, targetPort and nodePort, described', () => {
    const svc = obj(schemas['io.k8s.api.core.v1.Service'], 'Service');
    assert.deepEqual(svc['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Service', version: 'v1' }]);
    assert.match(String(svc.description), /^Service is a named abstraction of software service/);
    const spec = deref(obj(obj(svc.properties, 'props').spec, 'spec'));
    const ports = obj(obj(spec.properties, 'spec props').ports, 'ports');
    assert.equal(ports.type, 'array');
    assert.match(String(ports.description), /list of ports that are exposed by this service/);
    assert.equal(ports['x-kubernetes-patch-merge-key'], 'port');
    assert.equal(ports['x-kubernetes-patch-strategy'], 'merge');
    assert.equal(ports['x-kubernetes-list-type'], 'map');
    assert.deepEqual(ports['x-kubernetes-list-map-keys'], ['port', 'protocol']);
    const sp = deref(obj(ports.items, 'items'));
    assert.deepEqual(sp.required, ['port']);
    const props = obj(sp.properties, 'ServicePort props');
    for (const f of ['port', 'targetPort', 'nodePort', 'protocol', 'name', 'appProtocol']) {
      assert.ok(isObj(props[f]), f);
      assert.ok(String(obj(props[f], f).description).length > 10, `${f} has no description`);
    }
    assert.deepEqual({ type: obj(props.port, 'port').type, format: obj(props.port, 'port').format }, { type: 'integer', format: 'int32' });
    assert.match(String(obj(props.nodePort, 'nodePort').description), /^The port on each node on which this service is exposed/);
    const tp = deref(obj(props.targetPort, 'targetPort'));
    assert.equal(tp.format, 'int-or-string');
    assert.equal(tp['x-kubernetes-int-or-string'], true);
    assert.equal(tp.type, undefined); // so kubectl explain prints <IntOrString>
  });

  it('maps metadata.labels to a string map and creationTimestamp to a date-time', () => {
    const om = obj(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'], 'ObjectMeta');
    const props = obj(om.properties, 'props');
    assert.deepEqual(obj(props.labels, 'labels').additionalProperties, { type: 'string' });
    assert.equal(deref(obj(props.creationTimestamp, 'ts')).format, 'date-time');
  });
});

describe('shared schemas', () => {
  it('resolve kinds and lists by GVK, with int64 where upstream has it', () => {
    assert.equal(schemaNameForGVK('apps', 'v1', 'DeploymentList'), 'io.k8s.api.apps.v1.DeploymentList');
    assert.equal(schemaNameForGVK('events.k8s.io', 'v1', 'Event'), 'io.k8s.api.events.v1.Event');
    assert.equal(schemaNameForGVK('', 'v1', 'Event'), 'io.k8s.api.core.v1.Event');
    assert.equal(schemaNameForGVK('', 'v1', 'Status'), 'io.k8s.apimachinery.pkg.apis.meta.v1.Status');
    assert.equal(schemaNameForGVK('apps', 'v1', 'DeleteOptions'), 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
    const om = SCHEMAS.get('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    assert.ok(om && isObj(om.properties));
    assert.equal(obj(om.properties.generation, 'generation').format, 'int64');
  });
});

describe('openapiV3Response', () => {
  const now = new Date('2025-01-02T03:04:05Z');
  it('answers the index uncached', () => {
    const r = openapiV3Response('/openapi/v3?timeout=32s', now);
    assert.equal(r.status, 200);
    assert.equal(r.headers['Cache-Control'], 'no-cache, private');
    assert.deepEqual(JSON.parse(r.body), openapiV3Index());
  });
  it('answers a document with a matching hash as immutable, with ETag', () => {
    const doc = openapiV3Document('apis/apps/v1');
    assert.ok(doc);
    const r = openapiV3Response(`/openapi/v3/apis/apps/v1?hash=${doc.hash}&timeout=32s`, now);
    assert.equal(r.status, 200);
    assert.equal(r.body, doc.body);
    assert.equal(r.headers.ETag, `"${doc.hash}"`);
    assert.equal(r.headers['Cache-Control'], 'public, immutable');
    assert.equal(r.headers.Expires, 'Fri, 02 Jan 2026 03:04:05 GMT');
    assert.equal(r.headers['Content-Type'], 'application/json');
  });
  it('redirects a stale hash and 404s unknown group-versions', () => {
    const doc = openapiV3Document('api/v1');
    assert.ok(doc);
    const r = openapiV3Response('/openapi/v3/api/v1?hash=OLD', now);
    assert.equal(r.status, 301);
    assert.equal(r.headers.Location, `/openapi/v3/api/v1?hash=${doc.hash}`);
    assert.equal(openapiV3Response('/openapi/v3/apis/batch/v1', now).status, 404);
    const plain = openapiV3Response('/openapi/v3/api/v1', now);
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['Cache-Control'], 'no-cache, private');
  });
});

describe('schemas.generated.json', () => {
  it('is what scripts/gen-openapi.ts generates from the installed kubernetes-types', () => {
    // Works from src/ (tsx) and dist/src/ (compiled): find the repo root by its package.json.
    let root = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(root, 'scripts', 'gen-openapi.ts'))) {
      const up = resolve(root, '..');
      assert.notEqual(up, root, 'repo root not found');
      root = up;
    }
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'gen-openapi.ts'), '--check'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /is up to date \(\d+ schemas\)/);
  });
});
