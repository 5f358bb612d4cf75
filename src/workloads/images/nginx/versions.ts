/**
 * @module workloads/images/nginx/versions
 *
 * Which nginx a tag of the official image is: `1.21` -> 1.21.6, `latest` /
 * `mainline` -> 1.29.1, `stable` -> 1.28.0 (as of 2025-10), the Debian or
 * Alpine variant (`-alpine`, `-alpine-slim`), and what differs between
 * builds: the compiler line nginx logs at start, whether the entrypoint has
 * 15-local-resolvers.envsh (1.25+), and the mtime of the packaged
 * index.html (Last-Modified / ETag). mtimes marked `exact` were read from
 * real responses of those images; the others are the release day, an
 * estimate.
 */

export interface NginxBuild {
  /** `1.21.6`. */
  readonly version: string;
  readonly variant: 'debian' | 'alpine';
  /** The `built by gcc ...` text. */
  readonly compiler: string;
  /** The Debian or Alpine release the image is built on. */
  readonly os: string;
  /** PKG_RELEASE of the image's ENV. */
  readonly pkgRelease: string;
  /** NJS_VERSION of the image's ENV. */
  readonly njsVersion: string;
  /** The entrypoint sources 15-local-resolvers.envsh (docker-nginx 1.25+). */
  readonly localResolvers: boolean;
  /** mtime of /usr/share/nginx/html/index.html and 50x.html, ms since the epoch. */
  readonly htmlMtime: number;
  /** PID of the first worker process (what the error log shows). */
  readonly firstWorkerPid: number;
}

interface Row {
  readonly njs: string;
  readonly mtime: number;
  readonly exact: boolean;
}

const KNOWN: Readonly<Record<string, Row>> = {
  '1.19.10': { njs: '0.5.3', mtime: Date.UTC(2021, 3, 13, 15, 13, 59), exact: false },
  '1.20.2': { njs: '0.7.0', mtime: Date.UTC(2021, 10, 16, 14, 44, 2), exact: false },
  '1.21.6': { njs: '0.7.2', mtime: Date.UTC(2022, 0, 25, 15, 3, 52), exact: true },
  '1.22.1': { njs: '0.7.7', mtime: Date.UTC(2022, 9, 19, 10, 49, 37), exact: false },
  '1.23.4': { njs: '0.7.11', mtime: Date.UTC(2023, 2, 28, 15, 1, 54), exact: false },
  '1.24.0': { njs: '0.7.12', mtime: Date.UTC(2023, 3, 11, 1, 29, 59), exact: false },
  '1.25.5': { njs: '0.8.4', mtime: Date.UTC(2024, 3, 16, 14, 29, 59), exact: true },
  '1.26.3': { njs: '0.8.9', mtime: Date.UTC(2025, 1, 5, 11, 6, 32), exact: false },
  '1.27.5': { njs: '0.8.10', mtime: Date.UTC(2025, 3, 16, 12, 1, 11), exact: true },
  '1.28.0': { njs: '0.8.10', mtime: Date.UTC(2025, 3, 23, 11, 48, 31), exact: false },
  '1.29.1': { njs: '0.9.1', mtime: Date.UTC(2025, 7, 13, 16, 14, 15), exact: false },
};

const LATEST = '1.29.1';
const STABLE = '1.28.0';

const MINOR: Readonly<Record<string, string>> = {
  '1': LATEST,
  latest: LATEST,
  mainline: LATEST,
  stable: STABLE,
  '1.19': '1.19.10',
  '1.20': '1.20.2',
  '1.21': '1.21.6',
  '1.22': '1.22.1',
  '1.23': '1.23.4',
  '1.24': '1.24.0',
  '1.25': '1.25.5',
  '1.26': '1.26.3',
  '1.27': '1.27.5',
  '1.28': '1.28.0',
  '1.29': LATEST,
};

function minorOf(version: string): number {
  return Number(version.split('.')[1] ?? '0');
}

/** The build a tag names; undefined when the tag does not exist. */
export function nginxBuildForTag(tag: string): NginxBuild | undefined {
  const m = /^(.*?)(?:-(alpine(?:-slim|-perl|-otel)?|perl|otel|bookworm|bullseye|trixie))?$/.exec(tag);
  const base = m?.[1] ?? tag;
  const suffix = m?.[2];
  const variant: NginxBuild['variant'] = tag === 'alpine' || tag === 'alpine-slim' || (suffix ?? '').startsWith('alpine') ? 'alpine' : 'debian';
  const head = tag === 'alpine' || tag === 'alpine-slim' || tag === 'perl' || tag === 'otel' ? 'latest' : base;
  const version = MINOR[head] ?? (/^1\.\d+\.\d+$/.test(head) ? head : undefined);
  if (version === undefined) return undefined;
  const minor = minorOf(version);
  const row = KNOWN[version];
  const debianOs = minor >= 29 ? 'trixie' : minor >= 25 ? 'bookworm' : 'bullseye';
  const compiler =
    variant === 'alpine'
      ? minor >= 25
        ? '12.2.1 20220924 (Alpine 12.2.1_git20220924-r10)'
        : '10.3.1 20211027 (Alpine 10.3.1_git20211027)'
      : debianOs === 'trixie'
        ? '14.2.0 (Debian 14.2.0-19)'
        : debianOs === 'bookworm'
          ? '12.2.0 (Debian 12.2.0-14) '
          : '10.2.1 20210110 (Debian 10.2.1-6) ';
  return {
    version,
    variant,
    compiler,
    os: variant === 'alpine' ? 'alpine' : debianOs,
    pkgRelease: variant === 'alpine' ? '1' : `1~${debianOs}`,
    njsVersion: row?.njs ?? '0.8.0',
    localResolvers: minor >= 25,
    htmlMtime: row?.mtime ?? Date.UTC(2024, 0, 1, 0, 0, 0),
    firstWorkerPid: minor >= 25 ? 29 : 31,
  };
}

/** True when the build's index.html mtime was taken from the real image. */
export function mtimeIsExact(version: string): boolean {
  return KNOWN[version]?.exact ?? false;
}
