/**
 * @module workloads/images/curl/image
 *
 * curlimages/curl: Alpine (busybox, musl) with curl in /usr/bin, ENTRYPOINT
 * ["/entrypoint.sh"], CMD ["curl"], USER curl_user (100:101), WORKDIR
 * /home/curl_user, CURL_CA_BUNDLE=/cacert.pem. The entrypoint prepends `curl`
 * when the first argument is an option or not a command, so `kubectl run
 * --image=curlimages/curl -- -s http://svc` runs curl. The tag is curl's
 * version; `latest` is 8.16.0.
 */
import { CURLIMAGES_IMAGE_FILES } from '../../pod-files.js';
import { put } from '../../streams.js';
import { BUSYBOX_APPLET_NAMES, BUSYBOX_SHELLS, tagOf, versionFromTag } from '../base-images.js';
import type { ContainerContext, ImageConfig, ImageDefinition, ImageProgram } from '../types.js';

/** /entrypoint.sh: `if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ]; then set -- curl "$@"; fi; exec "$@"`. */
export const curlEntrypoint: ImageProgram = async (ctx: ContainerContext, argv) => {
  let args = argv.slice(1);
  const first = args[0] ?? '';
  if (first.startsWith('-') || first === '') {
    args = ['curl', ...args];
  } else {
    const code = await ctx.pod.execve(ctx, args);
    if (code !== undefined) return code;
    args = ['curl', ...args];
  }
  const code = await ctx.pod.execve(ctx, args);
  if (code === undefined) {
    put(ctx.stderr, `/entrypoint.sh: exec: line 12: ${args[0] ?? ''}: not found\n`);
    return 127;
  }
  return code;
};

const TAGS: Readonly<Record<string, string>> = { latest: '8.16.0' };
const configs = new Map<string, ImageConfig>();

export const CURL_IMAGE: ImageDefinition = {
  id: 'curl',
  displayName: 'curlimages/curl',
  repositories: ['curlimages/curl', 'curl/curl'],
  configure(ref): ImageConfig | undefined {
    const version = versionFromTag(tagOf(ref), TAGS);
    if (version === undefined) return undefined;
    let config = configs.get(version);
    if (!config) {
      config = {
        version,
        entrypoint: ['/entrypoint.sh'],
        cmd: ['curl'],
        env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', CURL_CA_BUNDLE: '/cacert.pem' },
        workingDir: '/home/curl_user',
        uid: 100,
        gid: 101,
        libc: 'musl',
        stopSignal: 'SIGTERM',
        files: {
          ...CURLIMAGES_IMAGE_FILES,
          '/entrypoint.sh': '#!/bin/sh\nset -e\nif [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ]; then\n  set -- curl "$@"\nfi\nexec "$@"\n',
          '/cacert.pem': '# kwire: the public CAs are not copied here; curl trusts them as if they were (a private CA needs --cacert)\n',
        },
        dirs: ['/home/curl_user'],
        executables: new Map([['/entrypoint.sh', { kind: 'own', program: curlEntrypoint, rawTty: true }]]),
        toolDirs: [
          { dir: '/bin', set: 'alpine-curl', names: BUSYBOX_APPLET_NAMES },
          { dir: '/usr/bin', set: 'alpine-curl', names: new Set(['curl']) },
        ],
        shells: BUSYBOX_SHELLS,
      };
      configs.set(version, config);
    }
    return config;
  },
};
