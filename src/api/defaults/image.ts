/**
 * @module api/defaults/image
 * The image-reference parsing behind the `imagePullPolicy` default
 * (`parsers.ParseImageName` over the docker reference grammar): `:latest` or
 * no tag (and no digest) means Always, anything else IfNotPresent; an
 * unparsable reference has no tag, hence IfNotPresent.
 */

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}$/;

/** The tag and digest of an image reference, or undefined when it does not parse. */
export function parseImageReference(image: string): { readonly tag: string; readonly digest: string } | undefined {
  if (image.length === 0) return undefined;
  let rest = image;
  let digest = '';
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  let tag = '';
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  if (hasDomain) {
    const [host = '', port] = first.split(':');
    if (!host.split('.').every((c) => DOMAIN_COMPONENT.test(c))) return undefined;
    if (port !== undefined && !/^[0-9]+$/.test(port)) return undefined;
    parts.shift();
  }
  if (parts.length === 0 || !parts.every((c) => PATH_COMPONENT.test(c))) return undefined;
  return { tag, digest };
}

/** `SetDefaults_Container`'s choice of imagePullPolicy for `image`. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  const ref = parseImageReference(image);
  if (ref === undefined) return 'IfNotPresent';
  const tag = ref.tag === '' && ref.digest === '' ? 'latest' : ref.tag;
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}
