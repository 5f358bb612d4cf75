/**
 * @module workloads/images/busybox/image
 *
 * The busybox image: no ENTRYPOINT, CMD ["sh"], every applet in /bin, root,
 * WORKDIR /. The applets and the shell come from the workloads' program
 * registry (ToolHost set `busybox`); applets of the real image that kwire
 * does not emulate say so when run. Tags: `latest`/`stable`/`1` are 1.37.0;
 * `-glibc` variants resolve names like glibc, the others like musl.
 */
import { BUSYBOX_IMAGE_FILES } from '../../pod-files.js';
import { BUSYBOX_APPLET_NAMES, BUSYBOX_SHELLS, DEFAULT_PATH, tagOf, versionFromTag } from '../base-images.js';
import type { ImageConfig, ImageDefinition } from '../types.js';

const TAGS: Readonly<Record<string, string>> = {
  latest: '1.37.0',
  stable: '1.37.0',
  unstable: '1.37.0',
  '1': '1.37.0',
  '1.37': '1.37.0',
  '1.36': '1.36.1',
  '1.35': '1.35.0',
  '1.34': '1.34.1',
  '1.33': '1.33.1',
  '1.32': '1.32.1',
  '1.31': '1.31.1',
  '1.28': '1.28.4',
  musl: '1.37.0',
  glibc: '1.37.0',
  uclibc: '1.37.0',
};

const configs = new Map<string, ImageConfig>();

export const BUSYBOX_IMAGE: ImageDefinition = {
  id: 'busybox',
  displayName: 'busybox',
  repositories: ['library/busybox'],
  configure(ref): ImageConfig | undefined {
    const tag = tagOf(ref);
    const m = /^(.*?)(?:-(musl|glibc|uclibc))?$/.exec(tag);
    const base = m?.[1] || tag;
    const variant = m?.[2] ?? (tag === 'glibc' || tag === 'musl' || tag === 'uclibc' ? tag : undefined);
    const version = versionFromTag(base, TAGS);
    if (version === undefined) return undefined;
    const libc = variant === 'glibc' ? 'glibc' : 'musl';
    const key = `${version}/${libc}`;
    let config = configs.get(key);
    if (!config) {
      config = {
        version,
        entrypoint: [],
        cmd: ['sh'],
        env: { PATH: DEFAULT_PATH },
        workingDir: '/',
        uid: 0,
        gid: 0,
        libc,
        stopSignal: 'SIGTERM',
        files: BUSYBOX_IMAGE_FILES,
        executables: new Map(),
        toolDirs: [{ dir: '/bin', set: 'busybox', names: BUSYBOX_APPLET_NAMES }],
        shells: BUSYBOX_SHELLS,
      };
      configs.set(key, config);
    }
    return config;
  },
};
