/**
 * @module cluster/wiring
 * Plugs the API layer's pure cores (defaulting, validation, patching, printers,
 * OpenAPI, protobuf) into the registry and the HTTP shell.
 */
import type { ApiServerDeps, VersionInfo } from '../apiserver/server.js';
import type { Registry } from '../apiserver/registry.js';
import type { ApiLayer } from '../apiserver/strategies.js';
import type { KObject } from '../store/store.js';
import { errors } from '../errors.js';
import { groupKind, groupVersion } from '../api/resources.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, serverSideApply, recordUpdate } from '../api/patch/index.js';
import { applyDefaults, prepareServiceForUpdate } from '../api/defaults/index.js';
import { validateCreate, validateUpdate } from '../api/validation/index.js';
import { invalidStatusMessage, statusCauses, type FieldError } from '../api/field-errors.js';
import { buildTable } from '../apiserver/printers/index.js';
import { decodeKubernetesProtobuf } from '../apiserver/protobuf/index.js';
import { openapiV3Document, openapiV3Index, findUnknownFields } from '../apiserver/openapi/index.js';

function throwIfInvalid(gk: string, obj: KObject, errs: ReadonlyArray<FieldError>): void {
  if (errs.length === 0) return;
  const slash = gk.indexOf('/');
  const group = gk.slice(0, slash);
  const kind = gk.slice(slash + 1);
  const name = obj.metadata?.name ?? '';
  throw errors.invalid(group, kind, name, invalidStatusMessage(gk, name, errs), statusCauses(errs));
}

export function apiLayer(): ApiLayer {
  return {
    applyDefaults: (gk, obj) => applyDefaults(gk, obj),
    prepareForUpdate: (gk, obj, old) => {
      if (gk === '/Service') prepareServiceForUpdate(obj, old as KObject);
    },
    validateCreate: (gk, obj) => throwIfInvalid(gk, obj, validateCreate(gk, obj)),
    validateUpdate: (gk, obj, old) => throwIfInvalid(gk, obj, validateUpdate(gk, obj, old)),
  };
}

export function wireDeps(base: { registry: Registry; version: VersionInfo; auth?: ApiServerDeps['auth'] }): ApiServerDeps {
  return {
    ...base,
    patch(type, res, original, patch, ctx) {
      const gk = groupKind(res.group, res.kind);
      switch (type) {
        case 'json':
          return applyJsonPatch(original, patch) as KObject;
        case 'merge':
          return applyMergePatch(original, patch) as KObject;
        case 'strategic':
          return applyStrategicMergePatch(gk, original, patch) as KObject;
        case 'apply': {
          const out = serverSideApply({ groupKind: gk, live: original, applied: patch, manager: ctx.manager, force: ctx.force, now: new Date(), apiVersion: groupVersion(res.group, res.version) });
          if ('error' in out) throw out.error;
          return out.object as KObject;
        }
      }
    },
    recordManagedFields(manager, _op, res, before, after) {
      const rec = recordUpdate({ groupKind: groupKind(res.group, res.kind), manager, before, after, now: new Date() }) as KObject;
      after.metadata = rec.metadata;
    },
    decodeProtobuf: (body) => decodeKubernetesProtobuf(body),
    buildTable: (gk, objects, opts) => buildTable(gk, objects, opts),
    openapi: { index: () => openapiV3Index(), document: (path) => openapiV3Document(path) },
    unknownFields: (apiVersion, kind, obj) => findUnknownFields(apiVersion, kind, obj),
  };
}
