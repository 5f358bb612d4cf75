/**
 * @module apiserver/discovery
 * Discovery documents generated from the resource table: aggregated discovery
 * (apidiscovery.k8s.io v2 and v2beta1, which kubectl 1.27+ asks for first) and the
 * legacy documents (APIVersions, APIGroupList, APIResourceList) as the fallback.
 * Pure: returns JSON-ready objects.
 */
import { RESOURCES, groupVersion, groupVersions, type ResourceInfo } from '../api/resources.js';

function resourceEntry(r: ResourceInfo) {
  const e: Record<string, unknown> = {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: [...r.verbs],
  };
  if (r.shortNames.length) e['shortNames'] = [...r.shortNames];
  if (r.categories.length) e['categories'] = [...r.categories];
  if (r.subresources.length) {
    e['subresources'] = r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
      verbs: [...s.verbs],
    }));
  }
  return e;
}

function groupsOf(core: boolean): string[] {
  const out: string[] = [];
  for (const gv of groupVersions()) if ((gv.group === '') === core && !out.includes(gv.group)) out.push(gv.group);
  return out;
}

/** The aggregated discovery list for `/api` (core) or `/apis` (named groups). */
export function aggregatedDiscovery(core: boolean, version: 'v2' | 'v2beta1') {
  const items = groupsOf(core).map((g) => {
    const versions = groupVersions()
      .filter((gv) => gv.group === g)
      .map((gv) => ({
        version: gv.version,
        resources: RESOURCES.filter((r) => r.group === g && r.version === gv.version).map(resourceEntry),
        freshness: 'Current',
      }));
    return { metadata: { name: g, creationTimestamp: null }, versions };
  });
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

/** `GET /api`: `serverAddress` is where this API server listens (kube-apiserver's advertise address and port). */
export function legacyApiVersions(serverAddress = '127.0.0.1:6443') {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(g: string) {
  const versions = groupVersions()
    .filter((gv) => gv.group === g)
    .map((gv) => ({ groupVersion: groupVersion(gv.group, gv.version), version: gv.version }));
  return { name: g, versions, preferredVersion: versions[0] };
}

export function legacyApiGroupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupsOf(false).map(apiGroup) };
}

export function legacyApiGroup(g: string) {
  if (!groupsOf(false).includes(g)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g) };
}

export function apiResourceList(group: string, version: string) {
  const rs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const r of rs) {
    const base: Record<string, unknown> = { name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: [...r.verbs] };
    if (r.shortNames.length) base['shortNames'] = [...r.shortNames];
    if (r.categories.length) base['categories'] = [...r.categories];
    resources.push(base);
    for (const s of r.subresources) {
      const sub: Record<string, unknown> = { name: `${r.plural}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: [...s.verbs] };
      if (s.group) {
        sub['group'] = s.group;
        sub['version'] = s.version;
      }
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}

/** Which aggregated discovery version the Accept header asks for, if any. */
export function wantsAggregated(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const p = part.replace(/\s+/g, '');
    if (!p.includes('as=APIGroupDiscoveryList') || !p.includes('g=apidiscovery.k8s.io')) continue;
    if (p.includes('v=v2beta1')) return 'v2beta1';
    if (p.includes('v=v2')) return 'v2';
  }
  return undefined;
}
