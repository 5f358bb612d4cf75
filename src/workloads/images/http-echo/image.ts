/**
 * @module workloads/images/http-echo/image
 *
 * The hashicorp/http-echo image: a static Go binary `/http-echo` as ENTRYPOINT
 * on a shell-less base (distroless nonroot for 1.x, scratch for 0.2.x), so
 * `kubectl exec` finds nothing but `/http-echo`. `latest` is 1.0.0.
 */
import { DEFAULT_PATH, DISTROLESS_FILES, tagOf, versionFromTag } from '../base-images.js';
import type { ImageConfig, ImageDefinition } from '../types.js';
import { httpEcho } from './http-echo.js';

const TAGS: Readonly<Record<string, string>> = {
  latest: '1.0.0',
  '1': '1.0.0',
  '1.0': '1.0.0',
  '0.2': '0.2.3',
  alpine: '0.2.3',
};

const programs = new Map<string, ReturnType<typeof httpEcho>>();

function programFor(version: string, modern: boolean): ReturnType<typeof httpEcho> {
  let p = programs.get(version);
  if (!p) {
    p = httpEcho({ version, modern });
    programs.set(version, p);
  }
  return p;
}

export const HTTP_ECHO_IMAGE: ImageDefinition = {
  id: 'http-echo',
  displayName: 'hashicorp/http-echo',
  repositories: ['hashicorp/http-echo'],
  configure(ref): ImageConfig | undefined {
    const version = versionFromTag(tagOf(ref), TAGS);
    if (version === undefined) return undefined;
    const modern = !version.startsWith('0.');
    return {
      version,
      entrypoint: ['/http-echo'],
      cmd: [],
      env: { PATH: DEFAULT_PATH },
      workingDir: '/',
      uid: modern ? 65532 : 0,
      gid: modern ? 65532 : 0,
      libc: 'glibc',
      stopSignal: 'SIGTERM',
      files: modern ? DISTROLESS_FILES : {},
      executables: new Map([['/http-echo', { kind: 'own', program: programFor(version, modern) }]]),
    };
  },
};
