/**
 * @module workloads/images/agnhost/image
 *
 * registry.k8s.io/e2e-test-images/agnhost (also its older homes
 * k8s.gcr.io/e2e-test-images and gcr.io/kubernetes-e2e-test-images):
 * Alpine with busybox, curl and bash; ENTRYPOINT ["/agnhost"], CMD
 * ["pause"]; `/agnhost-2` is a link to it. Tags are `2.N`; there is no
 * `latest` (pulling it fails, as on the real registry).
 */
import { ALPINE_FILES, BUSYBOX_APPLET_NAMES, DEFAULT_PATH, tagOf } from '../base-images.js';
import type { ImageConfig, ImageDefinition } from '../types.js';
import { agnhost } from './agnhost.js';

const configs = new Map<string, ImageConfig>();

const SHELLS: ReadonlySet<string> = new Set(['sh', 'ash', 'bash']);

export const AGNHOST_IMAGE: ImageDefinition = {
  id: 'agnhost',
  displayName: 'registry.k8s.io/e2e-test-images/agnhost',
  repositories: ['e2e-test-images/agnhost', 'kubernetes-e2e-test-images/agnhost'],
  configure(ref): ImageConfig | undefined {
    const tag = tagOf(ref);
    const version = ref.tag === undefined && ref.digest !== undefined ? '2.53' : /^2\.\d+$/.test(tag) ? tag : undefined;
    if (version === undefined) return undefined;
    let config = configs.get(version);
    if (!config) {
      const program = agnhost(version);
      config = {
        version,
        entrypoint: ['/agnhost'],
        cmd: ['pause'],
        env: { PATH: DEFAULT_PATH },
        workingDir: '/',
        uid: 0,
        gid: 0,
        libc: 'musl',
        stopSignal: 'SIGTERM',
        files: {
          ...ALPINE_FILES,
          '/localhost.crt': '-----BEGIN CERTIFICATE-----\n(kwire: not a real certificate; TLS is not emulated)\n-----END CERTIFICATE-----\n',
          '/localhost.key': '-----BEGIN PRIVATE KEY-----\n(kwire: not a real key)\n-----END PRIVATE KEY-----\n',
        },
        dirs: ['/uploads'],
        executables: new Map([
          ['/agnhost', { kind: 'own', program }],
          ['/agnhost-2', { kind: 'own', program }],
        ]),
        toolDirs: [
          { dir: '/bin', set: 'alpine-curl', names: new Set([...BUSYBOX_APPLET_NAMES, 'bash']) },
          { dir: '/usr/bin', set: 'alpine-curl', names: new Set(['curl', 'dig', 'host', 'nc', 'iperf', 'ss', 'ip']) },
        ],
        shells: SHELLS,
      };
      configs.set(version, config);
    }
    return config;
  },
};
