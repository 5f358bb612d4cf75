/**
 * @module workloads/images/whoami/image
 *
 * traefik/whoami (also its old name containous/whoami): `FROM scratch`, the
 * static binary `/whoami` as ENTRYPOINT, EXPOSE 80. No shell: `kubectl exec`
 * finds only `/whoami`. `latest` is v1.11.0.
 */
import { DEFAULT_PATH, tagOf, versionFromTag } from '../base-images.js';
import type { ImageConfig, ImageDefinition } from '../types.js';
import { whoami } from './whoami.js';

const TAGS: Readonly<Record<string, string>> = { latest: '1.11.0', v1: '1.11.0', 'v1.11': '1.11.0', 'v1.10': '1.10.4' };

export const WHOAMI_IMAGE: ImageDefinition = {
  id: 'whoami',
  displayName: 'traefik/whoami',
  repositories: ['traefik/whoami', 'containous/whoami'],
  configure(ref): ImageConfig | undefined {
    const version = versionFromTag(tagOf(ref), TAGS);
    if (version === undefined) return undefined;
    return {
      version,
      entrypoint: ['/whoami'],
      cmd: [],
      env: { PATH: DEFAULT_PATH },
      workingDir: '/',
      uid: 0,
      gid: 0,
      libc: 'glibc',
      stopSignal: 'SIGTERM',
      files: {},
      executables: new Map([['/whoami', { kind: 'own', program: whoami }]]),
    };
  },
};
