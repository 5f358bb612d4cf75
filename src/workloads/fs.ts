/**
 * @module workloads/fs
 *
 * The container file system behind `FileMap`: the image's files (read-only:
 * removing or replacing them fails with EACCES, as for a non-root user; root
 * may overwrite them, the change living in the scratch layer) under one
 * writable scratch layer shared by the container's processes. Also the path
 * helpers programs use (resolve against a cwd, dirname, basename).
 *
 * Not a real VFS: no permissions beyond that, no links, no timestamps.
 * /dev/null reads empty and swallows writes; /proc and /sys refuse writes, and so
 * do read-only mounts (`readOnlyDirs`, e.g. the service-account volume): EROFS.
 */
import type { FileMap, FsError } from './process.js';

const FS_TEXT: Readonly<Record<FsError['code'], string>> = {
  ENOENT: 'No such file or directory',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EACCES: 'Permission denied',
  EROFS: 'Read-only file system',
  EEXIST: 'File exists',
  ENOTEMPTY: 'Directory not empty',
};

/** Makes an FsError with the strerror(3) text as its message. */
export function fsError(code: FsError['code']): FsError {
  const e = new Error(FS_TEXT[code]) as Error & { code: FsError['code'] };
  e.code = code;
  return e;
}

/** True when `e` is an FsError. */
export function isFsError(e: unknown): e is FsError {
  if (!(e instanceof Error)) return false;
  const code: unknown = (e as Error & { code?: unknown }).code;
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(FS_TEXT, code);
}

/** strerror text for an error from a FileMap (or any Error). */
export function fsErrorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Normalises an absolute or cwd-relative path: resolves ".", ".." and duplicate slashes. */
export function resolvePath(cwd: string, p: string): string {
  const parts = (p.startsWith('/') ? p : `${cwd}/${p}`).split('/');
  const out: string[] = [];
  for (const part of parts) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

/** The parent directory of a normalised path ("/" for "/x"). */
export function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

/** The last component of a path ("" for "/"). */
export function basename(p: string): string {
  const trimmed = p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Directories every container has, whatever the image. */
const STANDARD_DIRS = ['/', '/bin', '/dev', '/etc', '/home', '/proc', '/root', '/sys', '/tmp', '/usr', '/usr/bin', '/var'];

export interface FileMapOptions {
  /** Extra directories of the image (parents of image files are implied). */
  readonly dirs?: ReadonlyArray<string>;
  /** When true, image files may be replaced (root in the container); default true. */
  readonly rootWritable?: boolean;
  /**
   * Directories mounted read-only (a volumeMount with readOnly: true): writing,
   * creating or removing anything in them fails with EROFS, for root too.
   */
  readonly readOnlyDirs?: ReadonlyArray<string>;
}

/**
 * Builds a FileMap from the image's files (path -> contents). Every process
 * of one container must share the same FileMap.
 */
export function createFileMap(image: Readonly<Record<string, string | Buffer>>, opts: FileMapOptions = {}): FileMap {
  const files = new Map<string, Buffer>();
  const imageFiles = new Set<string>();
  const dirs = new Set<string>();
  const addDirChain = (d: string): void => {
    let cur = d;
    for (;;) {
      dirs.add(cur);
      if (cur === '/') break;
      cur = dirname(cur);
    }
  };
  for (const d of STANDARD_DIRS) addDirChain(d);
  for (const d of opts.dirs ?? []) addDirChain(resolvePath('/', d));
  for (const [p, data] of Object.entries(image)) {
    const path = resolvePath('/', p);
    files.set(path, Buffer.isBuffer(data) ? data : Buffer.from(data));
    imageFiles.add(path);
    addDirChain(dirname(path));
  }
  const rootWritable = opts.rootWritable ?? true;
  const roMounts = (opts.readOnlyDirs ?? []).map((d) => resolvePath('/', d));
  for (const d of roMounts) addDirChain(d);
  const under = (p: string, d: string): boolean => p === d || p.startsWith(d === '/' ? '/' : `${d}/`);
  const isSpecialRo = (p: string): boolean => under(p, '/proc') || under(p, '/sys') || roMounts.some((d) => under(p, d));

  return {
    read(path) {
      if (path === '/dev/null' || path === '/dev/zero') return Buffer.alloc(0);
      if (dirs.has(path)) throw fsError('EISDIR');
      return files.get(path);
    },
    write(path, data, mode = 'truncate') {
      if (path === '/dev/null') return;
      if (dirs.has(path)) throw fsError('EISDIR');
      if (isSpecialRo(path)) throw fsError('EROFS');
      const parent = dirname(path);
      if (!dirs.has(parent)) throw fsError(files.has(parent) ? 'ENOTDIR' : 'ENOENT');
      if (imageFiles.has(path) && !rootWritable) throw fsError('EACCES');
      const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data);
      const prev = files.get(path);
      files.set(path, mode === 'append' && prev ? Buffer.concat([prev, bytes]) : bytes);
    },
    list(path) {
      if (!dirs.has(path)) return undefined;
      const prefix = path === '/' ? '/' : `${path}/`;
      const names = new Set<string>();
      for (const p of [...files.keys(), ...dirs]) {
        if (p !== path && p.startsWith(prefix)) {
          const rest = p.slice(prefix.length);
          if (rest && !rest.includes('/')) names.add(rest);
        }
      }
      if (path === '/dev') names.add('null');
      return [...names].sort();
    },
    stat(path) {
      if (dirs.has(path)) return 'dir';
      if (files.has(path) || path === '/dev/null' || path === '/dev/zero') return 'file';
      return undefined;
    },
    mkdir(path, parents = false) {
      if (dirs.has(path) || files.has(path)) {
        if (parents && dirs.has(path)) return;
        throw fsError('EEXIST');
      }
      if (isSpecialRo(path)) throw fsError('EROFS');
      const parent = dirname(path);
      if (!dirs.has(parent)) {
        if (!parents) throw fsError('ENOENT');
        this.mkdir(parent, true);
      }
      dirs.add(path);
    },
    remove(path) {
      if (roMounts.some((d) => under(path, d)) && (files.has(path) || dirs.has(path))) throw fsError('EROFS');
      if (imageFiles.has(path) && !rootWritable) throw fsError('EACCES');
      if (files.delete(path)) {
        imageFiles.delete(path);
        return;
      }
      if (dirs.has(path)) {
        if (this.list(path)?.length) throw fsError('ENOTEMPTY');
        if (STANDARD_DIRS.includes(path)) throw fsError('EACCES');
        dirs.delete(path);
        return;
      }
      throw fsError('ENOENT');
    },
  };
}
