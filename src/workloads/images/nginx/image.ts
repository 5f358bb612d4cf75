/**
 * @module workloads/images/nginx/image
 *
 * The official nginx image: ENTRYPOINT ["/docker-entrypoint.sh"], CMD
 * ["nginx", "-g", "daemon off;"], STOPSIGNAL SIGQUIT, EXPOSE 80; Debian
 * (bash, dash, curl, coreutils; glibc) or Alpine (busybox, curl; musl). The
 * tag decides the version (`Server: nginx/1.21.6` for `nginx:1.21`).
 */
import {
  ALPINE_FILES,
  BUSYBOX_APPLET_NAMES,
  BUSYBOX_SHELLS,
  DEBIAN_BIN_NAMES,
  DEBIAN_NGINX_FILES,
  DEBIAN_SHELLS,
  DEBIAN_USR_BIN_NAMES,
  tagOf,
} from '../base-images.js';
import type { Executable, ImageConfig, ImageDefinition } from '../types.js';
import { dockerEntrypoint, entrypointScripts } from './entrypoint-script.js';
import { nginxProgram } from './nginx.js';
import { DEFAULT_CONF, FIFTY_X_HTML, INDEX_HTML, NGINX_CONF } from './pages.js';
import { HTML_ROOT } from './static-server.js';
import { nginxBuildForTag, type NginxBuild } from './versions.js';

/** The packaged default.conf, before the entrypoint adds the IPv6 listen. */
export const PACKAGED_DEFAULT_CONF = Buffer.from(DEFAULT_CONF.toString('utf8').replace('    listen  [::]:80;\n', ''));

const SCRIPT = Buffer.from('#!/bin/sh\n# kwire: emulated by the nginx image emulation\n');

const IMAGE_HTML = new Map<string, Buffer>([
  [`${HTML_ROOT}/index.html`, INDEX_HTML],
  [`${HTML_ROOT}/50x.html`, FIFTY_X_HTML],
]);

const configs = new Map<string, ImageConfig>();

function configFor(build: NginxBuild): ImageConfig {
  const key = `${build.version}-${build.variant}`;
  const cached = configs.get(key);
  if (cached) return cached;
  const nginx = nginxProgram(build, IMAGE_HTML);
  const files: Record<string, string | Buffer> = {
    ...(build.variant === 'alpine' ? ALPINE_FILES : DEBIAN_NGINX_FILES),
    [`${HTML_ROOT}/index.html`]: INDEX_HTML,
    [`${HTML_ROOT}/50x.html`]: FIFTY_X_HTML,
    '/etc/nginx/nginx.conf': NGINX_CONF,
    '/etc/nginx/conf.d/default.conf': PACKAGED_DEFAULT_CONF,
    '/docker-entrypoint.sh': SCRIPT,
  };
  for (const s of entrypointScripts(build.localResolvers)) files[`/docker-entrypoint.d/${s}`] = SCRIPT;
  const executables = new Map<string, Executable>([
    ['/docker-entrypoint.sh', { kind: 'own', program: dockerEntrypoint(PACKAGED_DEFAULT_CONF), rawTty: true }],
    ['/usr/sbin/nginx', { kind: 'own', program: nginx }],
    ['/usr/sbin/nginx-debug', { kind: 'own', program: nginx }],
  ]);
  const config: ImageConfig = {
    version: build.version,
    entrypoint: ['/docker-entrypoint.sh'],
    cmd: ['nginx', '-g', 'daemon off;'],
    env: {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      NGINX_VERSION: build.version,
      NJS_VERSION: build.njsVersion,
      PKG_RELEASE: build.pkgRelease,
    },
    workingDir: '/',
    uid: 0,
    gid: 0,
    libc: build.variant === 'alpine' ? 'musl' : 'glibc',
    stopSignal: 'SIGQUIT',
    files,
    dirs: ['/var/cache/nginx', '/var/log/nginx', '/var/run'],
    executables,
    toolDirs:
      build.variant === 'alpine'
        ? [
            { dir: '/bin', set: 'alpine-curl', names: BUSYBOX_APPLET_NAMES },
            { dir: '/usr/bin', set: 'alpine-curl', names: new Set(['curl']) },
          ]
        : [
            { dir: '/bin', set: 'debian-curl', names: DEBIAN_BIN_NAMES },
            { dir: '/usr/bin', set: 'debian-curl', names: DEBIAN_USR_BIN_NAMES },
          ],
    shells: build.variant === 'alpine' ? BUSYBOX_SHELLS : DEBIAN_SHELLS,
  };
  configs.set(key, config);
  return config;
}

export const NGINX_IMAGE: ImageDefinition = {
  id: 'nginx',
  displayName: 'nginx',
  repositories: ['library/nginx', 'nginx/nginx'],
  configure(ref): ImageConfig | undefined {
    const build = nginxBuildForTag(tagOf(ref));
    return build ? configFor(build) : undefined;
  },
};
