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
import { buildTable } from '../apiserver/printers/index.js';
import { decodeKubernetesProtobuf } from '../apiserver/protobuf/index.js';
import { openapiV3Document, openapiV3Index, findUnknownFields } from '../apiserver/openapi/index.js';

export function apiLayer(): ApiLayer {
  return {};
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export function wireDeps(base: { registry: Registry; version: VersionInfo; auth?: { token: string; caPem: string } }): ApiServerDeps {
  return {
    ...base,
    patch(type, _res, original, patch) {
      if (type === 'merge' || type === 'strategic') return mergePatch(structuredClone(original), patch) as KObject;
      throw errors.unsupportedMediaType(type);
    },
    decodeProtobuf: (body) => decodeKubernetesProtobuf(body),
    buildTable: (gk, objects, opts) => buildTable(gk, objects, opts),
    openapi: { index: () => openapiV3Index(), document: (path) => openapiV3Document(path) },
    unknownFields: (apiVersion, kind, obj) => findUnknownFields(apiVersion, kind, obj),
  };
}
