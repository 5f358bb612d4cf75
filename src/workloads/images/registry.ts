/**
 * @module workloads/images/registry
 *
 * Matches an image reference to its emulation, whatever the registry host,
 * tag or digest: `nginx`, `nginx:1.21`, `docker.io/library/nginx@sha256:...`,
 * `mirror.gcr.io/library/nginx` all are nginx; `bitnami/nginx` is not (a
 * different image). An image without an emulation is reported, never faked:
 * the kubelet shows ErrImagePull / ImagePullBackOff with
 * `unsupportedImageMessage(image)`.
 */
import { familiarName, parseImageReference, pathMatches } from './image-ref.js';
import type { ImageDefinition, ImageReference, ResolvedImage } from './types.js';

export type ImageLookup =
  | { readonly ok: true; readonly image: ResolvedImage }
  | { readonly ok: false; readonly reason: 'InvalidImageName'; readonly message: string }
  | { readonly ok: false; readonly reason: 'ErrImagePull'; readonly message: string };

/** A set of emulated images. */
export class ImageRegistry {
  readonly #defs: ReadonlyArray<ImageDefinition>;

  constructor(defs: ReadonlyArray<ImageDefinition>) {
    this.#defs = defs;
  }

  /** The emulations, in matching order. */
  get definitions(): ReadonlyArray<ImageDefinition> {
    return this.#defs;
  }

  /** The emulation for a parsed reference, or undefined. */
  definitionFor(ref: ImageReference): ImageDefinition | undefined {
    return this.#defs.find((d) => d.repositories.some((r) => pathMatches(ref.path, r)));
  }

  /** Resolves an image as the pod spec writes it. */
  lookup(image: string): ImageLookup {
    const parsed = parseImageReference(image);
    if (!parsed.ok) {
      return { ok: false, reason: 'InvalidImageName', message: `Failed to apply default image tag ${JSON.stringify(image)}: couldn't parse image reference ${JSON.stringify(image)}: ${parsed.error}` };
    }
    const def = this.definitionFor(parsed.ref);
    if (!def) return { ok: false, reason: 'ErrImagePull', message: this.unsupportedMessage(image) };
    const config = def.configure(parsed.ref);
    if (!config) {
      const c = parsed.ref.canonical;
      return {
        ok: false,
        reason: 'ErrImagePull',
        message: `rpc error: code = NotFound desc = failed to pull and unpack image ${JSON.stringify(c)}: failed to resolve reference ${JSON.stringify(c)}: ${c}: not found`,
      };
    }
    return { ok: true, image: { reference: parsed.ref, definition: def, config } };
  }

  /** True when `image` has an emulation. */
  supports(image: string): boolean {
    return this.lookup(image).ok;
  }

  /**
   * The pull error for an image kwire does not emulate, naming the ones it
   * does. The kubelet's event reads `Failed to pull image "<image>": <this>`.
   */
  unsupportedMessage(image: string): string {
    const parsed = parseImageReference(image);
    const name = parsed.ok ? parsed.ref.canonical : image;
    const known = this.#defs.map((d) => d.displayName).join(', ');
    return `kwire has no emulation of image ${JSON.stringify(name)}: it runs no real containers, only emulations of ${known}`;
  }
}

/** `nginx:1.21` style name of a resolved image. */
export function imageDisplayName(image: ResolvedImage): string {
  return familiarName(image.reference);
}
