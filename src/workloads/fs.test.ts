/**
 * @module workloads/fs.test
 * The container FileMap: image files, scratch writes, directories, errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basename, createFileMap, dirname, isFsError, resolvePath } from './fs.js';

test('paths', () => {
  assert.equal(resolvePath('/', 'a/b'), '/a/b');
  assert.equal(resolvePath('/home/u', '../x/./y//z/'), '/home/x/y/z');
  assert.equal(resolvePath('/a', '/..'), '/');
  assert.equal(dirname('/a/b'), '/a');
  assert.equal(dirname('/a'), '/');
  assert.equal(basename('/a/b.txt'), 'b.txt');
  assert.equal(basename('/'), '');
});

test('image files, scratch layer, directories and errors', () => {
  const fm = createFileMap({ '/etc/hosts': 'h\n', '/usr/share/nginx/html/index.html': '<html>' }, { rootWritable: false });
  assert.equal(fm.read('/etc/hosts')?.toString(), 'h\n');
  assert.equal(fm.stat('/usr/share/nginx/html'), 'dir');
  assert.equal(fm.stat('/nope'), undefined);
  assert.equal(fm.read('/nope'), undefined);
  assert.deepEqual(fm.list('/etc'), ['hosts']);
  assert.ok(fm.list('/')?.includes('tmp'));
  fm.write('/tmp/a', 'x');
  fm.write('/tmp/a', 'y', 'append');
  assert.equal(fm.read('/tmp/a')?.toString(), 'xy');
  fm.write('/dev/null', 'gone');
  assert.equal(fm.read('/dev/null')?.length, 0);
  const code = (f: () => void): string => {
    try {
      f();
      return 'ok';
    } catch (e) {
      return isFsError(e) ? e.code : 'other';
    }
  };
  assert.equal(code(() => fm.write('/nodir/x', '')), 'ENOENT');
  assert.equal(code(() => fm.write('/tmp', '')), 'EISDIR');
  assert.equal(code(() => fm.write('/proc/x', '')), 'EROFS');
  assert.equal(code(() => fm.write('/etc/hosts', 'z')), 'EACCES');
  assert.equal(code(() => fm.read('/etc')), 'EISDIR');
  assert.equal(code(() => fm.mkdir('/a/b')), 'ENOENT');
  fm.mkdir('/a/b', true);
  assert.equal(fm.stat('/a/b'), 'dir');
  assert.equal(code(() => fm.remove('/a')), 'ENOTEMPTY');
  fm.remove('/a/b');
  fm.remove('/a');
  assert.equal(code(() => fm.remove('/a')), 'ENOENT');
  const root = createFileMap({ '/etc/hosts': 'h\n' });
  root.write('/etc/hosts', 'mine');
  assert.equal(root.read('/etc/hosts')?.toString(), 'mine');
});

test('a read-only mount (the service-account volume): EROFS for writes, new files, mkdir and removal, for root too; reads and the rest as before', () => {
  const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
  const fm = createFileMap({ [`${dir}/token`]: 'jwt', [`${dir}/namespace`]: 'lab', '/etc/hosts': 'h\n' }, { readOnlyDirs: [dir] });
  const code = (f: () => void): string => {
    try {
      f();
      return 'ok';
    } catch (e) {
      return isFsError(e) ? e.code : 'other';
    }
  };
  assert.equal(fm.read(`${dir}/token`)?.toString(), 'jwt');
  assert.deepEqual(fm.list(dir), ['namespace', 'token']);
  assert.equal(fm.stat('/var/run/secrets'), 'dir');
  assert.equal(code(() => fm.write(`${dir}/token`, 'x')), 'EROFS');
  assert.equal(code(() => fm.write(`${dir}/token`, 'x', 'append')), 'EROFS');
  assert.equal(code(() => fm.write(`${dir}/new`, 'x')), 'EROFS');
  assert.equal(code(() => fm.mkdir(`${dir}/d`)), 'EROFS');
  assert.equal(code(() => fm.remove(`${dir}/token`)), 'EROFS');
  assert.equal(code(() => fm.remove(dir)), 'EROFS');
  assert.equal(code(() => fm.remove(`${dir}/missing`)), 'ENOENT');
  assert.equal(fm.read(`${dir}/token`)?.toString(), 'jwt', 'unchanged');
  // Beside it, and a directory whose name merely starts the same: writable.
  fm.write('/var/run/secrets/other', 'ok');
  fm.mkdir(`${dir}x`);
  fm.write(`${dir}x/f`, 'ok');
  fm.write('/etc/hosts', 'mine');
  assert.equal(fm.read('/etc/hosts')?.toString(), 'mine');
  // An empty read-only mount exists as a directory.
  const empty = createFileMap({}, { readOnlyDirs: ['/mnt/ro'] });
  assert.equal(empty.stat('/mnt/ro'), 'dir');
  assert.equal(code(() => empty.write('/mnt/ro/x', '')), 'EROFS');
});
