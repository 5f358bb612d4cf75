/**
 * @module workloads/images/image-ref
 *
 * Parses an image reference as containerd does (docker/distribution's
 * grammar, then docker.io normalisation): `nginx` -> `docker.io/library/nginx:latest`,
 * `hashicorp/http-echo` -> `docker.io/hashicorp/http-echo:latest`,
 * `registry.k8s.io/e2e-test-images/agnhost:2.47` stays on its registry,
 * `nginx@sha256:<64 hex>` is pinned by digest. Malformed references fail with
 * the reference library's wording (`invalid reference format`,
 * `invalid reference format: repository name must be lowercase`), which the
 * kubelet reports as InvalidImageName.
 *
 * Pure; no registry is ever contacted.
 */
import type { ImageReference } from './types.js';

export type ParsedReference = { readonly ok: true; readonly ref: ImageReference } | { readonly ok: false; readonly error: string };

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';

// distribution/reference regexp.go, anchored pieces.
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const NAME_RE = new RegExp(`^(?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const NAME_TOTAL_LENGTH_MAX = 255;

/** Splits "name[:tag][@digest]" the way reference.Parse does. */
function splitReference(s: string): { name: string; tag?: string; digest?: string } | undefined {
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  if (rest === '') return undefined;
  return { name: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** docker's splitDockerDomain: decides whether the first component is a registry host. */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = i < 0 ? '' : name.slice(0, i);
  if (i < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Parses and normalises `image`. A reference with neither tag nor digest gets
 * `latest`, as the kubelet's image puller does.
 */
export function parseImageReference(image: string): ParsedReference {
  const invalid = (why?: string): ParsedReference => ({ ok: false, error: why ? `invalid reference format: ${why}` : 'invalid reference format' });
  if (image === '' || image !== image.trim()) return invalid();
  const parts = splitReference(image);
  if (!parts) return invalid();
  if (parts.tag !== undefined && !TAG_RE.test(parts.tag)) return invalid();
  if (parts.digest !== undefined && !DIGEST_RE.test(parts.digest)) return invalid();
  const { domain, remainder } = splitDockerDomain(parts.name);
  if (remainder.toLowerCase() !== remainder) return invalid('repository name must be lowercase');
  const full = `${domain}/${remainder}`;
  const m = NAME_RE.exec(full);
  if (!m) return invalid();
  if (full.length > NAME_TOTAL_LENGTH_MAX) return invalid('repository name must not be more than 255 characters');
  const tag = parts.tag ?? (parts.digest === undefined ? 'latest' : undefined);
  let canonical = full;
  if (tag !== undefined) canonical += `:${tag}`;
  if (parts.digest !== undefined) canonical += `@${parts.digest}`;
  return {
    ok: true,
    ref: { original: image, domain, path: remainder, tag, digest: parts.digest, canonical },
  };
}

/** True when `path` is `repository` or ends with it component-wise (`mirror/library/nginx` ends with `library/nginx`). */
export function pathMatches(path: string, repository: string): boolean {
  return path === repository || path.endsWith(`/${repository}`);
}

/** The short spelling users know: `nginx:1.21`, `hashicorp/http-echo:latest`, `registry.k8s.io/e2e-test-images/agnhost:2.47`. */
export function familiarName(ref: ImageReference): string {
  let name = ref.domain === DEFAULT_DOMAIN ? ref.path.replace(/^library\//, '') : `${ref.domain}/${ref.path}`;
  if (ref.tag !== undefined) name += `:${ref.tag}`;
  if (ref.digest !== undefined) name += `@${ref.digest}`;
  return name;
}
